package io.videoworker.guac.protocol;

/**
 * Damage found in gzip data, in byte offsets of the file as stored (compressed) and of the text
 * read from it (decompressed).
 *
 * @param memberAt where the damaged member's header starts; -1 for bytes that belong to no member
 * @param from     the first damaged compressed byte: where the member broke off, or the junk begins
 * @param to       where reading went on (the next member's header), or the end of the file
 * @param textFrom where the damaged member's text starts
 * @param textTo   the text read before the damage
 * @param problem  what was wrong
 * @param effect   what it does to the text
 */
public record GzipDamage(long memberAt, long from, long to, long textFrom, long textTo, String problem, Effect effect) {
    /** What the damage does to the text. */
    public enum Effect {
        /** The text breaks off here and goes on with the next member's. */
        RESUMED,
        /** The text breaks off here and nothing readable follows. */
        ENDED,
        /** The text is whole, but the member's checksum disagrees with it: some of it may be wrong. */
        CHECKSUM,
        /** Bytes after the last member are not gzip data; the text is whole. */
        TRAILING,
        /** The file ends inside its last member: the text is cut off there. */
        CUT_OFF
    }

    /** True if the text read after this damage does not continue the text read before it. */
    public boolean breaksText() {
        return effect == Effect.RESUMED || effect == Effect.ENDED;
    }

    /** One clause for a warning, e.g. "the gzip member from compressed byte 0 breaks off at byte 9 (…)". */
    public String describe() {
        String member = memberAt >= 0 ? "the gzip member from compressed byte " + memberAt : "gzip data";
        String skipped = to > from ? "compressed bytes " + from + "–" + to + " (" + (to - from) + " bytes)" : "";
        return switch (effect) {
            case RESUMED -> member + " breaks off at byte " + from + " (" + problem + ")"
                    + (skipped.isEmpty() ? "" : "; " + skipped + " skipped") + "; the next member starts at byte " + to;
            case ENDED -> member + " breaks off at byte " + from + " (" + problem + ") and no gzip member follows"
                    + (skipped.isEmpty() ? "" : " (" + skipped + " unread)");
            case CHECKSUM -> member + " does not match its checksum (" + problem + "): decompressed bytes "
                    + textFrom + "–" + textTo + " may hold damaged data, rendered as read";
            case TRAILING -> skipped + " after the last gzip member are not gzip data (" + problem + "); ignored";
            case CUT_OFF -> member + " is cut off at byte " + from + " (" + problem + ")";
        };
    }
}

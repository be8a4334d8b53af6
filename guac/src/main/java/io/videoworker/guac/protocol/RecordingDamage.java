package io.videoworker.guac.protocol;

/**
 * A damaged stretch of a recording that was skipped: where, why, how much, and where reading
 * went on. Offsets are of the text (decompressed for gzip input); {@link #gzip} adds the
 * compressed ones when the gzip data itself was damaged.
 *
 * @param input       the file (part) name
 * @param gzipInput   whether the text was decompressed from gzip
 * @param instruction the number the damaged instruction had; -1 when no text was skipped (gzip only)
 * @param textFrom    first byte of text skipped
 * @param textTo      where reading went on, or the end of the text
 * @param problem     what was wrong with the text, with where it was noticed; null for gzip damage alone
 * @param gzip        the damage in the gzip data, or null
 * @param toTheEnd    nothing readable followed: the recording ends here
 */
public record RecordingDamage(String input, boolean gzipInput, long instruction, long textFrom, long textTo,
                              String problem, GzipDamage gzip, boolean toTheEnd) {
    /** Text bytes skipped. */
    public long skipped() {
        return Math.max(0, textTo - textFrom);
    }

    /** The warning, e.g. "x.guac: damaged data skipped: bytes 10–27 (17 bytes) from instruction 3 (…); resumed at byte 27 (instruction 4)". */
    public String message() {
        StringBuilder sb = new StringBuilder(input).append(": damaged ");
        if (gzip != null) {
            sb.append("gzip data: ").append(gzip.describe());
            if (instruction < 0) {
                return sb.toString();
            }
            sb.append("; ");
        } else {
            sb.append("data: ");
        }
        String unit = gzipInput ? "decompressed byte" : "byte";
        if (skipped() > 0) {
            sb.append(unit).append("s ").append(textFrom).append('–').append(textTo).append(" (").append(skipped())
                    .append(" bytes) skipped from instruction ").append(instruction);
        } else {
            sb.append("no text skipped at instruction ").append(instruction);
        }
        if (problem != null) {
            sb.append(" (").append(problem).append(')');
        }
        return sb.append(toTheEnd ? "; nothing readable follows: the recording ends there"
                : "; resumed at " + unit + " " + textTo + " (instruction " + (instruction + 1) + ")")
                .toString();
    }
}

package io.videoworker.worker.convert;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Session dates in replay.json and task meta: Lion writes {@code YYYY-MM-DD HH:MM:SS +0000},
 * older files {@code YYYY/MM/DD HH:MM:SS +0000}, other producers RFC 3339. We read all three
 * and write the first.
 */
public final class ReplayDates {
    private static final DateTimeFormatter DASH = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");
    private static final DateTimeFormatter SLASH = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss Z");

    private ReplayDates() {
    }

    /** Parses any accepted spelling; IllegalArgumentException names the value otherwise. */
    public static OffsetDateTime parse(String value) {
        String v = value.trim();
        for (DateTimeFormatter f : new DateTimeFormatter[] {DASH, SLASH}) {
            try {
                return OffsetDateTime.parse(v, f);
            } catch (DateTimeParseException ignored) {
                // try the next spelling
            }
        }
        try {
            return OffsetDateTime.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a date like 2025-11-18 02:00:00 +0000");
        }
    }

    /** The canonical spelling, in UTC. */
    public static String format(OffsetDateTime t) {
        return t.withOffsetSameInstant(ZoneOffset.UTC).format(DASH);
    }

    /** {@code YYYY-MM-DD} of the UTC date, as storage keys use it. */
    public static String day(OffsetDateTime t) {
        return t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().toString();
    }
}

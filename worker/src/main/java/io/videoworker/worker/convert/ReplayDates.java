package io.videoworker.worker.convert;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Pattern;

/**
 * Session dates in replay.json and task meta: Lion writes {@code YYYY-MM-DD HH:MM:SS +0000},
 * older files {@code YYYY/MM/DD HH:MM:SS +0000}, other producers RFC 3339. We read all three
 * and write the first. Only real dates: 30 February is refused, not moved to the 28th, since
 * the day names the folder a replay is stored under.
 */
public final class ReplayDates {
    private static final DateTimeFormatter DASH = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss Z")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter SLASH = DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm:ss Z")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern DAY = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

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

    /** Whether {@code value} is a real day spelled {@code YYYY-MM-DD} (G2's session_date). */
    public static boolean isDay(String value) {
        if (value == null || !DAY.matcher(value).matches()) {
            return false;
        }
        try {
            LocalDate.parse(value); // ISO, strict: no 13th month, no 30 February
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** {@code YYYY-MM-DD} of the UTC date, as storage keys use it. */
    public static String day(OffsetDateTime t) {
        return t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().toString();
    }
}

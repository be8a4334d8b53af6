package io.videoworker.worker.auth;

import io.videoworker.worker.spool.Untrusted;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Date a stand-alone caller signed, and whether it is recent enough to accept.
 *
 * <p>Lion writes Go's RFC 1123 in its own zone ({@code Tue, 18 Nov 2025 18:00:00 CST}, China
 * time in its image), and a zone abbreviation does not say the offset: RFC 822 makes CST US
 * Central time, Go prints {@code +08} for zones without a name. So a named zone other than
 * GMT/UT/UTC only says the wall time is local somewhere: it is accepted when it is {@link #SKEW}
 * from now in some real offset (UTC−12 to UTC+14), a band of 26½ hours that still refuses a Date
 * a day stale or a year off. GMT, UTC and numeric offsets are exact: {@link #SKEW} either way.
 */
final class SignedDate {
    /** Clock difference tolerated between caller and worker (as AWS and Azure allow signed requests). */
    static final Duration SKEW = Duration.ofMinutes(15);
    private static final Duration WEST_MOST = Duration.ofHours(12);
    private static final Duration EAST_MOST = Duration.ofHours(14);
    private static final List<String> DAYS = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
    private static final List<String> MONTHS = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec");
    private static final Pattern RFC_1123 = Pattern.compile(
            "(" + String.join("|", DAYS) + "), (\\d{1,2}) (" + String.join("|", MONTHS) + ") (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) (?:(GMT|UTC?|Z)|([+-])(\\d{2}):?(\\d{2})?|([A-Z]{2,5}))");

    private final LocalDateTime wall;
    /** The offset when the zone states it; null for a zone name. */
    private final ZoneOffset offset;
    private final String zoneName;

    private SignedDate(LocalDateTime wall, ZoneOffset offset, String zoneName) {
        this.wall = wall;
        this.offset = offset;
        this.zoneName = zoneName;
    }

    /** The header as an RFC 1123 date; IllegalArgumentException says why it is not one. */
    static SignedDate parse(String header) {
        Matcher m = RFC_1123.matcher(header.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("Date " + Untrusted.quote(header) + " is not an HTTP date like "
                    + "'Tue, 18 Nov 2025 18:00:00 GMT'");
        }
        LocalDateTime wall;
        ZoneOffset offset;
        try {
            wall = LocalDateTime.of(Integer.parseInt(m.group(4)), MONTHS.indexOf(m.group(3)) + 1, Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7)));
            if (m.group(8) != null) {
                offset = ZoneOffset.UTC;
            } else if (m.group(9) != null) {
                int minutes = m.group(11) == null ? 0 : Integer.parseInt(m.group(11));
                int sign = m.group(9).equals("-") ? -1 : 1;
                offset = ZoneOffset.ofHoursMinutes(sign * Integer.parseInt(m.group(10)), sign * minutes);
            } else {
                offset = null;
            }
        } catch (DateTimeException e) { // 31 Feb, 25:00, +19:00
            throw new IllegalArgumentException("Date " + Untrusted.quote(header) + " is not a real date");
        }
        if (wall.getDayOfWeek().getValue() != DAYS.indexOf(m.group(1)) + 1) {
            throw new IllegalArgumentException("Date " + Untrusted.quote(header) + " gives the wrong day of the week");
        }
        return new SignedDate(wall, offset, m.group(12));
    }

    /** Null when the date may be accepted at {@code now}; else why not, for the log and the 401. */
    String staleness(Instant now) {
        LocalDateTime utcNow = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
        if (offset != null) {
            Duration off = Duration.between(utcNow, wall.minusSeconds(offset.getTotalSeconds()));
            return off.abs().compareTo(SKEW) <= 0 ? null : "Date is " + describe(off) + " the worker's clock (±"
                    + SKEW.toMinutes() + " min accepted): check both clocks";
        }
        // wall = utc + zone offset, for some offset from -12 h to +14 h
        Duration off = Duration.between(utcNow, wall);
        if (off.compareTo(WEST_MOST.negated().minus(SKEW)) >= 0 && off.compareTo(EAST_MOST.plus(SKEW)) <= 0) {
            return null;
        }
        return "Date (a local time, zone " + zoneName + ") is " + describe(off.isNegative() ? off.plus(WEST_MOST) : off.minus(EAST_MOST))
                + " the worker's clock in every zone (±" + SKEW.toMinutes() + " min accepted): check both clocks";
    }

    private static String describe(Duration off) {
        long minutes = Math.abs(off.toMinutes());
        String amount = minutes >= 2 * 24 * 60 ? minutes / (24 * 60) + " days" : minutes >= 120 ? minutes / 60 + " h"
                : minutes + " min";
        return amount + (off.isNegative() ? " behind" : " ahead of");
    }

}

package io.videoworker.worker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The stand-alone check of a caller's Date: real dates only, near now, Lion's zone names kept working. */
class SignedDateTest {
    /** Tue, 18 Nov 2025 10:00:00 GMT = 18:00 in Lion's Asia/Shanghai. */
    static final Instant NOW = Instant.parse("2025-11-18T10:00:00Z");
    /** Go's time.RFC1123, as Lion formats Date in its local zone. */
    static final DateTimeFormatter GO_RFC1123 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US);

    static String accepts(String date) {
        return SignedDate.parse(date).staleness(NOW);
    }

    @Test
    void lionsLocalDatesAreAcceptedInEveryZoneItMayRunIn() {
        assertThat(accepts("Tue, 18 Nov 2025 18:00:00 CST")).as("Lion's image: Asia/Shanghai, spelled CST").isNull();
        for (String zone : List.of("Asia/Shanghai", "America/Chicago", "Europe/Berlin", "Asia/Kolkata", "Pacific/Kiritimati",
                "Pacific/Pago_Pago", "UTC", "Asia/Singapore")) {
            String date = GO_RFC1123.format(ZonedDateTime.ofInstant(NOW, ZoneId.of(zone)));
            assertThat(accepts(date)).as(zone + ": " + date).isNull();
        }
        assertThat(accepts("Tue, 18 Nov 2025 18:00:00 +08")).as("Go's spelling of a zone without a name").isNull();
        assertThat(accepts("Tue, 18 Nov 2025 18:00:00 +0800")).isNull();
        assertThat(accepts("Tue, 18 Nov 2025 04:00:00 -06:00")).isNull();
        assertThat(accepts("Tue, 18 Nov 2025 10:00:00 GMT")).isNull();
        assertThat(accepts("Tue, 18 Nov 2025 10:14:59 UTC")).as("clocks 15 min apart").isNull();
    }

    @Test
    void exactZonesAllowFifteenMinutesOfSkew() {
        assertThat(accepts("Tue, 18 Nov 2025 10:15:00 GMT")).isNull();
        assertThat(accepts("Tue, 18 Nov 2025 09:45:00 GMT")).isNull();
        assertThat(accepts("Tue, 18 Nov 2025 10:16:00 GMT")).isEqualTo(
                "Date is 16 min ahead of the worker's clock (±15 min accepted): check both clocks");
        assertThat(accepts("Tue, 18 Nov 2025 07:00:00 GMT")).startsWith("Date is 3 h behind the worker's clock");
        assertThat(accepts("Tue, 18 Nov 2025 18:20:00 +0800")).startsWith("Date is 20 min ahead of");
    }

    @Test
    void namedZonesAllowAnyRealOffsetPlusTheSkewAndNoMore() {
        // 10:00 UTC is 22:00 to 24:00 (UTC+12..+14) at the east end, 22:00 the day before at UTC-12
        assertThat(accepts("Mon, 17 Nov 2025 21:45:00 CST")).as("UTC-12, 15 min slow").isNull();
        assertThat(accepts("Mon, 17 Nov 2025 21:44:00 CST")).startsWith("Date (a local time, zone CST) is 16 min behind");
        assertThat(accepts("Wed, 19 Nov 2025 00:15:00 CST")).as("UTC+14, 15 min fast").isNull();
        assertThat(accepts("Wed, 19 Nov 2025 00:16:00 CST")).startsWith("Date (a local time, zone CST) is 16 min ahead of");
        assertThat(accepts("Mon, 18 Nov 2024 18:00:00 CST")).as("a year old")
                .isEqualTo("Date (a local time, zone CST) is 364 days behind the worker's clock in every zone (±15 min accepted): "
                        + "check both clocks");
        assertThat(accepts("Sun, 18 Nov 2035 18:00:00 CST")).as("ten years ahead").contains("days ahead of");
        assertThat(accepts("Mon, 17 Nov 2025 18:00:00 CST")).as("a day old, China time").isNotNull();
    }

    @Test
    void whatIsNotARealHttpDateIsRefused() {
        for (String junk : List.of("yesterday", "", "0", "Tue, 18 Nov 2025 18:00:00", "2025-11-18T10:00:00Z",
                "Tuesday, 18-Nov-25 10:00:00 GMT", "Tue Nov 18 10:00:00 2025", "Tue, 18 Nov 2025 18:00:00 cst",
                "Tue, 18 Nov 2025 18:00 CST", "Tue, 18 Nov 2025 18:00:00 CST\nX-Forged: 1", "Tue, 18 Nov 2025 18:00:00 Asia/Shanghai")) {
            assertThatThrownBy(() -> SignedDate.parse(junk)).as(junk).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not an HTTP date like");
        }
        for (String unreal : List.of("Sat, 31 Feb 2025 10:00:00 GMT", "Tue, 18 Nov 2025 25:00:00 GMT",
                "Tue, 18 Nov 2025 10:61:00 GMT", "Tue, 00 Nov 2025 10:00:00 GMT", "Tue, 18 Nov 2025 10:00:00 +1900")) {
            assertThatThrownBy(() -> SignedDate.parse(unreal)).as(unreal).hasMessageEndingWith("is not a real date");
        }
        assertThatThrownBy(() -> SignedDate.parse("Mon, 18 Nov 2025 10:00:00 GMT"))
                .hasMessageEndingWith("gives the wrong day of the week");
        assertThatThrownBy(() -> SignedDate.parse("x".repeat(500))).hasMessageContaining("(500 characters)");
    }
}

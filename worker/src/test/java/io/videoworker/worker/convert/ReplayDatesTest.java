package io.videoworker.worker.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayDatesTest {
    @Test
    void readsEverySpellingOfARealDate() {
        assertThat(ReplayDates.format(ReplayDates.parse("2025-11-18 02:00:00 +0000"))).isEqualTo("2025-11-18 02:00:00 +0000");
        assertThat(ReplayDates.format(ReplayDates.parse("2025/11/18 10:00:00 +0800"))).isEqualTo("2025-11-18 02:00:00 +0000");
        assertThat(ReplayDates.day(ReplayDates.parse("2024-02-29T23:30:00-01:00"))).isEqualTo("2024-03-01");
    }

    @Test
    void refusesDatesThatDoNotExistInsteadOfMovingThem() {
        // the lenient default turned 30 February into the 28th: a replay filed under another day
        for (String v : List.of("2025-02-30 02:00:00 +0000", "2025/02/29 02:00:00 +0000", "2025-13-45 02:00:00 +0000",
                "2025-02-30T02:00:00Z", "2025-11-18 24:00:00 +0000")) {
            assertThatThrownBy(() -> ReplayDates.parse(v)).as(v).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aDayIsRealOrNothing() {
        assertThat(ReplayDates.isDay("2024-02-29")).isTrue();
        assertThat(ReplayDates.isDay("2025-11-18")).isTrue();
        for (String v : List.of("2025-02-29", "2025-13-45", "2025-00-01", "2025-1-18", "+2025-11-18", "2025-11-18 ", "２０２５-１１-１８")) {
            assertThat(ReplayDates.isDay(v)).as(v).isFalse();
        }
        assertThat(ReplayDates.isDay(null)).isFalse();
    }
}

package io.videoworker.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff b = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));

    @Test
    void doublesFromTheBaseUpToTheCap() {
        assertThat(b.pause(1)).isEqualTo(10_000);
        assertThat(b.pause(2)).isEqualTo(20_000);
        assertThat(b.pause(5)).isEqualTo(160_000);
        assertThat(b.pause(6)).isEqualTo(300_000);
        assertThat(b.pause(Integer.MAX_VALUE)).as("no overflow, however many tries").isEqualTo(300_000);
        assertThat(b.pause(0)).isEqualTo(10_000);
    }

    @Test
    void jitterStaysBetweenHalfAndAllOfThePause() {
        for (int i = 0; i < 1000; i++) {
            assertThat(b.jittered(3)).isBetween(20_000L, 40_000L);
        }
        assertThat(java.util.stream.IntStream.range(0, 100).mapToLong(i -> b.jittered(3)).distinct().count())
                .as("not all the same").isGreaterThan(1);
    }
}

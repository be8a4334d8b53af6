package io.videoworker.worker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.MovableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Wrong administrator tokens per address, with the clock moved by the test (StatusAccessTest does it over HTTP). */
class LoginThrottleTest {
    final MovableClock clock = new MovableClock();

    @Test
    void fiveWrongTokensAMinuteThenWaitUntilTheMinuteEnds() {
        LoginThrottle throttle = new LoginThrottle(clock);
        for (int i = 1; i <= LoginThrottle.FAILURES; i++) {
            assertThat(throttle.retryAfterSeconds("10.0.0.1")).isZero();
            assertThat(throttle.failed("10.0.0.1")).isEqualTo(i);
            clock.advance(Duration.ofSeconds(5));
        }
        assertThat(throttle.retryAfterSeconds("10.0.0.1")).as("the minute began 25 s ago").isEqualTo(35);
        assertThat(throttle.retryAfterSeconds("10.0.0.2")).as("per address").isZero();
        clock.advance(Duration.ofSeconds(35));
        assertThat(throttle.retryAfterSeconds("10.0.0.1")).as("a new minute").isZero();
        assertThat(throttle.failed("10.0.0.1")).isEqualTo(1);
        throttle.succeeded("10.0.0.1");
        assertThat(throttle.failed("10.0.0.1")).as("the right token starts afresh").isEqualTo(1);
    }

    @Test
    void theThrottleRemembersABoundedNumberOfAddresses() {
        LoginThrottle throttle = new LoginThrottle(clock);
        for (int i = 0; i < LoginThrottle.FAILURES; i++) {
            throttle.failed("10.0.0.1");
        }
        for (int i = 0; i < 3 * LoginThrottle.ADDRESSES; i++) {
            throttle.failed("addr-" + i);
        }
        assertThat(throttle.tracked()).isEqualTo(LoginThrottle.ADDRESSES);
    }
}

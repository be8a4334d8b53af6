package io.videoworker.worker.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wrong administrator tokens per client address: after {@link #FAILURES} within {@link #WINDOW}
 * the address is refused (429) until that window ends, the right token included, so guessing
 * costs a minute per five tries. The table is bounded ({@link #ADDRESSES}); past it the address
 * seen longest ago is forgotten. The address is the connection's: behind a proxy every caller
 * shares the proxy's (docs/operations.md).
 */
public final class LoginThrottle {
    public static final int FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(1);
    static final int ADDRESSES = 10_000;

    /** Failures of one address since {@code since}. */
    private record Count(long since, int failures) {
    }

    private final Clock clock;
    private final Map<String, Count> counts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Count> eldest) {
            return size() > ADDRESSES;
        }
    };

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds until {@code address} may try again; 0 when it may now. */
    public synchronized long retryAfterSeconds(String address) {
        Count c = current(address);
        if (c == null || c.failures() < FAILURES) {
            return 0;
        }
        long left = c.since() + WINDOW.toMillis() - clock.millis();
        return Math.max(1, (left + 999) / 1000);
    }

    /** Counts a wrong token; returns the failures of {@code address} in the current window. */
    public synchronized int failed(String address) {
        Count c = current(address);
        Count next = c == null ? new Count(clock.millis(), 1) : new Count(c.since(), c.failures() + 1);
        counts.put(address, next);
        return next.failures();
    }

    /** The right token: the address starts afresh. */
    public synchronized void succeeded(String address) {
        counts.remove(address);
    }

    synchronized int tracked() {
        return counts.size();
    }

    private Count current(String address) {
        Count c = counts.get(address);
        if (c != null && clock.millis() - c.since() >= WINDOW.toMillis()) {
            counts.remove(address);
            return null;
        }
        return c;
    }
}

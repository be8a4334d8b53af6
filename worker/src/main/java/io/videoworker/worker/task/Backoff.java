package io.videoworker.worker.task;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One retry schedule: the n-th pause is the base doubled n-1 times, at most the cap; with
 * jitter, a random pause between half and all of that, so many tasks failing together do not
 * retry in step. The worker's retries (publishing, disk waits, internal errors) all use it.
 */
public record Backoff(Duration base, Duration cap) {
    /** The n-th pause (n ≥ 1), in ms; never overflows (the doubling stops at the cap). */
    public long pause(int n) {
        long p = Math.max(1, base.toMillis());
        for (int i = 1; i < n && p < cap.toMillis(); i++) {
            p *= 2;
        }
        return Math.min(p, cap.toMillis());
    }

    /** The n-th pause with jitter: uniformly from half of it to all of it. */
    public long jittered(int n) {
        long p = pause(n);
        return p / 2 + ThreadLocalRandom.current().nextLong(p / 2 + 1);
    }
}

package io.videoworker.worker.pool;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The threads a scheduler works with: a fixed pool serving turns and a timer for retries and
 * housekeeping, all daemons (they never keep the JVM up), stopped together.
 */
final class PoolThreads implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("housekeeping"));
    private ExecutorService workers;

    ScheduledExecutorService timer() {
        return timer;
    }

    /** Starts {@code threads} threads, each running {@code serve} until it returns or the pool closes. */
    void start(int threads, Runnable serve) {
        workers = Executors.newFixedThreadPool(threads, daemon("convert"));
        for (int i = 0; i < threads; i++) {
            workers.submit(serve);
        }
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread th = new Thread(r, name);
            th.setDaemon(true);
            return th;
        };
    }

    /** Interrupts every thread (a turn's conversion child is killed) and waits up to 10 s for the turns to end. */
    @Override
    public void close() {
        timer.shutdownNow();
        if (workers != null) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

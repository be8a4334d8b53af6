package io.videoworker.worker.pool;

import io.videoworker.worker.spool.Task;
import java.util.concurrent.ScheduledExecutorService;

/**
 * When tasks get a turn, and the promise that one task is in one turn at a time. It knows nothing
 * of what a turn does. {@link LocalScheduler} serves one worker from memory; {@link SharedScheduler}
 * lets the nodes of a cluster claim due tasks from PostgreSQL under a lease.
 */
interface Scheduler extends AutoCloseable {
    /** One turn of a task; returns the snapshot it leaves (unfinished: scheduled again at its next attempt), or null. */
    @FunctionalInterface
    interface Turn {
        Task take(String id) throws InterruptedException;
    }

    /** A timer for housekeeping's own rounds. */
    ScheduledExecutorService timer();

    /** Starts {@code threads} threads taking turns. */
    void start(int threads, Turn turn);

    /** The task is due now or at its next attempt (nothing if it is scheduled already). */
    void submit(Task t);

    /** The task's next turn now, ahead of its next attempt. */
    void wake(Task t);

    /**
     * Holds the task out of turns (for an administrator's change): false when a turn is running
     * on it now. Every {@code hold} that returned true is followed by a {@link #release}.
     */
    boolean hold(String id);

    void release(String id);

    @Override
    void close();
}

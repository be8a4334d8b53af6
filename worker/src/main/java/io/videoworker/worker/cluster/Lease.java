package io.videoworker.worker.cluster;

import io.videoworker.worker.task.LeaseLostException;

/**
 * This node's claim on one task's turn: the fencing token the claim got, and when it was last
 * renewed. An action others can see is only started on a fresh lease (renewed within half its
 * time), so a node cut off from the database stops acting well before another node may claim the
 * task; the database refuses every write of a lease whose token is no longer the task's.
 */
public final class Lease {
    private final String taskId;
    private final long token;
    private final long ttlNanos;
    private final Thread holder;
    private volatile long renewedAt; // System.nanoTime() when the last successful renewal was sent
    private volatile boolean lost;

    Lease(String taskId, long token, long ttlNanos, long renewedAt) {
        this.taskId = taskId;
        this.token = token;
        this.ttlNanos = ttlNanos;
        this.holder = Thread.currentThread();
        this.renewedAt = renewedAt;
    }

    public String taskId() {
        return taskId;
    }

    public long token() {
        return token;
    }

    Thread holder() {
        return holder;
    }

    /** The database extended the lease by a statement sent at {@code sentAt} (System.nanoTime()): a renewal, or a turn's write. */
    public void renewed(long sentAt) {
        synchronized (this) { // the renewal thread and the turn's own writes: the latest stands
            if (sentAt - renewedAt > 0) {
                renewedAt = sentAt;
            }
        }
    }

    /** Another node claimed the task: the holder is interrupted and nothing it does counts. */
    void lose() {
        lost = true;
        holder.interrupt();
    }

    public boolean lost() {
        return lost;
    }

    /**
     * Returns once the lease is fresh, waiting for a renewal while it is not (the database is
     * unreachable); throws once it turns out lost. Never acts on a lease it cannot vouch for.
     */
    public void awaitFresh() {
        while (true) {
            if (lost) {
                throw new LeaseLostException("task " + taskId + ": lease " + token + " lost; another node carries the task on");
            }
            if (System.nanoTime() - renewedAt < ttlNanos / 2) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseLostException("task " + taskId + ": interrupted while waiting to renew its lease");
            }
        }
    }
}

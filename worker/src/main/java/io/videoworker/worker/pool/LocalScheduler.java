package io.videoworker.worker.pool;

import io.videoworker.worker.spool.Task;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When tasks of a single worker get a turn: a queue (oldest queued first) served by a fixed pool of threads, and a
 * timer that puts a task back at its next attempt. A task is in the queue, on the timer or in a
 * turn at most once, so two threads never work on one task. It knows nothing of what a turn does.
 */
final class LocalScheduler implements Scheduler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalScheduler.class);
    private record Ticket(String id, long queuedAt) {
    }

    private final Clock clock;
    private final PriorityBlockingQueue<Ticket> queue =
            new PriorityBlockingQueue<>(64, Comparator.comparingLong(Ticket::queuedAt).thenComparing(Ticket::id));
    private final PoolThreads pool = new PoolThreads();
    /** Tasks queued, waiting on the timer, or in a turn. */
    private final java.util.Set<String> scheduled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Tasks waiting on the timer, and for when. */
    private final java.util.Map<String, java.util.concurrent.ScheduledFuture<?>> timed = new java.util.concurrent.ConcurrentHashMap<>();
    /** Tasks in a turn, or held by an administrator's action: one at a time per task. */
    private final java.util.Set<String> held = java.util.concurrent.ConcurrentHashMap.newKeySet();

    LocalScheduler(Clock clock) {
        this.clock = clock;
    }

    /** The timer, for housekeeping's own rounds. */
    @Override
    public ScheduledExecutorService timer() {
        return pool.timer();
    }

    /** Starts {@code threads} threads taking turns. */
    @Override
    public void start(int threads, Turn turn) {
        pool.start(threads, () -> serve(turn));
    }

    /** Queues the task now, or at its next attempt; nothing if it is scheduled already (its turn's end schedules it again). */
    @Override
    public void submit(Task t) {
        if (scheduled.add(t.id)) {
            enqueue(t);
        }
    }

    private void enqueue(Task t) {
        Ticket ticket = new Ticket(t.id, t.queuedAt);
        long wait = t.nextAttemptAt - clock.millis();
        if (wait <= 0) {
            queue.add(ticket);
        } else {
            timed.put(t.id, pool.timer().schedule(() -> {
                timed.remove(t.id);
                queue.add(ticket);
            }, wait, TimeUnit.MILLISECONDS));
        }
    }

    /** The task's next turn now: off the timer if it waits there, scheduled if it was not. */
    @Override
    public void wake(Task t) {
        java.util.concurrent.ScheduledFuture<?> waiting = timed.remove(t.id);
        if (waiting != null && waiting.cancel(false)) {
            queue.add(new Ticket(t.id, t.queuedAt));
        } else {
            submit(t);
        }
    }

    /**
     * Holds the task out of turns (for an administrator's change): false when a turn is running
     * on it now. Every {@code hold} that returned true is followed by a {@link #release}.
     */
    @Override
    public boolean hold(String id) {
        return held.add(id);
    }

    @Override
    public void release(String id) {
        held.remove(id);
    }

    private void serve(Turn turn) {
        while (!Thread.currentThread().isInterrupted()) {
            Ticket ticket;
            try {
                ticket = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (!held.add(ticket.id())) { // an administrator's change, a few milliseconds: come back after it
                pool.timer().schedule(() -> queue.add(ticket), 50, TimeUnit.MILLISECONDS);
                continue;
            }
            Task left;
            try {
                left = turn.take(ticket.id());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) { // a turn records its own failures: this is a bug in that, never fatal to the pool
                LOG.error("task {}: its turn failed; next turn in a minute", ticket.id(), e);
                pool.timer().schedule(() -> queue.add(ticket), 1, TimeUnit.MINUTES);
                continue;
            } finally {
                held.remove(ticket.id());
            }
            if (left != null && !left.state.finished()) {
                enqueue(left);
            } else {
                scheduled.remove(ticket.id());
            }
        }
    }


    @Override
    public void close() {
        pool.close();
    }
}

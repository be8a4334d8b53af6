package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.MovableClock;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.time.Duration;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Turns: one at a time per task however often it is submitted, oldest queued first, again at the next attempt. */
class SchedulerTest {
    private static Task task(String id, long queuedAt, long nextAttemptAt, TaskState state) {
        Task t = new Task();
        t.id = id;
        t.queuedAt = queuedAt;
        t.nextAttemptAt = nextAttemptAt;
        t.state = state;
        return t;
    }

    @Test
    void aTaskSubmittedManyTimesHasOneTurnAtATime() throws Exception {
        MovableClock clock = new MovableClock();
        AtomicInteger inTurn = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger turns = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (Scheduler s = new LocalScheduler(clock)) {
            s.start(4, id -> {
                most.accumulateAndGet(inTurn.incrementAndGet(), Math::max);
                turns.incrementAndGet();
                release.await();
                inTurn.decrementAndGet();
                return null;
            });
            Task t = task("a", 1, 0, TaskState.QUEUED);
            for (int i = 0; i < 50; i++) {
                s.submit(t); // a retry, an upload and a restart all asking at once
            }
            Thread.sleep(200);
            release.countDown();
            Thread.sleep(100);
            assertThat(most).hasValue(1);
            assertThat(turns).as("the submits while it was scheduled changed nothing").hasValue(1);
            s.submit(t);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (turns.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(turns).as("after its turn it may be submitted again").hasValue(2);
        }
    }

    @Test
    void oldestQueuedFirstAndAnUnfinishedTaskComesBackAtItsNextAttempt() throws Exception {
        MovableClock clock = new MovableClock();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<String, Integer> seen = new ConcurrentHashMap<>();
        CountDownLatch gate = new CountDownLatch(1);
        try (Scheduler s = new LocalScheduler(clock)) {
            s.submit(task("new", 300, 0, TaskState.QUEUED));
            s.submit(task("old", 100, 0, TaskState.QUEUED));
            s.submit(task("mid", 200, 0, TaskState.QUEUED));
            s.start(1, id -> {
                gate.await();
                order.add(id);
                int n = seen.merge(id, 1, Integer::sum);
                // "mid" is left publishing with a retry 300 ms from now; the others finish
                return id.equals("mid") && n == 1 ? task(id, 200, clock.millis() + 300, TaskState.PUBLISHING) : null;
            });
            gate.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (order.size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(order).containsExactly("old", "mid", "new", "mid");
        }
    }

    @Test
    void aTurnThatThrowsDoesNotStopThePool() throws Exception {
        AtomicInteger turns = new AtomicInteger();
        try (Scheduler s = new LocalScheduler(new MovableClock())) {
            s.start(1, id -> {
                turns.incrementAndGet();
                if (id.equals("bug")) {
                    throw new IllegalStateException("a bug in a turn");
                }
                return null;
            });
            s.submit(task("bug", 1, 0, TaskState.QUEUED));
            s.submit(task("fine", 2, 0, TaskState.QUEUED));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (turns.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(turns).hasValue(2);
        }
    }
}

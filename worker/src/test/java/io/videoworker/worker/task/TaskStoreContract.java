package io.videoworker.worker.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every task store promises (one worker's and a cluster's), run by each store's own test
 * class against its real back end: snapshots never change, a change is all or nothing and
 * serialised with every other change of the task, finished tasks read slim.
 */
abstract class TaskStoreContract {
    static final Backoff WAITS = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));
    final Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);

    /** A new, empty store on the class's back end. */
    abstract TaskStore store() throws Exception;

    /** The task as its durable record holds it now (task.json, or the row), not as the store remembers it. */
    abstract Task durable(String id) throws Exception;

    private static Task add(TaskStore store, int parts) throws IOException {
        return TestTasks.receiving(store, UUID.randomUUID().toString(), parts);
    }

    @Test
    void aSnapshotNeverChangesAndEveryChangeIsKeptDurably() throws Exception {
        TaskStore store = store();
        Task created = add(store, 2);
        assertThat(durable(created.id).state).isEqualTo(TaskState.RECEIVING);

        Task after = store.change(created.id, d -> d.partReceived(0, 10, "ab"));
        assertThat(created.files.get(0).received).as("the snapshot a reader holds").isFalse();
        assertThat(after.files.get(0).received).isTrue();
        assertThat(store.get(created.id).files.get(0).received).isTrue();
        Task kept = durable(created.id);
        assertThat(kept.files.get(0).received).isTrue();
        assertThat(kept.updatedAt).isEqualTo(clock.millis());
        assertThat(kept.lastUploadAt).isEqualTo(clock.millis());
    }

    @Test
    void aChangeThatThrowsChangesNothing() throws Exception {
        TaskStore store = store();
        Task t = add(store, 1);
        assertThatThrownBy(() -> store.change(t.id, d -> {
            d.partReceived(0, 10, "ab");
            throw new IOException("the commit failed");
        })).hasMessage("the commit failed");
        assertThat(store.get(t.id).files.get(0).received).isFalse();
        assertThat(durable(t.id).files.get(0).received).isFalse();
    }

    @Test
    void aChangeThatDoesNothingReturnsItsAnswer() throws Exception {
        TaskStore store = store();
        Task t = add(store, 1);
        boolean expired = store.update(t.id, d -> {
            if (d.state() != TaskState.QUEUED) {
                return false;
            }
            d.expire("never");
            return true;
        });
        assertThat(expired).isFalse();
        assertThat(store.get(t.id).state).isEqualTo(TaskState.RECEIVING);
        assertThat(durable(t.id).updatedAt).isEqualTo(t.updatedAt);
    }

    @Test
    void aDraftCannotBeUsedAfterItsChange() throws Exception {
        TaskStore store = store();
        Task t = add(store, 2);
        TaskDraft[] leaked = new TaskDraft[1];
        store.change(t.id, d -> {
            leaked[0] = d;
            d.partReceived(0, 10, "ab");
        });
        assertThatThrownBy(() -> leaked[0].partReceived(1, 10, "ab")).hasMessageContaining("after its change");
        assertThat(store.get(t.id).files.get(1).received).isFalse();
    }

    @Test
    void concurrentChangesOfOneTaskAreSerialised() throws Exception {
        TaskStore store = store();
        Task t = add(store, 1);
        store.change(t.id, d -> d.partReceived(0, 10, "ab"));
        store.change(t.id, TaskDraft::startConversion);
        store.change(t.id, d -> d.converted(1000, 30_000));
        int threads = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int n = 0; n < each; n++) {
                    store.change(t.id, d -> d.publishFailed("503", Duration.ofDays(1), WAITS));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(store.get(t.id).publishAttempts).as("no lost update").isEqualTo(threads * each);
        assertThat(durable(t.id).publishAttempts).isEqualTo(threads * each);
    }

    @Test
    void aFinishedTaskReadsSlimAndOnlyFinishedTasksAreRemoved() throws Exception {
        TaskStore store = store();
        Task t = add(store, 1);
        Task expired = store.change(t.id, d -> d.expire("quiet"));
        assertThat(expired.slim).isTrue();
        assertThat(expired.meta).isNull();
        assertThat(store.get(t.id).meta).isNull();
        assertThat(durable(t.id).meta).as("the record keeps it all").isNotNull();
        assertThat(durable(t.id).finishedAt).isEqualTo(clock.millis());
        assertThatThrownBy(() -> store.change(t.id, d -> d.expire("again"))).isInstanceOf(IllegalStateException.class);
        assertThat(store.remove(t.id).id).isEqualTo(t.id);
        assertThat(store.get(t.id)).isNull();

        Task working = add(store, 1);
        try {
            assertThat(store.remove(working.id)).isNull();
        } catch (IllegalStateException refused) {
            assertThat(refused).hasMessageContaining("only finished tasks");
        }
        assertThat(store.get(working.id)).as("a working task is never removed").isNotNull();
    }

    @Test
    void aSessionsTasksAndObserversSeeEveryChange() throws Exception {
        TaskStore store = store();
        List<String> seen = new ArrayList<>();
        store.observe((before, after) -> seen.add((before == null ? "-" : before.state.json()) + ">"
                + (after == null ? "-" : after.state.json())));
        String sid = UUID.randomUUID().toString();
        Task a = TestTasks.receiving(store, sid, 1);
        Task b = TestTasks.receiving(store, sid, 1);
        add(store, 1);
        assertThat(store.ofSession(sid)).extracting(x -> x.id).containsExactlyInAnyOrder(a.id, b.id);
        store.change(a.id, d -> d.expire("superseded"));
        assertThat(seen).containsExactly("->receiving", "->receiving", "->receiving", "receiving>expired");
        assertThat(store.all()).hasSize(3);
        assertThat(store.count(x -> x.state == TaskState.EXPIRED)).isEqualTo(1);
        assertThat(store.get("not-a-task")).isNull();
    }
}

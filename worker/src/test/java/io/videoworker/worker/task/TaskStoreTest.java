package io.videoworker.worker.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/** The one owner of task state, on a real spool: snapshots never change, a change is all or nothing. */
class TaskStoreTest {
    private static final Backoff WAITS = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));

    @TempDir
    Path data;

    private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);

    private Spool spool() throws IOException {
        return new Spool(data.resolve("tasks"));
    }

    private static Task add(TaskStore store, int parts) throws IOException {
        return TestTasks.receiving(store, UUID.randomUUID().toString(), parts);
    }

    @Test
    void aSnapshotNeverChangesAndEveryChangeIsOnDiskFirst() throws Exception {
        Spool spool = spool();
        TaskStore store = new LocalTaskStore(spool, clock);
        Task created = add(store, 2);
        assertThat(spool.load(created.id).state).isEqualTo(TaskState.RECEIVING);

        Task after = store.change(created.id, d -> d.partReceived(0, 10, "ab"));
        assertThat(created.files.get(0).received).as("the snapshot a reader holds").isFalse();
        assertThat(after.files.get(0).received).isTrue();
        assertThat(store.get(created.id)).isSameAs(after);
        Task onDisk = spool.load(created.id);
        assertThat(onDisk.files.get(0).received).isTrue();
        assertThat(onDisk.updatedAt).isEqualTo(clock.millis());
        assertThat(onDisk.lastUploadAt).isEqualTo(clock.millis());
    }

    @Test
    void aChangeThatThrowsOrCannotBeSavedChangesNothing() throws Exception {
        Spool spool = spool();
        TaskStore store = new LocalTaskStore(spool, clock);
        Task t = add(store, 1);
        assertThatThrownBy(() -> store.change(t.id, d -> {
            d.partReceived(0, 10, "ab");
            throw new IOException("the commit failed");
        })).hasMessage("the commit failed");
        assertThat(store.get(t.id)).isSameAs(t);

        // task.json cannot be written: its folder's place is taken by a file
        Path dir = spool.dir(t.id);
        Spool.deleteTree(dir);
        Files.writeString(dir, "not a folder");
        assertThatThrownBy(() -> store.change(t.id, d -> d.partReceived(0, 10, "ab"))).isInstanceOf(IOException.class);
        assertThat(store.get(t.id)).as("no manual rollback: the snapshot was never replaced").isSameAs(t);
        assertThat(store.get(t.id).state).isEqualTo(TaskState.RECEIVING);

        // ...but a failure to record that work must wait is kept in memory (the disk that refuses may be why)
        Files.delete(dir);
        Files.createDirectories(dir.resolve("in"));
        store.change(t.id, d -> d.partReceived(0, 10, "ab"));
        Spool.deleteTree(dir);
        Files.writeString(dir, "not a folder");
        long pause = store.record(t.id, d -> d.waitForSpool("disk full", WAITS));
        assertThat(pause).isEqualTo(10_000);
        assertThat(store.get(t.id).nextAttemptAt).isEqualTo(clock.millis() + 10_000);
        assertThat(store.get(t.id).diskWaits).isEqualTo(1);
    }

    @Test
    void aChangeThatDoesNothingSavesNothing() throws Exception {
        Spool spool = spool();
        TaskStore store = new LocalTaskStore(spool, clock);
        Task t = add(store, 1);
        Files.delete(spool.dir(t.id).resolve("task.json"));
        boolean expired = store.update(t.id, d -> {
            if (d.state() != TaskState.QUEUED) {
                return false;
            }
            d.expire("never");
            return true;
        });
        assertThat(expired).isFalse();
        assertThat(spool.dir(t.id).resolve("task.json")).doesNotExist();
        assertThat(store.get(t.id)).isSameAs(t);
    }

    @Test
    void aDraftCannotBeUsedAfterItsChange() throws Exception {
        TaskStore store = new LocalTaskStore(spool(), clock);
        Task t = add(store, 2);
        TaskDraft[] leaked = new TaskDraft[1];
        store.change(t.id, d -> {
            leaked[0] = d;
            d.partReceived(0, 10, "ab");
        });
        Task kept = store.get(t.id);
        assertThatThrownBy(() -> leaked[0].partReceived(1, 10, "ab")).hasMessageContaining("after its change");
        assertThat(store.get(t.id)).isSameAs(kept);
        assertThat(kept.files.get(1).received).isFalse();
    }

    @Test
    void concurrentChangesOfOneTaskAreSerialised() throws Exception {
        Spool spool = spool();
        TaskStore store = new LocalTaskStore(spool, clock);
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
        assertThat(spool.load(t.id).publishAttempts).isEqualTo(threads * each);
    }

    @Test
    void aFinishedTaskIsKeptSlimAndNeverSavedAgain() throws Exception {
        Spool spool = spool();
        TaskStore store = new LocalTaskStore(spool, clock);
        Task t = add(store, 1);
        Task expired = store.change(t.id, d -> d.expire("quiet"));
        assertThat(expired.slim).isTrue();
        assertThat(expired.meta).isNull();
        assertThat(spool.load(t.id).meta).as("task.json keeps it all").isNotNull();
        assertThat(spool.load(t.id).finishedAt).isEqualTo(clock.millis());
        assertThatThrownBy(() -> store.change(t.id, d -> d.expire("again"))).isInstanceOf(IllegalStateException.class);
        assertThat(store.remove(t.id)).isSameAs(expired);
        assertThat(store.get(t.id)).isNull();

        Task working = add(store, 1);
        assertThatThrownBy(() -> store.remove(working.id)).hasMessageContaining("only finished tasks");
    }

    @Test
    void loadedTasksAreTheStoresOwn() throws Exception {
        Spool spool = spool();
        TaskStore first = new LocalTaskStore(spool, clock);
        Task t = add(first, 1);
        first.change(t.id, d -> d.expire("quiet"));
        List<Task> loaded = spool.all();
        LocalTaskStore second = new LocalTaskStore(spool, clock);
        second.load(loaded);
        assertThat(second.get(t.id)).isNotSameAs(loaded.get(0));
        assertThat(second.get(t.id).slim).as("finished: slim in memory").isTrue();
        assertThat(loaded.get(0).meta).as("the caller's list is untouched").isNotNull();
    }
}

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

/**
 * One worker's task store on a real spool: the contract, plus what only task.json does (a
 * failure to save is no change; a wait is kept in memory when the disk refuses it; loading).
 */
class LocalTaskStoreTest extends TaskStoreContract {
    @TempDir
    Path data;

    private Spool spool() throws IOException {
        return new Spool(data.resolve("tasks"));
    }

    @Override
    TaskStore store() throws IOException {
        return new LocalTaskStore(spool(), clock);
    }

    @Override
    Task durable(String id) throws IOException {
        return spool().load(id);
    }

    private static Task add(TaskStore store, int parts) throws IOException {
        return TestTasks.receiving(store, UUID.randomUUID().toString(), parts);
    }

    @Test
    void aChangeThatCannotBeSavedChangesNothing() throws Exception {
        Spool spool = spool();
        TaskStore store = new LocalTaskStore(spool, clock);
        Task t = add(store, 1);

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

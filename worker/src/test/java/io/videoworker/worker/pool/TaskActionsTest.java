package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.MovableClock;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.publish.LocalStorage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An administrator's actions on a running pool (real scheduler, spool, local storage; the
 * converter's outcomes given by the test): each one works from the states it is meant for, is
 * refused with a reason elsewhere, never while a turn works on the task, and is written down
 * with who asked.
 */
class TaskActionsTest {
    @TempDir
    Path data;

    private final MovableClock clock = new MovableClock();
    private final Deque<Integer> exits = new ArrayDeque<>();
    private final AtomicReference<IOException> storageDown = new AtomicReference<>();
    private volatile CountDownLatch holdRun;
    private TaskService service;
    private Spool spool;

    @BeforeEach
    void start() throws Exception {
        start(10);
    }

    private void start(int retryBaseSeconds) throws Exception {
        WorkerConfig config = WorkerConfig.load(null, Map.of("DATA_DIR", data.toString(), "VIDEO_WORKER_COUNT", "1",
                "VIDEO_WORKER_SPOOL_RESERVE_MB", "0", "VIDEO_WORKER_RETRY_BASE_SECONDS", String.valueOf(retryBaseSeconds)));
        spool = new Spool(config.tasksDir());
        LocalStorage local = new LocalStorage(config.replaysDir());
        StorageResolver storages = (sealed, log) -> {
            IOException down = storageDown.get();
            if (down != null) {
                throw down;
            }
            return new StorageResolver.Resolution(local, null);
        };
        service = new TaskService(config, spool, storages, SessionReporter.LOG_ONLY, () -> null, clock, this::convert);
        service.start();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private ConversionProcess.Outcome convert(Task t, TaskLog log, long minFree, IntConsumer progress) throws IOException,
            InterruptedException {
        CountDownLatch hold = holdRun;
        if (hold != null) {
            hold.await(30, TimeUnit.SECONDS);
        }
        int exit = exits.isEmpty() ? 0 : exits.poll();
        if (exit != 0) {
            return new ConversionProcess.Outcome(exit, null, "exit " + exit);
        }
        String mp4 = t.sessionId + ".0.part.mp4";
        Files.writeString(spool.outFile(t.id, mp4), "mp4 bytes");
        ObjectNode json = Spool.JSON.createObjectNode().put("bytes", 9).put("duration_ms", 2000).put("checked", true);
        json.putArray("files").addObject().put("name", mp4);
        Spool.JSON.writeValue(spool.outFile(t.id, t.sessionId + ".replay.json").toFile(), json);
        return new ConversionProcess.Outcome(0, json, null);
    }

    /** A G3 task of one part, uploaded through the service as Lion would. */
    private Task uploaded() throws Exception {
        String sid = UUID.randomUUID().toString();
        byte[] part = "a recording".getBytes();
        String sha = io.videoworker.worker.TestRecordings.sha256(part);
        Task t = service.createParts(sid, Spool.JSON.readTree(io.videoworker.worker.LionClient.taskBody(sid,
                java.util.List.<Object[]>of(new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, sha}))));
        UploadResult r = service.uploadPart(t.id, "0", sid + ".0.part.gz", new java.io.ByteArrayInputStream(part), part.length);
        assertThat(r.ok()).as(r.message()).isTrue();
        return service.get(t.id);
    }

    private Task await(String id, Predicate<Task> until) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Task t = service.get(id);
            if (until.test(t)) {
                return t;
            }
            assertThat(System.nanoTime()).as("task %s is still %s", id, t.state).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private String log(Task t) throws IOException {
        return Files.readString(spool.dir(t.id).resolve("task.log"));
    }

    @Test
    void publishNowSkipsTheWaitForTheNextAttempt() throws Exception {
        storageDown.set(new IOException("connection refused"));
        Task t = uploaded();
        Task waiting = await(t.id, x -> x.publishAttempts == 1);
        assertThat(waiting.nextAttemptAt - clock.millis()).as("the next attempt is seconds away").isGreaterThan(4_000);
        storageDown.set(null);
        service.actions().publishNow(t.id, "admin from 127.0.0.1");
        Task done = await(t.id, x -> x.state == TaskState.DONE);
        assertThat(done.storage).isEqualTo("local");
        assertThat(log(done)).contains("publish now, asked by admin from 127.0.0.1");
        assertThat(done.history).extracting(Task.StateChange::state).containsExactly(TaskState.RECEIVING, TaskState.QUEUED,
                TaskState.CONVERTING, TaskState.PUBLISHING, TaskState.DONE);
    }

    @Test
    void aPublishThatFailedForGoodStartsOverAndItsOriginalsKeepTheirMeta() throws Exception {
        service.close();
        start(1); // the retry after the day comes in a second
        exits.add(2); // bad input: the originals are to be published
        storageDown.set(new IOException("connection refused"));
        Task t = uploaded();
        await(t.id, x -> x.publishAttempts == 1);
        clock.advance(Duration.ofHours(25)); // the next attempt fails too: the task fails for good
        Task failed = await(t.id, x -> x.state == TaskState.FAILED);
        assertThat(failed.errorReason).isEqualTo("replay_upload_failed");
        assertThat(failed.slim).isTrue();

        storageDown.set(null);
        Task again = service.actions().publishNow(t.id, "admin");
        assertThat(again.state).isEqualTo(TaskState.PUBLISHING);
        assertThat(again.publishAttempts).as("a fresh retry period").isZero();
        Task published = await(t.id, x -> x.finishedAt > 0 && x.state.finished());
        assertThat(published.state).as("the originals, published: a failed conversion").isEqualTo(TaskState.FAILED);
        assertThat(published.errorReason).isEqualTo("replay_convert_failed");
        assertThat(published.published).hasSize(2);
        Path replayJson = data.resolve("replays").resolve(published.published.get(1));
        assertThat(Spool.JSON.readTree(replayJson.toFile()).path("user").asText())
                .as("read whole from task.json: the slim task had no meta").isEqualTo("Administrator(admin)");
    }

    @Test
    void convertAgainRunsFromTheRecordingInTheSpool() throws Exception {
        exits.add(2);
        storageDown.set(new IOException("connection refused"));
        Task t = uploaded();
        Task failing = await(t.id, x -> x.publishAttempts == 1);
        assertThat(failing.publishesOriginals()).isTrue();
        storageDown.set(null);
        Task queued = service.actions().convertAgain(t.id, "admin");
        assertThat(queued.attempts).isZero();
        assertThat(queued.errorReason).isNull();
        Task done = await(t.id, x -> x.state == TaskState.DONE);
        assertThat(done.published).allMatch(k -> k.endsWith(".part.mp4") || k.endsWith(".replay.json"));
        assertThat(done.attempts).isEqualTo(1);
        assertThat(log(done)).contains("convert again, asked by admin");

        assertThatThrownBy(() -> service.actions().convertAgain(t.id, "admin")).isInstanceOf(TaskException.class)
                .hasMessageContaining("is done").hasMessageContaining("in storage already")
                .satisfies(e -> assertThat(((TaskException) e).status()).isEqualTo(409));
    }

    @Test
    void publishTheOriginalsOfATaskWaitingForDiskSpace() throws Exception {
        exits.add(3);
        Task t = uploaded();
        Task paused = await(t.id, x -> x.diskWaits == 1);
        assertThat(paused.state).isEqualTo(TaskState.QUEUED);
        service.actions().publishOriginals(t.id, "admin");
        Task published = await(t.id, x -> x.state.finished());
        assertThat(published.state).isEqualTo(TaskState.FAILED);
        assertThat(published.errorReason).isEqualTo("replay_convert_failed");
        assertThat(published.error).isEqualTo("the original recording is published instead, as asked by admin");
        assertThat(published.published.get(0)).endsWith(".0.part.gz");
    }

    @Test
    void noActionWhileATurnWorksOnTheTask() throws Exception {
        holdRun = new CountDownLatch(1);
        Task t = uploaded();
        await(t.id, x -> x.state == TaskState.CONVERTING);
        assertThatThrownBy(() -> service.actions().publishOriginals(t.id, "admin")).isInstanceOf(TaskException.class)
                .hasMessageContaining("being worked on right now");
        assertThat(service.get(t.id).state).isEqualTo(TaskState.CONVERTING);
        holdRun.countDown();
        assertThat(await(t.id, x -> x.state.finished()).state).isEqualTo(TaskState.DONE);
    }

    @Test
    void deleteTakesOnlyAFinishedTask() throws Exception {
        holdRun = new CountDownLatch(1);
        Task t = uploaded();
        assertThatThrownBy(() -> service.actions().delete(t.id, "admin")).isInstanceOf(TaskException.class)
                .hasMessageContaining("only a finished task");
        holdRun.countDown();
        await(t.id, x -> x.state == TaskState.DONE);
        service.actions().delete(t.id, "admin");
        assertThat(service.get(t.id)).isNull();
        assertThat(spool.dir(t.id)).doesNotExist();
        assertThatThrownBy(() -> service.actions().delete(t.id, "admin")).isInstanceOf(TaskException.class)
                .satisfies(e -> assertThat(((TaskException) e).status()).isEqualTo(404));
    }
}

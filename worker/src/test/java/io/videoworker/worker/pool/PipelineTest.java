package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.MovableClock;
import io.videoworker.worker.publish.LocalStorage;
import io.videoworker.worker.publish.ReplayStorage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.Backoff;
import io.videoworker.worker.task.TaskDraft;
import io.videoworker.worker.task.LocalTaskStore;
import io.videoworker.worker.task.TaskStore;
import io.videoworker.worker.task.TestTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's turns through the pool, one at a time and in the test's thread, on a real spool and
 * a real local storage, with the converter's outcomes and core's failures given by the test and
 * time moved by it. Every working state is left on failure: retried, or failed visibly.
 */
class PipelineTest {
    private static final Duration BASE = Duration.ofSeconds(10);

    @TempDir
    Path data;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-06T10:00:00Z"));
    /** What the converter does next: an exit code, or a thrown exception; exit 0 writes a result. */
    private final Deque<Object> runs = new ArrayDeque<>();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<String> coreNotReady = new AtomicReference<>();
    private final AtomicReference<IOException> storageDown = new AtomicReference<>();
    private final AtomicReference<RuntimeException> reporterBug = new AtomicReference<>();
    private final AtomicReference<IOException> coreRefusesUpdate = new AtomicReference<>();
    private final AtomicInteger puts = new AtomicInteger();
    private Spool spool;
    private TaskStore store;
    private Pipeline pipeline;

    @BeforeEach
    void pool() throws IOException {
        spool = new Spool(data.resolve("tasks"));
        store = new LocalTaskStore(spool, clock);
        Backoff waits = new Backoff(BASE, Duration.ofMinutes(5));
        ConvertStep convert = new ConvertStep(store, this::convert, reporter(), spool.root(), 0, waits);
        PublishStep publish = new PublishStep(store, spool, storage(), reporter(), coreNotReady::get, BASE, Duration.ofHours(24),
                new Backoff(BASE, Duration.ofMinutes(30)));
        pipeline = new Pipeline(store, spool, convert, publish, waits);
    }

    // ---- what the test controls --------------------------------------------------------------

    private ConversionProcess.Outcome convert(Task t, TaskLog log, long minFree, java.util.function.IntConsumer progress)
            throws IOException {
        Object next = runs.isEmpty() ? 0 : runs.poll();
        if (next instanceof IOException e) {
            throw e;
        }
        if (next instanceof RuntimeException e) {
            throw e;
        }
        if (next instanceof ConversionProcess.Outcome o) {
            return o;
        }
        int exit = (Integer) next;
        progress.accept(50);
        assertThat(store.get(t.id).progress).as("progress is shown while it runs").isEqualTo(50);
        if (exit != 0) {
            return new ConversionProcess.Outcome(exit, null, "exit " + exit);
        }
        String mp4 = t.sessionId + ".0.part.mp4";
        Files.writeString(spool.outFile(t.id, mp4), "mp4 bytes");
        ObjectNode json = Spool.JSON.createObjectNode().put("checked", true);
        json.putArray("files").addObject().put("name", mp4);
        Spool.JSON.writeValue(spool.outFile(t.id, t.sessionId + ".replay.json").toFile(), json);
        return new ConversionProcess.Outcome(0, json, null);
    }

    private StorageResolver storage() {
        LocalStorage local = new LocalStorage(data.resolve("replays"));
        ReplayStorage counted = new ReplayStorage() {
            @Override
            public void put(String key, Path file) throws IOException {
                puts.incrementAndGet();
                local.put(key, file);
            }

            @Override
            public void delete(String key) throws IOException {
                local.delete(key);
            }

            @Override
            public long sizeOf(String key) throws IOException {
                return local.sizeOf(key);
            }

            @Override
            public String describe() {
                return local.describe();
            }

            @Override
            public String type() {
                return local.type();
            }
        };
        return (sealedBefore, log) -> {
            IOException down = storageDown.get();
            if (down != null) {
                throw down;
            }
            return new StorageResolver.Resolution(counted, null);
        };
    }

    private SessionReporter reporter() {
        return new SessionReporter() {
            @Override
            public void event(Task task, String event, String reason, TaskLog log) {
                RuntimeException bug = reporterBug.get();
                if (bug != null && event.equals("replay_convert_start")) {
                    throw bug;
                }
                events.add(event);
            }

            @Override
            public void published(Task task, TaskLog log) throws IOException {
                IOException refused = coreRefusesUpdate.get();
                if (refused != null) {
                    throw refused;
                }
                events.add("published");
            }

            @Override
            public void publishFailed(Task task, TaskLog log) {
                events.add("publish_failed");
            }

            @Override
            public String sessionDay(Task task, TaskLog log) {
                return "2025-11-18";
            }
        };
    }

    /** A G3 task of one part, received and queued, as Admission leaves it. */
    private Task queued() throws IOException {
        return TestTasks.receive(store, spool, TestTasks.receiving(store, UUID.randomUUID().toString(), 1), 0);
    }

    private Task turn(Task t) throws InterruptedException {
        Task left = pipeline.take(t.id);
        Task now = store.get(t.id);
        assertThat(left == null).as("a turn hands back what is left to do, and only that").isEqualTo(now.state.finished());
        return now;
    }

    private Task onDisk(Task t) throws IOException {
        return spool.load(t.id);
    }

    // ---- the happy path ----------------------------------------------------------------------------

    @Test
    void queuedToDoneInOneTurn() throws Exception {
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.DONE);
        assertThat(t.attempts).isEqualTo(1);
        assertThat(t.progress).isEqualTo(100);
        assertThat(t.published).containsExactly("2026-12-06/" + t.sessionId + "/" + t.sessionId + ".0.part.mp4",
                "2026-12-06/" + t.sessionId + "/" + t.sessionId + ".replay.json");
        assertThat(events).containsExactly("replay_convert_start", "replay_convert_success", "replay_upload_start",
                "replay_upload_success", "published");
        assertThat(spool.in(t.id)).doesNotExist();
        assertThat(onDisk(t).state).isEqualTo(TaskState.DONE);
        assertThat(onDisk(t).finishedAt).isEqualTo(clock.millis());
        assertThat(t.slim).isTrue();
    }

    @Test
    void noTurnForATaskThatIsNotAtWork() throws Exception {
        TaskDraft d = store.draft(UUID.randomUUID().toString(), Task.Kind.SINGLE);
        d.describeSingle("lion", ".gz", "2026-12-06", 0, 0, 0);
        Task receiving = store.add(d);
        assertThat(pipeline.take(receiving.id)).isNull();
        assertThat(store.get(receiving.id)).isSameAs(receiving);
        Task done = turn(queued());
        assertThat(pipeline.take(done.id)).isNull();
        assertThat(runs).isEmpty();
    }

    // ---- converting, on failure ----------------------------------------------------------------

    @Test
    void aFailedRunRunsOnceMoreThenTheOriginalsArePublished() throws Exception {
        runs.add(1);
        runs.add(1);
        Task t = turn(queued());
        assertThat(t.state).as("run again at once").isEqualTo(TaskState.CONVERTING);
        assertThat(t.attempts).isEqualTo(1);
        assertThat(t.nextAttemptAt).isZero();
        t = turn(t);
        assertThat(t.state).isEqualTo(TaskState.FAILED);
        assertThat(t.attempts).isEqualTo(2);
        assertThat(t.errorReason).isEqualTo("replay_convert_failed");
        assertThat(t.error).isEqualTo("exit 1");
        assertThat(t.published).containsExactly("2026-12-06/" + t.sessionId + "/" + t.sessionId + ".0.part.gz",
                "2026-12-06/" + t.sessionId + "/" + t.sessionId + ".replay.json");
        assertThat(events).containsSubsequence("replay_convert_start", "replay_convert_start", "replay_convert_failure",
                "replay_upload_success", "published");
    }

    @Test
    void aResultTheConverterDidNotCheckIsNeverPublished() throws Exception {
        ObjectNode unchecked = Spool.JSON.createObjectNode().put("bytes", 9);
        runs.add(new ConversionProcess.Outcome(0, unchecked, ""));
        runs.add(new ConversionProcess.Outcome(0, unchecked, ""));
        Task t = turn(turn(queued()));
        assertThat(t.state).isEqualTo(TaskState.FAILED);
        assertThat(t.error).isEqualTo("the converter did not say it checked its MP4s");
        assertThat(t.published).allMatch(k -> !k.endsWith(".mp4"));
    }

    @Test
    void badInputPublishesTheOriginalsAtOnce() throws Exception {
        runs.add(2);
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.FAILED);
        assertThat(t.attempts).isEqualTo(1);
        assertThat(t.errorReason).isEqualTo("replay_convert_failed");
    }

    @Test
    void aFullDiskPausesUncountedUntilTheVideoIsSeenNotToFit() throws Exception {
        Task t = queued();
        for (int run = 1; run <= ConvertStep.MAX_OUT_OF_ROOM_RUNS - 1; run++) {
            runs.add(3);
            t = turn(t);
            assertThat(t.state).isEqualTo(TaskState.QUEUED);
            assertThat(t.attempts).as("the disk's fault is not counted").isZero();
            assertThat(t.outOfRoomRuns).isEqualTo(run);
            assertThat(t.diskWaits).isEqualTo(run);
            assertThat(t.nextAttemptAt).isEqualTo(clock.millis() + BASE.toMillis() * (1L << (run - 1)));
            assertThat(onDisk(t).state).as("saved: a restart waits the same way").isEqualTo(TaskState.QUEUED);
        }
        runs.add(3);
        t = turn(t);
        assertThat(t.state).isEqualTo(TaskState.FAILED);
        assertThat(t.error).startsWith("the video does not fit on this disk: 3 runs stopped");
        assertThat(t.attempts).as("still the disk's fault, not the recording's").isZero();
        assertThat(t.published).hasSize(2).allMatch(k -> k.endsWith(".part.gz") || k.endsWith(".replay.json"));
    }

    @Test
    void aRunStoppedAtTheFloorAfterWritingLittleIsNotChargedForTheDisk() throws Exception {
        // another video filled the disk: this one had written 64 KiB when it reached the floor
        runs.add(new ConversionProcess.Outcome(3, Spool.JSON.createObjectNode().put("stopped", "disk_reserve")
                .put("written_bytes", 65_536), "not enough disk space: stopped writing"));
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.QUEUED);
        assertThat(t.outOfRoomRuns).isZero();
        assertThat(t.diskWaits).isEqualTo(1);
        assertThat(t.lastConvertError).isEqualTo("not enough disk space: stopped writing");
    }

    @Test
    void aRunThatCannotStartPausesUncounted() throws Exception {
        runs.add(new IOException("No space left on device"));
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.QUEUED);
        assertThat(t.attempts).isZero();
        assertThat(t.lastConvertError).isEqualTo("not enough disk space: No space left on device");
        assertThat(t.nextAttemptAt).isEqualTo(clock.millis() + BASE.toMillis());
        assertThat(turn(t).state).as("the next turn converts").isEqualTo(TaskState.DONE);
    }

    @Test
    void anHourOfWaitingForSpaceInAllPublishesTheOriginalsWithoutARun() throws Exception {
        Task t = queued();
        for (int i = 0; i < 16; i++) { // 10 + 20 + 40 + 80 + 160 + 11 × 300 s
            store.change(t.id, d -> d.waitForSpool("not enough disk space", new Backoff(BASE, Duration.ofMinutes(5))));
        }
        runs.add(new AssertionError("no run may start"));
        t = turn(t);
        assertThat(t.state).isEqualTo(TaskState.FAILED);
        assertThat(t.error).isEqualTo("not enough disk space to convert: waited 60 minutes in all over 16 pauses"
                + " (last: not enough disk space)");
        assertThat(t.attempts).isZero();
        assertThat(events).startsWith("replay_convert_failure");
    }

    @Test
    void aBugWhileConvertingIsRetriedTwiceThenFailsTheTaskVisibly() throws Exception {
        reporterBug.set(new IllegalStateException("a bug in the reporter"));
        Task t = queued();
        for (int n = 1; n < Pipeline.INTERNAL_ERROR_TRIES; n++) {
            t = turn(t);
            assertThat(t.state).as("never left converting").isEqualTo(TaskState.QUEUED);
            assertThat(t.internalErrors).isEqualTo(n);
            assertThat(t.nextAttemptAt).isEqualTo(clock.millis() + BASE.toMillis() * (1L << (n - 1)));
        }
        t = turn(t);
        assertThat(t.state).isEqualTo(TaskState.FAILED);
        assertThat(t.error).isEqualTo("internal error, given up after 3 tries: java.lang.IllegalStateException: a bug in the reporter");
        assertThat(onDisk(t).state).isEqualTo(TaskState.FAILED);
        assertThat(spool.inFile(t.id, t.files.get(0).name)).as("its files are kept").exists();
    }

    @Test
    void aBugInTheConverterItselfIsAnInternalErrorToo() throws Exception {
        runs.add(new IllegalArgumentException("a bug in the runner"));
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.QUEUED);
        assertThat(t.internalErrors).isEqualTo(1);
        assertThat(t.attempts).as("the run started, and counts").isEqualTo(1);
        assertThat(turn(t).state).isEqualTo(TaskState.DONE);
    }

    // ---- publishing, on failure ------------------------------------------------------------

    @Test
    void publishingWaitsForCoreUncounted() throws Exception {
        coreNotReady.set("not registered with core yet");
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.PUBLISHING);
        assertThat(t.publishAttempts).isZero();
        assertThat(t.lastPublishError).isEqualTo("not registered with core yet");
        assertThat(t.nextAttemptAt).isEqualTo(clock.millis() + BASE.toMillis());
        assertThat(puts).hasValue(0);
        coreNotReady.set(null);
        assertThat(turn(t).state).isEqualTo(TaskState.DONE);
    }

    @Test
    void aStorageDownIsRetriedForThePeriodThenTheTaskFailsWithItsFilesKept() throws Exception {
        storageDown.set(new IOException("connection refused"));
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.PUBLISHING);
        assertThat(t.publishAttempts).isEqualTo(1);
        assertThat(t.firstPublishFailureAt).isEqualTo(clock.millis());
        assertThat(t.nextAttemptAt - clock.millis()).isBetween(5_000L, 10_000L);
        assertThat(onDisk(t).publishAttempts).isEqualTo(1);
        clock.advance(Duration.ofHours(25));
        t = turn(t);
        assertThat(t.state).isEqualTo(TaskState.FAILED);
        assertThat(t.errorReason).isEqualTo("replay_upload_failed");
        assertThat(t.error).isEqualTo("publishing failed for 24 h: connection refused");
        assertThat(events).endsWith("replay_upload_failure", "publish_failed");
        assertThat(spool.out(t.id)).as("kept until the clean period").isDirectory();
    }

    @Test
    void coreRefusingTheUpdateRetriesOnlyTheUpdateNeverTheUpload() throws Exception {
        coreRefusesUpdate.set(new IOException("core said 502"));
        Task t = turn(queued());
        assertThat(t.state).isEqualTo(TaskState.PUBLISHING);
        assertThat(t.uploadDone).isTrue();
        assertThat(onDisk(t).uploadDone).as("saved before core is told").isTrue();
        assertThat(t.publishAttempts).isEqualTo(1);
        int uploaded = puts.get();
        coreRefusesUpdate.set(null);
        t = turn(t);
        assertThat(t.state).isEqualTo(TaskState.DONE);
        assertThat(puts).as("no object is put twice").hasValue(uploaded);
        assertThat(events).containsOnlyOnce("replay_upload_success").endsWith("published");
    }

    @Test
    void aStorageThatThrowsABugCountsAsAFailedAttempt() throws Exception {
        Task t = queued();
        storageDown.set(null);
        PublishStep buggy = new PublishStep(store, spool, (sealed, log) -> {
            throw new NullPointerException("a bug in the resolver");
        }, reporter(), coreNotReady::get, BASE, Duration.ofHours(24), new Backoff(BASE, Duration.ofMinutes(30)));
        Pipeline p = new Pipeline(store, spool, new ConvertStep(store, this::convert, reporter(), spool.root(), 0,
                new Backoff(BASE, Duration.ofMinutes(5))), buggy, new Backoff(BASE, Duration.ofMinutes(5)));
        p.take(t.id);
        t = store.get(t.id);
        assertThat(t.state).isEqualTo(TaskState.PUBLISHING);
        assertThat(t.publishAttempts).isEqualTo(1);
        assertThat(t.lastPublishError).isEqualTo("a bug in the resolver");
        assertThat(t.nextAttemptAt).isGreaterThan(clock.millis());
    }
}

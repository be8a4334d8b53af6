package io.videoworker.worker.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The task lifecycle as a table: every transition tried from every state. From a state it may
 * leave, it lands where the table says; from any other, it is refused and the task is unchanged.
 * No I/O, no threads: the whole table runs in milliseconds.
 */
class TaskDraftTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final Backoff WAITS = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));
    private static final Duration DAY = Duration.ofHours(24);

    /** A transition, the states it may leave, and where it goes from each (for the task {@link #in} makes). */
    private record Row(String name, Consumer<TaskDraft> apply, Map<TaskState, TaskState> to) {
    }

    private static Map<TaskState, TaskState> from(Object... pairs) {
        Map<TaskState, TaskState> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((TaskState) pairs[i], (TaskState) pairs[i + 1]);
        }
        return m;
    }

    private static final TaskState R = TaskState.RECEIVING;
    private static final TaskState Q = TaskState.QUEUED;
    private static final TaskState C = TaskState.CONVERTING;
    private static final TaskState P = TaskState.PUBLISHING;
    private static final TaskState D = TaskState.DONE;
    private static final TaskState F = TaskState.FAILED;
    private static final TaskState E = TaskState.EXPIRED;

    private static final List<Row> TABLE = List.of(
            new Row("last part received", d -> d.partReceived(1, 10, "ab"), from(R, Q)),
            new Row("expire", d -> d.expire("quiet"), from(R, E)),
            new Row("start conversion", TaskDraft::startConversion, from(Q, C, C, C)),
            new Row("progress", d -> d.progress(40), from(C, C)),
            new Row("converted", d -> d.converted(1000, 30_000), from(C, P)),
            new Row("conversion failed, run again", d -> d.conversionFailed("crash", true, 2), from(C, C)),
            new Row("conversion failed, bad input", d -> d.conversionFailed("bad", false, 2), from(C, P)),
            new Row("ran out of room", TaskDraft::ranOutOfRoom, from(C, C)),
            new Row("wait for the spool", d -> d.waitForSpool("disk full", WAITS), from(Q, Q, C, Q, P, P)),
            new Row("give up converting", d -> d.giveUpConverting("waited an hour"), from(Q, P, C, P)),
            new Row("publish waits", d -> d.publishWaits("core down", NOW + 10_000), from(P, P)),
            new Row("storage resolved", d -> d.storageResolved("s3", "v1:sealed"), from(P, P)),
            new Row("uploaded", d -> d.uploaded("local", List.of("k"), 5, null), from(P, P)),
            new Row("publish failed", d -> d.publishFailed("503", DAY, WAITS), from(P, P)),
            new Row("internal error", d -> d.internalError("NPE", 3, WAITS), from(Q, Q, C, Q, P, P)),
            new Row("publish now (administrator)", d -> d.publishNow("admin"), from(P, P)),
            new Row("convert again (administrator)", d -> d.convertAgain("admin"), from(Q, Q, P, Q, F, Q)),
            new Row("publish the originals (administrator)", d -> d.publishOriginalsNow("admin"), from(Q, P, P, P, F, P)));

    /** A task of two parts (the first received) in {@code state}, as the lifecycle would have left it there. */
    private static Task in(TaskState state) {
        Task t = new Task();
        t.id = "8d0e3c7a-1111-4222-8333-944455556666";
        t.sessionId = "2b1f0c3e-aaaa-4bbb-8ccc-ddddeeeeffff";
        t.kind = Task.Kind.PARTS;
        t.state = state;
        t.createdAt = NOW - 60_000;
        for (int i = 0; i < 2; i++) {
            PartFile f = new PartFile();
            f.name = t.sessionId + "." + i + ".part.gz";
            f.checksum = "ab";
            f.received = i == 0 || state != TaskState.RECEIVING;
            t.files.add(f);
        }
        if (state == TaskState.CONVERTING) {
            t.attempts = 1;
        }
        if (state.finished()) {
            t.finishedAt = NOW - 1000;
        }
        return t;
    }

    static Stream<Arguments> everyTransitionFromEveryState() {
        List<Arguments> all = new ArrayList<>();
        for (Row row : TABLE) {
            for (TaskState s : TaskState.values()) {
                all.add(Arguments.of(row.name(), s));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource
    void everyTransitionFromEveryState(String name, TaskState state) throws Exception {
        Row row = TABLE.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        Task before = in(state);
        String json = Spool.JSON.writeValueAsString(before);
        TaskDraft d = new TaskDraft(before.copy(), NOW);
        if (row.to().containsKey(state)) {
            row.apply().accept(d);
            assertThat(d.state()).isEqualTo(row.to().get(state));
            assertThat(d.weight()).as("a transition is kept").isNotEqualTo(TaskDraft.Weight.NONE);
        } else {
            assertThatThrownBy(() -> row.apply().accept(d)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(state.json());
            assertThat(Spool.JSON.writeValueAsString(d.task())).as("a refused transition changes nothing").isEqualTo(json);
            assertThat(d.weight()).isEqualTo(TaskDraft.Weight.NONE);
        }
    }

    @Test
    void finishedStatesAreLeftOnlyByAnAdministrator() {
        Set<TaskState> finished = EnumSet.of(D, F, E);
        for (Row row : TABLE) {
            if (!row.name().contains("administrator")) {
                assertThat(row.to().keySet()).as(row.name()).doesNotContainAnyElementsOf(finished);
            }
        }
        assertThat(TABLE.stream().flatMap(r -> r.to().keySet().stream()).distinct())
                .as("every working state has a way out on failure").contains(R, Q, C, P);
    }

    private static TaskDraft draft(TaskState state, Consumer<Task> also) {
        Task t = in(state);
        also.accept(t);
        return new TaskDraft(t, NOW);
    }

    @Test
    void receivingQueuesOnlyWithTheLastPart() {
        TaskDraft d = draft(R, t -> t.files.get(0).received = false);
        assertThat(d.partReceived(0, 10, "ab")).isFalse();
        assertThat(d.state()).isEqualTo(R);
        assertThat(d.task().lastUploadAt).isEqualTo(NOW);
        assertThat(d.partReceived(1, 10, "ab")).isTrue();
        assertThat(d.state()).isEqualTo(Q);
        assertThat(d.task().queuedAt).isEqualTo(NOW);
        assertThatThrownBy(() -> draft(R, t -> { }).partReceived(0, 10, "ab"))
                .as("an accepted part is never received again").hasMessageContaining("received already");
    }

    @Test
    void aRunCountsUnlessTheSpoolStoppedIt() {
        TaskDraft d = draft(Q, t -> { });
        d.startConversion();
        assertThat(d.task().attempts).isEqualTo(1);
        assertThat(d.conversionFailed("crash", true, 2)).as("first failure: run again").isFalse();
        d.startConversion();
        assertThat(d.conversionFailed("crash", true, 2)).as("second: the originals").isTrue();
        assertThat(d.state()).isEqualTo(P);
        assertThat(d.task().errorReason).isEqualTo("replay_convert_failed");
        assertThat(d.task().error).isEqualTo("crash");

        TaskDraft paused = draft(Q, t -> { });
        paused.startConversion();
        long pause = paused.waitForSpool("disk full", WAITS);
        assertThat(paused.task().attempts).as("the disk's fault is not counted").isZero();
        assertThat(pause).isEqualTo(10_000);
        assertThat(paused.task().nextAttemptAt).isEqualTo(NOW + 10_000);
        assertThat(paused.task().diskWaits).isEqualTo(1);
        assertThat(paused.task().lastConvertError).isEqualTo("disk full");
        assertThat(paused.waitForSpool("disk full", WAITS)).as("backoff").isEqualTo(20_000);
    }

    @Test
    void publishingRetriesForThePeriodThenFails() {
        TaskDraft d = draft(P, t -> { });
        assertThat(d.publishFailed("503", DAY, WAITS)).isFalse();
        assertThat(d.task().publishAttempts).isEqualTo(1);
        assertThat(d.task().firstPublishFailureAt).isEqualTo(NOW);
        assertThat(d.task().nextAttemptAt).isBetween(NOW + 5_000, NOW + 10_000);
        assertThat(d.state()).isEqualTo(P);

        TaskDraft late = draft(P, t -> t.firstPublishFailureAt = NOW - DAY.toMillis());
        assertThat(late.publishFailed("503", DAY, WAITS)).isTrue();
        assertThat(late.state()).isEqualTo(F);
        assertThat(late.task().errorReason).isEqualTo("replay_upload_failed");
        assertThat(late.task().error).isEqualTo("publishing failed for 24 h: 503");
        assertThat(late.task().finishedAt).isEqualTo(NOW);
        assertThat(late.task().nextAttemptAt).isZero();
    }

    @Test
    void publishedIsDoneOrFailedByWhatWasPublished() {
        assertThatThrownBy(() -> draft(P, t -> { }).published()).hasMessageContaining("before its upload");
        TaskDraft converted = draft(P, t -> { });
        converted.uploaded("s3", List.of("a", "b"), 7, "left out: x");
        assertThatThrownBy(() -> converted.uploaded("s3", List.of(), 0, null)).hasMessageContaining("uploaded twice");
        converted.published();
        assertThat(converted.state()).isEqualTo(D);
        assertThat(converted.task().published).containsExactly("a", "b");
        assertThat(converted.task().error).isEqualTo("left out: x");

        TaskDraft originals = draft(P, t -> t.errorReason = "replay_convert_failed");
        originals.uploaded("s3", List.of("a"), 7, null);
        originals.published();
        assertThat(originals.state()).as("the originals are a failed conversion, published").isEqualTo(F);
    }

    @Test
    void anInternalErrorIsRetriedTwiceThenFailsVisibly() {
        TaskDraft d = draft(C, t -> { });
        assertThat(d.internalError("NPE", 3, WAITS)).isFalse();
        assertThat(d.state()).as("converting starts over from the queue").isEqualTo(Q);
        assertThat(d.task().nextAttemptAt).isEqualTo(NOW + 10_000);
        assertThat(d.internalError("NPE", 3, WAITS)).isFalse();
        assertThat(d.task().nextAttemptAt).isEqualTo(NOW + 20_000);
        assertThat(d.internalError("NPE", 3, WAITS)).isTrue();
        assertThat(d.state()).isEqualTo(F);
        assertThat(d.task().error).isEqualTo("internal error, given up after 3 tries: NPE");
        assertThat(d.task().errorReason).isEqualTo("replay_convert_failed");

        TaskDraft afterUpload = draft(P, t -> {
            t.uploadDone = true;
            t.internalErrors = 2;
        });
        afterUpload.internalError("NPE", 3, WAITS);
        assertThat(afterUpload.task().errorReason).isEqualTo("replay_upload_failed");
    }

    @Test
    void progressAndWaitingForCoreAreNotWorthSaving() {
        TaskDraft d = draft(C, t -> { });
        d.progress(30);
        assertThat(d.weight()).isEqualTo(TaskDraft.Weight.MEMORY);
        TaskDraft p = draft(P, t -> { });
        p.publishWaits("core down", NOW + 5);
        p.storageResolved("s3", "v1:x");
        assertThat(p.weight()).isEqualTo(TaskDraft.Weight.MEMORY);
        p.storageResolved("s3", "v1:x");
        assertThat(p.task().storageConfigSealed).isEqualTo("v1:x");
    }

    @Test
    void aSealedDraftRefusesEverything() {
        TaskDraft d = draft(Q, t -> { });
        d.seal();
        assertThatThrownBy(d::startConversion).hasMessageContaining("after its change");
        assertThat(d.state()).isEqualTo(Q);
    }
}

package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.MovableClock;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.TaskDraft;
import io.videoworker.worker.task.LocalTaskStore;
import io.videoworker.worker.task.TaskStore;
import io.videoworker.worker.task.TestTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool over time, in milliseconds: receiving's way out (expiry), cleanup, and recovery at start-up. */
class HousekeepingTest {
    private static final Duration EXPIRY = Duration.ofMinutes(60);

    @TempDir
    Path data;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private Spool spool;
    private TaskStore store;
    private Housekeeping housekeeping;

    @BeforeEach
    void spool() throws IOException {
        spool = new Spool(data.resolve("tasks"));
        store = new LocalTaskStore(spool, clock);
        housekeeping = new Housekeeping(store, spool, EXPIRY, 7);
    }

    private Task receiving(String sessionId, int parts) throws IOException {
        return TestTasks.receiving(store, sessionId, parts);
    }

    private Task receivePart(Task t, int index) throws IOException {
        return TestTasks.receive(store, spool, t, index);
    }

    @Test
    void aTaskQuietForTheExpiryIsExpiredWithItsFilesAndOneStillReceivingIsNot() throws Exception {
        Task quiet = receivePart(receiving(UUID.randomUUID().toString(), 2), 0);
        clock.advance(Duration.ofMinutes(50));
        Task busy = receivePart(receiving(UUID.randomUUID().toString(), 3), 0);
        clock.advance(Duration.ofMinutes(11));
        busy = receivePart(busy, 1);
        housekeeping.expire(clock.millis());

        Task expired = store.get(quiet.id);
        assertThat(expired.state).isEqualTo(TaskState.EXPIRED);
        assertThat(expired.error).isEqualTo("no part arrived for 60 minutes");
        assertThat(expired.finishedAt).isEqualTo(clock.millis());
        assertThat(spool.in(quiet.id)).as("nothing is published: the sender keeps its originals").doesNotExist();
        assertThat(spool.load(quiet.id).state).isEqualTo(TaskState.EXPIRED);
        assertThat(store.get(busy.id).state).isEqualTo(TaskState.RECEIVING);
        assertThat(Files.readString(spool.dir(quiet.id).resolve("task.log"))).contains("expired: no part arrived for 60 minutes");
    }

    @Test
    void onlyReceivingTasksExpire() throws Exception {
        Task queued = receivePart(receiving(UUID.randomUUID().toString(), 1), 0);
        assertThat(queued.state).isEqualTo(TaskState.QUEUED);
        clock.advance(Duration.ofDays(2));
        housekeeping.expire(clock.millis());
        assertThat(store.get(queued.id)).isSameAs(queued);
    }

    @Test
    void theNewestTaskOfASessionSupersedesAnOlderOneStillReceiving() throws Exception {
        String sid = UUID.randomUUID().toString();
        Task older = receiving(sid, 2);
        Task newer = receiving(sid, 2);
        housekeeping.supersede(older, newer);
        assertThat(store.get(older.id).state).isEqualTo(TaskState.EXPIRED);
        assertThat(store.get(older.id).error).isEqualTo("superseded by task " + newer.id + " for the same session");
        Task done = receivePart(receiving(UUID.randomUUID().toString(), 1), 0);
        housekeeping.supersede(done, newer);
        assertThat(store.get(done.id).state).as("only a receiving task is superseded").isEqualTo(TaskState.QUEUED);
    }

    @Test
    void finishedTasksGoAfterTheCleanPeriodAndNothingElseDoes() throws Exception {
        Task old = receiving(UUID.randomUUID().toString(), 1);
        store.change(old.id, d -> d.expire("quiet"));
        Task working = receivePart(receiving(UUID.randomUUID().toString(), 1), 0);
        clock.advance(Duration.ofDays(6));
        Task young = receiving(UUID.randomUUID().toString(), 1);
        store.change(young.id, d -> d.expire("quiet"));
        housekeeping.clean(clock.millis());
        assertThat(store.get(old.id)).as("6 days: kept").isNotNull();
        clock.advance(Duration.ofDays(2));
        housekeeping.clean(clock.millis());
        assertThat(store.get(old.id)).isNull();
        assertThat(spool.dir(old.id)).doesNotExist();
        assertThat(store.get(young.id)).isNotNull();
        assertThat(store.get(working.id).state).as("unfinished work is never cleaned").isEqualTo(TaskState.QUEUED);
    }

    @Test
    void recoveryResumesWorkAtItsStageAndKeepsFinishedTasksSlim() throws Exception {
        Task queued = receivePart(receiving(UUID.randomUUID().toString(), 1), 0);
        Task converting = store.change(receivePart(receiving(UUID.randomUUID().toString(), 1), 0).id, TaskDraft::startConversion);
        Task receivingOne = receiving(UUID.randomUUID().toString(), 2);
        Task expired = receiving(UUID.randomUUID().toString(), 1);
        store.change(expired.id, d -> d.expire("quiet"));
        Files.writeString(spool.in(receivingOne.id).resolve(".x.part.gz.uploading"), "half an upload");

        LocalTaskStore restarted = new LocalTaskStore(spool, clock);
        List<Task> resume = new Housekeeping(restarted, spool, EXPIRY, 7).recover(restarted);
        assertThat(resume).extracting(t -> t.id).containsExactlyInAnyOrder(queued.id, converting.id);
        assertThat(restarted.get(expired.id).slim).isTrue();
        assertThat(restarted.get(receivingOne.id).state).isEqualTo(TaskState.RECEIVING);
        assertThat(spool.in(receivingOne.id).resolve(".x.part.gz.uploading")).as("swept").doesNotExist();
        assertThat(Files.readString(spool.dir(converting.id).resolve("task.log"))).contains("resuming at stage converting");
    }
}

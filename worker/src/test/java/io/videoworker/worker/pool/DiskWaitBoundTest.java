package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.TestSpool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task waiting for disk space waits an hour in all (its backoff pauses added up, across
 * restarts), then its original recording is published as for a failed conversion: a full disk
 * may delay a replay, it cannot hold a task forever. At the default 10 s retry base the hour is
 * reached at the 16th pause (10 + 20 + 40 + 80 + 160 + 11 × 300 s); the 15th is 55 minutes.
 */
class DiskWaitBoundTest {
    @TempDir
    Path data;

    @Test
    void afterAnHourOfPausesInAllTheOriginalsArePublished() throws Exception {
        String sid = UUID.randomUUID().toString();
        String id = pausedTask(sid, 16);
        try (TestSpool s = new TestSpool(data).start()) {
            Task t = s.awaitFinished(id, 60);
            assertThat(t.state).isEqualTo(TaskState.FAILED);
            assertThat(t.errorReason).isEqualTo("replay_convert_failed");
            assertThat(t.error).isEqualTo("not enough disk space to convert: waited 60 minutes in all over 16 pauses"
                    + " (last: not enough disk space: 3 MiB free and 8 MiB must stay free while converting)");
            assertThat(t.attempts).as("no converter was started").isZero();
            assertThat(t.published).containsExactly(t.sessionDate + "/" + sid + "/" + sid + ".0.part.gz",
                    t.sessionDate + "/" + sid + "/" + sid + ".replay.json");
            try (Stream<Path> files = Files.walk(data.resolve("replays"))) {
                assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder(sid + ".0.part.gz", sid + ".replay.json");
            }
        }
    }

    @Test
    void fiftyFiveMinutesOfPausesStillConvert() throws Exception {
        String id = pausedTask(UUID.randomUUID().toString(), 15);
        try (TestSpool s = new TestSpool(data).start()) {
            Task t = s.awaitFinished(id, 120);
            assertThat(t.state).as(t.error).isEqualTo(TaskState.DONE);
            assertThat(t.errorReason).isNull();
            assertThat(t.published).hasSize(2).allMatch(k -> k.endsWith(".part.mp4") || k.endsWith(".replay.json"));
        }
    }

    /** A task queued after {@code pauses} waits for disk space, as a stopped worker leaves it. */
    private String pausedTask(String sid, int pauses) throws Exception {
        try (TestSpool s = new TestSpool(data)) {
            Task t = s.upload(s.createParts(sid, 1), 0);
            assertThat(t.state).isEqualTo(TaskState.QUEUED);
            t.diskWaits = pauses;
            t.lastConvertError = "not enough disk space: 3 MiB free and 8 MiB must stay free while converting";
            s.spool.save(t);
            return t.id;
        }
    }
}

package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.TestSpool;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conversion timeout comes from the recording as stored, with the sender's files[].duration
 * (any long at all) only clamped into it: saturating arithmetic, between 10 minutes and a day.
 * Before, a duration of 2^62 overflowed it to a negative number and a valid recording was killed
 * at once, twice.
 */
class ConversionTimeoutTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path data;

    @Test
    void callerDurationsOfAnyLongGiveAPositiveTimeoutOfAtMostADay() {
        for (long duration : new long[] {1L << 62, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
            Duration one = ConversionRunner.timeout(2 * MIB, parts(duration));
            Duration three = ConversionRunner.timeout(2 * MIB, parts(duration, duration, Long.MAX_VALUE));
            for (Duration d : List.of(one, three)) {
                assertThat(d).as("duration %d", duration).isBetween(Duration.ofMinutes(10), Duration.ofHours(24));
            }
        }
        assertThat(ConversionRunner.timeout(2 * MIB, parts(1L << 62))).as("the stated length counts only up to the 7-day timeline")
                .isEqualTo(Duration.ofHours(24));
        assertThat(ConversionRunner.timeout(2 * MIB, parts(-3_600_000))).as("a negative length counts as none")
                .isEqualTo(Duration.ofMinutes(12));
        assertThat(ConversionRunner.timeout(Long.MAX_VALUE, parts(0))).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void theTimeoutGrowsWithTheBytesOnDiskAndTheStatedLength() {
        assertThat(ConversionRunner.timeout(0, parts(0))).isEqualTo(Duration.ofMinutes(10));
        assertThat(ConversionRunner.timeout(30 * MIB, parts(0))).as("a minute per MiB").isEqualTo(Duration.ofMinutes(40));
        assertThat(ConversionRunner.timeout(2 * MIB, parts(1_800_000, 1_800_000))).as("plus twice the length")
                .isEqualTo(Duration.ofMinutes(10 + 2 + 120));
    }

    @Test
    void aValidRecordingWhoseSenderStatesDurationsOf2To62AndLongMaxConverts() throws Exception {
        String sid = UUID.randomUUID().toString();
        List<byte[]> bodies = List.of(TestRecordings.part(0xFF0000, 10_000, 12_000), TestRecordings.part(0x00FF00, 12_500, 14_000));
        List<Object[]> files = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            files.add(new Object[] {sid + "." + i + ".part.gz", 10_000L + i * 2_500, 12_000L + i * 2_000, TestRecordings.sha256(bodies.get(i))});
        }
        ObjectNode body = (ObjectNode) Spool.JSON.readTree(LionClient.taskBody(sid, files));
        ((ObjectNode) body.path("meta").path("files").get(0)).put("duration", 1L << 62);
        ((ObjectNode) body.path("meta").path("files").get(1)).put("duration", Long.MAX_VALUE);
        try (TestSpool s = new TestSpool(data).start()) {
            Task t = s.tasks.createParts(sid, body);
            for (int i = 0; i < bodies.size(); i++) {
                UploadResult r = s.tasks.uploadPart(t.id, String.valueOf(i), sid + "." + i + ".part.gz",
                        new ByteArrayInputStream(bodies.get(i)), bodies.get(i).length);
                assertThat(r.ok()).as(r.message()).isTrue();
            }
            Task done = s.awaitFinished(t.id, 120);
            assertThat(done.state).as(done.error).isEqualTo(TaskState.DONE);
            assertThat(done.attempts).as("converted at the first attempt, not killed").isEqualTo(1);
            assertThat(done.errorReason).isNull();
            assertThat(Files.readString(s.spool.dir(t.id).resolve("task.log"))).doesNotContain("took longer than");
        }
    }

    private static List<PartFile> parts(long... durations) {
        List<PartFile> files = new ArrayList<>();
        for (long d : durations) {
            PartFile f = new PartFile();
            f.duration = d;
            files.add(f);
        }
        return files;
    }
}

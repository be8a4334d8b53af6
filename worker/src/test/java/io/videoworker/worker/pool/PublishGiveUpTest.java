package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.MovableClock;
import io.videoworker.worker.TestSpool;
import io.videoworker.worker.publish.S3Storage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage that stays down: publishing is retried for the retry period (24 h), then the task
 * fails with replay_upload_failed and keeps its files. The worker's clock is moved a day ahead
 * instead of waiting a day; the storage is a real S3 client toward a port nothing listens on.
 */
class PublishGiveUpTest {
    @TempDir
    Path data;

    @Test
    void aStorageDownForTheRetryPeriodFailsTheTaskAndKeepsItsFiles() throws Exception {
        ObjectNode s3 = Spool.JSON.createObjectNode().put("TYPE", "s3").put("ENDPOINT", "http://127.0.0.1:1")
                .put("BUCKET", "replays").put("ACCESS_KEY", "ak").put("SECRET_KEY", "sk").put("REGION", "us-east-1");
        StorageResolver down = (sealed, log) -> new StorageResolver.Resolution(S3Storage.fromConfig(s3), null);
        MovableClock clock = new MovableClock();
        try (TestSpool s = new TestSpool(data, down, SessionReporter.LOG_ONLY, Map.of("VIDEO_WORKER_RETRY_BASE_SECONDS", "1"),
                clock).start()) {
            Task t = s.createParts(UUID.randomUUID().toString(), 1);
            s.upload(t, 0);
            Task waiting = s.await(t.id, x -> x.publishAttempts >= 1, 90);
            assertThat(waiting.state).isEqualTo(TaskState.PUBLISHING);
            assertThat(waiting.lastPublishError).isNotBlank();

            clock.advance(Duration.ofHours(25)); // a day of retries, not waited for
            Task failed = s.awaitFinished(t.id, 90);
            assertThat(failed.state).isEqualTo(TaskState.FAILED);
            assertThat(failed.errorReason).isEqualTo("replay_upload_failed");
            assertThat(failed.error).startsWith("publishing failed for 24 h: ");
            assertThat(failed.publishAttempts).isGreaterThanOrEqualTo(2);
            assertThat(s.spool.outFile(t.id, t.sessionId + ".0.part.mp4")).as("the MP4 stays for the clean period").exists();
            assertThat(s.spool.inFile(t.id, t.files.get(0).name)).as("and the recording").exists();

            s.tasks.clean(clock.millis() + Duration.ofDays(8).toMillis());
            assertThat(s.spool.dir(t.id)).as("gone after the clean period").doesNotExist();
        }
    }
}

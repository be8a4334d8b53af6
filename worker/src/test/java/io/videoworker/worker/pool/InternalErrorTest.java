package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.TestSpool;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bug met while working on a task never leaves it in a working state: retried, then failed visibly. */
class InternalErrorTest {
    private static final java.util.Map<String, String> FAST_RETRIES = java.util.Map.of("VIDEO_WORKER_RETRY_BASE_SECONDS", "1");

    @TempDir
    Path data;

    /** Core's reporter with a bug: it throws when the conversion starts, {@code times} times. */
    private static SessionReporter failingAtConvertStart(AtomicInteger times) {
        return new SessionReporter() {
            @Override
            public void event(Task task, String event, String reason, TaskLog log) {
                if (event.equals("replay_convert_start") && times.getAndDecrement() > 0) {
                    throw new IllegalStateException("a bug in the reporter");
                }
            }

            @Override
            public void published(Task task, TaskLog log) {
            }

            @Override
            public void publishFailed(Task task, TaskLog log) {
            }

            @Override
            public String sessionDay(Task task, TaskLog log) {
                return "2025-11-18";
            }
        };
    }

    @Test
    void aPassingBugIsRetriedAndTheTaskCompletes() throws Exception {
        try (TestSpool s = new TestSpool(data, failingAtConvertStart(new AtomicInteger(2)), FAST_RETRIES).start()) {
            Task t = s.createParts(UUID.randomUUID().toString(), 1);
            s.upload(t, 0);
            Task done = s.awaitFinished(t.id, 60);
            assertThat(done.state).isEqualTo(TaskState.DONE);
            assertThat(done.internalErrors).isEqualTo(2);
            assertThat(Files.readString(s.spool.dir(t.id).resolve("task.log")))
                    .contains("internal error 1 of 3; next try in 1 s").contains("internal error 2 of 3; next try in 2 s");
            java.io.StringWriter out = new java.io.StringWriter();
            int exit = io.videoworker.worker.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
                    "tasks", "show", t.id, "--data", data.toString(), "--log", "0");
            assertThat(exit).isZero();
            assertThat(out.toString()).as("an operator sees it").contains("2 internal error(s)");
        }
    }

    @Test
    void aLastingBugFailsTheTaskVisiblyAndKeepsItsFiles() throws Exception {
        try (TestSpool s = new TestSpool(data, failingAtConvertStart(new AtomicInteger(Integer.MAX_VALUE)), FAST_RETRIES).start()) {
            Task t = s.createParts(UUID.randomUUID().toString(), 1);
            s.upload(t, 0);
            Task failed = s.awaitFinished(t.id, 60);
            assertThat(failed.state).isEqualTo(TaskState.FAILED);
            assertThat(failed.error).startsWith("internal error, given up after 3 tries: java.lang.IllegalStateException: a bug");
            assertThat(failed.errorReason).isEqualTo("replay_convert_failed");
            Task onDisk = s.spool.load(t.id);
            assertThat(onDisk.state).as("on disk too: a restart does not resume it").isEqualTo(TaskState.FAILED);
            assertThat(s.spool.inFile(t.id, t.files.get(0).name)).as("the recording is kept").exists();
        }
    }
}

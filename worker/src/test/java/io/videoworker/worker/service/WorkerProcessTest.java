package io.videoworker.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.WorkerProcess;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child-process harness the crash and load suites build on: starts, answers signed calls, dies on SIGKILL, restarts. */
class WorkerProcessTest {
    @TempDir
    Path dir;

    @Test
    void startsAnswersAndRestartsAfterSigkill() throws Exception {
        try (WorkerProcess w = new WorkerProcess(dir.resolve("data"), Map.of()).start()) {
            assertThat(w.lion().status("00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
            assertThat(w.peakRssKib()).isPositive();
            long first = w.pid();
            w.kill();
            assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            w.start();
            assertThat(w.pid()).isNotEqualTo(first);
            assertThat(w.starts()).isEqualTo(2);
            assertThat(w.lion().status("00000000-0000-0000-0000-000000000000").json().path("error").asText()).isNotEmpty();
        }
    }
}

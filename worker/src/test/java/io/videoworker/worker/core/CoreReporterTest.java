package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle events as core's serializer takes them: a reason only when there is one. */
class CoreReporterTest {
    @TempDir
    Path dir;
    SimulatedCore core;
    CoreClient client;
    Task task;
    TaskLog log;

    @BeforeEach
    void start() throws Exception {
        core = new SimulatedCore();
        String[] key = core.addCaller();
        client = new CoreClient(core.url(), false);
        client.useKey(new AccessKey(key[0], key[1]));
        Spool spool = new Spool(dir);
        task = new Task();
        task.id = UUID.randomUUID().toString();
        task.sessionId = UUID.randomUUID().toString();
        task.kind = Task.Kind.PARTS;
        task.state = TaskState.RECEIVING;
        spool.create(task);
        log = spool.log(task);
    }

    @AfterEach
    void stop() {
        core.close();
    }

    @Test
    void theSimulatedCoreRefusesABlankReasonAsCoreDoes() {
        String path = "/api/v1/terminal/sessions/" + task.sessionId + "/lifecycle_log/";
        assertThatThrownBy(() -> client.json("POST", path,
                CoreClient.JSON.createObjectNode().put("event", "replay_upload_failure").put("reason", "")))
                .isInstanceOfSatisfying(CoreException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(core.acceptedEvents).isEmpty();
    }

    @Test
    void eventsWithoutAReasonLeaveTheFieldOutAndAreAccepted() throws Exception {
        CoreReporter reporter = new CoreReporter(client);
        reporter.event(task, "replay_upload_start", null, log);
        reporter.event(task, "replay_upload_failure", "  ", log);
        reporter.event(task, "replay_upload_failure", "storage refused the key (403)", log);
        List<JsonNode> sent = core.acceptedEvents.stream().map(c -> {
            try {
                return SimulatedCore.JSON.readTree(c.body());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(sent).hasSize(3);
        assertThat(sent.get(0).has("reason")).isFalse();
        assertThat(sent.get(1).has("reason")).isFalse();
        assertThat(sent.get(2).path("reason").asText()).isEqualTo("storage refused the key (403)");
    }
}

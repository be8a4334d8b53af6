package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core that stops answering must not hold up Lion: while one task waits for core to take its
 * lifecycle event (up to the 30 s call timeout), a new task is still created at once. Lion gives
 * up a create after 30 s and never retries.
 */
class CoreStallTest {
    @TempDir
    Path data;

    @Test
    void aTaskIsCreatedWhileAnotherTaskWaitsForCore() throws Exception {
        try (SimulatedCore core = new SimulatedCore()) {
            core.heldEvents.add("replay_convert_success");
            try (Service service = TestRecordings.worker(data, Map.of("CORE_HOST", core.url(),
                    "BOOTSTRAP_TOKEN", core.bootstrapToken, "NAME", "[Video]-test"))) {
                String[] caller = core.addCaller();
                LionClient lion = new LionClient(service.port(), caller[0], caller[1]);
                String first = UUID.randomUUID().toString();
                byte[] part = TestRecordings.part(0x3366AA, 10_000, 11_000);
                String id = lion.createTask(first, LionClient.taskBody(first, List.<Object[]>of(
                        new Object[] {first + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(part)}))).json().path("id").asText();
                lion.upload(id, 0, first + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part));
                assertThat(core.eventHeld.await(60, TimeUnit.SECONDS)).as("the first task is waiting for core").isTrue();

                String second = UUID.randomUUID().toString();
                CompletableFuture<LionClient.Reply> created = CompletableFuture.supplyAsync(() -> {
                    try {
                        return lion.createTask(second, LionClient.taskBody(second, List.<Object[]>of(
                                new Object[] {second + ".0.part.gz", 1L, 2L, "0".repeat(64)})));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // well inside core's 30 s call timeout, which would end the wait anyway
                assertThat(created).succeedsWithin(Duration.ofSeconds(10)).extracting(LionClient.Reply::status).isEqualTo(200);

                core.releaseEvents();
                assertThat(lion.waitFor(id, "done", 60).path("state").asText()).isEqualTo("done");
            }
        }
    }
}

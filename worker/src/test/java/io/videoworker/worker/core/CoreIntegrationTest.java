package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker against a simulated JumpServer core that checks signatures as core does. */
class CoreIntegrationTest {
    @TempDir
    Path data;
    SimulatedCore core;
    Service service;
    LionClient lion;

    @BeforeEach
    void startCore() {
        core = new SimulatedCore();
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        core.close();
    }

    void startWorker() throws Exception {
        service = TestRecordings.worker(data, Map.of("CORE_HOST", core.url(), "BOOTSTRAP_TOKEN", core.bootstrapToken,
                "NAME", "[Video]-test"));
        String[] caller = core.addCaller();
        lion = new LionClient(service.port(), caller[0], caller[1]);
    }

    @Test
    void registersOnceStoresTheKeyPrivatelyAndReregistersWhenCoreForgetsIt() throws Exception {
        startWorker();
        Path keyFile = data.resolve("keys/.access_key");
        assertThat(Files.readString(keyFile)).matches("[0-9a-f-]{36}:[0-9a-f-]{36}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(core.registrations.get()).isEqualTo(1);
        service.close();
        startWorker();
        assertThat(core.registrations.get()).as("the stored key is reused").isEqualTo(1);
        service.close();
        core.keys.clear(); // core lost the key: profile answers 401
        startWorker();
        assertThat(core.registrations.get()).isEqualTo(2);
        try (var files = Files.list(data.resolve("keys"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(".access_key_20"));
        }
    }

    @Test
    void callersAreCheckedByCoreAndRefusedWhenCoreSaysNo() throws Exception {
        startWorker();
        String sid = UUID.randomUUID().toString();
        LionClient stranger = new LionClient(service.port(), "unknown", "secret");
        assertThat(stranger.createTask(sid, "{}").status()).isEqualTo(401);
        LionClient.Reply refused = stranger.upload(UUID.randomUUID().toString(), 0, sid + ".0.part.gz",
                HttpRequest.BodyPublishers.ofByteArray(new byte[10]));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().path("ok").isBoolean()).as("an upload's reply shape, which Lion logs: " + refused.body()).isTrue();
        assertThat(refused.json().path("ok").asBoolean()).isFalse();
        assertThat(refused.json().path("error_message").asText()).contains("unauthorized");
        assertThat(lion.status(UUID.randomUUID().toString()).status()).as("accepted, then no such task").isEqualTo(404);
        core.close();
        LionClient again = new LionClient(service.port(), "other", "secret");
        assertThat(again.status(UUID.randomUUID().toString()).status()).as("core unreachable").isEqualTo(503);
        LionClient.Reply unchecked = again.upload(UUID.randomUUID().toString(), 0, sid + ".0.part.gz",
                HttpRequest.BodyPublishers.ofByteArray(new byte[10]));
        assertThat(unchecked.status()).isEqualTo(503);
        assertThat(unchecked.json().path("ok").isBoolean()).as(unchecked.body()).isTrue();
        assertThat(unchecked.json().path("error_message").asText()).isNotBlank();
        core = new SimulatedCore(); // for tearDown
    }

    @Test
    void partsArePublishedToCoreServerStorageThenTheSessionIsUpdatedAndEventsComeInOrder() throws Exception {
        startWorker();
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 12_000);
        byte[] p1 = TestRecordings.part(0x00FF00, 12_200, 14_000);
        String body = LionClient.taskBody(sid, List.of(
                new Object[] {sid + ".0.part.gz", 10_000L, 12_000L, TestRecordings.sha256(p0)},
                new Object[] {sid + ".1.part.gz", 12_200L, 14_000L, TestRecordings.sha256(p1)}));
        core.failUploads.set(2); // storage down for a while
        String id = lion.createTask(sid, body).json().path("id").asText();
        assertThat(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0)).json().path("ok").asBoolean()).isTrue();
        assertThat(lion.upload(id, 1, sid + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(p1)).json().path("ok").asBoolean()).isTrue();
        JsonNode s = lion.waitFor(id, "done", 60);
        assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("done");

        List<SimulatedCore.Replay> replays = core.replays.stream().filter(r -> r.sid().equals(sid)).toList();
        assertThat(replays).extracting(SimulatedCore.Replay::name)
                .containsExactly(sid + ".0.part.mp4", sid + ".1.part.mp4", sid + ".replay.json");
        assertThat(replays).extracting(SimulatedCore.Replay::version).containsOnly("5");
        JsonNode replayJson = SimulatedCore.JSON.readTree(replays.get(2).bytes());
        assertThat(replayJson.path("type").asText()).isEqualTo("mp4");
        Path mp4 = data.resolve("p0.mp4");
        Files.write(mp4, replays.get(0).bytes());
        assertThat(Mp4Probe.info(mp4).moovBeforeMdat()).isTrue();

        List<SimulatedCore.Call> patches = core.calls("PATCH", "/api/v1/terminal/sessions/" + sid + "/");
        assertThat(patches).hasSize(1);
        JsonNode patch = SimulatedCore.JSON.readTree(patches.get(0).body());
        assertThat(patch.path("has_replay").asBoolean()).isTrue();
        long size = replays.stream().mapToLong(r -> r.bytes().length).sum();
        assertThat(patch.path("replay_size").asLong()).as("the part MP4s and replay.json, as Lion counts").isEqualTo(size);
        assertThat(core.events(sid)).as("replay_upload_start once per publish, not per attempt")
                .containsExactly("replay_convert_start", "replay_convert_success", "replay_upload_start", "replay_upload_success");
        String log = Files.readString(data.resolve("tasks/" + id + "/task.log"));
        assertThat(log).contains("publish attempt 1 failed").contains("publish attempt 2 failed");
        assertThat(core.calls("GET", "/api/v1/terminal/terminals/config/")).isNotEmpty();
    }

    @Test
    void aFailedConversionPublishesTheOriginalsAndSaysWhy() throws Exception {
        startWorker();
        String sid = UUID.randomUUID().toString();
        byte[] junk = TestRecordings.gzip("garbage".getBytes());
        String id = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(junk)}))).json().path("id").asText();
        lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(junk));
        JsonNode s = lion.waitFor(id, "failed", 60);
        assertThat(s.path("error_reason").asText()).isEqualTo("replay_convert_failed");
        assertThat(core.replays).extracting(SimulatedCore.Replay::name).containsExactly(sid + ".0.part.gz", sid + ".replay.json");
        List<String> patches = core.calls("PATCH", "/api/v1/terminal/sessions/" + sid + "/").stream().map(SimulatedCore.Call::body).toList();
        assertThat(patches.get(0)).contains("\"has_replay\":true");
        assertThat(patches.get(1)).contains("replay_convert_failed");
        assertThat(core.events(sid)).startsWith("replay_convert_start", "replay_convert_failure");
    }

    @Test
    void heartbeatReportsRealFiguresOverTheSignedSocket() throws Exception {
        startWorker();
        long deadline = System.currentTimeMillis() + 15_000;
        while (core.heartbeats.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(core.heartbeats).isNotEmpty();
        JsonNode frame = core.heartbeats.get(0);
        assertThat(frame.path("type").asText()).isEqualTo("status");
        JsonNode p = frame.path("payload");
        assertThat(p.path("sessions").isArray()).isTrue();
        assertThat(p.path("session_online").isInt()).isTrue();
        assertThat(p.path("memory_used").asDouble()).isBetween(0.01, 100.0);
        assertThat(p.path("disk_used").asDouble()).isBetween(0.01, 100.0);
        assertThat(core.calls("WS", "/ws/terminal-task/")).isNotEmpty();
    }

    @Test
    void storageCredentialsAreSealedInTheSpool() throws Exception {
        core.replayStorage = SimulatedCore.JSON.createObjectNode().put("TYPE", "server").put("SECRET_KEY", "s3cr3t-value");
        startWorker();
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        String id = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)}))).json().path("id").asText();
        lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0));
        lion.waitFor(id, "done", 60);
        String taskJson = Files.readString(data.resolve("tasks/" + id + "/task.json"));
        assertThat(taskJson).doesNotContain("s3cr3t-value").contains("\"storageConfigSealed\" : \"v1:");
        assertThat(Files.readString(data.resolve("tasks/" + id + "/task.log"))).doesNotContain("s3cr3t-value");
        assertThat(lion.status(id).body()).doesNotContain("s3cr3t-value").doesNotContain("v1:");
    }
}

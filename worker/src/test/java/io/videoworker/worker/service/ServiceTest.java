package io.videoworker.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service end to end over real HTTP, with a Lion-like client. */
class ServiceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY_ID = "5c6a1b2e";
    static final String SECRET = "Z5kq8R2mN7pX3vB9cT4wY6hJ1sL0dF8g";

    @TempDir
    Path data;
    Service service;
    LionClient lion;

    void start(Map<String, String> extra) throws Exception {
        Files.createDirectories(data.resolve("keys"));
        Files.writeString(data.resolve("keys/access_keys"), KEY_ID + ":" + SECRET + "\n");
        service = TestRecordings.worker(data, extra);
        lion = new LionClient(service.port(), KEY_ID, SECRET);
    }

    void start() throws Exception {
        start(Map.of());
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    static String taskBody(String sid, List<Object[]> files) {
        return LionClient.taskBody(sid, files);
    }

    /** The form fields of Lion's single-recording upload (G2) of a gzip recording made on 2025-11-18. */
    static Map<String, String> singleRecording(String sid) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("component_type", "lion");
        fields.put("session_date", "2025-11-18");
        fields.put("session_id", sid);
        fields.put("file_type", ".gz");
        return fields;
    }

    JsonNode waitFor(String taskId, TaskState... states) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode s = lion.status(taskId).json();
            for (TaskState st : states) {
                if (s != null && st.json().equals(s.path("state").asText())) {
                    return s;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + taskId + " never reached " + List.of(states) + ": " + lion.status(taskId).body());
    }

    @Test
    void healthNeedsNoAuthentication() throws Exception {
        start();
        HttpResponse<String> r = lion.http.send(HttpRequest.newBuilder(URI.create(lion.base + "/video-worker/health/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode h = JSON.readTree(r.body());
        assertThat(h.has("uptime")).isTrue();
        assertThat(h.path("mode").asText()).isEqualTo("standalone");
        assertThat(h.path("core").asText()).isEqualTo("standalone");
        assertThat(h.path("queue").asInt()).isZero();
        assertThat(h.path("oldest_queued_seconds").isIntegralNumber()).as(r.body()).isTrue();
        assertThat(h.path("spool_free_bytes").asLong()).isPositive();
    }

    @Test
    void multiPartTaskWithGapsIsConvertedAndPublishedInPlaybackOrder() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 12_000);
        byte[] p2 = TestRecordings.part(0x00FF00, 12_200, 14_000);
        byte[] p10 = TestRecordings.part(0x0000FF, 14_300, 16_000);
        // Lion lists files lexicographically: .0, .10, .2
        List<Object[]> files = List.of(
                new Object[] {sid + ".0.part.gz", 10_000L, 12_000L, TestRecordings.sha256(p0)},
                new Object[] {sid + ".10.part.gz", 14_300L, 16_000L, TestRecordings.sha256(p10)},
                new Object[] {sid + ".2.part.gz", 12_200L, 14_000L, TestRecordings.sha256(p2)});
        LionClient.Reply created = lion.createTask(sid, taskBody(sid, files));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().path("id").asText();
        assertThat(id).isNotBlank();
        byte[][] bodies = {p0, p10, p2};
        for (int i = 0; i < 3; i++) {
            LionClient.Reply up = lion.upload(id, i, (String) files.get(i)[0], HttpRequest.BodyPublishers.ofByteArray(bodies[i]));
            assertThat(up.status()).as(up.body()).isEqualTo(200);
            assertThat(up.json().path("ok").isBoolean()).isTrue();
            assertThat(up.json().path("ok").asBoolean()).isTrue();
            assertThat(up.json().path("error_message").asText()).isEmpty();
        }
        JsonNode done = waitFor(id, TaskState.DONE, TaskState.FAILED);
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.path("progress").asInt()).isEqualTo(100);
        Path dir = data.resolve("replays/2025-11-18/" + sid);
        JsonNode replay = JSON.readTree(dir.resolve(sid + ".replay.json").toFile());
        assertThat(replay.path("type").asText()).isEqualTo("mp4");
        assertThat(replay.path("user").asText()).isEqualTo("Administrator(admin)");
        List<String> names = new java.util.ArrayList<>();
        replay.path("files").forEach(f -> names.add(f.path("name").asText()));
        assertThat(names).containsExactly(sid + ".0.part.mp4", sid + ".2.part.mp4", sid + ".10.part.mp4");
        for (String n : names) {
            assertThat(Mp4Probe.info(dir.resolve(n)).videoCodec()).isEqualTo("h264");
        }
        assertThat(Files.exists(data.resolve("tasks/" + id + "/in"))).as("inputs deleted once published").isFalse();
        assertThat(Files.readString(data.resolve("tasks/" + id + "/task.log"))).contains("published").contains("has_replay=true");
    }

    @Test
    void standAloneATaskWithoutASessionDateIsFiledUnderTodayWithAWarning() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        ObjectNode body = (ObjectNode) new ObjectMapper().readTree(
                taskBody(sid, List.<Object[]>of(new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)})));
        ((ObjectNode) body.path("meta")).remove("date_start");
        String id = lion.createTask(sid, body.toString()).json().path("id").asText();
        lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0));
        waitFor(id, TaskState.DONE);
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertThat(data.resolve("replays/" + today + "/" + sid + "/" + sid + ".replay.json")).exists();
        assertThat(Files.readString(data.resolve("tasks/" + id + "/task.log")))
                .contains("the sender gave no session date and there is no core to ask: the storage keys use today, " + today);
    }

    @Test
    void singleFileProtocolRepliesWithLionsTaskTypesAndPublishesReplayMp4() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        Map<String, String> fields = singleRecording(sid);
        fields.put("width", "1024");
        fields.put("height", "768");
        fields.put("bitrate", "1");
        LionClient.Reply r = lion.single(fields, Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (String k : List.of("id", "root_dir", "date_created", "session_id", "component_type", "file_type", "session_date",
                "replay_mp4_path", "replay_path", "status", "error")) {
            assertThat(r.json().path(k).isTextual()).as(k).isTrue();
        }
        for (String k : List.of("max_frame", "width", "height", "bitrate")) {
            assertThat(r.json().path(k).isInt()).as(k).isTrue();
        }
        assertThat(r.json().path("width").asInt()).isEqualTo(1024);
        waitFor(r.json().path("id").asText(), TaskState.DONE);
        Path mp4 = data.resolve("replays/2025-11-18/" + sid + ".replay.mp4");
        assertThat(Mp4Probe.info(mp4).durationMs()).isBetween(30_200L, 30_400L);
        assertThat(Files.exists(data.resolve("replays/2025-11-18/" + sid + ".replay.gz"))).isFalse();
    }

    @Test
    void aDamagedRecordingIsPublishedAsMp4WithItsDamageInTheTaskLog() throws Exception {
        start();
        byte[] text;
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(
                Files.newInputStream(Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz")))) {
            text = in.readAllBytes();
        }
        int at = text.length / 2;
        while (text[at - 1] != ';') { // after an instruction
            at++;
        }
        java.io.ByteArrayOutputStream spliced = new java.io.ByteArrayOutputStream();
        spliced.write(text, 0, at);
        spliced.write(new byte[3000]); // 3000 zero bytes spliced in
        spliced.write(text, at, text.length - at);
        Path damaged = Files.write(data.resolve("damaged.replay.gz"), TestRecordings.gzip(spliced.toByteArray()));
        String sid = UUID.randomUUID().toString();
        LionClient.Reply r = lion.single(singleRecording(sid), damaged);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("id").asText();
        waitFor(id, TaskState.DONE);
        Path mp4 = data.resolve("replays/2025-11-18/" + sid + ".replay.mp4");
        assertThat(Mp4Probe.info(mp4).durationMs()).as("the whole session, around the damage").isBetween(30_200L, 30_400L);
        assertThat(Files.exists(data.resolve("replays/2025-11-18/" + sid + ".replay.gz"))).as("not the originals").isFalse();
        assertThat(Files.readString(data.resolve("tasks/" + id + "/task.log")))
                .contains("converted in ").contains("damaged data: decompressed bytes " + at + "–" + (at + 3000) + " (3000 bytes)");
    }

    @Test
    void badUploadsGetOkFalseWithTheReason() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        String id = lion.createTask(sid, taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)}))).json().path("id").asText();

        LionClient.Reply wrongSum = lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}));
        assertThat(wrongSum.status()).isEqualTo(400);
        assertThat(wrongSum.json().path("ok").asBoolean(true)).isFalse();
        assertThat(wrongSum.json().path("error_message").asText()).contains("checksum mismatch");

        LionClient.Reply wrongIndex = lion.upload(id, 5, sid + ".5.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0));
        assertThat(wrongIndex.json().path("ok").asBoolean(true)).isFalse();
        assertThat(wrongIndex.json().path("error_message").asText()).contains("out of range");

        String unknown = UUID.randomUUID().toString();
        LionClient.Reply noTask = lion.upload(unknown, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0));
        assertThat(noTask.json().path("ok").asBoolean(true)).isFalse();
        assertThat(noTask.json().path("error_message").asText()).contains("unknown task");

        assertThat(Files.list(data.resolve("tasks/" + id + "/in")).toList()).as("nothing half-written kept").isEmpty();
        LionClient.Reply good = lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0));
        assertThat(good.json().path("ok").asBoolean()).isTrue();
        LionClient.Reply again = lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0));
        assertThat(again.json().path("ok").asBoolean()).as("a repeated upload is idempotent").isTrue();
    }

    @Test
    void missingOrBadSignaturesAndMalformedJsonAreRefusedWithJson() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        HttpResponse<String> none = lion.http.send(HttpRequest.newBuilder(URI.create(lion.base + "/api/v2/replay/sessions/" + sid + "/task/"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).path("error").asText()).contains("Authorization");

        LionClient forger = new LionClient(service.port(), KEY_ID, "not-the-secret-not-the-secret-xx");
        LionClient.Reply forged = forger.createTask(sid, "{}");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().path("error").asText()).contains("bad signature");
        LionClient stranger = new LionClient(service.port(), "nobody", SECRET);
        assertThat(stranger.status(UUID.randomUUID().toString()).status()).isEqualTo(401);

        LionClient.Reply malformed = lion.createTask(sid, "{\"config\": {");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().path("id").asText("x")).isEmpty();
        assertThat(malformed.json().path("error").asText()).contains("not valid JSON");

        LionClient.Reply noFiles = lion.createTask(sid, "{\"config\":{},\"meta\":{\"id\":\"" + sid + "\",\"files\":[]}}");
        assertThat(noFiles.status()).isEqualTo(400);
        assertThat(noFiles.json().path("error").asText()).contains("files");

        LionClient.Reply unknownPath = lion.send(lion.signed("/api/v9/nothing").GET().build());
        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.json().path("error").asText()).contains("/api/v9/nothing");
    }

    @Test
    void notARecordingPublishesTheOriginalsAndRecordsTheFailure() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        byte[] junk = TestRecordings.gzip("this is not a recording".getBytes());
        String id = lion.createTask(sid, taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(junk)}))).json().path("id").asText();
        assertThat(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(junk)).json().path("ok").asBoolean()).isTrue();
        JsonNode s = waitFor(id, TaskState.FAILED, TaskState.DONE);
        assertThat(s.path("state").asText()).isEqualTo("failed");
        assertThat(s.path("error_reason").asText()).isEqualTo("replay_convert_failed");
        assertThat(s.path("error").asText()).contains("not a Guacamole recording");
        assertThat(s.path("attempts").asInt()).as("bad input is not retried").isEqualTo(1);
        Path dir = data.resolve("replays/2025-11-18/" + sid);
        assertThat(Files.readAllBytes(dir.resolve(sid + ".0.part.gz"))).isEqualTo(junk);
        JsonNode replay = JSON.readTree(dir.resolve(sid + ".replay.json").toFile());
        assertThat(replay.path("type").asText()).isEqualTo("guacamole");
        assertThat(replay.path("files").get(0).has("checksum")).isFalse();
    }

    @Test
    void aRestartWhileReceivingLosesNothing() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        byte[] p1 = TestRecordings.part(0x00FF00, 11_200, 12_000);
        String id = lion.createTask(sid, taskBody(sid, List.of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)},
                new Object[] {sid + ".1.part.gz", 11_200L, 12_000L, TestRecordings.sha256(p1)}))).json().path("id").asText();
        assertThat(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0)).json().path("ok").asBoolean()).isTrue();
        service.close();
        start();
        assertThat(lion.status(id).json().path("state").asText()).isEqualTo("receiving");
        assertThat(lion.upload(id, 1, sid + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(p1)).json().path("ok").asBoolean()).isTrue();
        assertThat(waitFor(id, TaskState.DONE).path("published")).hasSize(3);
    }

    @Test
    void aRestartWhileConvertingRedoesTheConversionOnceAndPublishesOnce() throws Exception {
        start();
        String sid = UUID.randomUUID().toString();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("session_id", sid);
        fields.put("session_date", "2025-11-18");
        String id = lion.single(fields, Path.of("../samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz"))
                .json().path("id").asText();
        waitFor(id, TaskState.CONVERTING);
        long deadline = System.currentTimeMillis() + 60_000;
        while (lion.status(id).json().path("progress").asInt() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50); // until the converter runs: task.json is saved by then
        }
        service.close(); // the conversion is interrupted mid-way
        Task onDisk = JSON.readValue(data.resolve("tasks/" + id + "/task.json").toFile(), Task.class);
        assertThat(onDisk.state).isEqualTo(TaskState.CONVERTING);
        start();
        JsonNode s = waitFor(id, TaskState.DONE);
        assertThat(s.path("attempts").asInt()).isEqualTo(2);
        assertThat(s.path("published")).hasSize(1);
        try (var files = Files.walk(data.resolve("replays"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).hasSize(1);
        }
        assertThat(Files.readString(data.resolve("tasks/" + id + "/task.log"))).contains("resuming at stage converting");
    }

    @Test
    void incompleteTasksExpireAndFinishedOnesAreCleanedAfterTheCleanPeriod() throws Exception {
        start(Map.of("VIDEO_WORKER_CLEAN_PERIOD", "7"));
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        String id = lion.createTask(sid, taskBody(sid, List.of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)},
                new Object[] {sid + ".1.part.gz", 11_200L, 12_000L, TestRecordings.sha256(p0)}))).json().path("id").asText();
        lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0));
        service.tasks().expire(System.currentTimeMillis() + 30 * 60_000L);
        assertThat(lion.status(id).json().path("state").asText()).as("not yet: 30 min < 60 min").isEqualTo("receiving");
        service.tasks().expire(System.currentTimeMillis() + 61 * 60_000L);
        assertThat(lion.status(id).json().path("state").asText()).isEqualTo("expired");
        assertThat(Files.exists(data.resolve("tasks/" + id + "/in"))).isFalse();
        try (var files = Files.walk(data.resolve("replays"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("nothing published").isEmpty();
        }
        service.tasks().clean(System.currentTimeMillis() + 6 * 86_400_000L);
        assertThat(Files.exists(data.resolve("tasks/" + id))).isTrue();
        service.tasks().clean(System.currentTimeMillis() + 8 * 86_400_000L);
        assertThat(Files.exists(data.resolve("tasks/" + id))).isFalse();
        assertThat(lion.status(id).status()).isEqualTo(404);
    }

    @Test
    void uploadsAreRefusedBeforeTheDiskFillsAndNothingIsKept() throws Exception {
        start(Map.of("VIDEO_WORKER_SPOOL_RESERVE_MB", "1048576")); // keep 1 TiB free: more than this disk has
        String sid = UUID.randomUUID().toString();
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        LionClient.Reply create = lion.createTask(sid, taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)})));
        assertThat(create.status()).as("a task whose parts could not be taken is refused up front").isEqualTo(507);
        assertThat(create.json().path("id").asText("x")).isEmpty();
        assertThat(create.json().path("error").asText()).contains("not enough disk space");
        assertThat(Files.list(data.resolve("tasks")).toList()).isEmpty();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("session_id", sid);
        LionClient.Reply single = lion.single(fields, Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz"));
        assertThat(single.status()).isEqualTo(507);
        assertThat(single.json().path("error").asText()).contains("not enough disk space");
    }
}

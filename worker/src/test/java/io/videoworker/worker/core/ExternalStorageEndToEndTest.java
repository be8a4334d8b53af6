package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lion-like client → worker → MP4s in a real S3 server (s3proxy), core told in order. */
class ExternalStorageEndToEndTest {
    static final String AK = "AKIAVIDEOWORKERE2E";
    static final String SK = "e2e-secret/K7MDENG+bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path data;
    SimulatedCore core;
    Service service;
    LionClient lion;
    S3Proxy s3;
    BlobStore blobs;

    @BeforeEach
    void start() throws Exception {
        BlobStoreContext ctx = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("x", "x")
                .build(BlobStoreContext.class);
        blobs = ctx.getBlobStore();
        blobs.createContainerInLocation(null, "jumpserver");
        s3 = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V4, AK, SK).build();
        s3.start();
        while (!"STARTED".equals(s3.getState())) {
            Thread.sleep(10);
        }
        core = new SimulatedCore();
        core.replayStorage = s3Config(SK);
    }

    ObjectNode s3Config(String secret) {
        ObjectNode c = SimulatedCore.JSON.createObjectNode();
        c.put("TYPE", "s3").put("BUCKET", "jumpserver").put("ACCESS_KEY", AK).put("SECRET_KEY", secret)
                .put("ENDPOINT", "http://127.0.0.1:" + s3.getPort()).putNull("REGION");
        return c;
    }

    void startWorker() throws Exception {
        service = TestRecordings.worker(data, Map.of("CORE_HOST", core.url(), "BOOTSTRAP_TOKEN", core.bootstrapToken,
                "VIDEO_WORKER_SECRET_KEY", "0123456789abcdef0123456789abcdef"));
        String[] caller = core.addCaller();
        lion = new LionClient(service.port(), caller[0], caller[1]);
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        core.close();
        s3.stop();
    }

    String submit(String sid) throws Exception {
        return submit(sid, true);
    }

    /** Two parts, as Lion sends them; {@code dated}: with meta.date_start. */
    String submit(String sid, boolean dated) throws Exception {
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 12_000);
        byte[] p1 = TestRecordings.part(0x0000FF, 12_200, 14_000);
        ObjectNode body = (ObjectNode) SimulatedCore.JSON.readTree(LionClient.taskBody(sid, List.of(
                new Object[] {sid + ".0.part.gz", 10_000L, 12_000L, TestRecordings.sha256(p0)},
                new Object[] {sid + ".1.part.gz", 12_200L, 14_000L, TestRecordings.sha256(p1)})));
        if (!dated) {
            ((ObjectNode) body.path("meta")).remove("date_start");
        }
        String id = lion.createTask(sid, body.toString()).json().path("id").asText();
        assertThat(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0)).json().path("ok").asBoolean()).isTrue();
        assertThat(lion.upload(id, 1, sid + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(p1)).json().path("ok").asBoolean()).isTrue();
        return id;
    }

    List<String> keys() {
        return blobs.list("jumpserver", org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive())
                .stream().map(StorageMetadata::getName).sorted().toList();
    }

    @Test
    void partsLandInTheBucketAtJumpServersKeysPlayableAndCoreIsToldInOrder() throws Exception {
        startWorker();
        String sid = UUID.randomUUID().toString();
        String id = submit(sid);
        JsonNode s = lion.waitFor(id, "done", 60);
        assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("done");
        String prefix = "2025-11-18/" + sid + "/";
        assertThat(keys()).containsExactly(prefix + sid + ".0.part.mp4", prefix + sid + ".1.part.mp4", prefix + sid + ".replay.json");
        Path mp4 = data.resolve("got.mp4");
        try (InputStream in = blobs.getBlob("jumpserver", prefix + sid + ".1.part.mp4").getPayload().openStream()) {
            Files.write(mp4, in.readAllBytes());
        }
        Mp4Info info = Mp4Probe.info(mp4);
        assertThat(info.videoCodec()).isEqualTo("h264");
        assertThat(info.moovBeforeMdat()).isTrue();
        assertThat(core.replays).as("nothing went to core's own storage").isEmpty();
        assertThat(core.events(sid)).containsExactly("replay_convert_start", "replay_convert_success",
                "replay_upload_start", "replay_upload_success");
        assertThat(core.calls("PATCH", "/api/v1/terminal/sessions/" + sid + "/").get(0).body()).contains("\"has_replay\":true");
    }

    @Test
    void aTaskWithoutASessionDateIsFiledUnderTheUtcDayCoreGivesForTheSession() throws Exception {
        startWorker();
        String sid = UUID.randomUUID().toString();
        core.sessionStarts.put(sid, "2025/11/17 07:30:00 +0800"); // core's spelling, in its zone: 16 November in UTC
        String id = submit(sid, false);
        JsonNode s = lion.waitFor(id, "done", 60);
        assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("done");
        String prefix = "2025-11-16/" + sid + "/";
        assertThat(keys()).containsExactly(prefix + sid + ".0.part.mp4", prefix + sid + ".1.part.mp4", prefix + sid + ".replay.json");
        assertThat(core.calls("GET", "/api/v1/terminal/sessions/" + sid + "/")).hasSize(1);
        assertThat(Files.readString(data.resolve("tasks/" + id + "/task.log")))
                .contains("core says the session started on 2025-11-16");
    }

    @Test
    void wrongCredentialsAreRetriedWithAClearErrorAndNothingIsLost() throws Exception {
        core.replayStorage = s3Config("wrong-secret-wrong-secret-wrong-secret");
        startWorker();
        String sid = UUID.randomUUID().toString();
        String id = submit(sid);
        Path log = data.resolve("tasks/" + id + "/task.log");
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline
                && !(Files.exists(log) && Files.readString(log).contains("publish attempt 2 failed"))) {
            Thread.sleep(100);
        }
        String text = Files.readString(log);
        assertThat(text).contains("publish attempt 1 failed").contains("403").doesNotContain("wrong-secret");
        JsonNode pending = lion.status(id).json();
        assertThat(pending.path("state").asText()).isEqualTo("publishing");
        assertThat(pending.path("publish_attempts").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(pending.path("last_publish_error").asText()).contains("403").doesNotContain("wrong-secret");
        assertThat(pending.has("next_attempt")).isTrue();
        assertThat(Files.list(data.resolve("tasks/" + id + "/out")).count()).as("results kept for the retry").isEqualTo(3);
        assertThat(keys()).isEmpty();
        core.replayStorage = s3Config(SK); // the admin fixes the storage
        JsonNode s = lion.waitFor(id, "done", 60);
        assertThat(s.path("state").asText()).isEqualTo("done");
        assertThat(keys()).hasSize(3);
    }

    @Test
    void aWorkerStoppedWhilePublishingPublishesOnceAfterRestart() throws Exception {
        core.replayStorage = SimulatedCore.JSON.createObjectNode().put("TYPE", "server");
        core.failUploads.set(1_000); // core's storage is down: the task sits in publishing
        startWorker();
        String sid = UUID.randomUUID().toString();
        String id = submit(sid);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && !"publishing".equals(lion.status(id).json().path("state").asText())) {
            Thread.sleep(100);
        }
        Thread.sleep(1500);
        service.close();
        core.failUploads.set(0);
        startWorker();
        JsonNode s = lion.waitFor(id, "done", 60);
        assertThat(s.path("state").asText()).isEqualTo("done");
        assertThat(core.replays).extracting(SimulatedCore.Replay::name)
                .containsExactly(sid + ".0.part.mp4", sid + ".1.part.mp4", sid + ".replay.json");
        assertThat(core.calls("PATCH", "/api/v1/terminal/sessions/" + sid + "/")).hasSize(1);
    }
}

package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.WorkerProcess;
import io.videoworker.worker.config.WorkerConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The worker's secrets (its access key secret, BOOTSTRAP_TOKEN, VIDEO_WORKER_SECRET_KEY, the
 * replay storage's SECRET_KEY, right or wrong, and callers' secrets) appear in no log line,
 * task.log, task.json or status reply, on the good path and on the error paths: callers refused,
 * core refusing the worker, the storage refusing its credentials. The worker runs as a real
 * process at LOG_LEVEL=DEBUG, its most verbose setting, and its whole output is searched. (Each
 * storage's own failure messages are checked for their secrets in its test: S3, OSS, OBS, Azure,
 * SFTP.)
 */
class SecretsStayOutOfLogsTest {
    static final String BOOTSTRAP = "bootstrap-" + UUID.randomUUID();
    static final String SECRET_KEY = "sK3y-" + UUID.randomUUID().toString().replace("-", "").substring(0, 27);
    static final String S3_AK = "AKIASECRETSTEST";
    static final String S3_SK = "s3-secret/" + UUID.randomUUID();
    static final String S3_WRONG = "s3-wrong/" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void noSecretInLogsTaskFilesOrRepliesOnAnyPath() throws Exception {
        BlobStoreContext ctx = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("x", "x").build(BlobStoreContext.class);
        BlobStore blobs = ctx.getBlobStore();
        blobs.createContainerInLocation(null, "jumpserver");
        S3Proxy s3 = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V4, S3_AK, S3_SK).build();
        s3.start();
        List<String> replies = new ArrayList<>();
        Path data = dir.resolve("data");
        try (SimulatedCore core = new SimulatedCore()) {
            while (!"STARTED".equals(s3.getState())) {
                Thread.sleep(10);
            }
            String s3Endpoint = "http://127.0.0.1:" + s3.getPort();
            try (WorkerProcess w = new WorkerProcess(data, Map.of("CORE_HOST", core.url(), "BOOTSTRAP_TOKEN", core.bootstrapToken,
                    "VIDEO_WORKER_SECRET_KEY", SECRET_KEY, "LOG_LEVEL", "DEBUG", "NAME", "[Video]-secrets")).start()) {
                String[] workerKey = Files.readString(data.resolve("keys/.access_key")).trim().split(":", 2);
                String[] caller = core.addCaller();
                LionClient lion = new LionClient(w.port(), caller[0], caller[1]);

                // callers refused: wrong secret, and a known key that is no service account
                replies.add(new LionClient(w.port(), caller[0], "not-" + caller[1]).status(UUID.randomUUID().toString()).body());
                String[] person = core.addCaller();
                core.serviceAccounts.remove(person[0]);
                LionClient.Reply notService = new LionClient(w.port(), person[0], person[1]).status(UUID.randomUUID().toString());
                assertThat(notService.status()).isEqualTo(401);
                replies.add(notService.body());

                // a task whose publishing meets core refusing the worker, then S3 refusing its secret
                String sid = UUID.randomUUID().toString();
                byte[] p0 = TestRecordings.part(0x3366CC, 10_000, 11_000);
                LionClient.Reply created = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                        new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)})));
                replies.add(created.body());
                String id = created.json().path("id").asText();
                core.keys.remove(workerKey[0]);
                replies.add(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0)).body());
                Path taskLog = data.resolve("tasks/" + id + "/task.log");
                awaitLog(taskLog, "publish attempt 1 failed");
                core.replayStorage = s3(s3Endpoint, S3_WRONG);
                core.keys.put(workerKey[0], workerKey[1]);
                awaitLog(taskLog, "publish attempt 2 failed");
                replies.add(lion.status(id).body());
                core.replayStorage = s3(s3Endpoint, S3_SK);
                JsonNode done = lion.waitFor(id, "done", 60);
                assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
                replies.add(done.toString());

                String log = Files.readString(taskLog);
                assertThat(log).as("the error paths ran").contains("answered 401").contains("SignatureDoesNotMatch");
                String taskJson = Files.readString(data.resolve("tasks/" + id + "/task.json"));
                assertThat(taskJson).contains("\"storageConfigSealed\" : \"v1:");

                List<String> secrets = List.of(workerKey[1], core.bootstrapToken, SECRET_KEY, S3_SK, S3_WRONG, caller[1], person[1]);
                String processLog = Files.readString(w.log());
                assertThat(processLog).as("the worker's own lines are in the output searched")
                        .contains("refused: core rejected the caller's signature").contains("publish attempt 2 failed");
                assertNoSecret("worker log", processLog, secrets);
                for (String reply : replies) {
                    assertNoSecret("reply " + reply, reply, secrets);
                }
                try (Stream<Path> files = Files.walk(data.resolve("tasks"))) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        assertNoSecret(f.toString(), Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1), secrets);
                    }
                }
            }
        } finally {
            s3.stop();
        }
    }

    /** Registration refused by core: the token is in neither the exception nor any log line. */
    @Test
    void aRefusedBootstrapTokenIsNotRepeated() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level before = ((Logger) LoggerFactory.getLogger("io.videoworker")).getLevel();
        ((Logger) LoggerFactory.getLogger("io.videoworker")).setLevel(ch.qos.logback.classic.Level.DEBUG);
        logs.start();
        root.addAppender(logs);
        try (SimulatedCore core = new SimulatedCore()) {
            String wrong = "wrong-bootstrap-" + UUID.randomUUID();
            Registration r = new Registration(new CoreClient(core.url(), false), "[Video]-x", wrong, dir.resolve("keys"));
            assertThatThrownBy(r::attempt).isInstanceOf(CoreException.class).hasMessageContaining("401")
                    .hasMessageNotContaining(wrong);
            try (CoreLink link = new CoreLink(r, core.url(), Duration.ofMillis(10), Duration.ofMillis(10), k -> { }).start()) {
                long end = System.currentTimeMillis() + 10_000;
                while (logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains("core refused the bootstrap token"))) {
                    assertThat(System.currentTimeMillis()).as("the refusal was logged").isLessThan(end);
                    Thread.sleep(10);
                }
                assertThat(link.problem()).doesNotContain(wrong);
            }
            for (ILoggingEvent e : logs.list) {
                assertThat(e.getFormattedMessage()).doesNotContain(wrong);
            }
        } finally {
            root.detachAppender(logs);
            ((Logger) LoggerFactory.getLogger("io.videoworker")).setLevel(before);
        }
    }

    @Test
    void theConfigurationPrintsNoSecret() throws Exception {
        WorkerConfig cfg = WorkerConfig.load(null, Map.of("CORE_HOST", "http://core:8080", "BOOTSTRAP_TOKEN", BOOTSTRAP,
                "VIDEO_WORKER_SECRET_KEY", SECRET_KEY, "DATA_DIR", dir.toString()));
        assertThat(cfg.toString()).contains("core=http://core:8080").contains("secret_key=set")
                .doesNotContain(BOOTSTRAP).doesNotContain(SECRET_KEY);
        assertThat(cfg.describe()).doesNotContain(BOOTSTRAP).doesNotContain(SECRET_KEY);
    }

    static void assertNoSecret(String where, String text, List<String> secrets) {
        for (String s : secrets) {
            assertThat(text).as(where + " must not contain a secret").doesNotContain(s);
        }
    }

    static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("task.log never said '" + text + "': " + (Files.exists(log) ? Files.readString(log) : "(none)"));
    }

    static ObjectNode s3(String endpoint, String secret) {
        return SimulatedCore.JSON.createObjectNode().put("TYPE", "s3").put("BUCKET", "jumpserver").put("ACCESS_KEY", S3_AK)
                .put("SECRET_KEY", secret).put("ENDPOINT", endpoint).putNull("REGION");
    }

}

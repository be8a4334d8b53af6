package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.config.WorkerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Core starts late, refuses, or is down while the worker starts: the worker listens and answers
 * health at once, keeps registering with one clear line per attempt, refuses new recordings
 * meanwhile (the sender keeps its own), and takes part as soon as core accepts it.
 */
class CoreStartupTest {
    private static final ObjectMapperHolder JSON = new ObjectMapperHolder();

    @TempDir
    Path data;
    int corePort;
    String token = "bootstrap-" + UUID.randomUUID();
    SimulatedCore core;
    Service service;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger linkLog = (Logger) LoggerFactory.getLogger(CoreLink.class);

    @BeforeEach
    void setUp() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            corePort = s.getLocalPort(); // nothing listens here until a test starts core on it
        }
        logs.start();
        linkLog.addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        linkLog.detachAppender(logs);
        if (service != null) {
            service.close();
        }
        if (core != null) {
            core.close();
        }
    }

    private Service startWorker(Duration firstPause, Duration maxPause) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("DATA_DIR", data.toString(), "BIND_HOST", "127.0.0.1",
                "VIDEO_WORKER_COUNT", "1", "VIDEO_WORKER_SPOOL_RESERVE_MB", "0", "VIDEO_WORKER_RETRY_BASE_SECONDS", "1",
                "CORE_HOST", "http://127.0.0.1:" + corePort, "BOOTSTRAP_TOKEN", token, "NAME", "[Video]-late"));
        return new Service(WorkerConfig.load(null, env).withPort(0)).registrationBackoff(firstPause, maxPause).start();
    }

    private JsonNode health() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.port() + "/video-worker/health/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("health is 200 whatever core does").isEqualTo(200);
        return JSON.mapper.readTree(r.body());
    }

    /** The events so far (the appender adds under its own lock while the worker runs). */
    private List<ILoggingEvent> events() {
        synchronized (logs) {
            return List.copyOf(logs.list);
        }
    }

    private List<String> attemptLines() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("core registration attempt")).toList();
    }

    private static void waitUntil(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void coreDownAtStartThenStartedLate() throws Exception {
        long t0 = System.nanoTime();
        service = startWorker(Duration.ofMillis(10), Duration.ofMillis(40));
        JsonNode h = health();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("listening and healthy at once (was ~50 s)").isLessThan(Duration.ofSeconds(5));
        assertThat(h.path("status").asText()).isEqualTo("ok");
        assertThat(h.path("mode").asText()).isEqualTo("core");
        assertThat(h.path("core").asText()).isIn("registering", "unreachable");

        // with pauses of at most 40 ms, 60 attempts stand for over an hour of real retrying (1 min cap)
        waitUntil("60 failed attempts", 30, () -> attemptLines().size() >= 60);
        h = health();
        assertThat(h.path("core").asText()).isEqualTo("unreachable");
        assertThat(h.path("core_error").asText()).contains("127.0.0.1:" + corePort).contains("unreachable (connection refused)");
        assertThat(attemptLines()).allMatch(l -> l.matches("core registration attempt \\d+ failed: core at http://127\\.0\\.0\\.1:\\d+ "
                + "unreachable \\(connection refused\\); next try in \\d+ s"));
        assertThat(events()).as("an expected condition: no stack trace").allMatch(e -> e.getThrowableProxy() == null);

        String[] lionKey = {"lion", "secret"};
        String sid = UUID.randomUUID().toString();
        LionClient.Reply refused = new LionClient(service.port(), lionKey[0], lionKey[1]).createTask(sid, "{}");
        assertThat(refused.status()).as("no core to check the caller: refused, Lion keeps its copy").isIn(503);

        core = new SimulatedCore(corePort, token);
        String[] caller = core.addCaller();
        LionClient lion = new LionClient(service.port(), caller[0], caller[1]);
        assertThat(service.awaitRegistered(Duration.ofSeconds(20))).isTrue();
        assertThat(core.registrations.get()).isEqualTo(1);
        waitUntil("health says ok", 20, () -> {
            try {
                return health().path("core").asText().equals("ok");
            } catch (Exception e) {
                return false;
            }
        });
        byte[] part = TestRecordings.part(0x00FF00, 1_000, 2_000);
        LionClient.Reply created = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 1_000L, 2_000L, TestRecordings.sha256(part)})));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(lion.upload(created.json().path("id").asText(), 0, sid + ".0.part.gz",
                HttpRequest.BodyPublishers.ofByteArray(part)).json().path("ok").asBoolean()).isTrue();
        assertThat(lion.waitFor(created.json().path("id").asText(), "done", 60).path("state").asText()).isEqualTo("done");
        assertThat(core.replays).extracting(SimulatedCore.Replay::name).contains(sid + ".0.part.mp4");
    }

    @Test
    void aRefusedBootstrapTokenIsExplainedAndRetriedUntilCoreAccepts() throws Exception {
        core = new SimulatedCore(corePort, token);
        core.refuseRegistrations = true; // core's registration closed, or a wrong token
        String[] caller = core.addCaller();
        service = startWorker(Duration.ofMillis(10), Duration.ofMillis(40));
        LionClient lion = new LionClient(service.port(), caller[0], caller[1]);
        waitUntil("three refusals", 20, () -> attemptLines().size() >= 3);
        JsonNode h = health();
        assertThat(h.path("core").asText()).isEqualTo("refused");
        assertThat(h.path("core_error").asText()).startsWith("core refused the bootstrap token (401): check BOOTSTRAP_TOKEN");
        assertThat(attemptLines()).allMatch(l -> l.contains("core refused the bootstrap token (401): check BOOTSTRAP_TOKEN"));
        assertThat(String.join("\n", attemptLines())).doesNotContain(token);

        String sid = UUID.randomUUID().toString();
        LionClient.Reply refused = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 1_000L, 2_000L, "0".repeat(64)})));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().path("id").asText()).isEmpty();
        assertThat(refused.json().path("error").asText()).startsWith("the worker is not registered with core yet: core refused");

        core.refuseRegistrations = false; // 401 turns into 201
        assertThat(service.awaitRegistered(Duration.ofSeconds(20))).isTrue();
        assertThat(health().path("core").asText()).isEqualTo("ok");
        assertThat(lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 1_000L, 2_000L, "0".repeat(64)}))).status()).isEqualTo(200);
    }

    /** A task in the spool when the worker restarts without core: it converts, publishing waits, nothing is lost. */
    @Test
    void spooledWorkWaitsForCoreAndIsPublishedWhenItComes() throws Exception {
        core = new SimulatedCore(corePort, token);
        String[] caller = core.addCaller();
        service = startWorker(Duration.ofMillis(10), Duration.ofMillis(100));
        assertThat(service.awaitRegistered(Duration.ofSeconds(20))).isTrue();
        LionClient lion = new LionClient(service.port(), caller[0], caller[1]);
        String sid = UUID.randomUUID().toString();
        byte[] part = TestRecordings.part(0x3366cc, 1_000, 3_000);
        String id = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 1_000L, 3_000L, TestRecordings.sha256(part)}))).json().path("id").asText();
        service.close(); // stopped before the upload: the task waits in the spool, receiving
        core.close();

        service = startWorker(Duration.ofMillis(10), Duration.ofMillis(100));
        assertThat(health().path("core").asText()).isIn("registering", "unreachable");
        // the upload of a task accepted before is still taken: Lion already handed the session to us
        lion = new LionClient(service.port(), caller[0], caller[1]);
        core = new SimulatedCore(corePort, token); // core back only to check the caller…
        core.keys.put(caller[0], caller[1]);
        core.serviceAccounts.add(caller[0]);
        core.refuseRegistrations = true; // …but not yet accepting the worker
        assertThat(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part)).json().path("ok").asBoolean())
                .isTrue();
        JsonNode s = lion.waitFor(id, "publishing", 60);
        LionClient finalLion = lion;
        waitUntil("publishing waits for core", 30, () -> {
            try {
                return finalLion.status(id).json().path("last_publish_error").asText().startsWith("the worker is not registered");
            } catch (Exception e) {
                return false;
            }
        });
        s = lion.status(id).json();
        assertThat(s.path("state").asText()).isEqualTo("publishing");
        assertThat(s.path("publish_attempts").asInt()).as("waiting is not a failed attempt").isZero();
        assertThat(core.replays).isEmpty();

        core.refuseRegistrations = false;
        assertThat(lion.waitFor(id, "done", 60).path("state").asText()).isEqualTo("done");
        assertThat(core.replays).extracting(SimulatedCore.Replay::name).containsExactly(sid + ".0.part.mp4", sid + ".replay.json");
    }

    private static final class ObjectMapperHolder {
        final com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    }
}

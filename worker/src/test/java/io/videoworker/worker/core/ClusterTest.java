package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.WorkerProcess;
import io.videoworker.worker.cluster.LoadBalancer;
import io.videoworker.worker.cluster.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three worker processes sharing one DATA_DIR and one PostgreSQL, behind a real HAProxy in round
 * robin, registered with a simulated core (each as its own component): Lion-like clients create
 * a task through the balancer and upload its parts, each request to whichever node the balancer
 * picks. Every accepted task is published exactly once (core's uploads, PATCH and events), with a
 * node killed -9 while converting, another while publishing, and the database stopped for 30 s.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterTest {
    private static final String SECRET_KEY = "c1u5t3r-s3cr3t-k3y-0123456789abc";
    private static final int NODES = 3;

    Path root;
    PostgresServer db;
    SimulatedCore core;
    LoadBalancer lb;
    final List<WorkerProcess> nodes = new ArrayList<>();
    LionClient lion;
    String[] callerKey;
    /** Sessions whose task was accepted whole (created and every part acknowledged): each must be published once. */
    final List<String> accepted = new ArrayList<>();

    @BeforeAll
    void cluster() throws Exception {
        root = Files.createTempDirectory("video-worker-cluster-");
        db = PostgresServer.start(root.resolve("pg"));
        core = new SimulatedCore();
        Path data = Files.createDirectories(root.resolve("data"));
        for (int i = 1; i <= NODES; i++) {
            nodes.add(node(data, "node-" + i, SECRET_KEY));
        }
        for (WorkerProcess n : nodes) {
            n.start();
        }
        lb = LoadBalancer.start(root.resolve("lb"), nodes.stream().map(WorkerProcess::port).toList());
        callerKey = core.addCaller();
        lion = new LionClient(lb.port(), callerKey[0], callerKey[1]);
    }

    private WorkerProcess node(Path data, String name, String secretKey) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("NAME", name, "CORE_HOST", core.url(),
                "BOOTSTRAP_TOKEN", core.bootstrapToken, "VIDEO_WORKER_SECRET_KEY", secretKey,
                "VIDEO_WORKER_DB_URL", db.jdbcUrl(), "VIDEO_WORKER_DB_USER", db.user(),
                "VIDEO_WORKER_DB_PASSWORD", db.password(), "VIDEO_WORKER_DB_LEASE_SECONDS", "10"));
        return new WorkerProcess(data, env).logTo(root.resolve(name + ".log"));
    }

    @AfterAll
    void stop() throws Exception {
        for (WorkerProcess n : nodes) {
            n.close();
        }
        if (lb != null) {
            lb.close();
        }
        if (core != null) {
            core.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** A Lion-like sender: create through the balancer, then each part (round robin sends them to other nodes). */
    private String send(String sid, int parts, int frames) throws Exception {
        List<Object[]> files = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        long t = 1_763_431_200_000L;
        for (int i = 0; i < parts; i++) {
            byte[] gz = TestRecordings.steadyNoise(320, 240, 4, frames, t, sid.hashCode() + i);
            Path p = Files.write(root.resolve(sid + "." + i + ".part.gz"), gz);
            paths.add(p);
            files.add(new Object[] {p.getFileName().toString(), t, t + 30_000L, TestRecordings.sha256(gz)});
            t += 30_000;
        }
        LionClient.Reply created = lion.createTask(sid, LionClient.taskBody(sid, files));
        if (created.status() != 200 && created.status() != 201) {
            return null; // refused: Lion keeps and uploads its original itself
        }
        String id = created.json().path("id").asText();
        for (int i = 0; i < parts; i++) {
            LionClient.Reply r = lion.upload(id, i, paths.get(i));
            if (r.status() != 200 || !r.json().path("ok").asBoolean()) {
                return null;
            }
        }
        synchronized (accepted) {
            accepted.add(sid);
        }
        return id;
    }

    private JsonNode awaitDone(String id, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        JsonNode s = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                s = lion.status(id).json();
                if (s != null && s.path("state").asText().matches("done|failed|expired")) {
                    return s;
                }
            } catch (java.io.IOException e) {
                // a node just killed: the balancer retries elsewhere on the next poll
            }
            Thread.sleep(200);
        }
        throw new AssertionError("task " + id + " not finished in " + seconds + " s: " + s);
    }

    /** Published exactly once as core sees it: each file of the session uploaded once, one PATCH, each event once. */
    private void publishedOnce(String sid, int parts) {
        List<String> names = core.replays.stream().filter(r -> r.sid().equals(sid)).map(SimulatedCore.Replay::name).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            expected.add(sid + "." + i + ".part.mp4");
        }
        expected.add(sid + ".replay.json");
        assertThat(names).as("replays of " + sid).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(core.calls("PATCH", "/api/v1/terminal/sessions/" + sid + "/")).as("PATCH of " + sid).hasSize(1);
        List<String> events = core.acceptedEvents.stream().filter(c -> c.path().contains(sid))
                .map(c -> c.body().replaceAll(".*\"event\":\"([a-z_]+)\".*", "$1")).toList();
        assertThat(events).as("events of " + sid).containsExactlyInAnyOrder("replay_convert_start",
                "replay_convert_success", "replay_upload_start", "replay_upload_success");
    }

    private int owner(String taskId) {
        String holder = db.psql("SELECT lease_owner FROM worker_task WHERE id = '" + taskId + "'").strip();
        for (int i = 0; i < nodes.size(); i++) {
            if (holder.startsWith("node-" + (i + 1) + "#")) {
                return i;
            }
        }
        return -1;
    }

    @Test
    @Order(1)
    void everyTaskOfALoadIsPublishedOnceWhicheverNodesTookItsRequests() throws Exception {
        List<String> ids = new ArrayList<>();
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            String sid = UUID.randomUUID().toString();
            String id = send(sid, 2, 6);
            assertThat(id).as("task of " + sid + " accepted").isNotNull();
            ids.add(id);
            sids.add(sid);
        }
        for (String id : ids) {
            assertThat(awaitDone(id, 120).path("state").asText()).isEqualTo("done");
        }
        for (String sid : sids) {
            publishedOnce(sid, 2);
        }
        // every node took part: in requests (health checks aside) and in conversions
        String converters = db.psql("SELECT count(DISTINCT node) FROM worker_task_transition WHERE state = 'converting'").strip();
        assertThat(Integer.parseInt(converters)).as("nodes that converted").isGreaterThanOrEqualTo(2);
        assertThat(core.registrations.get()).as("each node registers as its own component").isEqualTo(NODES);
        JsonNode health = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(lb.baseUrl() + "/video-worker/health/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        assertThat(health.path("database").asText()).isEqualTo("ok");
        assertThat(health.path("cluster_nodes").toString()).as("any node lists the cluster").isEqualTo("[\"node-1\",\"node-2\",\"node-3\"]");
        String token = Files.readString(root.resolve("data/keys/admin_token")).strip(); // generated once, shared by the nodes
        java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(lb.baseUrl() + "/video-worker/status/"))
                        .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).as("the status page from any node shows the cluster").contains("3 nodes", "database ok: node-1, node-2, node-3");
    }

    @Test
    @Order(2)
    void aNodeKilledWhileConvertingLeavesItsTaskToAnother() throws Exception {
        String sid = UUID.randomUUID().toString();
        String id = send(sid, 1, 400); // long enough to be caught converting
        int victim = -1;
        long deadline = System.currentTimeMillis() + 60_000;
        while (victim < 0 && System.currentTimeMillis() < deadline) {
            if (db.psql("SELECT state FROM worker_task WHERE id = '" + id + "'").strip().equals("converting")) {
                victim = owner(id);
            }
            Thread.sleep(50);
        }
        assertThat(victim).as("a node converts the task").isGreaterThanOrEqualTo(0);
        nodes.get(victim).kill();
        assertThat(awaitDone(id, 180).path("state").asText()).isEqualTo("done");
        String finisher = db.psql("SELECT node FROM worker_task_transition WHERE task_id = '" + id
                + "' AND state = 'done'").strip();
        assertThat(finisher).as("another node finished it").isNotEqualTo("node-" + (victim + 1));
        publishedOnce(sid, 1);
        nodes.get(victim).start(); // back to three for what follows
    }

    @Test
    @Order(3)
    void aNodeKilledWhilePublishingIsReplacedAndTheReplayIsPublishedOnce() throws Exception {
        core.heldEvents.add("replay_upload_success"); // the objects are in; core does not answer the event yet
        String sid = UUID.randomUUID().toString();
        String id = send(sid, 2, 6);
        assertThat(core.eventHeld.await(120, TimeUnit.SECONDS)).as("publishing reached core").isTrue();
        int victim = owner(id);
        assertThat(victim).as("a node publishes the task").isGreaterThanOrEqualTo(0);
        nodes.get(victim).kill();
        core.heldEvents.clear();
        core.releaseEvents();
        assertThat(awaitDone(id, 120).path("state").asText()).isEqualTo("done");
        publishedOnce(sid, 2);
        nodes.get(victim).start();
    }

    @Test
    @Order(4)
    void thirtySecondsWithoutTheDatabaseLoseNoTask() throws Exception {
        List<String> ids = new ArrayList<>();
        List<String> sids = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean more = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = new Thread(() -> { // one Lion session every 2 s, before, during and after the outage
            while (more.get()) {
                String sid = UUID.randomUUID().toString();
                try {
                    String id = send(sid, 2, 30);
                    if (id != null) {
                        synchronized (ids) {
                            ids.add(id);
                            sids.add(sid);
                        }
                    } else {
                        refused.incrementAndGet(); // Lion keeps and uploads its original itself
                    }
                    Thread.sleep(2_000);
                } catch (Exception e) {
                    refused.incrementAndGet();
                }
            }
        });
        load.start();
        Thread.sleep(6_000);
        db.stop();
        long stopped = System.currentTimeMillis();
        Thread.sleep(7_000); // past the database probe's 2 s
        java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(nodes.get(0).base() + "/video-worker/health/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Thread.sleep(Math.max(0, 30_000 - (System.currentTimeMillis() - stopped)));
        db.start();
        int acceptedBefore;
        synchronized (ids) {
            acceptedBefore = ids.size();
        }
        Thread.sleep(12_000);
        more.set(false);
        load.join();
        assertThat(refused.get()).as("new tasks refused while the database was down").isPositive();
        assertThat(ids.size()).as("tasks accepted after it came back").isGreaterThan(acceptedBefore);
        assertThat(health.statusCode()).as("health while the database is down").isEqualTo(200);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(health.body()).path("database").asText())
                .isEqualTo("unreachable");
        assertThat(ids).as("tasks accepted around the outage").hasSizeGreaterThanOrEqualTo(4);
        for (String id : ids) {
            assertThat(awaitDone(id, 240).path("state").asText()).isEqualTo("done");
        }
        for (String sid : sids) {
            publishedOnce(sid, 2);
        }
        for (WorkerProcess n : nodes) {
            assertThat(Files.readString(n.log())).doesNotContain("Exception\n\tat ", "\tat org.postgresql");
        }
    }

    @Test
    @Order(5)
    void aNodeWithAnotherSecretKeyRefusesToStart() throws Exception {
        WorkerProcess stranger = node(root.resolve("data"), "node-x", "another-secret-key-0123456789abc");
        try {
            stranger.start();
            throw new AssertionError("a node with another secret key started");
        } catch (IllegalStateException expected) {
            assertThat(stranger.exitCode()).isNotZero();
            assertThat(Files.readString(stranger.log())).contains("VIDEO_WORKER_SECRET_KEY differs from the one the other nodes");
        } finally {
            stranger.close();
        }
    }
    @Test
    @Order(6)
    void aNodeStartedWhileTheDatabaseIsDownListensRefusesNewWorkAndJoinsWhenItIsBack() throws Exception {
        db.stop();
        WorkerProcess late = node(root.resolve("data"), "node-4", SECRET_KEY);
        WorkerProcess stranger = node(root.resolve("data"), "node-y", "another-secret-key-0123456789xyz");
        try {
            late.start(); // healthy without the database: the listener does not wait for it
            stranger.start();
            JsonNode health = healthOf(late);
            assertThat(health.path("database").asText()).isEqualTo("unreachable");
            String sid = UUID.randomUUID().toString();
            LionClient direct = new LionClient(late.port(), callerKey[0], callerKey[1]);
            List<Object[]> files = new ArrayList<>();
            files.add(new Object[] {sid + ".0.part.gz", 1_763_431_200_000L, 1_763_431_230_000L, "ab".repeat(32)});
            LionClient.Reply refused = direct.createTask(sid, LionClient.taskBody(sid, files));
            assertThat(refused.status()).as("new work refused: Lion keeps its recording").isEqualTo(503);
            assertThat(refused.body()).contains("database");

            db.start();
            long deadline = System.currentTimeMillis() + 90_000;
            while (!healthOf(late).path("database").asText().equals("ok") && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            assertThat(healthOf(late).path("database").asText()).as("joined once the database is back").isEqualTo("ok");
            assertThat(stranger.waitFor(90)).as("the node with another key stops once it can tell").isTrue();
            assertThat(stranger.exitCode()).isEqualTo(2);
            assertThat(Files.readString(stranger.log())).contains("VIDEO_WORKER_SECRET_KEY differs from the one the other nodes");
        } finally {
            stranger.close();
            late.close();
        }
    }

    private static JsonNode healthOf(WorkerProcess n) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(n.base() + "/video-worker/health/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
    }
}

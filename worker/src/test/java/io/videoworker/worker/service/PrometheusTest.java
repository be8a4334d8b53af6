package io.videoworker.worker.service;

import static io.videoworker.worker.service.CrashMatrixTest.assertOk;
import static io.videoworker.worker.service.CrashMatrixTest.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.spool.Spool;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped monitoring files against the real thing (Debian's prometheus package, which .ci/run
 * installs): promtool accepts the alert rules and their unit tests pass; a real Prometheus scrapes
 * a real worker, loads the rules and evaluates them without error; and every query of the Grafana
 * dashboard runs and the task counts it shows match the tasks the worker did.
 */
class PrometheusTest {
    private static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** A Debian tool; fails under CI when missing (CI installs it), else the test is skipped with the reason. */
    static Path tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String msg = name + " not found on PATH; install it with: apt-get install prometheus (as .ci/run does)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg);
        }
        Assumptions.abort(msg);
        return null;
    }

    private static String run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        Path promtool = tool("promtool");
        Path rules = DEPLOY.resolve("prometheus");
        assertThat(run(rules, promtool.toString(), "check", "rules", "video-worker-rules.yml")).contains("SUCCESS: 9 rules found");
        assertThat(run(rules, promtool.toString(), "test", "rules", "video-worker-rules.test.yml")).contains("SUCCESS");
    }

    @Test
    void aRealPrometheusScrapesTheWorkerAndEveryDashboardQueryRuns() throws Exception {
        Path prometheus = tool("prometheus");
        Files.createDirectories(dir.resolve("data/keys"));
        Files.writeString(dir.resolve("data/keys/access_keys"), MetricsTest.KEY_ID + ":" + MetricsTest.SECRET + "\n");
        try (Service service = TestRecordings.worker(dir.resolve("data"), Map.of())) {
            LionClient lion = new LionClient(service.port(), MetricsTest.KEY_ID, MetricsTest.SECRET);
            String sid = UUID.randomUUID().toString();
            byte[] part = TestRecordings.part(0x3060C0, 10_000, 12_000);
            String task = create(lion, sid, List.of(part), 10_000L);
            assertOk(lion.upload(task, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part)));
            lion.waitFor(task, "done", 120);

            int port = freePort();
            Files.copy(DEPLOY.resolve("prometheus/video-worker-rules.yml"), dir.resolve("video-worker-rules.yml"));
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    rule_files: [video-worker-rules.yml]
                    scrape_configs:
                      - job_name: video-worker
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(service.port()));
            Process prom = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String base = "http://127.0.0.1:" + port;
                JsonNode accepted = awaitQuery(base, "sum(videoworker_tasks_accepted_total{job=\"video-worker\"})", 1.0);
                assertThat(accepted).isNotNull();
                assertThat(value(query(base, "up{job=\"video-worker\"}"))).isEqualTo(1.0);
                assertThat(value(query(base, "sum(videoworker_tasks{job=\"video-worker\",state=\"done\"})"))).isEqualTo(1.0);

                // every rule loaded and evaluated cleanly (none fires for a healthy worker)
                awaitRulesEvaluated(base);
                JsonNode groups = get(base + "/api/v1/rules").path("data").path("groups");
                List<String> rules = new ArrayList<>();
                for (JsonNode g : groups) {
                    for (JsonNode r : g.path("rules")) {
                        rules.add(r.path("name").asText());
                        assertThat(r.path("health").asText()).as(r.toString()).isEqualTo("ok");
                        if (!r.path("name").asText().equals("VideoWorkerQueueStuck")) {
                            assertThat(r.path("state").asText()).as(r.path("name").asText()).isEqualTo("inactive");
                        }
                    }
                }
                assertThat(rules).hasSize(9);

                // every query of the dashboard runs, on metrics the worker has (a misspelt name would run, empty)
                String scraped = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                JsonNode dashboard = Spool.JSON.readTree(DEPLOY.resolve("grafana/video-worker.json").toFile());
                List<String> exprs = new ArrayList<>();
                dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
                exprs.add(Files.readString(DEPLOY.resolve("prometheus/video-worker-rules.yml")));
                java.util.regex.Matcher names = java.util.regex.Pattern.compile("\\b(videoworker_\\w+|jvm_\\w+|process_\\w+|system_\\w+)")
                        .matcher(String.join("\n", exprs));
                int named = 0;
                while (names.find()) {
                    assertThat(scraped).as("a metric the dashboard or the rules use").containsPattern("(?m)^" + names.group(1) + "[{ ]");
                    named++;
                }
                assertThat(named).isGreaterThan(30);
                int queries = 0;
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        String expr = target.path("expr").asText().replace("$job", "video-worker").replace("$instance", ".*")
                                .replace("$__rate_interval", "1m");
                        JsonNode r = query(base, expr);
                        assertThat(r.path("status").asText()).as(panel.path("title").asText() + ": " + expr + " -> " + r).isEqualTo("success");
                        queries++;
                    }
                }
                assertThat(queries).isGreaterThanOrEqualTo(25);
                JsonNode instance = dashboard.path("templating").path("list").get(1);
                assertThat(get(base + "/api/v1/label/instance/values").path("data").toString())
                        .as(instance.path("query").asText()).contains("127.0.0.1:" + service.port());
            } finally {
                prom.destroy();
                if (!prom.waitFor(10, TimeUnit.SECONDS)) {
                    prom.destroyForcibly();
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return Spool.JSON.readTree(r.body());
    }

    private static JsonNode query(String base, String expr) throws Exception {
        return get(base + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    }

    /** The first sample's value of an instant query, or null when it returned none. */
    private static Double value(JsonNode r) {
        JsonNode result = r.path("data").path("result");
        return result.isEmpty() ? null : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** Polls the query until it gives {@code expected} (Prometheus starting, then scraping every second). */
    private static JsonNode awaitQuery(String base, String expr, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                JsonNode r = query(base, expr);
                if (Double.valueOf(expected).equals(value(r))) {
                    return r;
                }
            } catch (IOException starting) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus never answered " + expected + " to " + expr);
    }

    private static void awaitRulesEvaluated(String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonNode groups = get(base + "/api/v1/rules").path("data").path("groups");
            if (!groups.isEmpty() && groups.get(0).path("lastEvaluation").asText().compareTo("2000") > 0) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the rules were never evaluated");
    }
}

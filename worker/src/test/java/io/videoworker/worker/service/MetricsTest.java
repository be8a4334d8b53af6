package io.videoworker.worker.service;

import static io.videoworker.worker.service.CrashMatrixTest.assertOk;
import static io.videoworker.worker.service.CrashMatrixTest.create;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.metrics.Scrape;
import io.videoworker.worker.spool.Task;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics after real tasks on a real worker: each count and histogram moves as
 * docs/operations.md says, the bytes add up to what task.json records, and no label carries a
 * session or task id. The token rule: open by default, Bearer only when METRICS_TOKEN is set.
 */
class MetricsTest {
    static final String KEY_ID = "3b9d7f21";
    static final String SECRET = "W4e7R1t9Y3u6I2o8P5a0S7d4F1g9H6j3";

    @TempDir
    Path data;

    private Service start(Map<String, String> settings) throws Exception {
        Files.createDirectories(data.resolve("keys"));
        Files.writeString(data.resolve("keys/access_keys"), KEY_ID + ":" + SECRET + "\n");
        return TestRecordings.worker(data, settings);
    }

    private static HttpResponse<String> get(Service s, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Scrape scrape(Service s) throws Exception {
        HttpResponse<String> r = get(s, "/metrics", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        return new Scrape(r.body());
    }

    @Test
    void aScrapeAfterRealTasksShowsWhatTheyDid() throws Exception {
        try (Service service = start(Map.of())) {
            LionClient lion = new LionClient(service.port(), KEY_ID, SECRET);
            Scrape before = scrape(service);
            assertThat(before.value("videoworker_core_state", "state", "standalone")).isEqualTo(1.0);
            assertThat(before.value("videoworker_pool_size")).isEqualTo(1.0);
            assertThat(before.sum("videoworker_tasks")).isZero();

            // a part that converts, a part that is not a recording (its original is published), and a G2 recording
            String good = UUID.randomUUID().toString();
            byte[] goodPart = TestRecordings.part(0x3060C0, 10_000, 12_000);
            String goodTask = create(lion, good, List.of(goodPart), 10_000L);
            assertOk(lion.upload(goodTask, 0, good + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(goodPart)));
            String bad = UUID.randomUUID().toString();
            byte[] badPart = TestRecordings.gzip("this is not a recording".getBytes());
            String badTask = create(lion, bad, List.of(badPart), 10_000L);
            assertOk(lion.upload(badTask, 0, bad + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(badPart)));
            String single = UUID.randomUUID().toString();
            Path singleFile = Files.write(data.resolve("single.replay.gz"), TestRecordings.part(0xC03060, 5_000, 8_000));
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("session_id", single);
            fields.put("session_date", "2025-11-18");
            LionClient.Reply r = lion.single(fields, singleFile);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            String singleTask = r.json().path("id").asText();
            for (String id : List.of(goodTask, badTask, singleTask)) {
                JsonNode s = lion.waitFor(id, id.equals(badTask) ? "failed" : "done", 120);
                assertThat(s.path("state").asText()).as(s.toString()).isEqualTo(id.equals(badTask) ? "failed" : "done");
            }

            Scrape m = scrape(service);
            assertThat(m.value("videoworker_tasks_accepted_total", "kind", "parts", "protocol", "vnc")).isEqualTo(2.0);
            assertThat(m.value("videoworker_tasks_accepted_total", "kind", "single", "protocol", "unknown")).isEqualTo(1.0);
            assertThat(m.value("videoworker_tasks_converted_total", "protocol", "vnc")).isEqualTo(1.0);
            assertThat(m.value("videoworker_tasks_converted_total", "protocol", "unknown")).isEqualTo(1.0);
            assertThat(m.value("videoworker_tasks_conversion_failed_total", "protocol", "vnc")).isEqualTo(1.0);
            assertThat(m.value("videoworker_tasks_published_total", "storage", "local", "content", "video")).isEqualTo(2.0);
            assertThat(m.value("videoworker_tasks_published_total", "storage", "local", "content", "originals")).isEqualTo(1.0);
            assertThat(m.value("videoworker_tasks", "state", "done")).isEqualTo(2.0);
            assertThat(m.value("videoworker_tasks", "state", "failed")).isEqualTo(1.0);
            assertThat(m.sum("videoworker_tasks")).isEqualTo(3.0);

            Task g = SpoolChecks.onDisk(data, goodTask);
            Task b = SpoolChecks.onDisk(data, badTask);
            Task s = SpoolChecks.onDisk(data, singleTask);
            assertThat(m.value("videoworker_received_bytes_total"))
                    .isEqualTo((double) goodPart.length + badPart.length + Files.size(singleFile));
            assertThat(g.outputBytes).isPositive();
            assertThat(m.value("videoworker_written_bytes_total")).isEqualTo((double) g.outputBytes + s.outputBytes);
            assertThat(m.value("videoworker_published_bytes_total"))
                    .isEqualTo((double) g.publishedBytes + b.publishedBytes + s.publishedBytes);
            assertThat(m.value("videoworker_conversion_seconds_count")).isEqualTo(2.0);
            assertThat(m.value("videoworker_conversion_seconds_sum")).isPositive();
            assertThat(m.value("videoworker_conversion_realtime_factor_count")).isEqualTo(2.0);
            assertThat(m.value("videoworker_queue_length")).isZero();
            assertThat(m.value("videoworker_queue_oldest_age_seconds")).isZero();
            assertThat(m.value("videoworker_conversions_running")).isZero();
            assertThat(m.value("videoworker_publish_retries_pending")).isZero();
            assertThat(m.value("videoworker_uploads_in_progress")).isZero();
            assertThat(m.value("videoworker_spool_free_bytes")).isPositive();
            assertThat(m.value("videoworker_spool_reserve_bytes")).isZero();
            assertThat(m.value("jvm_memory_used_bytes", "area", "heap", "id", "G1 Eden Space")).isNotNull();
            assertThat(m.has("process_cpu_usage")).isTrue();
            assertThat(m.has("jvm_threads_live_threads")).isTrue();
            assertThat(m.has("process_files_open_files")).isTrue();
            for (String id : List.of(good, bad, single, goodTask, badTask, singleTask)) {
                assertThat(m.text).as("no id in a label").doesNotContain(id);
            }

            // a storage that fails: a publish attempt fails, the task waits to retry
            Path replays = data.resolve("replays");
            Path aside = data.resolve("replays.aside");
            Files.move(replays, aside);
            Files.writeString(replays, "not a folder: every put fails");
            String waiting = UUID.randomUUID().toString();
            String waitingTask = create(lion, waiting, List.of(goodPart), 10_000L);
            assertOk(lion.upload(waitingTask, 0, waiting + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(goodPart)));
            CrashMatrixTest.await("a failed publish attempt", () -> CrashMatrixTest.status(lion, waitingTask)
                    .path("publish_attempts").asInt() >= 1);
            Scrape failing = scrape(service);
            assertThat(failing.value("videoworker_publish_attempts_failed_total", "storage", "local")).isGreaterThanOrEqualTo(1.0);
            assertThat(failing.value("videoworker_publish_retries_pending")).isEqualTo(1.0);
            assertThat(failing.value("videoworker_tasks", "state", "publishing")).isEqualTo(1.0);
            Files.delete(replays);
            Files.move(aside, replays);
            lion.waitFor(waitingTask, "done", 120);
            assertThat(scrape(service).value("videoworker_publish_retries_pending")).isZero();
        }
    }

    /** docs/operations.md lists every metric of the worker's own, and lists none it does not have. */
    @Test
    void everyMetricIsDocumentedAndEveryDocumentedOneExists() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("docs/operations.md"));
        try (Service service = start(Map.of())) {
            Scrape m = scrape(service);
            java.util.Set<String> served = new java.util.TreeSet<>();
            m.text.lines().filter(l -> l.startsWith("# TYPE videoworker_")).map(l -> l.split(" ")[2])
                    .filter(n -> !n.endsWith("_max")).forEach(served::add);
            java.util.Set<String> documented = new java.util.TreeSet<>();
            java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `(videoworker_\\w+)` \\|").matcher(doc);
            while (row.find()) {
                documented.add(row.group(1));
            }
            assertThat(documented).as("docs/operations.md's table").isEqualTo(served);
            java.util.regex.Matcher named = java.util.regex.Pattern.compile("`((?:jvm|process|system)_[a-z0-9_]+)").matcher(doc);
            while (named.find()) {
                String name = named.group(1).replace("_*", "");
                assertThat(m.text).as("docs/operations.md names " + name).contains(name);
            }
        }
    }

    @Test
    void metricsAreOpenUnlessATokenIsSetAndTheTokenOpensNothingElse() throws Exception {
        String token = "m3tr1cs-t0ken-f0r-prometheus";
        try (Service service = start(Map.of("METRICS_TOKEN", token))) {
            HttpResponse<String> none = get(service, "/metrics", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
            assertThat(none.body()).contains("Authorization: Bearer");
            assertThat(get(service, "/metrics", "Bearer wrong-token-wrong-token").statusCode()).isEqualTo(401);
            assertThat(get(service, "/metrics", "Bearer " + token + "x").statusCode()).isEqualTo(401);
            HttpResponse<String> ok = get(service, "/metrics", "Bearer " + token);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("# HELP videoworker_tasks ");
            assertThat(get(service, "/api/v2/replay/tasks/" + UUID.randomUUID(), "Bearer " + token).statusCode())
                    .as("the metrics token is no key to the API").isEqualTo(401);
        }
    }

    @Test
    void aTooShortTokenStopsStartUpWithOneLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.videoworker.worker.config.WorkerConfig.load(null,
                        Map.of("DATA_DIR", data.toString(), "METRICS_TOKEN", "short")))
                .hasMessage("METRICS_TOKEN must be at least 16 characters (or unset for an open /metrics), got 5");
    }
}

package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.api.ServerLimits;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients (reliability.md §4, "Slow clients"): 300 signed uploads that send their headers and
 * then one byte every 5 s (half of them) or nothing (the other half). Found: 260 of them failed
 * 4 of 12 health probes and grew the worker from 36 to 271 threads. Now, while they hang, health
 * and status answer at once, a normal upload is answered (accepted, or refused cleanly while every
 * slot is held), the request threads stay within {@link ServerLimits#THREADS}; the trickling ones
 * beyond the slots are refused at once, the others cut off by the minimum data rate, the silent
 * ones answered at the idle timeout, and nothing of them is kept.
 */
class SlowClientsTest {
    static final int SLOW = 300;
    static final Duration BYTE_EVERY = Duration.ofSeconds(5);

    @TempDir
    Path data;

    @Test
    @Timeout(120)
    void slowUploadsCannotStarveHealthOrTheThreadPool() throws Exception {
        try (StandAloneWorker worker = new StandAloneWorker(data); ApiLog log = new ApiLog()) {
            String sid = UUID.randomUUID().toString();
            byte[] gz = TestRecordings.part(0x3366CC, 1_000, 3_000);
            LionClient.Reply created = worker.lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                    new Object[] {sid + ".0.part.gz", 1_000L, 3_000L, TestRecordings.sha256(gz)},
                    new Object[] {sid + ".1.part.gz", 3_000L, 5_000L, TestRecordings.sha256(gz)})));
            String id = created.json().path("id").asText();
            String upload = "/api/v2/replay/sessions/" + id + "/task/upload/0";
            Map<String, String> h = new LinkedHashMap<>(StandAloneWorker.lionHeaders());
            h.put("Content-Type", "multipart/form-data; boundary=slow");
            h.put("Content-Length", String.valueOf(1 << 20));
            byte[] head = RawHttp.head("POST", upload, h).getBytes(StandardCharsets.UTF_8);

            System.gc();
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            long start = System.nanoTime();
            List<Long> probes = new ArrayList<>();
            LionClient.Reply during;
            SlowClients.Outcome[] outcomes;
            int maxPool;
            int maxThreads;
            try (SlowClients slow = new SlowClients(worker.port(), head, SLOW, BYTE_EVERY,
                    ServerLimits.IDLE_TIMEOUT.plusSeconds(30)).start()) {
                Thread.sleep(1_500); // all connected, every slot held
                for (int i = 0; i < 12; i++) {
                    probes.add(timed(() -> assertThat(RawHttp.send(worker.port(), "GET", "/video-worker/health/", Map.of(),
                            new byte[0]).status()).isEqualTo(200)));
                    probes.add(timed(() -> assertThat(worker.lion.status(id).status()).isEqualTo(200)));
                    Thread.sleep(500);
                }
                assertThat(slow.open()).as("slow connections still hanging after the probes").isPositive();
                during = worker.lion.upload(id, 1, sid + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(gz));
                outcomes = slow.outcomes().toArray(SlowClients.Outcome[]::new);
                maxPool = slow.maxPoolThreads();
                maxThreads = slow.maxThreads();
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000;

            // health and status answered within 2 s each while the slow ones hung
            assertThat(probes).hasSize(24).allMatch(ms -> ms < 2_000);
            // the normal upload: accepted, or refused in the upload shape while the slots are held
            assertThat(during.status()).as(during.body()).isIn(200, 503);
            assertThat(during.json().path("ok").asBoolean()).isEqualTo(during.status() == 200);
            // every slow connection got a JSON answer: refused at once, or cut off
            List<SlowClients.Outcome> all = List.of(outcomes);
            List<SlowClients.Outcome> refused = all.stream().filter(o -> o.status() == 503).toList();
            List<SlowClients.Outcome> cut = all.stream().filter(o -> o.status() == 408).toList();
            assertThat(refused.size() + cut.size()).as("answered 503 or 408: " + summary(all)).isEqualTo(SLOW);
            assertThat(refused).allMatch(o -> o.millis() < 2_000 && o.body().startsWith("{\"ok\":false,\"error_message\":\"busy: "));
            // the trickling ones hold a thread and a slot until the minimum rate cuts them off at their second byte
            List<SlowClients.Outcome> trickled = cut.stream().filter(SlowClients.Outcome::trickle).toList();
            assertThat(trickled.size()).as("admitted at most the slots").isBetween(1, ServerLimits.MAX_BODIES);
            assertThat(trickled).allMatch(o -> o.body().contains("request body too slow") && o.millis() < 3 * BYTE_EVERY.toMillis());
            // the silent ones hold neither: Jetty hands a request over once its body starts, or at the idle timeout
            List<SlowClients.Outcome> silent = all.stream().filter(o -> !o.trickle()).toList();
            assertThat(silent).allMatch(o -> o.status() == 408 && o.body().contains("request body stalled")
                    && o.millis() > ServerLimits.IDLE_TIMEOUT.toMillis() - 1_000 && o.millis() < ServerLimits.IDLE_TIMEOUT.toMillis() + 5_000);
            // bounded threads: the request pool never above its size, the process within it
            assertThat(maxPool).isLessThanOrEqualTo(ServerLimits.THREADS);
            assertThat(maxThreads - threadsBefore).isLessThanOrEqualTo(ServerLimits.THREADS);
            // nothing half-accepted: part 0 never arrived, no partial file is left
            assertThat(worker.lion.status(id).json().path("files").get(0).path("received").asBoolean()).isFalse();
            try (Stream<Path> in = Files.list(data.resolve("tasks/" + id + "/in"))) {
                assertThat(in.map(p -> p.getFileName().toString()).filter(n -> !n.equals(sid + ".1.part.gz"))).isEmpty();
            }
            // one line each, no stack trace
            assertThat(log.about("refused: busy")).hasSize(refused.size() + (during.status() == 503 ? 1 : 0));
            assertThat(log.about("(HTTP 408)")).hasSize(cut.size());
            assertThat(log.all()).allMatch(e -> e.getThrowableProxy() == null);
            // and afterwards the slots are free again
            LionClient.Reply after = worker.lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(gz));
            assertThat(after.json().path("ok").asBoolean()).as(after.body()).isTrue();

            System.out.printf("slow clients: %d refused at once (max %d ms), %d cut off (%d by rate, %d at the idle timeout); "
                            + "24 probes max %d ms; normal upload during: %d; request threads max %d (limit %d), "
                            + "process threads %d -> max %d; %d s%n",
                    refused.size(), refused.stream().mapToLong(SlowClients.Outcome::millis).max().orElse(0), cut.size(),
                    trickled.size(), silent.size(),
                    probes.stream().mapToLong(Long::longValue).max().orElse(0), during.status(), maxPool, ServerLimits.THREADS,
                    threadsBefore, maxThreads, seconds);
        }
    }

    interface Probe {
        void run() throws Exception;
    }

    static long timed(Probe p) throws Exception {
        long t = System.nanoTime();
        p.run();
        return (System.nanoTime() - t) / 1_000_000;
    }

    static String summary(List<SlowClients.Outcome> all) {
        Map<Integer, Long> byStatus = new java.util.TreeMap<>();
        all.forEach(o -> byStatus.merge(o.status(), 1L, Long::sum));
        return byStatus.toString();
    }
}

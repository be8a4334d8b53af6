package io.videoworker.worker.load;

import static io.videoworker.worker.load.LoadClients.atOnce;
import static io.videoworker.worker.load.LoadClients.connected;
import static io.videoworker.worker.load.LoadClients.createUnsent;
import static io.videoworker.worker.load.LoadClients.last;
import static io.videoworker.worker.load.LoadClients.remaining;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.WorkerProcess;
import io.videoworker.worker.load.LoadClients.Client;
import io.videoworker.worker.load.LoadClients.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, load: against the worker as a child process with its real pool and the launcher's JVM
 * options, 50 Lion-like clients at once each create a task and upload a 3-part recording (real
 * guacd output), while one more client uploads a 300 MiB part; meanwhile task creation is timed
 * with every conversion slot busy. Every upload must be accepted, every task converted and
 * published as valid MP4s, nothing retried, no conversion process or open spool file left behind.
 * The figures go to target/load-report.md (bench/load.sh prints them; docs/reliability.md §4).
 * Bounded: fixed counts, one time budget for every wait, and the worker and its children are
 * killed at the end whatever happens.
 */
@Timeout(value = 17, unit = TimeUnit.MINUTES)
class LoadTest {
    private static final int CLIENTS = 50;
    private static final long SLICE_MS = 1000;
    private static final long BIG_BYTES = 300L << 20; // Lion's REPLAY_MAX_SIZE
    private static final int PROBES = 200;
    private static final int WARM_UP = 20;
    private static final Duration BUDGET = Duration.ofMinutes(15); // a hang guard: about 3 min on 2 free cores
    private static final Path SAMPLES = Path.of("../samples");
    private static final Path REPORT = Path.of("target/load-report.md");
    private static final String DAY = "2025-11-18"; // date_start in LionClient.taskBody
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void fiftyClientsAndA300MibPartAreAllConvertedAndPublished() throws Exception {
        List<SampleSlice> slices = new ArrayList<>();
        for (String sample : List.of("vnc-desktop-30s", "vnc-desktop-30s-guacd160", "vnc-audio-60s")) {
            slices.add(SampleSlice.of(lionPart(SAMPLES.resolve(sample)), SLICE_MS));
        }
        slices.sort(Comparator.comparingLong(SampleSlice::start)); // Lion numbers parts in time order
        String bigSid = UUID.randomUUID().toString();
        long t = System.nanoTime();
        BigPart.Written big = BigPart.write(dir.resolve(bigSid + ".0.part.gz"), BIG_BYTES);
        double generateSec = seconds(System.nanoTime() - t);

        Path data = dir.resolve("data");
        Path gcLog = dir.resolve("worker-gc.log");
        int pool = Runtime.getRuntime().availableProcessors() + 1; // what VIDEO_WORKER_COUNT=0 means
        LoadReport report = new LoadReport();
        report.add("worker", "stand-alone child process, VIDEO_WORKER_COUNT=0 = %d conversions at once, "
                + "-Xms32m -Xmx512m -XX:+UseSerialGC, loopback", pool);
        report.add("load", "%d clients at once x 3 parts (first %d ms of the three samples, %s bytes gz) "
                + "+ 1 client x 1 part of %.1f MiB (%d s of 1024x768, random-noise PNGs)", CLIENTS, SLICE_MS,
                slices.stream().map(s -> Integer.toString(s.gz().length)).toList(), LoadReport.mib(big.gzBytes()),
                (big.end() - big.start()) / 1000);
        report.add("writing the 300 MiB part (test side)", "%.1f s", generateSec);
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 2);
        try (WorkerProcess worker = new WorkerProcess(data,
                Map.of("VIDEO_WORKER_COUNT", "0", "VIDEO_WORKER_SPOOL_RESERVE_MB", "512"),
                "-Xms32m", "-Xmx512m", "-XX:+UseSerialGC", "-Xlog:gc:file=" + gcLog).start();
             ProcessWatch watch = new ProcessWatch(worker.pid())) {
            report.add("worker log and data (kept if the test fails)", "%s", dir);
            long fdsAtStart = ProcessWatch.openFiles(worker.pid(), data)[0];
            for (int i = 0; i < WARM_UP; i++) { // the burst should meet a running worker, not a cold one's first calls
                assertThat(createUnsent(worker.lion()).status()).isEqualTo(200);
            }
            long deadline = System.nanoTime() + BUDGET.toNanos();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Client>> small = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                LionClient lion = connected(worker.lion());
                small.add(threads.submit(atOnce(go, () -> LoadClients.threeParts(lion, slices))));
            }
            LionClient bigLion = connected(worker.lion());
            Future<Client> bigClient = threads.submit(atOnce(go, () -> LoadClients.bigPart(bigLion, bigSid, big, watch)));
            LionClient probeLion = connected(worker.lion());
            Future<List<Probe>> probes = threads.submit(atOnce(go, () -> LoadClients.probe(probeLion, watch, pool, PROBES, deadline)));
            double clientCpuAtStart = cpuNow();
            long t0 = System.nanoTime();
            go.countDown();

            List<Client> clients = new ArrayList<>();
            for (Future<Client> f : small) {
                clients.add(f.get(remaining(deadline), TimeUnit.NANOSECONDS));
            }
            report.add("all " + CLIENTS + " small tasks uploaded", "%.1f s after the start", seconds(System.nanoTime() - t0));
            Client bigRun = bigClient.get(remaining(deadline), TimeUnit.NANOSECONDS);
            clients.add(bigRun);
            report.add("all " + clients.size() + " tasks uploaded", "%.1f s after the start", seconds(System.nanoTime() - t0));
            report.add("300 MiB part upload", "%.2f s = %.0f MiB/s (Java HttpClient, beside 50 clients and the conversions)",
                    seconds(bigRun.uploadNanos()), LoadReport.mib(big.gzBytes()) / seconds(bigRun.uploadNanos()));
            List<Long> burst = clients.stream().map(Client::createNanos).sorted().toList();
            report.add("task creation, burst of " + clients.size() + " at the start (after " + WARM_UP + " warm-up creates)",
                    "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    ms(LoadReport.percentile(burst, 50)), ms(LoadReport.percentile(burst, 99)), ms(burst.get(burst.size() - 1)));
            List<Probe> timed = probes.get(remaining(deadline), TimeUnit.NANOSECONDS);
            List<Long> full = timed.stream().filter(Probe::poolFull).map(Probe::nanos).sorted().toList();
            if (!full.isEmpty()) {
                report.add("task creation, all conversion slots busy",
                        "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d of %d sequential requests)",
                        ms(LoadReport.percentile(full, 50)), ms(LoadReport.percentile(full, 99)), ms(full.get(full.size() - 1)),
                        full.size(), timed.size());
            }
            Map<String, JsonNode> finals = LoadClients.awaitFinished(worker.lion(), clients, deadline, report);
            report.add("tasks converted and published", "%d of %d done, %d failed", count(finals, "done"), clients.size(),
                    count(finals, "failed"));
            report.add("total time (first request to last task done)", "%.1f s", seconds(System.nanoTime() - t0));

            double clientCpu = cpuNow() - clientCpuAtStart;
            double[] cpu = ProcessWatch.cpuSeconds(worker.pid());
            List<Long> converted = conversionMillis(data, clients.subList(0, CLIENTS));
            report.add("conversion time per 3-part task (child JVM start included)", "median %.1f s, max %.1f s",
                    LoadReport.percentile(converted, 50) / 1000.0, converted.get(converted.size() - 1) / 1000.0);
            report.add("conversion time of the 300 MiB part", "%.1f s", conversionMillis(data, List.of(bigRun)).get(0) / 1000.0);
            report.add("CPU time", "worker %.0f s + conversions %.0f s; test-side clients %.0f s; on 2 free cores at least %.0f s",
                    cpu[0], cpu[1], clientCpu, (cpu[0] + cpu[1] + clientCpu) / 2);
            long workerPeakKib = worker.peakRssKib();
            long[] fdsAtEnd = ProcessWatch.openFiles(worker.pid(), data);
            List<ProcessHandle> leftOver = worker.children();
            worker.stop(); // a graceful stop flushes the GC log
            GcLog heap = GcLog.read(gcLog);
            report.add("worker heap peak (used before a collection)", "%d MiB; committed at most %d MiB; %d collections",
                    heap.peakUsedMib(), heap.peakCommittedMib(), heap.collections());
            report.add("worker RSS peak (VmHWM)", "%.0f MiB", workerPeakKib / 1024.0);
            report.add("conversion process RSS peak", "%.0f MiB (the 300 MiB part's: %.0f MiB)", watch.childPeakKib() / 1024.0,
                    watch.bigChildPeakKib() / 1024.0);
            report.add("worker + conversions RSS, peak of the sum", "%.0f MiB (sampled every 100 ms)", watch.totalPeakKib() / 1024.0);
            report.add("most conversions at once", "%d (pool %d)", watch.maxRunning(), pool);
            report.add("worker's open descriptors", "%d at start, %d at the end, %d of them under DATA_DIR", fdsAtStart,
                    fdsAtEnd[0], fdsAtEnd[1]);

            assertEveryTaskPublished(data, clients, finals, slices, big);
            assertThat(timed).as("creations timed").hasSize(PROBES);
            assertThat(timed).extracting(Probe::status).containsOnly(200);
            assertThat(full).as("creations timed while every conversion slot was busy").isNotEmpty();
            assertThat(watch.maxRunning()).as("conversions at once never exceed the pool").isEqualTo(pool);
            assertThat(leftOver).as("conversion processes left once all tasks are done").isEmpty();
            assertThat(fdsAtEnd[1]).as("files under DATA_DIR the idle worker still holds open").isZero();
            try (Stream<String> lines = Files.lines(worker.log())) {
                assertThat(lines.filter(l -> l.contains(" ERROR ")).toList()).as("errors in the worker's log").isEmpty();
            }
        } finally {
            threads.shutdownNow();
            report.write(REPORT);
            Files.deleteIfExists(big.file());
        }
    }

    /** Every upload accepted, every task done at the first attempt, its inputs gone and its MP4s published and valid. */
    private static void assertEveryTaskPublished(Path data, List<Client> clients, Map<String, JsonNode> finals,
            List<SampleSlice> slices, BigPart.Written big) throws Exception {
        for (Client c : clients) {
            assertThat(c.replies()).as("create + one upload per part for session " + c.sid())
                    .hasSize(c == last(clients) ? 2 : 1 + slices.size());
            LionClient.Reply created = c.replies().get(0);
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            assertThat(c.taskId()).isNotBlank();
            for (LionClient.Reply up : c.replies().subList(1, c.replies().size())) {
                assertThat(up.status()).as(up.body()).isEqualTo(200);
                assertThat(up.json().path("ok").asBoolean()).as(up.body()).isTrue();
            }
            JsonNode s = finals.get(c.taskId());
            assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("done");
            assertThat(s.path("attempts").asInt()).as("converted at the first attempt: " + s).isEqualTo(1);
            assertThat(Files.exists(data.resolve("tasks/" + c.taskId() + "/in"))).as("inputs deleted once published").isFalse();
        }
        for (Client c : clients.subList(0, clients.size() - 1)) {
            List<Mp4Info> mp4s = published(data, c.sid(), slices.size());
            for (int n = 0; n < slices.size(); n++) {
                SampleSlice s = slices.get(n);
                assertThat(mp4s.get(n).durationMs()).as(c.sid() + " part " + n).isGreaterThanOrEqualTo(s.end() - s.start());
            }
        }
        Mp4Info bigMp4 = published(data, last(clients).sid(), 1).get(0);
        assertThat(bigMp4.durationMs()).isGreaterThanOrEqualTo(big.end() - big.start());
        assertThat(bigMp4.videoFrames()).as("one picture per sync").isGreaterThanOrEqualTo((big.end() - big.start()) / 100);
    }

    /** "converted in N ms" from each task's log, sorted. */
    private static List<Long> conversionMillis(Path data, List<Client> clients) throws Exception {
        List<Long> ms = new ArrayList<>();
        for (Client c : clients) {
            String log = Files.readString(data.resolve("tasks/" + c.taskId() + "/task.log"));
            Matcher m = Pattern.compile("converted in (\\d+) ms").matcher(log);
            assertThat(m.find()).as("task log of " + c.taskId() + " says how long the conversion took").isTrue();
            ms.add(Long.parseLong(m.group(1)));
        }
        ms.sort(null);
        return ms;
    }

    /** CPU seconds this JVM (the clients) has used. */
    private static double cpuNow() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(0.0);
    }

    /** The Lion part file of a sample folder. */
    private static Path lionPart(Path sample) throws Exception {
        try (Stream<Path> files = Files.list(sample.resolve("lion"))) {
            return files.filter(f -> f.toString().endsWith(".part.gz")).findFirst().orElseThrow();
        }
    }

    /** The session's replay.json (type mp4, one entry per part) and its MP4s, probed, in part order. */
    private static List<Mp4Info> published(Path data, String sid, int parts) throws Exception {
        Path dir = data.resolve("replays/" + DAY + "/" + sid);
        JsonNode replay = JSON.readTree(dir.resolve(sid + ".replay.json").toFile());
        assertThat(replay.path("type").asText()).isEqualTo("mp4");
        assertThat(replay.path("files")).hasSize(parts);
        List<Mp4Info> infos = new ArrayList<>();
        for (int n = 0; n < parts; n++) {
            assertThat(replay.path("files").get(n).path("name").asText()).isEqualTo(sid + "." + n + ".part.mp4");
            Mp4Info info = Mp4Probe.info(dir.resolve(sid + "." + n + ".part.mp4"));
            assertThat(info.videoCodec()).isEqualTo("h264");
            assertThat(info.pixelFormat()).isEqualTo("yuv420p");
            assertThat(info.width()).isEqualTo(1024);
            assertThat(info.height()).isEqualTo(768);
            assertThat(info.videoFrames()).isPositive();
            assertThat(info.moovBeforeMdat()).as("faststart").isTrue();
            infos.add(info);
        }
        return infos;
    }

    private static long count(Map<String, JsonNode> finals, String state) {
        return finals.values().stream().filter(s -> s.path("state").asText().equals(state)).count();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}

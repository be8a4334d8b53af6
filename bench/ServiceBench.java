import io.videoworker.worker.Service;
import io.videoworker.worker.auth.HttpSignature;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.spool.Spool;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Service benchmark (issue 4): upload throughput of one big part against plain disk writes, heap
 * during that upload, task-creation latency while every worker converts, and 20 tasks at once.
 * Run: java -cp worker/target/video-worker.jar bench/ServiceBench.java [PART_MB] [BUSY_RECORDING]
 * Everything talks to 127.0.0.1 only and stops by itself.
 */
public class ServiceBench {
    static final String KEY = "bench";
    static final String SECRET = "bench-secret-bench-secret-bench-x";
    static HttpClient http = HttpClient.newHttpClient();
    static String base;

    public static void main(String[] args) throws Exception {
        int partMb = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path busy = Path.of(args.length > 1 ? args[1] : "samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz");
        Path small = Path.of("samples/vnc-audio-60s/lion/77a63645-8191-5d3b-af51-4aac481ff8a0.0.part.gz");
        Path dir = Files.createTempDirectory("vw-bench");
        Files.createDirectories(dir.resolve("data/keys"));
        Files.writeString(dir.resolve("data/keys/access_keys"), KEY + ":" + SECRET + "\n");
        WorkerConfig cfg = WorkerConfig.load(null, Map.of("DATA_DIR", dir.resolve("data").toString(),
                "BIND_HOST", "127.0.0.1", "VIDEO_WORKER_SPOOL_RESERVE_MB", "0", "LOG_LEVEL", "WARN")).withPort(0);
        try (Service service = new Service(cfg).start()) {
            base = "http://127.0.0.1:" + service.port();
            System.out.printf("machine: %d cores, workers %d, data on %s%n", Runtime.getRuntime().availableProcessors(),
                    cfg.effectiveWorkers(), Files.getFileStore(dir));

            // 1. the part, and its checksum
            Path big = dir.resolve("big.part.gz");
            double diskSec = plainWrite(big, partMb, false);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[1 << 20];
            new Random(1).nextBytes(block);
            for (int i = 0; i < partMb; i++) {
                block[0] = (byte) i;
                sha.update(block);
            }
            String sum = HexFormat.of().formatHex(sha.digest());
            System.out.printf("disk write %d MiB + fsync: %.2f s = %.0f MiB/s%n", partMb, diskSec, partMb / diskSec);

            // 2. uploads of the same file (the first one with a cold JVM), heap sampled meanwhile
            List<Long> heap = Collections.synchronizedList(new ArrayList<>());
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    heap.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            var cpu = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            List<Double> ratios = new ArrayList<>();
            for (int run = 1; run <= 6; run++) {
                String sid = UUID.randomUUID().toString();
                // two parts announced, one sent: the task waits, so no conversion or publishing runs meanwhile
                String id = create(sid, List.<Object[]>of(new Object[] {sid + ".0.part.gz", sum}, new Object[] {sid + ".1.part.gz", sum}));
                // the reference right before each upload, the faster of two plain writes: all then fsync
                // (as dd conv=fsync), and with write-back every 64 MiB (as the upload does)
                double atEnd = plainWrite(dir.resolve("reference.bin"), partMb, false);
                Files.delete(dir.resolve("reference.bin"));
                Thread.sleep(1000);
                double early = plainWrite(dir.resolve("reference.bin"), partMb, true);
                Files.delete(dir.resolve("reference.bin"));
                diskSec = Math.min(atEnd, early);
                Thread.sleep(1000);
                long t0 = System.nanoTime();
                long cpu0 = cpu.getProcessCpuTime();
                String reply = curlUpload(id, 0, big); // a separate, lean client, as Lion's Go client is
                double upSec = (System.nanoTime() - t0) / 1e9;
                double cpuSec = (cpu.getProcessCpuTime() - cpu0) / 1e9; // what the server spent, whatever else runs
                System.out.printf("run %d%s: plain write %.2f s (fsync at the end %.2f s, early write-back %.2f s), upload with curl %.2f s = %.0f MiB/s = %.0f %% of the plain write's speed; server CPU %.2f s; reply %s%n",
                        run, run == 1 ? " (cold JVM)" : "", diskSec, atEnd, early, upSec, partMb / upSec, 100 * diskSec / upSec, cpuSec, reply);
                if (run > 1) {
                    ratios.add(diskSec / upSec);
                }
                Thread.sleep(2000); // let the page cache drain
            }
            sampler.interrupt();
            Collections.sort(ratios);
            System.out.printf("warm runs: upload at %.0f–%.0f %% of the plain write's speed, median %.0f %%%n",
                    100 * ratios.get(0), 100 * ratios.get(ratios.size() - 1), 100 * ratios.get(ratios.size() / 2));
            long min = heap.stream().mapToLong(Long::longValue).min().orElse(0);
            long max = heap.stream().mapToLong(Long::longValue).max().orElse(0);
            System.out.printf("heap used during the uploads: %d..%d MiB over %d samples (parts are streamed, not held)%n",
                    min >> 20, max >> 20, heap.size());
            if (args.length > 2 && args[2].equals("upload-only")) {
                return;
            }

            // 3. task creation latency while every worker converts
            int workers = cfg.effectiveWorkers();
            List<String> running = new ArrayList<>();
            for (int i = 0; i < workers * 2; i++) {
                running.add(single(busy));
            }
            Thread.sleep(1500);
            List<Long> lat = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String s = UUID.randomUUID().toString();
                long a = System.nanoTime();
                create(s, List.<Object[]>of(new Object[] {s + ".0.part.gz", sum}));
                lat.add((System.nanoTime() - a) / 1000);
            }
            Collections.sort(lat);
            System.out.printf("task creation while %d conversions run: p50 %.1f ms, p99 %.1f ms, max %.1f ms (200 requests)%n",
                    workers, lat.get(100) / 1000.0, lat.get(197) / 1000.0, lat.get(199) / 1000.0);
            for (String r : running) {
                waitDone(r);
            }

            // 4. twenty Lion parts at once
            byte[] part = Files.readAllBytes(small);
            String partSum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(part));
            ExecutorService pool = Executors.newFixedThreadPool(20);
            long t0 = System.nanoTime();
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(pool.submit(() -> {
                    String s = UUID.randomUUID().toString();
                    String t = create(s, List.<Object[]>of(new Object[] {s + ".0.part.gz", partSum}));
                    Path f = dir.resolve(s + ".0.part.gz");
                    Files.write(f, part);
                    upload(t, 0, f);
                    return t;
                }));
            }
            double acceptedSec = 0;
            for (Future<String> f : ids) {
                f.get();
            }
            acceptedSec = (System.nanoTime() - t0) / 1e9;
            for (Future<String> f : ids) {
                waitDone(f.get());
            }
            double allSec = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            System.out.printf("20 tasks at once (60 s recording each): all accepted in %.2f s, all converted and published in %.1f s%n",
                    acceptedSec, allSec);
        } finally {
            Spool.deleteTree(dir); // a run leaves over 1 GB of parts otherwise
        }
    }

    static HttpRequest.Builder signed(String path) {
        String date = HttpSignature.now();
        return HttpRequest.newBuilder(URI.create(base + path)).header("Date", date)
                .header("Authorization", HttpSignature.authorization(KEY, SECRET, "GET", "/api/v1/users/profile/", date));
    }

    static String create(String sid, List<Object[]> files) throws Exception {
        StringBuilder f = new StringBuilder();
        for (Object[] o : files) {
            f.append(f.length() == 0 ? "" : ",").append("{\"name\":\"").append(o[0]).append("\",\"start\":1,\"end\":2,\"duration\":1,\"size\":1,\"checksum\":\"")
                    .append(o[1]).append("\"}");
        }
        String body = "{\"config\":{},\"meta\":{\"id\":\"" + sid + "\",\"date_start\":\"2025-11-18 02:00:00 +0000\",\"files\":[" + f + "]}}";
        String r = http.send(signed("/api/v2/replay/sessions/" + sid + "/task/").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return r.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    }

    static String upload(String id, int i, Path file) throws Exception {
        String b = "bnd";
        byte[] head = ("--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file.getFileName()
                + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        return http.send(signed("/api/v2/replay/sessions/" + id + "/task/upload/" + i)
                .header("Content-Type", "multipart/form-data; boundary=" + b)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofString("\r\n--" + b + "--\r\n")))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The reference: the same number of MiB written from memory and fsynced, no checksum, with
     * or without fdatasync every 64 MiB to start the write-back early; seconds.
     */
    static double plainWrite(Path file, int mib, boolean earlyWriteBack) throws Exception {
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                block[0] = (byte) i;
                ch.write(ByteBuffer.wrap(block));
                if (earlyWriteBack && i % 64 == 63) {
                    ch.force(false);
                }
            }
            ch.force(true);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Uploads with curl in its own process, so the client does not share this JVM's CPU. */
    static String curlUpload(String id, int i, Path file) throws Exception {
        String date = HttpSignature.now();
        Process p = new ProcessBuilder("curl", "-s", "-H", "Date: " + date, "-H", "Authorization: "
                + HttpSignature.authorization(KEY, SECRET, "GET", "/api/v1/users/profile/", date),
                "-F", "file=@" + file, base + "/api/v2/replay/sessions/" + id + "/task/upload/" + i).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    static String single(Path file) throws Exception {
        String sid = UUID.randomUUID().toString();
        String b = "bnd";
        String head = "--" + b + "\r\nContent-Disposition: form-data; name=\"session_id\"\r\n\r\n" + sid + "\r\n--" + b
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.replay.gz\"\r\n\r\n";
        String r = http.send(signed("/api/v2/replay/sessions/" + sid + "/task/")
                .header("Content-Type", "multipart/form-data; boundary=" + b)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofString("\r\n--" + b + "--\r\n")))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return r.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    }

    static void waitDone(String id) throws Exception {
        for (int i = 0; i < 6000; i++) {
            String s = http.send(signed("/api/v2/replay/tasks/" + id + "/").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            if (s.contains("\"state\":\"done\"") || s.contains("\"state\":\"failed\"") || s.contains("\"state\":\"expired\"")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("task " + id + " did not finish");
    }
}

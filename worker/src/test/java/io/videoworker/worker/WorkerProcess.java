package io.videoworker.worker;

import io.videoworker.worker.config.WorkerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The worker service as a real child process ({@code Main serve} on this test JVM's class path),
 * for what an in-process service cannot show: SIGKILL, RSS, orphaned children. Stand-alone on a
 * fixed loopback port with a known access key; output goes to {@code worker-<n>.log} beside the
 * data directory. Restart it on the same data directory to test recovery.
 */
public final class WorkerProcess implements AutoCloseable {
    public static final String KEY_ID = "7e1f3a9c";
    public static final String SECRET = "Q2w8E4r6T1y9U3i5O7p0A2s4D6f8G1h3";
    /** The keys the worker reads from its environment: cleared so the caller's shell cannot leak in. */
    private static final java.util.Set<String> CONFIG_KEYS = java.util.Set.copyOf(WorkerConfig.KEYS);

    private final Path data;
    private final Map<String, String> env;
    private final List<String> jvmOptions;
    private final int port;
    private int starts;
    private Process process;
    private Path log;

    /** Test defaults as for the in-process worker (one conversion at a time, no reserve, 1 s retry base) plus {@code settings}. */
    public WorkerProcess(Path data, Map<String, String> settings, String... jvmOptions) throws IOException {
        this.data = data;
        this.port = freePort();
        this.env = new HashMap<>(Map.of("DATA_DIR", data.toString(), "BIND_HOST", "127.0.0.1",
                "HTTPD_PORT", Integer.toString(port), "VIDEO_WORKER_COUNT", "1",
                "VIDEO_WORKER_SPOOL_RESERVE_MB", "0", "VIDEO_WORKER_RETRY_BASE_SECONDS", "1"));
        this.env.putAll(settings);
        this.jvmOptions = jvmOptions.length > 0 ? List.of(jvmOptions) : List.of("-Xmx256m", "-XX:+UseSerialGC");
        Files.createDirectories(data.resolve("keys"));
        Files.writeString(data.resolve("keys/access_keys"), KEY_ID + ":" + SECRET + "\n");
    }

    /** Starts the service and waits until its health endpoint answers and, with a core, it is registered. */
    public WorkerProcess start() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("worker already running");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                "--config", data.resolve("no-config.txt").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().keySet().removeIf(k -> CONFIG_KEYS.contains(k));
        pb.environment().putAll(env);
        process = pb.start();
        starts++;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited with " + process.exitValue() + "; see " + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/video-worker/health/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && (r.body().contains("\"core\":\"ok\"") || r.body().contains("\"core\":\"standalone\""))) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("worker did not become healthy within 60 s; see " + log());
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. Waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits for the process to exit by itself; false if it still runs after {@code seconds}. */
    public boolean waitFor(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** SIGTERM: the graceful stop. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            ProcessHandle handle = process.toHandle();
            List<ProcessHandle> children = handle.descendants().toList();
            kill();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The exit code of a process that has ended. */
    public int exitCode() {
        return process.exitValue();
    }

    /** Processes the worker started (its conversion JVMs), still alive. */
    public List<ProcessHandle> children() {
        return process.toHandle().descendants().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * Processes anywhere on this host whose command line names this data directory, other than
     * the running worker and its own children: what a killed worker left behind. (A killed
     * worker's children are re-parented, so {@link #children()} no longer sees them.)
     */
    public List<ProcessHandle> leftovers() {
        String needle = data.toString();
        java.util.Set<Long> ours = new java.util.HashSet<>();
        if (process != null && process.isAlive()) {
            ours.add(process.pid());
            process.toHandle().descendants().forEach(p -> ours.add(p.pid()));
        }
        return ProcessHandle.allProcesses()
                .filter(p -> !ours.contains(p.pid()) && p.isAlive())
                .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
                .toList();
    }

    /** Peak resident set of the running worker in KiB (VmHWM), or -1 once it has exited. */
    public long peakRssKib() throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    public int port() {
        return port;
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    /** How many times the worker has been started on this data directory. */
    public int starts() {
        return starts;
    }

    public Path data() {
        return data;
    }

    public Path log() {
        return log != null ? log : data.resolveSibling(data.getFileName() + "-worker.log");
    }

    /** Output to {@code file} instead (several workers on one data directory: a cluster's nodes). */
    public WorkerProcess logTo(Path file) {
        this.log = file;
        return this;
    }

    public LionClient lion() {
        return new LionClient(port, KEY_ID, SECRET);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

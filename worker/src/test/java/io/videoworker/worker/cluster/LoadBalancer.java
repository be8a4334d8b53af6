package io.videoworker.worker.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy from Debian ({@code /usr/sbin/haproxy}) in front of worker processes on loopback:
 * HTTP mode, plain round robin without stickiness. Health checks ({@code GET /video-worker/health/}
 * every second, down after 2 failures, up after 1 success) take a dead backend out of the rotation
 * within about 2 s; until then a refused connection is retried on another backend. Only connection
 * failures are retried: a request that reached a backend is never sent again by HAProxy (repeats are
 * the application's business). Runs in the foreground as a child of the test, output in
 * {@code haproxy.log} of its folder, config in {@code haproxy.cfg}.
 */
public final class LoadBalancer implements AutoCloseable {
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread exitHook;

    private LoadBalancer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        // children outlive a JVM that ends without close()
        this.exitHook = new Thread(process::destroyForcibly, "haproxy-exit-hook");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    public static boolean available() {
        return Files.isExecutable(HAPROXY);
    }

    /**
     * Writes the config into {@code dir} (created if needed) and starts HAProxy on a free loopback
     * port, returning once it accepts connections. Fails the test under CI=true when HAProxy is
     * missing, else skips it.
     */
    public static LoadBalancer start(Path dir, List<Integer> backendPorts) throws IOException {
        LocalProcess.require(available(), "HAProxy test", HAPROXY + " is missing", "haproxy");
        if (backendPorts.isEmpty()) {
            throw new IllegalArgumentException("a load balancer needs at least one backend");
        }
        Files.createDirectories(dir);
        int port = LocalProcess.freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        Path log = dir.resolve("haproxy.log");
        Files.writeString(cfg, config(port, backendPorts));
        LocalProcess.Result check = LocalProcess.run(dir, Duration.ofSeconds(10),
                List.of(HAPROXY.toString(), "-c", "-q", "-f", cfg.toString()));
        if (check.exit() != 0) {
            throw new IllegalStateException("haproxy rejects " + cfg + ":\n" + check.output());
        }
        Process p = new ProcessBuilder(HAPROXY.toString(), "-f", cfg.toString(), "-db").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LoadBalancer lb = new LoadBalancer(p, port, log);
        lb.awaitListening();
        return lb;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** HAProxy's output so far: its warnings, e.g. "Server workers/b2 is DOWN", and one line a request. */
    public String log() {
        return LocalProcess.read(log);
    }

    /** Kills HAProxy (SIGTERM, an immediate stop; SIGKILL if it lingers) and waits for it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook runs anyway
        }
    }

    private static String config(int port, List<Integer> backendPorts) {
        StringBuilder sb = new StringBuilder("""
                global
                    nbthread 1
                    log stdout format raw local0

                defaults
                    mode http
                    log global
                    option httplog
                    # a slow upload of several MB must not be cut off
                    timeout connect 2s
                    timeout client 120s
                    timeout server 120s
                    timeout http-request 120s
                    # a backend that refuses the connection (just killed, not yet marked down) is
                    # retried on another one; conn-failure only: nothing was sent, so POSTs are safe
                    retries 2
                    retry-on conn-failure
                    option redispatch 1

                frontend cluster
                """);
        sb.append("    bind 127.0.0.1:").append(port).append('\n');
        sb.append("""
                    default_backend workers

                backend workers
                    balance roundrobin
                    option httpchk GET /video-worker/health/
                    http-check expect status 200
                    default-server inter 1s fall 2 rise 1
                """);
        for (int i = 0; i < backendPorts.size(); i++) {
            sb.append("    server b").append(i + 1).append(" 127.0.0.1:").append(backendPorts.get(i)).append(" check\n");
        }
        return sb.toString();
    }

    private void awaitListening() {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("haproxy exited with " + process.exitValue() + ":\n"
                        + LocalProcess.tail(log, 30));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        close();
        throw new IllegalStateException("haproxy did not listen on 127.0.0.1:" + port + " within "
                + START_TIMEOUT_MS + " ms:\n" + LocalProcess.tail(log, 30));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

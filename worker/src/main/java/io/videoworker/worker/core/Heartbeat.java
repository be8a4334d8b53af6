package io.videoworker.worker.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.auth.HttpSignature;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells core the worker is alive, as Lion and Koko do: a signed WebSocket to
 * {@code /ws/terminal-task/} with a status frame at once and every 30 s, reconnecting 10 s after
 * a failure; after 3 failed connects the status goes by HTTP until the socket is back.
 */
public final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

    private final CoreClient core;
    private final IntSupplier online;
    private final Path dataDir;
    private final Duration interval;
    private final Duration reconnect;
    private volatile boolean running = true;
    private volatile BiConsumer<Boolean, String> reach = (reached, why) -> { };
    private Thread thread;

    public Heartbeat(CoreClient core, IntSupplier online, Path dataDir, Duration interval, Duration reconnect) {
        this.core = core;
        this.online = online;
        this.dataDir = dataDir;
        this.interval = interval;
        this.reconnect = reconnect;
    }

    /** Tells {@code listener} after every connect or failure whether core was reached (and why not). */
    public Heartbeat reportingTo(BiConsumer<Boolean, String> listener) {
        this.reach = listener;
        return this;
    }

    public Heartbeat start() {
        thread = new Thread(this::run, "heartbeat");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        int failures = 0;
        while (running) {
            WebSocket ws = null;
            try {
                ws = connect();
                failures = 0;
                reach.accept(true, null);
                LOG.info("heartbeat connected to core");
                while (running && !ws.isOutputClosed() && !ws.isInputClosed()) {
                    ws.sendText(CoreClient.JSON.writeValueAsString(frame()), true).get(30, TimeUnit.SECONDS);
                    sleep(interval);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures++;
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.warn("heartbeat socket failed ({} in a row): {}", failures, why);
                reach.accept(failures >= 3 && postStatus(), "heartbeat: " + why);
            } finally {
                if (ws != null) {
                    ws.abort();
                }
            }
            try {
                sleep(reconnect);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private WebSocket connect() throws Exception {
        String path = "/ws/terminal-task/";
        String date = HttpSignature.now();
        AccessKey k = core.key();
        URI uri = socketUri(core.base());
        return core.http().newWebSocketBuilder()
                .header("X-JMS-ORG", "ROOT")
                .header("Date", date)
                .header("Authorization", HttpSignature.authorization(k.id(), k.secret(), "GET", path, date))
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
                        webSocket.request(1); // core pushes task lists; a video worker has none to run
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        webSocket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(15, TimeUnit.SECONDS);
    }

    /**
     * {@code ws(s)://<host>[:port]/ws/terminal-task/}: only the scheme and authority of CORE_HOST,
     * any path dropped, as the Go SDK builds it (core serves its sockets at the root).
     */
    static URI socketUri(String coreBase) {
        URI base = URI.create(coreBase);
        return URI.create(("https".equalsIgnoreCase(base.getScheme()) ? "wss" : "ws") + "://" + base.getRawAuthority()
                + "/ws/terminal-task/");
    }

    /** Whether core took the status by HTTP. */
    private boolean postStatus() {
        try {
            core.json("POST", "/api/v1/terminal/terminals/status/", frame().path("payload"));
            LOG.info("heartbeat sent by HTTP while the socket is down");
            return true;
        } catch (CoreException e) {
            LOG.warn("heartbeat by HTTP failed too: {}", e.getMessage());
            return false;
        }
    }

    /** {"type":"status","payload":{sessions, session_online, cpu_load, memory_used, disk_used}} with real figures. */
    ObjectNode frame() {
        ObjectNode o = CoreClient.JSON.createObjectNode();
        o.put("type", "status");
        ObjectNode p = o.putObject("payload");
        p.putArray("sessions");
        p.put("session_online", online.getAsInt());
        p.put("cpu_load", round(SystemFigures.loadPerCore()));
        p.put("memory_used", round(SystemFigures.memoryUsedPercent()));
        p.put("disk_used", round(SystemFigures.diskUsedPercent(dataDir)));
        return o;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Host figures for the status frame: load per core, memory (cgroup-aware) and disk use in %. */
    static final class SystemFigures {
        private SystemFigures() {
        }

        /**
         * The host's 1-minute load average over the host's CPU count, as the Go SDK reports it: the
         * load average is the host's, so a container's CPU limit would inflate it (core flags
         * "high" above 5).
         */
        static double loadPerCore() {
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return Math.max(0, load) / hostCpus(Path.of("/proc/cpuinfo"));
        }

        /** Logical CPUs listed in {@code cpuinfo} (the host's, even in a container); else the JVM's count. */
        static int hostCpus(Path cpuinfo) {
            try (var lines = Files.lines(cpuinfo)) {
                long n = lines.filter(l -> l.matches("processor\\s*:.*")).count();
                if (n > 0) {
                    return (int) n;
                }
            } catch (Exception e) {
                // not Linux, or not readable: the JVM's count is the best left
            }
            return Runtime.getRuntime().availableProcessors();
        }

        static double memoryUsedPercent() {
            try {
                Path max = Path.of("/sys/fs/cgroup/memory.max");
                Path cur = Path.of("/sys/fs/cgroup/memory.current");
                if (Files.isReadable(max) && Files.isReadable(cur)) {
                    String m = Files.readString(max).trim();
                    if (!m.equals("max")) {
                        return 100.0 * Long.parseLong(Files.readString(cur).trim()) / Long.parseLong(m);
                    }
                }
                long total = 0;
                long available = 0;
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith("MemTotal:")) {
                        total = Long.parseLong(line.replaceAll("\\D", ""));
                    } else if (line.startsWith("MemAvailable:")) {
                        available = Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
                return total == 0 ? 0 : 100.0 * (total - available) / total;
            } catch (Exception e) {
                return 0;
            }
        }

        static double diskUsedPercent(Path dir) {
            try {
                var store = Files.getFileStore(dir);
                return 100.0 * (store.getTotalSpace() - store.getUsableSpace()) / store.getTotalSpace();
            } catch (Exception e) {
                return 0;
            }
        }
    }
}

package io.videoworker.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** What the load test's Lion-like clients do: Lion's call sequences, timed. */
final class LoadClients {
    private LoadClients() {
    }

    /** One Lion client's task: the create reply first, then one reply per part sent. */
    record Client(String sid, String taskId, long createNanos, long uploadNanos, List<LionClient.Reply> replies) {
    }

    /** One timed task creation; {@code poolFull}: every conversion slot was busy before and after it. */
    record Probe(long nanos, int status, boolean poolFull) {
    }

    /** A client whose connection is open and whose first (signed) request the worker has served, as a running Lion's. */
    static LionClient connected(LionClient lion) throws Exception {
        assertThat(lion.status(UUID.randomUUID().toString()).status()).isEqualTo(404);
        return lion;
    }

    /** Lion's sequence: create with files[], then parts one by one in order, stopping at the first failure. */
    static Client threeParts(LionClient lion, List<SampleSlice> slices) throws Exception {
        String sid = UUID.randomUUID().toString();
        List<Object[]> files = new ArrayList<>();
        for (int n = 0; n < slices.size(); n++) {
            SampleSlice s = slices.get(n);
            files.add(new Object[] {sid + "." + n + ".part.gz", s.start(), s.end(), s.sha256()});
        }
        long t = System.nanoTime();
        LionClient.Reply created = lion.createTask(sid, LionClient.taskBody(sid, files));
        long createNanos = System.nanoTime() - t;
        List<LionClient.Reply> replies = new ArrayList<>(List.of(created));
        String id = created.json() == null ? "" : created.json().path("id").asText();
        for (int n = 0; n < slices.size() && last(replies).status() == 200; n++) {
            replies.add(lion.upload(id, n, (String) files.get(n)[0], HttpRequest.BodyPublishers.ofByteArray(slices.get(n).gz())));
        }
        return new Client(sid, id, createNanos, System.nanoTime() - t - createNanos, replies);
    }

    /** Lion with one big part: create, then the upload, timed on its own. */
    static Client bigPart(LionClient lion, String sid, BigPart.Written big, ProcessWatch watch) throws Exception {
        long t = System.nanoTime();
        LionClient.Reply created = lion.createTask(sid, LionClient.taskBody(sid,
                List.<Object[]>of(new Object[] {big.file().getFileName().toString(), big.start(), big.end(), big.sha256()})));
        long createNanos = System.nanoTime() - t;
        String id = created.json() == null ? "" : created.json().path("id").asText();
        watch.watchBig(id);
        List<LionClient.Reply> replies = new ArrayList<>(List.of(created));
        t = System.nanoTime();
        if (created.status() == 200) {
            replies.add(lion.upload(id, 0, big.file()));
        }
        return new Client(sid, id, createNanos, System.nanoTime() - t, replies);
    }

    /** Once every conversion slot is busy, creates tasks one after another (their parts never come) and times each. */
    static List<Probe> probe(LionClient lion, ProcessWatch watch, int pool, int count, long deadline) throws Exception {
        while (watch.running() < pool) {
            if (remaining(deadline) <= 0) {
                return List.of();
            }
            Thread.sleep(20);
        }
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean fullBefore = watch.running() >= pool;
            long t = System.nanoTime();
            int status = createUnsent(lion).status();
            long nanos = System.nanoTime() - t;
            probes.add(new Probe(nanos, status, fullBefore && watch.running() >= pool));
        }
        return probes;
    }

    /** Creates a task for a new session with one part that never comes (it would expire after an hour). */
    static LionClient.Reply createUnsent(LionClient lion) throws Exception {
        String sid = UUID.randomUUID().toString();
        return lion.createTask(sid, LionClient.taskBody(sid,
                List.<Object[]>of(new Object[] {sid + ".0.part.gz", 1L, 2L, "0".repeat(64)})));
    }

    /**
     * Waits for every task to be done, failed or expired, one task after another (the pool takes
     * them oldest first): one status request at a time, not one per task. Fails at the deadline.
     */
    static Map<String, JsonNode> awaitFinished(LionClient lion, List<Client> clients, long deadline, LoadReport report)
            throws Exception {
        Map<String, JsonNode> finals = new HashMap<>();
        for (Client c : clients) {
            while (!c.taskId().isBlank()) { // a refused create fails the test's first assertion
                JsonNode s = lion.status(c.taskId()).json();
                String state = s == null ? "?" : s.path("state").asText();
                if (List.of("done", "failed", "expired").contains(state)) {
                    finals.put(c.taskId(), s);
                    break;
                }
                if (remaining(deadline) <= 0) {
                    report.add("unfinished at the deadline", "%d of %d tasks", clients.size() - finals.size(), clients.size());
                }
                assertThat(remaining(deadline)).as("time budget spent; task " + c.taskId() + " is " + state).isPositive();
                Thread.sleep(250);
            }
        }
        return finals;
    }

    static <T> Callable<T> atOnce(CountDownLatch go, Callable<T> work) {
        return () -> {
            go.await();
            return work.call();
        };
    }

    static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    static long remaining(long deadline) {
        return deadline - System.nanoTime();
    }
}

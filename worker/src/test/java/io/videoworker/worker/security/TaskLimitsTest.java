package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.TestSpool;
import io.videoworker.worker.WorkerProcess;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a task may hold is bounded whatever a caller sends, and finished tasks kept for the clean
 * period hold only what their status needs: the meta flood (1 MiB bodies of 95,000 meta fields)
 * used to grow the heap ~4.6 MiB per create to an OutOfMemoryError.
 */
class TaskLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static ObjectNode body(String sid, int parts) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("config").put("MaxFrame", 0).put("Width", 1280).put("Height", 800).put("Bitrate", 1);
        ObjectNode meta = body.putObject("meta").put("id", sid).put("protocol", "rdp").put("date_start", "2025-11-18 02:00:00 +0000");
        ArrayNode files = meta.putArray("files");
        for (int i = 0; i < parts; i++) {
            files.addObject().put("name", sid + "." + i + ".part.gz").put("start", i * 1000L).put("end", i * 1000L + 999)
                    .put("duration", 999).put("size", 1000).put("checksum", "ab".repeat(32));
        }
        return body;
    }

    /** The attack: a meta of ~95,000 small fields, just under the 1 MiB body limit. */
    private static String flood(String sid) {
        StringBuilder sb = new StringBuilder(body(sid, 1).toString());
        StringBuilder fields = new StringBuilder();
        for (int i = 0; sb.length() + fields.length() < 1_040_000; i++) {
            fields.append('"').append(Integer.toString(i, 36)).append("\":\"v\",");
        }
        return sb.insert(sb.indexOf("\"meta\":{") + 8, fields).toString();
    }

    @Test
    void eachLimitIsRefusedWithAClearReasonAndNothingIsCreated() throws Exception {
        try (StandAloneWorker w = new StandAloneWorker(dir)) {
            String sid = UUID.randomUUID().toString();
            List<String[]> cases = new ArrayList<>();
            cases.add(new String[] {flood(sid), "task JSON has an object of more than 256 fields ('74' is one too many)"});
            cases.add(new String[] {body(sid, 5000).toString(), "task JSON has more than 60000 tokens"});
            ObjectNode wide = body(sid, 1);
            for (int i = 0; i < 100; i++) {
                ((ObjectNode) wide.get("meta")).put("f" + i, "x");
            }
            cases.add(new String[] {wide.toString(), "meta has 103 fields; at most 64 are accepted"});
            ObjectNode longValue = body(sid, 1);
            ((ObjectNode) longValue.get("meta")).put("user", "u".repeat(2000));
            cases.add(new String[] {longValue.toString(), "meta.user is longer than 1024 characters"});
            ObjectNode nested = body(sid, 1);
            ((ObjectNode) nested.get("meta")).putObject("asset").put("a", 1);
            cases.add(new String[] {nested.toString(), "meta.asset must be a string, number or boolean"});
            ObjectNode configArray = body(sid, 1);
            ((ObjectNode) configArray.get("config")).putArray("Width");
            cases.add(new String[] {configArray.toString(), "config.Width must be a string, number or boolean"});
            cases.add(new String[] {body(sid, 4097).toString(), "meta.files lists 4097 parts; at most 4096 are accepted"});
            ObjectNode twice = body(sid, 2);
            ((ObjectNode) twice.get("meta").get("files").get(1)).put("name", sid + ".00.part.gz");
            cases.add(new String[] {twice.toString(), "files[1].name '" + sid + ".00.part.gz' is part 0, listed already as '"
                    + sid + ".0.part.gz'"});
            for (String[] c : cases) {
                LionClient.Reply r = w.lion.createTask(sid, c[0]);
                assertThat(r.status()).as(c[1]).isEqualTo(400);
                assertThat(r.json().path("id").asText()).isEmpty();
                assertThat(r.json().path("error").asText()).isEqualTo(c[1]);
            }
            try (Stream<Path> tasks = Files.list(w.data.resolve("tasks"))) {
                assertThat(tasks.filter(p -> !p.getFileName().toString().equals("by-session"))).as("nothing created").isEmpty();
            }
            assertThat(w.lion.createTask(sid, body(sid, 4096).toString()).status()).as("the largest task accepted").isEqualTo(200);
        }
    }

    /** 94 flood bodies (4 at a time) against a worker with a 48 MiB heap: all refused, the worker unharmed. */
    @Test
    void theMetaFloodCannotExhaustASmallHeap() throws Exception {
        try (WorkerProcess w = new WorkerProcess(dir.resolve("data"), Map.of(), "-Xmx48m", "-XX:+UseSerialGC")) {
            w.start();
            LionClient lion = w.lion();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<LionClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 94; i++) {
                String sid = UUID.randomUUID().toString();
                String body = flood(sid);
                replies.add(pool.submit(() -> lion.createTask(sid, body)));
            }
            for (Future<LionClient.Reply> f : replies) {
                LionClient.Reply r = f.get();
                assertThat(r.status()).as(() -> r.body() + "\nworker log:\n" + tail(w.log())).isEqualTo(400);
            }
            pool.shutdown();
            String sid = UUID.randomUUID().toString();
            byte[] part = TestRecordings.part(0x112233, 1_000, 2_000);
            LionClient.Reply ok = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                    new Object[] {sid + ".0.part.gz", 1_000L, 2_000L, TestRecordings.sha256(part)})));
            assertThat(ok.status()).as("a real task after the flood").isEqualTo(200);
            assertThat(Files.readString(w.log())).doesNotContain("OutOfMemoryError");
            try (Stream<Path> tasks = Files.list(w.data().resolve("tasks"))) {
                assertThat(tasks.filter(p -> !p.getFileName().toString().equals("by-session")).count()).isEqualTo(1);
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /** Thousands of finished tasks kept for the clean period: in memory without their meta. */
    @Test
    void finishedTasksAreKeptSlim() throws Exception {
        int n = 3000;
        Path data = dir.resolve("many");
        try (TestSpool seed = new TestSpool(data)) {
            for (int i = 0; i < n; i++) {
                Task t = new Task();
                t.id = UUID.randomUUID().toString();
                t.sessionId = UUID.randomUUID().toString();
                t.kind = Task.Kind.PARTS;
                t.state = i % 3 == 0 ? TaskState.FAILED : TaskState.DONE;
                t.meta = JSON.createObjectNode();
                for (int k = 0; k < 60; k++) {
                    t.meta.put("field" + k, ("value " + k + " ").repeat(20)); // ~12 KB of meta, as the limits allow
                }
                t.config = JSON.createObjectNode().put("Width", 1280);
                PartFile p = new PartFile();
                p.name = t.sessionId + ".0.part.gz";
                p.received = true;
                t.files.add(p);
                t.createdAt = t.finishedAt = System.currentTimeMillis();
                seed.spool.create(t);
            }
        }
        long before = usedHeapAfterGc();
        try (TestSpool loaded = new TestSpool(data).start()) {
            long after = usedHeapAfterGc();
            List<Task> all = loaded.spool.all();
            assertThat(all).hasSize(n);
            for (Task t : all) {
                Task inMemory = loaded.tasks.get(t.id);
                assertThat(inMemory.meta).isNull();
                assertThat(inMemory.state.finished()).isTrue();
                assertThat(t.meta).as("task.json keeps it").isNotNull();
            }
            long perTask = (after - before) / n;
            // with its meta a task held ~20 KiB here; slim, the status fields and the parts list
            assertThat(perTask).as("bytes retained per finished task").isLessThan(6 * 1024);
            Task one = loaded.tasks.get(all.get(0).id);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> loaded.spool.save(one))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not saved");
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

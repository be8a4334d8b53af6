package io.videoworker.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.WorkerProcess;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the service (a real child process) in each task state, then a restart on the same
 * data directory. Each test asserts the state the kill really hit (task.json as left on disk),
 * then that every accepted task is published exactly once or expires, that no half-written file
 * is ever visible in the replay folder, that the spool keeps no orphans and that no conversion
 * outlives the worker that started it.
 */
class CrashMatrixTest {
    static final String DATE = "2025-11-18";

    @TempDir
    Path dir;

    @Test
    void killedWhileReceivingKeepsAcceptedPartsDropsTheHalfUploadAndExpiresWhatNeverCompletes() throws Exception {
        Path data = dir.resolve("data");
        try (WorkerProcess w = new WorkerProcess(data, Map.of()).start()) {
            LionClient lion = w.lion();
            String sid = UUID.randomUUID().toString();
            byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
            byte[] p1 = TestRecordings.noise(320, 240, 6, 12, 11_200, 1); // over 1 MiB: one buffer reaches the disk
            byte[] p2 = TestRecordings.part(0x0000FF, 11_800, 12_800);
            assertThat(p1.length).isGreaterThan(1_300_000);
            String id = create(lion, sid, List.of(p0, p1, p2), 10_000L, 11_200L, 11_800L);
            assertOk(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0)));

            String abandonedSid = UUID.randomUUID().toString(); // one part of two, then the sender gives up
            String abandoned = create(lion, abandonedSid, List.of(p0, p2), 10_000L, 11_800L);
            assertOk(lion.upload(abandoned, 0, abandonedSid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0)));

            // part 1 in flight: 1.2 MB of it sent, the rest held back until after the kill
            HeldBackUpload inFlight = new HeldBackUpload(lion, id, 1, sid + ".1.part.gz", p1, 1_200_000);
            Path in = data.resolve("tasks/" + id + "/in");
            await("the half part on disk", () -> size(halfUpload(in, sid + ".1.part.gz")) > 0);
            Path half = halfUpload(in, sid + ".1.part.gz");
            w.kill();
            inFlight.abandon();

            assertThat(catchThrowable(() -> inFlight.reply.get(30, TimeUnit.SECONDS))).as("the sender never got ok for half a part")
                    .isInstanceOf(ExecutionException.class);
            Task killed = SpoolChecks.onDisk(data, id);
            assertThat(killed.state).as("state hit by the kill").isEqualTo(TaskState.RECEIVING);
            assertThat(SpoolChecks.received(killed)).containsExactly(sid + ".0.part.gz");
            assertThat(half).as("the crash left a half part behind").exists();
            SpoolChecks.age(data, abandoned, Duration.ofMinutes(61).toMillis()); // the worker stays down past the expiry

            w.start();
            JsonNode s = lion.status(id).json();
            assertThat(s.path("state").asText()).isEqualTo("receiving");
            assertThat(s.path("files").get(0).path("received").asBoolean()).isTrue();
            assertThat(s.path("files").get(1).path("received").asBoolean()).isFalse();
            assertThat(half).as("the restart sweeps the half part away").doesNotExist();
            JsonNode expired = lion.status(abandoned).json();
            assertThat(expired.path("state").asText()).as("expired at start-up, not a minute later").isEqualTo("expired");
            assertThat(data.resolve("replays/" + DATE + "/" + abandonedSid)).as("nothing published for it").doesNotExist();

            assertOk(lion.upload(id, 1, sid + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(p1)));
            assertOk(lion.upload(id, 2, sid + ".2.part.gz", HttpRequest.BodyPublishers.ofByteArray(p2)));
            JsonNode done = lion.waitFor(id, "done", 90);
            assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
            assertThat(done.path("attempts").asInt()).isEqualTo(1);

            SpoolChecks.assertPartsPublished(data.resolve("replays"), DATE, sid, List.of(1L, 12L, 1L));
            assertThat(SpoolChecks.logLines(data, id, "published 4 objects")).isEqualTo(1);
            SpoolChecks.assertNoHiddenFiles(data.resolve("replays"));
            SpoolChecks.assertNoLeftovers(data);
            assertThat(w.leftovers()).isEmpty();
        }
    }

    @Test
    void killedWhileConvertingWithAnotherQueuedRedoesTheOneAndStartsTheOtherEachPublishedOnce() throws Exception {
        Path data = dir.resolve("data");
        try (WorkerProcess w = new WorkerProcess(data, Map.of("VIDEO_WORKER_COUNT", "1")).start()) {
            LionClient lion = w.lion();
            String longSid = UUID.randomUUID().toString();
            Path recording = Files.write(dir.resolve("long.replay.gz"), TestRecordings.noise(320, 240, 4, 90, 1000, 2));
            String longId = convertingSingle(lion, longSid, recording);

            String sid = UUID.randomUUID().toString();
            List<byte[]> parts = List.of(TestRecordings.part(0xFF0000, 10_000, 11_000), TestRecordings.part(0x00FF00, 11_200, 12_000),
                    TestRecordings.part(0x0000FF, 12_200, 13_000));
            String queued = create(lion, sid, parts, 10_000L, 11_200L, 12_200L);
            for (int i = 0; i < parts.size(); i++) {
                assertOk(lion.upload(queued, i, sid + "." + i + ".part.gz", HttpRequest.BodyPublishers.ofByteArray(parts.get(i))));
            }
            assertThat(status(lion, queued).path("state").asText()).isEqualTo("queued");
            List<ProcessHandle> converters = w.children();
            assertThat(converters).as("the conversion runs in a child JVM").isNotEmpty();

            w.kill();
            assertThat(SpoolChecks.onDisk(data, longId).state).as("state hit by the kill").isEqualTo(TaskState.CONVERTING);
            assertThat(SpoolChecks.onDisk(data, queued).state).as("state hit by the kill").isEqualTo(TaskState.QUEUED);
            for (ProcessHandle c : converters) {
                c.onExit().get(30, TimeUnit.SECONDS); // hang guard: an orphan would convert on for seconds
            }
            assertThat(w.leftovers()).isEmpty();
            try (Stream<Path> files = Files.walk(data.resolve("tasks/" + longId))) {
                assertThat(files.filter(p -> p.toString().endsWith(".mp4")).toList())
                        .as("the orphaned conversion stopped with the worker: it never finished its output").isEmpty();
            }

            w.start();
            JsonNode first = lion.waitFor(longId, "done", 120);
            JsonNode second = lion.waitFor(queued, "done", 60);
            assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("done");
            assertThat(first.path("attempts").asInt()).as("the killed run and the redo").isEqualTo(2);
            assertThat(second.path("state").asText()).as(second.toString()).isEqualTo("done");
            assertThat(second.path("attempts").asInt()).isEqualTo(1);
            assertThat(SpoolChecks.logLines(data, longId, "resuming at stage converting")).isEqualTo(1);
            assertThat(SpoolChecks.logLines(data, queued, "resuming at stage queued")).isEqualTo(1);

            Path mp4 = data.resolve("replays/" + DATE + "/" + longSid + ".replay.mp4");
            SpoolChecks.assertCompleteMp4(mp4, 90);
            try (Stream<Path> files = Files.list(data.resolve("replays/" + DATE))) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .containsExactlyInAnyOrder(longSid + ".replay.mp4", sid);
            }
            SpoolChecks.assertPartsPublished(data.resolve("replays"), DATE, sid, List.of(1L, 1L, 1L));
            assertThat(SpoolChecks.logLines(data, longId, "published 1 objects")).isEqualTo(1);
            assertThat(SpoolChecks.logLines(data, queued, "published 4 objects")).isEqualTo(1);
            SpoolChecks.assertNoHiddenFiles(data.resolve("replays"));
            SpoolChecks.assertNoLeftovers(data);
            assertThat(w.children()).as("no conversion running once all is done").isEmpty();
            assertThat(w.leftovers()).isEmpty();
        }
    }

    /**
     * The kill comes when the replay folder shows the second part's copy under way (its hidden
     * temporary file or its final name): objects before it are in, the rest and replay.json are
     * not. Copies take milliseconds, so a kill that comes too late is retried with a new session.
     */
    @Test
    void killedWhilePublishingNeverShowsAHalfFileAndPublishesOnceAfterTheRestart() throws Exception {
        Path data = dir.resolve("data");
        Path replays = data.resolve("replays");
        List<String> hits = new ArrayList<>();
        try (WorkerProcess w = new WorkerProcess(data, Map.of()).start()) {
            for (int attempt = 1; attempt <= 3; attempt++) {
                LionClient lion = w.lion();
                String sid = UUID.randomUUID().toString();
                List<byte[]> parts = new ArrayList<>();
                List<Long> starts = new ArrayList<>();
                List<Long> frames = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    starts.add(10_000L + 2_000L * i);
                    parts.add(TestRecordings.noise(160, 120, 2, 15, starts.get(i), 10 + i));
                    frames.add(15L);
                }
                String id = create(lion, sid, parts, starts.toArray(Long[]::new));
                for (int i = 0; i < parts.size(); i++) {
                    assertOk(lion.upload(id, i, sid + "." + i + ".part.gz", HttpRequest.BodyPublishers.ofByteArray(parts.get(i))));
                }
                Path session = replays.resolve(DATE).resolve(sid);
                Path secondTmp = session.resolve("." + sid + ".1.part.mp4.tmp");
                Path second = session.resolve(sid + ".1.part.mp4");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!Files.exists(secondTmp) && !Files.exists(second)) {
                    assertThat(System.nanoTime()).as("publishing never began").isLessThan(deadline);
                    LockSupport.parkNanos(50_000);
                }
                w.kill();

                Task killed = SpoolChecks.onDisk(data, id);
                List<String> visible = new ArrayList<>();
                try (Stream<Path> files = Files.list(session)) {
                    files.forEach(p -> visible.add(p.getFileName().toString()));
                }
                hits.add("try " + attempt + ": " + killed.state.json() + ", replay folder " + visible);
                for (String name : visible) {
                    if (!name.startsWith(".") && name.endsWith(".mp4")) {
                        SpoolChecks.assertCompleteMp4(session.resolve(name), 15); // visible means whole
                    }
                }
                w.start();
                JsonNode done = lion.waitFor(id, "done", 90);
                assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
                SpoolChecks.assertPartsPublished(replays, DATE, sid, frames);
                assertThat(SpoolChecks.logLines(data, id, "published 6 objects")).isEqualTo(1);
                if (killed.state == TaskState.PUBLISHING) {
                    assertThat(visible).as("replay.json comes last").doesNotContain(sid + ".replay.json");
                    assertThat(SpoolChecks.logLines(data, id, "resuming at stage publishing")).isEqualTo(1);
                    break;
                }
            }
            System.out.println("publishing kill points: " + hits);
            assertThat(hits.get(hits.size() - 1)).as("a kill landed while publishing: " + hits).contains(": publishing,");
            SpoolChecks.assertNoHiddenFiles(replays);
            SpoolChecks.assertNoLeftovers(data);
            assertThat(w.leftovers()).isEmpty();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Creates a G3 task for these part bodies with the given start times (1 s long each). */
    static String create(LionClient lion, String sid, List<byte[]> parts, Long... starts) throws Exception {
        List<Object[]> files = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            files.add(new Object[] {sid + "." + i + ".part.gz", starts[i], starts[i] + 1000, TestRecordings.sha256(parts.get(i))});
        }
        LionClient.Reply r = lion.createTask(sid, LionClient.taskBody(sid, files));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    static void assertOk(LionClient.Reply r) {
        assertThat(r.json()).as(r.body()).isNotNull();
        assertThat(r.json().path("ok").asBoolean()).as(r.body()).isTrue();
    }

    /** Sends a recording by the single-file protocol and waits until its conversion has begun; the task id. */
    static String convertingSingle(LionClient lion, String sid, Path recording) throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("session_id", sid);
        fields.put("session_date", DATE);
        LionClient.Reply single = lion.single(fields, recording);
        assertThat(single.status()).as(single.body()).isEqualTo(200);
        String id = single.json().path("id").asText();
        await("converting with progress", () -> status(lion, id).path("progress").asInt() > 0
                && status(lion, id).path("state").asText().equals("converting"));
        return id;
    }

    static JsonNode status(LionClient lion, String id) {
        try {
            return lion.status(id).json();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls until the condition holds; a hang guard, not a timing assertion. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** The temporary file of an upload of {@code name} in flight ({@code .<name>.<random>.uploading}), or null. */
    static Path halfUpload(Path in, String name) {
        try (Stream<Path> list = Files.list(in)) {
            return list.filter(p -> p.getFileName().toString().startsWith("." + name + ".")
                    && p.getFileName().toString().endsWith(".uploading")).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static long size(Path p) {
        if (p == null) {
            return -1;
        }
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}

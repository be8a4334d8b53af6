package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.TestSpool;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code video-worker tasks} over a spool made by the real TaskService: tasks receiving, queued,
 * publishing, done and failed, one session with two tasks, and the debris a reader must pass by.
 */
class TasksCommandTest {
    static final long DAY = Duration.ofDays(1).toMillis();
    static final String LONG_ERROR = "conversion failed: " + "the recording ends in the middle of an instruction ".repeat(4);

    @TempDir
    Path data;
    TestSpool spool;
    String sid1 = UUID.randomUUID().toString();
    String sid2 = UUID.randomUUID().toString();
    String sid3 = UUID.randomUUID().toString();
    String sid4 = UUID.randomUUID().toString();
    String sid5 = UUID.randomUUID().toString();
    Task superseded;
    Task receiving;
    Task queued;
    Task done;
    Task failed;
    Task publishing;
    long now = System.currentTimeMillis();
    /** The done task's part as received (task.json records it). */
    long doneBytes;

    @BeforeEach
    void spool() throws Exception {
        spool = new TestSpool(data);
        superseded = spool.createParts(sid1, 2);
        receiving = spool.createParts(sid1, 2); // expires the first
        spool.upload(receiving, 0);
        queued = spool.createParts(sid2, 1);
        spool.upload(queued, 0);
        done = spool.createParts(sid3, 1);
        spool.upload(done, 0);
        failed = spool.createParts(sid4, 1);
        publishing = spool.createParts(sid5, 2);

        // the later stages as the service leaves them, written the way it writes them
        change(superseded, t -> t.createdAt = now - 9 * DAY);
        change(receiving, t -> t.createdAt = now - 3 * 3600_000);
        change(queued, t -> t.createdAt = now - 3 * 60_000);
        change(done, t -> {
            t.createdAt = now - 5 * DAY;
            t.state = TaskState.DONE;
            t.progress = 100;
            t.uploadDone = true;
            t.published = List.of("2025-11-18/" + sid3 + "/" + sid3 + ".0.part.mp4", "2025-11-18/" + sid3 + "/" + sid3 + ".replay.json");
            t.publishedBytes = 123_456;
            t.lastPublishError = "storage said 503";
            t.finishedAt = now - 5 * DAY + 60_000;
        });
        doneBytes = Files.size(spool.spool.in(done.id).resolve(done.files.get(0).name));
        Spool.deleteTree(spool.spool.in(done.id)); // published: inputs gone, sizes from task.json
        change(failed, t -> {
            t.createdAt = now - 2 * DAY;
            t.state = TaskState.FAILED;
            t.files.get(0).received = true;
            t.attempts = 2;
            t.error = LONG_ERROR;
            t.errorReason = "replay_convert_failed";
            t.finishedAt = now - DAY;
        });
        change(publishing, t -> {
            t.createdAt = now - 90_000;
            t.state = TaskState.PUBLISHING;
            t.progress = 100;
            t.files.forEach(f -> f.received = true);
            t.attempts = 1;
            t.publishAttempts = 3;
            t.lastPublishError = "connection refused";
            t.nextAttemptAt = now + 600_000;
        });
        Files.writeString(spool.spool.out(publishing.id).resolve(sid5 + ".0.part.mp4"), "x".repeat(5000));
        // what a reader must pass by: a folder whose task.json was never written, a stray file
        Files.createDirectories(spool.spool.dir(UUID.randomUUID().toString()).resolve("in"));
        Files.writeString(data.resolve("tasks/notes.txt"), "an operator's notes");
    }

    @AfterEach
    void close() {
        spool.close();
    }

    /** Rewrites the task's task.json (read from disk: the service owns its in-memory copy). */
    private void change(Task t, java.util.function.Consumer<Task> how) throws Exception {
        Task onDisk = spool.spool.load(t.id);
        how.accept(onDisk);
        spool.spool.save(onDisk);
        how.accept(t); // the test's own reference follows, for its assertions
    }

    private Cli tasks(String... args) {
        List<String> all = new ArrayList<>(List.of("tasks"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data", data.toString()));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void listShowsEveryTaskOldestFirstWithItsSizesAgeAndLastError() throws Exception {
        Cli r = tasks("list");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("TASK").contains("SESSION", "STATE", "PROG", "IN", "OUT", "AGE", "LAST ERROR");
        assertThat(lines.subList(1, lines.size())).extracting(l -> l.substring(0, 36))
                .containsExactly(superseded.id, done.id, failed.id, receiving.id, queued.id, publishing.id);
        long part0 = Files.size(spool.spool.in(receiving.id).resolve(sid1 + ".0.part.gz"));
        assertThat(row(lines, superseded)).contains(sid1, "expired", "0%", " 9d ", "superseded by task " + receiving.id);
        assertThat(row(lines, receiving)).contains(sid1, "receiving", TaskListing.size(part0), " 3h");
        assertThat(row(lines, queued)).contains("queued", " 3m");
        assertThat(row(lines, done)).contains("done", "100%", TaskListing.size(doneBytes), "121K", " 5d ", "storage said 503");
        assertThat(row(lines, failed)).contains("failed", " 2d ", LONG_ERROR.substring(0, 57) + "...")
                .doesNotContain(LONG_ERROR);
        assertThat(row(lines, publishing)).contains("publishing", "4.9K", " 1m ", "connection refused");
    }

    @Test
    void filtersByStateAndSession() {
        assertThat(ids(tasks("list", "--state", "failed,done"))).containsExactly(done.id, failed.id);
        assertThat(ids(tasks("list", "--state", "DONE", "--state", "failed"))).containsExactly(done.id, failed.id);
        assertThat(ids(tasks("list", "--session", sid1.toUpperCase()))).containsExactly(superseded.id, receiving.id);
        assertThat(ids(tasks("--state", "queued"))).as("list is the default").containsExactly(queued.id);
        assertThat(ids(Cli.run("tasks", "--data", data.toString(), "list", "--session", sid2))).containsExactly(queued.id);

        Cli none = tasks("--state", "converting");
        assertThat(none.exit()).isZero();
        assertThat(none.out()).isEmpty();
        assertThat(none.err().strip()).isEqualTo("video-worker: no matching tasks in " + data.resolve("tasks"));

        Cli bad = tasks("--state", "finished");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip().lines()).hasSize(1).first().asString().contains("--state finished is not a state");
        assertThat(tasks("--session", "not-a-uuid").exit()).isEqualTo(2);
    }

    @Test
    void listJsonHasTheSameFieldsInFull() throws Exception {
        Cli r = tasks("list", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode a = Spool.JSON.readTree(r.out());
        assertThat(a).hasSize(6);
        JsonNode f = a.get(2);
        assertThat(f.path("id").asText()).isEqualTo(failed.id);
        assertThat(f.path("session_id").asText()).isEqualTo(sid4);
        assertThat(f.path("state").asText()).isEqualTo("failed");
        assertThat(f.path("last_error").asText()).isEqualTo(LONG_ERROR);
        assertThat(Instant.parse(f.path("created").asText()).toEpochMilli()).isEqualTo(now - 2 * DAY);
        assertThat(Instant.parse(f.path("finished").asText()).toEpochMilli()).isEqualTo(now - DAY);
        JsonNode d = a.get(1);
        assertThat(d.path("input_bytes").asLong()).as("from task.json once in/ is gone").isEqualTo(doneBytes);
        assertThat(d.path("output_bytes").asLong()).isEqualTo(123_456);
        JsonNode q = a.get(4);
        assertThat(q.path("input_bytes").asLong()).isEqualTo(Files.size(spool.spool.in(queued.id).resolve(sid2 + ".0.part.gz")));
        assertThat(q.path("finished").isNull()).isTrue();
        assertThat(q.path("last_error").isNull()).isTrue();
        assertThat(a.get(5).path("output_bytes").asLong()).as("out/ before publishing").isEqualTo(5000);
    }

    @Test
    void showByTaskIdPrintsTheTaskItsFolderAndTheEndOfItsLog() throws Exception {
        Cli r = tasks("show", publishing.id);
        assertThat(r.exit()).as(r.err()).isZero();
        String out = r.out();
        Path dir = data.resolve("tasks").resolve(publishing.id);
        assertThat(out).contains("task        " + publishing.id, "session     " + sid5, "user Administrator(admin)",
                "state       publishing, 100%", "attempts    conversion 1, publishing 3", "last error: connection refused",
                "folder      " + dir, "log         " + dir.resolve("task.log"));
        assertThat(out).containsPattern("next try    \\S+Z \\(in 9m\\)");
        for (int i = 0; i < 2; i++) {
            assertThat(out).contains(publishing.files.get(i).name + "  1000B  received  sha256 " + publishing.files.get(i).checksum);
        }
        assertThat(out).contains("task.log (last 1 lines):").contains("created for session " + sid5);

        Path log = dir.resolve("task.log");
        Files.writeString(log, IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i + "\n").reduce("", String::concat),
                java.nio.file.StandardOpenOption.APPEND);
        List<String> twenty = tail(tasks("show", publishing.id).out());
        assertThat(twenty).hasSize(20).endsWith("line 30").startsWith("line 11");
        assertThat(tail(tasks("show", publishing.id, "--log", "2").out())).containsExactly("line 29", "line 30");
        assertThat(tail(tasks("show", publishing.id, "--log", "all").out())).hasSize(31);
        Cli none = tasks("show", publishing.id, "--log", "0");
        assertThat(none.out()).doesNotContain("task.log (").doesNotContain("line 30");
        assertThat(tasks("show", publishing.id, "--log", "some").exit()).isEqualTo(2);
    }

    @Test
    void showBySessionPicksTheNewestTaskAndNamesTheOlderOnes() throws Exception {
        Cli r = tasks("show", sid1, "--log", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("task        " + receiving.id).contains("state       receiving, 0%")
                .contains("input       2 file(s), 1 received")
                .contains("older tasks of this session").contains(superseded.id + "  expired");
        long part0 = Files.size(spool.spool.in(receiving.id).resolve(receiving.files.get(0).name));
        assertThat(r.out()).as("the size on disk, once received").contains(receiving.files.get(0).name + "  " + part0 + "B  received  sha256 ")
                .as("else as announced").contains(receiving.files.get(1).name + "  1000B  waiting  sha256 ");

        JsonNode j = Spool.JSON.readTree(tasks("show", sid1, "--json").out());
        assertThat(j.path("id").asText()).isEqualTo(receiving.id);
        assertThat(j.path("dir").asText()).isEqualTo(data.resolve("tasks").resolve(receiving.id).toString());
        assertThat(j.path("log").asText()).isEqualTo(data.resolve("tasks").resolve(receiving.id).resolve("task.log").toString());
        assertThat(j.path("olderTasks").get(0).asText()).isEqualTo(superseded.id);
        assertThat(j.path("files").get(0).path("received").asBoolean()).isTrue();

        JsonNode d = Spool.JSON.readTree(tasks("show", done.id, "--json").out());
        assertThat(d.path("published")).hasSize(2);
        assertThat(d.path("publishedBytes").asLong()).isEqualTo(123_456);
        assertThat(d.path("olderTasks")).isEmpty();
        assertThat(d.has("storageConfigSealed")).isFalse();
    }

    @Test
    void unknownTaskOrMissingSpoolIsOneLineAndExit2() throws Exception {
        String unknown = UUID.randomUUID().toString();
        Cli r = tasks("show", unknown);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("video-worker: no task or session " + unknown + " in " + data.resolve("tasks"));
        assertThat(tasks("show", "by-session").exit()).isEqualTo(2);

        Path elsewhere = data.resolve("no-such-data");
        Cli missing = Cli.run("tasks", "--data", elsewhere.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip().lines()).hasSize(1).first().asString()
                .startsWith("video-worker: no task spool at " + elsewhere.resolve("tasks") + ": ");
        assertThat(elsewhere).as("a reader creates nothing").doesNotExist();
    }

    @Test
    void theDataFolderComesFromTheConfigurationFileWithoutData() throws Exception {
        Path config = data.resolve("worker.txt");
        Files.writeString(config, "# as serve reads it\nDATA_DIR=" + data + "\n");
        Cli r = Cli.run("tasks", "list", "--config", config.toString(), "--state", "done");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(ids(r)).containsExactly(done.id);

        Files.writeString(config, "DATA_DIR is here\n");
        Cli bad = Cli.run("tasks", "--config", config.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).startsWith("video-worker: invalid configuration: ").contains("line 1");
    }

    @Test
    void listingNeverFailsWhileTheServiceRewritesTaskJson() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    publishing.progress = i % 101;
                    spool.spool.save(publishing); // temporary file, fsync, rename: as the service does
                }
            } catch (Throwable e) {
                writerFailed.set(e);
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 40; i++) {
                Cli r = tasks("list", "--json");
                assertThat(r.exit()).as(r.err()).isZero();
                JsonNode a = Spool.JSON.readTree(r.out());
                assertThat(a).hasSize(6);
                assertThat(a.get(5).path("id").asText()).isEqualTo(publishing.id);
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(writerFailed.get()).isNull();
    }

    private static String row(List<String> lines, Task t) {
        return lines.stream().filter(l -> l.startsWith(t.id)).findFirst().orElseThrow() + " ";
    }

    private static List<String> ids(Cli r) {
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().lines().skip(1).map(l -> l.substring(0, 36)).toList();
    }

    /** The lines after the task.log heading. */
    private static List<String> tail(String out) {
        List<String> lines = out.lines().toList();
        int at = IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith("task.log")).findFirst().orElseThrow();
        return lines.subList(at + 1, lines.size()).stream().map(l -> l.replaceAll("^\\S+ \\S+ ", "")).toList();
    }
}

package io.videoworker.worker.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.TestSpool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tasks/by-session/<sid>}: one step from a session id to its newest task folder, kept true across restarts and cleanups. */
class SessionLinkTest {
    @TempDir
    Path data;

    Path tasks() {
        return data.resolve("tasks");
    }

    Path link(String sid) {
        return tasks().resolve("by-session").resolve(sid);
    }

    @Test
    void aNewTaskIsLinkedByItsSessionAndANewerOneTakesTheLinkOver() throws Exception {
        String sid = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        try (TestSpool s = new TestSpool(data)) {
            Task first = s.createParts(sid, 2);
            assertThat(Files.isSymbolicLink(link(sid))).isTrue();
            assertThat(Files.readSymbolicLink(link(sid))).as("relative, so the data folder can move").isEqualTo(Path.of("..", first.id));
            assertThat(Files.readString(link(sid).resolve("task.log"))).contains("created for session " + sid);

            Task second = s.createParts(sid, 1);
            Task elsewhere = s.createParts(other, 1);
            assertThat(Files.readSymbolicLink(link(sid))).isEqualTo(Path.of("..", second.id));
            assertThat(Files.readSymbolicLink(link(other))).isEqualTo(Path.of("..", elsewhere.id));
            assertThat(s.spool.all()).extracting(t -> t.id).as("by-session is no task")
                    .containsExactlyInAnyOrder(first.id, second.id, elsewhere.id);
            assertThat(s.spool.sweep(s.spool.all())).as("nor debris").isEmpty();
            assertThat(link(sid)).exists();
            try (Stream<Path> l = Files.list(tasks().resolve("by-session"))) {
                assertThat(l.map(p -> p.getFileName().toString())).as("no temporary link left").containsExactlyInAnyOrder(sid, other);
            }
        }
    }

    @Test
    void aSingleRecordingIsLinkedOnlyOnceItIsAccepted() throws Exception {
        String sid = UUID.randomUUID().toString();
        String dropped = UUID.randomUUID().toString();
        try (TestSpool s = new TestSpool(data)) {
            byte[] rec = TestRecordings.part(0xFF0000, 1_000, 2_000);
            Task t = s.tasks.createSingle(sid, Map.of("session_id", sid), sid + ".replay.gz", new ByteArrayInputStream(rec), rec.length);
            assertThat(Files.readSymbolicLink(link(sid))).isEqualTo(Path.of("..", t.id));

            InputStream broken = new InputStream() {
                @Override
                public int read() throws IOException {
                    throw new IOException("connection reset");
                }
            };
            assertThatThrownBy(() -> s.tasks.createSingle(dropped, Map.of("session_id", dropped), null, broken, 100))
                    .isInstanceOf(TaskException.class);
            assertThat(Files.isSymbolicLink(link(dropped))).as("a dropped task leaves no link").isFalse();
        }
    }

    @Test
    void linksSurviveARestartAndStartUpRepairsThem() throws Exception {
        String kept = UUID.randomUUID().toString();
        String lost = UUID.randomUUID().toString();
        String stale = UUID.randomUUID().toString();
        String gone = UUID.randomUUID().toString();
        Task keptTask;
        Task lostTask;
        Task staleNewest;
        try (TestSpool s = new TestSpool(data)) {
            keptTask = s.createParts(kept, 1);
            lostTask = s.createParts(lost, 1);
            Task staleOlder = s.createParts(stale, 1);
            staleNewest = s.createParts(stale, 1);
            Task goneTask = s.createParts(gone, 1);
            // as before an upgrade (no link), after a crash between the two creates, and a folder removed by hand
            Files.delete(link(lost));
            Files.delete(link(stale));
            Files.createSymbolicLink(link(stale), Path.of("..", staleOlder.id));
            Spool.deleteTree(s.spool.dir(goneTask.id));
            Files.createSymbolicLink(tasks().resolve("by-session/." + kept + ".1a2b3c4d.tmp"), Path.of("..", keptTask.id));
        }
        try (TestSpool s = new TestSpool(data).start()) {
            assertThat(Files.readSymbolicLink(link(kept))).isEqualTo(Path.of("..", keptTask.id));
            assertThat(Files.readSymbolicLink(link(lost))).as("made").isEqualTo(Path.of("..", lostTask.id));
            assertThat(Files.readSymbolicLink(link(stale))).as("to the newest").isEqualTo(Path.of("..", staleNewest.id));
            assertThat(Files.isSymbolicLink(link(gone))).as("dangling: removed").isFalse();
            try (Stream<Path> l = Files.list(tasks().resolve("by-session"))) {
                assertThat(l.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(kept, lost, stale);
            }
        }
    }

    @Test
    void cleaningATaskFolderRemovesItsLinkOrHandsItToTheTaskThatRemains() throws Exception {
        String sid = UUID.randomUUID().toString();
        try (TestSpool s = new TestSpool(data)) {
            Task older = s.createParts(sid, 1);
            Task newer = s.createParts(sid, 1); // supersedes the older: that one is expired, so finished
            long now = System.currentTimeMillis();
            s.tasks.clean(now + Duration.ofDays(8).toMillis());
            assertThat(s.spool.dir(older.id)).doesNotExist();
            assertThat(Files.readSymbolicLink(link(sid))).isEqualTo(Path.of("..", newer.id));

            // the link points at the newest task left after a cleanup, even an older one
            Task newest = s.createParts(sid, 1);
            // as task.json says, not through the running service's copies (it owns those)
            s.spool.save(expired(s.spool.load(newer.id), now + Duration.ofDays(10).toMillis())); // finished after the newest
            s.spool.save(expired(s.spool.load(newest.id), now));
            try (TestSpool restarted = new TestSpool(data)) {
                restarted.tasks.start();
                restarted.tasks.clean(now + Duration.ofDays(8).toMillis());
                assertThat(restarted.spool.dir(newest.id)).doesNotExist();
                assertThat(Files.readSymbolicLink(link(sid))).isEqualTo(Path.of("..", newer.id));

                restarted.tasks.clean(now + Duration.ofDays(30).toMillis());
                assertThat(Files.exists(link(sid), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
                try (Stream<Path> l = Files.list(tasks().resolve("by-session"))) {
                    assertThat(l).isEmpty();
                }
            }
        }
    }

    @Test
    void aFilesystemRefusingTheLinkDoesNotStopTasks() throws Exception {
        Files.createDirectories(tasks());
        Files.writeString(tasks().resolve("by-session"), "not a folder: every link fails");
        String sid = UUID.randomUUID().toString();
        Task t;
        try (TestSpool s = new TestSpool(data)) {
            t = s.createParts(sid, 2);
            s.createParts(UUID.randomUUID().toString(), 1);
            s.upload(t, 0);
            assertThat(s.spool.load(t.id).files.get(0).received).isTrue();
        }
        try (TestSpool s = new TestSpool(data).start()) { // nor a restart
            assertThat(s.tasks.get(t.id).state).isEqualTo(TaskState.RECEIVING);
            s.createParts(sid, 1);
            assertThat(s.spool.all()).hasSize(3);
        }
    }

    private static Task expired(Task t, long finishedAt) {
        t.state = TaskState.EXPIRED;
        t.finishedAt = finishedAt;
        return t;
    }
}

package io.videoworker.worker.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up sweep against every kind of debris a SIGKILL can leave, including the moments a
 * kill from outside cannot be aimed at (between mkdir and the first task.json).
 */
class SpoolSweepTest {
    @TempDir
    Path root;

    @Test
    void removesWhatACrashLeftAndKeepsEverythingStillOwed() throws Exception {
        Spool spool = new Spool(root);
        Task receiving = task(TaskState.RECEIVING, false, "a.0.part.gz", "a.1.part.gz");
        receiving.files.get(0).received = true;
        Task publishing = task(TaskState.PUBLISHING, false, "b.0.part.gz");
        Task done = task(TaskState.DONE, true, "c.0.part.gz");
        Task uploadFailed = task(TaskState.FAILED, false, "d.0.part.gz"); // replay_upload_failed: files kept for the operator
        for (Task t : List.of(receiving, publishing, done, uploadFailed)) {
            spool.create(t);
            for (PartFile f : t.files) {
                Files.writeString(spool.in(t.id).resolve(f.name), "part");
            }
        }
        Files.writeString(spool.in(receiving.id).resolve(".a.1.part.gz.uploading"), "half");
        Files.writeString(spool.dir(receiving.id).resolve(".task.json.tmp"), "{");
        Files.writeString(spool.out(publishing.id).resolve("b.0.part.mp4"), "result");
        Path staging = Files.createDirectories(spool.dir(publishing.id).resolve("converting-1a2b3c4d"));
        Files.writeString(staging.resolve("b.0.part.mp4.partial"), "half");
        Path neverCreated = Files.createDirectories(root.resolve(UUID.randomUUID().toString()).resolve("in"));

        List<String> removed = spool.sweep(spool.all());

        assertThat(neverCreated.getParent()).doesNotExist();
        assertThat(files(spool.dir(receiving.id))).containsExactlyInAnyOrder("task.json", "in", "out", "in/a.0.part.gz");
        assertThat(files(spool.dir(publishing.id)))
                .containsExactlyInAnyOrder("task.json", "in", "out", "in/b.0.part.gz", "out/b.0.part.mp4");
        assertThat(files(spool.dir(done.id))).containsExactly("task.json");
        assertThat(files(spool.dir(uploadFailed.id))).containsExactlyInAnyOrder("task.json", "in", "out", "in/d.0.part.gz");
        assertThat(removed).hasSize(7); // folder, half upload, unacknowledged part, tmp, staging, in/ and out/ of the done task
        assertThat(spool.sweep(spool.all())).as("a second sweep finds nothing").isEmpty();
    }

    private static Task task(TaskState state, boolean uploadDone, String... names) {
        Task t = new Task();
        t.id = UUID.randomUUID().toString();
        t.sessionId = UUID.randomUUID().toString();
        t.kind = Task.Kind.PARTS;
        t.state = state;
        t.uploadDone = uploadDone;
        for (String n : names) {
            PartFile f = new PartFile();
            f.name = n;
            f.received = state != TaskState.RECEIVING;
            t.files.add(f);
        }
        return t;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).toList();
        }
    }
}

package io.videoworker.worker.service;

import static io.videoworker.worker.service.CrashMatrixTest.assertOk;
import static io.videoworker.worker.service.CrashMatrixTest.await;
import static io.videoworker.worker.service.CrashMatrixTest.create;
import static io.videoworker.worker.service.CrashMatrixTest.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.WorkerProcess;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker on a small filesystem of its own (tmpfs mounted by the test; as root), with
 * DATA_DIR/replays on a second one, filled by another "process" (filler files) at the worst
 * moments. Where mount is impossible the disk is simulated with the reserve setting instead, and
 * the test says so loudly; it never skips.
 */
class FullDiskTest {
    static final String DATE = CrashMatrixTest.DATE;
    static final int RESERVE_MB = 8;

    @TempDir
    Path dir;

    @Test
    void uploadsAreRefusedBeforeTheDiskFillsConversionsPauseUncountedAndEverythingAcceptedIsPublishedOnce() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path replays = data.resolve("replays");
        String failure = mount(data, 48);
        if (failure == null) {
            Files.createDirectories(replays);
            failure = mount(replays, 16);
            if (failure != null) {
                unmount(data);
            }
        }
        if (failure != null) {
            System.out.println("\n*** FULL DISK TEST MODE: SIMULATED with VIDEO_WORKER_SPOOL_RESERVE_MB (" + failure + ");"
                    + " publishing to a full replay disk is NOT exercised in this mode ***\n");
            simulated(data);
            return;
        }
        System.out.println("\n*** FULL DISK TEST MODE: real tmpfs (spool 48 MiB, replays 16 MiB), real ENOSPC ***\n");
        try {
            realDisk(data, replays);
        } finally {
            unmount(replays);
            unmount(data);
        }
    }

    private void realDisk(Path data, Path replays) throws Exception {
        try (WorkerProcess w = new WorkerProcess(data, Map.of("VIDEO_WORKER_SPOOL_RESERVE_MB", String.valueOf(RESERVE_MB))).start()) {
            LionClient lion = w.lion();

            // a session with one part of two in before anything goes wrong
            String sidA = UUID.randomUUID().toString();
            byte[] a0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
            byte[] a1 = TestRecordings.part(0x00FF00, 11_200, 12_000);
            String taskA = create(lion, sidA, List.of(a0, a1), 10_000L, 11_200L);
            assertOk(lion.upload(taskA, 0, sidA + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(a0)));

            // 1. nearly full: a 4 MiB part would leave less than the reserve, so it is refused before a byte is written
            Path nearlyFull = fillUntilFree(data.resolve("filler-near"), (RESERVE_MB + 3) << 20);
            long freeBefore = free(data);
            String sidD = UUID.randomUUID().toString();
            byte[] big = new byte[4 << 20];
            new Random(3).nextBytes(big);
            String taskD = create(lion, sidD, List.of(big), 20_000L);
            LionClient.Reply refused = lion.upload(taskD, 0, sidD + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(big));
            assertThat(refused.json().path("ok").asBoolean(true)).isFalse();
            assertThat(refused.json().path("error_message").asText()).contains("not enough disk space")
                    .contains("the upload needs 4 MiB").contains(RESERVE_MB + " MiB must stay free");
            assertThat(free(data)).as("refused before the disk filled").isGreaterThanOrEqualTo(freeBefore - (1 << 20));
            Files.delete(nearlyFull);

            // 2. a long recording converting when something else fills the disk to the last byte
            String sidB = UUID.randomUUID().toString();
            Path recording = Files.write(dir.resolve("b.replay.gz"), TestRecordings.noise(320, 240, 4, 150, 1000, 4));
            String taskB = CrashMatrixTest.convertingSingle(lion, sidB, recording);
            String sidE = UUID.randomUUID().toString(); // and a part upload in flight when the disk fills
            byte[] e0 = TestRecordings.noise(320, 240, 6, 12, 30_000, 5);
            String taskE = create(lion, sidE, List.of(e0), 30_000L);
            HeldBackUpload inFlight = new HeldBackUpload(lion, taskE, 0, sidE + ".0.part.gz", e0, 1_200_000);
            Path inE = data.resolve("tasks/" + taskE + "/in");
            await("E's first MiB on disk", () -> CrashMatrixTest.size(CrashMatrixTest.halfUpload(inE, sidE + ".0.part.gz")) > 0);
            Path half = CrashMatrixTest.halfUpload(inE, sidE + ".0.part.gz");
            Path spoolFiller = fillUntilFree(data.resolve("filler-full"), 0);
            inFlight.release();
            LionClient.Reply cutShort = inFlight.reply.get(60, TimeUnit.SECONDS);
            assertThat(cutShort.json().path("ok").asBoolean(true)).as(cutShort.body()).isFalse();
            assertThat(cutShort.json().path("error_message").asText()).contains("the disk filled up while receiving");
            assertThat(half).as("the half part is not kept").doesNotExist();

            LionClient.Reply partRefused = lion.upload(taskA, 1, sidA + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(a1));
            assertThat(partRefused.json().path("ok").asBoolean(true)).isFalse();
            assertThat(partRefused.json().path("error_message").asText()).contains("not enough disk space");
            String sidC = UUID.randomUUID().toString();
            LionClient.Reply createRefused = lion.createTask(sidC, LionClient.taskBody(sidC, List.<Object[]>of(
                    new Object[] {sidC + ".0.part.gz", 1L, 2L, TestRecordings.sha256(a0)})));
            assertThat(createRefused.status()).isEqualTo(507);
            assertThat(createRefused.json().path("error").asText()).contains("not enough disk space");

            await("B paused for disk space", () -> status(lion, taskB).path("last_convert_error").asText().contains("disk space"));
            JsonNode paused = status(lion, taskB);
            assertThat(paused.path("state").asText()).as(paused.toString()).isEqualTo("queued");
            assertThat(paused.path("error_reason").asText()).as("a full disk is not a broken recording").isEmpty();
            assertThat(paused.path("attempts").asInt()).as("the failed run is not counted").isZero();

            // 3. the replay disk fills too; then space returns on the spool: B converts, and its publish fails
            Path replayFiller = fillUntilFree(replays.resolve("filler"), 0);
            Files.delete(spoolFiller);
            await("B's publish failing for space", () -> status(lion, taskB).path("publish_attempts").asInt() >= 1);
            JsonNode publishFailed = status(lion, taskB);
            assertThat(publishFailed.path("state").asText()).isEqualTo("publishing");
            assertThat(publishFailed.path("last_publish_error").asText()).contains("No space left on device");
            try (Stream<Path> files = Files.walk(replays)) {
                assertThat(files.filter(Files::isRegularFile).toList()).as("no half copy left on the full disk")
                        .containsExactly(replayFiller);
            }

            // 4. A's last part is taken now, and space returns on the replay disk: all is published once
            assertOk(lion.upload(taskA, 1, sidA + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(a1)));
            Files.delete(replayFiller);
            JsonNode doneB = lion.waitFor(taskB, "done", 120);
            JsonNode doneA = lion.waitFor(taskA, "done", 120);
            assertThat(doneB.path("state").asText()).as(doneB.toString()).isEqualTo("done");
            assertThat(doneB.path("attempts").asInt()).isEqualTo(1);
            assertThat(doneB.path("error_reason").asText()).isEmpty();
            assertThat(doneA.path("state").asText()).as(doneA.toString()).isEqualTo("done");
            SpoolChecks.assertCompleteMp4(replays.resolve(DATE).resolve(sidB + ".replay.mp4"), 150);
            SpoolChecks.assertPartsPublished(replays, DATE, sidA, List.of(1L, 1L));
            try (Stream<Path> files = Files.list(replays.resolve(DATE))) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .containsExactlyInAnyOrder(sidB + ".replay.mp4", sidA);
            }
            assertThat(SpoolChecks.logLines(data, taskB, "published 1 objects")).isEqualTo(1);
            assertThat(Files.readString(w.log())).as("said why, in the service log (task.log may have had no room)")
                    .contains("conversion paused: not enough disk space");
            for (String refusedTask : List.of(taskD, taskE)) {
                JsonNode r = status(lion, refusedTask);
                assertThat(r.path("state").asText()).as("its sender kept the part it could not give").isEqualTo("receiving");
                assertThat(r.path("files").get(0).path("received").asBoolean()).isFalse();
            }
            SpoolChecks.assertNoHiddenFiles(replays);
            SpoolChecks.assertNoLeftovers(data);
            assertThat(w.leftovers()).isEmpty();
        }
    }

    /**
     * Without a filesystem of its own: a reserve larger than the disk makes the disk "full" for
     * the worker; restarts take the space away and give it back.
     */
    private void simulated(Path data) throws Exception {
        String sidA = UUID.randomUUID().toString();
        byte[] a0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        byte[] a1 = TestRecordings.part(0x00FF00, 11_200, 12_000);
        String sidB = UUID.randomUUID().toString();
        Path recording = Files.write(dir.resolve("b.replay.gz"), TestRecordings.part(0x0000FF, 20_000, 21_000));
        String taskA;
        String taskB;
        try (WorkerProcess w = new WorkerProcess(data, Map.of()).start()) {
            LionClient lion = w.lion();
            taskA = create(lion, sidA, List.of(a0, a1), 10_000L, 11_200L);
            assertOk(lion.upload(taskA, 0, sidA + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(a0)));
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("session_id", sidB);
            fields.put("session_date", DATE);
            taskB = lion.single(fields, recording).json().path("id").asText();
            w.kill(); // B accepted, not yet published: it resumes at the next start
        }
        int attemptsBefore = SpoolChecks.onDisk(data, taskB).attempts;
        try (WorkerProcess w = new WorkerProcess(data, Map.of("VIDEO_WORKER_SPOOL_RESERVE_MB", "1048576")).start()) {
            LionClient lion = w.lion();
            LionClient.Reply refused = lion.upload(taskA, 1, sidA + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(a1));
            assertThat(refused.json().path("ok").asBoolean(true)).isFalse();
            assertThat(refused.json().path("error_message").asText()).contains("not enough disk space");
            String sidC = UUID.randomUUID().toString();
            LionClient.Reply createRefused = lion.createTask(sidC, LionClient.taskBody(sidC, List.<Object[]>of(
                    new Object[] {sidC + ".0.part.gz", 1L, 2L, TestRecordings.sha256(a0)})));
            assertThat(createRefused.status()).isEqualTo(507);
            await("B paused for disk space", () -> status(lion, taskB).path("last_convert_error").asText().contains("disk space"));
            JsonNode paused = status(lion, taskB);
            assertThat(paused.path("state").asText()).isEqualTo("queued");
            assertThat(paused.path("attempts").asInt()).as("nothing counted while waiting").isEqualTo(attemptsBefore);
            assertThat(w.children()).as("no conversion started without space").isEmpty();
            w.stop();
        }
        try (WorkerProcess w = new WorkerProcess(data, Map.of()).start()) {
            LionClient lion = w.lion();
            assertOk(lion.upload(taskA, 1, sidA + ".1.part.gz", HttpRequest.BodyPublishers.ofByteArray(a1)));
            JsonNode doneA = lion.waitFor(taskA, "done", 120);
            JsonNode doneB = lion.waitFor(taskB, "done", 120);
            assertThat(doneA.path("state").asText()).as(doneA.toString()).isEqualTo("done");
            assertThat(doneB.path("state").asText()).as(doneB.toString()).isEqualTo("done");
            assertThat(doneB.path("error_reason").asText()).isEmpty();
            SpoolChecks.assertPartsPublished(data.resolve("replays"), DATE, sidA, List.of(1L, 1L));
            SpoolChecks.assertCompleteMp4(data.resolve("replays").resolve(DATE).resolve(sidB + ".replay.mp4"), 1);
            SpoolChecks.assertNoHiddenFiles(data.resolve("replays"));
            SpoolChecks.assertNoLeftovers(data);
            assertThat(w.leftovers()).isEmpty();
        }
    }

    // ---- the disk --------------------------------------------------------------------------------

    /** Mounts a tmpfs of {@code mib} MiB on {@code at}; null when done, else why it could not be. */
    private static String mount(Path at, int mib) throws Exception {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        return p.waitFor() == 0 ? null : "mount failed: " + out;
    }

    private static void unmount(Path at) throws Exception {
        Process p = new ProcessBuilder("umount", at.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            new ProcessBuilder("umount", "-l", at.toString()).start().waitFor(); // lazily, so the temp dir can go
            throw new IllegalStateException("umount " + at + ": " + out);
        }
    }

    private static long free(Path p) throws IOException {
        return Files.getFileStore(p).getUsableSpace();
    }

    /** Another program filling the disk: writes {@code file} until only {@code leave} bytes are free (0: until ENOSPC). */
    private static Path fillUntilFree(Path file, long leave) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                long room = free(file.getParent()) - leave;
                if (leave > 0 && room <= 0) {
                    break;
                }
                chunk.clear();
                if (leave > 0 && room < chunk.capacity()) {
                    chunk.limit((int) room);
                }
                try {
                    ch.write(chunk);
                } catch (IOException e) {
                    if (leave == 0 && e.getMessage() != null && e.getMessage().contains("No space left")) {
                        break;
                    }
                    throw e;
                }
            }
        }
        return file;
    }
}

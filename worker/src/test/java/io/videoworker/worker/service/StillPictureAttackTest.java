package io.videoworker.worker.service;

import static io.videoworker.worker.service.CrashMatrixTest.assertOk;
import static io.videoworker.worker.service.CrashMatrixTest.create;
import static io.videoworker.worker.service.CrashMatrixTest.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.Tmpfs;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's attack, as a task: one 1024×768 noise picture and a sync every 594 s for 167 hours
 * (2.4 MB gzip) would be ≈ 60 GB of MP4 under a keyframe every 5 s. On a 192 MiB data disk with a
 * 32 MiB reserve it used to write until 0 bytes were free, pause uncounted and start again, forever,
 * while every other upload got 507. Now: the converter stops at twice the reserve (64 MiB free),
 * after three such runs the original recording is published, within seconds, and the sessions
 * uploaded meanwhile are accepted and converted.
 */
class StillPictureAttackTest {
    static final String KEY_ID = "3b9d7f21";
    static final String SECRET = "W4e7R1t9Y3u6I2o8P5a0S7d4F1g9H6j3";
    static final int RESERVE_MB = 32;
    static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void theStillNoiseAttackNeverTakesTheReserveEndsInBoundedTimeAndOthersAreServedMeanwhile() throws Exception {
        Path data = dir.resolve("data");
        Path attack = Files.write(dir.resolve("attack.replay.gz"), TestRecordings.stillNoise(1024, 768, 594_000, 167 * 3_600_000L, 12));
        Tmpfs disk;
        try {
            disk = Tmpfs.mount(data, 192);
        } catch (Tmpfs.Unavailable e) {
            Files.createDirectories(data);
            long free = Files.getFileStore(data).getUsableSpace();
            long reserveMb = Math.max(1, (free - 160 * MIB) / 2 / MIB);
            System.out.println("\n*** STILL PICTURE ATTACK TEST MODE: SIMULATED on the temp folder's own disk (" + e.getMessage()
                    + "); reserve " + reserveMb + " MiB, so conversions keep all but ≈ 160 MiB free ***\n");
            try (Tmpfs.FreeSpaceWatch watch = new Tmpfs.FreeSpaceWatch(data)) {
                run(data, attack, reserveMb, watch::lowest, 32 * MIB); // other programs share this disk
            }
            return;
        }
        System.out.println("\n*** STILL PICTURE ATTACK TEST MODE: real tmpfs of 192 MiB, reserve " + RESERVE_MB + " MiB ***\n");
        try (disk) {
            run(data, attack, RESERVE_MB, disk::lowestFree, 0);
        }
    }

    private void run(Path data, Path attack, long reserveMb, LongSupplier lowestFree, long slack) throws Exception {
        Files.createDirectories(data.resolve("keys"));
        Files.writeString(data.resolve("keys/access_keys"), KEY_ID + ":" + SECRET + "\n");
        String date = CrashMatrixTest.DATE;
        try (Service service = TestRecordings.worker(data, Map.of("VIDEO_WORKER_SPOOL_RESERVE_MB", String.valueOf(reserveMb),
                "VIDEO_WORKER_COUNT", "2"))) {
            LionClient lion = new LionClient(service.port(), KEY_ID, SECRET);
            long t0 = System.currentTimeMillis();
            String sid = UUID.randomUUID().toString();
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("session_id", sid);
            fields.put("session_date", date);
            LionClient.Reply accepted = lion.single(fields, attack);
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
            String attackId = accepted.json().path("id").asText();

            // other sessions keep arriving while the attack converts and waits
            List<String> others = new ArrayList<>();
            JsonNode a = status(lion, attackId);
            while (!a.path("state").asText().equals("failed") && !a.path("state").asText().equals("done")) {
                assertThat(System.currentTimeMillis() - t0).as("the attack task ends in bounded time: " + a).isLessThan(180_000);
                String other = UUID.randomUUID().toString();
                byte[] part = TestRecordings.part(0x3060C0, 10_000, 12_000);
                String task = create(lion, other, List.of(part), 10_000L);
                assertOk(lion.upload(task, 0, other + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part)));
                others.add(task);
                Thread.sleep(1000);
                a = status(lion, attackId);
            }
            long attackMs = System.currentTimeMillis() - t0;

            assertThat(a.path("state").asText()).as(a.toString()).isEqualTo("failed");
            assertThat(a.path("error_reason").asText()).isEqualTo("replay_convert_failed");
            assertThat(a.path("error").asText()).startsWith("the video does not fit on this disk: 3 runs stopped at the "
                    + "free space the spool keeps (last: not enough disk space: stopped writing into ");
            assertThat(a.path("attempts").asInt()).as("a full disk is never counted as a broken recording").isZero();
            assertThat(data.resolve("replays").resolve(date).resolve(sid + ".replay.gz")).as("the original, published")
                    .hasSameBinaryContentAs(attack);
            String log = Files.readString(data.resolve("tasks").resolve(attackId).resolve("task.log"));
            assertThat(log).as("the service passes its bounds to the converter")
                    .contains("--max-output-bytes " + (2L << 30)).contains("--min-free-bytes " + (2 * reserveMb * MIB));
            assertThat(lowestFree.getAsLong()).as("the disk never went below the reserve")
                    .isGreaterThanOrEqualTo(reserveMb * MIB - slack);

            assertThat(others).as("sessions uploaded meanwhile").hasSizeGreaterThanOrEqualTo(3);
            for (String task : others) {
                JsonNode done = lion.waitFor(task, "done", 120);
                assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
                // a session whose run stops at the floor the attack's video reached is not charged for it: the
                // converter says how little it wrote
                assertThat(SpoolChecks.onDisk(data, task).outOfRoomRuns).as("the attack's growth is never charged to another task")
                        .isZero();
            }
            SpoolChecks.assertNoLeftovers(data);
            System.out.printf("still picture attack: %,d B in; originals published after %.1f s and 3 runs; lowest free "
                    + "%d MiB (reserve %d MiB, conversions keep %d MiB); %d other sessions accepted and converted meanwhile%n",
                    Files.size(attack), attackMs / 1000.0, lowestFree.getAsLong() >> 20, reserveMb, 2 * reserveMb, others.size());
        }
    }
}

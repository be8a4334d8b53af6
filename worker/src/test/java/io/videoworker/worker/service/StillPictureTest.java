package io.videoworker.worker.service;

import static io.videoworker.worker.service.CrashMatrixTest.assertOk;
import static io.videoworker.worker.service.CrashMatrixTest.create;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's attack, as a task: one 1024×768 noise picture and a {@code sync} every 594 s for 167
 * hours (2.4 MB of gzip). Under the old rule (a keyframe every 5 s) it was ≈ 60 GB of MP4 and only
 * the output bounds stopped it; now a still picture costs no frames (issue 14), so it is simply
 * converted: a small MP4 as long as the recording, published like any other, while other sessions
 * are served.
 */
class StillPictureTest {
    static final String KEY_ID = "3b9d7f21";
    static final String SECRET = "W4e7R1t9Y3u6I2o8P5a0S7d4F1g9H6j3";
    static final long HOURS_167 = 167 * 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void the167HourStillPictureConvertsToASmallVideoOfTheRightLength() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("keys"));
        Files.writeString(data.resolve("keys/access_keys"), KEY_ID + ":" + SECRET + "\n");
        Path attack = Files.write(dir.resolve("attack.replay.gz"), TestRecordings.stillNoise(1024, 768, 594_000, HOURS_167, 12));
        String date = CrashMatrixTest.DATE;
        try (Service service = TestRecordings.worker(data, Map.of("VIDEO_WORKER_COUNT", "2"))) {
            LionClient lion = new LionClient(service.port(), KEY_ID, SECRET);
            String sid = UUID.randomUUID().toString();
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("session_id", sid);
            fields.put("session_date", date);
            LionClient.Reply accepted = lion.single(fields, attack);
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
            String attackId = accepted.json().path("id").asText();
            String other = UUID.randomUUID().toString();
            byte[] part = TestRecordings.part(0x3060C0, 10_000, 12_000);
            String otherTask = create(lion, other, List.of(part), 10_000L);
            assertOk(lion.upload(otherTask, 0, other + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part)));

            JsonNode a = lion.waitFor(attackId, "done", 120);
            assertThat(a.path("state").asText()).as(a.toString()).isEqualTo("done");
            assertThat(lion.waitFor(otherTask, "done", 120).path("state").asText()).isEqualTo("done");
            Path mp4 = data.resolve("replays").resolve(date).resolve(sid + ".replay.mp4");
            assertThat(Files.size(mp4)).as("167 hours of one picture").isLessThan(5L << 20);
            Mp4Info info = Mp4Probe.info(mp4);
            long lastSync = HOURS_167 / 594_000 * 594_000; // the video ends at the recording's last sync
            assertThat(info.durationMs()).as("as long as the recording").isCloseTo(lastSync, org.assertj.core.api.Assertions.within(50L));
            assertThat(info.videoFrames()).as("one picture, one frame").isLessThanOrEqualTo(2);
            System.out.printf("still picture: %,d B in, %,d B of MP4 for %d h%n", Files.size(attack), Files.size(mp4),
                    info.durationMs() / 3_600_000);
        }
    }
}

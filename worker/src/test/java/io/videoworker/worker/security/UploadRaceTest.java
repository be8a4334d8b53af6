package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: uploads cannot touch accepted data. Two connections upload one part at once (the
 * attack that once put a refused upload's bytes inside an accepted part), repeats of an accepted
 * part, the crash debris of uploads in flight, and a G2 original beside a published MP4.
 */
class UploadRaceTest {
    private static final String DAY = "2025-11-18";

    @TempDir
    Path data;
    @TempDir
    Path lionFiles;

    @Test
    void aRefusedUploadRacingAnAcceptedOneLeavesTheAcceptedPartByteForByte() throws Exception {
        try (StandAloneWorker w = new StandAloneWorker(data)) {
            String sid = UUID.randomUUID().toString();
            byte[] part0 = TestRecordings.part(0x2060c0, 10_000, 11_000);
            byte[] part1 = TestRecordings.part(0xc06020, 11_200, 12_000);
            String id = create(w.lion, sid, part0, part1);
            Path in = data.resolve("tasks/" + id + "/in");
            Path accepted = in.resolve(sid + ".0.part.gz");

            // B: the multipart header and 1,000 bytes of a wrong body, then it waits
            byte[] wrong = new byte[part0.length + 5_000];
            new Random(12).nextBytes(wrong);
            HeldUpload b = new HeldUpload(w.port(), id, 0, sid + ".0.part.gz", wrong, 1_000);
            Path bTemp = awaitTemporaryFiles(in, 1).get(0);

            // A: the right bytes, while B is in flight
            LionClient.Reply a = w.lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part0));
            assertThat(a.json().path("ok").asBoolean()).as(a.body()).isTrue();
            assertThat(accepted).hasBinaryContent(part0);
            assertThat(bTemp).as("B still writes its own file").exists();

            // B sends the rest and is refused; A's part is untouched
            b.release();
            RawHttp.Reply refused = b.reply.get(30, TimeUnit.SECONDS);
            assertThat(refused.json().path("ok").asBoolean()).as(refused.body()).isFalse();
            assertThat(refused.json().path("error_message").asText()).startsWith("checksum mismatch: received " + wrong.length + " bytes");
            assertThat(accepted).hasBinaryContent(part0);
            assertThat(temporaryFiles(in)).isEmpty();

            assertThat(upload(w.lion, id, 1, sid, part1).json().path("ok").asBoolean()).isTrue();
            JsonNode done = w.lion.waitFor(id, "done", 120);
            assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
            assertThat(done.path("attempts").asInt()).isEqualTo(1);
            Path replays = data.resolve("replays/" + DAY + "/" + sid);
            assertThat(names(replays)).containsExactlyInAnyOrder(sid + ".0.part.mp4", sid + ".1.part.mp4", sid + ".replay.json");
            assertThat(RawHttp.JSON.readTree(replays.resolve(sid + ".replay.json").toFile()).path("type").asText()).isEqualTo("mp4");
        }
    }

    @Test
    void anAcceptedPartNeverChanges() throws Exception {
        try (StandAloneWorker w = new StandAloneWorker(data)) {
            String sid = UUID.randomUUID().toString();
            byte[] part0 = TestRecordings.part(0x30a050, 10_000, 11_000);
            byte[] part1 = TestRecordings.part(0x5030a0, 11_200, 12_000);
            byte[] other = TestRecordings.part(0xffffff, 10_000, 11_000); // a real recording, just not this part
            String id = create(w.lion, sid, part0, part1);
            Path accepted = data.resolve("tasks/" + id + "/in/" + sid + ".0.part.gz");
            // two uploads of the right bytes overlap: the one finishing second is a repeat
            HeldUpload early = new HeldUpload(w.port(), id, 0, sid + ".0.part.gz", part0, part0.length / 2);
            awaitTemporaryFiles(accepted.getParent(), 1);
            assertThat(upload(w.lion, id, 0, sid, part0).json().path("ok").asBoolean()).isTrue();
            Object inode = Files.getAttribute(accepted, "unix:ino");
            FileTime mtime = Files.getLastModifiedTime(accepted);
            Thread.sleep(20); // a rewrite would show in the modification time
            early.release();
            RawHttp.Reply overlapping = early.reply.get(30, TimeUnit.SECONDS);
            assertThat(overlapping.json().path("ok").asBoolean()).as(overlapping.body()).isTrue();

            LionClient.Reply same = upload(w.lion, id, 0, sid, part0);
            assertThat(same.json().path("ok").asBoolean()).as(same.body()).isTrue();
            LionClient.Reply different = upload(w.lion, id, 0, sid, other);
            assertThat(different.json().path("ok").asBoolean()).isFalse();
            assertThat(different.json().path("error_message").asText())
                    .startsWith("part 0 was accepted already and is never replaced: checksum mismatch");
            assertThat(accepted).hasBinaryContent(part0);
            assertThat(Files.getAttribute(accepted, "unix:ino")).isEqualTo(inode);
            assertThat(Files.getLastModifiedTime(accepted)).isEqualTo(mtime);
            assertThat(temporaryFiles(accepted.getParent())).isEmpty();

            assertThat(upload(w.lion, id, 1, sid, part1).json().path("ok").asBoolean()).isTrue();
            assertThat(w.lion.waitFor(id, "done", 120).path("state").asText()).isEqualTo("done");
            Path mp4 = data.resolve("replays/" + DAY + "/" + sid + "/" + sid + ".0.part.mp4");
            byte[] published = Files.readAllBytes(mp4);
            // after the task is done: the same answer, and nothing published changes
            assertThat(upload(w.lion, id, 0, sid, part0).json().path("ok").asBoolean()).isTrue();
            LionClient.Reply late = upload(w.lion, id, 0, sid, other);
            assertThat(late.json().path("ok").asBoolean()).isFalse();
            assertThat(late.json().path("error_message").asText()).contains("never replaced");
            assertThat(mp4).hasBinaryContent(published);
            assertThat(names(data.resolve("replays/" + DAY + "/" + sid))).hasSize(3);
        }
    }

    @Test
    void everyAttemptHasItsOwnTemporaryFileAndACrashLeavesNoneBehind() throws Exception {
        String sid = UUID.randomUUID().toString();
        byte[] part0 = TestRecordings.part(0x208020, 10_000, 11_000);
        byte[] part1 = TestRecordings.part(0x802020, 11_200, 12_000);
        String id;
        Path in;
        Map<Path, byte[]> debris = new LinkedHashMap<>();
        try (StandAloneWorker w = new StandAloneWorker(data)) {
            id = create(w.lion, sid, part0, part1);
            in = data.resolve("tasks/" + id + "/in");
            assertThat(upload(w.lion, id, 0, sid, part0).json().path("ok").asBoolean()).isTrue();
            HeldUpload first = new HeldUpload(w.port(), id, 1, sid + ".1.part.gz", part1, part1.length / 2);
            awaitTemporaryFiles(in, 1);
            HeldUpload second = new HeldUpload(w.port(), id, 1, sid + ".1.part.gz", part1, part1.length / 2);
            List<Path> temps = awaitTemporaryFiles(in, 2);
            for (Path t : temps) {
                assertThat(t.getFileName().toString()).matches("\\." + sid + "\\.1\\.part\\.gz\\.[0-9a-f]{8}\\.uploading");
                debris.put(t, Files.readAllBytes(t));
            }
            first.abandon();
            second.abandon();
            awaitTemporaryFiles(in, 0); // senders gone: their files go with them
        }
        // what a SIGKILL would have left: the same files, under the same names
        for (Map.Entry<Path, byte[]> d : debris.entrySet()) {
            Files.write(d.getKey(), d.getValue());
        }
        try (StandAloneWorker w = new StandAloneWorker(data)) {
            assertThat(names(in)).containsExactly(sid + ".0.part.gz");
            assertThat(w.lion.status(id).json().path("state").asText()).isEqualTo("receiving");
            assertThat(upload(w.lion, id, 1, sid, part1).json().path("ok").asBoolean()).isTrue();
            assertThat(w.lion.waitFor(id, "done", 120).path("state").asText()).isEqualTo("done");
        }
    }

    @Test
    void aG2OriginalIsNeverPublishedBesideTheSessionsMp4() throws Exception {
        try (StandAloneWorker w = new StandAloneWorker(data)) {
            Path replays = data.resolve("replays/" + DAY);
            byte[] good = TestRecordings.part(0x4080c0, 10_000, 12_000);
            byte[] broken = TestRecordings.gzip("this is no recording".getBytes(StandardCharsets.US_ASCII));

            // an MP4 published first: a later original of the session is kept out, the task says why
            String sid = UUID.randomUUID().toString();
            assertThat(single(w, sid, good).path("state").asText()).isEqualTo("done");
            Path mp4 = replays.resolve(sid + ".replay.mp4");
            byte[] published = Files.readAllBytes(mp4);
            JsonNode failed = single(w, sid, broken);
            assertThat(failed.path("state").asText()).as(failed.toString()).isEqualTo("failed");
            assertThat(failed.path("error_reason").asText()).isEqualTo("replay_convert_failed");
            assertThat(failed.path("error").asText()).contains("the original recording is not published: " + DAY + "/" + sid
                    + ".replay.mp4 is in the storage already");
            assertThat(names(replays)).containsExactly(sid + ".replay.mp4");
            assertThat(mp4).hasBinaryContent(published);

            // the original first: the MP4 that follows replaces it
            String later = UUID.randomUUID().toString();
            assertThat(single(w, later, broken).path("state").asText()).isEqualTo("failed");
            assertThat(replays.resolve(later + ".replay.gz")).hasBinaryContent(broken);
            assertThat(single(w, later, good).path("state").asText()).isEqualTo("done");
            assertThat(names(replays)).containsExactlyInAnyOrder(sid + ".replay.mp4", later + ".replay.mp4");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static String create(LionClient lion, String sid, byte[] part0, byte[] part1) throws Exception {
        LionClient.Reply r = lion.createTask(sid, LionClient.taskBody(sid, List.of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(part0)},
                new Object[] {sid + ".1.part.gz", 11_200L, 12_000L, TestRecordings.sha256(part1)})));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    private static LionClient.Reply upload(LionClient lion, String id, int index, String sid, byte[] bytes) throws Exception {
        return lion.upload(id, index, sid + "." + index + ".part.gz", HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    /** A G2 upload of {@code bytes} as {@code <sid>.replay.gz}; the task once it is finished. */
    private JsonNode single(StandAloneWorker w, String sid, byte[] bytes) throws Exception {
        Path file = Files.createDirectories(lionFiles.resolve(UUID.randomUUID().toString())).resolve(sid + ".replay.gz");
        Files.write(file, bytes);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("session_id", sid);
        fields.put("component_type", "lion");
        fields.put("file_type", ".gz");
        fields.put("session_date", DAY);
        LionClient.Reply r = w.lion.single(fields, file);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return w.lion.waitFor(r.json().path("id").asText(), "done", 120);
    }

    private static List<Path> temporaryFiles(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".uploading")).sorted().toList();
        }
    }

    /** Waits until exactly {@code n} uploads in flight have their temporary files in {@code dir}. */
    private static List<Path> awaitTemporaryFiles(Path dir, int n) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        List<Path> found = temporaryFiles(dir);
        while (found.size() != n && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            found = temporaryFiles(dir);
        }
        assertThat(found).as("temporary files in " + dir).hasSize(n);
        return found;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    /**
     * A part upload on its own socket, as Lion sends it (signed, exact Content-Length): the
     * multipart header and the body's first bytes are sent and flushed at once, the rest only when
     * the test releases it; or the sender goes away without it.
     */
    private static final class HeldUpload {
        private final Socket socket;
        private final OutputStream out;
        private final byte[] rest;
        final CompletableFuture<RawHttp.Reply> reply = new CompletableFuture<>();

        HeldUpload(int port, String taskId, int index, String name, byte[] body, int first) throws IOException {
            String boundary = "8d1f0c2b";
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder("POST /api/v2/replay/sessions/" + taskId + "/task/upload/" + index
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            StandAloneWorker.lionHeaders().forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            request.append("Content-Type: multipart/form-data; boundary=").append(boundary).append("\r\n")
                    .append("Content-Length: ").append(head.length + body.length + tail.length).append("\r\n")
                    .append("Connection: close\r\n\r\n");
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.write(head);
            out.write(body, 0, first);
            out.flush();
            rest = new byte[body.length - first + tail.length];
            System.arraycopy(body, first, rest, 0, body.length - first);
            System.arraycopy(tail, 0, rest, body.length - first, tail.length);
        }

        /** The rest follows; the worker's answer completes {@link #reply}. */
        void release() {
            CompletableFuture.runAsync(() -> {
                try (socket) {
                    out.write(rest);
                    out.flush();
                    reply.complete(RawHttp.parse(socket.getInputStream()));
                } catch (IOException e) {
                    reply.completeExceptionally(e);
                }
            });
        }

        /** The sender goes away without sending the rest. */
        void abandon() throws IOException {
            socket.close();
        }
    }
}

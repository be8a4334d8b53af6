package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a caller can make the worker hold in memory is bounded: task JSON (1 MiB, 32 levels),
 * multipart text fields (32 of at most 4 KiB) and part headers (16 KiB). The recordings
 * themselves are streamed to disk with no limit at all.
 */
class BodyLimitsTest {
    static final String SID = "0f1e2d3c-4b5a-4697-8877-665544332211";

    @TempDir
    static Path data;
    static StandAloneWorker worker;

    @BeforeAll
    static void start() throws Exception {
        worker = new StandAloneWorker(data);
    }

    @AfterAll
    static void stop() {
        worker.close();
    }

    @Test
    void taskJsonIsCappedAtOneMebibyte() throws Exception {
        ObjectNode fits = StandAloneWorker.task(SID);
        fits.put("padding", "u".repeat((1 << 20) - fits.toString().length() - 20)); // a field the worker ignores
        LionClient.Reply ok = worker.lion.createTask(SID, fits.toString());
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);

        ObjectNode big = StandAloneWorker.task(SID);
        ((ObjectNode) big.get("meta")).put("user", "u".repeat(2 << 20));
        LionClient.Reply refused = worker.lion.createTask(SID, big.toString());
        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.json().path("id").asText("x")).isEmpty();
        assertThat(refused.json().path("error").asText()).isEqualTo("task JSON larger than 1 MiB");

        // without a Content-Length (chunked) the cap holds while reading
        LionClient.Reply chunked = worker.lion.send(worker.lion.signed("/api/v2/replay/sessions/" + SID + "/task/")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.toString().getBytes(StandardCharsets.UTF_8)))).build());
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.json().path("error").asText()).contains("1 MiB");
    }

    @Test
    void deeplyNestedJsonIsRefusedCleanly() throws Exception {
        for (int depth : List.of(33, 1000, 100_000)) {
            String nested = "[".repeat(depth) + "]".repeat(depth);
            RawHttp.Reply r = worker.post("/api/v2/replay/sessions/" + SID + "/task/", "application/json",
                    ("{\"config\":{},\"meta\":{\"x\":" + nested + "}}").getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as(depth + " levels: " + r.body()).isEqualTo(400);
            assertThat(r.error()).isEqualTo("task JSON nested deeper than 32 levels");
        }
        ObjectNode deepButFine = StandAloneWorker.task(SID);
        deepButFine.set("x", RawHttp.JSON.readTree("[".repeat(20) + "]".repeat(20))); // beside config and meta, ignored
        assertThat(worker.lion.createTask(SID, deepButFine.toString()).status()).isEqualTo(200);
    }

    @Test
    void singleFileProtocolTextFieldsAreFewAndShort() throws Exception {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 33; i++) {
            many.put("f" + i, "v");
        }
        RawHttp.Reply tooMany = single(many, "");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.error()).isEqualTo("more than 32 fields before 'file'");

        RawHttp.Reply tooLong = single(Map.of("session_id", SID, "component_type", "c".repeat(5000)), "");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.error()).isEqualTo("field 'component_type' is longer than 4096 bytes");

        RawHttp.Reply longLine = single(Map.of("session_id", SID), "X-Pad: " + "p".repeat(20_000) + "\r\n");
        assertThat(longLine.status()).isEqualTo(400);
        assertThat(longLine.error()).isEqualTo("malformed multipart body: multipart part header line too long");

        RawHttp.Reply manyLines = single(Map.of("session_id", SID), ("X-Pad: " + "p".repeat(1000) + "\r\n").repeat(20));
        assertThat(manyLines.status()).isEqualTo(400);
        assertThat(manyLines.error()).isEqualTo("malformed multipart body: multipart part headers are too long");

        try (var tasks = Files.list(data.resolve("tasks"))) {
            assertThat(tasks.filter(t -> Files.exists(t.resolve("in/" + SID + ".replay.gz")))).as("no G2 task kept").isEmpty();
        }
    }

    @Test
    void partUploadAcceptsAtMost32FieldsBeforeTheFile() throws Exception {
        String sid = UUID.randomUUID().toString();
        String id = worker.lion.createTask(sid, StandAloneWorker.task(sid).toString()).json().path("id").asText();
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 33; i++) {
            fields.append("--b\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nv\r\n");
        }
        byte[] body = (fields + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + sid
                + ".0.part.gz\"\r\n\r\nx\r\n--b--\r\n").getBytes(StandardCharsets.UTF_8);
        RawHttp.Reply r = worker.post("/api/v2/replay/sessions/" + id + "/task/upload/0", "multipart/form-data; boundary=b", body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("ok").asBoolean(true)).isFalse();
        assertThat(r.json().path("error_message").asText()).isEqualTo("more than 32 fields before 'file'");
    }

    /** 24 MiB in one part, 24 times the JSON cap: streamed to disk, checksum verified, kept whole. */
    @Test
    void aLargePartIsStreamedWithoutAnyLimit() throws Exception {
        Path big = data.resolveSibling(data.getFileName() + "-big.part.gz");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(6);
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 24; i++) {
                random.nextBytes(chunk);
                sha.update(chunk);
                out.write(chunk);
            }
        }
        String sid = UUID.randomUUID().toString();
        ObjectNode body = StandAloneWorker.task(sid);
        ((ObjectNode) body.get("meta").get("files").get(0)).put("checksum", HexFormat.of().formatHex(sha.digest()));
        ((com.fasterxml.jackson.databind.node.ArrayNode) body.get("meta").get("files")).addObject()
                .put("name", sid + ".1.part.gz").put("checksum", "cd".repeat(32)); // never sent: the task stays receiving
        String id = worker.lion.createTask(sid, body.toString()).json().path("id").asText();
        LionClient.Reply up = worker.lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofFile(big));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        assertThat(up.json().path("ok").asBoolean()).isTrue();
        Path stored = data.resolve("tasks/" + id + "/in/" + sid + ".0.part.gz");
        assertThat(stored).hasSize(24L << 20);
        assertThat(Files.mismatch(big, stored)).as("stored byte for byte").isEqualTo(-1L);
        Files.delete(big);
    }

    static RawHttp.Reply single(Map<String, String> fields, String extraFileHeaders) throws Exception {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append("--b\r\nContent-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n")
                .append(v).append("\r\n"));
        sb.append("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"").append(SID).append(".replay.gz\"\r\n")
                .append(extraFileHeaders).append("\r\nnot a recording\r\n--b--\r\n");
        return worker.post("/api/v2/replay/sessions/" + SID + "/task/", "multipart/form-data; boundary=b",
                sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}

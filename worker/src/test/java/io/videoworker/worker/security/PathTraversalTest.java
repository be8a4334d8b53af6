package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile names in every field that reaches the filesystem or a storage key, over real HTTP with
 * a valid signature: each is refused with a JSON error that names the field, and afterwards
 * nothing exists outside DATA_DIR, no task was created and nothing was published.
 */
class PathTraversalTest {
    static final String SID = "3b0e4f5c-2d1a-4e8b-9c7f-6a5d4e3c2b1a";
    /** Looks like SID; the 'a's are Cyrillic U+0430. */
    static final String LOOK_ALIKE = SID.replace('a', '\u0430');
    static final String MARK = "pwned-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path root;
    static StandAloneWorker worker;
    static final List<String> checked = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        worker = new StandAloneWorker(root.resolve("data"));
    }

    @AfterAll
    static void stopAndCheckTheFilesystem() throws Exception {
        worker.close();
        Path data = root.resolve("data");
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> !p.equals(root))).as("everything under DATA_DIR").allMatch(p -> p.startsWith(data));
        }
        try (Stream<Path> all = Files.walk(data)) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(MARK) || n.contains(".."));
        }
        assertThat(Path.of("/tmp", MARK)).doesNotExist();
        assertThat(Path.of("/tmp", MARK + ".0.part.gz")).doesNotExist();
        try (Stream<Path> published = Files.walk(data.resolve("replays"))) {
            assertThat(published.filter(Files::isRegularFile)).as("nothing published").isEmpty();
        }
        assertThat(checked).as("cases run").hasSizeGreaterThan(100);
    }

    /** Hostile values as a caller would mean them (decoded). */
    static List<String> hostileValues() {
        return List.of("..", "../", "../../../../tmp/" + MARK, "%2e%2e%2f" + MARK, "a/b", "a\\b", "..\\..\\" + MARK,
                "/tmp/" + MARK, "C:\\" + MARK, "a\u0000b", "nul\u0000", "x".repeat(10_000), "\u2024\u2024/" + MARK,
                "\uFF0Etmp\uFF0F" + MARK, LOOK_ALIKE, SID + "/../" + SID, SID + "\n" + MARK, " " + SID);
    }

    /** Hostile path segments as they appear in a request target (raw). */
    static List<String> hostileSegments() {
        return List.of("..", "%2e%2e", "%2e%2e%2f", "..%2F..%2Ftmp%2F" + MARK, "%2F", "%2Ftmp%2F" + MARK, "a%5Cb", "a\\b",
                "..\\..\\" + MARK, "a%00b", "%00", "x".repeat(10_000), "%E2%80%A4%E2%80%A4", "%EF%BC%8F" + MARK,
                URLEncoder.encode(LOOK_ALIKE, StandardCharsets.UTF_8), "%20" + SID, SID + "%0A" + MARK);
    }

    static void assertRefused(String what, RawHttp.Reply r, String... mentions) {
        checked.add(what);
        assertThat(r.status()).as(what + ": " + r.body()).isIn(400, 404, 414);
        assertThat(r.contentType()).as(what).startsWith("application/json");
        String error = r.error();
        assertThat(error).as(what).isNotBlank();
        assertThat(error.length()).as(what + ": the caller's text is quoted, not echoed whole").isLessThan(400);
        assertThat(r.json().path("ok").asBoolean(false)).as(what).isFalse();
        if (r.status() == 400 && !error.startsWith("request refused") && mentions.length > 0) {
            assertThat(error).as(what).containsAnyOf(mentions);
        }
    }

    static RawHttp.Reply create(String pathSid, ObjectNode body) throws Exception {
        return worker.post("/api/v2/replay/sessions/" + pathSid + "/task/", "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sessionIdInTheCreatePath() throws Exception {
        for (String seg : hostileSegments()) {
            assertRefused("G3 path " + seg, create(seg, StandAloneWorker.task(SID)), "session id");
            assertRefused("G2 path " + seg, single(seg, Map.of("session_id", SID), SID + ".replay.gz"), "session id", "session_id");
        }
    }

    @Test
    void metaId() throws Exception {
        for (String v : hostileValues()) {
            ObjectNode body = StandAloneWorker.task(SID);
            ((ObjectNode) body.get("meta")).put("id", v);
            assertRefused("meta.id " + v, create(SID, body), "meta.id");
        }
        ObjectNode notText = StandAloneWorker.task(SID);
        ((ObjectNode) notText.get("meta")).putObject("id").put("path", "../" + MARK);
        assertRefused("meta.id as an object", create(SID, notText), "meta.id");
    }

    @Test
    void partNamesInTheTask() throws Exception {
        List<String> names = new ArrayList<>(hostileValues());
        names.addAll(List.of("../" + SID + ".0.part.gz", SID + ".0.part.gz/../../" + MARK, "/tmp/" + SID + ".0.part.gz",
                SID + ".0.part.gz\u0000", SID + "\\..\\" + SID + ".0.part.gz", LOOK_ALIKE + ".0.part.gz",
                SID + ".\u0660.part.gz", SID + ".0.part.gz/", SID + ".0.part.gz" + "x".repeat(10_000)));
        for (String v : names) {
            ObjectNode body = StandAloneWorker.task(SID);
            ((ObjectNode) body.get("meta").get("files").get(0)).put("name", v);
            assertRefused("files[0].name " + v, create(SID, body), "files[0].name");
        }
    }

    @Test
    void dateStartThatBecomesTheStorageKeyPrefix() throws Exception {
        List<String> dates = new ArrayList<>(hostileValues());
        dates.addAll(List.of("2025-11-18/../../" + MARK, "2025-11-18 02:00:00 +0000/../" + MARK, "../2025-11-18",
                "２０２５-１１-１８ 02:00:00 +0000", "99999-11-18 02:00:00 +0000", "2025-11-18\u0000"));
        for (String v : dates) {
            for (String field : List.of("date_start", "data_start")) {
                ObjectNode body = StandAloneWorker.task(SID);
                ObjectNode meta = (ObjectNode) body.get("meta");
                meta.remove("date_start");
                meta.put(field, v);
                assertRefused("meta." + field + " " + v, create(SID, body), "meta." + field);
            }
        }
    }

    @Test
    void sessionIdAndSessionDateOfTheSingleFileProtocol() throws Exception {
        for (String v : hostileValues()) {
            if (v.strip().equals(SID)) {
                continue; // the single-file protocol trims its text fields: that is the session id itself
            }
            assertRefused("G2 session_id " + v, single(SID, Map.of("session_id", v), SID + ".replay.gz"), "session_id");
            assertRefused("G2 session_date " + v, single(SID, Map.of("session_id", SID, "session_date", v), SID + ".replay.gz"),
                    "session_date");
        }
        for (String v : List.of("2025-11-18/../..", "２０２５-１１-１８", "2025-11-18\\..", "18/11/2025", "2025-11-180")) {
            assertRefused("G2 session_date " + v, single(SID, Map.of("session_id", SID, "session_date", v), SID + ".replay.gz"),
                    "session_date");
        }
    }

    @Test
    void fileNameOfTheSingleFileProtocol() throws Exception {
        for (String v : List.of("../../" + MARK, "/tmp/" + MARK, "..\\..\\" + MARK, "a\u0000b", "..", "x".repeat(300))) {
            assertRefused("G2 filename " + v, single(SID, Map.of("session_id", SID), v), "file name");
        }
    }

    @Test
    void taskIdInTheUploadAndStatusPaths() throws Exception {
        byte[] part = multipart(Map.of(), SID + ".0.part.gz", "gzip".getBytes(StandardCharsets.UTF_8));
        for (String seg : hostileSegments()) {
            assertRefused("upload task id " + seg, worker.post("/api/v2/replay/sessions/" + seg + "/task/upload/0",
                    "multipart/form-data; boundary=" + BOUNDARY, part), "task id", "unknown task");
            assertRefused("status task id " + seg, RawHttp.send(worker.port(), "GET", "/api/v2/replay/tasks/" + seg,
                    StandAloneWorker.lionHeaders(), new byte[0]), "task id", "unknown task");
        }
    }

    @Test
    void partIndexAndTheMultipartFileName() throws Exception {
        String sid = UUID.randomUUID().toString();
        byte[] gz = TestRecordings.part(0xFF0000, 10_000, 11_000);
        LionClient.Reply created = worker.lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(gz)},
                new Object[] {sid + ".1.part.gz", 11_000L, 12_000L, TestRecordings.sha256(gz)})));
        String id = created.json().path("id").asText();
        Path in = root.resolve("data/tasks/" + id + "/in");
        for (String index : List.of("..", "%2e%2e", "-1", "+0", "0x0", "%D9%A0", "%EF%BC%90", "0%00", "9".repeat(10_000), "1e0")) {
            assertRefused("part index " + index, worker.post("/api/v2/replay/sessions/" + id + "/task/upload/" + index,
                    "multipart/form-data; boundary=" + BOUNDARY, multipart(Map.of(), sid + ".0.part.gz", gz)), "part index");
        }
        for (String name : List.of("../../" + MARK, "/tmp/" + MARK, "..\\..\\" + MARK, "..", ".", "a\u0000b", "a\u001bb",
                sid + ".0.part.gz/../../" + MARK, "x".repeat(10_000))) {
            assertRefused("multipart filename " + name, worker.post("/api/v2/replay/sessions/" + id + "/task/upload/0",
                    "multipart/form-data; boundary=" + BOUNDARY, multipart(Map.of(), name, gz)), "file name");
        }
        try (Stream<Path> files = Files.list(in)) {
            assertThat(files).as("nothing kept from refused uploads").isEmpty();
        }
        // a look-alike is a harmless base name: only a mismatch, stored under the announced name
        LionClient.Reply odd = worker.lion.upload(id, 0, "\u2024\u2024\uFF0F" + MARK, HttpRequest.BodyPublishers.ofByteArray(gz));
        assertThat(odd.json().path("ok").asBoolean()).as(odd.body()).isTrue();
        try (Stream<Path> files = Files.list(in)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(sid + ".0.part.gz");
        }
        assertThat(Files.readString(root.resolve("data/tasks/" + id + "/task.log"))).contains("kept as " + sid + ".0.part.gz");
        assertThat(worker.lion.status(id).json().path("state").asText()).as("part 1 never came").isEqualTo("receiving");
    }

    static final String BOUNDARY = "x9Tq3Lp";

    static byte[] multipart(Map<String, String> fields, String filename, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((k, v) -> out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n"
                + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static RawHttp.Reply single(String pathSid, Map<String, String> fields, String filename) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(Map.of("component_type", "lion", "file_type", ".gz"));
        all.putAll(fields);
        return worker.post("/api/v2/replay/sessions/" + pathSid + "/task/", "multipart/form-data; boundary=" + BOUNDARY,
                multipart(all, filename, TestRecordings.gzip("not converted".getBytes(StandardCharsets.UTF_8))));
    }
}

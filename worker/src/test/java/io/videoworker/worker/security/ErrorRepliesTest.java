package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every error is answered in the JSON shape its caller decodes and logged as one line without a
 * stack trace (reliability.md §5, findings 20 to 22): uploads {@code {"ok":false,"error_message"}}
 * with 400, task creation {@code {"id":"","error"}}, the rest {@code {"error"}}; HEAD is GET
 * without a body.
 */
class ErrorRepliesTest {
    static final String BOUNDARY = "b0undary";

    @TempDir
    Path data;
    StandAloneWorker worker;
    ApiLog log;

    @BeforeEach
    void start() throws Exception {
        worker = new StandAloneWorker(data);
        log = new ApiLog();
    }

    @AfterEach
    void stop() {
        log.close();
        worker.close();
    }

    @Test
    void headIsGetWithoutTheBody() throws Exception {
        String unknown = "/api/v2/replay/tasks/" + UUID.randomUUID();
        for (String target : List.of(unknown, "/video-worker/health/", "/api/v2/replay/tasks/not-a-task", "/no/such/path")) {
            RawHttp.Reply get = RawHttp.send(worker.port(), "GET", target, StandAloneWorker.lionHeaders(), new byte[0]);
            RawHttp.Reply head = RawHttp.exchange(worker.port(),
                    RawHttp.head("HEAD", target, StandAloneWorker.lionHeaders()).getBytes(StandardCharsets.UTF_8));
            assertThat(head.status()).as("HEAD " + target).isEqualTo(get.status());
            assertThat(head.contentType()).as("HEAD " + target).isEqualTo(get.contentType()).startsWith("application/json");
            assertThat(head.body()).as("HEAD " + target).isEmpty();
            assertThat(head.contentLength()).as("HEAD " + target).isPositive();
        }
        assertThat(RawHttp.exchange(worker.port(), RawHttp.head("HEAD", unknown, Map.of()).getBytes(StandardCharsets.UTF_8))
                .status()).as("HEAD is authenticated as GET is").isEqualTo(401);
        String id = created();
        RawHttp.Reply known = RawHttp.exchange(worker.port(),
                RawHttp.head("HEAD", "/api/v2/replay/tasks/" + id, StandAloneWorker.lionHeaders()).getBytes(StandardCharsets.UTF_8));
        assertThat(known.status()).isEqualTo(200);
        assertThat(known.body()).isEmpty();
    }

    @Test
    void aBrokenChunkedBodyIsRefusedInTheEndpointsShapeAndLoggedOnce() throws Exception {
        String id = created();
        String upload = "/api/v2/replay/sessions/" + id + "/task/upload/0";
        RawHttp.Reply r = chunked(upload, "multipart/form-data; boundary=" + BOUNDARY, "zz\r\nhello\r\n0\r\n\r\n");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("ok").isBoolean()).isTrue();
        assertThat(r.json().path("ok").asBoolean()).isFalse();
        assertThat(r.json().path("error_message").asText()).startsWith("request body incomplete");
        assertOneLine(upload, Level.WARN);

        String create = "/api/v2/replay/sessions/" + ApiCalls.SID + "/task/";
        RawHttp.Reply c = chunked(create, "application/json", "5\r\n{\"con\r\nzz\r\n0\r\n\r\n");
        assertThat(c.status()).as(c.body()).isEqualTo(400);
        assertThat(c.json().path("id").asText("missing")).isEmpty();
        assertThat(c.json().path("error").asText()).startsWith("request body incomplete");
        assertOneLine(create, Level.WARN);
        assertThat(worker.lion.status(id).json().path("files").get(0).path("received").asBoolean()).isFalse();
        assertThat(leftovers(id)).as("nothing kept of the broken upload").isEmpty();
    }

    @Test
    void aSpoolThatCannotBeWrittenIsAnErrorInTheDocumentedShapes() throws Exception {
        String id = created();
        // as root no mode makes a folder read-only: a file where the folder should be fails the same way
        Path in = data.resolve("tasks/" + id + "/in");
        Files.delete(in);
        Files.writeString(in, "not a folder");
        String upload = "/api/v2/replay/sessions/" + id + "/task/upload/0";
        byte[] gz = TestRecordings.part(0xFF0000, 1_000, 2_000);
        RawHttp.Reply u = worker.post(upload, "multipart/form-data; boundary=" + BOUNDARY,
                multipart(ApiCalls.SID + ".0.part.gz", gz));
        assertThat(u.status()).as(u.body()).isEqualTo(400);
        assertThat(u.json().path("ok").asBoolean(true)).isFalse();
        assertThat(u.json().path("error_message").asText()).startsWith("the worker could not write its spool (")
                .endsWith("); its log has the details").doesNotContain(data.toString());
        assertOneLine(upload, Level.ERROR);

        Path tasks = data.resolve("tasks");
        Path aside = data.resolve("tasks-aside");
        Files.move(tasks, aside);
        Files.writeString(tasks, "not a folder");
        try {
            String sid = UUID.randomUUID().toString();
            String create = "/api/v2/replay/sessions/" + sid + "/task/";
            RawHttp.Reply c = worker.post(create, "application/json", StandAloneWorker.task(sid).toString().getBytes(StandardCharsets.UTF_8));
            assertThat(c.status()).as(c.body()).isEqualTo(500);
            assertThat(c.json().path("id").asText("missing")).isEmpty();
            assertThat(c.json().path("error").asText()).startsWith("the worker could not write its spool (");
            assertOneLine(create, Level.ERROR);
        } finally {
            Files.delete(tasks);
            Files.move(aside, tasks);
        }
    }

    @Test
    void everyRefusalIsLoggedAsOneLineWithoutAStackTrace() throws Exception {
        String id = created();
        Map<String, RawHttp.Reply> replies = new LinkedHashMap<>();
        replies.put("unknown task", RawHttp.send(worker.port(), "GET", "/api/v2/replay/tasks/" + UUID.randomUUID(),
                StandAloneWorker.lionHeaders(), new byte[0]));
        replies.put("bad signature", RawHttp.send(worker.port(), "GET", "/api/v2/replay/tasks/" + id,
                StandAloneWorker.headers("Signature keyId=\"x\",signature=\"y\"", ApiCalls.lionDate(0)), new byte[0]));
        replies.put("part out of range", worker.post("/api/v2/replay/sessions/" + id + "/task/upload/7",
                "multipart/form-data; boundary=" + BOUNDARY, multipart(ApiCalls.SID + ".0.part.gz", new byte[10])));
        replies.put("invalid task", worker.post("/api/v2/replay/sessions/" + ApiCalls.SID + "/task/", "application/json",
                "{\"meta\":{}}".getBytes(StandardCharsets.UTF_8)));
        replies.put("no such endpoint", RawHttp.send(worker.port(), "GET", "/nope", Map.of(), new byte[0]));
        replies.put("unsigned upload", RawHttp.send(worker.port(), "POST", "/api/v2/replay/sessions/" + id + "/task/upload/0",
                Map.of("Content-Type", "multipart/form-data; boundary=" + BOUNDARY), multipart(ApiCalls.SID + ".0.part.gz", new byte[10])));
        assertThat(replies.values()).extracting(RawHttp.Reply::status).containsExactly(404, 401, 400, 400, 404, 401);
        List<ILoggingEvent> lines = log.all();
        assertThat(lines).as("one line per refusal").hasSize(replies.size());
        assertThat(lines).allMatch(e -> e.getThrowableProxy() == null && e.getLevel() == Level.WARN
                && !e.getFormattedMessage().contains("\n"));
        assertThat(lines.get(2).getFormattedMessage()).contains("refused: part index 7 is out of range");
        assertThat(replies.get("part out of range").json().path("ok").isBoolean()).isTrue();
        assertThat(replies.get("invalid task").json().has("id")).isTrue();
        assertThat(replies.get("unknown task").json().has("id")).isFalse();
        assertThat(replies.get("unsigned upload").json().path("ok").isBoolean()).as("an upload's shape, also for 401").isTrue();
    }

    void assertOneLine(String path, Level level) {
        List<ILoggingEvent> lines = log.about(path);
        assertThat(lines).as("log lines about " + path).hasSize(1);
        assertThat(lines.get(0).getLevel()).isEqualTo(level);
        assertThat(lines.get(0).getThrowableProxy()).as("no stack trace").isNull();
    }

    String created() throws Exception {
        LionClient.Reply r = worker.lion.createTask(ApiCalls.SID, new String(ApiCalls.taskJson(), StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    List<Path> leftovers(String id) throws Exception {
        try (Stream<Path> s = Files.list(data.resolve("tasks/" + id + "/in"))) {
            return s.toList();
        }
    }

    RawHttp.Reply chunked(String target, String contentType, String body) throws Exception {
        Map<String, String> h = new LinkedHashMap<>(StandAloneWorker.lionHeaders());
        h.put("Content-Type", contentType);
        h.put("Transfer-Encoding", "chunked");
        return RawHttp.exchange(worker.port(), (RawHttp.head("POST", target, h) + body).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] multipart(String filename, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}

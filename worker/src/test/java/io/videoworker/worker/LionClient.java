package io.videoworker.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.worker.auth.HttpSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Calls the worker as JumpServer's Lion does: it signs a synthetic GET /api/v1/users/profile/ with
 * its access key, with a Date in Lion's local zone (CST), and copies Date and Authorization onto
 * the real request; multipart bodies have an exact Content-Length, never chunked.
 */
public final class LionClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CST = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'CST'", Locale.US);

    public final HttpClient http = HttpClient.newHttpClient();
    public final String base;
    final String keyId;
    final String secret;

    public LionClient(int port, String keyId, String secret) {
        this.base = "http://127.0.0.1:" + port;
        this.keyId = keyId;
        this.secret = secret;
    }

    public record Reply(int status, JsonNode json, String body) {
    }

    public HttpRequest.Builder signed(String path) {
        String date = CST.format(ZonedDateTime.now(ZoneId.of("Asia/Shanghai")));
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("X-Jms-Org", "ROOT")
                .header("Date", date)
                .header("Authorization", HttpSignature.authorization(keyId, secret, "GET", io.videoworker.worker.auth.LocalKeyAuthenticator.PROFILE_PATH, date));
    }

    public Reply send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            // not JSON: the test will say so
        }
        return new Reply(r.statusCode(), json, r.body());
    }

    public Reply createTask(String sid, String body) throws IOException, InterruptedException {
        return send(signed("/api/v2/replay/sessions/" + sid + "/task/").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Reply upload(String taskId, int index, Path file) throws IOException, InterruptedException {
        return upload(taskId, index, file.getFileName().toString(), HttpRequest.BodyPublishers.ofFile(file));
    }

    public Reply upload(String taskId, int index, String filename, HttpRequest.BodyPublisher content)
            throws IOException, InterruptedException {
        String boundary = "8d1f0c2b";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        return send(signed("/api/v2/replay/sessions/" + taskId + "/task/upload/" + index)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head), content,
                        HttpRequest.BodyPublishers.ofByteArray(tail))).build());
    }

    /** The older single-file protocol: text fields in the given order, then the file. */
    public Reply single(Map<String, String> fields, Path file) throws IOException, InterruptedException {
        String boundary = "a7c3e9";
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            sb.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(f.getKey())
                    .append("\"\r\n\r\n").append(f.getValue()).append("\r\n");
        }
        sb.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
                .append(file.getFileName()).append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        String sid = fields.getOrDefault("session_id", "x");
        return send(signed("/api/v2/replay/sessions/" + sid + "/task/")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(sb.toString()),
                        HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofByteArray(tail))).build());
    }

    public Reply status(String taskId) throws IOException, InterruptedException {
        return send(signed("/api/v2/replay/tasks/" + taskId + "/").GET().build());
    }

    /** Polls the task status until it is in {@code state} or finished; fails after {@code seconds}. */
    public JsonNode waitFor(String id, String state, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        JsonNode s = null;
        while (System.currentTimeMillis() < deadline) {
            s = status(id).json();
            String now = s == null ? "" : s.path("state").asText();
            if (now.equals(state) || now.equals("done") || now.equals("failed") || now.equals("expired")) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " did not reach " + state + ": " + s);
    }

    /** Lion's create body: files[] as {name, start, end, sha256} in the order given. */
    public static String taskBody(String sid, java.util.List<Object[]> files) {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.putObject("config").put("MaxFrame", 0).put("Width", 1280).put("Height", 800).put("Bitrate", 1);
        com.fasterxml.jackson.databind.node.ObjectNode meta = body.putObject("meta");
        meta.put("id", sid).put("user", "Administrator(admin)").put("asset", "win-01").put("protocol", "vnc")
                .put("date_start", "2025-11-18 02:00:00 +0000").put("date_end", "2025-11-18 02:00:30 +0000")
                .put("type", "guacamole");
        com.fasterxml.jackson.databind.node.ArrayNode arr = meta.putArray("files");
        for (Object[] f : files) {
            arr.addObject().put("name", (String) f[0]).put("start", (Long) f[1]).put("end", (Long) f[2])
                    .put("duration", (Long) f[2] - (Long) f[1]).put("size", 1000).put("checksum", (String) f[3]);
        }
        return body.toString();
    }
}

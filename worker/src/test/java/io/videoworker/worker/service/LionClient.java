package io.videoworker.worker.service;

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
final class LionClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CST = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'CST'", Locale.US);

    final HttpClient http = HttpClient.newHttpClient();
    final String base;
    final String keyId;
    final String secret;

    LionClient(int port, String keyId, String secret) {
        this.base = "http://127.0.0.1:" + port;
        this.keyId = keyId;
        this.secret = secret;
    }

    record Reply(int status, JsonNode json, String body) {
    }

    HttpRequest.Builder signed(String path) {
        String date = CST.format(ZonedDateTime.now(ZoneId.of("Asia/Shanghai")));
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("X-Jms-Org", "ROOT")
                .header("Date", date)
                .header("Authorization", HttpSignature.authorization(keyId, secret, "GET", "/api/v1/users/profile/", date));
    }

    Reply send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            // not JSON: the test will say so
        }
        return new Reply(r.statusCode(), json, r.body());
    }

    Reply createTask(String sid, String body) throws IOException, InterruptedException {
        return send(signed("/api/v2/replay/sessions/" + sid + "/task/").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Reply upload(String taskId, int index, Path file) throws IOException, InterruptedException {
        return upload(taskId, index, file.getFileName().toString(), HttpRequest.BodyPublishers.ofFile(file));
    }

    Reply upload(String taskId, int index, String filename, HttpRequest.BodyPublisher content)
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
    Reply single(Map<String, String> fields, Path file) throws IOException, InterruptedException {
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

    Reply status(String taskId) throws IOException, InterruptedException {
        return send(signed("/api/v2/replay/tasks/" + taskId + "/").GET().build());
    }
}

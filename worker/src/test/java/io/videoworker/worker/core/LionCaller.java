package io.videoworker.worker.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.auth.HttpSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A caller signing as Lion does (profile signature copied onto the real request). */
final class LionCaller {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    final String base;
    final String keyId;
    final String secret;

    record Reply(int status, JsonNode json, String body) {
    }

    LionCaller(int port, String keyId, String secret) {
        this.base = "http://127.0.0.1:" + port;
        this.keyId = keyId;
        this.secret = secret;
    }

    HttpRequest.Builder signed(String path) {
        String date = HttpSignature.now();
        return HttpRequest.newBuilder(URI.create(base + path)).header("X-Jms-Org", "ROOT").header("Date", date)
                .header("Authorization", HttpSignature.authorization(keyId, secret, "GET", "/api/v1/users/profile/", date));
    }

    Reply send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = JSON.readTree(resp.body());
        } catch (IOException e) {
            // not JSON
        }
        return new Reply(resp.statusCode(), json, resp.body());
    }

    Reply createTask(String sid, String body) throws IOException, InterruptedException {
        return send(signed("/api/v2/replay/sessions/" + sid + "/task/").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Reply upload(String taskId, int index, String name, HttpRequest.BodyPublisher content) throws IOException, InterruptedException {
        String b = "b0undary";
        byte[] head = ("--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + b + "--\r\n").getBytes(StandardCharsets.UTF_8);
        return send(signed("/api/v2/replay/sessions/" + taskId + "/task/upload/" + index)
                .header("Content-Type", "multipart/form-data; boundary=" + b)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head), content,
                        HttpRequest.BodyPublishers.ofByteArray(tail))).build());
    }

    Reply status(String id) throws IOException, InterruptedException {
        return send(signed("/api/v2/replay/tasks/" + id + "/").GET().build());
    }

    JsonNode waitFor(String id, String state, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        JsonNode s = null;
        while (System.currentTimeMillis() < deadline) {
            s = status(id).json();
            if (s != null && (state.equals(s.path("state").asText()) || "failed".equals(s.path("state").asText())
                    || "done".equals(s.path("state").asText()))) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " did not reach " + state + ": " + s);
    }

    static String taskBody(String sid, List<Object[]> files) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("config").put("MaxFrame", 0).put("Width", 0).put("Height", 0).put("Bitrate", 1);
        ObjectNode meta = body.putObject("meta");
        meta.put("id", sid).put("user", "u").put("asset", "a").put("protocol", "rdp")
                .put("date_start", "2025-11-18 02:00:00 +0000").put("date_end", "2025-11-18 02:00:30 +0000").put("type", "guacamole");
        ArrayNode arr = meta.putArray("files");
        for (Object[] f : files) {
            arr.addObject().put("name", (String) f[0]).put("start", (Long) f[1]).put("end", (Long) f[2])
                    .put("duration", (Long) f[2] - (Long) f[1]).put("size", 1000).put("checksum", (String) f[3]);
        }
        return body.toString();
    }
}

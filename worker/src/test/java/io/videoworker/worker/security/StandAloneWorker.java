package io.videoworker.worker.security;

import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** An in-process stand-alone worker with one known caller key, and Lion's headers for raw requests. */
final class StandAloneWorker implements AutoCloseable {
    static final String KEY_ID = "c0ffee42";
    static final String SECRET = "m4Vq9zT2wX7bN1cR5yK8pL3sD6fG0hJ4";
    /** The status page's administrator token. */
    static final String ADMIN_TOKEN = "adm1n-T0ken-7Qx4Lp9Zr2Wc";

    final Path data;
    final Service service;
    final LionClient lion;

    StandAloneWorker(Path data) throws Exception {
        this.data = data;
        Files.createDirectories(data.resolve("keys"));
        // private, as the worker makes its own (an open one draws a warning, KeyFileTest)
        Path keys = data.resolve("keys/access_keys");
        if (!Files.exists(keys)) { // a restart on the same data keeps the file
            Files.createFile(keys, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(keys, KEY_ID + ":" + SECRET + "\n");
        service = TestRecordings.worker(data, Map.of("VIDEO_WORKER_ADMIN_TOKEN", ADMIN_TOKEN));
        lion = new LionClient(service.port(), KEY_ID, SECRET);
    }

    int port() {
        return service.port();
    }

    /** Date (Lion's zone, now) and Authorization as Lion sends them, plus X-JMS-ORG. */
    static Map<String, String> lionHeaders() {
        return ApiCalls.lionHeaders(KEY_ID, SECRET);
    }

    static Map<String, String> headers(String authorization, String date) {
        return ApiCalls.headers(authorization, date);
    }

    /** A minimal valid task body for session {@code sid}: one part, a well-formed checksum. */
    static ObjectNode task(String sid) {
        ObjectNode body = RawHttp.JSON.createObjectNode();
        body.putObject("config").put("Width", 64).put("Height", 48);
        ObjectNode meta = body.putObject("meta").put("id", sid).put("date_start", "2025-11-18 02:00:00 +0000");
        meta.putArray("files").addObject().put("name", sid + ".0.part.gz").put("checksum", "ab".repeat(32));
        return body;
    }

    /** A raw signed POST, bytes exactly as given. */
    RawHttp.Reply post(String target, String contentType, byte[] body) throws Exception {
        Map<String, String> h = new LinkedHashMap<>(lionHeaders());
        h.put("Content-Type", contentType);
        return RawHttp.send(port(), "POST", target, h, body);
    }

    @Override
    public void close() {
        service.close();
    }
}

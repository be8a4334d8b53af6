package io.videoworker.worker.security;

import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** An in-process stand-alone worker with one known caller key, and Lion's headers for raw requests. */
final class StandAloneWorker implements AutoCloseable {
    static final String KEY_ID = "c0ffee42";
    static final String SECRET = "m4Vq9zT2wX7bN1cR5yK8pL3sD6fG0hJ4";

    final Path data;
    final Service service;
    final LionClient lion;

    StandAloneWorker(Path data) throws Exception {
        this.data = data;
        Files.createDirectories(data.resolve("keys"));
        Files.writeString(data.resolve("keys/access_keys"), KEY_ID + ":" + SECRET + "\n");
        service = TestRecordings.worker(data, Map.of());
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

    @Override
    public void close() {
        service.close();
    }
}

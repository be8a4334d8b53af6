package io.videoworker.worker.security;

import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.auth.HttpSignature;
import io.videoworker.worker.auth.LocalKeyAuthenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** An in-process stand-alone worker with one known caller key, and Lion's headers for raw requests. */
final class StandAloneWorker implements AutoCloseable {
    static final String KEY_ID = "c0ffee42";
    static final String SECRET = "m4Vq9zT2wX7bN1cR5yK8pL3sD6fG0hJ4";
    static final DateTimeFormatter CST = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'CST'", Locale.US);

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
        String date = CST.format(ZonedDateTime.now(ZoneId.of("Asia/Shanghai")));
        return headers(HttpSignature.authorization(KEY_ID, SECRET, "GET", LocalKeyAuthenticator.PROFILE_PATH, date), date);
    }

    static Map<String, String> headers(String authorization, String date) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Jms-Org", "ROOT");
        if (date != null) {
            h.put("Date", date);
        }
        if (authorization != null) {
            h.put("Authorization", authorization);
        }
        return h;
    }

    @Override
    public void close() {
        service.close();
    }
}

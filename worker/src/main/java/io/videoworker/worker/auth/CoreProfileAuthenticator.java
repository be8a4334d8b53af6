package io.videoworker.worker.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * With a JumpServer core: the caller's signature was made for core's profile endpoint, so core
 * checks it. We forward Authorization, Date and X-JMS-ORG and accept a service account; positive
 * answers are cached for a minute per Authorization+Date. The cache is keyed by their SHA-256, so
 * it holds no replayable header and a lookup compares digests, not the caller's signature.
 */
public final class CoreProfileAuthenticator implements Authenticator {
    private static final long CACHE_MILLIS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI profile;
    private final Map<String, Long> accepted = new ConcurrentHashMap<>();

    public CoreProfileAuthenticator(HttpClient http, String coreHost) {
        this.http = http;
        this.profile = URI.create(coreHost + LocalKeyAuthenticator.PROFILE_PATH);
    }

    @Override
    public Verdict check(String authorization, String date, String org) {
        if (authorization == null || authorization.isBlank()) {
            return Verdict.reject(401, "missing Authorization header");
        }
        String key = digest(authorization + "\n" + date);
        long now = System.currentTimeMillis();
        Long at = accepted.get(key);
        if (at != null && now - at < CACHE_MILLIS) {
            return Verdict.OK;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(profile).timeout(Duration.ofSeconds(30)).GET()
                .header("Authorization", authorization)
                .header("Accept", "application/json");
        if (date != null) {
            req.header("Date", date);
        }
        req.header("X-JMS-ORG", org != null ? org : "ROOT");
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Verdict.reject(503, "cannot reach core to check the caller: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.reject(503, "interrupted while checking the caller with core");
        }
        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
            return Verdict.reject(401, "core rejected the caller's signature");
        }
        if (resp.statusCode() != 200) {
            return Verdict.reject(503, "core answered " + resp.statusCode() + " when checking the caller");
        }
        try {
            JsonNode user = JSON.readTree(resp.body());
            if (user.path("id").asText("").isEmpty() || !user.path("is_service_account").asBoolean(false)) {
                return Verdict.reject(401, "the caller is not a service account");
            }
        } catch (IOException e) {
            return Verdict.reject(503, "core's profile answer is not JSON");
        }
        if (accepted.size() > 10_000) {
            accepted.entrySet().removeIf(e -> now - e.getValue() >= CACHE_MILLIS);
        }
        accepted.put(key, now);
        return Verdict.OK;
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

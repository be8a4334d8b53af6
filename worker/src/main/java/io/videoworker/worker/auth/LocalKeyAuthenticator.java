package io.videoworker.worker.auth;

import io.videoworker.worker.spool.Untrusted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Stand-alone mode: callers sign a synthetic {@code GET /api/v1/users/profile/} with their access
 * key, as Lion does for core; we check that signature against the keys in
 * {@code DATA_DIR/keys/access_keys} (one {@code id:secret} per line, reread when it changes).
 *
 * <p>Stricter than core where that costs Lion nothing: only {@code hmac-sha256} over
 * {@code (request-target) date}, which is all Lion sends, and a Date that is a real date near now
 * ({@link SignedDate}), so a captured header pair stops working within a day at most.
 */
public final class LocalKeyAuthenticator implements Authenticator {
    /** What Lion signs, whatever the real request is. */
    public static final String PROFILE_PATH = "/api/v1/users/profile/";
    static final String ALGORITHM = "hmac-sha256";
    static final String SIGNED_HEADERS = "(request-target) date";

    private final Path file;
    private final Clock clock;
    private Map<String, String> keys = Map.of();
    private FileTime loadedAt;

    public LocalKeyAuthenticator(Path file) {
        this(file, Clock.systemUTC());
    }

    LocalKeyAuthenticator(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    @Override
    public Verdict check(String authorization, String date, String org) {
        if (authorization == null || authorization.isBlank()) {
            return Verdict.reject(401, "missing Authorization header");
        }
        Map<String, String> p = HttpSignature.parse(authorization);
        if (p == null) {
            return Verdict.reject(401, "Authorization is not an HTTP signature");
        }
        if (!ALGORITHM.equals(p.get("algorithm"))) {
            return Verdict.reject(401, "signature algorithm " + Untrusted.quote(p.get("algorithm")) + " is not " + ALGORITHM);
        }
        if (p.containsKey("headers") && !SIGNED_HEADERS.equals(p.get("headers"))) {
            return Verdict.reject(401, "signed headers " + Untrusted.quote(p.get("headers")) + " are not " + SIGNED_HEADERS);
        }
        if (date == null) {
            return Verdict.reject(401, "missing Date header");
        }
        String stale;
        try {
            stale = SignedDate.parse(date).staleness(clock.instant());
        } catch (IllegalArgumentException e) {
            return Verdict.reject(401, e.getMessage());
        }
        if (stale != null) {
            return Verdict.reject(401, stale);
        }
        String secret = keys().get(p.get("keyId"));
        if (secret == null) {
            return Verdict.reject(401, "unknown access key");
        }
        String expected = HttpSignature.sign(secret, HttpSignature.signingString("GET", PROFILE_PATH, date));
        return HttpSignature.matches(expected, p.get("signature")) ? Verdict.OK : Verdict.reject(401, "bad signature");
    }

    private synchronized Map<String, String> keys() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!Objects.equals(modified, loadedAt)) {
                Map<String, String> k = new HashMap<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String l = line.strip();
                    int colon = l.indexOf(':');
                    if (!l.isEmpty() && !l.startsWith("#") && colon > 0) {
                        k.put(l.substring(0, colon), l.substring(colon + 1));
                    }
                }
                keys = k;
                loadedAt = modified;
            }
        } catch (IOException e) {
            keys = Map.of();
            loadedAt = null;
        }
        return keys;
    }
}

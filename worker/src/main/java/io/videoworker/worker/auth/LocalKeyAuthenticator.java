package io.videoworker.worker.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Stand-alone mode: callers sign a synthetic {@code GET /api/v1/users/profile/} with their access
 * key, as Lion does for core; we check that signature against the keys in
 * {@code DATA_DIR/keys/access_keys} (one {@code id:secret} per line, reread when it changes).
 */
public final class LocalKeyAuthenticator implements Authenticator {
    /** What Lion signs, whatever the real request is. */
    public static final String PROFILE_PATH = "/api/v1/users/profile/";

    private final Path file;
    private Map<String, String> keys = Map.of();
    private FileTime loadedAt;

    public LocalKeyAuthenticator(Path file) {
        this.file = file;
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
        if (date == null) {
            return Verdict.reject(401, "missing Date header");
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

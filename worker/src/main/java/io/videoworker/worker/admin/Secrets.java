package io.videoworker.worker.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Random values and their comparison for the status page's token, sessions and forms. */
final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** {@code bytes} random bytes, base64url without padding (cookie- and form-safe). */
    static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) { // every JVM has SHA-256
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code given} is {@code expected}, in a time that depends on neither: both are
     * hashed first, so not even the length shows.
     */
    static boolean same(String expected, String given) {
        return expected != null && given != null && MessageDigest.isEqual(sha256(expected), sha256(given));
    }
}

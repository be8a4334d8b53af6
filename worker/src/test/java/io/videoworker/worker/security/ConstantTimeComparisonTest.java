package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.auth.HttpSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Signatures are compared in constant time (MessageDigest.isEqual), so a forger learns nothing
 * from how long a refusal takes. Timing itself is too noisy to test here; instead the behaviour of
 * the comparison is pinned, and the sources are searched for any other comparison of a secret,
 * signature, token or MAC with equals() or Arrays.equals().
 */
class ConstantTimeComparisonTest {
    static final String SECRET = "Z5kq8R2mN7pX3vB9cT4wY6hJ1sL0dF8g";

    @Test
    void signatureComparisonIsExact() {
        String expected = HttpSignature.sign(SECRET, HttpSignature.signingString("GET", "/api/v1/users/profile/",
                "Tue, 18 Nov 2025 10:00:00 GMT"));
        assertThat(HttpSignature.matches(expected, expected)).isTrue();
        assertThat(HttpSignature.matches(expected, new String(expected.toCharArray()))).as("by value, not identity").isTrue();
        char last = expected.charAt(expected.length() - 2);
        assertThat(HttpSignature.matches(expected, expected.substring(0, expected.length() - 2) + (last == 'A' ? 'B' : 'A') + "="))
                .as("last character").isFalse();
        assertThat(HttpSignature.matches(expected, (expected.charAt(0) == 'A' ? "B" : "A") + expected.substring(1)))
                .as("first character").isFalse();
        assertThat(HttpSignature.matches(expected, expected.substring(0, 43))).as("a prefix").isFalse();
        assertThat(HttpSignature.matches(expected, expected + "=")).as("longer").isFalse();
        assertThat(HttpSignature.matches(expected, "")).isFalse();
        assertThat(HttpSignature.matches(expected, expected.toLowerCase())).as("case matters in base64").isFalse();
    }

    static final Pattern COMPARISON = Pattern.compile("(?i)[\\w.()\"]*(signature|secret|token|hmac|mac|password|csrf)\\w*\"?\\)?"
            + "\\s*\\.\\s*(equals|equalsIgnoreCase|contentEquals|compareTo)\\s*\\(|"
            + "\\.(equals|equalsIgnoreCase)\\(\\s*\\w*(signature|secret|token|hmac|password|csrf)\\w*\\s*\\)|Arrays\\.equals\\(");

    @Test
    void noSecretIsComparedWithEquals() throws Exception {
        List<String> found = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).as("the worker's sources, from the module folder").hasSizeGreaterThan(40);
        for (Path p : sources) {
            List<String> lines = Files.readAllLines(p);
            for (int i = 0; i < lines.size(); i++) {
                if (COMPARISON.matcher(lines.get(i)).find()) {
                    found.add(p + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertThat(found).as("compare secrets with MessageDigest.isEqual (HttpSignature.matches)").isEmpty();
        String signature = Files.readString(Path.of("src/main/java/io/videoworker/worker/auth/HttpSignature.java"));
        assertThat(signature).contains("MessageDigest.isEqual(");
        String local = Files.readString(Path.of("src/main/java/io/videoworker/worker/auth/LocalKeyAuthenticator.java"));
        assertThat(local).contains("HttpSignature.matches(");
        String secrets = Files.readString(Path.of("src/main/java/io/videoworker/worker/admin/Secrets.java"));
        assertThat(secrets).contains("MessageDigest.isEqual(");
        String gate = Files.readString(Path.of("src/main/java/io/videoworker/worker/admin/AdminGate.java"));
        assertThat(gate).as("the form token").contains("Secrets.same(s.csrf(), ");
    }

    @Test
    void theSearchWouldFindAPlainComparison() {
        for (String bad : List.of("if (signature.equals(expected)) {", "return expected.equals(signature);",
                "token.equalsIgnoreCase(given)", "p.get(\"signature\").equals(x)", "Arrays.equals(mac, given)",
                "expectedCsrf.equals(given)", "given.equals(csrf)")) {
            assertThat(COMPARISON.matcher(bad).find()).as(bad).isTrue();
        }
        assertThat(COMPARISON.matcher("MessageDigest.isEqual(a, b)").find()).isFalse();
    }
}

package io.videoworker.worker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpSignatureTest {
    static final String SECRET = "Z5kq8R2mN7pX3vB9cT4wY6hJ1sL0dF8g";

    @Test
    void matchesJumpServersTestVectors() {
        assertThat(HttpSignature.sign(SECRET, HttpSignature.signingString("GET", "/api/v1/users/profile/",
                "Tue, 18 Nov 2025 10:00:00 GMT"))).isEqualTo("Aqt8SyG3vfqjPntabG0/aRUJ94+cfJoLskFm1Qg/dEI=");
        assertThat(HttpSignature.sign(SECRET, HttpSignature.signingString("PATCH",
                "/api/v1/terminal/sessions/77993207-ccb2-5332-bda2-4586e24c3166/", "Tue, 18 Nov 2025 10:05:00 GMT")))
                .isEqualTo("vpAddwQHVESpHCuDD4hi1ooshPVDktE6GRhZjQf3i7Q=");
    }

    @Test
    void authorizationHeaderParsesBack() {
        String h = HttpSignature.authorization("key1", SECRET, "GET", "/x?y=1", "Tue, 18 Nov 2025 10:00:00 GMT");
        assertThat(h).startsWith("Signature keyId=\"key1\",algorithm=\"hmac-sha256\",headers=\"(request-target) date\",signature=\"");
        assertThat(HttpSignature.parse(h)).containsEntry("keyId", "key1").containsKey("signature");
        assertThat(HttpSignature.parse("Bearer abc")).isNull();
    }

    @TempDir
    Path dir;

    @Test
    void standAloneCheckAcceptsLionsProfileSignatureInAnyZoneAndNothingElse() throws Exception {
        Path keys = dir.resolve("access_keys");
        Files.writeString(keys, "# callers\nlion1:" + SECRET + "\n");
        // 18 Nov 2025 18:00 UTC, Lion's 02:00 the next day in Asia/Shanghai
        LocalKeyAuthenticator auth = new LocalKeyAuthenticator(keys,
                Clock.fixed(Instant.parse("2025-11-18T18:00:00Z"), ZoneOffset.UTC));
        String cst = "Wed, 19 Nov 2025 02:00:00 CST";
        String good = HttpSignature.authorization("lion1", SECRET, "GET", "/api/v1/users/profile/", cst);
        assertThat(auth.check(good, cst, "ROOT").accepted()).isTrue();
        assertThat(auth.check(good, "Wed, 19 Nov 2025 02:00:01 CST", "ROOT").reason()).isEqualTo("bad signature");
        assertThat(auth.check(null, cst, null).status()).isEqualTo(401);
        assertThat(auth.check(good, null, null).reason()).contains("Date");
        String otherPath = HttpSignature.authorization("lion1", SECRET, "POST", "/api/v2/replay/sessions/x/task/", cst);
        assertThat(auth.check(otherPath, cst, null).accepted()).as("only the profile signature counts").isFalse();
        String unknown = HttpSignature.authorization("lion2", SECRET, "GET", "/api/v1/users/profile/", cst);
        assertThat(auth.check(unknown, cst, null).reason()).isEqualTo("unknown access key");
        Files.writeString(keys, "lion2:" + SECRET + "\n"); // keys are reread when the file changes
        Files.setLastModifiedTime(keys, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
        assertThat(auth.check(unknown, cst, null).accepted()).isTrue();
    }

    @Test
    void standAloneCheckRefusesOtherAlgorithmsAndDatesThatAreNotRecentDates() throws Exception {
        Path keys = dir.resolve("access_keys");
        Files.writeString(keys, "lion1:" + SECRET + "\n");
        LocalKeyAuthenticator auth = new LocalKeyAuthenticator(keys, Clock.fixed(Instant.parse("2025-11-18T10:00:00Z"), ZoneOffset.UTC));
        String date = "Tue, 18 Nov 2025 18:00:00 CST";
        String good = HttpSignature.authorization("lion1", SECRET, "GET", LocalKeyAuthenticator.PROFILE_PATH, date);
        assertThat(auth.check(good, date, "ROOT").accepted()).isTrue();
        assertThat(auth.check(good.replace("hmac-sha256", "none"), date, null).reason())
                .isEqualTo("signature algorithm 'none' is not hmac-sha256");
        assertThat(auth.check(good.replace("algorithm=\"hmac-sha256\",", ""), date, null).reason())
                .isEqualTo("signature algorithm (none) is not hmac-sha256");
        assertThat(auth.check(good.replace("hmac-sha256", "HMAC-SHA1"), date, null).accepted()).isFalse();
        assertThat(auth.check(good.replace("(request-target) date", "date"), date, null).reason())
                .isEqualTo("signed headers 'date' are not (request-target) date");
        for (String bad : new String[] {"not a date", "Tue, 18 Nov 2024 18:00:00 CST", "Sat, 18 Nov 2035 18:00:00 CST",
                "Mon, 18 Nov 2024 18:00:00 CST", "Sun, 18 Nov 2035 18:00:00 CST", "Tue, 18 Nov 2025 10:30:00 GMT"}) {
            // correctly signed over the bad Date: only the Date check can refuse it
            String signed = HttpSignature.authorization("lion1", SECRET, "GET", LocalKeyAuthenticator.PROFILE_PATH, bad);
            Authenticator.Verdict v = auth.check(signed, bad, null);
            assertThat(v.accepted()).as(bad).isFalse();
            assertThat(v.status()).isEqualTo(401);
            assertThat(v.reason()).as(bad).startsWith("Date ");
        }
    }
}

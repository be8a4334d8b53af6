package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OssStorage (Aliyun's SDK) against a local server that checks OSS V1 and V4 signatures as Aliyun
 * documents them, and OSS's multipart rules. The contract runs with 1 MiB parts, so its large object
 * goes multipart.
 */
class OssStorageTest extends ReplayStorageContract {
    private static final long MIB = 1024 * 1024;
    private static final String AK = "LTAItestaccesskey";
    private static final String SK = "test-secret-Q0YehC6ZyugWfjod5y8R";
    private static final URI ENDPOINT = URI.create("http://oss-cn-test.invalid");
    private static final String KEY = "2025-11-18/77993207-ccb2-5332-bda2-4586e24c3166/77993207-ccb2-5332-bda2-4586e24c3166.0.part.mp4";

    @TempDir
    Path dir;
    FakeObjectServer server;
    private final List<OssStorage> opened = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new FakeObjectServer("oss-cn-test.invalid", "cn-test");
        server.secrets.put(AK, SK);
        server.buckets.add("replays");
    }

    @AfterEach
    void stop() {
        opened.forEach(OssStorage::close);
        server.close();
    }

    @Override
    int serverPort() {
        return server.port();
    }

    @Override
    ReplayStorage storage(int port, boolean rightSecret) {
        return new OssStorage(ENDPOINT, "replays", AK, rightSecret ? SK : wrongSecret(), "cn-test", MIB, MIB,
                FakeObjectServer.proxyVia(port), null);
    }

    @Override
    String wrongSecret() {
        return "wrong-secret-value";
    }

    @Override
    String wrongSecretHint() {
        return "check ACCESS_KEY and SECRET_KEY";
    }

    @Override
    byte[] stored(String key) {
        return server.object("replays", key);
    }

    /** With the production threshold and part size (64 MiB): every object here is one PUT. */
    private OssStorage storage(String region, String secret) {
        return open(new OssStorage(ENDPOINT, "replays", AK, secret, region, OssStorage.DEFAULT_MULTIPART_THRESHOLD,
                OssStorage.DEFAULT_PART_SIZE, server.proxy(), null));
    }

    /** Multipart above 1 MiB, in parts of {@code partSize}. */
    private OssStorage multipart(String region, long partSize) {
        return open(new OssStorage(ENDPOINT, "replays", AK, SK, region, MIB, partSize, server.proxy(), null));
    }

    private OssStorage open(OssStorage oss) {
        opened.add(oss);
        return oss;
    }

    private static String region(String version) {
        return version.equals("V4") ? "cn-test" : null;
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void putOverwriteDelete(String version) throws IOException {
        OssStorage oss = storage(region(version), SK);
        assertThat(oss.signatureVersion()).isEqualTo(version);
        Path a = file("a.mp4", 100_000, 1);
        oss.put(KEY, a);
        assertThat(server.object("replays", KEY)).isEqualTo(Files.readAllBytes(a));

        FakeObjectServer.Request put = server.requests.get(0);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.host()).isEqualTo("replays.oss-cn-test.invalid");
        assertThat(put.rawPath()).isEqualTo("/" + KEY);
        assertThat(put.headers()).containsEntry("content-type", "video/mp4").containsKey("content-md5");
        assertThat(put.headers().get("authorization")).startsWith(version.equals("V4")
                ? "OSS4-HMAC-SHA256 Credential=" + AK + "/" : "OSS " + AK + ":");

        Path b = file("b.mp4", 3 * 1024 * 1024 + 17, 2); // streamed, several MiB
        oss.put(KEY, b);
        assertThat(server.object("replays", KEY)).isEqualTo(Files.readAllBytes(b));

        oss.delete(KEY);
        assertThat(server.object("replays", KEY)).isNull();
        oss.delete(KEY); // absent: still fine
        oss.delete("2025-11-18/never-written.replay.gz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void keysNeedingEncodingRoundTrip(String version) throws IOException {
        OssStorage oss = storage(region(version), SK);
        String key = "2025-11-18/a b+c~é/sid.replay.json";
        oss.put(key, file("r.json", 10, 3));
        assertThat(server.object("replays", key)).hasSize(10);
        // the SDK encodes even the unreserved ~, which OSS (and its signatures, over the decoded name) accept
        assertThat(server.requests.get(0).rawPath()).isEqualTo("/2025-11-18/a%20b%2Bc%7E%C3%A9/sid.replay.json");
        assertThat(server.requests.get(0).headers()).containsEntry("content-type", "application/json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void wrongSecretIsAClearErrorWithoutTheSecret(String version) throws IOException {
        OssStorage oss = storage(region(version), "wrong-secret-value");
        assertThatThrownBy(() -> oss.put(KEY, file("a.mp4", 1000, 1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("oss PUT replays/" + KEY)
                .hasMessageContaining("failed: SignatureDoesNotMatch")
                .hasMessageContaining("check ACCESS_KEY and SECRET_KEY")
                .hasMessageNotContaining("wrong-secret-value");
        assertThat(server.objects).isEmpty();
        assertThatThrownBy(() -> oss.delete(KEY)).hasMessageContaining("SignatureDoesNotMatch");
    }

    @Test
    void unknownAccessKeyAndMissingBucket() throws IOException {
        Path f = file("a.mp4", 10, 1);
        OssStorage stranger = open(new OssStorage(ENDPOINT, "replays", "LTAIunknown", SK, "cn-test",
                MIB, MIB, server.proxy(), null));
        assertThatThrownBy(() -> stranger.put(KEY, f)).hasMessageContaining("InvalidAccessKeyId")
                .hasMessageContaining("check ACCESS_KEY");
        OssStorage noBucket = open(new OssStorage(ENDPOINT, "gone", AK, SK, "cn-test", MIB, MIB, server.proxy(), null));
        assertThatThrownBy(() -> noBucket.put(KEY, f))
                .hasMessageContaining("oss PUT gone/" + KEY + " failed: NoSuchBucket")
                .hasMessageContaining("check BUCKET");
        // a HEAD reply has no body: OSS sends the error in x-oss-err, so a missing bucket is not a missing object
        assertThatThrownBy(() -> noBucket.sizeOf(KEY))
                .hasMessageContaining("oss HEAD gone/" + KEY + " failed: NoSuchBucket")
                .hasMessageContaining("check BUCKET");
    }

    @Test
    void skewedClockIsReported() throws IOException {
        Clock late = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        OssStorage oss = open(new OssStorage(ENDPOINT, "replays", AK, SK, "cn-test", MIB, MIB, server.proxy(), late));
        assertThatThrownBy(() -> oss.put(KEY, file("a.mp4", 10, 1)))
                .hasMessageContaining("RequestTimeTooSkewed")
                .hasMessageContaining("clock");
    }

    @Test
    void emptyFile() throws IOException {
        OssStorage oss = storage("cn-test", SK);
        oss.put("2025-11-18/empty.replay.gz", Files.write(dir.resolve("e"), new byte[0]));
        assertThat(server.object("replays", "2025-11-18/empty.replay.gz")).isEmpty();
        assertThat(server.requests.get(0).headers()).containsEntry("content-type", "application/gzip");
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void aboveTheThresholdInPartsSignedWithTheirSubResources(String version) throws IOException {
        OssStorage oss = multipart(region(version), 300 * 1024);
        Path big = file("big.mp4", (int) MIB + 5, 5); // 300 KiB parts: four, the last short
        oss.put(KEY, big);
        assertThat(server.object("replays", KEY)).isEqualTo(Files.readAllBytes(big));
        assertThat(server.operations()).containsExactly("POST ?uploads", "PUT ?partNumber&uploadId",
                "PUT ?partNumber&uploadId", "PUT ?partNumber&uploadId", "PUT ?partNumber&uploadId", "POST ?uploadId");
        assertThat(server.uploads).isEmpty();
        FakeObjectServer.Request initiate = server.requests.get(0);
        assertThat(initiate.rawPath()).isEqualTo("/" + KEY);
        assertThat(initiate.headers()).containsEntry("content-type", "video/mp4");
        assertThat(initiate.headers().get("authorization")).startsWith(version.equals("V4")
                ? "OSS4-HMAC-SHA256 Credential=" + AK + "/" : "OSS " + AK + ":");
        for (int n = 1; n <= 4; n++) {
            FakeObjectServer.Request part = server.requests.get(n);
            assertThat(part.query()).containsEntry("partNumber", Integer.toString(n));
            assertThat(part.headers()).containsKey("content-md5");
        }
        assertThat(oss.sizeOf(KEY)).isEqualTo(MIB + 5);

        // exactly at the threshold: still one PUT
        server.requests.clear();
        Path one = file("one.mp4", (int) MIB, 6);
        oss.put(KEY, one);
        assertThat(server.operations()).containsExactly("PUT");
        assertThat(server.object("replays", KEY)).isEqualTo(Files.readAllBytes(one));
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void aFailedPartAbortsTheUpload(String version) throws IOException {
        OssStorage oss = multipart(region(version), MIB);
        server.failingPart = 2;
        Path big = file("big.mp4", (int) (3 * MIB), 7);
        assertThatThrownBy(() -> oss.put(KEY, big))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("oss part 2 upload replays/" + KEY + " failed: InternalError")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(server.operations()).containsExactly("POST ?uploads", "PUT ?partNumber&uploadId",
                "PUT ?partNumber&uploadId", "DELETE ?uploadId");
        assertThat(server.object("replays", KEY)).isNull();
        assertThat(server.uploads).isEmpty(); // no parts left to be billed

        server.failingPart = 0;
        oss.put(KEY, big); // the publisher's retry
        assertThat(server.object("replays", KEY)).isEqualTo(Files.readAllBytes(big));
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void multipartKeysNeedingEncoding(String version) throws IOException {
        OssStorage oss = multipart(region(version), MIB);
        String key = "2025-11-18/a b+c~é/sid.replay.mp4";
        Path big = file("big.mp4", (int) (2 * MIB + 1), 8);
        oss.put(key, big);
        assertThat(server.object("replays", key)).isEqualTo(Files.readAllBytes(big));
        assertThat(server.requests).allSatisfy(r -> assertThat(r.rawPath())
                .isEqualTo("/2025-11-18/a%20b%2Bc%7E%C3%A9/sid.replay.mp4"));
    }

    @Test
    void unreachableStorageIsOneClearError() throws IOException {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        OssStorage oss = open(new OssStorage(ENDPOINT, "replays", AK, SK, "cn-test", MIB, MIB,
                FakeObjectServer.proxyVia(closed), null));
        assertThatThrownBy(() -> oss.put(KEY, file("a.mp4", 10, 1)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("oss PUT replays/" + KEY + " failed: connection to replays.oss-cn-test.invalid: ")
                .hasMessageContaining("Connection refused")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void fromConfig() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = json.createObjectNode();
        cfg.put("TYPE", "oss").put("BUCKET", "jumpserver").put("ACCESS_KEY", "LTAIabc")
                .put("SECRET_KEY", "very-secret").put("ENDPOINT", "http://oss-cn-hangzhou.aliyuncs.com").putNull("REGION");
        OssStorage oss = open(OssStorage.fromConfig(cfg));
        assertThat(oss.describe())
                .isEqualTo("oss bucket jumpserver at http://oss-cn-hangzhou.aliyuncs.com (signature V4, region cn-hangzhou)")
                .doesNotContain("very-secret");
        assertThat(oss.objectUrl("2025-11-18/x.replay.mp4"))
                .hasToString("http://jumpserver.oss-cn-hangzhou.aliyuncs.com/2025-11-18/x.replay.mp4");

        cfg.put("ENDPOINT", "oss-cn-shanghai-internal.aliyuncs.com/");
        assertThat(open(OssStorage.fromConfig(cfg)).describe())
                .contains("at https://oss-cn-shanghai-internal.aliyuncs.com", "V4, region cn-shanghai");
        cfg.put("ENDPOINT", "https://jumpserver.oss-cn-beijing.aliyuncs.com");
        assertThat(open(OssStorage.fromConfig(cfg)).objectUrl("k"))
                .hasToString("https://jumpserver.oss-cn-beijing.aliyuncs.com/k");
        cfg.put("ENDPOINT", "http://10.0.0.5:8080"); // no virtual hosts on an IP: path-style, as JumpServer's clients
        assertThat(open(OssStorage.fromConfig(cfg)).objectUrl("k")).hasToString("http://10.0.0.5:8080/jumpserver/k");
        cfg.put("ENDPOINT", "https://replays.example.com");
        assertThat(open(OssStorage.fromConfig(cfg)).describe()).contains("signature V1").doesNotContain("region");
        cfg.put("REGION", "oss-ap-southeast-1");
        assertThat(open(OssStorage.fromConfig(cfg)).describe()).contains("V4, region ap-southeast-1");

        for (String key : new String[] {"BUCKET", "ACCESS_KEY", "SECRET_KEY", "ENDPOINT"}) {
            ObjectNode c = cfg.deepCopy();
            c.putNull(key);
            assertThatThrownBy(() -> OssStorage.fromConfig(c)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key).hasMessageNotContaining("very-secret");
            c.remove(key);
            assertThatThrownBy(() -> OssStorage.fromConfig(c)).hasMessageContaining(key);
            c.put(key, "  ");
            assertThatThrownBy(() -> OssStorage.fromConfig(c)).hasMessageContaining(key);
        }
        ObjectNode c = cfg.deepCopy();
        c.put("ENDPOINT", "ftp://oss-cn-hangzhou.aliyuncs.com");
        assertThatThrownBy(() -> OssStorage.fromConfig(c)).hasMessageContaining("ENDPOINT");
        c.put("ENDPOINT", "https://oss-cn-hangzhou.aliyuncs.com/some/path");
        assertThatThrownBy(() -> OssStorage.fromConfig(c)).hasMessageContaining("ENDPOINT");
        c.put("ENDPOINT", "https://oss-cn-hangzhou.aliyuncs.com");
        c.put("REGION", "cn hangzhou");
        assertThatThrownBy(() -> OssStorage.fromConfig(c)).hasMessageContaining("REGION");
        c.putObject("BUCKET");
        assertThatThrownBy(() -> OssStorage.fromConfig(c)).hasMessageContaining("BUCKET");
        assertThatThrownBy(() -> OssStorage.fromConfig(json.createArrayNode())).isInstanceOf(IllegalArgumentException.class);
    }
}

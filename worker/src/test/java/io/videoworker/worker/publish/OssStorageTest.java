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
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OssStorage against a local server that checks OSS V1 and V4 signatures as Aliyun documents them. */
class OssStorageTest extends ReplayStorageContract {
    private static final String AK = "LTAItestaccesskey";
    private static final String SK = "test-secret-Q0YehC6ZyugWfjod5y8R";
    private static final URI ENDPOINT = URI.create("http://oss-cn-test.invalid");
    private static final String KEY = "2025-11-18/77993207-ccb2-5332-bda2-4586e24c3166/77993207-ccb2-5332-bda2-4586e24c3166.0.part.mp4";

    @TempDir
    Path dir;
    FakeObjectServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeObjectServer("oss-cn-test.invalid", "cn-test");
        server.secrets.put(AK, SK);
        server.buckets.add("replays");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Override
    int serverPort() {
        return server.port();
    }

    @Override
    ReplayStorage storage(int port, boolean rightSecret) {
        return new OssStorage(ENDPOINT, "replays", AK, rightSecret ? SK : wrongSecret(), "cn-test",
                server.clientVia(port), null);
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

    private OssStorage storage(String region, String secret) {
        return new OssStorage(ENDPOINT, "replays", AK, secret, region, server.client(), null);
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void putOverwriteDelete(String version) throws IOException {
        OssStorage oss = storage(version.equals("V4") ? "cn-test" : null, SK);
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
        OssStorage oss = storage(version.equals("V4") ? "cn-test" : null, SK);
        String key = "2025-11-18/a b+c~é/sid.replay.json";
        oss.put(key, file("r.json", 10, 3));
        assertThat(server.object("replays", key)).hasSize(10);
        assertThat(server.requests.get(0).rawPath()).isEqualTo("/2025-11-18/a%20b%2Bc~%C3%A9/sid.replay.json");
        assertThat(server.requests.get(0).headers()).containsEntry("content-type", "application/json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"V4", "V1"})
    void wrongSecretIsAClearErrorWithoutTheSecret(String version) throws IOException {
        OssStorage oss = storage(version.equals("V4") ? "cn-test" : null, "wrong-secret-value");
        assertThatThrownBy(() -> oss.put(KEY, file("a.mp4", 1000, 1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("oss PUT replays/" + KEY)
                .hasMessageContaining("HTTP 403 SignatureDoesNotMatch")
                .hasMessageContaining("check ACCESS_KEY and SECRET_KEY")
                .hasMessageNotContaining("wrong-secret-value");
        assertThat(server.objects).isEmpty();
        assertThatThrownBy(() -> oss.delete(KEY)).hasMessageContaining("SignatureDoesNotMatch");
    }

    @Test
    void unknownAccessKeyAndMissingBucket() throws IOException {
        Path f = file("a.mp4", 10, 1);
        OssStorage stranger = new OssStorage(ENDPOINT, "replays", "LTAIunknown", SK, "cn-test", server.client(), null);
        assertThatThrownBy(() -> stranger.put(KEY, f)).hasMessageContaining("InvalidAccessKeyId");
        OssStorage noBucket = new OssStorage(ENDPOINT, "gone", AK, SK, "cn-test", server.client(), null);
        assertThatThrownBy(() -> noBucket.put(KEY, f))
                .hasMessageContaining("HTTP 404 NoSuchBucket")
                .hasMessageContaining("check BUCKET");
    }

    @Test
    void skewedClockIsReported() throws IOException {
        Clock late = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        OssStorage oss = new OssStorage(ENDPOINT, "replays", AK, SK, "cn-test", server.client(), late);
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

    @Test
    void fromConfig() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = json.createObjectNode();
        cfg.put("TYPE", "oss").put("BUCKET", "jumpserver").put("ACCESS_KEY", "LTAIabc")
                .put("SECRET_KEY", "very-secret").put("ENDPOINT", "http://oss-cn-hangzhou.aliyuncs.com").putNull("REGION");
        OssStorage oss = OssStorage.fromConfig(cfg);
        assertThat(oss.describe())
                .isEqualTo("oss bucket jumpserver at http://oss-cn-hangzhou.aliyuncs.com (signature V4, region cn-hangzhou)")
                .doesNotContain("very-secret");
        assertThat(oss.objectUrl("2025-11-18/x.replay.mp4"))
                .hasToString("http://jumpserver.oss-cn-hangzhou.aliyuncs.com/2025-11-18/x.replay.mp4");

        cfg.put("ENDPOINT", "oss-cn-shanghai-internal.aliyuncs.com/");
        assertThat(OssStorage.fromConfig(cfg).describe())
                .contains("at https://oss-cn-shanghai-internal.aliyuncs.com", "V4, region cn-shanghai");
        cfg.put("ENDPOINT", "https://jumpserver.oss-cn-beijing.aliyuncs.com");
        assertThat(OssStorage.fromConfig(cfg).objectUrl("k"))
                .hasToString("https://jumpserver.oss-cn-beijing.aliyuncs.com/k");
        cfg.put("ENDPOINT", "https://replays.example.com");
        assertThat(OssStorage.fromConfig(cfg).describe()).contains("signature V1").doesNotContain("region");
        cfg.put("REGION", "oss-ap-southeast-1");
        assertThat(OssStorage.fromConfig(cfg).describe()).contains("V4, region ap-southeast-1");

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

package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ObsStorage against a local server that checks OBS header signatures as Huawei documents them. */
class ObsStorageTest extends ReplayStorageContract {
    private static final String AK = "H4IPJX0TQTHTHEBQQCEC";
    private static final String SK = "obs-test-secret-275hSvB6EEOorBNs";
    private static final URI ENDPOINT = URI.create("http://obs.cn-test-4.invalid");
    private static final String KEY = "2025-11-18/77993207-ccb2-5332-bda2-4586e24c3166.replay.mp4";

    @TempDir
    Path dir;
    FakeObjectServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeObjectServer(FakeObjectServer.Vendor.OBS, "obs.cn-test-4.invalid", null);
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
        return new ObsStorage(ENDPOINT, "replays", AK, rightSecret ? SK : wrongSecret(), server.clientVia(port), null);
    }

    @Override
    String wrongSecret() {
        return "not-the-secret";
    }

    @Override
    String wrongSecretHint() {
        return "check ACCESS_KEY and SECRET_KEY";
    }

    @Override
    byte[] stored(String key) {
        return server.object("replays", key);
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void putOverwriteDelete() throws IOException {
        ObsStorage obs = new ObsStorage(ENDPOINT, "replays", AK, SK, server.client(), null);
        Path a = file("a.mp4", 200_000, 1);
        obs.put(KEY, a);
        assertThat(server.object("replays", KEY)).isEqualTo(Files.readAllBytes(a));
        FakeObjectServer.Request put = server.requests.get(0);
        assertThat(put.host()).isEqualTo("replays.obs.cn-test-4.invalid");
        assertThat(put.rawPath()).isEqualTo("/" + KEY);
        assertThat(put.headers().get("authorization")).startsWith("OBS " + AK + ":");
        assertThat(put.headers()).containsEntry("content-type", "video/mp4").containsKeys("content-md5", "date");

        Path b = file("b.mp4", 2 * 1024 * 1024 + 5, 2);
        obs.put(KEY, b);
        assertThat(server.object("replays", KEY)).isEqualTo(Files.readAllBytes(b));

        String odd = "2025-11-18/a b+c~é/x.replay.json";
        obs.put(odd, file("c.json", 42, 3));
        assertThat(server.object("replays", odd)).hasSize(42);

        obs.delete(KEY);
        obs.delete(odd);
        assertThat(server.objects).isEmpty();
        obs.delete(KEY);
    }

    @Test
    void wrongSecretAndMissingBucket() throws IOException {
        Path f = file("a.mp4", 1000, 1);
        ObsStorage wrong = new ObsStorage(ENDPOINT, "replays", AK, "not-the-secret", server.client(), null);
        assertThatThrownBy(() -> wrong.put(KEY, f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("obs PUT replays/" + KEY)
                .hasMessageContaining("HTTP 403 SignatureDoesNotMatch")
                .hasMessageContaining("check ACCESS_KEY and SECRET_KEY")
                .hasMessageNotContaining("not-the-secret");
        assertThatThrownBy(() -> wrong.delete(KEY)).hasMessageContaining("SignatureDoesNotMatch");
        assertThat(server.objects).isEmpty();

        ObsStorage noBucket = new ObsStorage(ENDPOINT, "gone", AK, SK, server.client(), null);
        assertThatThrownBy(() -> noBucket.put(KEY, f)).hasMessageContaining("HTTP 404 NoSuchBucket");
    }

    @Test
    void fromConfig() {
        ObjectNode cfg = new ObjectMapper().createObjectNode();
        cfg.put("TYPE", "obs").put("BUCKET", "jumpserver").put("ACCESS_KEY", AK).put("SECRET_KEY", "s3cr3t")
                .put("ENDPOINT", "obs.cn-north-4.myhuaweicloud.com").putNull("REGION");
        ObsStorage obs = ObsStorage.fromConfig(cfg);
        assertThat(obs.describe()).isEqualTo("obs bucket jumpserver at https://obs.cn-north-4.myhuaweicloud.com")
                .doesNotContain("s3cr3t");
        assertThat(obs.objectUrl("2025-11-18/x.replay.mp4"))
                .hasToString("https://jumpserver.obs.cn-north-4.myhuaweicloud.com/2025-11-18/x.replay.mp4");
        for (String key : new String[] {"BUCKET", "ACCESS_KEY", "SECRET_KEY", "ENDPOINT"}) {
            ObjectNode c = cfg.deepCopy();
            c.putNull(key);
            assertThatThrownBy(() -> ObsStorage.fromConfig(c)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key).hasMessageNotContaining("s3cr3t");
        }
    }
}

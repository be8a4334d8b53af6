package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.jclouds.blobstore.BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * Huawei OBS ({@code TYPE: obs}) through its S3-compatible API: virtual-hosted requests
 * ({@code bucket.obs.<region>.<domain>}) signed with V4 for the region in the endpoint, against a
 * real S3 server that checks them.
 */
class ObsStorageTest extends ReplayStorageContract {
    private static final String AK = "H4IPJX0TQTHTHEBQQCEC";
    private static final String SK = "obs-test-secret-275hSvB6EEOorBNs";
    private static final String HOST = "obs.cn-test-4.myhuaweicloud.invalid";
    private static final long MIB = 1024 * 1024;

    private static BlobStore blobs;
    private static S3ProxyServer server;
    /** In front of the server, refusing signatures for another region, as OBS does. */
    private static TcpRelay regional;
    private static SdkHttpClient http;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        blobs = S3ProxyServer.transientStore("replays");
        server = new S3ProxyServer(blobs, AK, SK, HOST);
        regional = new TcpRelay(server.port(), S3ProxyServer.refusingOtherRegionsThan("cn-test-4"));
        http = S3ProxyServer.loopbackHttp();
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        regional.close();
        server.close();
    }

    private static ObjectNode config(int port, String secret) {
        return new ObjectMapper().createObjectNode().put("TYPE", "obs").put("BUCKET", "replays").put("ACCESS_KEY", AK)
                .put("SECRET_KEY", secret).put("ENDPOINT", "http://" + HOST + ":" + port).putNull("REGION");
    }

    @Override
    int serverPort() {
        return regional.port();
    }

    @Override
    ReplayStorage storage(int port, boolean rightSecret) {
        return S3Storage.fromConfig(config(port, rightSecret ? SK : wrongSecret()), 5 * MIB, 5 * MIB, http);
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
    byte[] stored(String key) throws IOException {
        return S3ProxyServer.stored(blobs, "replays", key);
    }

    @Override
    long largeObjectSize() {
        return 11 * MIB;
    }

    @Test
    void virtualHostedWithTheEndpointsRegion() throws IOException {
        try (S3Storage obs = S3Storage.fromConfig(config(regional.port(), SK), 5 * MIB, 5 * MIB, http)) {
            assertThat(obs.describe()).isEqualTo("obs bucket replays at http://" + HOST + ":" + regional.port()
                    + " (region cn-test-4, virtual-hosted)");
            byte[] data = new byte[1000];
            new Random(1).nextBytes(data);
            String key = "2025-11-18/a b+c~é/x.replay.json"; // a key needing encoding
            obs.put(key, Files.write(dir.resolve("x.json"), data));
            assertThat(stored(key)).isEqualTo(data);
            assertThat(blobs.blobMetadata("replays", key).getContentMetadata().getContentType())
                    .isEqualTo("application/json");
            obs.delete(key);
        }
    }

    @Test
    void missingBucketIsAClearError() throws IOException {
        ObjectNode cfg = config(regional.port(), SK).put("BUCKET", "gone");
        try (S3Storage obs = S3Storage.fromConfig(cfg, 5 * MIB, 5 * MIB, http)) {
            assertThatThrownBy(() -> obs.put("2025-11-18/x.replay.mp4", Files.write(dir.resolve("a"), new byte[10])))
                    .hasMessageContaining("HTTP 404 NoSuchBucket").hasMessageContaining("check BUCKET");
        }
    }

    @Test
    void fromConfig() {
        ObjectNode cfg = new ObjectMapper().createObjectNode().put("TYPE", "obs").put("BUCKET", "jumpserver")
                .put("ACCESS_KEY", AK).put("SECRET_KEY", "s3cr3t").put("ENDPOINT", "obs.cn-north-4.myhuaweicloud.com")
                .putNull("REGION");
        try (S3Storage obs = S3Storage.fromConfig(cfg)) {
            assertThat(obs.describe()).isEqualTo(
                    "obs bucket jumpserver at https://obs.cn-north-4.myhuaweicloud.com (region cn-north-4, virtual-hosted)")
                    .doesNotContain("s3cr3t");
        }
        // the bucket's own host as ENDPOINT, which Huawei's V4 signature refuses: the regional endpoint is used
        cfg.put("ENDPOINT", "https://jumpserver.obs.ap-southeast-3.myhuaweicloud.com");
        try (S3Storage obs = S3Storage.fromConfig(cfg)) {
            assertThat(obs.describe()).contains("at https://obs.ap-southeast-3.myhuaweicloud.com (region ap-southeast-3");
        }
        for (String key : new String[] {"BUCKET", "SECRET_KEY", "ENDPOINT"}) {
            ObjectNode c = cfg.deepCopy();
            c.putNull(key);
            assertThatThrownBy(() -> S3Storage.fromConfig(c)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key).hasMessageNotContaining("s3cr3t");
        }
        assertThat(Storages.EXTERNAL.get("obs").apply(cfg)).isInstanceOf(S3Storage.class);
    }
}

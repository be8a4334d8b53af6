package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpClient;

/** S3Storage against a real S3 server ({@link S3ProxyServer}), transient in-memory blob store. */
class S3StorageTest extends ReplayStorageContract {
    private static final String AK = "AKIAVIDEOWORKERTEST";
    private static final String SK = "s3-test-secret/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final String BUCKET = "replays";
    private static final String KEY = "2025-11-18/77993207-ccb2-5332-bda2-4586e24c3166.replay.mp4";

    private static BlobStore blobs;
    private static CountingBlobStore counting;
    private static S3ProxyServer proxy;
    private static S3ProxyServer cosProxy;
    private static URI endpoint;

    @TempDir
    Path dir;

    /** Counts multipart calls, and can fail one part number to exercise the abort path. */
    static final class CountingBlobStore extends ForwardingBlobStore {
        final AtomicInteger initiated = new AtomicInteger();
        final AtomicInteger parts = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();
        volatile int failPart = -1;

        CountingBlobStore(BlobStore delegate) {
            super(delegate);
        }

        void reset() {
            initiated.set(0);
            parts.set(0);
            completed.set(0);
            aborted.set(0);
            failPart = -1;
        }

        @Override
        public MultipartUpload initiateMultipartUpload(String container, BlobMetadata meta, PutOptions options) {
            initiated.incrementAndGet();
            return super.initiateMultipartUpload(container, meta, options);
        }

        @Override
        public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
            parts.incrementAndGet();
            if (partNumber == failPart) {
                throw new IllegalArgumentException("part " + partNumber + " refused by the test");
            }
            return super.uploadMultipartPart(mpu, partNumber, payload);
        }

        @Override
        public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> list) {
            completed.incrementAndGet();
            return super.completeMultipartUpload(mpu, list);
        }

        @Override
        public void abortMultipartUpload(MultipartUpload mpu) {
            aborted.incrementAndGet();
            super.abortMultipartUpload(mpu);
        }
    }

    @BeforeAll
    static void startS3() throws Exception {
        blobs = S3ProxyServer.transientStore(BUCKET);
        counting = new CountingBlobStore(blobs);
        proxy = new S3ProxyServer(counting, AK, SK, null);
        cosProxy = new S3ProxyServer(blobs, AK, SK, "cos.ap-test.myqcloud.invalid"); // COS style: the bucket in the host
        endpoint = URI.create("http://127.0.0.1:" + proxy.port());
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (cosProxy != null) {
            cosProxy.close();
        }
    }

    @BeforeEach
    void reset() {
        counting.reset();
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    private static final long MIB = 1024 * 1024;

    @Override
    int serverPort() {
        return proxy.port();
    }

    /** S3's smallest part size, so that the contract's large object goes multipart without being large. */
    @Override
    ReplayStorage storage(int port, boolean rightSecret) {
        return new S3Storage("s3", URI.create("http://127.0.0.1:" + port), "us-east-1", BUCKET, AK,
                rightSecret ? SK : wrongSecret(), true, 5 * MIB, 5 * MIB);
    }

    @Override
    String wrongSecret() {
        return "definitely-wrong-secret";
    }

    @Override
    String wrongSecretHint() {
        return "HTTP 403 SignatureDoesNotMatch";
    }

    @Override
    long largeObjectSize() {
        return 11 * MIB;
    }

    @Override
    byte[] stored(String key) throws IOException {
        return S3ProxyServer.stored(blobs, BUCKET, key);
    }

    private ObjectNode config() {
        ObjectNode cfg = new ObjectMapper().createObjectNode();
        cfg.put("TYPE", "s3").put("BUCKET", BUCKET).put("ACCESS_KEY", AK).put("SECRET_KEY", SK)
                .put("ENDPOINT", endpoint.toString()).putNull("REGION");
        return cfg;
    }

    @Test
    void putSmallOverwriteDelete() throws IOException {
        try (S3Storage s3 = S3Storage.fromConfig(config())) {
            assertThat(s3.describe()).isEqualTo("s3 bucket replays at " + endpoint + " (region us-east-1, path-style)");
            Path a = file("a.mp4", 150_000, 1);
            s3.put(KEY, a);
            assertThat(stored(KEY)).isEqualTo(Files.readAllBytes(a));
            assertThat(blobs.blobMetadata(BUCKET, KEY).getContentMetadata().getContentType()).isEqualTo("video/mp4");
            assertThat(counting.initiated.get()).isZero();

            Path b = file("b.mp4", 90_000, 2);
            s3.put(KEY, b);
            assertThat(stored(KEY)).isEqualTo(Files.readAllBytes(b));

            s3.delete(KEY);
            assertThat(stored(KEY)).isNull();
            s3.delete(KEY); // absent: fine
        }
    }

    @Test
    void bigFilesGoMultipart() throws IOException {
        int mib = 1024 * 1024;
        // s3proxy, like S3, refuses parts under 5 MiB but the last
        try (S3Storage s3 = S3Storage.fromConfig(config(), 5 * mib, 5 * mib)) {
            Path big = file("big.mp4", 10 * mib + 300 * 1024, 3); // 3 parts, the last one short
            String key = "2025-11-18/sid/sid.0.part.mp4";
            s3.put(key, big);
            assertThat(stored(key)).isEqualTo(Files.readAllBytes(big));
            assertThat(counting.initiated.get()).isEqualTo(1);
            assertThat(counting.parts.get()).isEqualTo(3);
            assertThat(counting.completed.get()).isEqualTo(1);
            assertThat(counting.aborted.get()).isZero();
            assertThat(blobs.blobMetadata(BUCKET, key).getContentMetadata().getContentType()).isEqualTo("video/mp4");

            Path other = file("other.mp4", 5 * mib + 1, 4); // overwritten by another multipart upload
            s3.put(key, other);
            assertThat(stored(key)).isEqualTo(Files.readAllBytes(other));
            assertThat(counting.parts.get()).isEqualTo(5);

            counting.reset();
            Path exact = file("exact.mp4", 5 * mib, 5); // at the threshold: one PUT
            s3.put(key, exact);
            assertThat(stored(key)).isEqualTo(Files.readAllBytes(exact));
            assertThat(counting.initiated.get()).isZero();
            s3.delete(key);
            assertThat(stored(key)).isNull();
        }
    }

    @Test
    void failedMultipartUploadIsAbortedAndLeavesNoObject() throws IOException {
        try (S3Storage s3 = new S3Storage("s3", endpoint, "us-east-1", BUCKET, AK, SK, true, 100_000, 100_000)) {
            counting.failPart = 3;
            String key = "2025-11-18/failing.replay.mp4";
            assertThatThrownBy(() -> s3.put(key, file("f.mp4", 450_000, 6)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("part 3 upload")
                    .hasMessageContaining(BUCKET + "/" + key);
            assertThat(counting.aborted.get()).isEqualTo(1);
            assertThat(counting.completed.get()).isZero();
            assertThat(stored(key)).isNull();
            assertThat(blobs.listMultipartUploads(BUCKET)).isEmpty();
        }
    }

    @Test
    void wrongSecretIsAClearErrorWithoutTheSecret() throws IOException {
        ObjectNode cfg = config().put("SECRET_KEY", "definitely-wrong-secret");
        Path f = file("a.mp4", 1000, 1);
        try (S3Storage s3 = S3Storage.fromConfig(cfg)) {
            assertThatThrownBy(() -> s3.put(KEY, f))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("s3 PUT replays/" + KEY + " failed: HTTP 403 SignatureDoesNotMatch")
                    .hasMessageContaining("check ACCESS_KEY and SECRET_KEY")
                    .hasMessageNotContaining("definitely-wrong-secret");
            assertThatThrownBy(() -> s3.delete(KEY)).hasMessageContaining("HTTP 403");
        }
        assertThat(stored(KEY)).isNull();
        try (S3Storage s3 = S3Storage.fromConfig(config().put("ACCESS_KEY", "AKIAUNKNOWN"))) {
            assertThatThrownBy(() -> s3.put(KEY, f)).hasMessageContaining("HTTP 403");
        }
    }

    @Test
    void missingBucketIsAClearError() throws IOException {
        Path f = file("a.mp4", 1000, 1);
        try (S3Storage s3 = S3Storage.fromConfig(config().put("BUCKET", "no-such-bucket"))) {
            assertThatThrownBy(() -> s3.put(KEY, f))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("HTTP 404 NoSuchBucket")
                    .hasMessageContaining("check BUCKET");
        }
        try (S3Storage s3 = S3Storage.fromConfig(config().put("BUCKET", "no-such-bucket"), 999, 999)) {
            assertThatThrownBy(() -> s3.put(KEY, f)).hasMessageContaining("multipart upload start")
                    .hasMessageContaining("NoSuchBucket");
        }
    }

    @Test
    void swiftUsesProtocolForAnEndpointWithoutScheme() throws IOException {
        ObjectNode cfg = config().put("TYPE", "swift").put("PROTOCOL", "http")
                .put("ENDPOINT", "127.0.0.1:" + proxy.port());
        try (S3Storage s3 = S3Storage.fromConfig(cfg)) {
            assertThat(s3.describe()).isEqualTo("swift bucket replays at " + endpoint + " (region us-east-1, path-style)");
            Path f = file("s.json", 300, 7);
            s3.put("2025-11-18/sid/sid.replay.json", f);
            assertThat(stored("2025-11-18/sid/sid.replay.json")).isEqualTo(Files.readAllBytes(f));
            s3.delete("2025-11-18/sid/sid.replay.json");
        }
    }

    @Test
    void regionIsDerivedFromTheEndpointAndARegionCheckingServerAcceptsIt() throws IOException {
        try (TcpRelay regional = new TcpRelay(proxy.port(), S3ProxyServer.refusingOtherRegionsThan("eu-central-2"));
                SdkHttpClient http = S3ProxyServer.loopbackHttp()) {
            URI wasabi = URI.create("http://s3.eu-central-2.wasabisys.invalid:" + regional.port());
            ObjectNode cfg = config().put("ENDPOINT", wasabi.toString());
            Path f = file("r.mp4", 70_000, 9);
            try (S3Storage s3 = S3Storage.fromConfig(cfg, S3Storage.DEFAULT_MULTIPART_THRESHOLD,
                    S3Storage.DEFAULT_PART_SIZE, http)) {
                assertThat(s3.describe()).contains("(region eu-central-2,");
                s3.put(KEY, f);
                assertThat(stored(KEY)).isEqualTo(Files.readAllBytes(f));
                s3.delete(KEY);
            }
            // what the worker did before: us-east-1 for any endpoint but AWS's and COS's
            try (S3Storage s3 = new S3Storage("s3", wasabi, "us-east-1", BUCKET, AK, SK, true,
                    S3Storage.DEFAULT_MULTIPART_THRESHOLD, S3Storage.DEFAULT_PART_SIZE, http)) {
                assertThatThrownBy(() -> s3.put(KEY, f))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("HTTP 400 AuthorizationHeaderMalformed")
                        .hasMessageContaining("the region 'us-east-1' is wrong; expecting 'eu-central-2'");
            }
            assertThat(stored(KEY)).isNull();
        }
    }

    @Test
    void cosUsesVirtualHostedRequests() throws IOException {
        SdkHttpClient http = S3ProxyServer.loopbackHttp();
        URI cos = URI.create("http://cos.ap-test.myqcloud.invalid:" + cosProxy.port());
        try (http; S3Storage s3 = new S3Storage("cos", cos, "ap-test", BUCKET, AK, SK, false,
                S3Storage.DEFAULT_MULTIPART_THRESHOLD, S3Storage.DEFAULT_PART_SIZE, http)) {
            assertThat(s3.describe()).contains("virtual-hosted");
            Path f = file("c.mp4", 5000, 8);
            s3.put(KEY, f);
            assertThat(stored(KEY)).isEqualTo(Files.readAllBytes(f));
            s3.delete(KEY);
            assertThat(stored(KEY)).isNull();
        }
    }

    @Test
    void fromConfigValidatesAndDerives() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = config();
        cfg.put("ENDPOINT", "https://s3.ap-southeast-1.amazonaws.com");
        try (S3Storage s3 = S3Storage.fromConfig(cfg)) {
            assertThat(s3.describe()).isEqualTo(
                    "s3 bucket replays at https://s3.ap-southeast-1.amazonaws.com (region ap-southeast-1, path-style)");
        }
        cfg.put("ENDPOINT", "s3.eu-west-3.amazonaws.com").put("REGION", "eu-west-3");
        try (S3Storage s3 = S3Storage.fromConfig(cfg)) {
            assertThat(s3.describe()).contains("at https://s3.eu-west-3.amazonaws.com (region eu-west-3");
        }
        ObjectNode cos = config().put("TYPE", "cos").put("ENDPOINT", "http://cos.ap-guangzhou.myqcloud.com");
        try (S3Storage s3 = S3Storage.fromConfig(cos)) {
            assertThat(s3.describe()).isEqualTo(
                    "cos bucket replays at http://cos.ap-guangzhou.myqcloud.com (region ap-guangzhou, virtual-hosted)");
        }
        cos.put("ENDPOINT", "https://replays.cos.ap-beijing.myqcloud.com");
        try (S3Storage s3 = S3Storage.fromConfig(cos)) {
            assertThat(s3.describe()).contains("at https://cos.ap-beijing.myqcloud.com (region ap-beijing");
        }
        ObjectNode aws = json.createObjectNode().put("TYPE", "s3").put("BUCKET", "b").put("ACCESS_KEY", "")
                .putNull("SECRET_KEY").putNull("ENDPOINT").putNull("REGION");
        try (S3Storage s3 = S3Storage.fromConfig(aws)) {
            assertThat(s3.describe()).isEqualTo("s3 bucket b at AWS (region us-east-1, path-style, default credential chain)");
        }
        ObjectNode ceph = config().put("TYPE", "ceph").put("ENDPOINT", "ceph-rgw:7480");
        try (S3Storage s3 = S3Storage.fromConfig(ceph)) {
            assertThat(s3.describe()).startsWith("ceph bucket replays at https://ceph-rgw:7480 (region us-east-1");
        }

        assertThatThrownBy(() -> S3Storage.fromConfig(config().put("TYPE", "oss")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TYPE");
        assertThatThrownBy(() -> S3Storage.fromConfig(config().putNull("BUCKET"))).hasMessageContaining("BUCKET");
        assertThatThrownBy(() -> S3Storage.fromConfig(config().putNull("SECRET_KEY")))
                .hasMessageContaining("SECRET_KEY").hasMessageNotContaining(SK);
        assertThatThrownBy(() -> S3Storage.fromConfig(config().put("TYPE", "ceph").putNull("ENDPOINT")))
                .hasMessageContaining("ENDPOINT");
        assertThatThrownBy(() -> S3Storage.fromConfig(config().put("ENDPOINT", "http://")))
                .hasMessageContaining("ENDPOINT");
        assertThatThrownBy(() -> S3Storage.fromConfig(config().put("TYPE", "swift").put("PROTOCOL", "ftp")))
                .hasMessageContaining("PROTOCOL");
        assertThatThrownBy(() -> S3Storage.fromConfig(config().put("REGION", "us east")))
                .hasMessageContaining("REGION");
        assertThatThrownBy(() -> S3Storage.fromConfig(null)).isInstanceOf(IllegalArgumentException.class);
    }
}

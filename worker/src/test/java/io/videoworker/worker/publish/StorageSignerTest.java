package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake OSS server's signature verifier ({@link OssSignatures}) against Aliyun's published
 * examples, so the fake is proven by the vendor and the SDK by the fake; and the small helpers.
 */
class StorageSignerTest {

    /** Aliyun OSS, "Include a V1 signature in the Authorization header": the worked example. */
    @Test
    void ossV1MatchesAliyunWorkedExample() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Md5", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=");
        headers.put("Content-Type", "text/html");
        headers.put("Date", "Thu, 17 Nov 2005 18:49:58 GMT");
        headers.put("Host", "oss-example.oss-cn-hangzhou.aliyuncs.com");
        headers.put("X-OSS-Meta-Author", "foo@bar.com");
        headers.put("X-OSS-Magic", "abracadabra");
        String sts = OssSignatures.v1StringToSign("PUT", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=",
                "text/html", "Thu, 17 Nov 2005 18:49:58 GMT", headers, "oss-example", "nelson", Map.of());
        assertThat(sts).isEqualTo("PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\n"
                + "Thu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n"
                + "/oss-example/nelson");
        assertThat(OssSignatures.v1Signature("OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", sts))
                .isEqualTo("26NBxoKdsyly4EDv6inkoDft/yA=");
    }

    /** V1's CanonicalizedResource: sub-resources sorted, values as is, other query parameters left out. */
    @Test
    void ossV1SignsSubResources() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("uploadId", "0004B9895DBBB6EC98E36");
        query.put("partNumber", "2");
        query.put("not-a-sub-resource", "x");
        assertThat(OssSignatures.v1StringToSign("PUT", null, null, "d", Map.of(), "b", "a b/é", query))
                .isEqualTo("PUT\n\n\nd\n/b/a b/é?partNumber=2&uploadId=0004B9895DBBB6EC98E36");
        assertThat(OssSignatures.v1StringToSign("POST", null, null, "d", Map.of(), "b", "k", Map.of("uploads", "")))
                .isEqualTo("POST\n\n\nd\n/b/k?uploads");
    }

    @Test
    void repeatedOssHeadersAreJoinedWithCommas() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Oss-Meta-Name", "name1");
        h.put("x-oss-meta-name", "name2 ");
        assertThat(OssSignatures.v1StringToSign("PUT", "", "", "d", h, "b", "o", Map.of()))
                .isEqualTo("PUT\n\n\nd\nx-oss-meta-name:name1,name2\n/b/o");
    }

    /**
     * Aliyun OSS V4: the vectors of Aliyun's own OSS SDK signer tests (PUT bucket/"1234+-/123/1.txt",
     * ak/sk, cn-hangzhou, query parameters needing encoding, with and without AdditionalHeaders).
     */
    @Test
    void ossV4MatchesAliyunSdkVectors() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-oss-head1", "value");
        headers.put("abc", "value");
        headers.put("ZAbc", "value");
        headers.put("XYZ", "value");
        headers.put("content-type", "text/plain");
        headers.put("x-oss-content-sha256", "UNSIGNED-PAYLOAD");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("param1", "value1");
        query.put("|param1", "value4");
        query.put("+param1", "value3");
        query.put("+param2", "");
        query.put("|param2", "");
        query.put("param2", "");

        String ts = "20231216T162057Z";
        assertThat(OssSignatures.v4Time(ts)).isEqualTo(Instant.ofEpochSecond(1702743657L));
        Map<String, String> h1 = new LinkedHashMap<>(headers);
        h1.put("x-oss-date", ts);
        assertThat(v4("sk", ts, "bucket", "1234+-/123/1.txt", query, h1, ""))
                .isEqualTo("e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe");

        String ts2 = "20231216T172512Z";
        assertThat(OssSignatures.v4Time(ts2)).isEqualTo(Instant.ofEpochSecond(1702747512L));
        Map<String, String> h2 = new LinkedHashMap<>(headers);
        h2.put("x-oss-date", ts2);
        assertThat(v4("sk", ts2, "bucket", "1234+-/123/1.txt", query, h2, "abc;zabc"))
                .isEqualTo("4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f");
    }

    private static String v4(String secret, String ts, String bucket, String key, Map<String, String> query,
            Map<String, String> headers, String additional) {
        String sts = OssSignatures.v4StringToSign(ts, "cn-hangzhou",
                OssSignatures.v4CanonicalRequest("PUT", bucket, key, query, headers, additional));
        return OssSignatures.v4Signature(secret, ts.substring(0, 8), "cn-hangzhou", sts);
    }

    @Test
    void percentEncodingFollowsRfc3986() {
        assertThat(StorageSupport.percentEncode("2025-11-18/a b+c~d_é.mp4", true))
                .isEqualTo("2025-11-18/a%20b%2Bc~d_%C3%A9.mp4");
        assertThat(StorageSupport.percentEncode("a/b", false)).isEqualTo("a%2Fb");
    }

    @Test
    void regionsFromEndpoints() {
        assertThat(S3Storage.regionFromEndpoint("s3.ap-southeast-1.amazonaws.com")).isEqualTo("ap-southeast-1");
        assertThat(S3Storage.regionFromEndpoint("s3-ap-southeast-1.amazonaws.com")).isEqualTo("ap-southeast-1");
        assertThat(S3Storage.regionFromEndpoint("s3.dualstack.eu-west-3.amazonaws.com")).isEqualTo("eu-west-3");
        assertThat(S3Storage.regionFromEndpoint("s3.cn-north-1.amazonaws.com.cn")).isEqualTo("cn-north-1");
        assertThat(S3Storage.regionFromEndpoint("s3.us-gov-west-1.amazonaws.com")).isEqualTo("us-gov-west-1");
        assertThat(S3Storage.regionFromEndpoint("s3.amazonaws.com")).isEqualTo("us-east-1");
        assertThat(S3Storage.regionFromEndpoint("cos.ap-guangzhou.myqcloud.com")).isEqualTo("ap-guangzhou");
        assertThat(S3Storage.regionFromEndpoint("COS.NA-SILICONVALLEY.MYQCLOUD.COM")).isEqualTo("na-siliconvalley");
        assertThat(S3Storage.regionFromEndpoint("s3.eu-central-2.wasabisys.com")).isEqualTo("eu-central-2");
        assertThat(S3Storage.regionFromEndpoint("s3.wasabisys.com")).isEqualTo("us-east-1");
        assertThat(S3Storage.regionFromEndpoint("s3.us-west-004.backblazeb2.com")).isEqualTo("us-west-004");
        assertThat(S3Storage.regionFromEndpoint("nyc3.digitaloceanspaces.com")).isEqualTo("nyc3");
        assertThat(S3Storage.regionFromEndpoint("rgw.storage.example.com")).isEqualTo("storage");
        assertThat(S3Storage.regionFromEndpoint("minio")).isEqualTo("us-east-1");
        assertThat(S3Storage.regionFromEndpoint("[::1]")).isEqualTo("us-east-1");
        assertThat(S3Storage.regionFromEndpoint("10.0.0.5")).isEqualTo("us-east-1");

        assertThat(OssStorage.regionFromEndpoint("oss-cn-hangzhou.aliyuncs.com")).isEqualTo("cn-hangzhou");
        assertThat(OssStorage.regionFromEndpoint("oss-cn-hangzhou-internal.aliyuncs.com")).isEqualTo("cn-hangzhou");
        assertThat(OssStorage.regionFromEndpoint("bkt.oss-ap-southeast-1.aliyuncs.com")).isEqualTo("ap-southeast-1");
        assertThat(OssStorage.regionFromEndpoint("oss-accelerate.aliyuncs.com")).isNull();
        assertThat(OssStorage.regionFromEndpoint("files.example.com")).isNull();
    }

    @Test
    void errorBodiesAreSummarised() {
        String body = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                + "<Message>The request signature we calculated does not match</Message>"
                + "<RequestId>5C1B138A109F4E405B2D</RequestId><StringToSign>PUT…</StringToSign></Error>";
        assertThat(StorageSupport.describeError(body)).isEqualTo(
                "SignatureDoesNotMatch: The request signature we calculated does not match (request id 5C1B138A109F4E405B2D)");
        assertThat(StorageSupport.errorCode(body)).isEqualTo("SignatureDoesNotMatch");
        assertThat(StorageSupport.describeError("")).isEqualTo("no error body");
        assertThat(StorageSupport.describeError("<html>bad gateway</html>")).isEqualTo("<html>bad gateway</html>");
    }

    @Test
    void keysAreChecked() {
        for (String bad : new String[] {"", "/abs", "a/../b", "a//b", "a\\b", "a\nb", "./a"}) {
            assertThatThrownBy(() -> StorageSupport.checkKey(bad)).as(bad).isInstanceOf(IOException.class);
        }
    }

    @Test
    void md5OfARange(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("f");
        Files.writeString(f, "xxblogyy");
        assertThat(StorageSupport.md5Base64(f, 2, 4)).isEqualTo(
                java.util.Base64.getEncoder().encodeToString(md5("blog")));
    }

    private static byte[] md5(String s) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Replay storage through the S3 API: JumpServer's {@code s3} (also Ceph), {@code swift} (its S3
 * API), {@code cos} (Tencent COS) and {@code obs} (Huawei OBS, whose S3-compatible API with V4
 * signatures Huawei documents on the same regional endpoint core's OBS setting holds; see
 * docs/architecture.md for why not Huawei's SDK).
 *
 * <p>Like JumpServer's Go uploader: path-style addressing, objects up to the part size (64 MiB) in
 * one PUT, bigger ones as a multipart upload of 64 MiB parts, aborted if anything fails, so an
 * object only ever appears complete. COS and OBS are the exceptions to path style: COS no longer
 * serves path-style requests for new buckets, and Huawei asks for virtual hosts, so they use
 * {@code bucket.<endpoint>}. Every PUT and part carries Content-MD5. Checksums beyond that (the
 * SDK's CRC32 trailers) are only sent where required, as many S3-compatible servers (OBS among
 * them) reject them.
 *
 * <p>Not thread-confined; {@link #close()} releases the SDK client (the HTTP connection pool is
 * shared by all instances and lives as long as the process).
 */
public final class S3Storage implements ReplayStorage, AutoCloseable {
    /** JumpServer's Go SDK part size, and the size up to which one PUT is used. */
    public static final long DEFAULT_PART_SIZE = 64L * 1024 * 1024;
    public static final long DEFAULT_MULTIPART_THRESHOLD = DEFAULT_PART_SIZE;

    private static final Pattern AWS_HOST = Pattern.compile(
            "(?:^|\\.)s3[.-](?:dualstack\\.)?([a-z]{2}(?:-[a-z]+)+-\\d+)\\.amazonaws\\.com(?:\\.cn)?$");
    /** IPv4, or IPv6 as {@link URI#getHost()} gives it (in brackets). */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[.*]");
    static final String DEFAULT_REGION = "us-east-1";

    private static volatile SdkHttpClient sharedHttp;

    private final String type;
    private final URI endpoint;
    private final String region;
    private final String bucket;
    private final boolean pathStyle;
    private final boolean defaultCredentials;
    private final long multipartThreshold;
    private final long partSize;
    private final S3Client s3;

    /**
     * @param type               the JumpServer TYPE, for logs ({@code s3}, {@code ceph}, {@code swift}, {@code cos}, {@code obs})
     * @param endpoint           {@code scheme://host[:port]}, or null for AWS's own endpoint of {@code region}
     * @param region             signing region, e.g. {@code us-east-1}
     * @param accessKey          null or empty: the SDK's default credential chain
     * @param pathStyle          {@code endpoint/bucket/key} rather than {@code bucket.endpoint/key}
     * @param multipartThreshold files larger than this go as multipart uploads
     * @param partSize           multipart part size (S3 wants at least 5 MiB except for the last part)
     */
    public S3Storage(String type, URI endpoint, String region, String bucket, String accessKey, String secretKey,
            boolean pathStyle, long multipartThreshold, long partSize) {
        this(type, endpoint, region, bucket, accessKey, secretKey, pathStyle, multipartThreshold, partSize, null);
    }

    /** For tests: a specific SDK HTTP client (not closed by {@link #close()}). */
    S3Storage(String type, URI endpoint, String region, String bucket, String accessKey, String secretKey,
            boolean pathStyle, long multipartThreshold, long partSize, SdkHttpClient http) {
        if (multipartThreshold < 1 || partSize < 1) {
            throw new IllegalArgumentException("multipart threshold and part size must be positive");
        }
        this.type = Objects.requireNonNull(type);
        this.endpoint = endpoint;
        this.region = Objects.requireNonNull(region);
        this.bucket = Objects.requireNonNull(bucket);
        this.pathStyle = pathStyle;
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
        this.defaultCredentials = accessKey == null || accessKey.isEmpty();
        AwsCredentialsProvider credentials = defaultCredentials
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, Objects.requireNonNull(secretKey)));
        S3ClientBuilder b = S3Client.builder()
                .httpClient(http != null ? http : sharedHttp())
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        this.s3 = b.build();
    }

    /** From TERMINAL_REPLAY_STORAGE with JumpServer's part size. */
    public static S3Storage fromConfig(JsonNode cfg) {
        return fromConfig(cfg, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE);
    }

    /**
     * From TERMINAL_REPLAY_STORAGE: {@code TYPE} ({@code s3}, {@code ceph}, {@code swift}, {@code cos}
     * or {@code obs}; absent means {@code s3}), {@code BUCKET}, {@code ACCESS_KEY}, {@code SECRET_KEY},
     * {@code ENDPOINT} (optional for {@code s3}: AWS), {@code REGION} (derived from the endpoint
     * when absent), and for swift {@code PROTOCOL} ({@code http}/{@code https}, the scheme of an
     * ENDPOINT given without one).
     */
    public static S3Storage fromConfig(JsonNode cfg, long multipartThreshold, long partSize) {
        return fromConfig(cfg, multipartThreshold, partSize, null);
    }

    /** For tests: a specific SDK HTTP client (not closed by {@link #close()}). */
    static S3Storage fromConfig(JsonNode cfg, long multipartThreshold, long partSize, SdkHttpClient http) {
        StorageSupport.requireObject(cfg);
        String type = StorageSupport.optional(cfg, "TYPE");
        type = type == null ? "s3" : type.toLowerCase(Locale.ROOT);
        if (!List.of("s3", "ceph", "swift", "cos", "obs").contains(type)) {
            throw new IllegalArgumentException("replay storage: TYPE " + type + " is not served by the S3 API");
        }
        String bucket = StorageSupport.required(cfg, "BUCKET");
        String accessKey = StorageSupport.optional(cfg, "ACCESS_KEY");
        String secretKey = StorageSupport.optional(cfg, "SECRET_KEY");
        if (accessKey != null && secretKey == null) {
            throw new IllegalArgumentException("replay storage: SECRET_KEY is missing or empty");
        }
        String scheme = "https";
        if (type.equals("swift")) {
            String protocol = StorageSupport.optional(cfg, "PROTOCOL");
            if (protocol != null) {
                scheme = protocol.toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new IllegalArgumentException("replay storage: PROTOCOL must be http or https");
                }
            }
        }
        String rawEndpoint = StorageSupport.optional(cfg, "ENDPOINT");
        URI endpoint = null;
        if (rawEndpoint != null) {
            endpoint = stripBucket(StorageSupport.endpoint(rawEndpoint, "ENDPOINT", scheme), bucket);
        } else if (!type.equals("s3")) {
            throw new IllegalArgumentException("replay storage: ENDPOINT is missing or empty");
        }
        String region = StorageSupport.optional(cfg, "REGION");
        if (region == null) {
            region = endpoint == null ? DEFAULT_REGION : regionFromEndpoint(endpoint.getHost());
        } else if (!region.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("replay storage: REGION is not a region name");
        }
        boolean virtualHosted = type.equals("cos") || type.equals("obs");
        return new S3Storage(type, endpoint, region, bucket, accessKey, secretKey, !virtualHosted,
                multipartThreshold, partSize, http);
    }

    /**
     * The signing region named by an endpoint host, by the rule of JumpServer's Go SDK
     * ({@code ParseEndpointRegion} in sdk-go {@code storage/util.go}), which Lion and Koko sign with:
     * <ul>
     * <li>AWS: the label before {@code .amazonaws.com[.cn]} ({@code s3.ap-southeast-1.amazonaws.com}
     *     → {@code ap-southeast-1}); unlike the SDK, also the legacy {@code s3-<region>} form, and
     *     {@code us-east-1} for the global {@code s3.amazonaws.com}, where the SDK's {@code s3} is refused;
     * <li>a host of three labels or more: the third from the end ({@code s3.eu-central-2.wasabisys.com}
     *     → {@code eu-central-2}, {@code cos.ap-guangzhou.myqcloud.com} → {@code ap-guangzhou},
     *     {@code s3.us-west-004.backblazeb2.com} → {@code us-west-004}), unless that is the service
     *     label {@code s3} ({@code s3.wasabisys.com}: the provider's default region);
     * <li>a host of two labels: the first ({@code nyc3.digitaloceanspaces.com} → {@code nyc3});
     * <li>otherwise, and for IP addresses, where the SDK's answer ({@code 0} for {@code 10.0.0.5}) is an
     *     accident: {@code us-east-1}, what MinIO, Ceph and Swift accept by default.
     * </ul>
     */
    static String regionFromEndpoint(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".amazonaws.com") || h.endsWith(".amazonaws.com.cn")) {
            Matcher m = AWS_HOST.matcher(h);
            return m.find() ? m.group(1) : DEFAULT_REGION;
        }
        if (IP_LITERAL.matcher(h).matches()) {
            return DEFAULT_REGION;
        }
        String[] labels = h.split("\\.");
        String region = labels.length >= 3 ? labels[labels.length - 3] : labels.length == 2 ? labels[0] : null;
        return region == null || region.isEmpty() || region.equals("s3") ? DEFAULT_REGION : region;
    }

    /**
     * {@code https://bucket.cos.ap-guangzhou.myqcloud.com} → {@code https://cos.ap-guangzhou.myqcloud.com}
     * (likewise for AWS and OBS, where a bucket host as endpoint fails the signature).
     */
    private static URI stripBucket(URI endpoint, String bucket) {
        String host = endpoint.getHost().toLowerCase(Locale.ROOT);
        boolean vendor = host.endsWith(".myqcloud.com") || host.endsWith(".amazonaws.com")
                || host.endsWith(".amazonaws.com.cn") || host.endsWith(".myhuaweicloud.com");
        if (vendor && host.startsWith(bucket.toLowerCase(Locale.ROOT) + ".")) {
            String rest = endpoint.getRawAuthority().substring(bucket.length() + 1);
            return URI.create(endpoint.getScheme() + "://" + rest);
        }
        return endpoint;
    }

    private static SdkHttpClient sharedHttp() {
        SdkHttpClient c = sharedHttp;
        if (c == null) {
            synchronized (S3Storage.class) {
                c = sharedHttp;
                if (c == null) {
                    c = Apache5HttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(15))
                            .socketTimeout(Duration.ofMinutes(2))
                            .maxConnections(16)
                            .build();
                    sharedHttp = c;
                }
            }
        }
        return c;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        StorageSupport.checkKey(key);
        long size = Files.size(file);
        if (size <= multipartThreshold) {
            String md5 = StorageSupport.md5Base64(file, 0, size);
            call("PUT", key, () -> s3.putObject(r -> r.bucket(bucket).key(key)
                    .contentType(StorageSupport.contentType(key)).contentLength(size).contentMD5(md5),
                    RequestBody.fromFile(file)));
        } else {
            putMultipart(key, file, size);
        }
    }

    private void putMultipart(String key, Path file, long size) throws IOException {
        long part = StorageSupport.partSizeFor(size, partSize);
        String uploadId = call("multipart upload start", key, () -> s3.createMultipartUpload(r -> r.bucket(bucket)
                .key(key).contentType(StorageSupport.contentType(key)))).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += part, number++) {
                long off = offset;
                long len = Math.min(part, size - offset);
                int n = number;
                String md5 = StorageSupport.md5Base64(file, off, len);
                UploadPartResponse resp = call("part " + n + " upload", key, () -> s3.uploadPart(r -> r.bucket(bucket)
                        .key(key).uploadId(uploadId).partNumber(n).contentLength(len).contentMD5(md5),
                        RequestBody.fromContentProvider(() -> range(file, off, len), len, "application/octet-stream")));
                parts.add(CompletedPart.builder().partNumber(n).eTag(resp.eTag()).build());
            }
            call("multipart upload completion", key, () -> s3.completeMultipartUpload(r -> r.bucket(bucket).key(key)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
        } catch (IOException | RuntimeException | Error e) {
            try {
                call("multipart upload abort", key, () -> s3.abortMultipartUpload(r -> r.bucket(bucket).key(key)
                        .uploadId(uploadId)));
            } catch (IOException | RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    /** A fresh stream over {@code [offset, offset+length)} of the file; the SDK may ask again on a retry. */
    private static InputStream range(Path file, long offset, long length) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(offset);
            return new FilterInputStream(Channels.newInputStream(ch)) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(buf, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }

                @Override
                public long skip(long n) throws IOException {
                    long s = super.skip(Math.min(n, left));
                    left -= s;
                    return s;
                }

                @Override
                public int available() throws IOException {
                    return (int) Math.min(super.available(), left);
                }

                @Override
                public boolean markSupported() {
                    return false;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        StorageSupport.checkKey(key);
        call("DELETE", key, () -> s3.deleteObject(r -> r.bucket(bucket).key(key)));
    }

    @Override
    public long sizeOf(String key) throws IOException {
        StorageSupport.checkKey(key);
        try {
            return call("HEAD", key, () -> s3.headObject(r -> r.bucket(bucket).key(key)).contentLength());
        } catch (IOException e) {
            if (e.getCause() instanceof S3Exception s && s.statusCode() == 404) {
                return -1;
            }
            throw e;
        }
    }

    /** Runs an SDK call, turning its exceptions into IOExceptions that say what failed and why. */
    private <T> T call(String what, String key, Supplier<T> op) throws IOException {
        String where = type + " " + what + " " + bucket + "/" + key + " failed: ";
        try {
            return op.get();
        } catch (S3Exception e) {
            AwsErrorDetails d = e.awsErrorDetails();
            String code = d == null ? null : d.errorCode();
            String msg = d == null ? null : d.errorMessage();
            throw new IOException(where + "HTTP " + e.statusCode()
                    + (code == null ? "" : " " + code) + (msg == null ? "" : ": " + msg)
                    + (e.requestId() == null ? "" : " (request id " + e.requestId() + ")")
                    + StorageSupport.hint(code), e);
        } catch (UncheckedIOException e) {
            throw new IOException(where + e.getCause(), e.getCause());
        } catch (SdkException e) {
            throw new IOException(where + e.getMessage(), e);
        }
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String describe() {
        return type + " bucket " + bucket + " at " + (endpoint == null ? "AWS" : endpoint.toString())
                + " (region " + region + ", " + (pathStyle ? "path-style" : "virtual-hosted")
                + (defaultCredentials ? ", default credential chain" : "") + ")";
    }

    @Override
    public void close() {
        s3.close();
    }
}

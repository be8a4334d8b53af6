package io.videoworker.worker.publish;

import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.ClientException;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import com.aliyun.oss.OSSException;
import com.aliyun.oss.common.auth.DefaultCredentialProvider;
import com.aliyun.oss.common.comm.SignVersion;
import com.aliyun.oss.common.comm.io.BoundedInputStream;
import com.aliyun.oss.model.AbortMultipartUploadRequest;
import com.aliyun.oss.model.CompleteMultipartUploadRequest;
import com.aliyun.oss.model.InitiateMultipartUploadRequest;
import com.aliyun.oss.model.ObjectMetadata;
import com.aliyun.oss.model.PartETag;
import com.aliyun.oss.model.UploadPartRequest;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Aliyun OSS ({@code TYPE: oss}) through Aliyun's SDK, on {@code scheme://BUCKET.ENDPOINT/key} as
 * JumpServer's own OSS clients address it (a custom domain too gets the bucket prefixed), or
 * {@code scheme://ENDPOINT/BUCKET/key} when the endpoint is an IP address or localhost, as they do too.
 *
 * <p>Signs with V4 ({@code OSS4-HMAC-SHA256}) whenever the region is known: from {@code REGION},
 * or from a public endpoint {@code oss-<region>[-internal].aliyuncs.com}. OSS has stopped offering
 * the older V1 signature ({@code OSS id:sig}, HMAC-SHA1) to new accounts and new buckets, so V1 is
 * only the fallback for endpoints that name no region (custom domains, private deployments).
 *
 * <p>Objects up to the threshold (64 MiB) go in one PUT, bigger ones as a multipart upload of
 * 64 MiB parts, aborted if anything fails so no parts stay billed and the object only ever appears
 * complete. Every PUT and part carries Content-MD5, so OSS refuses a corrupted body before storing
 * it (the SDK's CRC64 check, which compares only after the object exists, is off). The SDK does not
 * retry: the publisher retries with backoff.
 */
public final class OssStorage implements ReplayStorage, AutoCloseable {
    /** JumpServer's part size, and the size up to which one PUT is used, as for S3/OBS. */
    public static final long DEFAULT_PART_SIZE = S3Storage.DEFAULT_PART_SIZE;
    public static final long DEFAULT_MULTIPART_THRESHOLD = DEFAULT_PART_SIZE;

    private static final Pattern REGION_HOST =
            Pattern.compile("(?:^|\\.)oss-([a-z]{2,}-[a-z0-9-]+?)(?:-internal)?\\.aliyuncs\\.com$");
    /** IPv4, or IPv6 as {@link URI#getHost()} gives it (in brackets), or localhost: no virtual hosts there. */
    private static final Pattern IP_OR_LOCALHOST = Pattern.compile("[0-9.]+|\\[.*]|localhost");

    static {
        // the SDK warns, over several lines with the raw response, of every failure that put()
        // and the others already report as one IOException: keep the log readable unless configured
        StorageSupport.errorsOnlyUnlessConfigured("com.aliyun.oss");
    }

    private final URI endpoint;
    private final String bucket;
    private final String region; // null: signature V1
    private final boolean pathStyle;
    private final long multipartThreshold;
    private final long partSize;
    private final OSS oss;

    /**
     * @param endpoint e.g. {@code https://oss-cn-hangzhou.aliyuncs.com}; the bucket is prefixed to its host
     *                 (on an IP address or localhost, to the path)
     * @param region   the OSS region id ({@code cn-hangzhou}) for signature V4, or null for V1
     */
    public OssStorage(URI endpoint, String bucket, String accessKeyId, String accessKeySecret, String region) {
        this(endpoint, bucket, accessKeyId, accessKeySecret, region, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
                null, null);
    }

    /**
     * For tests: other multipart sizes, an HTTP proxy every request goes through (the fake server,
     * which then sees the real virtual-hosted names), and a clock the signatures are dated by.
     */
    OssStorage(URI endpoint, String bucket, String accessKeyId, String accessKeySecret, String region,
            long multipartThreshold, long partSize, InetSocketAddress proxy, Clock clock) {
        if (multipartThreshold < 1 || partSize < 1) {
            throw new IllegalArgumentException("multipart threshold and part size must be positive");
        }
        this.endpoint = Objects.requireNonNull(endpoint);
        this.bucket = Objects.requireNonNull(bucket);
        this.region = region;
        this.pathStyle = IP_OR_LOCALHOST.matcher(endpoint.getHost().toLowerCase(Locale.ROOT)).matches();
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
        ClientBuilderConfiguration conf = new ClientBuilderConfiguration();
        conf.setSupportCname(false); // bucket.endpoint even for a custom domain, like JumpServer's OSS clients
        conf.setSLDEnabled(pathStyle);
        conf.setMaxErrorRetry(0);
        conf.setRedirectEnable(false); // a signed request goes where configured, nowhere else
        conf.setConnectionTimeout(15_000);
        conf.setSocketTimeout(120_000); // between two packets, not for the whole upload
        conf.setCrcCheckEnabled(false);
        conf.setSignatureVersion(region == null ? SignVersion.V1 : SignVersion.V4);
        if (proxy != null) {
            conf.setProxyHost(proxy.getHostString());
            conf.setProxyPort(proxy.getPort());
        }
        if (clock != null) {
            conf.setTickOffset(clock.millis() - System.currentTimeMillis());
        }
        OSSClientBuilder.OSSClientBuilderImpl b = OSSClientBuilder.create()
                .endpoint(endpoint.getScheme() + "://" + withoutBucket(endpoint.getRawAuthority()))
                .credentialsProvider(new DefaultCredentialProvider(Objects.requireNonNull(accessKeyId),
                        Objects.requireNonNull(accessKeySecret)))
                .clientConfiguration(conf);
        if (region != null) {
            b.region(region);
        }
        this.oss = b.build();
    }

    /** From TERMINAL_REPLAY_STORAGE: {@code BUCKET, ACCESS_KEY, SECRET_KEY, ENDPOINT}, optional {@code REGION}. */
    public static OssStorage fromConfig(JsonNode cfg) {
        StorageSupport.requireObject(cfg);
        String bucket = StorageSupport.required(cfg, "BUCKET");
        String ak = StorageSupport.required(cfg, "ACCESS_KEY");
        String sk = StorageSupport.required(cfg, "SECRET_KEY");
        URI endpoint = StorageSupport.endpoint(StorageSupport.required(cfg, "ENDPOINT"), "ENDPOINT", "https");
        String region = StorageSupport.optional(cfg, "REGION");
        if (region != null) {
            region = region.toLowerCase(Locale.ROOT);
            if (region.startsWith("oss-")) {
                region = region.substring(4); // the endpoint prefix, not the region id
            }
            if (!region.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("replay storage: REGION is not an OSS region id");
            }
        } else {
            region = regionFromEndpoint(endpoint.getHost());
        }
        return new OssStorage(endpoint, bucket, ak, sk, region);
    }

    /** {@code oss-cn-hangzhou.aliyuncs.com}, {@code bucket.oss-cn-hangzhou-internal.aliyuncs.com} → {@code cn-hangzhou}. */
    static String regionFromEndpoint(String host) {
        Matcher m = REGION_HOST.matcher(host.toLowerCase(Locale.ROOT));
        if (!m.find() || m.group(1).startsWith("accelerate")) {
            return null;
        }
        return m.group(1);
    }

    /** An endpoint that already names the bucket ({@code bucket.oss-…}) is the same place: the SDK prefixes it. */
    private String withoutBucket(String authority) {
        return !pathStyle && authority.startsWith(bucket + ".") ? authority.substring(bucket.length() + 1) : authority;
    }

    String signatureVersion() {
        return region == null ? "V1" : "V4";
    }

    /** Where an object lives, for messages and tests: the URL the SDK sends to. */
    URI objectUrl(String key) {
        String authority = withoutBucket(endpoint.getRawAuthority());
        String path = "/" + StorageSupport.percentEncode(key, true);
        return URI.create(endpoint.getScheme() + "://"
                + (pathStyle ? authority + "/" + bucket + path : bucket + "." + authority + path));
    }

    @Override
    public void put(String key, Path file) throws IOException {
        StorageSupport.checkKey(key);
        long size = Files.size(file);
        if (size > multipartThreshold) {
            putMultipart(key, file, size);
            return;
        }
        ObjectMetadata meta = metadata(key);
        meta.setContentLength(size);
        meta.setContentMD5(StorageSupport.md5Base64(file, 0, size));
        call("PUT", key, () -> oss.putObject(bucket, key, file.toFile(), meta));
    }

    private void putMultipart(String key, Path file, long size) throws IOException {
        long part = StorageSupport.partSizeFor(size, partSize);
        String uploadId = call("multipart upload start", key, () -> oss.initiateMultipartUpload(
                new InitiateMultipartUploadRequest(bucket, key, metadata(key)))).getUploadId();
        try {
            List<PartETag> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += part, number++) {
                long len = Math.min(part, size - offset);
                UploadPartRequest req = new UploadPartRequest(bucket, key, uploadId, number, null, len);
                req.setMd5Digest(StorageSupport.md5Base64(file, offset, len));
                try (InputStream in = range(file, offset, len)) {
                    req.setInputStream(in);
                    parts.add(call("part " + number + " upload", key, () -> oss.uploadPart(req)).getPartETag());
                }
            }
            call("multipart upload completion", key, () -> oss.completeMultipartUpload(
                    new CompleteMultipartUploadRequest(bucket, key, uploadId, parts)));
        } catch (IOException | RuntimeException | Error e) {
            try {
                call("multipart upload abort", key, () -> {
                    oss.abortMultipartUpload(new AbortMultipartUploadRequest(bucket, key, uploadId));
                    return null;
                });
            } catch (IOException | RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private static InputStream range(Path file, long offset, long length) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        return new BoundedInputStream(Channels.newInputStream(ch), length);
    }

    private static ObjectMetadata metadata(String key) {
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentType(StorageSupport.contentType(key));
        return meta;
    }

    @Override
    public void delete(String key) throws IOException {
        StorageSupport.checkKey(key);
        // OSS answers 204 for a missing object too: deleting one is not an error
        call("DELETE", key, () -> oss.deleteObject(bucket, key));
    }

    @Override
    public long sizeOf(String key) throws IOException {
        StorageSupport.checkKey(key);
        try {
            return call("HEAD", key, () -> oss.headObject(bucket, key)).getContentLength();
        } catch (IOException e) {
            if (e.getCause() instanceof OSSException o && "NoSuchKey".equals(o.getErrorCode())) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * Runs an SDK call, turning its exceptions into one-line IOExceptions that say what failed and
     * why. The SDK's own messages span lines and include the raw response; its exceptions carry no
     * HTTP status, so the message names OSS's error code instead.
     */
    private <T> T call(String what, String key, Supplier<T> op) throws IOException {
        String where = "oss " + what + " " + bucket + "/" + key + " failed: ";
        try {
            return op.get();
        } catch (OSSException e) {
            throw new IOException(where + StorageSupport.describeError(e.getErrorCode(), e.getErrorMessage(),
                    e.getRequestId()) + StorageSupport.hint(e.getErrorCode()), e);
        } catch (ClientException e) {
            if (e.getCause() instanceof IOException io) { // refused, reset, timed out, unknown host
                throw new IOException(where + "connection to " + objectUrl(key).getHost() + ": "
                        + oneLine(io.toString()), e);
            }
            throw new IOException(where + oneLine(String.valueOf(e.getErrorMessage())), e);
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    @Override
    public String type() {
        return "oss";
    }

    @Override
    public String describe() {
        return "oss bucket " + bucket + " at " + endpoint + " (signature " + signatureVersion()
                + (region == null ? "" : ", region " + region) + ")";
    }

    /** Stops the SDK's connection pool. */
    @Override
    public void close() {
        oss.shutdown();
    }
}

package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Aliyun OSS ({@code TYPE: oss}): PUT/DELETE Object on {@code scheme://BUCKET.ENDPOINT/key}.
 *
 * <p>Signs with V4 ({@code OSS4-HMAC-SHA256}) whenever the region is known: from {@code REGION},
 * or from a public endpoint {@code oss-<region>[-internal].aliyuncs.com}. OSS has stopped offering
 * the older V1 signature ({@code OSS id:sig}, HMAC-SHA1) to new accounts and new buckets, so V1 is
 * only the fallback for endpoints that name no region (custom domains, private deployments).
 */
public final class OssStorage extends HttpObjectStorage {
    private static final Pattern REGION_HOST =
            Pattern.compile("(?:^|\\.)oss-([a-z]{2,}-[a-z0-9-]+?)(?:-internal)?\\.aliyuncs\\.com$");

    private final String accessKeyId;
    private final String accessKeySecret;
    private final String region; // null: signature V1

    /**
     * @param endpoint e.g. {@code https://oss-cn-hangzhou.aliyuncs.com}; the bucket is prefixed to its host
     * @param region   the OSS region id ({@code cn-hangzhou}) for signature V4, or null for V1
     */
    public OssStorage(URI endpoint, String bucket, String accessKeyId, String accessKeySecret, String region) {
        this(endpoint, bucket, accessKeyId, accessKeySecret, region, null, null);
    }

    /** For tests: a specific HTTP client (e.g. through a proxy) and clock. */
    OssStorage(URI endpoint, String bucket, String accessKeyId, String accessKeySecret, String region,
            HttpClient http, Clock clock) {
        super("oss", Objects.requireNonNull(endpoint), Objects.requireNonNull(bucket), http, clock);
        this.accessKeyId = Objects.requireNonNull(accessKeyId);
        this.accessKeySecret = Objects.requireNonNull(accessKeySecret);
        this.region = region;
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

    String signatureVersion() {
        return region == null ? "V1" : "V4";
    }

    @Override
    void sign(String method, String key, Map<String, String> headers) {
        Instant now = clock.instant();
        if (region == null) {
            String date = StorageSupport.httpDate(now);
            headers.put("Date", date);
            // V1: the resource is the raw object name
            String sts = HmacSha1Signer.stringToSign(method, headers.get("Content-MD5"), headers.get("Content-Type"),
                    date, headers, "x-oss-", "/" + bucket + "/" + key);
            headers.put("Authorization", "OSS " + accessKeyId + ":" + HmacSha1Signer.signature(accessKeySecret, sts));
        } else {
            String ts = OssV4Signer.timestamp(now);
            headers.put("x-oss-date", ts);
            headers.put("x-oss-content-sha256", OssV4Signer.UNSIGNED_PAYLOAD);
            headers.put("Authorization", OssV4Signer.authorization(accessKeyId, accessKeySecret, region, ts,
                    method, bucket, key, Map.of(), headers, Set.of()));
        }
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
}

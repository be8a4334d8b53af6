package io.videoworker.worker.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Aliyun OSS's request signatures, V1 ({@code OSS id:sig}) and V4 ({@code OSS4-HMAC-SHA256}), as
 * Aliyun documents them: the fake server's own verifier, written from the documents and checked
 * against Aliyun's published examples (StorageSignerTest), never shared with the code under test.
 */
final class OssSignatures {
    /** V1: the query parameters that are sub-resources, so part of CanonicalizedResource (others are not signed). */
    static final Set<String> V1_SUB_RESOURCES = Set.of("acl", "uploads", "location", "cors", "logging", "website",
            "referer", "lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId", "partNumber",
            "security-token", "position", "img", "style", "styleName", "replication", "replicationProgress",
            "replicationLocation", "cname", "bucketInfo", "comp", "qos", "live", "status", "vod", "startTime",
            "endTime", "symlink", "x-oss-process", "response-content-type", "response-content-language",
            "response-expires", "response-cache-control", "response-content-disposition",
            "response-content-encoding", "restore", "versionId", "versioning", "sequential", "continuation-token",
            "encryption", "policy", "stat", "worm", "wormId", "wormExtend", "inventory", "inventoryId");

    private static final DateTimeFormatter V4_TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private OssSignatures() {}

    /**
     * V1: {@code VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedOSSHeaders CanonicalizedResource}.
     *
     * @param headers any case; only {@code x-oss-*} ones are canonicalized (lower-cased, sorted, trimmed,
     *                repeated names joined with ',')
     * @param query   the request's decoded query parameters (a valueless one maps to "")
     */
    static String v1StringToSign(String verb, String contentMd5, String contentType, String date,
            Map<String, String> headers, String bucket, String key, Map<String, String> query) {
        TreeMap<String, String> canonical = new TreeMap<>();
        headers.forEach((name, value) -> {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.startsWith("x-oss-")) {
                canonical.merge(n, value.trim(), (a, b) -> a + "," + b);
            }
        });
        StringBuilder sb = new StringBuilder().append(verb).append('\n')
                .append(orEmpty(contentMd5)).append('\n')
                .append(orEmpty(contentType)).append('\n')
                .append(orEmpty(date)).append('\n');
        canonical.forEach((n, v) -> sb.append(n).append(':').append(v).append('\n'));
        // the object name as is, then the sub-resources sorted by name, values not encoded
        sb.append('/').append(bucket).append('/').append(key);
        char sep = '?';
        for (Map.Entry<String, String> p : new TreeMap<>(query).entrySet()) {
            if (V1_SUB_RESOURCES.contains(p.getKey())) {
                sb.append(sep).append(p.getKey());
                if (!p.getValue().isEmpty()) {
                    sb.append('=').append(p.getValue());
                }
                sep = '&';
            }
        }
        return sb.toString();
    }

    static String v1Signature(String secret, String stringToSign) {
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", secret.getBytes(StandardCharsets.UTF_8), stringToSign));
    }

    /**
     * V4: {@code VERB \n /bucket/uriEncode(key) \n CanonicalQueryString \n CanonicalHeaders \n
     * AdditionalHeaders \n UNSIGNED-PAYLOAD}. CanonicalQueryString: every parameter, name and value
     * URI-encoded, sorted, {@code name=value} or just {@code name} when the value is empty.
     * CanonicalHeaders: {@code x-oss-*}, {@code content-type}, {@code content-md5} and the additional
     * ones, lower-cased, sorted, {@code name:trimmed\n}.
     */
    static String v4CanonicalRequest(String verb, String bucket, String key, Map<String, String> query,
            Map<String, String> headers, String additionalHeaders) {
        TreeMap<String, String> q = new TreeMap<>();
        query.forEach((k, v) -> q.put(uriEncode(k, false), uriEncode(v, false)));
        StringBuilder qs = new StringBuilder();
        q.forEach((k, v) -> qs.append(qs.length() == 0 ? "" : "&").append(k).append(v.isEmpty() ? "" : "=" + v));
        List<String> extra = additionalHeaders.isEmpty() ? List.of() : List.of(additionalHeaders.split(";"));
        TreeMap<String, String> canon = new TreeMap<>();
        headers.forEach((k, v) -> {
            String l = k.trim().toLowerCase(Locale.ROOT);
            if (l.startsWith("x-oss-") || l.equals("content-type") || l.equals("content-md5") || extra.contains(l)) {
                canon.put(l, v.trim());
            }
        });
        StringBuilder cr = new StringBuilder(verb).append('\n')
                .append('/').append(bucket).append('/').append(uriEncode(key, true)).append('\n')
                .append(qs).append('\n');
        canon.forEach((k, v) -> cr.append(k).append(':').append(v).append('\n'));
        return cr.append('\n').append(additionalHeaders).append('\n').append("UNSIGNED-PAYLOAD").toString();
    }

    /** {@code OSS4-HMAC-SHA256 \n timestamp \n day/region/oss/aliyun_v4_request \n hex(SHA256(CanonicalRequest))}. */
    static String v4StringToSign(String timestamp, String region, String canonicalRequest) {
        return "OSS4-HMAC-SHA256\n" + timestamp + "\n" + timestamp.substring(0, 8) + "/" + region
                + "/oss/aliyun_v4_request\n" + HexFormat.of().formatHex(sha256(canonicalRequest));
    }

    /** HMAC-SHA256 under the key derived from {@code "aliyun_v4" + secret}, the day, the region, "oss", "aliyun_v4_request". */
    static String v4Signature(String secret, String day, String region, String stringToSign) {
        byte[] k = hmac("HmacSHA256", ("aliyun_v4" + secret).getBytes(StandardCharsets.UTF_8), day);
        k = hmac("HmacSHA256", k, region);
        k = hmac("HmacSHA256", k, "oss");
        k = hmac("HmacSHA256", k, "aliyun_v4_request");
        return HexFormat.of().formatHex(hmac("HmacSHA256", k, stringToSign));
    }

    /** The instant of an {@code x-oss-date} value ({@code 20231216T162057Z}). */
    static Instant v4Time(String timestamp) {
        return V4_TIMESTAMP.parse(timestamp, Instant::from);
    }

    /** URI encoding as the V4 document describes it: all but A-Z a-z 0-9 - _ . ~ (and '/' in a path). */
    static String uriEncode(String s, boolean keepSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 128 && Character.isLetterOrDigit(c) || "-_.~".indexOf(c) >= 0 || keepSlash && c == '/') {
                sb.append(c);
            } else {
                sb.append(String.format("%%%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static byte[] hmac(String alg, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(alg);
            mac.init(new SecretKeySpec(key, alg));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] sha256(String data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

package io.videoworker.worker.publish;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Aliyun OSS signature V4 ({@code OSS4-HMAC-SHA256}) in the Authorization header:
 *
 * <pre>
 * CanonicalRequest = VERB \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n
 *                    AdditionalHeaders \n "UNSIGNED-PAYLOAD"
 * StringToSign     = "OSS4-HMAC-SHA256" \n x-oss-date \n date/region/oss/aliyun_v4_request \n
 *                    hex(SHA256(CanonicalRequest))
 * SigningKey       = HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, date), region), "oss"), "aliyun_v4_request")
 * Signature        = hex(HMAC-SHA256(SigningKey, StringToSign))
 * </pre>
 *
 * CanonicalURI is {@code /bucket/key} URI-encoded except '/'; CanonicalHeaders are the
 * {@code x-oss-*}, {@code content-type} and {@code content-md5} headers plus the additional ones,
 * lower-cased, sorted, {@code name:trimmed-value\n} each. The request must carry
 * {@code x-oss-date} and {@code x-oss-content-sha256: UNSIGNED-PAYLOAD}.
 */
final class OssV4Signer {
    static final String ALGORITHM = "OSS4-HMAC-SHA256";
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private OssV4Signer() {}

    static String timestamp(Instant t) {
        return TIMESTAMP.format(t);
    }

    /** The AdditionalHeaders value: lower-cased, sorted, present, and not signed by default anyway. */
    static String additionalHeaders(Set<String> names, Map<String, String> headers) {
        Set<String> present = new TreeSet<>();
        headers.keySet().forEach(h -> present.add(h.trim().toLowerCase(Locale.ROOT)));
        TreeSet<String> out = new TreeSet<>();
        for (String n : names) {
            String l = n.trim().toLowerCase(Locale.ROOT);
            if (!signedByDefault(l) && present.contains(l)) {
                out.add(l);
            }
        }
        return String.join(";", out);
    }

    static String canonicalRequest(String verb, String bucket, String key, Map<String, String> query,
            Map<String, String> headers, String additionalHeaders) {
        String uri = "/";
        if (bucket != null) {
            uri += bucket + "/";
            if (key != null) {
                uri += StorageSupport.percentEncode(key, true);
            }
        }
        TreeMap<String, String> q = new TreeMap<>();
        query.forEach((k, v) -> q.put(StorageSupport.percentEncode(k, false),
                v == null || v.isEmpty() ? "" : StorageSupport.percentEncode(v, false)));
        StringBuilder qs = new StringBuilder();
        q.forEach((k, v) -> {
            if (qs.length() > 0) {
                qs.append('&');
            }
            qs.append(k);
            if (!v.isEmpty()) {
                qs.append('=').append(v);
            }
        });
        Set<String> extra = additionalHeaders.isEmpty() ? Set.of() : Set.of(additionalHeaders.split(";"));
        TreeMap<String, String> canonical = new TreeMap<>();
        headers.forEach((name, value) -> {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (signedByDefault(n) || extra.contains(n)) {
                canonical.put(n, value.trim());
            }
        });
        StringBuilder ch = new StringBuilder();
        canonical.forEach((n, v) -> ch.append(n).append(':').append(v).append('\n'));
        return verb + "\n" + uri + "\n" + qs + "\n" + ch + "\n" + additionalHeaders + "\n" + UNSIGNED_PAYLOAD;
    }

    static String stringToSign(String timestamp, String region, String canonicalRequest) {
        return ALGORITHM + "\n" + timestamp + "\n" + scope(timestamp, region) + "\n"
                + StorageSupport.sha256Hex(canonicalRequest);
    }

    static String signature(String secret, String timestamp, String region, String stringToSign) {
        byte[] k = StorageSupport.hmac("HmacSHA256", ("aliyun_v4" + secret).getBytes(StandardCharsets.UTF_8),
                timestamp.substring(0, 8));
        k = StorageSupport.hmac("HmacSHA256", k, region);
        k = StorageSupport.hmac("HmacSHA256", k, "oss");
        k = StorageSupport.hmac("HmacSHA256", k, "aliyun_v4_request");
        return HexFormat.of().formatHex(StorageSupport.hmac("HmacSHA256", k, stringToSign));
    }

    /** The complete Authorization header value. */
    static String authorization(String accessKeyId, String secret, String region, String timestamp,
            String verb, String bucket, String key, Map<String, String> query, Map<String, String> headers,
            Set<String> additional) {
        String add = additionalHeaders(additional, headers);
        String sts = stringToSign(timestamp, region, canonicalRequest(verb, bucket, key, query, headers, add));
        return ALGORITHM + " Credential=" + accessKeyId + "/" + scope(timestamp, region)
                + (add.isEmpty() ? "" : ",AdditionalHeaders=" + add)
                + ",Signature=" + signature(secret, timestamp, region, sts);
    }

    private static String scope(String timestamp, String region) {
        return timestamp.substring(0, 8) + "/" + region + "/oss/aliyun_v4_request";
    }

    private static boolean signedByDefault(String lowerName) {
        return lowerName.startsWith("x-oss-") || lowerName.equals("content-type") || lowerName.equals("content-md5");
    }
}

package io.videoworker.worker.publish;

import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.nio.charset.StandardCharsets;

/**
 * The HMAC-SHA1 header signature of Aliyun OSS V1 ({@code Authorization: OSS id:sig}, {@code x-oss-}
 * headers). Huawei OBS's native signature is the same scheme with {@code x-obs-} headers, whose
 * published examples check the canonicalization here; OBS itself is reached through its S3 API.
 *
 * <pre>
 * StringToSign = VERB + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Date + "\n"
 *                + CanonicalizedHeaders + CanonicalizedResource
 * Signature    = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
 * </pre>
 *
 * CanonicalizedHeaders: every header whose lower-cased name starts with the vendor prefix, as
 * {@code name:value\n}, names lower-cased and sorted, values trimmed, repeated names joined by ','.
 */
final class HmacSha1Signer {
    private HmacSha1Signer() {}

    /**
     * @param headers  the request's headers (any case); only those with {@code prefix} are used
     * @param prefix   {@code x-oss-} or {@code x-obs-}
     * @param resource CanonicalizedResource, e.g. {@code /bucket/object}
     */
    static String stringToSign(String verb, String contentMd5, String contentType, String date,
            Map<String, String> headers, String prefix, String resource) {
        TreeMap<String, String> canonical = new TreeMap<>();
        headers.forEach((name, value) -> {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.startsWith(prefix)) {
                canonical.merge(n, value.trim(), (a, b) -> a + "," + b);
            }
        });
        StringBuilder sb = new StringBuilder();
        sb.append(verb).append('\n')
                .append(nullToEmpty(contentMd5)).append('\n')
                .append(nullToEmpty(contentType)).append('\n')
                .append(nullToEmpty(date)).append('\n');
        canonical.forEach((n, v) -> sb.append(n).append(':').append(v).append('\n'));
        return sb.append(resource).toString();
    }

    static String signature(String secret, String stringToSign) {
        return Base64.getEncoder().encodeToString(
                StorageSupport.hmac("HmacSHA1", secret.getBytes(StandardCharsets.UTF_8), stringToSign));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

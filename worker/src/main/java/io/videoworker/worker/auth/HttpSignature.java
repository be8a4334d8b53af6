package io.videoworker.worker.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JumpServer's HTTP Signatures: HMAC-SHA256 over {@code (request-target)} and {@code date},
 * sent as {@code Authorization: Signature keyId="…",algorithm="hmac-sha256",headers="(request-target) date",signature="…"}.
 */
public final class HttpSignature {
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    private HttpSignature() {
    }

    /** The two-line signing string; {@code pathAndQuery} exactly as sent. */
    public static String signingString(String method, String pathAndQuery, String date) {
        return "(request-target): " + method.toLowerCase(Locale.ROOT) + " " + pathAndQuery + "\ndate: " + date;
    }

    public static String sign(String secret, String signingString) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(signingString.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The Authorization header value for a request. */
    public static String authorization(String keyId, String secret, String method, String pathAndQuery, String date) {
        return "Signature keyId=\"" + keyId + "\",algorithm=\"hmac-sha256\",headers=\"(request-target) date\",signature=\""
                + sign(secret, signingString(method, pathAndQuery, date)) + "\"";
    }

    /** Now, as an HTTP date in GMT. */
    public static String now() {
        return RFC_1123.format(ZonedDateTime.now(ZoneOffset.UTC));
    }

    /** Parses the parameters of a Signature header; null if it is not one. */
    public static Map<String, String> parse(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Signature ", 0, 10)) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        Matcher m = PARAM.matcher(authorization.substring(10));
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        return params.containsKey("keyId") && params.containsKey("signature") ? params : null;
    }

    /** Compares in constant time, so a forger learns nothing from the reply's timing. */
    public static boolean matches(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}

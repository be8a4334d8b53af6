package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared by the object-storage publishers: config reading, key checks, encoding, digests. */
final class StorageSupport {
    private static final Pattern XML_FIELD = Pattern.compile("<(Code|Message|RequestId)>([^<]*)</\\1>");

    /** The most parts a multipart upload may have, at S3 and at OSS. */
    static final int MAX_PARTS = 10_000;

    private StorageSupport() {}

    /** A string value of TERMINAL_REPLAY_STORAGE, trimmed; null when absent, JSON null or blank. */
    static String optional(JsonNode cfg, String key) {
        JsonNode v = cfg == null ? null : cfg.get(key);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isContainerNode()) {
            throw new IllegalArgumentException("replay storage: " + key + " must be a string");
        }
        String s = v.asText().trim();
        return s.isEmpty() ? null : s;
    }

    /** A value as given (secrets are not trimmed); null when absent or JSON null. */
    static String raw(JsonNode cfg, String key) {
        JsonNode v = cfg == null ? null : cfg.get(key);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (!v.isValueNode() || v.isBinary()) {
            throw new IllegalArgumentException(key + " is not a string");
        }
        return v.asText();
    }

    static String required(JsonNode cfg, String key) {
        String s = optional(cfg, key);
        if (s == null) {
            throw new IllegalArgumentException("replay storage: " + key + " is missing or empty");
        }
        return s;
    }

    static void requireObject(JsonNode cfg) {
        if (cfg == null || !cfg.isObject()) {
            throw new IllegalArgumentException("replay storage: configuration must be a JSON object");
        }
    }

    /**
     * An endpoint as JumpServer stores it: {@code http://host:port}, {@code host}, {@code host:port};
     * without a scheme {@code defaultScheme} is used. Path, query and fragment are rejected.
     */
    static URI endpoint(String raw, String key, String defaultScheme) {
        String s = raw.contains("://") ? raw : defaultScheme + "://" + raw;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("replay storage: " + key + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("replay storage: " + key + " must use http or https");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("replay storage: " + key + " has no valid host");
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("replay storage: " + key + " must be scheme://host[:port] only");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority());
    }

    /** Object keys are relative paths such as {@code 2025-11-18/<sid>/<sid>.0.part.mp4}: {@link StorageKey}. */
    static String checkKey(String key) throws IOException {
        return StorageKey.check(key);
    }

    /** RFC 3986 percent-encoding of a UTF-8 string; unreserved characters (and '/' if asked) stay. */
    static String percentEncode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Content-Type by JumpServer's suffixes, so a browser given a signed URL can play the MP4. */
    static String contentType(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.endsWith(".mp4")) {
            return "video/mp4";
        }
        if (k.endsWith(".json")) {
            return "application/json";
        }
        if (k.endsWith(".gz")) {
            return "application/gzip";
        }
        return "application/octet-stream";
    }

    /** Base64 MD5 of {@code length} bytes of a file from {@code offset}: the value of Content-MD5. */
    static String md5Base64(Path file, long offset, long length) throws IOException {
        MessageDigest md5 = digest("MD5");
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("file shrank while reading: " + file);
                }
                md5.update(buf, 0, n);
                left -= n;
            }
        }
        return Base64.getEncoder().encodeToString(md5.digest());
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " unavailable", e);
        }
    }

    /** "Code: Message (request id …)" from an OSS/OBS/S3 XML error body, or a short excerpt of it. */
    static String describeError(String body) {
        if (body == null || body.isBlank()) {
            return "no error body";
        }
        String code = null;
        String message = null;
        String requestId = null;
        Matcher m = XML_FIELD.matcher(body);
        while (m.find()) {
            switch (m.group(1)) {
                case "Code" -> code = code == null ? m.group(2) : code;
                case "Message" -> message = message == null ? m.group(2) : message;
                default -> requestId = requestId == null ? m.group(2) : requestId;
            }
        }
        if (code == null && message == null) {
            String flat = body.replaceAll("\\s+", " ").trim();
            return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
        }
        return describeError(code, message, requestId);
    }

    /** "Code: Message (request id …)", from an error a vendor SDK has already parsed. */
    static String describeError(String code, String message, String requestId) {
        StringBuilder sb = new StringBuilder();
        sb.append(code == null ? "error" : code);
        if (message != null) {
            sb.append(": ").append(message);
        }
        if (requestId != null) {
            sb.append(" (request id ").append(requestId).append(')');
        }
        return sb.toString();
    }

    /**
     * The part size for a multipart upload of {@code size} bytes: {@code preferred}, or more (whole
     * MiB) when that would take over {@link #MAX_PARTS} parts.
     */
    static long partSizeFor(long size, long preferred) {
        if ((size + preferred - 1) / preferred <= MAX_PARTS) {
            return preferred;
        }
        long mib = 1024 * 1024;
        return ((size + MAX_PARTS - 1) / MAX_PARTS + mib - 1) / mib * mib;
    }

    /** Lowers a vendor SDK's logger to errors only, unless the logging configuration names it. */
    static void errorsOnlyUnlessConfigured(String logger) {
        if (org.slf4j.LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger lb && lb.getLevel() == null) {
            lb.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    /** An operator's hint for the error codes that mean "fix the storage settings in JumpServer". */
    static String hint(String code) {
        if (code == null) {
            return "";
        }
        return switch (code) {
            case "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidSecurity" ->
                    " (check ACCESS_KEY and SECRET_KEY of the replay storage)";
            case "NoSuchBucket" -> " (check BUCKET of the replay storage)";
            case "RequestTimeTooSkewed" -> " (the worker's clock is off)";
            default -> "";
        };
    }

    static String errorCode(String body) {
        if (body == null) {
            return null;
        }
        Matcher m = Pattern.compile("<Code>([^<]*)</Code>").matcher(body);
        return m.find() ? m.group(1) : null;
    }
}

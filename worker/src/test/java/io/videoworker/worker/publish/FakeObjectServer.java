package io.videoworker.worker.publish;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in for Aliyun OSS on 127.0.0.1. Clients reach it as their HTTP proxy, so
 * they send their real virtual-hosted URLs ({@code http://bucket.endpoint/key}) and Host headers
 * without any DNS. It checks each request's signature the way the vendor documents it (its own
 * implementation, deliberately not the production signer), its Date (±15 min) and Content-MD5,
 * answers in OSS's XML error format, and keeps the objects in memory.
 */
final class FakeObjectServer implements AutoCloseable {
    /** A request as received; header names lower-cased. */
    record Request(String method, String host, String rawPath, Map<String, String> headers) {}

    private static final Pattern V4_AUTH = Pattern.compile(
            "OSS4-HMAC-SHA256 Credential=([^/,]+)/(\\d{8})/([^/,]+)/oss/aliyun_v4_request"
                    + "(?:,\\s*AdditionalHeaders=([^,]*))?,\\s*Signature=([0-9a-f]{64})");

    final String endpointHost;
    final String region;
    final Map<String, String> secrets = new ConcurrentHashMap<>();
    final Set<String> buckets = ConcurrentHashMap.newKeySet();
    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    /**
     * @param endpointHost the endpoint's host clients are configured with, e.g. {@code oss-cn-test.invalid}
     * @param region       the region an OSS V4 signature must be scoped to
     */
    FakeObjectServer(String endpointHost, String region) throws IOException {
        this.endpointHost = endpointHost;
        this.region = region;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** An HTTP client whose every request goes to this server. */
    HttpClient client() {
        return clientVia(port());
    }

    /** An HTTP client whose every request goes to this server through a local port (a relay's). */
    HttpClient clientVia(int port) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    int port() {
        return server.getAddress().getPort();
    }

    byte[] object(String bucket, String key) {
        return objects.get(bucket + "/" + key);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            String host = headers.getOrDefault("Host", "").replaceFirst(":\\d+$", "");
            String rawPath = ex.getRequestURI().getRawPath();
            Map<String, String> lower = new TreeMap<>();
            headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
            requests.add(new Request(ex.getRequestMethod(), host, rawPath, Map.copyOf(lower)));

            if (!host.endsWith("." + endpointHost)) {
                error(ex, 400, "InvalidRequest", "not a virtual-hosted request: " + host);
                return;
            }
            String bucket = host.substring(0, host.length() - endpointHost.length() - 1);
            String key = URLDecoder.decode(rawPath.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
            String problem = checkAuth(ex.getRequestMethod(), bucket, key, headers);
            if (problem != null) {
                String[] p = problem.split("\\|", 2);
                error(ex, 403, p[0], p[1]);
                return;
            }
            if (!buckets.contains(bucket)) {
                error(ex, 404, "NoSuchBucket", "The specified bucket does not exist.");
                return;
            }
            switch (ex.getRequestMethod()) {
                case "PUT" -> {
                    String len = headers.get("Content-Length");
                    if (len == null || Long.parseLong(len) != body.length) {
                        error(ex, 400, "IncompleteBody", "Content-Length does not match the body");
                        return;
                    }
                    String md5 = headers.get("Content-MD5");
                    if (md5 != null && !md5.equals(Base64.getEncoder().encodeToString(md5(body)))) {
                        error(ex, 400, "InvalidDigest", "Content-MD5 mismatch");
                        return;
                    }
                    objects.put(bucket + "/" + key, body);
                    ex.getResponseHeaders().add("ETag", "\"" + HexFormat.of().formatHex(md5(body)).toUpperCase(Locale.ROOT) + "\"");
                    ex.sendResponseHeaders(200, -1);
                }
                case "HEAD" -> {
                    byte[] object = objects.get(bucket + "/" + key);
                    if (object != null) {
                        ex.getResponseHeaders().add("Content-Length", Integer.toString(object.length));
                    }
                    ex.sendResponseHeaders(object == null ? 404 : 200, -1);
                }
                case "DELETE" -> {
                    objects.remove(bucket + "/" + key);
                    ex.sendResponseHeaders(204, -1);
                }
                default -> error(ex, 405, "MethodNotAllowed", "not supported here");
            }
        }
    }

    /** Null if the request is signed correctly, else "Code|Message". */
    private String checkAuth(String method, String bucket, String key, Map<String, String> h) {
        String auth = h.get("Authorization");
        if (auth == null) {
            return "AccessDenied|anonymous access";
        }
        if (auth.startsWith("OSS4-HMAC-SHA256 ")) {
            return checkOssV4(method, bucket, key, h, auth);
        }
        String scheme = "OSS ";
        String prefix = "x-oss-";
        if (!auth.startsWith(scheme) || auth.indexOf(':') < 0) {
            return "InvalidArgument|Authorization must be '" + scheme + "AccessKeyId:Signature'";
        }
        String ak = auth.substring(scheme.length(), auth.lastIndexOf(':'));
        String given = auth.substring(auth.lastIndexOf(':') + 1);
        String secret = secrets.get(ak);
        if (secret == null) {
            return "InvalidAccessKeyId|The access key id does not exist.";
        }
        // Date: OSS takes x-oss-date over Date
        String dateHeader = h.containsKey(prefix + "date") ? h.get(prefix + "date") : h.get("Date");
        if (dateHeader == null) {
            return "AccessDenied|no Date";
        }
        Instant date = ZonedDateTime.parse(dateHeader, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        if (Duration.between(date, Instant.now()).abs().toMinutes() >= 15) {
            return "RequestTimeTooSkewed|The difference between the request time and the current time is too large.";
        }
        String signedDate = dateHeader;
        TreeMap<String, String> canon = new TreeMap<>();
        h.forEach((k, v) -> {
            String l = k.toLowerCase(Locale.ROOT);
            if (l.startsWith(prefix)) {
                canon.put(l, v.trim());
            }
        });
        StringBuilder sts = new StringBuilder(method).append('\n')
                .append(h.getOrDefault("Content-MD5", "")).append('\n')
                .append(h.getOrDefault("Content-Type", "")).append('\n')
                .append(signedDate).append('\n');
        canon.forEach((k, v) -> sts.append(k).append(':').append(v).append('\n'));
        // OSS V1 signs the object name as is
        sts.append('/').append(bucket).append('/').append(key);
        String expected = Base64.getEncoder().encodeToString(mac("HmacSHA1",
                secret.getBytes(StandardCharsets.UTF_8), sts.toString()));
        return expected.equals(given) ? null
                : "SignatureDoesNotMatch|The request signature we calculated does not match the signature you provided.";
    }

    private String checkOssV4(String method, String bucket, String key, Map<String, String> h, String auth) {
        Matcher m = V4_AUTH.matcher(auth);
        if (!m.matches()) {
            return "InvalidArgument|malformed OSS4-HMAC-SHA256 Authorization";
        }
        String ak = m.group(1);
        String day = m.group(2);
        String secret = secrets.get(ak);
        if (secret == null) {
            return "InvalidAccessKeyId|The access key id does not exist.";
        }
        if (!m.group(3).equals(region)) {
            return "SignatureDoesNotMatch|Invalid signing region in Authorization header.";
        }
        if (!"UNSIGNED-PAYLOAD".equals(h.get("x-oss-content-sha256"))) {
            return "InvalidArgument|x-oss-content-sha256 is required";
        }
        String ts = h.get("x-oss-date");
        if (ts == null || !ts.startsWith(day)) {
            return "AccessDenied|x-oss-date missing or not of the credential's day";
        }
        Instant t = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).parse(ts, Instant::from);
        if (Duration.between(t, Instant.now()).abs().toMinutes() >= 15) {
            return "RequestTimeTooSkewed|The difference between the request time and the current time is too large.";
        }
        String additional = m.group(4) == null ? "" : m.group(4);
        List<String> extra = additional.isEmpty() ? List.of() : List.of(additional.split(";"));
        TreeMap<String, String> canon = new TreeMap<>();
        h.forEach((k, v) -> {
            String l = k.toLowerCase(Locale.ROOT);
            if (l.startsWith("x-oss-") || l.equals("content-type") || l.equals("content-md5") || extra.contains(l)) {
                canon.put(l, v.trim());
            }
        });
        StringBuilder cr = new StringBuilder(method).append('\n')
                .append('/').append(bucket).append('/').append(uriEncode(key)).append('\n')
                .append('\n'); // no query string
        canon.forEach((k, v) -> cr.append(k).append(':').append(v).append('\n'));
        cr.append('\n').append(additional).append('\n').append("UNSIGNED-PAYLOAD");
        String sts = "OSS4-HMAC-SHA256\n" + ts + "\n" + day + "/" + region + "/oss/aliyun_v4_request\n"
                + HexFormat.of().formatHex(sha256(cr.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] k = mac("HmacSHA256", ("aliyun_v4" + secret).getBytes(StandardCharsets.UTF_8), day);
        k = mac("HmacSHA256", k, region);
        k = mac("HmacSHA256", k, "oss");
        k = mac("HmacSHA256", k, "aliyun_v4_request");
        String expected = HexFormat.of().formatHex(mac("HmacSHA256", k, sts));
        return expected.equals(m.group(5)) ? null
                : "SignatureDoesNotMatch|The request signature we calculated does not match the signature you provided.";
    }

    private void error(HttpExchange ex, int status, String code, String message) throws IOException {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>" + code + "</Code>\n  <Message>"
                + message + "</Message>\n  <RequestId>FAKE" + System.nanoTime() + "</RequestId>\n</Error>\n")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/xml");
        ex.sendResponseHeaders(status, xml.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(xml);
        }
    }

    /** URI encoding as the OSS V4 document describes it: everything but A-Z a-z 0-9 - _ . ~ and '/'. */
    private static String uriEncode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-_.~/".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append(String.format("%%%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    private static byte[] mac(String alg, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(alg);
            mac.init(new SecretKeySpec(key, alg));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

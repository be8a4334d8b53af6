package io.videoworker.worker.publish;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for Aliyun OSS on 127.0.0.1. Clients reach it as their HTTP proxy, so they send their
 * real virtual-hosted URLs ({@code http://bucket.endpoint/key}) and Host headers without any DNS.
 * It checks each request's V1 or V4 signature, sub-resources included, with {@link OssSignatures}
 * (its own implementation of Aliyun's documents, not the SDK's), its date (±15 min) and Content-MD5,
 * answers in OSS's XML error format (for HEAD in the {@code x-oss-err} header, as OSS does), and keeps
 * objects and multipart uploads in memory.
 *
 * <p>Operations: PutObject, HeadObject, DeleteObject, and multipart: InitiateMultipartUpload
 * ({@code POST ?uploads}), UploadPart ({@code PUT ?partNumber&uploadId}), CompleteMultipartUpload
 * ({@code POST ?uploadId}, where the object appears, whole) and AbortMultipartUpload
 * ({@code DELETE ?uploadId}).
 */
final class FakeObjectServer implements AutoCloseable {
    /** A request as received; header names lower-cased, query parameters decoded in their order. */
    record Request(String method, String host, String rawPath, Map<String, String> query, Map<String, String> headers) {}

    /** A multipart upload in progress: its parts by number. */
    record Upload(String bucket, String key, Map<Integer, byte[]> parts) {}

    /** OSS's smallest part, except for the last. */
    static final int MIN_PART = 100 * 1024;

    private static final Pattern V4_AUTH = Pattern.compile(
            "OSS4-HMAC-SHA256 Credential=([^/,]+)/(\\d{8})/([^/,]+)/oss/aliyun_v4_request"
                    + "(?:,\\s*AdditionalHeaders=([^,]*))?,\\s*Signature=([0-9a-f]{64})");
    private static final Pattern PART = Pattern.compile(
            "<Part>\\s*<PartNumber>(\\d+)</PartNumber>\\s*<ETag>([^<]*)</ETag>\\s*</Part>");

    final String endpointHost;
    final String region;
    final Map<String, String> secrets = new ConcurrentHashMap<>();
    final Set<String> buckets = ConcurrentHashMap.newKeySet();
    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    /** Multipart uploads neither completed nor aborted, by upload id. */
    final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** An UploadPart of this part number is answered 500 InternalError (0: none). */
    volatile int failingPart;
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

    /** Where clients must send every request, as their HTTP proxy. */
    InetSocketAddress proxy() {
        return proxyVia(port());
    }

    /** A local port (a relay's) that leads here, as an HTTP proxy address. */
    static InetSocketAddress proxyVia(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress().getHostAddress(), port);
    }

    int port() {
        return server.getAddress().getPort();
    }

    byte[] object(String bucket, String key) {
        return objects.get(bucket + "/" + key);
    }

    /** The operations received, e.g. {@code "POST ?uploads"}, {@code "PUT ?partNumber&uploadId"}, {@code "HEAD"}. */
    List<String> operations() {
        return requests.stream().map(r -> r.method() + (r.query().isEmpty() ? "" : " ?" + String.join("&",
                r.query().keySet()))).toList();
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
            String method = ex.getRequestMethod();
            String rawPath = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            Map<String, String> lower = new TreeMap<>();
            headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
            requests.add(new Request(method, host, rawPath, query, Map.copyOf(lower)));

            if (!host.endsWith("." + endpointHost)) {
                error(ex, 400, "InvalidRequest", "not a virtual-hosted request: " + host);
                return;
            }
            String bucket = host.substring(0, host.length() - endpointHost.length() - 1);
            String key = decode(rawPath.substring(1));
            String problem = checkAuth(method, bucket, key, query, headers);
            if (problem != null) {
                String[] p = problem.split("\\|", 2);
                error(ex, 403, p[0], p[1]);
                return;
            }
            if (!buckets.contains(bucket)) {
                error(ex, 404, "NoSuchBucket", "The specified bucket does not exist.");
                return;
            }
            String uploadId = query.get("uploadId");
            switch (method) {
                case "PUT" -> {
                    if (!bodyIsIntact(ex, headers, body)) {
                        return;
                    }
                    if (uploadId != null) {
                        uploadPart(ex, bucket, key, uploadId, query.get("partNumber"), body);
                        return;
                    }
                    objects.put(bucket + "/" + key, body);
                    ex.getResponseHeaders().add("ETag", etag(body));
                    ex.sendResponseHeaders(200, -1);
                }
                case "POST" -> {
                    if (query.containsKey("uploads")) {
                        String id = UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT);
                        uploads.put(id, new Upload(bucket, key, new ConcurrentSkipListMap<>()));
                        xml(ex, 200, "<InitiateMultipartUploadResult><Bucket>" + bucket + "</Bucket><Key>" + key
                                + "</Key><UploadId>" + id + "</UploadId></InitiateMultipartUploadResult>");
                    } else if (uploadId != null) {
                        complete(ex, bucket, key, uploadId, new String(body, StandardCharsets.UTF_8));
                    } else {
                        error(ex, 405, "MethodNotAllowed", "not supported here");
                    }
                }
                case "HEAD" -> {
                    byte[] object = objects.get(bucket + "/" + key);
                    if (object == null) {
                        error(ex, 404, "NoSuchKey", "The specified key does not exist.");
                        return;
                    }
                    ex.getResponseHeaders().add("Content-Length", Integer.toString(object.length));
                    ex.getResponseHeaders().add("ETag", etag(object));
                    ex.sendResponseHeaders(200, -1);
                }
                case "DELETE" -> {
                    if (uploadId != null) {
                        if (uploads.remove(uploadId) == null) {
                            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
                            return;
                        }
                    } else {
                        objects.remove(bucket + "/" + key);
                    }
                    ex.sendResponseHeaders(204, -1);
                }
                default -> error(ex, 405, "MethodNotAllowed", "not supported here");
            }
        }
    }

    /**
     * Content-Length matches, or the body is chunked (OSS takes both; the SDK sends an empty file
     * chunked), and Content-MD5 where sent; else answers the error and returns false.
     */
    private boolean bodyIsIntact(HttpExchange ex, Map<String, String> headers, byte[] body) throws IOException {
        String len = headers.get("Content-Length");
        if (len == null && !"chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
            error(ex, 411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
            return false;
        }
        if (len != null && Long.parseLong(len) != body.length) {
            error(ex, 400, "IncompleteBody", "Content-Length does not match the body");
            return false;
        }
        String md5 = headers.get("Content-MD5");
        if (md5 != null && !md5.equals(Base64.getEncoder().encodeToString(md5(body)))) {
            error(ex, 400, "InvalidDigest", "Content-MD5 mismatch");
            return false;
        }
        return true;
    }

    private void uploadPart(HttpExchange ex, String bucket, String key, String uploadId, String partNumber,
            byte[] body) throws IOException {
        Upload upload = uploads.get(uploadId);
        if (upload == null || !upload.bucket().equals(bucket) || !upload.key().equals(key)) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        int number;
        try {
            number = Integer.parseInt(partNumber);
        } catch (NumberFormatException e) {
            number = 0;
        }
        if (number < 1 || number > 10_000) {
            error(ex, 400, "InvalidArgument", "Part number must be an integer between 1 and 10000.");
            return;
        }
        if (number == failingPart) {
            error(ex, 500, "InternalError", "We encountered an internal error. Please try again.");
            return;
        }
        upload.parts().put(number, body);
        ex.getResponseHeaders().add("ETag", etag(body));
        ex.sendResponseHeaders(200, -1);
    }

    /** CompleteMultipartUpload: the listed parts, ascending, ETags matching, all but the last ≥ 100 KiB. */
    private void complete(HttpExchange ex, String bucket, String key, String uploadId, String xml) throws IOException {
        Upload upload = uploads.get(uploadId);
        if (upload == null || !upload.bucket().equals(bucket) || !upload.key().equals(key)) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        Map<Integer, String> listed = new LinkedHashMap<>();
        Matcher m = PART.matcher(xml);
        int last = 0;
        while (m.find()) {
            int n = Integer.parseInt(m.group(1));
            if (n <= last) {
                error(ex, 400, "InvalidPartOrder", "The list of parts was not in ascending order.");
                return;
            }
            last = n;
            listed.put(n, m.group(2).replace("&quot;", "\""));
        }
        if (listed.isEmpty()) {
            error(ex, 400, "MalformedXML", "The XML you provided was not well-formed.");
            return;
        }
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        List<Integer> numbers = new ArrayList<>(listed.keySet());
        for (int i = 0; i < numbers.size(); i++) {
            byte[] part = upload.parts().get(numbers.get(i));
            if (part == null || !unquoted(etag(part)).equals(unquoted(listed.get(numbers.get(i))))) {
                error(ex, 400, "InvalidPart", "One or more of the specified parts could not be found.");
                return;
            }
            if (i < numbers.size() - 1 && part.length < MIN_PART) {
                error(ex, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.");
                return;
            }
            whole.writeBytes(part);
        }
        uploads.remove(uploadId);
        byte[] object = whole.toByteArray();
        objects.put(bucket + "/" + key, object);
        xml(ex, 200, "<CompleteMultipartUploadResult><Location>http://" + bucket + "." + endpointHost + "/" + key
                + "</Location><Bucket>" + bucket + "</Bucket><Key>" + key + "</Key><ETag>"
                + unquoted(etag(object)) + "-" + numbers.size() + "</ETag></CompleteMultipartUploadResult>");
    }

    /** Null if the request is signed correctly, else "Code|Message". */
    private String checkAuth(String method, String bucket, String key, Map<String, String> query,
            Map<String, String> h) {
        String auth = h.get("Authorization");
        if (auth == null) {
            return "AccessDenied|anonymous access";
        }
        if (auth.startsWith("OSS4-HMAC-SHA256 ")) {
            return checkV4(method, bucket, key, query, h, auth);
        }
        if (!auth.startsWith("OSS ") || auth.indexOf(':') < 0) {
            return "InvalidArgument|Authorization must be 'OSS AccessKeyId:Signature'";
        }
        String ak = auth.substring(4, auth.lastIndexOf(':'));
        String secret = secrets.get(ak);
        if (secret == null) {
            return "InvalidAccessKeyId|The access key id does not exist.";
        }
        String date = h.get("Date");
        if (date == null) {
            return "AccessDenied|no Date";
        }
        if (skewed(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())) {
            return "RequestTimeTooSkewed|The difference between the request time and the current time is too large.";
        }
        String sts = OssSignatures.v1StringToSign(method, h.get("Content-MD5"), h.get("Content-Type"), date, h,
                bucket, key, query);
        return OssSignatures.v1Signature(secret, sts).equals(auth.substring(auth.lastIndexOf(':') + 1)) ? null
                : "SignatureDoesNotMatch|The request signature we calculated does not match the signature you provided.";
    }

    private String checkV4(String method, String bucket, String key, Map<String, String> query,
            Map<String, String> h, String auth) {
        Matcher m = V4_AUTH.matcher(auth);
        if (!m.matches()) {
            return "InvalidArgument|malformed OSS4-HMAC-SHA256 Authorization";
        }
        String day = m.group(2);
        String secret = secrets.get(m.group(1));
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
        if (skewed(OssSignatures.v4Time(ts))) {
            return "RequestTimeTooSkewed|The difference between the request time and the current time is too large.";
        }
        String additional = m.group(4) == null ? "" : m.group(4);
        String sts = OssSignatures.v4StringToSign(ts, region,
                OssSignatures.v4CanonicalRequest(method, bucket, key, query, h, additional));
        return OssSignatures.v4Signature(secret, day, region, sts).equals(m.group(5)) ? null
                : "SignatureDoesNotMatch|The request signature we calculated does not match the signature you provided.";
    }

    private static boolean skewed(Instant requestTime) {
        return Duration.between(requestTime, Instant.now()).abs().toMinutes() >= 15;
    }

    /** OSS's XML error; a HEAD reply has no body, so OSS sends it base64 in {@code x-oss-err}. */
    private void error(HttpExchange ex, int status, String code, String message) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>" + code + "</Code>\n  <Message>"
                + message + "</Message>\n  <RequestId>FAKE" + System.nanoTime() + "</RequestId>\n</Error>\n";
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("x-oss-err",
                    Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        xml(ex, status, xml);
    }

    private static void xml(HttpExchange ex, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/xml");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Decoded query parameters in their order; a parameter without '=' maps to "". */
    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String p : raw.split("&")) {
                int eq = p.indexOf('=');
                q.put(decode(eq < 0 ? p : p.substring(0, eq)), eq < 0 ? "" : decode(p.substring(eq + 1)));
            }
        }
        return q;
    }

    /** Percent-decoding; a '+' is a plus sign (OSS clients encode a space as %20). */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String etag(byte[] data) {
        return "\"" + HexFormat.of().formatHex(md5(data)).toUpperCase(Locale.ROOT) + "\"";
    }

    private static String unquoted(String etag) {
        return etag.replace("\"", "");
    }

    private static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

package io.videoworker.worker.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.worker.auth.HttpSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import java.net.Socket;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Signed calls to JumpServer core: every request carries {@code X-JMS-ORG: ROOT}, a GMT
 * {@code Date} and an HMAC-SHA256 signature over {@code (request-target)} (query included) and
 * {@code date}. JSON calls time out after 30 s; file uploads have no timeout.
 */
public final class CoreClient {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final HttpClient http;
    private volatile AccessKey key;

    public CoreClient(String coreHost, boolean ignoreVerifyCerts) {
        this.base = coreHost;
        this.http = client(ignoreVerifyCerts);
    }

    /** An HTTP client that verifies TLS, or trusts anything when told to (IGNORE_VERIFY_CERTS). */
    public static HttpClient client(boolean ignoreVerifyCerts) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (ignoreVerifyCerts) {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                // an *extended* trust manager: the JDK wraps plain ones with its own host name check
                ctx.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
                    }

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
                    }

                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                    }

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                    }

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                }}, new SecureRandom());
                SSLParameters params = new SSLParameters();
                params.setEndpointIdentificationAlgorithm(null);
                b.sslContext(ctx).sslParameters(params);
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up TLS", e);
            }
        }
        return b.build();
    }

    public HttpClient http() {
        return http;
    }

    public String base() {
        return base;
    }

    public void useKey(AccessKey k) {
        this.key = k;
    }

    public AccessKey key() {
        return key;
    }

    /** A request to {@code pathAndQuery}, signed with our key; refused before the worker is registered. */
    public HttpRequest.Builder signed(String method, String pathAndQuery) throws CoreException {
        AccessKey k = key;
        if (k == null) {
            throw new CoreException(0, "not registered with core yet");
        }
        String date = HttpSignature.now();
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .header("X-JMS-ORG", "ROOT")
                .header("Date", date)
                .header("Authorization", HttpSignature.authorization(k.id(), k.secret(), method, pathAndQuery, date));
    }

    /** A signed JSON call; returns the parsed body, throws {@link CoreException} unless 2xx. */
    public JsonNode json(String method, String pathAndQuery, Object body) throws CoreException {
        HttpRequest.Builder b = signed(method, pathAndQuery).timeout(TIMEOUT).header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new CoreException("cannot encode the request body", e);
            }
        }
        return send(b.build(), method + " " + pathAndQuery);
    }

    /**
     * Uploads a file as multipart/form-data with extra text fields (replay upload), streaming it
     * with an exact Content-Length and no timeout.
     */
    public JsonNode upload(String pathAndQuery, String field, Path file, String filename, java.util.Map<String, String> fields)
            throws CoreException {
        String boundary = "vw" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder head = new StringBuilder();
        for (var f : fields.entrySet()) {
            head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(f.getKey())
                    .append("\"\r\n\r\n").append(f.getValue()).append("\r\n");
        }
        head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(field)
                .append("\"; filename=\"").append(filename).append("\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        try {
            HttpRequest req = signed("POST", pathAndQuery)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.concat(
                            HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8),
                            HttpRequest.BodyPublishers.ofFile(file),
                            HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.UTF_8)))
                    .build();
            return send(req, "POST " + pathAndQuery);
        } catch (java.io.FileNotFoundException e) {
            throw new CoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    JsonNode send(HttpRequest req, String what) throws CoreException {
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CoreException("core unreachable for " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoreException("interrupted during " + what, e);
        }
        if (r.statusCode() / 100 != 2) {
            String body = r.body() == null ? "" : r.body();
            throw new CoreException(r.statusCode(), what + " answered " + r.statusCode() + ": "
                    + (body.length() > 300 ? body.substring(0, 300) + "…" : body));
        }
        try {
            return r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CoreException(r.statusCode(), what + " answered with something that is not JSON");
        }
    }
}

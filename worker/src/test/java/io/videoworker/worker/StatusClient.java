package io.videoworker.worker;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Calls the status page as a browser or a script would, over java.net.http: GETs, form POSTs,
 * the login form; redirects are never followed, so a test sees each answer.
 */
public final class StatusClient {
    public static final String PAGE = "/video-worker/status/";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"");

    public final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    public final String base;

    public StatusClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** One answer: status, headers, the page. */
    public record Page(int status, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        /** The session's form token, as the page's forms carry it. */
        public String csrf() {
            Matcher m = CSRF.matcher(body);
            if (!m.find()) {
                throw new AssertionError("no form token on the page (HTTP " + status + "): " + body);
            }
            return m.group(1);
        }

        /** Whether this is the login form. */
        public boolean isLoginForm() {
            return body.contains("<form method=\"post\" action=\"/video-worker/status/login\"");
        }
    }

    /** A request with headers given as name, value, name, value, …; a form (or null: no body). */
    public Page send(String method, String path, Map<String, String> form, String... headers) throws IOException, InterruptedException {
        return form == null ? send(method, path, null, null, headers) : send(method, path, "application/x-www-form-urlencoded",
                form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&")), headers);
    }

    /** A request with a body of any type (null: none). */
    public Page send(String method, String path, String contentType, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Page(r.statusCode(), r.headers().map(), r.body());
    }

    public Page get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, null, headers);
    }

    public Page post(String path, Map<String, String> form, String... headers) throws IOException, InterruptedException {
        return send("POST", path, form, headers);
    }

    /** Logs in with the form; returns the session's Cookie header value. */
    public String login(String token, String... headers) throws IOException, InterruptedException {
        Page p = post(PAGE + "login", Map.of("token", token), headers);
        String cookie = p.header("Set-Cookie");
        if (p.status() != 303 || cookie == null) {
            throw new AssertionError("login refused (HTTP " + p.status() + "): " + p.body());
        }
        return cookie.substring(0, cookie.indexOf(';'));
    }

    /** A form with the session's token and the given fields. */
    public static Map<String, String> form(String csrf, String... fields) {
        Map<String, String> f = new LinkedHashMap<>();
        if (csrf != null) {
            f.put("csrf", csrf);
        }
        for (int i = 0; i < fields.length; i += 2) {
            f.put(fields[i], fields[i + 1]);
        }
        return f;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

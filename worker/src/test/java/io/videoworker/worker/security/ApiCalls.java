package io.videoworker.worker.security;

import io.videoworker.worker.api.ApiServer;
import io.videoworker.worker.api.ApiServer.Route;
import io.videoworker.worker.auth.HttpSignature;
import io.videoworker.worker.auth.LocalKeyAuthenticator;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A well-formed call to each endpoint of the API, and every way a caller can get authentication
 * wrong: shared by the stand-alone and the core-mode authentication tests.
 */
public final class ApiCalls {
    public static final String SID = "77993207-ccb2-5332-bda2-4586e24c3166";
    public static final String TASK = UUID.randomUUID().toString();
    static final DateTimeFormatter CST = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'CST'", Locale.US);

    /** One request; with Lion's signature it reaches the endpoint's handler. */
    public record Call(String method, String target, String contentType, byte[] body) {
    }

    /** By endpoint as ApiServer registers it. A new endpoint needs a line here. */
    public static final Map<Route, Call> ALL = Map.of(
            new Route("GET", "/video-worker/health"), new Call("GET", "/video-worker/health/", null, new byte[0]),
            new Route("POST", "/api/v2/replay/sessions/{id}/task"),
            new Call("POST", "/api/v2/replay/sessions/" + SID + "/task/", "application/json", taskJson()),
            new Route("POST", "/api/v2/replay/sessions/{id}/task/upload/{index}"),
            new Call("POST", "/api/v2/replay/sessions/" + TASK + "/task/upload/0", "multipart/form-data; boundary=b0undary",
                    ("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + SID + ".0.part.gz\"\r\n\r\n"
                            + "gzip bytes\r\n--b0undary--\r\n").getBytes(StandardCharsets.UTF_8)),
            new Route("GET", "/api/v2/replay/tasks/{id}"), new Call("GET", "/api/v2/replay/tasks/" + TASK, null, new byte[0]),
            // open unless METRICS_TOKEN is set (MetricsTest covers the token)
            new Route("GET", "/metrics"), new Call("GET", "/metrics", null, new byte[0]));

    /**
     * The administrator's status page, by route: checked by the page's own gate (a token or a
     * session), never by the API's caller check. A new status route needs a line here.
     */
    public static final Map<Route, Call> STATUS = Map.of(
            new Route("GET", "/video-worker/status"), new Call("GET", "/video-worker/status/", null, new byte[0]),
            new Route("GET", "/video-worker/status/tasks/{id}"), new Call("GET", "/video-worker/status/tasks/" + TASK, null, new byte[0]),
            new Route("POST", "/video-worker/status/tasks/{id}/publish-now"), statusForm("tasks/" + TASK + "/publish-now", "csrf=x"),
            new Route("POST", "/video-worker/status/tasks/{id}/convert-again"), statusForm("tasks/" + TASK + "/convert-again", "csrf=x"),
            new Route("POST", "/video-worker/status/tasks/{id}/publish-originals"),
            statusForm("tasks/" + TASK + "/publish-originals", "csrf=x"),
            new Route("POST", "/video-worker/status/tasks/{id}/delete"), statusForm("tasks/" + TASK + "/delete", "csrf=x&confirm=yes"),
            new Route("GET", "/video-worker/status/login"), new Call("GET", "/video-worker/status/login", null, new byte[0]),
            new Route("POST", "/video-worker/status/login"), statusForm("login", "next=%2F"),
            new Route("POST", "/video-worker/status/logout"), statusForm("logout", "csrf=x"));

    private ApiCalls() {
    }

    private static Call statusForm(String path, String body) {
        return new Call("POST", "/video-worker/status/" + path, "application/x-www-form-urlencoded",
                body.getBytes(StandardCharsets.UTF_8));
    }

    /** Every route the worker serves: the API's and the status page's. */
    public static java.util.Set<Route> everyRoute() {
        java.util.Set<Route> all = new java.util.HashSet<>(ALL.keySet());
        all.addAll(STATUS.keySet());
        return all;
    }

    /**
     * What must never open the status page, as request headers: nothing, a caller's valid
     * signature (Date, X-JMS-ORG and all), the API's other schemes, an empty Bearer, a session
     * cookie no login made. (A wrong Bearer token is a guess: StatusAccessTest counts those.)
     */
    public static Map<String, Map<String, String>> statusRefusals(String keyId, String secret) {
        String basic = "Basic " + Base64.getEncoder().encodeToString((keyId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("nothing", Map.of());
        m.put("a caller's valid signature", lionHeaders(keyId, secret));
        m.put("Basic with the caller's secret", Map.of("Authorization", basic));
        m.put("an empty Bearer", Map.of("Authorization", "Bearer "));
        m.put("a session cookie no login made", Map.of("Cookie", "video_worker_status=" + "A".repeat(43)));
        m.put("an empty session cookie", Map.of("Cookie", "video_worker_status="));
        return m;
    }

    public static boolean open(Route r) {
        return ApiServer.OPEN_PATHS.contains(r.path());
    }

    static byte[] taskJson() {
        return ("{\"config\":{},\"meta\":{\"id\":\"" + SID + "\",\"date_start\":\"2025-11-18 02:00:00 +0000\",\"files\":[{\"name\":\""
                + SID + ".0.part.gz\",\"checksum\":\"" + "ab".repeat(32) + "\"}]}}").getBytes(StandardCharsets.UTF_8);
    }

    public static RawHttp.Reply send(int port, Call c, Map<String, String> headers) throws Exception {
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (c.contentType() != null) {
            h.put("Content-Type", c.contentType());
        }
        return RawHttp.send(port, c.method(), c.target(), h, c.body());
    }

    /** Now, as Lion writes Date: its zone (Asia/Shanghai), spelled CST. */
    public static String lionDate(long secondsAgo) {
        return CST.format(ZonedDateTime.now(ZoneId.of("Asia/Shanghai")).minusSeconds(secondsAgo));
    }

    /** Date and Authorization as Lion sends them, plus X-JMS-ORG. */
    public static Map<String, String> lionHeaders(String keyId, String secret) {
        String date = lionDate(0);
        return headers(HttpSignature.authorization(keyId, secret, "GET", LocalKeyAuthenticator.PROFILE_PATH, date), date);
    }

    /** X-JMS-ORG plus the given Authorization and Date, each left out when null. */
    public static Map<String, String> headers(String authorization, String date) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Jms-Org", "ROOT");
        if (date != null) {
            h.put("Date", date);
        }
        if (authorization != null) {
            h.put("Authorization", authorization);
        }
        return h;
    }

    /** Each way to get authentication wrong, as {Authorization, Date}, for a caller whose key is keyId:secret. */
    public static Map<String, String[]> badCredentials(Call c, String keyId, String secret) {
        String date = lionDate(0);
        String other = lionDate(1);
        String profile = LocalKeyAuthenticator.PROFILE_PATH;
        String good = HttpSignature.authorization(keyId, secret, "GET", profile, date);
        String sig = good.substring(good.indexOf("signature=\"") + 11, good.length() - 1);
        String tampered = good.replace(sig, (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1));
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("no Authorization", new String[] {null, date});
        m.put("empty Authorization", new String[] {"", date});
        m.put("Bearer scheme", new String[] {"Bearer " + secret, date});
        m.put("Basic scheme with the right secret", new String[] {"Basic " + Base64.getEncoder().encodeToString(
                (keyId + ":" + secret).getBytes(StandardCharsets.UTF_8)), date});
        m.put("Signature without parameters", new String[] {"Signature ", date});
        m.put("Signature without signature=", new String[] {good.substring(0, good.indexOf(",signature=")), date});
        m.put("malformed Signature", new String[] {"Signature keyId=" + keyId + " signature=" + sig, date});
        m.put("6 KB of garbage", new String[] {"Signature " + "x".repeat(6000), date});
        m.put("unknown key id", new String[] {HttpSignature.authorization("deadbeef", secret, "GET", profile, date), date});
        m.put("wrong secret", new String[] {HttpSignature.authorization(keyId, "wrong-" + secret, "GET", profile, date), date});
        m.put("signature over the real request target", new String[] {HttpSignature.authorization(keyId, secret, c.method(),
                c.target(), date), date});
        m.put("signature for another Date", new String[] {good, other});
        m.put("no Date", new String[] {good, null});
        m.put("tampered signature", new String[] {tampered, date});
        return m;
    }
}

package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.api.ApiServer.Route;
import io.videoworker.worker.auth.HttpSignature;
import io.videoworker.worker.auth.LocalKeyAuthenticator;
import io.videoworker.worker.security.ApiCalls.Call;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint the server registers (as Javalin reports it) refuses every kind of bad
 * credential with a 401 in JSON; health alone is open; unknown paths get a JSON 404 that names
 * nothing of the server. The status page's routes refuse whatever is not the administrator's
 * token or session (a caller's signature included) with the login form, and that token and
 * session open no API endpoint. A route added to ApiServer without a line in {@link ApiCalls#ALL}
 * or {@link ApiCalls#STATUS} fails here.
 */
class EndpointAuthTest {
    static final Map<Route, Call> CALLS = ApiCalls.ALL;
    static final String TASK = ApiCalls.TASK;

    @TempDir
    static Path data;
    static StandAloneWorker worker;

    @BeforeAll
    static void start() throws Exception {
        worker = new StandAloneWorker(data);
    }

    @AfterAll
    static void stop() {
        worker.close();
    }

    static RawHttp.Reply call(Call c, Map<String, String> headers) throws Exception {
        return ApiCalls.send(worker.port(), c, headers);
    }

    @Test
    void everyRegisteredEndpointIsCoveredHere() {
        List<Route> routes = worker.service.api().routes();
        assertThat(routes).as("endpoints reported by Javalin").isNotEmpty();
        assertThat(routes).as("add the new endpoint to ApiCalls.ALL or ApiCalls.STATUS (and think about who may call it)")
                .containsExactlyInAnyOrderElementsOf(ApiCalls.everyRoute());
        assertThat(routes.stream().filter(ApiCalls::open))
                .containsExactlyInAnyOrder(new Route("GET", "/video-worker/health"), new Route("GET", "/metrics"));
    }

    /**
     * Jetty caches header lines per connection and by default matched a new value to a cached one
     * ignoring case: on one connection a valid signature, then the same with one letter's case
     * changed, was read as the valid one and let in (seen as a flaky CoreModeAuthTest under load).
     */
    @Test
    void aSignatureDifferingOnlyInCaseIsRefusedOnTheSameConnection() throws Exception {
        Call status = CALLS.get(new Route("GET", "/api/v2/replay/tasks/{id}"));
        Map<String, String> good = StandAloneWorker.lionHeaders();
        String auth = good.get("Authorization");
        int at = auth.indexOf("signature=\"") + 11;
        while (!Character.isLetter(auth.charAt(at))) {
            at++;
        }
        char c = auth.charAt(at);
        Map<String, String> altered = new LinkedHashMap<>(good);
        altered.put("Authorization", auth.substring(0, at) + (Character.isUpperCase(c) ? Character.toLowerCase(c)
                : Character.toUpperCase(c)) + auth.substring(at + 1));
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", worker.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((keepAlive(status, good) + RawHttp.head(status.method(), status.target(), altered))
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String replies = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher statusLine = java.util.regex.Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(replies);
            List<Integer> statuses = new java.util.ArrayList<>();
            while (statusLine.find()) {
                statuses.add(Integer.parseInt(statusLine.group(1)));
            }
            assertThat(statuses).as("the valid signature, then one letter's case changed, on one connection:\n" + replies)
                    .containsExactly(404, 401);
        }
    }

    /** The request line and headers with the connection kept open for a second request. */
    private static String keepAlive(Call c, Map<String, String> headers) {
        return RawHttp.head(c.method(), c.target(), headers).replace("Connection: close\r\n", "");
    }

    @Test
    void lionsSignatureReachesEveryHandler() throws Exception {
        for (var e : CALLS.entrySet()) {
            RawHttp.Reply r = call(e.getValue(), StandAloneWorker.lionHeaders());
            assertThat(r.status()).as(e.getKey() + ": " + r.body()).isNotEqualTo(401).isLessThan(500);
            // every answer is JSON but the metrics, in Prometheus's text format
            assertThat(r.contentType()).as(e.getKey().toString())
                    .startsWith(e.getKey().path().equals("/metrics") ? "text/plain; version=0.0.4" : "application/json");
            assertThat(r.body()).as(e.getKey().toString()).doesNotContain("no such endpoint");
        }
    }

    @Test
    void everyProtectedEndpointRefusesEveryBadCredentialWithJson401() throws Exception {
        long tasksBefore = taskDirs();
        int checked = 0;
        for (var e : CALLS.entrySet()) {
            if (ApiCalls.open(e.getKey())) {
                continue;
            }
            for (var bad : ApiCalls.badCredentials(e.getValue(), StandAloneWorker.KEY_ID, StandAloneWorker.SECRET).entrySet()) {
                RawHttp.Reply r = call(e.getValue(), StandAloneWorker.headers(bad.getValue()[0], bad.getValue()[1]));
                String what = e.getKey() + " with " + bad.getKey();
                assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(401);
                assertThat(r.contentType()).as(what).startsWith("application/json");
                assertThat(r.error()).as(what).startsWith("unauthorized: ");
                assertThat(r.body()).as(what).doesNotContain(StandAloneWorker.SECRET);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3 * 14);
        assertThat(taskDirs()).as("no refused call created a task").isEqualTo(tasksBefore);
    }

    @Test
    void everyStatusRouteRefusesAnythingButTheAdministrator() throws Exception {
        int checked = 0;
        for (var e : ApiCalls.STATUS.entrySet()) {
            for (var bad : ApiCalls.statusRefusals(StandAloneWorker.KEY_ID, StandAloneWorker.SECRET).entrySet()) {
                for (String method : e.getKey().method().equals("GET") ? List.of("GET", "HEAD") : List.of("POST")) {
                    Call c = e.getValue();
                    RawHttp.Reply r = ApiCalls.send(worker.port(), new Call(method, c.target(), c.contentType(), c.body()),
                            bad.getValue());
                    String what = method + " " + e.getKey().path() + " with " + bad.getKey();
                    assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(401);
                    assertThat(r.contentType()).as(what).startsWith("text/html");
                    if (!method.equals("HEAD")) {
                        assertThat(r.body()).as(what + ": the login form").contains("action=\"/video-worker/status/login\"")
                                .doesNotContain(ApiCalls.TASK).doesNotContain("name=\"csrf\"");
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo((3 * 2 + 6) * 6);
    }

    @Test
    void theAdministratorsTokenAndSessionOpenNoApiEndpoint() throws Exception {
        io.videoworker.worker.StatusClient page = new io.videoworker.worker.StatusClient(worker.port());
        String cookie = page.login(StandAloneWorker.ADMIN_TOKEN);
        assertThat(page.get(io.videoworker.worker.StatusClient.PAGE, "Cookie", cookie).status()).as("the session works").isEqualTo(200);
        long tasksBefore = taskDirs();
        for (var e : CALLS.entrySet()) {
            if (ApiCalls.open(e.getKey())) {
                continue;
            }
            for (Map<String, String> h : List.of(Map.of("Authorization", "Bearer " + StandAloneWorker.ADMIN_TOKEN),
                    Map.of("Cookie", cookie), Map.of("Cookie", cookie, "Authorization", "Bearer " + StandAloneWorker.ADMIN_TOKEN))) {
                RawHttp.Reply r = call(e.getValue(), h);
                assertThat(r.status()).as(e.getKey() + " with " + h.keySet() + ": " + r.body()).isEqualTo(401);
                assertThat(r.error()).startsWith("unauthorized: ");
            }
        }
        assertThat(taskDirs()).isEqualTo(tasksBefore);
    }

    @Test
    void healthIsOpenWhateverTheCredentials() throws Exception {
        for (String target : List.of("/video-worker/health/", "/video-worker/health")) {
            for (String[] cred : ApiCalls.badCredentials(CALLS.get(new Route("GET", "/video-worker/health")),
                    StandAloneWorker.KEY_ID, StandAloneWorker.SECRET).values()) {
                RawHttp.Reply r = RawHttp.send(worker.port(), "GET", target, StandAloneWorker.headers(cred[0], cred[1]), new byte[0]);
                assertThat(r.status()).as(target).isEqualTo(200);
                assertThat(r.json().has("uptime")).isTrue();
            }
        }
    }

    @Test
    void headRequestsOnProtectedEndpointsAreRefusedToo() throws Exception {
        for (var e : CALLS.entrySet()) {
            if (ApiCalls.open(e.getKey()) || !e.getKey().method().equals("GET")) {
                continue;
            }
            RawHttp.Reply r = RawHttp.send(worker.port(), "HEAD", e.getValue().target(), Map.of(), new byte[0]);
            assertThat(r.status()).as("HEAD " + e.getKey()).isEqualTo(401);
        }
    }

    @Test
    void unknownPathsAnswerJson404WithoutNamingTheServer() throws Exception {
        for (String[] req : List.of(new String[] {"GET", "/nope"}, new String[] {"POST", "/api/v2/replay/unknown/"},
                new String[] {"PUT", "/api/v2/replay/tasks/" + TASK}, new String[] {"DELETE", "/api/v2/replay/tasks/" + TASK},
                new String[] {"GET", LocalKeyAuthenticator.PROFILE_PATH}, new String[] {"GET", "/ws/events/"},
                new String[] {"POST", "/video-worker/health/"})) {
            RawHttp.Reply r = RawHttp.send(worker.port(), req[0], req[1], StandAloneWorker.lionHeaders(), new byte[0]);
            String what = req[0] + " " + req[1];
            assertThat(r.status()).as(what).isEqualTo(404);
            assertThat(r.contentType()).as(what).startsWith("application/json");
            assertThat(r.error()).as(what).startsWith("no such endpoint: " + req[0]);
            assertThat(r.body()).as(what).doesNotContainIgnoringCase("javalin").doesNotContainIgnoringCase("jetty")
                    .doesNotContain("Exception").doesNotContain("io.videoworker").doesNotContain(data.toString());
            RawHttp.Reply stranger = RawHttp.send(worker.port(), req[0], req[1], Map.of(), new byte[0]);
            assertThat(stranger.status()).as(what + " without credentials").isEqualTo(404);
            assertThat(stranger.body()).isEqualTo(r.body());
        }
    }

    @Test
    void requestsTheHttpServerRefusesItselfAreJsonToo() throws Exception {
        Map<String, RawHttp.Reply> replies = new LinkedHashMap<>();
        replies.put("NUL in the path", RawHttp.send(worker.port(), "GET", "/api/v2/replay/tasks/a%00b", StandAloneWorker.lionHeaders(), new byte[0]));
        replies.put("10 000-character URI", RawHttp.send(worker.port(), "GET", "/api/v2/replay/tasks/" + "a".repeat(10_000),
                StandAloneWorker.lionHeaders(), new byte[0]));
        Map<String, String> big = new LinkedHashMap<>(StandAloneWorker.lionHeaders());
        big.put("X-Padding", "p".repeat(20_000));
        replies.put("20 KB header", RawHttp.send(worker.port(), "GET", "/video-worker/health/", big, new byte[0]));
        assertThat(replies.get("NUL in the path").status()).isEqualTo(400);
        assertThat(replies.get("10 000-character URI").status()).isEqualTo(414);
        assertThat(replies.get("20 KB header").status()).isEqualTo(431);
        replies.forEach((what, r) -> {
            assertThat(r.contentType()).as(what).startsWith("application/json");
            assertThat(r.error()).as(what).startsWith("request refused: HTTP " + r.status());
            assertThat(r.body()).as(what).doesNotContain("<h1>").doesNotContainIgnoringCase("jetty");
        });
    }

    /**
     * Stand-alone, stricter than core where Lion loses nothing (reliability.md §5, finding 18):
     * only hmac-sha256, and a Date that is a real date near now. Each refusal is signed correctly
     * over its Date, so only the new checks can refuse it; Lion's own "CST" date is accepted by
     * every other test here.
     */
    @Test
    void standAloneRefusesOtherAlgorithmsAndDatesThatAreNotRecentDates() throws Exception {
        Call status = CALLS.get(new Route("GET", "/api/v2/replay/tasks/{id}"));
        String now = ApiCalls.lionDate(0);
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("algorithm none", new String[] {sign(now).replace("hmac-sha256", "none"), now});
        cases.put("a Date that is not a date", new String[] {sign("yesterday"), "yesterday"});
        cases.put("a Date on 31 February", new String[] {sign("Sat, 31 Feb 2026 10:00:00 GMT"), "Sat, 31 Feb 2026 10:00:00 GMT"});
        cases.put("a Date a year old", new String[] {sign(ApiCalls.lionDate(366L * 86_400)), ApiCalls.lionDate(366L * 86_400)});
        cases.put("a Date ten years ahead", new String[] {sign(ApiCalls.lionDate(-3653L * 86_400)), ApiCalls.lionDate(-3653L * 86_400)});
        cases.put("a Date two days old", new String[] {sign(ApiCalls.lionDate(2 * 86_400)), ApiCalls.lionDate(2 * 86_400)});
        for (var c : cases.entrySet()) {
            RawHttp.Reply r = call(status, StandAloneWorker.headers(c.getValue()[0], c.getValue()[1]));
            assertThat(r.status()).as(c.getKey() + ": " + r.body()).isEqualTo(401);
            assertThat(r.error()).as(c.getKey()).startsWith("unauthorized: ").containsAnyOf("algorithm", "Date");
        }
        RawHttp.Reply fresh = call(status, StandAloneWorker.headers(sign(now), now));
        assertThat(fresh.status()).as("Lion's own Date, now: " + fresh.body()).isEqualTo(404);
        assertThat(fresh.error()).startsWith("unknown task");
    }

    static String sign(String date) {
        return HttpSignature.authorization(StandAloneWorker.KEY_ID, StandAloneWorker.SECRET, "GET",
                LocalKeyAuthenticator.PROFILE_PATH, date);
    }

    static long taskDirs() throws Exception {
        try (var s = Files.list(data.resolve("tasks"))) {
            return s.count();
        }
    }
}

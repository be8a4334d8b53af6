package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.api.ApiServer;
import io.videoworker.worker.api.ApiServer.Route;
import io.videoworker.worker.auth.HttpSignature;
import io.videoworker.worker.auth.LocalKeyAuthenticator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint the server registers (as Javalin reports it) refuses every kind of bad
 * credential with a 401 in JSON; health alone is open; unknown paths get a JSON 404 that names
 * nothing of the server. A route added to ApiServer without a line in {@link #CALLS} fails here.
 */
class EndpointAuthTest {
    static final String SID = "77993207-ccb2-5332-bda2-4586e24c3166";
    static final String TASK = UUID.randomUUID().toString();

    /** A well-formed call to each endpoint; with Lion's signature it reaches the handler. */
    record Call(String method, String target, String contentType, byte[] body) {
    }

    static final Map<Route, Call> CALLS = Map.of(
            new Route("GET", "/video-worker/health"), new Call("GET", "/video-worker/health/", null, new byte[0]),
            new Route("POST", "/api/v2/replay/sessions/{id}/task"),
            new Call("POST", "/api/v2/replay/sessions/" + SID + "/task/", "application/json", taskJson()),
            new Route("POST", "/api/v2/replay/sessions/{id}/task/upload/{index}"),
            new Call("POST", "/api/v2/replay/sessions/" + TASK + "/task/upload/0", "multipart/form-data; boundary=b0undary",
                    ("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + SID + ".0.part.gz\"\r\n\r\n"
                            + "gzip bytes\r\n--b0undary--\r\n").getBytes(StandardCharsets.UTF_8)),
            new Route("GET", "/api/v2/replay/tasks/{id}"), new Call("GET", "/api/v2/replay/tasks/" + TASK, null, new byte[0]));

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

    static byte[] taskJson() {
        return ("{\"config\":{},\"meta\":{\"id\":\"" + SID + "\",\"date_start\":\"2025-11-18 02:00:00 +0000\",\"files\":[{\"name\":\""
                + SID + ".0.part.gz\",\"checksum\":\"" + "ab".repeat(32) + "\"}]}}").getBytes(StandardCharsets.UTF_8);
    }

    static RawHttp.Reply call(Call c, Map<String, String> headers) throws Exception {
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (c.contentType() != null) {
            h.put("Content-Type", c.contentType());
        }
        return RawHttp.send(worker.port(), c.method(), c.target(), h, c.body());
    }

    static boolean open(Route r) {
        return ApiServer.OPEN_PATHS.contains(r.path());
    }

    @Test
    void everyRegisteredEndpointIsCoveredHere() {
        List<Route> routes = worker.service.api().routes();
        assertThat(routes).as("endpoints reported by Javalin").isNotEmpty();
        assertThat(routes).as("add the new endpoint to CALLS (and think about who may call it)")
                .containsExactlyInAnyOrderElementsOf(CALLS.keySet());
        assertThat(routes.stream().filter(EndpointAuthTest::open)).containsExactly(new Route("GET", "/video-worker/health"));
    }

    @Test
    void lionsSignatureReachesEveryHandler() throws Exception {
        for (var e : CALLS.entrySet()) {
            RawHttp.Reply r = call(e.getValue(), StandAloneWorker.lionHeaders());
            assertThat(r.status()).as(e.getKey() + ": " + r.body()).isNotEqualTo(401).isLessThan(500);
            assertThat(r.contentType()).as(e.getKey().toString()).startsWith("application/json");
            assertThat(r.body()).as(e.getKey().toString()).doesNotContain("no such endpoint");
        }
    }

    /** Each way a caller can get authentication wrong, as (Authorization, Date). */
    static Map<String, String[]> badCredentials(Call c) {
        String date = StandAloneWorker.CST.format(ZonedDateTime.now(ZoneId.of("Asia/Shanghai")));
        String other = StandAloneWorker.CST.format(ZonedDateTime.now(ZoneId.of("Asia/Shanghai")).minusSeconds(1));
        String profile = LocalKeyAuthenticator.PROFILE_PATH;
        String good = HttpSignature.authorization(StandAloneWorker.KEY_ID, StandAloneWorker.SECRET, "GET", profile, date);
        String sig = good.substring(good.indexOf("signature=\"") + 11, good.length() - 1);
        String tampered = good.replace(sig, (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1));
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("no Authorization", new String[] {null, date});
        m.put("empty Authorization", new String[] {"", date});
        m.put("Bearer scheme", new String[] {"Bearer " + StandAloneWorker.SECRET, date});
        m.put("Basic scheme with the right secret", new String[] {"Basic " + Base64.getEncoder().encodeToString(
                (StandAloneWorker.KEY_ID + ":" + StandAloneWorker.SECRET).getBytes(StandardCharsets.UTF_8)), date});
        m.put("Signature without parameters", new String[] {"Signature ", date});
        m.put("Signature without signature=", new String[] {good.substring(0, good.indexOf(",signature=")), date});
        m.put("malformed Signature", new String[] {"Signature keyId=" + StandAloneWorker.KEY_ID + " signature=" + sig, date});
        m.put("8 KiB of garbage", new String[] {"Signature " + "x".repeat(6000), date});
        m.put("unknown key id", new String[] {HttpSignature.authorization("deadbeef", StandAloneWorker.SECRET, "GET", profile, date), date});
        m.put("wrong secret", new String[] {HttpSignature.authorization(StandAloneWorker.KEY_ID, "wrong-" + StandAloneWorker.SECRET,
                "GET", profile, date), date});
        m.put("signature over the real request target", new String[] {HttpSignature.authorization(StandAloneWorker.KEY_ID,
                StandAloneWorker.SECRET, c.method(), c.target(), date), date});
        m.put("signature for another Date", new String[] {good, other});
        m.put("no Date", new String[] {good, null});
        m.put("tampered signature", new String[] {tampered, date});
        return m;
    }

    @Test
    void everyProtectedEndpointRefusesEveryBadCredentialWithJson401() throws Exception {
        long tasksBefore = taskDirs();
        int checked = 0;
        for (var e : CALLS.entrySet()) {
            if (open(e.getKey())) {
                continue;
            }
            for (var bad : badCredentials(e.getValue()).entrySet()) {
                RawHttp.Reply r = call(e.getValue(), StandAloneWorker.headers(bad.getValue()[0], bad.getValue()[1]));
                String what = e.getKey() + " with " + bad.getKey();
                assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(401);
                assertThat(r.contentType()).as(what).startsWith("application/json");
                assertThat(r.error()).as(what).startsWith("unauthorized: ");
                assertThat(r.body()).as(what).doesNotContain(StandAloneWorker.SECRET);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3 * badCredentials(CALLS.values().iterator().next()).size());
        assertThat(taskDirs()).as("no refused call created a task").isEqualTo(tasksBefore);
    }

    @Test
    void healthIsOpenWhateverTheCredentials() throws Exception {
        for (String target : List.of("/video-worker/health/", "/video-worker/health")) {
            for (String[] cred : badCredentials(CALLS.get(new Route("GET", "/video-worker/health"))).values()) {
                RawHttp.Reply r = RawHttp.send(worker.port(), "GET", target, StandAloneWorker.headers(cred[0], cred[1]), new byte[0]);
                assertThat(r.status()).as(target).isEqualTo(200);
                assertThat(r.json().has("uptime")).isTrue();
            }
        }
    }

    @Test
    void headRequestsOnProtectedEndpointsAreRefusedToo() throws Exception {
        for (var e : CALLS.entrySet()) {
            if (open(e.getKey()) || !e.getKey().method().equals("GET")) {
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
     * The contract does not bound Date (core never checks its freshness, and Lion writes it in its
     * own zone, "CST", which RFC 822 defines as US Central time): a day-old Date signed with the
     * right key is accepted. The review in docs/reliability.md §5 records this replay window.
     */
    @Test
    void dateFreshnessIsNotCheckedAsInTheContract() throws Exception {
        String old = StandAloneWorker.CST.format(ZonedDateTime.now(ZoneId.of("Asia/Shanghai")).minusDays(1));
        String auth = HttpSignature.authorization(StandAloneWorker.KEY_ID, StandAloneWorker.SECRET, "GET",
                LocalKeyAuthenticator.PROFILE_PATH, old);
        RawHttp.Reply r = RawHttp.send(worker.port(), "GET", "/api/v2/replay/tasks/" + TASK, StandAloneWorker.headers(auth, old), new byte[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(r.error()).startsWith("unknown task");
    }

    static long taskDirs() throws Exception {
        try (var s = Files.list(data.resolve("tasks"))) {
            return s.count();
        }
    }
}

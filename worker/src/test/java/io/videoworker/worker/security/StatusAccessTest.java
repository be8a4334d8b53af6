package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.StatusClient;
import io.videoworker.worker.StatusClient.Page;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.admin.AdminToken;
import io.videoworker.worker.admin.StatusPages;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use the status page, over real HTTP against a started stand-alone worker: the
 * administrator's token (Bearer or the login form's session), the session's cookie rules, form
 * tokens on every session POST, the throttle on wrong tokens, the generated token file, and
 * pages that escape what callers sent and allow no other script. EndpointAuthTest checks that
 * nothing else opens a status route and that the token opens no API endpoint.
 */
class StatusAccessTest {
    static final String TOKEN = StandAloneWorker.ADMIN_TOKEN;
    static final String PAGE = StatusClient.PAGE;

    @TempDir
    static Path data;
    static StandAloneWorker worker;
    static StatusClient page;
    /** A task converted and published, and one still receiving. */
    static String done;
    static String receiving;

    @BeforeAll
    static void start() throws Exception {
        worker = new StandAloneWorker(data);
        page = new StatusClient(worker.port());
        done = uploaded(worker.lion, UUID.randomUUID().toString(), null);
        receiving = created(worker.lion, UUID.randomUUID().toString(), TestRecordings.part(0x00FF00, 10_000, 11_000), null);
        assertThat(worker.lion.waitFor(done, "done", 60).path("state").asText()).isEqualTo("done");
    }

    @AfterAll
    static void stop() {
        worker.close();
    }

    static String created(LionClient lion, String sid, byte[] part, Map<String, String> meta) throws Exception {
        ObjectNode body = (ObjectNode) RawHttp.JSON.readTree(LionClient.taskBody(sid,
                List.<Object[]>of(new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(part)})));
        if (meta != null) {
            meta.forEach(((ObjectNode) body.path("meta"))::put);
        }
        LionClient.Reply r = lion.createTask(sid, body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    static String uploaded(LionClient lion, String sid, Map<String, String> meta) throws Exception {
        byte[] part = TestRecordings.part(0x3060C0, 10_000, 11_000);
        String id = created(lion, sid, part, meta);
        LionClient.Reply up = lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        return id;
    }

    @Test
    void theTokenOpensThePageAsBearerAndNothingElseDoes() throws Exception {
        Page ok = page.get(PAGE, "Authorization", "Bearer " + TOKEN);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).contains(done).contains(receiving).contains("admin (bearer) from 127.0.0.1")
                .doesNotContain("name=\"csrf\""); // a Bearer request has no session, and needs no form token
        assertThat(page.get("/video-worker/status", "Authorization", "bearer " + TOKEN).status()).as("no slash, any case")
                .isEqualTo(200);
        Page formAddress = page.get(PAGE + "login", "Authorization", "Bearer " + TOKEN);
        assertThat(formAddress.status()).as("the login form's address, reloaded").isEqualTo(303);
        assertThat(formAddress.header("Location")).isEqualTo("/video-worker/status/");
        Page task = page.get(PAGE + "tasks/" + done, "Authorization", "Bearer " + TOKEN);
        assertThat(task.status()).isEqualTo(200);
        assertThat(task.body()).contains("done").contains(".replay.json");

        Page login = page.get(PAGE);
        assertThat(login.status()).as("unauthenticated: the login form, answered 401").isEqualTo(401);
        assertThat(login.isLoginForm()).isTrue();
        assertThat(login.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"video-worker status\"");
        assertThat(login.body()).doesNotContain(done).doesNotContain(receiving);
    }

    @Test
    void theLoginFormOpensAPrivateSessionAndLogoutEndsIt() throws Exception {
        try (ApiLog log = new ApiLog("io.videoworker.worker.admin")) {
            Page in = page.post(PAGE + "login", Map.of("token", TOKEN));
            assertThat(in.status()).isEqualTo(303);
            assertThat(in.header("Location")).isEqualTo("/video-worker/status/");
            String setCookie = in.header("Set-Cookie");
            assertThat(setCookie).matches("video_worker_status=[A-Za-z0-9_-]{43}; Path=/video-worker/; HttpOnly; SameSite=Strict");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            assertThat(page.login(TOKEN)).as("every login a new session").isNotEqualTo(cookie);

            Page overview = page.get(PAGE, "Cookie", cookie);
            assertThat(overview.status()).isEqualTo(200);
            assertThat(overview.body()).contains("admin (session) from 127.0.0.1").contains("id=\"logout\"").contains(done);
            String csrf = overview.csrf();
            assertThat(csrf).hasSize(43).isNotEqualTo(cookie.substring(cookie.indexOf('=') + 1));

            Page out = page.post(PAGE + "logout", StatusClient.form(csrf), "Cookie", cookie);
            assertThat(out.status()).isEqualTo(303);
            assertThat(out.header("Set-Cookie")).contains("video_worker_status=;").contains("Max-Age=0");
            Page after = page.get(PAGE, "Cookie", cookie);
            assertThat(after.status()).as("the session is gone on the server, whatever the browser keeps").isEqualTo(401);
            assertThat(after.isLoginForm()).isTrue();

            assertThat(log.about("logged in from 127.0.0.1")).hasSize(2);
            assertThat(log.about("logged out from 127.0.0.1")).hasSize(1);
            assertThat(log.all()).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(TOKEN)
                    .doesNotContain(cookie.substring(20)).doesNotContain(csrf));
        }
    }

    @Test
    void overHttpsTheCookieIsSecure() throws Exception {
        Page proxied = page.post(PAGE + "login", Map.of("token", TOKEN), "X-Forwarded-Proto", "https");
        assertThat(proxied.header("Set-Cookie")).endsWith("; Secure");
        Page plain = page.post(PAGE + "login", Map.of("token", TOKEN), "X-Forwarded-Proto", "http");
        assertThat(plain.header("Set-Cookie")).doesNotContain("Secure");
    }

    @Test
    void aSessionsPostsNeedItsFormToken() throws Exception {
        String cookie = page.login(TOKEN);
        String csrf = page.get(PAGE + "tasks/" + receiving, "Cookie", cookie).csrf();
        String otherCsrf = page.get(PAGE, "Cookie", page.login(TOKEN)).csrf();
        int history = worker.service.tasks().get(receiving).history.size();
        String action = PAGE + "tasks/" + receiving + "/publish-originals";
        for (Map<String, String> form : List.of(StatusClient.form(null), StatusClient.form(""), StatusClient.form(csrf + "x"),
                StatusClient.form(otherCsrf), StatusClient.form(csrf.substring(1)))) {
            Page refused = page.post(action, form, "Cookie", cookie);
            assertThat(refused.status()).as("form " + form).isEqualTo(403);
            assertThat(refused.body()).contains("reload the page");
        }
        assertThat(page.post(PAGE + "logout", StatusClient.form(null), "Cookie", cookie).status()).isEqualTo(403);
        Page multipart = page.send("POST", action, "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n--b--\r\n", "Cookie", cookie);
        assertThat(multipart.status()).as("only the page's own (URL-encoded) forms are read").isEqualTo(403);
        assertThat(worker.service.tasks().get(receiving).history).as("nothing was done").hasSize(history);

        Page decided = page.post(action, StatusClient.form(csrf), "Cookie", cookie);
        assertThat(decided.status()).as("the right token reaches the task, which decides").isEqualTo(409);
        assertThat(decided.body()).contains("is receiving: a task that is receiving cannot publish its originals now")
                .contains("role=\"alert\"").doesNotContain("Exception");
        Page bearer = page.post(action, StatusClient.form(null), "Authorization", "Bearer " + TOKEN);
        assertThat(bearer.status()).as("a Bearer request needs no form token").isEqualTo(409);
    }

    @Test
    void actionsAnswerWithPagesAndDeleteAsksFirst() throws Exception {
        String id = uploaded(worker.lion, UUID.randomUUID().toString(), null);
        assertThat(worker.lion.waitFor(id, "done", 60).path("state").asText()).isEqualTo("done");
        String[] bearer = {"Authorization", "Bearer " + TOKEN};
        Page task = page.get(PAGE + "tasks/" + id, bearer);
        assertThat(task.body()).as("a done task offers only delete").contains("id=\"action-delete\"")
                .doesNotContain("id=\"action-publish-now\"").doesNotContain("id=\"action-convert-again\"");

        Page refused = page.post(PAGE + "tasks/" + id + "/publish-now", Map.of(), bearer);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("only a task that is publishing, or whose publishing failed, can be published now");
        Page again = page.post(PAGE + "tasks/" + id + "/convert-again", Map.of(), bearer);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("its replay is in storage already");
        Page unknown = page.post(PAGE + "tasks/" + UUID.randomUUID() + "/publish-now", Map.of(), bearer);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("No such task");
        Page notAnId = page.get(PAGE + "tasks/..%2F..%2Fkeys", bearer);
        assertThat(notAnId.status()).isEqualTo(404);
        assertThat(notAnId.body()).contains("No such task").doesNotContain("\"error\"");

        Page confirm = page.post(PAGE + "tasks/" + id + "/delete", Map.of(), bearer);
        assertThat(confirm.status()).as("no confirmation: a page that asks").isEqualTo(200);
        assertThat(confirm.body()).contains("Delete task").contains("name=\"confirm\" value=\"yes\"");
        assertThat(worker.service.tasks().get(id)).isNotNull();
        try (ApiLog log = new ApiLog(io.videoworker.worker.pool.TaskActions.class)) {
            Page deleted = page.post(PAGE + "tasks/" + id + "/delete", Map.of("confirm", "yes"), bearer);
            assertThat(deleted.status()).isEqualTo(303);
            assertThat(deleted.header("Location")).isEqualTo("/video-worker/status/?deleted=" + id);
            assertThat(log.about("deleted task " + id)).singleElement().extracting(ILoggingEvent::getFormattedMessage)
                    .asString().endsWith("asked by admin (bearer) from 127.0.0.1");
        }
        assertThat(worker.service.tasks().get(id)).isNull();
        assertThat(data.resolve("tasks").resolve(id)).doesNotExist();
        assertThat(page.get(PAGE + "?deleted=" + id, bearer).body()).contains("Task " + id + " deleted.");
    }

    @Test
    void whatCallersSentIsEscapedAndNoOtherScriptMayRun() throws Exception {
        String hostile = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
        String id = created(worker.lion, UUID.randomUUID().toString(), TestRecordings.part(0xFF0000, 10_000, 11_000),
                Map.of("user", hostile, "asset", "a&b"));
        Page task = page.get(PAGE + "tasks/" + id, "Authorization", "Bearer " + TOKEN);
        assertThat(task.body()).doesNotContain("<script>alert").doesNotContain("<img src=x")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src&#61;x onerror&#61;alert(2)&gt;")
                .contains("a&amp;b");
        Page list = page.get(PAGE + "?session=" + java.net.URLEncoder.encode(hostile, StandardCharsets.UTF_8) + "&date=%3Cb%3E",
                "Authorization", "Bearer " + TOKEN);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain("<script>alert").doesNotContain("<b>").contains("the date must be YYYY-MM-DD");

        String policy = task.header("Content-Security-Policy");
        assertThat(policy).startsWith("default-src 'none';").contains("frame-ancestors 'none'").contains("form-action 'self'")
                .doesNotContain("unsafe");
        assertThat(policy).as("the page's one script, by its hash").contains("script-src '" + hash(task.body(), "script") + "'");
        assertThat(policy).as("its one stylesheet, by its hash").contains("style-src '" + hash(task.body(), "style") + "'");
        assertThat(task.body()).as("no inline handler or style attribute the policy would block").doesNotContain(" onclick=")
                .doesNotContain(" style=\"");
        assertThat(task.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(task.header("Cache-Control")).isEqualTo("no-store");
        assertThat(task.header("Content-Type")).isEqualTo("text/html;charset=utf-8");
    }

    /** The sha-256 source expression of the page's one inline {@code <tag>}. */
    static String hash(String html, String tag) throws Exception {
        Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("an inline " + tag).isTrue();
        String inline = m.group(1);
        assertThat(m.find()).as("only one inline " + tag).isFalse();
        return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(inline.getBytes(StandardCharsets.UTF_8)));
    }

    /** A worker of its own: the throttle counts per address, and every test here comes from 127.0.0.1. */
    @Test
    void wrongTokensAreThrottledPerAddress(@TempDir Path own) throws Exception {
        try (StandAloneWorker w = new StandAloneWorker(own); ApiLog log = new ApiLog("io.videoworker.worker.admin")) {
            StatusClient c = new StatusClient(w.port());
            for (int i = 0; i < 5; i++) {
                Page wrong = i % 2 == 0 ? c.get(PAGE, "Authorization", "Bearer wrong-token-" + i)
                        : c.post(PAGE + "login", Map.of("token", "wrong-token-" + i));
                assertThat(wrong.status()).as("wrong token " + (i + 1)).isEqualTo(401);
                assertThat(wrong.body()).contains("That is not the administrator token.");
            }
            for (Page blocked : List.of(c.get(PAGE, "Authorization", "Bearer wrong-token-6"),
                    c.get(PAGE, "Authorization", "Bearer " + TOKEN), c.post(PAGE + "login", Map.of("token", TOKEN)))) {
                assertThat(blocked.status()).as("after 5 wrong tokens in a minute, even the right one").isEqualTo(429);
                assertThat(Integer.parseInt(blocked.header("Retry-After"))).isBetween(1, 60);
                assertThat(blocked.body()).contains("Too many wrong tokens from 127.0.0.1").contains("action=\"/video-worker/status/login\"");
            }
            assertThat(log.about("wrong administrator token from 127.0.0.1")).hasSize(5);
            assertThat(log.about("refused (429) for 60 s")).hasSize(1);
            assertThat(log.all()).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("wrong-token")
                    .doesNotContain(TOKEN));
            assertThat(w.lion.status(UUID.randomUUID().toString()).status()).as("the API is not throttled by the page").isEqualTo(404);
        }
    }

    @Test
    void aGeneratedTokenIsPrivateAndOnlyItsPlaceIsLogged(@TempDir Path own) throws Exception {
        String token;
        try (ApiLog log = new ApiLog(AdminToken.class); Service s = TestRecordings.worker(own, Map.of())) {
            Path file = own.resolve("keys/admin_token");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            token = Files.readString(file).strip();
            assertThat(token).hasSizeGreaterThanOrEqualTo(43);
            assertThat(log.about("generated an administrator token in " + file)).hasSize(1);
            assertThat(log.all()).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(token));
            assertThat(new StatusClient(s.port()).get(PAGE, "Authorization", "Bearer " + token).status()).isEqualTo(200);
        }
        try (Service again = TestRecordings.worker(own, Map.of())) {
            assertThat(new StatusClient(again.port()).get(PAGE, "Authorization", "Bearer " + token).status())
                    .as("the same token after a restart").isEqualTo(200);
        }
        Files.writeString(own.resolve("keys/admin_token"), "short\n");
        Service refused = new Service(io.videoworker.worker.config.WorkerConfig.load(null, Map.of("DATA_DIR", own.toString(),
                "BIND_HOST", "127.0.0.1")).withPort(0));
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(refused::start).isInstanceOf(java.io.IOException.class)
                    .hasMessage(own.resolve("keys/admin_token") + " holds a token of 5 characters; the status page needs at least 16"
                            + " (delete the file to have one generated)");
        } finally {
            refused.close();
        }
        assertThat(StatusPages.PREFIX).isEqualTo("/video-worker/status");
    }
}

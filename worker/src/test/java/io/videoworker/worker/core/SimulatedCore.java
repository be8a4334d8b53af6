package io.videoworker.worker.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.videoworker.worker.auth.HttpSignature;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JumpServer core for tests: the endpoints the worker calls, signatures checked as core checks
 * them (keyId, Date required, (request-target) rebuilt from the full path and query, HMAC-SHA256,
 * constant-time compare), a settable terminal config, and a record of every call.
 */
final class SimulatedCore implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> EVENTS = Set.of("replay_convert_start", "replay_convert_success", "replay_convert_failure",
            "replay_upload_start", "replay_upload_success", "replay_upload_failure");

    record Call(String method, String path, String body) {
    }

    record Replay(String sid, String name, String version, byte[] bytes) {
    }

    final String bootstrapToken;
    /** Answer registrations 401 whatever the token (core's registration closed, say). */
    volatile boolean refuseRegistrations;
    /** Access keys core knows: workers' (registered) and callers' (Lion's). */
    final Map<String, String> keys = new ConcurrentHashMap<>();
    final Set<String> serviceAccounts = ConcurrentHashMap.newKeySet();
    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    final List<Replay> replays = Collections.synchronizedList(new ArrayList<>());
    /** Lifecycle events core took (a refused one is only in {@link #calls}). */
    final List<Call> acceptedEvents = Collections.synchronizedList(new ArrayList<>());
    final List<JsonNode> heartbeats = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger registrations = new AtomicInteger();
    final AtomicInteger failUploads = new AtomicInteger();
    /** Refuse the heartbeat socket (a proxy that does not pass WebSockets, say). */
    volatile boolean refuseSocket;
    /** Sessions core knows: id → date_start as core's API writes it (its own zone, slashes). */
    final Map<String, String> sessionStarts = new ConcurrentHashMap<>();
    volatile JsonNode replayStorage = JSON.createObjectNode().put("TYPE", "server");
    /** Lifecycle events named here get no answer until {@link #releaseEvents} (a core that hangs). */
    final Set<String> heldEvents = ConcurrentHashMap.newKeySet();
    final java.util.concurrent.CountDownLatch eventHeld = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    private final Javalin app;

    /** Answers every held lifecycle call. */
    void releaseEvents() {
        release.countDown();
    }

    SimulatedCore() {
        this(0, "bootstrap-" + UUID.randomUUID());
    }

    /** A core on {@code port} (0: any free one), e.g. one that starts late where the worker expects it. */
    SimulatedCore(int port, String bootstrapToken) {
        this.bootstrapToken = bootstrapToken;
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = 100L << 20;
            // as core: a header value is read as sent (Jetty's header cache ignores case by default)
            cfg.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheCaseSensitive(true));
        });
        app.post("/api/v1/terminal/terminal-registrations/", this::register);
        app.get("/api/v1/users/profile/", ctx -> {
            String keyId = checkSignature(ctx);
            if (keyId != null) {
                ctx.json(JSON.createObjectNode().put("id", "user-" + keyId).put("name", keyId)
                        .put("is_service_account", serviceAccounts.contains(keyId)));
            }
        });
        app.get("/api/v1/terminal/terminals/config/", ctx -> {
            if (checkSignature(ctx) != null) {
                ctx.json(JSON.createObjectNode().put("TERMINAL_COMMAND_STORAGE", "x").set("TERMINAL_REPLAY_STORAGE", replayStorage));
            }
        });
        app.post("/api/v1/terminal/terminals/status/", ctx -> {
            if (checkSignature(ctx) != null) {
                heartbeats.add(JSON.readTree(ctx.body()));
                ctx.status(201).json(JSON.createObjectNode());
            }
        });
        app.post("/api/v1/terminal/sessions/{sid}/replay/", this::upload);
        app.get("/api/v1/terminal/sessions/{sid}/", ctx -> {
            if (checkSignature(ctx) != null) {
                String start = sessionStarts.get(ctx.pathParam("sid"));
                if (start == null) {
                    ctx.status(404).json(JSON.createObjectNode().put("detail", "Not found."));
                } else {
                    ctx.json(JSON.createObjectNode().put("id", ctx.pathParam("sid")).put("date_start", start));
                }
            }
        });
        app.patch("/api/v1/terminal/sessions/{sid}/", ctx -> {
            if (checkSignature(ctx) != null) {
                ctx.json(JSON.createObjectNode().put("id", ctx.pathParam("sid")));
            }
        });
        app.post("/api/v1/terminal/sessions/{sid}/lifecycle_log/", ctx -> {
            if (checkSignature(ctx) != null) {
                JsonNode body = JSON.readTree(ctx.body());
                String event = body.path("event").asText();
                if (!EVENTS.contains(event)) {
                    ctx.status(400).json(JSON.createObjectNode().put("event", "unknown event"));
                    return;
                }
                JsonNode reason = body.get("reason");
                if (reason != null && (!reason.isTextual() || reason.asText().isBlank())) { // as core's serializer
                    ctx.status(400).json(JSON.createObjectNode().set("reason",
                            JSON.createArrayNode().add(reason.isNull() ? "This field may not be null." : "This field may not be blank.")));
                    return;
                }
                if (heldEvents.contains(event)) {
                    eventHeld.countDown();
                    release.await();
                }
                acceptedEvents.add(new Call("POST", ctx.path(), ctx.body()));
                ctx.json(JSON.createObjectNode().put("msg", "ok").put("id", UUID.randomUUID().toString()));
            }
        });
        app.ws("/ws/terminal-task/", ws -> {
            ws.onConnect(c -> calls.add(new Call("WS", "/ws/terminal-task/", "")));
            ws.onMessage(m -> heartbeats.add(JSON.readTree(m.message())));
        });
        app.wsBeforeUpgrade("/ws/terminal-task/", ctx -> {
            if (refuseSocket) {
                ctx.status(502);
                ctx.skipRemainingHandlers();
            } else if (checkSignature(ctx) == null) {
                ctx.skipRemainingHandlers();
            }
        });
        app.before(ctx -> {
            if (!ctx.path().startsWith("/ws/")) {
                String ct = ctx.contentType() == null ? "" : ctx.contentType();
                calls.add(new Call(ctx.method().name(), ctx.path(), ct.startsWith("multipart") ? "(multipart)" : ctx.body()));
            }
        });
        app.start("127.0.0.1", port);
    }

    String url() {
        return "http://127.0.0.1:" + app.port();
    }

    /** A caller (Lion) with a service-account key core knows. */
    String[] addCaller() {
        String id = "lion-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = UUID.randomUUID().toString().replace("-", "");
        keys.put(id, secret);
        serviceAccounts.add(id);
        return new String[] {id, secret};
    }

    private void register(Context ctx) throws Exception {
        String auth = ctx.header("Authorization");
        String token = auth == null ? "" : auth.substring(auth.lastIndexOf(' ') + 1);
        if (refuseRegistrations || auth == null || !auth.startsWith("BootstrapToken ")
                || !MessageDigest.isEqual(token.getBytes(), bootstrapToken.getBytes())) {
            ctx.status(401).json(JSON.createObjectNode().put("detail", "invalid bootstrap token"));
            return;
        }
        JsonNode body = JSON.readTree(ctx.body());
        if (!"video_worker".equals(body.path("type").asText())) {
            ctx.status(400).json(JSON.createObjectNode().put("type", "unknown type"));
            return;
        }
        registrations.incrementAndGet();
        String id = UUID.randomUUID().toString();
        String secret = UUID.randomUUID().toString();
        keys.put(id, secret);
        serviceAccounts.add(id);
        ObjectNode reply = JSON.createObjectNode().put("name", body.path("name").asText()).put("type", "video_worker");
        reply.putObject("service_account").put("id", UUID.randomUUID().toString()).put("name", body.path("name").asText())
                .putObject("access_key").put("id", id).put("secret", secret).put("is_active", true);
        ctx.status(201).json(reply);
    }

    private void upload(Context ctx) throws Exception {
        if (checkSignature(ctx) == null) {
            return;
        }
        if (failUploads.get() > 0) {
            failUploads.decrementAndGet();
            ctx.status(503).json(JSON.createObjectNode().put("msg", "storage unavailable"));
            return;
        }
        var file = ctx.uploadedFile("file");
        String version = ctx.formParam("version");
        if (file == null || version == null) {
            ctx.status(401).json(JSON.createObjectNode().putObject("msg").put("file", "required"));
            return;
        }
        replays.add(new Replay(ctx.pathParam("sid"), file.filename(), version, file.content().readAllBytes()));
        ctx.status(201).json(JSON.createObjectNode().put("url", "/media/replay/" + file.filename()));
    }

    /** As core: both headers, a known key, the signature over the full path and query; else 401. */
    private String checkSignature(Context ctx) {
        String keyId = verify(ctx.method().name(), ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString()),
                ctx.header("Authorization"), ctx.header("Date"));
        if (keyId == null) {
            ctx.status(401).json(JSON.createObjectNode().put("detail", "Authentication credentials were not provided or are invalid"));
        }
        return keyId;
    }

    String verify(String method, String pathAndQuery, String authorization, String date) {
        Map<String, String> p = HttpSignature.parse(authorization);
        if (p == null || date == null || !"(request-target) date".equals(p.get("headers"))) {
            return null;
        }
        String secret = keys.get(p.get("keyId"));
        if (secret == null) {
            return null;
        }
        String expected = HttpSignature.sign(secret, HttpSignature.signingString(method, pathAndQuery, date));
        return HttpSignature.matches(expected, p.get("signature")) ? p.get("keyId") : null;
    }

    List<String> events(String sid) {
        List<String> out = new ArrayList<>();
        synchronized (calls) {
            for (Call c : calls) {
                if (c.path().equals("/api/v1/terminal/sessions/" + sid + "/lifecycle_log/")) {
                    try {
                        out.add(JSON.readTree(c.body()).path("event").asText());
                    } catch (Exception e) {
                        out.add("?");
                    }
                }
            }
        }
        return out;
    }

    List<Call> calls(String method, String path) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.method().equals(method) && c.path().equals(path)).toList();
        }
    }

    @Override
    public void close() {
        release.countDown();
        app.stop();
    }
}

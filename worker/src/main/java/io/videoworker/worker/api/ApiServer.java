package io.videoworker.worker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.videoworker.worker.auth.Authenticator;
import io.videoworker.worker.pool.TaskService;
import io.videoworker.worker.pool.UploadResult;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.Untrusted;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HTTP API Lion and Razor call (see docs/jumpserver-integration.md §2). Thin handlers: they
 * parse, authenticate and answer in the JSON shapes the callers decode; {@link TaskService} does
 * the work. Paths work with or without a trailing slash and no API endpoint ever redirects.
 *
 * <p>Every endpoint but health needs a caller the {@link Authenticator} accepts: the check runs
 * before any matched endpoint, wherever it is registered, so a new one is closed unless listed in
 * {@link #OPEN_PATHS}. The administrator's pages ({@link AdminArea}) are the one exception: their
 * routes are checked by the area instead, and never by the caller check. Paths no endpoint serves
 * get a JSON 404 (D-16). JSON bodies are capped at
 * 1 MiB and 32 levels of nesting; multipart uploads are streamed without a size limit, but their
 * text fields are few and short. Every error, wherever it arises, is answered and logged by
 * {@link ApiErrors}; what a connection may cost is bounded by {@link ServerLimits}. HEAD is GET
 * without the body (Javalin alone would answer 200 without running the GET handler).
 */
public final class ApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z").withZone(ZoneOffset.UTC);
    static final int MAX_JSON_BYTES = 1 << 20;
    /** G2 sends 7 text fields; values are short numbers, ids and dates. */
    static final int MAX_FIELDS = 32;
    static final int MAX_FIELD_BYTES = 4096;
    /** Bytes Jetty reads from a connection at a time (its default is 8 KiB). */
    static final int INPUT_BUFFER = 64 << 10;
    static final String CREATE_PATH = "/api/v2/replay/sessions/{id}/task";
    static final String UPLOAD_PATH = "/api/v2/replay/sessions/{id}/task/upload/{index}";
    /** The only paths served without the callers' authentication (trailing slash optional); /metrics has its own token, if set. */
    public static final Set<String> OPEN_PATHS = Set.of("/video-worker/health", "/metrics");

    /** An endpoint as registered with Javalin: method (or WS) and path pattern. */
    public record Route(String method, String path) {
    }

    private final TaskService tasks;
    private final Authenticator auth;
    private final Supplier<Health> health;
    private final AdminArea admin;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final BodySlots bodies = new BodySlots();
    private Supplier<String> scrape;
    private byte[] metricsToken;
    private Javalin app;

    public ApiServer(TaskService tasks, Authenticator auth, Supplier<Health> health, AdminArea admin) {
        this.tasks = tasks;
        this.auth = auth;
        this.health = health;
        this.admin = admin;
    }

    /**
     * Serves {@code GET /metrics} (Prometheus text format) from {@code scrape}: open, or with
     * {@code token} (not null) only to {@code Authorization: Bearer <token>}. Call before start.
     */
    public ApiServer withMetrics(Supplier<String> scrape, String token) {
        this.scrape = scrape;
        this.metricsToken = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public ApiServer start(String host, int port) {
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.router.ignoreTrailingSlashes = true;
            cfg.http.maxRequestSize = MAX_JSON_BYTES;
            cfg.useVirtualThreads = false;
            cfg.jetty.threadPool = ServerLimits.threadPool();
            // every endpoint, as Javalin itself reports it: the security tests cover each one (HEAD
            // mirrors a GET endpoint, and is tested with it)
            cfg.events.handlerAdded(h -> {
                if (h.getHttpMethod().isHttpMethod() && h.getHttpMethod() != HandlerType.HEAD) {
                    routes.add(new Route(h.getHttpMethod().name(), h.getPath()));
                }
            });
            cfg.events.wsHandlerAdded(h -> routes.add(new Route("WS", h.getPath())));
            // Jetty's own refusals (bad URI, huge headers) in JSON too
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            // Javalin's default connector, but reading the network 64 KiB at a time instead of 8: a
            // 300 MiB upload then costs 15 % less CPU (docs/benchmarks.md, "The service")
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
                c.getConnectionFactory(HttpConnectionFactory.class).setInputBufferSize(INPUT_BUFFER);
                ServerLimits.apply(http, c);
                c.setHost(host);
                c.setPort(port);
                return c;
            });
        });
        app.beforeMatched(this::authenticate);
        get("/video-worker/health", this::health);
        app.post(CREATE_PATH, bodies.admit(this::createTask, ApiServer::busy));
        app.post(UPLOAD_PATH, bodies.admit(this::uploadPart, ApiServer::busy));
        get("/api/v2/replay/tasks/{id}", this::status);
        if (scrape != null) {
            get("/metrics", this::metrics);
        }
        admin.register(new AdminArea.Routes() {
            @Override
            public void get(String path, Handler handler) {
                ApiServer.this.get(inArea(path), handler);
            }

            @Override
            public void post(String path, Handler handler) {
                app.post(inArea(path), handler);
            }
        });
        app.error(404, ctx -> {
            String type = ctx.res().getContentType();
            // our own 404s already carry a JSON body, the admin area's an HTML page
            if ((type == null || !type.contains("json")) && ctx.attribute(AdminArea.ANSWERED) == null) {
                ApiErrors.reply(ctx, 404, "no such endpoint: " + ctx.method() + " " + Untrusted.quote(ctx.path()));
            }
        });
        app.error(405, ctx -> ApiErrors.reply(ctx, 405, "method " + ctx.method() + " not allowed on " + Untrusted.quote(ctx.path())));
        // the details (paths, library messages) are for the operator, not the caller
        app.exception(Exception.class, (e, ctx) -> ApiErrors.failed(ctx, e));
        app.start();
        return this;
    }

    private void get(String path, Handler handler) {
        app.get(path, handler);
        app.head(path, handler); // Jetty sends a HEAD reply's status and headers, never its body
    }

    private String inArea(String path) {
        if (!inArea(path, admin.prefix())) {
            throw new IllegalArgumentException(path + " is outside the admin area " + admin.prefix());
        }
        return path;
    }

    /** Whether a route's path pattern is {@code prefix} or below it. */
    static boolean inArea(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private static void busy(Context ctx) {
        ApiErrors.reply(ctx, 503, "busy: " + ServerLimits.MAX_BODIES + " uploads and task creations are in progress; "
                + "try again later");
    }

    public int port() {
        return app.port();
    }

    /** Every endpoint registered, in order. */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    static boolean open(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return OPEN_PATHS.contains(p);
    }

    private void health(Context ctx) {
        ctx.status(200).json(health.get().json(JSON.createObjectNode()));
    }

    private void metrics(Context ctx) {
        if (metricsToken != null) {
            String given = ctx.header("Authorization");
            if (given == null || !java.security.MessageDigest.isEqual(metricsToken, given.getBytes(StandardCharsets.UTF_8))) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"video-worker metrics\"");
                ApiErrors.reply(ctx, 401, given == null ? "/metrics wants Authorization: Bearer <METRICS_TOKEN>" : "wrong metrics token");
                return;
            }
        }
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(scrape.get());
    }

    /** Task creations and part uploads being received now. */
    public int uploadsInProgress() {
        return bodies.inUse();
    }

    private void authenticate(Context ctx) {
        if (open(ctx.path())) {
            return;
        }
        // decided by the route that matched, not by how the path was spelt
        if (inArea(ctx.endpointHandlerPath(), admin.prefix())) {
            if (!admin.admit(ctx)) {
                ctx.skipRemainingHandlers();
            }
            return;
        }
        Authenticator.Verdict v = auth.check(ctx.header("Authorization"), ctx.header("Date"), ctx.header("X-JMS-ORG"));
        if (!v.accepted()) {
            ApiErrors.reply(ctx, v.status(), (v.status() == 401 ? "unauthorized: " : "") + v.reason(), v.reason());
            ctx.skipRemainingHandlers();
        }
    }

    /** G3 (JSON) or G2 (multipart) on the same path: the Content-Type decides. */
    private void createTask(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) {
            createSingle(ctx);
            return;
        }
        JsonNode body;
        InputStream in = new RequestBody(ctx.req().getInputStream());
        byte[] bytes = in.readNBytes(MAX_JSON_BYTES + 1);
        if (bytes.length > MAX_JSON_BYTES) {
            // read on a little, so a caller still sending gets this answer rather than a reset
            drain(in, 16L << 20);
            ctx.header("Connection", "close");
            ApiErrors.reply(ctx, 413, "task JSON larger than 1 MiB");
            return;
        }
        try {
            body = TaskJson.parse(bytes);
        } catch (TaskJson.Refused e) {
            ApiErrors.reply(ctx, 400, e.getMessage());
            return;
        }
        try {
            Task t = tasks.createParts(ctx.pathParam("id"), body);
            ctx.status(200).json(JSON.createObjectNode().put("id", t.id));
        } catch (TaskException e) {
            ApiErrors.reply(ctx, e.status(), e.getMessage());
        }
    }

    private void uploadPart(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/form-data")) {
            uploadReply(ctx, new UploadResult(false, "expected multipart/form-data with a field 'file'"));
            return;
        }
        try {
            MultipartReader parts = new MultipartReader(new RequestBody(ctx.req().getInputStream()), ctx.contentType(),
                    ctx.req().getContentLengthLong());
            int others = 0;
            for (MultipartReader.Part p = parts.next(); p != null; p = parts.next()) {
                if (p.isFile() && "file".equals(p.name())) {
                    uploadReply(ctx, tasks.uploadPart(ctx.pathParam("id"), ctx.pathParam("index"), p.filename(), p.body(),
                            ctx.req().getContentLengthLong()));
                    return;
                }
                if (++others > MAX_FIELDS) {
                    uploadReply(ctx, new UploadResult(false, "more than " + MAX_FIELDS + " fields before 'file'"));
                    return;
                }
            }
            uploadReply(ctx, new UploadResult(false, "the multipart body has no field 'file'"));
        } catch (MultipartReader.MalformedException e) {
            uploadReply(ctx, new UploadResult(false, "malformed multipart body: " + e.getMessage()));
        }
    }

    private static void uploadReply(Context ctx, UploadResult r) {
        if (r.ok()) {
            ctx.status(200).json(JSON.createObjectNode().put("ok", true).put("error_message", ""));
        } else {
            ApiErrors.reply(ctx, 400, r.message());
        }
    }

    /** G2: text fields in any order, then {@code file}; streamed, never held in memory. */
    private void createSingle(Context ctx) throws IOException {
        Map<String, String> fields = new HashMap<>();
        try {
            MultipartReader parts = new MultipartReader(new RequestBody(ctx.req().getInputStream()), ctx.contentType(),
                    ctx.req().getContentLengthLong());
            int count = 0;
            for (MultipartReader.Part p = parts.next(); p != null; p = parts.next()) {
                if (p.isFile() && "file".equals(p.name())) {
                    Task t = tasks.createSingle(ctx.pathParam("id"), fields, p.filename(), p.body(), ctx.req().getContentLengthLong());
                    ctx.status(200).json(g2Task(t));
                    return;
                }
                if (++count > MAX_FIELDS) {
                    ApiErrors.reply(ctx, 400, "more than " + MAX_FIELDS + " fields before 'file'");
                    return;
                }
                if (!p.isFile()) {
                    byte[] v = p.body().readNBytes(MAX_FIELD_BYTES + 1);
                    if (v.length > MAX_FIELD_BYTES) {
                        ApiErrors.reply(ctx, 400, "field " + Untrusted.quote(p.name()) + " is longer than " + MAX_FIELD_BYTES + " bytes");
                        return;
                    }
                    fields.put(p.name(), new String(v, StandardCharsets.UTF_8).trim());
                }
            }
            ApiErrors.reply(ctx, 400, "the multipart body has no field 'file'");
        } catch (TaskException e) {
            ApiErrors.reply(ctx, e.status(), e.getMessage());
        } catch (MultipartReader.MalformedException e) {
            ApiErrors.reply(ctx, 400, "malformed multipart body: " + e.getMessage());
        }
    }

    /** The Task reply Lion decodes: these exact keys, strings and ints. */
    private static ObjectNode g2Task(Task t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", t.id);
        o.put("root_dir", "");
        o.put("date_created", DATE.format(Instant.ofEpochMilli(t.createdAt)));
        o.put("session_id", t.sessionId);
        o.put("component_type", t.componentType == null ? "" : t.componentType);
        o.put("file_type", t.fileType == null ? "" : t.fileType);
        o.put("session_date", t.sessionDate == null ? "" : t.sessionDate); // Lion decodes a string
        o.put("max_frame", t.maxFrame);
        o.put("width", t.width);
        o.put("height", t.height);
        o.put("bitrate", t.bitrate);
        o.put("replay_mp4_path", "");
        o.put("replay_path", "");
        o.put("status", "pending");
        o.put("error", "");
        return o;
    }

    private void status(Context ctx) {
        String id = ctx.pathParam("id");
        if (!Spool.validId(id)) {
            ApiErrors.reply(ctx, 400, "task id " + Untrusted.quote(id) + " is not a task id (a lower-case UUID)");
            return;
        }
        Task t = tasks.get(id);
        if (t == null) {
            ApiErrors.reply(ctx, 404, "unknown task " + Untrusted.quote(id));
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("id", t.id);
        o.put("session_id", t.sessionId);
        o.put("kind", t.kind == Task.Kind.PARTS ? "parts" : "single");
        o.put("state", t.state.json());
        o.put("progress", t.progress);
        o.put("error", t.error == null ? "" : t.error);
        o.put("error_reason", t.errorReason == null ? "" : t.errorReason);
        o.put("attempts", t.attempts);
        o.put("last_convert_error", t.lastConvertError == null ? "" : t.lastConvertError);
        o.put("publish_attempts", t.publishAttempts);
        o.put("last_publish_error", t.lastPublishError == null ? "" : t.lastPublishError);
        if (t.nextAttemptAt > 0 && !t.state.finished()) {
            o.put("next_attempt", DATE.format(Instant.ofEpochMilli(t.nextAttemptAt)));
        }
        o.put("created", DATE.format(Instant.ofEpochMilli(t.createdAt)));
        o.put("updated", DATE.format(Instant.ofEpochMilli(t.updatedAt)));
        if (t.finishedAt > 0) {
            o.put("finished", DATE.format(Instant.ofEpochMilli(t.finishedAt)));
        }
        ArrayNode files = o.putArray("files");
        for (PartFile f : t.files) {
            files.addObject().put("name", f.name).put("received", f.received);
        }
        ArrayNode published = o.putArray("published");
        t.published.forEach(published::add);
        o.put("published_bytes", t.publishedBytes);
        ctx.status(200).json(o);
    }

    private static void drain(InputStream in, long limit) throws IOException {
        byte[] sink = new byte[64 << 10];
        for (long n = 0; n < limit; ) {
            int r = in.read(sink);
            if (r < 0) {
                return;
            }
            n += r;
        }
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}

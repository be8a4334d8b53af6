package io.videoworker.worker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.videoworker.worker.auth.Authenticator;
import io.videoworker.worker.pool.TaskService;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API Lion and Razor call (see docs/jumpserver-integration.md §2). Thin handlers: they
 * parse, authenticate and answer in the JSON shapes the callers decode; {@link TaskService} does
 * the work. Paths work with or without a trailing slash and nothing ever redirects.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z").withZone(ZoneOffset.UTC);
    private static final int MAX_JSON_BYTES = 1 << 20;

    private final TaskService tasks;
    private final Authenticator auth;
    private final long startedAt = System.currentTimeMillis();
    private Javalin app;

    public ApiServer(TaskService tasks, Authenticator auth) {
        this.tasks = tasks;
        this.auth = auth;
    }

    public ApiServer start(String host, int port) {
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.router.ignoreTrailingSlashes = true;
            cfg.http.maxRequestSize = MAX_JSON_BYTES;
            cfg.useVirtualThreads = false;
        });
        app.get("/video-worker/health", this::health);
        app.before("/api/*", this::authenticate);
        app.post("/api/v2/replay/sessions/{id}/task", this::createTask);
        app.post("/api/v2/replay/sessions/{id}/task/upload/{index}", this::uploadPart);
        app.get("/api/v2/replay/tasks/{id}", this::status);
        app.error(404, ctx -> {
            String type = ctx.res().getContentType();
            if (type == null || !type.contains("json")) { // our own 404s already carry a JSON body
                error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
        app.error(405, ctx -> error(ctx, 405, "method " + ctx.method() + " not allowed on " + ctx.path()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e.getMessage());
        });
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    private void health(Context ctx) {
        ObjectNode o = JSON.createObjectNode();
        o.put("timestamp", Instant.now().getEpochSecond());
        o.put("uptime", (System.currentTimeMillis() - startedAt) / 60_000);
        ctx.status(200).json(o);
    }

    private void authenticate(Context ctx) {
        Authenticator.Verdict v = auth.check(ctx.header("Authorization"), ctx.header("Date"), ctx.header("X-JMS-ORG"));
        if (!v.accepted()) {
            LOG.warn("{} {} from {} refused: {}", ctx.method(), ctx.path(), ctx.ip(), v.reason());
            error(ctx, v.status(), (v.status() == 401 ? "unauthorized: " : "") + v.reason());
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
        try {
            byte[] bytes = ctx.bodyInputStream().readNBytes(MAX_JSON_BYTES + 1);
            if (bytes.length > MAX_JSON_BYTES) {
                ctx.status(413).json(JSON.createObjectNode().put("id", "").put("error", "task JSON larger than 1 MiB"));
                return;
            }
            body = JSON.readTree(bytes);
        } catch (IOException e) {
            ctx.status(400).json(JSON.createObjectNode().put("id", "").put("error", "body is not valid JSON: " + firstLine(e)));
            return;
        }
        try {
            Task t = tasks.createParts(ctx.pathParam("id"), body);
            ctx.status(200).json(JSON.createObjectNode().put("id", t.id));
        } catch (TaskException e) {
            ctx.status(e.status()).json(JSON.createObjectNode().put("id", "").put("error", e.getMessage()));
        }
    }

    private void uploadPart(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/form-data")) {
            uploadReply(ctx, new TaskService.UploadResult(false, "expected multipart/form-data with a field 'file'"));
            return;
        }
        try {
            MultipartReader parts = new MultipartReader(ctx.req().getInputStream(), ctx.contentType(),
                    ctx.req().getContentLengthLong());
            for (MultipartReader.Part p = parts.next(); p != null; p = parts.next()) {
                if (p.isFile() && "file".equals(p.name())) {
                    uploadReply(ctx, tasks.uploadPart(ctx.pathParam("id"), ctx.pathParam("index"), p.filename(), p.body(),
                            ctx.req().getContentLengthLong()));
                    return;
                }
            }
            uploadReply(ctx, new TaskService.UploadResult(false, "the multipart body has no field 'file'"));
        } catch (MultipartReader.MalformedException e) {
            uploadReply(ctx, new TaskService.UploadResult(false, "malformed multipart body: " + e.getMessage()));
        }
    }

    private static void uploadReply(Context ctx, TaskService.UploadResult r) {
        ctx.status(r.ok() ? 200 : 400).json(JSON.createObjectNode().put("ok", r.ok()).put("error_message", r.message()));
    }

    /** G2: text fields in any order, then {@code file}; streamed, never held in memory. */
    private void createSingle(Context ctx) throws IOException {
        Map<String, String> fields = new HashMap<>();
        try {
            MultipartReader parts = new MultipartReader(ctx.req().getInputStream(), ctx.contentType(),
                    ctx.req().getContentLengthLong());
            for (MultipartReader.Part p = parts.next(); p != null; p = parts.next()) {
                if (!p.isFile()) {
                    byte[] v = p.body().readNBytes(4096);
                    fields.put(p.name(), new String(v, java.nio.charset.StandardCharsets.UTF_8).trim());
                } else if ("file".equals(p.name())) {
                    Task t = tasks.createSingle(fields, p.body(), ctx.req().getContentLengthLong());
                    ctx.status(200).json(g2Task(t));
                    return;
                }
            }
            error(ctx, 400, "the multipart body has no field 'file'");
        } catch (TaskException e) {
            error(ctx, e.status(), e.getMessage());
        } catch (MultipartReader.MalformedException e) {
            error(ctx, 400, "malformed multipart body: " + e.getMessage());
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
        o.put("session_date", t.sessionDate);
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
        Task t = tasks.get(ctx.pathParam("id"));
        if (t == null) {
            error(ctx, 404, "unknown task '" + ctx.pathParam("id") + "'");
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

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(JSON.createObjectNode().put("error", message));
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}

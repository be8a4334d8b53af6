package io.videoworker.worker.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.videoworker.worker.spool.Untrusted;
import io.videoworker.worker.task.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error reply of the API, in the JSON shape its caller decodes, with its one log line
 * (docs/jumpserver-integration.md §2):
 *
 * <ul>
 * <li>part uploads: {@code {"ok":false,"error_message":…}}, 400 for anything that went wrong with
 * the part, the worker's disk included (§2.5); 401, 408 and 503 keep their meaning (503 also
 * while a cluster's task database is unreachable);
 * <li>task creation (G3 JSON and G2 multipart): {@code {"id":"","error":…}} (§2.4; a G2 caller
 * decodes it as a Task);
 * <li>everything else: {@code {"error":…}}.
 * </ul>
 *
 * Refusals are logged as warnings, the worker's own failures as errors; a stack trace only for
 * what is neither (a bug), never for an expected condition.
 */
final class ApiErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiErrors() {
    }

    /** Answers {@code status} with {@code message} in the endpoint's shape and logs it. */
    static void reply(Context ctx, int status, String message) {
        reply(ctx, status, message, message);
    }

    /** As {@link #reply(Context, int, String)}, logging {@code why} (the message without the caller's prefix). */
    static void reply(Context ctx, int status, String message, String why) {
        log(ctx, status, why);
        write(ctx, status, message);
    }

    /** The error reply without a log line: for the one case already logged with more detail. */
    static void write(Context ctx, int status, String message) {
        String endpoint = endpoint(ctx);
        if (ApiServer.UPLOAD_PATH.equals(endpoint)) {
            ctx.status(status == 500 ? 400 : status)
                    .json(JSON.createObjectNode().put("ok", false).put("error_message", message));
        } else if (ApiServer.CREATE_PATH.equals(endpoint) && "POST".equals(ctx.method().name())) {
            ctx.status(status).json(JSON.createObjectNode().put("id", "").put("error", message));
        } else {
            ctx.status(status).json(JSON.createObjectNode().put("error", message));
        }
    }

    /** An exception out of an endpoint: the caller's broken body, the worker's disk, or a bug. */
    static void failed(Context ctx, Exception e) {
        StoreUnavailableException down = StoreUnavailableException.in(e);
        if (e instanceof RequestBody.BrokenException broken) {
            ctx.header("Connection", "close"); // the rest of the body is not worth reading
            reply(ctx, broken.status(), broken.getMessage());
        } else if (down != null) { // cluster mode: the sender keeps its recording and may try again
            reply(ctx, 503, down.getMessage() + "; try again later");
        } else if (e instanceof IOException io) {
            LOG.error("{} {} failed: {}", ctx.method(), Untrusted.quote(ctx.path()), io.toString());
            write(ctx, 500, "the worker could not write its spool (" + reason(io) + "); its log has the details");
        } else {
            LOG.error("{} {} failed", ctx.method(), Untrusted.quote(ctx.path()), e);
            write(ctx, 500, "internal error; the worker's log has the details");
        }
    }

    private static void log(Context ctx, int status, String message) {
        String line = "{} {} from {} refused: {} (HTTP {})";
        if (status >= 500 && status != 503) {
            LOG.error(line, ctx.method(), Untrusted.quote(ctx.path()), ctx.ip(), message, status);
        } else {
            LOG.warn(line, ctx.method(), Untrusted.quote(ctx.path()), ctx.ip(), message, status);
        }
    }

    /** The matched endpoint's path pattern, or null (an unknown path, or Jetty refused it first). */
    private static String endpoint(Context ctx) {
        try {
            return ctx.endpointHandlerPath();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** What went wrong, without the spool path: "Read-only file system", "No space left on device". */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getClass().getSimpleName();
    }
}

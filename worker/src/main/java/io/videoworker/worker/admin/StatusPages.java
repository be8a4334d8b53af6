package io.videoworker.worker.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.videoworker.worker.Version;
import io.videoworker.worker.api.AdminArea;
import io.videoworker.worker.api.Health;
import io.videoworker.worker.pool.TaskActions;
import io.videoworker.worker.pool.TaskService;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.Untrusted;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administrator's status page, {@code /video-worker/status/}: the overview with the task
 * list, a task's page, its actions, login and logout (docs/operations.md, "Status page"). Thin
 * handlers: {@link Overview} and {@link TaskPage} make what is shown, {@link TaskActions} does
 * what is asked, {@link AdminGate} decides who may; every reply, refusals and failures
 * included, is an HTML page written once here ({@link #page}). Actions are POST forms that answer
 * "see other" to the task's page, so a reload never repeats one.
 */
public final class StatusPages implements AdminArea {
    private static final Logger LOG = LoggerFactory.getLogger(StatusPages.class);
    public static final String PREFIX = "/video-worker/status";
    static final String LOGIN = PREFIX + "/login";
    static final String LOGOUT = PREFIX + "/logout";
    static final String TASK = PREFIX + "/tasks/{id}";
    /** What a successful action's redirect says, by action. */
    private static final Map<String, String> DONE = Map.of(
            TaskPage.PUBLISH_NOW, "Publishing now, as asked.",
            TaskPage.CONVERT_AGAIN, "Queued to convert again, as asked.",
            TaskPage.PUBLISH_ORIGINALS, "Publishing the original recording, as asked.");
    private static final String ADMIN = "video-worker.admin";

    private final TaskService tasks;
    private final Spool spool;
    private final Supplier<Health> health;
    private final int poolSize;
    private final AdminGate gate;
    private final Clock clock;
    private final Templates templates = new Templates();

    public StatusPages(TaskService tasks, Spool spool, Supplier<Health> health, int poolSize, AdminToken token, Clock clock) {
        this.tasks = tasks;
        this.spool = spool;
        this.health = health;
        this.poolSize = poolSize;
        this.clock = clock;
        this.gate = new AdminGate(token, new AdminSessions(clock), new LoginThrottle(clock));
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void register(Routes routes) {
        routes.get(PREFIX, page(this::overview));
        routes.get(TASK, page(this::task));
        for (String action : List.of(TaskPage.PUBLISH_NOW, TaskPage.CONVERT_AGAIN, TaskPage.PUBLISH_ORIGINALS, TaskPage.DELETE)) {
            routes.post(TASK + "/" + action, page(ctx -> act(ctx, action)));
        }
        routes.get(LOGIN, page(ctx -> seeOther(ctx, PREFIX + "/"))); // the form's address, reloaded or bookmarked
        routes.post(LOGIN, page(this::login));
        routes.post(LOGOUT, page(this::logout));
    }

    /** Before every route here: the login form checks its token itself; everything else needs an administrator. */
    @Override
    public boolean admit(Context ctx) {
        if (LOGIN.equals(ctx.endpointHandlerPath()) && "POST".equals(ctx.method().name())) {
            return true;
        }
        AdminGate.Access a = gate.check(ctx);
        if (a.admitted()) {
            ctx.attribute(ADMIN, a.admin());
            return true;
        }
        refused(ctx, a);
        return false;
    }

    private void overview(Context ctx) {
        TaskFilter filter = TaskFilter.of(ctx.queryParam("state"), ctx.queryParam("session"), ctx.queryParam("date"));
        String deleted = ctx.queryParam("deleted");
        String notice = deleted != null && Spool.validId(deleted) ? "Task " + deleted + " deleted." : null;
        templates.reply(ctx, 200, "overview", layout(ctx, "status", PREFIX + "/" + filter.query(), notice, false),
                Overview.build(health.get(), poolSize, tasks.all(), filter, clock.millis()));
    }

    private void task(Context ctx) throws IOException {
        String done = ctx.queryParam("done");
        showTask(ctx, 200, done == null ? null : DONE.get(done), false);
    }

    /** The task's page with a notice; a task that does not exist is a 404 page. */
    private void showTask(Context ctx, int status, String notice, boolean error) throws IOException {
        String id = ctx.pathParam("id");
        Task t = Spool.validId(id) ? tasks.get(id) : null;
        if (t == null) {
            message(ctx, 404, "No such task", "There is no task " + Untrusted.quote(id)
                    + " (deleted, cleaned up after the clean period, or never here).");
            return;
        }
        templates.reply(ctx, status, "task", layout(ctx, "task " + t.id, PREFIX + "/tasks/" + t.id, notice, error),
                TaskPage.build(t, meta(t), LogTail.read(spool.dir(t.id).resolve("task.log")), clock.millis()));
    }

    /** The session's fields; a finished task keeps them only in its task.json. */
    private ObjectNode meta(Task t) {
        if (t.meta != null || !t.slim) {
            return t.meta;
        }
        try {
            return spool.load(t.id).meta;
        } catch (IOException e) {
            return null; // cleaned up meanwhile: the page shows the rest
        }
    }

    private void act(Context ctx, String action) throws IOException {
        String id = ctx.pathParam("id");
        AdminGate.Admin admin = ctx.attribute(ADMIN);
        TaskActions actions = tasks.actions();
        try {
            switch (action) {
                case TaskPage.PUBLISH_NOW -> actions.publishNow(id, admin.who());
                case TaskPage.CONVERT_AGAIN -> actions.convertAgain(id, admin.who());
                case TaskPage.PUBLISH_ORIGINALS -> actions.publishOriginals(id, admin.who());
                case TaskPage.DELETE -> {
                    if (!"yes".equals(AdminGate.field(ctx, "confirm"))) { // without JavaScript: a page that asks first
                        confirmDelete(ctx, id, admin);
                        return;
                    }
                    actions.delete(id, admin.who());
                    seeOther(ctx, PREFIX + "/?deleted=" + id);
                    return;
                }
                default -> throw new IllegalArgumentException(action);
            }
            seeOther(ctx, PREFIX + "/tasks/" + id + "?done=" + action);
        } catch (TaskException e) {
            LOG.warn("status page: {} on task {} refused: {} (HTTP {}), asked by {}", action, Untrusted.quote(id), e.getMessage(),
                    e.status(), admin.who());
            showTask(ctx, e.status(), e.getMessage(), true);
        }
    }

    private void confirmDelete(Context ctx, String id, AdminGate.Admin admin) throws IOException {
        Task t = Spool.validId(id) ? tasks.get(id) : null;
        if (t == null) {
            showTask(ctx, 404, null, true);
            return;
        }
        record Confirm(String id, String session, String state) {
        }
        templates.reply(ctx, 200, "confirm", layout(ctx, "delete task " + id, null, null, false),
                new Confirm(t.id, t.sessionId, t.state.json()));
    }

    private void login(Context ctx) {
        AdminGate.Access a = gate.login(ctx, AdminGate.field(ctx, "token"));
        if (a.admitted()) {
            seeOther(ctx, PREFIX + "/");
        } else {
            refused(ctx, a);
        }
    }

    private void logout(Context ctx) {
        gate.logout(ctx, ctx.attribute(ADMIN));
        seeOther(ctx, PREFIX + "/");
    }

    /** A refusal: the login form for 401 and 429 (with the reason), a message page for the rest. */
    private void refused(Context ctx, AdminGate.Access a) {
        if (a.status() == 401 || a.status() == 429) {
            if (a.retryAfter() > 0) {
                ctx.header("Retry-After", String.valueOf(a.retryAfter()));
            }
            ctx.header("WWW-Authenticate", "Bearer realm=\"video-worker status\"");
            String reason = a.reason() != null ? a.reason()
                    : "GET".equals(ctx.method().name()) || "HEAD".equals(ctx.method().name()) ? null : "Log in first.";
            templates.reply(ctx, a.status(), "login", new Templates.Layout("log in · video-worker", null, false, null, null, null,
                    reason, reason != null), null);
        } else {
            message(ctx, a.status(), "Refused", a.reason());
        }
    }

    private void message(Context ctx, int status, String title, String text) {
        record Message(String heading, String text) {
        }
        templates.reply(ctx, status, "message", layout(ctx, title, null, null, false), new Message(title, text));
    }

    private Templates.Layout layout(Context ctx, String title, String refresh, String notice, boolean error) {
        AdminGate.Admin admin = ctx.attribute(ADMIN);
        boolean session = admin != null && admin.session() != null;
        return new Templates.Layout(title + " · video-worker", Version.current(), session,
                session ? admin.session().csrf() : null, admin == null ? null : admin.who(), refresh, notice, error);
    }

    private static void seeOther(Context ctx, String location) {
        ctx.attribute(AdminArea.ANSWERED, true);
        ctx.status(303).header("Location", location).header("Cache-Control", "no-store");
    }

    /**
     * Every reply of a route here is a page: a task refused is shown by its handler; the worker's
     * own trouble (a log it cannot read) is one line in the log and a 500 page, a bug the same with
     * its stack trace.
     */
    private Handler page(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (IOException e) {
                LOG.error("status page: {} {} failed: {}", ctx.method(), Untrusted.quote(ctx.path()), e.toString());
                message(ctx, 500, "Failed", "The worker could not read its spool; its log has the details.");
            } catch (Exception e) {
                LOG.error("status page: {} {} failed", ctx.method(), Untrusted.quote(ctx.path()), e);
                message(ctx, 500, "Failed", "Internal error; the worker's log has the details.");
            }
        };
    }
}

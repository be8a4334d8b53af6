package io.videoworker.worker.admin;

import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may see the status page: a request with {@code Authorization: Bearer <token>}, or one with
 * the cookie of a session the login form opened. A session's POSTs must carry its form token
 * (browsers add cookies to other sites' requests, never an Authorization header, so a Bearer
 * request needs none). Wrong tokens are counted per client address ({@link LoginThrottle}).
 * Never an API signature: the page is not the API's, and the API never accepts what opens the page.
 */
final class AdminGate {
    private static final Logger LOG = LoggerFactory.getLogger(AdminGate.class);
    static final String COOKIE = "video_worker_status";
    static final String COOKIE_PATH = "/video-worker/";
    /** The form field every session POST carries. */
    static final String CSRF_FIELD = "csrf";

    /** An administrator, as written in task logs ("admin (session) from 10.0.0.5"); the session is null for Bearer. */
    record Admin(String who, AdminSessions.Session session) {
    }

    /** An administrator, or the refusal to answer (status, a sentence for the page, seconds to wait for a 429). */
    record Access(Admin admin, int status, String reason, long retryAfter) {
        static Access of(Admin admin) {
            return new Access(admin, 200, null, 0);
        }

        static Access refused(int status, String reason) {
            return new Access(null, status, reason, 0);
        }

        boolean admitted() {
            return admin != null;
        }
    }

    private final AdminToken token;
    private final AdminSessions sessions;
    private final LoginThrottle throttle;

    AdminGate(AdminToken token, AdminSessions sessions, LoginThrottle throttle) {
        this.token = token;
        this.sessions = sessions;
        this.throttle = throttle;
    }

    /** The administrator making this request, or why not (401 with no reason: not logged in). */
    Access check(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Access.refused(401, "The status page takes the administrator token (Authorization: Bearer …), "
                        + "not an API signature.");
            }
            return token(authorization.substring(7).strip(), ctx.ip(), "bearer");
        }
        AdminSessions.Session s = sessions.find(ctx.cookie(COOKIE));
        if (s == null) {
            return Access.refused(401, null);
        }
        if (!"GET".equals(ctx.method().name()) && !"HEAD".equals(ctx.method().name())
                && !Secrets.same(s.csrf(), field(ctx, CSRF_FIELD))) {
            LOG.warn("status page: {} {} from {} refused: the form token is missing or wrong (HTTP 403)", ctx.method(),
                    ctx.path(), ctx.ip());
            return Access.refused(403, "This form did not come from this session's page (or the page is old): "
                    + "reload the page and try again.");
        }
        return Access.of(new Admin("admin (session) from " + ctx.ip(), s));
    }

    /** The login form: with the right token, a new session and its cookie. */
    Access login(Context ctx, String given) {
        Access a = token(given == null ? "" : given, ctx.ip(), "login form");
        if (!a.admitted()) {
            return a;
        }
        AdminSessions.Session s = sessions.create();
        ctx.header("Set-Cookie", cookie(s.id(), secure(ctx), false));
        LOG.info("status page: administrator logged in from {} ({} sessions open)", ctx.ip(), sessions.count());
        return Access.of(new Admin("admin (session) from " + ctx.ip(), s));
    }

    /** Ends the administrator's session (a Bearer request has none) and clears the cookie. */
    void logout(Context ctx, Admin admin) {
        if (admin.session() != null) {
            sessions.end(admin.session());
            LOG.info("status page: administrator logged out from {}", ctx.ip());
        }
        ctx.header("Set-Cookie", cookie("", secure(ctx), true));
    }

    private Access token(String given, String address, String how) {
        long wait = throttle.retryAfterSeconds(address);
        if (wait > 0) {
            return new Access(null, 429, "Too many wrong tokens from " + address + ": try again in " + wait + " s.", wait);
        }
        if (given.isBlank()) { // no guess, nothing to count
            return Access.refused(401, "Enter the administrator token.");
        }
        if (token.matches(given)) {
            throttle.succeeded(address);
            return Access.of(new Admin("admin (" + ("bearer".equals(how) ? "bearer" : "session") + ") from " + address, null));
        }
        int n = throttle.failed(address);
        LOG.warn("status page: wrong administrator token from {} ({}), {} in the last minute{}", address, how, n,
                n >= LoginThrottle.FAILURES ? "; further tries refused (429) for " + LoginThrottle.WINDOW.toSeconds() + " s" : "");
        return Access.refused(401, "That is not the administrator token.");
    }

    /**
     * A field of the request's form, or null: no such field, or not a form (the page's forms are
     * URL-encoded; another body, or one over the request size limit, is never parsed for them).
     */
    static String field(Context ctx, String name) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return null;
        }
        try {
            return ctx.formParam(name);
        } catch (io.javalin.http.HttpResponseException e) { // a body over the limit: no field of it is read
            return null;
        }
    }

    /** Over HTTPS, directly or behind a proxy that says so, the cookie is only ever sent back over HTTPS. */
    private static boolean secure(Context ctx) {
        String forwarded = ctx.header("X-Forwarded-Proto");
        String first = forwarded == null ? "" : forwarded.split(",")[0].strip();
        return "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(first);
    }

    private static String cookie(String value, boolean secure, boolean clear) {
        return COOKIE + "=" + value + "; Path=" + COOKIE_PATH + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
                + (clear ? "; Max-Age=0" : "");
    }
}

package io.videoworker.worker.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * Pages for an administrator served beside the API (the status page), behind an access check of
 * their own: the API's caller check never runs on the area's routes, and the area's never on the
 * API's, so an administrator's token or cookie opens no API endpoint and a caller's signature no
 * page. Every route of the area lives under {@link #prefix()}.
 */
public interface AdminArea {
    /** A request attribute the area sets on every reply it writes (its 404 page is not "no such endpoint"). */
    String ANSWERED = "video-worker.admin-area";

    /** The path every route of the area starts with, e.g. {@code /video-worker/status}. */
    String prefix();

    /** Registers the area's routes (GET ones answer HEAD too). */
    void register(Routes routes);

    /** Runs before each matched route of the area: true lets it run, false means it answered (refused). */
    boolean admit(Context ctx);

    /** How the area adds routes; a path outside {@link #prefix()} is refused. */
    interface Routes {
        void get(String path, Handler handler);

        void post(String path, Handler handler);
    }
}

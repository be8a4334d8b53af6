package io.videoworker.worker.api;

import java.time.Duration;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What one HTTP connection may cost the worker, so that slow or stalled callers cannot starve
 * health and status (reliability.md §4, "Slow clients"). Fixed, not settings: they bound abuse
 * and are far from what Lion needs.
 *
 * <ul>
 * <li>At most {@link #MAX_BODIES} requests read a body at once ({@link BodySlots}); a thread
 * blocked on a slow body is the one cost that grows with callers.
 * <li>{@link #THREADS} threads in all: the bodies, plus room for health, status, refusals and
 * Jetty's acceptor and selectors. Javalin's default allowed 250, so slow uploads took them all.
 * <li>A body arriving slower than {@link #MIN_BODY_RATE} on average (Lion sends at network
 * speed; a 300 MiB part would take 3½ days at this rate), or silent for {@link #IDLE_TIMEOUT},
 * is cut off.
 * </ul>
 */
public final class ServerLimits {
    /**
     * Request bodies read at once (task creations and uploads). Above the largest burst measured
     * (52 at the same instant, reliability.md §4) and above what one spool disk can use.
     */
    public static final int MAX_BODIES = 64;
    public static final int THREADS = MAX_BODIES + 36;
    /** Bytes a second, averaged from the body's first byte (Jetty checks it as data arrives). */
    public static final long MIN_BODY_RATE = 1024;
    /** Silence tolerated on a connection, also in the middle of a body (Jetty's default). */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** The request threads' name prefix. */
    public static final String THREAD_NAME = "JettyServerThreadPool";

    private ServerLimits() {
    }

    static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(THREADS, 8, 60_000);
        pool.setName(THREAD_NAME);
        return pool;
    }

    static void apply(HttpConfiguration http, ServerConnector connector) {
        http.setMinRequestDataRate(MIN_BODY_RATE);
        // Jetty caches header lines per connection and, by default, matches a new line to a cached one
        // ignoring the case of its value: a signature differing from an earlier one on the connection only
        // in case (base64 is case-sensitive) was read as that earlier, valid one
        http.setHeaderCacheCaseSensitive(true);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
    }
}

package io.videoworker.worker.core;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's standing with core, and its one owner. Core often starts after its components, or
 * restarts under them, so registration never holds up the HTTP listener: it runs in the background
 * and retries forever, with a backoff that doubles up to a cap, one log line per failed attempt
 * saying why (unreachable, TLS, token refused). Until core has accepted the worker's key, new
 * recordings are refused (the sender keeps its own) and publishing waits; the heartbeat reports
 * whether core is still reachable afterwards.
 */
public final class CoreLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoreLink.class);

    /** As health reports it. */
    public enum State {
        REGISTERING, UNREACHABLE, REFUSED, OK;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Registration registration;
    private final String coreHost;
    private final Duration firstPause;
    private final Duration maxPause;
    private final Consumer<AccessKey> onRegistered;
    private volatile State state = State.REGISTERING;
    private volatile boolean registered;
    private volatile String problem;
    private volatile int attempts;
    private volatile long lastHeartbeatAt;
    private Thread thread;

    /**
     * @param onRegistered runs once, on the registration thread, when core has accepted the key
     */
    public CoreLink(Registration registration, String coreHost, Duration firstPause, Duration maxPause,
            Consumer<AccessKey> onRegistered) {
        this.registration = registration;
        this.coreHost = coreHost;
        this.firstPause = firstPause;
        this.maxPause = maxPause;
        this.onRegistered = onRegistered;
    }

    public CoreLink start() {
        thread = new Thread(this::register, "core-registration");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void register() {
        long pause = firstPause.toMillis();
        while (!Thread.currentThread().isInterrupted()) {
            attempts++;
            try {
                AccessKey key = registration.attempt();
                registered = true;
                problem = null;
                state = State.OK;
                LOG.info("registered with core at {} (attempt {})", coreHost, attempts);
                onRegistered.accept(key);
                return;
            } catch (CoreException e) {
                Failure f = explain(e);
                problem = f.why();
                state = f.state();
                LOG.warn("core registration attempt {} failed: {}; next try in {} s", attempts, problem, Math.max(1, pause / 1000));
            } catch (RuntimeException e) { // a bug must not end registration for good
                problem = e.toString();
                LOG.error("core registration attempt {} failed unexpectedly; next try in {} s", attempts, pause / 1000, e);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            pause = Math.min(pause * 2, maxPause.toMillis());
        }
    }

    /** A failed attempt as health shows it, and one line for an operator: what failed and what to check. */
    record Failure(State state, String why) {
    }

    Failure explain(CoreException e) {
        Throwable cause = e.getCause();
        for (Throwable c = cause; c != null; c = c.getCause()) { // the first cause an operator can act on
            if (c instanceof SSLException) {
                return new Failure(State.UNREACHABLE, "TLS failure talking to core at " + coreHost + ": " + c.getMessage()
                        + " (IGNORE_VERIFY_CERTS=true accepts a self-signed certificate)");
            }
            String what = c instanceof UnknownHostException ? "unknown host " + c.getMessage()
                    : c instanceof HttpTimeoutException ? "timed out"
                    : c instanceof ConnectException ? "connection refused" : null;
            if (what != null) {
                return new Failure(State.UNREACHABLE, "core at " + coreHost + " unreachable (" + what + ")");
            }
        }
        if (e.status() == 0 && cause != null) {
            return new Failure(State.UNREACHABLE, "core at " + coreHost + " unreachable (" + cause + ")");
        }
        if (e.status() >= 500) { // a proxy in front of a core that is down, or core starting
            return new Failure(State.UNREACHABLE, e.getMessage());
        }
        return new Failure(State.REFUSED, e.getMessage()); // 4xx, or no token to register with
    }

    /** Whether core has accepted the worker's key (once is enough: the key is kept). */
    public boolean registered() {
        return registered;
    }

    public State state() {
        return state;
    }

    /** Why core is not {@link State#OK}, or null. */
    public String problem() {
        return problem;
    }

    /** Null once registered, else why the worker cannot take recordings or publish yet. */
    public String notReady() {
        if (registered) {
            return null;
        }
        String why = problem;
        return "the worker is not registered with core yet" + (why == null ? "" : ": " + why);
    }

    /** The heartbeat's word on core after registration. */
    public void heartbeat(boolean reached, String why) {
        if (!registered) {
            return;
        }
        state = reached ? State.OK : State.UNREACHABLE;
        problem = reached ? null : why;
        if (reached) {
            lastHeartbeatAt = System.currentTimeMillis();
        }
    }

    /** When core last answered a heartbeat (epoch ms), or 0. */
    public long lastHeartbeatAt() {
        return lastHeartbeatAt;
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}

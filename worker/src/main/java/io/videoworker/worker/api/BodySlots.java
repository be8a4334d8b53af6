package io.videoworker.worker.api;

import io.javalin.http.Handler;
import java.util.concurrent.Semaphore;

/**
 * Admission for endpoints that read a request body: at most {@link ServerLimits#MAX_BODIES} at
 * once. Beyond that a caller is refused at once, with the body unread and the connection closed,
 * rather than queued: a queued request holds a thread as surely as a slow one, and Lion, refused,
 * keeps its recording and stores it itself.
 */
final class BodySlots {
    private final Semaphore slots = new Semaphore(ServerLimits.MAX_BODIES);

    /** The endpoint, run only with a slot; {@code busy} answers when there is none. */
    Handler admit(Handler endpoint, Handler busy) {
        return ctx -> {
            if (!slots.tryAcquire()) {
                ctx.header("Connection", "close");
                busy.handle(ctx);
                return;
            }
            try {
                endpoint.handle(ctx);
            } finally {
                slots.release();
            }
        };
    }

    /** Slots in use now. */
    int inUse() {
        return ServerLimits.MAX_BODIES - slots.availablePermits();
    }
}

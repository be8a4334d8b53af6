package io.videoworker.worker.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.EofException;

/**
 * A request body whose read failures are marked as the caller's: a body that stops, trickles
 * below {@link ServerLimits#MIN_BODY_RATE}, is cut short or has a broken chunk is a refused
 * request (one warning line), not a fault of the worker's disk (an error), which an
 * {@link IOException} from the spool is. Jetty reports these four ways; they become one
 * {@link BrokenException} with a status and a sentence.
 */
final class RequestBody extends FilterInputStream {
    /** The caller's body could not be read to its end. */
    static final class BrokenException extends IOException {
        private final int status;

        BrokenException(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    RequestBody(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException | BadMessageException e) {
            throw broken(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException | BadMessageException e) {
            throw broken(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException | BadMessageException e) {
            throw broken(e);
        }
    }

    static BrokenException broken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BrokenException b) {
                return b;
            }
            if (t instanceof BadMessageException bad && bad.getCode() == 408) {
                return new BrokenException(408, "request body too slow: under " + ServerLimits.MIN_BODY_RATE
                        + " bytes a second", e);
            }
            if (t instanceof BadMessageException bad) { // a broken chunk, a bad length
                return new BrokenException(400, "malformed request body: " + (bad.getReason() == null ? "HTTP " + bad.getCode()
                        : bad.getReason()), e);
            }
            if (t instanceof TimeoutException) {
                return new BrokenException(408, "request body stalled: no data for " + ServerLimits.IDLE_TIMEOUT.toSeconds() + " s", e);
            }
        }
        if (e instanceof EofException) {
            // Jetty says only "Early EOF" for both
            return new BrokenException(400, "request body incomplete: the connection closed or its chunked encoding broke ("
                    + e.getMessage() + ")", e);
        }
        return new BrokenException(400, "request body unreadable: " + e.getMessage(), e);
    }
}

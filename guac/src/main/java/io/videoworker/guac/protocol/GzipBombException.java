package io.videoworker.guac.protocol;

/**
 * The input inflates far more than any recording does: refused as a whole, never skipped as
 * damage.
 */
public final class GzipBombException extends GuacFormatException {
    GzipBombException(String input, long offset, long instruction, long ratio) {
        super(input, offset, instruction, "input inflates more than " + ratio
                + " times its compressed size; refusing it as a likely gzip bomb");
    }
}

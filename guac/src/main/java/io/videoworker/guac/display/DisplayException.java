package io.videoworker.guac.display;

/** A drawing request beyond the configured limits (absurd size, too many layers). */
public class DisplayException extends RuntimeException {
    public DisplayException(String message) {
        super(message);
    }
}

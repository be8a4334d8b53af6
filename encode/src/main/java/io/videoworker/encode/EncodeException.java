package io.videoworker.encode;

/**
 * A failure of the encoder or of FFmpeg while writing or reading an MP4.
 *
 * <p>Unchecked: callers cannot recover from a broken encoder beyond giving up
 * on the output, and the writer already cleans up after itself on close.
 */
public class EncodeException extends RuntimeException {

    public EncodeException(String message) {
        super(message);
    }

    public EncodeException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.videoworker.guac;

/**
 * The recording asks for something refused (an absurd size, too many layers) or cannot be
 * rendered at all. The message names the input, the byte offset and the instruction number.
 */
public class RecordingException extends RuntimeException {
    public RecordingException(String message) {
        super(message);
    }

    public RecordingException(String message, Throwable cause) {
        super(message, cause);
    }
}

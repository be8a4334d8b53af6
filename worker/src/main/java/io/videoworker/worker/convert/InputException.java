package io.videoworker.worker.convert;

/** The input is unusable: not a recording, nothing decodable, a listed part missing, refused. */
public class InputException extends Exception {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}

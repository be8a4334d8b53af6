package io.videoworker.guac.image;

/** The bytes of an image stream could not be decoded, or describe an image beyond the limits. */
public class ImageFormatException extends Exception {
    public ImageFormatException(String message) {
        super(message);
    }

    public ImageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.videoworker.guac.image;

/**
 * A decoded image as premultiplied ARGB pixels ({@code TYPE_INT_ARGB_PRE} layout), row-major,
 * stride = width.
 */
public record DecodedImage(int width, int height, int[] pixels) {
}

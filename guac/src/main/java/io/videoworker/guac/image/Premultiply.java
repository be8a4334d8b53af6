package io.videoworker.guac.image;

/**
 * Premultiplication of straight-alpha colour into {@code TYPE_INT_ARGB_PRE} pixels, with the
 * rounding each browser decoder uses, so that the premultiplied values match what Chromium keeps
 * in memory after decoding.
 */
final class Premultiply {

    private Premultiply() {
    }

    /**
     * Rounded: {@code round(c * a / 255)}. Chromium's PNG and JPEG decoders premultiply this way
     * (Skia's multiply-divide-by-255 with rounding).
     */
    static int rounded(int alpha, int red, int green, int blue) {
        if (alpha == 255) {
            return 0xFF000000 | red << 16 | green << 8 | blue;
        }
        if (alpha == 0) {
            return 0;
        }
        return alpha << 24 | mulDiv255Round(red, alpha) << 16 | mulDiv255Round(green, alpha) << 8
                | mulDiv255Round(blue, alpha);
    }

    /** {@code round(c * a / 255)} for 8-bit c and a, exactly, without a division. */
    static int mulDiv255Round(int c, int a) {
        int product = c * a + 128;
        return (product + (product >> 8)) >> 8;
    }

    /**
     * libwebp's premultiplication (used by Chromium for WebP with alpha): {@code c * a / 255}
     * truncated, computed as {@code (c * a * 32897) >> 23} where 32897 ≈ 2^23 / 255. Fully
     * opaque pixels are left untouched.
     */
    static int libwebp(int alpha, int red, int green, int blue) {
        if (alpha == 255) {
            return 0xFF000000 | red << 16 | green << 8 | blue;
        }
        int multiplier = alpha * 32897;
        return alpha << 24 | (red * multiplier) >>> 23 << 16 | (green * multiplier) >>> 23 << 8
                | (blue * multiplier) >>> 23;
    }
}

package io.videoworker.guac.image;

/**
 * Turns the decoded planes of a lossy WebP (VP8, 4:2:0) into ARGB exactly as libwebp's default
 * RGB output does, which is what Chromium shows:
 *
 * <ol>
 *   <li><b>"Fancy" chroma upsampling.</b> Every output pixel gets its U and V from the four
 *       chroma samples around it, weighted 9:3:3:1 toward the nearest one, rounded as
 *       {@code (9 n + 3 a + 3 b + f + 8) >> 4}. libwebp evaluates it in two truncating steps
 *       (see {@link #upsampleRow}); those give exactly the same value, since
 *       {@code floor(floor(x / 8) / 2) == floor(x / 16)}. At the picture's edges the missing
 *       neighbour row or column is replaced by the nearest one, which reduces to
 *       {@code (3 n + f + 2) >> 2} there.</li>
 *   <li><b>BT.601 limited-range YUV to RGB</b> in 14-bit fixed point, with the products kept to
 *       8 fractional bits first (emulating a 16-bit "multiply high") and a 6-bit final descale
 *       with clipping (see {@link #toRed}).</li>
 *   <li>Alpha (from the ALPH chunk, full resolution) is attached unchanged and then premultiplied
 *       as libwebp does for premultiplied output ({@link Premultiply#libwebp}).</li>
 * </ol>
 *
 * <p>Not thread-safe: holds scratch rows. One instance per decoder.
 */
final class WebpYuvConverter {

    // YUV -> RGB, the BT.601 "studio swing" matrix scaled by 2^14:
    //   1.164 * 2^14 = 19077 (luma gain)   1.596 * 2^14 = 26149 (V in red)
    //   0.391 * 2^14 =  6419 (U in green)  0.813 * 2^14 = 13320 (V in green)
    //   2.018 * 2^14 = 33050 (U in blue)
    // Each sample is multiplied as "(sample << 8) * coefficient >> 16", i.e. sample * coeff >> 8,
    // which leaves 6 fractional bits. The offsets fold in the -16 luma and -128 chroma offsets
    // (e.g. red: -(16 * 19077 + 128 * 26149) / 256 = -14266.8) plus half a unit of the result
    // (32 = 0.5 * 2^6), so that the final ">> 6" rounds: -14266.8 + 32 ≈ -14234.
    private static final int LUMA_GAIN = 19077;
    private static final int RED_FROM_V = 26149;
    private static final int GREEN_FROM_U = 6419;
    private static final int GREEN_FROM_V = 13320;
    private static final int BLUE_FROM_U = 33050;
    private static final int RED_OFFSET = -14234;
    private static final int GREEN_OFFSET = 8708;
    private static final int BLUE_OFFSET = -17685;
    private static final int FRACTION_BITS = 6;
    /** Values with any bit outside these 14 are out of the 0..255 range once descaled. */
    private static final int IN_RANGE_MASK = (256 << FRACTION_BITS) - 1;

    // Per-sample products, precomputed: index = sample value 0..255.
    private static final int[] LUMA = new int[256];
    private static final int[] RED_V = new int[256];
    private static final int[] GREEN_U = new int[256];
    private static final int[] GREEN_V = new int[256];
    private static final int[] BLUE_U = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            LUMA[i] = multiplyHigh(i, LUMA_GAIN);
            RED_V[i] = multiplyHigh(i, RED_FROM_V);
            GREEN_U[i] = multiplyHigh(i, GREEN_FROM_U);
            GREEN_V[i] = multiplyHigh(i, GREEN_FROM_V);
            BLUE_U[i] = multiplyHigh(i, BLUE_FROM_U);
        }
    }

    private int[] upsampledU = new int[0];
    private int[] upsampledV = new int[0];

    /**
     * Converts one 4:2:0 picture into premultiplied ARGB.
     *
     * @param y luma plane, {@code height} rows of {@code yStride} bytes
     * @param u chroma planes, {@code (height+1)/2} rows of {@code uvStride} bytes, each
     *          {@code (width+1)/2} samples wide
     * @param alpha full-resolution alpha plane, or null when opaque
     * @param out receives {@code width*height} pixels, stride {@code width}
     */
    void convert(int width, int height, byte[] y, int yStride, byte[] u, byte[] v, int uvStride,
                 byte[] alpha, int alphaStride, int[] out) {
        if (upsampledU.length < width) {
            upsampledU = new int[width];
            upsampledV = new int[width];
        }
        int chromaRows = (height + 1) >> 1;
        for (int row = 0; row < height; row++) {
            // Output row 2k-1 and 2k lie between chroma rows k-1 and k: row 2k-1 is nearer to
            // k-1, row 2k nearer to k. Row 0 and (for even heights) the last row lie outside the
            // chroma grid and use the nearest chroma row twice.
            int nearRow;
            int farRow;
            if ((row & 1) == 0) {
                nearRow = row >> 1;
                farRow = Math.max(nearRow - 1, 0);
            } else {
                nearRow = row >> 1;
                farRow = Math.min(nearRow + 1, chromaRows - 1);
            }
            upsampleRow(u, nearRow * uvStride, farRow * uvStride, width, upsampledU);
            upsampleRow(v, nearRow * uvStride, farRow * uvStride, width, upsampledV);

            int lumaStart = row * yStride;
            int outStart = row * width;
            int alphaStart = row * alphaStride;
            for (int x = 0; x < width; x++) {
                int luma = y[lumaStart + x] & 0xFF;
                int cu = upsampledU[x];
                int cv = upsampledV[x];
                int red = toRed(luma, cv);
                int green = toGreen(luma, cu, cv);
                int blue = toBlue(luma, cu);
                int pixel = 0xFF000000 | red << 16 | green << 8 | blue;
                if (alpha != null) {
                    pixel = Premultiply.libwebp(alpha[alphaStart + x] & 0xFF, red, green, blue);
                }
                out[outStart + x] = pixel;
            }
        }
    }

    /**
     * Upsamples one chroma row horizontally and vertically at once.
     *
     * <p>{@code near} is the chroma row nearest to the output row, {@code far} the other
     * neighbouring chroma row (the same row at the picture's top and bottom edge). Output pixel
     * {@code 2x-1} is nearest to chroma column {@code x-1}, pixel {@code 2x} to column {@code x}.
     * For a pixel with nearest column {@code n} and other column {@code o}, libwebp computes
     * <pre>
     *   diagonal = (N[n] + N[o] + F[n] + F[o] + 8 + 2 * (N[o] + F[n])) >> 3
     *   value    = (N[n] + diagonal) >> 1
     * </pre>
     * which equals {@code (9 N[n] + 3 N[o] + 3 F[n] + F[o] + 8) >> 4} exactly. The first column,
     * and the last one when the width is even, have no second column: there the value is the
     * vertical blend {@code (3 N + F + 2) >> 2} alone (the same formula with {@code o = n}).
     */
    static void upsampleRow(byte[] plane, int nearStart, int farStart, int width, int[] out) {
        int nearLeft = plane[nearStart] & 0xFF;
        int farLeft = plane[farStart] & 0xFF;
        out[0] = (3 * nearLeft + farLeft + 2) >> 2;
        int lastPair = (width - 1) >> 1;
        for (int x = 1; x <= lastPair; x++) {
            int nearRight = plane[nearStart + x] & 0xFF;
            int farRight = plane[farStart + x] & 0xFF;
            int sum = nearLeft + nearRight + farLeft + farRight + 8;
            // Pixel 2x-1: nearest column x-1 (left), other column x (right).
            int diagonalLeft = (sum + 2 * (nearRight + farLeft)) >> 3;
            out[2 * x - 1] = (nearLeft + diagonalLeft) >> 1;
            // Pixel 2x: nearest column x (right), other column x-1 (left).
            int diagonalRight = (sum + 2 * (nearLeft + farRight)) >> 3;
            out[2 * x] = (nearRight + diagonalRight) >> 1;
            nearLeft = nearRight;
            farLeft = farRight;
        }
        if ((width & 1) == 0) {
            // The last pixel of an even row sits right of the last chroma column.
            out[width - 1] = (3 * nearLeft + farLeft + 2) >> 2;
        }
    }

    static int toRed(int luma, int v) {
        return clipAndDescale(LUMA[luma] + RED_V[v] + RED_OFFSET);
    }

    static int toGreen(int luma, int u, int v) {
        return clipAndDescale(LUMA[luma] - GREEN_U[u] - GREEN_V[v] + GREEN_OFFSET);
    }

    static int toBlue(int luma, int u) {
        return clipAndDescale(LUMA[luma] + BLUE_U[u] + BLUE_OFFSET);
    }

    /** {@code sample * coefficient} keeping 8 fractional bits: the 16-bit "multiply high" of (sample << 8). */
    private static int multiplyHigh(int sample, int coefficient) {
        return (sample * coefficient) >> 8;
    }

    /** Drops the 6 fractional bits; values below 0 become 0, above 255 become 255. */
    private static int clipAndDescale(int value) {
        if ((value & ~IN_RANGE_MASK) == 0) {
            return value >> FRACTION_BITS;
        }
        return value < 0 ? 0 : 255;
    }
}

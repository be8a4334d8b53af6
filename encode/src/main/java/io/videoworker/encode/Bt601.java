package io.videoworker.encode;

import java.nio.ByteBuffer;

/**
 * RGB to 4:2:0 YCbCr, ITU-R BT.601 limited range, in plain Java.
 *
 * <p>This is the encoder's hot path: guacenc spent most of its time in swscale
 * converting whole frames. We convert only the damaged rectangle, straight
 * from the renderer's int pixels, into Java rows that go to the native planes
 * with one bulk copy each.
 *
 * <p>Input pixels are {@code 0xAARRGGBB}, premultiplied over black, so alpha is
 * ignored. Pixels right of or below the canvas (odd-size padding) read as black.
 * Coefficients are 16-bit fixed point; every result lands in 16..235 (Y) and
 * 16..240 (Cb, Cr) without clamping.
 *
 * <p>No Vector API: what is left to convert on busy-1min is about 25 Mpixels,
 * 40 ms at 1.6 ns a pixel, against about 8 s of x264; even a free conversion
 * would not pay for --add-modules jdk.incubator.vector in every JVM we start.
 */
final class Bt601 {

    // Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, scaled by 2^16; luma goes through tables
    // (measured ~15 % faster than multiplying on JDK 17, which does not vectorise these loops)
    private static final int Y_OFFSET = (16 << 16) + (1 << 15);
    private static final int[] Y_R = table(16829, Y_OFFSET);
    private static final int[] Y_G = table(33039, 0);
    private static final int[] Y_B = table(6416, 0);
    // Cb = 128 + (-37.797 R - 74.203 G + 112 B) / 255; Cr = 128 + (112 R - 93.786 G - 18.214 B) / 255
    private static final int UR = -9714;
    private static final int UG = -19070;
    private static final int UB = 28784;
    private static final int VR = 28784;
    private static final int VG = -24103;
    private static final int VB = -4681;
    /** Chroma works on the sum of a 2x2 block: scale 2^16 * 4 = 2^18. */
    private static final int C_OFFSET = (128 << 18) + (1 << 17);
    static final byte BLACK_Y = 16;
    static final byte BLACK_C = (byte) 128;

    private byte[] yTop = new byte[0];
    private byte[] yBottom = new byte[0];
    private byte[] uRow = new byte[0];
    private byte[] vRow = new byte[0];
    /** Stands in for the row below the canvas when the height is odd. */
    private int[] blackRow = new int[0];

    /**
     * Converts the even-aligned rectangle [x0, x1) x [y0, y1) of the canvas into the planes, where
     * {@code x1 <= canvasWidth + 1} and {@code y1 <= canvasHeight + 1}. Plane coordinates equal canvas
     * coordinates.
     */
    void convert(int[] argb, int canvasWidth, int canvasHeight, int x0, int y0, int x1, int y1,
                 ByteBuffer yPlane, int yStride, ByteBuffer uPlane, int uStride, ByteBuffer vPlane, int vStride) {
        if ((x0 | y0 | x1 | y1) % 2 != 0 || x1 > canvasWidth + 1 || y1 > canvasHeight + 1) {
            throw new IllegalArgumentException("rectangle " + x0 + "," + y0 + " - " + x1 + "," + y1
                    + " is not even-aligned inside " + canvasWidth + "x" + canvasHeight);
        }
        int width = x1 - x0;
        if (width <= 0 || y1 <= y0) {
            return;
        }
        ensureRows(width, canvasWidth);
        // column pairs inside the canvas take the fast loop; an odd last column pairs with black
        int pairedEnd = Math.min(x1, canvasWidth & ~1);
        for (int y = y0; y < y1; y += 2) {
            int top = y * canvasWidth;
            int[] below = argb;
            int bottom = top + canvasWidth;
            if (y + 1 >= canvasHeight) {
                below = blackRow;
                bottom = 0;
            }
            pairs(argb, top, below, bottom, x0, pairedEnd);
            if (pairedEnd < x1) {
                lastColumn(argb[top + pairedEnd], below[bottom + pairedEnd], pairedEnd - x0);
            }
            yPlane.put(y * yStride + x0, yTop, 0, width);
            yPlane.put((y + 1) * yStride + x0, yBottom, 0, width);
            int c = y >> 1;
            uPlane.put(c * uStride + (x0 >> 1), uRow, 0, width >> 1);
            vPlane.put(c * vStride + (x0 >> 1), vRow, 0, width >> 1);
        }
    }

    /**
     * Columns [x0, to) of row {@code top} of {@code argb} and row {@code bottom} of {@code below}.
     * Every index is linear in the one loop counter, so C2 drops the bounds checks (separate
     * counters for source, luma and chroma measured 2.1 against 1.6 ns a pixel).
     */
    private void pairs(int[] argb, int top, int[] below, int bottom, int x0, int to) {
        byte[] yt = yTop;
        byte[] yb = yBottom;
        byte[] u = uRow;
        byte[] v = vRow;
        int t = top + x0;
        int d = bottom + x0;
        for (int j = 0, n = (to - x0) >> 1; j < n; j++) {
            int p0 = argb[t + 2 * j];
            int p1 = argb[t + 2 * j + 1];
            int p2 = below[d + 2 * j];
            int p3 = below[d + 2 * j + 1];
            yt[2 * j] = luma(p0);
            yt[2 * j + 1] = luma(p1);
            yb[2 * j] = luma(p2);
            yb[2 * j + 1] = luma(p3);
            // R and B sums (each at most 1020) share an int 16 bits apart without carrying into each other
            int rb = (p0 & 0xff00ff) + (p1 & 0xff00ff) + (p2 & 0xff00ff) + (p3 & 0xff00ff);
            int g = ((p0 & 0xff00) + (p1 & 0xff00) + (p2 & 0xff00) + (p3 & 0xff00)) >>> 8;
            int r = rb >>> 16;
            int b = rb & 0xffff;
            u[j] = (byte) ((UR * r + UG * g + UB * b + C_OFFSET) >> 18);
            v[j] = (byte) ((VR * r + VG * g + VB * b + C_OFFSET) >> 18);
        }
    }

    /** The pair at row offset {@code i} whose right column is padding. */
    private void lastColumn(int top, int bottom, int i) {
        yTop[i] = luma(top);
        yTop[i + 1] = BLACK_Y;
        yBottom[i] = luma(bottom);
        yBottom[i + 1] = BLACK_Y;
        int rb = (top & 0xff00ff) + (bottom & 0xff00ff);
        int g = ((top & 0xff00) + (bottom & 0xff00)) >>> 8;
        int r = rb >>> 16;
        int b = rb & 0xffff;
        uRow[i >> 1] = (byte) ((UR * r + UG * g + UB * b + C_OFFSET) >> 18);
        vRow[i >> 1] = (byte) ((VR * r + VG * g + VB * b + C_OFFSET) >> 18);
    }

    static byte luma(int p) {
        return (byte) ((Y_R[(p >> 16) & 255] + Y_G[(p >> 8) & 255] + Y_B[p & 255]) >> 16);
    }

    private void ensureRows(int width, int canvasWidth) {
        if (yTop.length < width) {
            yTop = new byte[width];
            yBottom = new byte[width];
            uRow = new byte[width >> 1];
            vRow = new byte[width >> 1];
        }
        if (blackRow.length < canvasWidth + 1) {
            blackRow = new int[canvasWidth + 1];
        }
    }

    private static int[] table(int coefficient, int offset) {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            t[i] = coefficient * i + offset;
        }
        return t;
    }
}

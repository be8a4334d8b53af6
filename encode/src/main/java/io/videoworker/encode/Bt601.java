package io.videoworker.encode;

import java.nio.ByteBuffer;

/**
 * RGB to 4:2:0 YCbCr, ITU-R BT.601 limited range, in plain Java.
 *
 * <p>This is the encoder's hot path: guacenc spent most of its time in swscale
 * converting whole frames. We convert only the damaged rectangle, straight
 * from the renderer's int pixels, one bulk copy per plane row.
 *
 * <p>Input pixels are {@code 0xAARRGGBB}, premultiplied over black, so alpha is
 * ignored. Pixels right of or below the canvas (odd-size padding) read as black.
 * Coefficients are 16-bit fixed point; every result lands in 16..235 (Y) and
 * 16..240 (Cb, Cr) without clamping.
 */
final class Bt601 {

    // Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, scaled by 2^16
    private static final int YR = 16829;
    private static final int YG = 33039;
    private static final int YB = 6416;
    private static final int Y_OFFSET = (16 << 16) + (1 << 15);
    // Cb = 128 + (-37.797 R - 74.203 G + 112 B) / 255; Cr = 128 + (112 R - 93.786 G - 18.214 B) / 255
    private static final int UR = -9714;
    private static final int UG = -19070;
    private static final int UB = 28784;
    private static final int VR = 28784;
    private static final int VG = -24103;
    private static final int VB = -4681;
    /** Chroma works on the sum of a 2x2 block: scale 2^16 * 4 = 2^18. */
    private static final int C_OFFSET = (128 << 18) + (1 << 17);

    private byte[] yTop = new byte[0];
    private byte[] yBottom = new byte[0];
    private byte[] uRow = new byte[0];
    private byte[] vRow = new byte[0];

    /**
     * Converts the even-aligned rectangle [x0, x1) x [y0, y1) of the canvas into the planes.
     * Plane coordinates equal canvas coordinates; the planes must cover the rectangle.
     */
    void convert(int[] argb, int canvasWidth, int canvasHeight, int x0, int y0, int x1, int y1,
                 ByteBuffer yPlane, int yStride, ByteBuffer uPlane, int uStride, ByteBuffer vPlane, int vStride) {
        assert (x0 & 1) == 0 && (y0 & 1) == 0 && (x1 & 1) == 0 && (y1 & 1) == 0;
        int width = x1 - x0;
        if (width <= 0 || y1 <= y0) {
            return;
        }
        ensureRows(width);
        // Pairs of columns fully inside the canvas take the fast loop; an odd last column pairs with black.
        int pairedEnd = Math.min(x1, canvasWidth & ~1);
        for (int y = y0; y < y1; y += 2) {
            int top = y < canvasHeight ? y * canvasWidth : -1;
            int bottom = y + 1 < canvasHeight ? (y + 1) * canvasWidth : -1;
            if (top < 0) {
                blackRows(width);
            } else if (bottom < 0) {
                rowPairs(argb, top, -1, x0, pairedEnd, true);
                tail(argb, canvasWidth, top, top, pairedEnd, x1, x0, true);
            } else {
                rowPairs(argb, top, bottom, x0, pairedEnd, false);
                tail(argb, canvasWidth, top, bottom, pairedEnd, x1, x0, false);
            }
            yPlane.put(y * yStride + x0, yTop, 0, width);
            yPlane.put((y + 1) * yStride + x0, yBottom, 0, width);
            int c = (y >> 1);
            uPlane.put(c * uStride + (x0 >> 1), uRow, 0, width >> 1);
            vPlane.put(c * vStride + (x0 >> 1), vRow, 0, width >> 1);
        }
    }

    /**
     * Columns [x0, to) of two canvas rows (the bottom row black when {@code bottomBlack}). Luma runs in
     * simple counted loops the JIT can vectorise; chroma sums each 2x2 block with R and B packed in one int.
     */
    private void rowPairs(int[] argb, int top, int bottom, int x0, int to, boolean bottomBlack) {
        int n = to - x0;
        luma(argb, top + x0, yTop, n);
        if (bottomBlack) {
            java.util.Arrays.fill(yBottom, 0, n, (byte) (Y_OFFSET >> 16));
        } else {
            luma(argb, bottom + x0, yBottom, n);
        }
        byte[] u = uRow;
        byte[] v = vRow;
        int a = top + x0;
        int b = bottomBlack ? -1 : bottom + x0;
        for (int j = 0, i = 0; i < n; j++, i += 2) {
            int p0 = argb[a + i];
            int p1 = argb[a + i + 1];
            int p2 = b < 0 ? 0 : argb[b + i];
            int p3 = b < 0 ? 0 : argb[b + i + 1];
            // R and B sums (each at most 1020) share an int 16 bits apart without carrying into each other
            int rb = (p0 & 0xff00ff) + (p1 & 0xff00ff) + (p2 & 0xff00ff) + (p3 & 0xff00ff);
            int g = ((p0 & 0xff00) + (p1 & 0xff00) + (p2 & 0xff00) + (p3 & 0xff00)) >>> 8;
            int r = rb >>> 16;
            int bl = rb & 0xffff;
            u[j] = (byte) ((UR * r + UG * g + UB * bl + C_OFFSET) >> 18);
            v[j] = (byte) ((VR * r + VG * g + VB * bl + C_OFFSET) >> 18);
        }
    }

    private static void luma(int[] argb, int from, byte[] out, int n) {
        for (int i = 0; i < n; i++) {
            int p = argb[from + i];
            out[i] = (byte) ((YR * ((p >> 16) & 255) + YG * ((p >> 8) & 255) + YB * (p & 255) + Y_OFFSET) >> 16);
        }
    }

    /** The last pair when the canvas width is odd: its right pixel is padding (black). */
    private void tail(int[] argb, int canvasWidth, int top, int bottom, int from, int x1, int x0,
                      boolean bottomBlack) {
        if (from >= x1) {
            return;
        }
        int x = from; // == canvasWidth - 1, the only column left
        int p0 = x < canvasWidth ? argb[top + x] : 0;
        int p2 = x < canvasWidth && !bottomBlack ? argb[bottom + x] : 0;
        int r0 = (p0 >> 16) & 255, g0 = (p0 >> 8) & 255, b0 = p0 & 255;
        int r2 = (p2 >> 16) & 255, g2 = (p2 >> 8) & 255, b2 = p2 & 255;
        int i = x - x0;
        byte black = (byte) (Y_OFFSET >> 16);
        yTop[i] = (byte) ((YR * r0 + YG * g0 + YB * b0 + Y_OFFSET) >> 16);
        yTop[i + 1] = black;
        yBottom[i] = (byte) ((YR * r2 + YG * g2 + YB * b2 + Y_OFFSET) >> 16);
        yBottom[i + 1] = black;
        int r = r0 + r2;
        int g = g0 + g2;
        int b = b0 + b2;
        uRow[i >> 1] = (byte) ((UR * r + UG * g + UB * b + C_OFFSET) >> 18);
        vRow[i >> 1] = (byte) ((VR * r + VG * g + VB * b + C_OFFSET) >> 18);
    }

    private void blackRows(int width) {
        java.util.Arrays.fill(yTop, 0, width, (byte) 16);
        java.util.Arrays.fill(yBottom, 0, width, (byte) 16);
        java.util.Arrays.fill(uRow, 0, width >> 1, (byte) 128);
        java.util.Arrays.fill(vRow, 0, width >> 1, (byte) 128);
    }

    private void ensureRows(int width) {
        if (yTop.length < width) {
            yTop = new byte[width];
            yBottom = new byte[width];
            uRow = new byte[width >> 1];
            vRow = new byte[width >> 1];
        }
    }

    /** Y of one pixel, for tests. */
    static int luma(int rgb) {
        int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
        return (YR * r + YG * g + YB * b + Y_OFFSET) >> 16;
    }
}

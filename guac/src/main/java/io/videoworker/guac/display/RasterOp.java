package io.videoworker.guac.display;

/**
 * Guacamole's {@code transfer} functions (ROP2): bit {@code (s?0:2)+(d?0:1)} of the function is
 * the result bit for source bit s and destination bit d, applied to R, G and B. The destination
 * keeps its alpha, except SRC (0x3) and NSRC (0xC), which take the source's, as the browser does.
 */
public final class RasterOp {
    private RasterOp() {
    }

    public static void transfer(int[] src, int ss, int sx, int sy, int w, int h,
                                int[] dst, int ds, int dx, int dy, int function) {
        int f = function & 0xF;
        boolean srcAlpha = f == 0x3 || f == 0xC;
        for (int row = 0; row < h; row++) {
            int si = (sy + row) * ss + sx;
            int di = (dy + row) * ds + dx;
            for (int i = 0; i < w; i++) {
                int s = Compositor.unpremultiply(src[si + i]);
                int d = Compositor.unpremultiply(dst[di + i]);
                int rgb = apply(f, s, d) & 0xFFFFFF;
                int a = srcAlpha ? s >>> 24 : d >>> 24;
                dst[di + i] = Compositor.premultiply(a << 24 | rgb);
            }
        }
    }

    /** The function applied bitwise to two words. */
    public static int apply(int f, int s, int d) {
        int r = 0;
        if ((f & 1) != 0) {
            r |= s & d;
        }
        if ((f & 2) != 0) {
            r |= s & ~d;
        }
        if ((f & 4) != 0) {
            r |= ~s & d;
        }
        if ((f & 8) != 0) {
            r |= ~s & ~d;
        }
        return r;
    }
}

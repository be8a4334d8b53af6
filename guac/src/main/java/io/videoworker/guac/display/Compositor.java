package io.videoworker.guac.display;

/**
 * Porter-Duff compositing of premultiplied ARGB pixels with Guacamole's channel masks:
 * result = src·Fa + dst·Fb, applied only inside the drawn rectangle. Callers clip first.
 */
public final class Compositor {
    public static final int RIN = 0x1;
    public static final int ROUT = 0x2;
    public static final int IN = 0x4;
    public static final int ATOP = 0x6;
    public static final int OUT = 0x8;
    public static final int RATOP = 0x9;
    public static final int XOR = 0xA;
    public static final int ROVER = 0xB;
    public static final int SRC = 0xC;
    public static final int OVER = 0xE;
    public static final int PLUS = 0xF;

    // factor kinds: 0 = zero, 1 = one, 2 = alpha of the other pixel, 3 = 1 - that alpha
    private static final int[] FA = new int[16];
    private static final int[] FB = new int[16];

    static {
        for (int m = 0; m < 16; m++) {
            FA[m] = 1;
            FB[m] = 3; // anything unknown composites as OVER, as guacenc does
        }
        set(RIN, 0, 2);
        set(ROUT, 0, 3);
        set(IN, 2, 0);
        set(ATOP, 2, 3);
        set(OUT, 3, 0);
        set(RATOP, 3, 2);
        set(XOR, 3, 3);
        set(ROVER, 3, 1);
        set(SRC, 1, 0);
        set(OVER, 1, 3);
        set(PLUS, 1, 1);
    }

    private static void set(int mask, int fa, int fb) {
        FA[mask] = fa;
        FB[mask] = fb;
    }

    private Compositor() {
    }

    /** The mask as one of the defined operators (unknown values become OVER). */
    public static int normalize(int mask) {
        int m = mask & 0xF;
        return (FA[m] == 1 && FB[m] == 3) ? OVER : m == PLUS ? PLUS : m;
    }

    /** True if the operator leaves destination pixels untouched wherever the source is transparent. */
    public static boolean transparentSourceIsNoop(int mask) {
        int m = normalize(mask);
        return m == OVER || m == PLUS || m == ATOP || m == XOR || m == ROVER;
    }

    /** Composites a w×h block of src (at sx,sy, row stride ss) onto dst (at dx,dy, stride ds). */
    public static void composite(int[] src, int ss, int sx, int sy, int w, int h,
                                 int[] dst, int ds, int dx, int dy, int mask) {
        int m = normalize(mask);
        for (int row = 0; row < h; row++) {
            int si = (sy + row) * ss + sx;
            int di = (dy + row) * ds + dx;
            if (m == SRC) {
                System.arraycopy(src, si, dst, di, w);
            } else if (m == OVER) {
                overRow(src, si, dst, di, w);
            } else {
                generalRow(src, si, dst, di, w, m);
            }
        }
    }

    /** Fills the rectangle of dst with one premultiplied colour. */
    public static void fill(int color, int[] dst, int ds, int x, int y, int w, int h, int mask) {
        int m = normalize(mask);
        int sa = color >>> 24;
        if (m == OVER && sa == 0) {
            return;
        }
        if (m == SRC || (m == OVER && sa == 255)) {
            for (int row = 0; row < h; row++) {
                int di = (y + row) * ds + x;
                java.util.Arrays.fill(dst, di, di + w, color);
            }
            return;
        }
        for (int row = 0; row < h; row++) {
            int di = (y + row) * ds + x;
            for (int i = 0; i < w; i++) {
                dst[di + i] = blend(color, dst[di + i], m);
            }
        }
    }

    private static void overRow(int[] src, int si, int[] dst, int di, int w) {
        for (int i = 0; i < w; i++) {
            int s = src[si + i];
            int sa = s >>> 24;
            if (sa == 255) {
                dst[di + i] = s;
            } else if (sa != 0) {
                dst[di + i] = over(s, dst[di + i]);
            }
        }
    }

    private static void generalRow(int[] src, int si, int[] dst, int di, int w, int m) {
        for (int i = 0; i < w; i++) {
            dst[di + i] = blend(src[si + i], dst[di + i], m);
        }
    }

    /** src OVER dst, premultiplied. */
    public static int over(int s, int d) {
        int inv = 255 - (s >>> 24);
        return s + (mul(d >>> 24, inv) << 24 | mul((d >> 16) & 0xFF, inv) << 16
                | mul((d >> 8) & 0xFF, inv) << 8 | mul(d & 0xFF, inv));
    }

    /** One pixel of any operator. */
    public static int blend(int s, int d, int mask) {
        int m = normalize(mask);
        int sa = s >>> 24;
        int da = d >>> 24;
        if (m == PLUS) {
            return Math.min(255, sa + da) << 24
                    | Math.min(255, ((s >> 16) & 0xFF) + ((d >> 16) & 0xFF)) << 16
                    | Math.min(255, ((s >> 8) & 0xFF) + ((d >> 8) & 0xFF)) << 8
                    | Math.min(255, (s & 0xFF) + (d & 0xFF));
        }
        int fa = factor(FA[m], da);
        int fb = factor(FB[m], sa);
        return channel(s >>> 24, d >>> 24, fa, fb) << 24
                | channel((s >> 16) & 0xFF, (d >> 16) & 0xFF, fa, fb) << 16
                | channel((s >> 8) & 0xFF, (d >> 8) & 0xFF, fa, fb) << 8
                | channel(s & 0xFF, d & 0xFF, fa, fb);
    }

    private static int factor(int kind, int alpha) {
        switch (kind) {
            case 0: return 0;
            case 1: return 255;
            case 2: return alpha;
            default: return 255 - alpha;
        }
    }

    private static int channel(int s, int d, int fa, int fb) {
        return Math.min(255, div255(s * fa + d * fb));
    }

    /** a·b/255, rounded. */
    public static int mul(int a, int b) {
        return div255(a * b);
    }

    static int div255(int x) {
        x += 128;
        return (x + (x >>> 8)) >>> 8;
    }

    /** Premultiplies a non-premultiplied ARGB pixel. */
    public static int premultiply(int argb) {
        int a = argb >>> 24;
        if (a == 255) {
            return argb;
        }
        if (a == 0) {
            return 0;
        }
        return a << 24 | mul((argb >> 16) & 0xFF, a) << 16 | mul((argb >> 8) & 0xFF, a) << 8 | mul(argb & 0xFF, a);
    }

    /** Inverse of {@link #premultiply}, as a canvas' getImageData() reports pixels. */
    public static int unpremultiply(int p) {
        int a = p >>> 24;
        if (a == 255 || a == 0) {
            return a == 0 ? 0 : p;
        }
        return a << 24 | un((p >> 16) & 0xFF, a) << 16 | un((p >> 8) & 0xFF, a) << 8 | un(p & 0xFF, a);
    }

    private static int un(int c, int a) {
        return Math.min(255, (c * 255 + a / 2) / a);
    }
}

package io.videoworker.guac.display;

import java.util.Arrays;

/**
 * What changed on screen since it was last taken: a few rectangles covering every change.
 *
 * <p>Not one bounding box: on a busy desktop (terminals typing in different windows, a clock, the
 * pointer) the box spans much of the screen while the changes cover a few percent, and the encoder
 * compares every damaged pixel with the picture it converted before (bench busy-1min: 19.6 % of
 * the canvas a frame as one box, 1.7 % as rectangles). Overlapping or touching rectangles are
 * merged; past {@link #MAX} the new one joins the rectangle it grows least.
 */
public final class Damage {

    /** Rectangles kept; each costs the encoder one pass (a few calls), so the list stays short. */
    public static final int MAX = 8;

    /** x0, y0, x1, y1 (exclusive) of each rectangle. */
    private final int[] rects = new int[4 * MAX];
    private int count;

    public void add(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0) {
            return;
        }
        int x0 = x;
        int y0 = y;
        int x1 = x + w;
        int y1 = y + h;
        // a rectangle that overlaps or touches another becomes their union, which may meet others;
        // when none is met and the list is full, the union with the rectangle it grows least
        for (int i = touching(x0, y0, x1, y1); i >= 0 || count == MAX; i = touching(x0, y0, x1, y1)) {
            if (i < 0) {
                i = leastGrown(x0, y0, x1, y1);
            }
            int j = 4 * i;
            x0 = Math.min(x0, rects[j]);
            y0 = Math.min(y0, rects[j + 1]);
            x1 = Math.max(x1, rects[j + 2]);
            y1 = Math.max(y1, rects[j + 3]);
            remove(i);
        }
        int j = 4 * count++;
        rects[j] = x0;
        rects[j + 1] = y0;
        rects[j + 2] = x1;
        rects[j + 3] = y1;
    }

    /** The first rectangle that overlaps or touches the given one, or -1. */
    private int touching(int x0, int y0, int x1, int y1) {
        for (int i = 0; i < count; i++) {
            int j = 4 * i;
            if (x0 <= rects[j + 2] && rects[j] <= x1 && y0 <= rects[j + 3] && rects[j + 1] <= y1) {
                return i;
            }
        }
        return -1;
    }

    public void addAll(int w, int h) {
        add(0, 0, w, h);
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public void clear() {
        count = 0;
    }

    /**
     * The rectangles clipped to w×h, as {x, y, width, height} one after another (none empty,
     * none overlapping), or null when nothing inside changed.
     */
    public int[] clipped(int w, int h) {
        int[] out = new int[4 * count];
        int n = 0;
        for (int j = 0; j < 4 * count; j += 4) {
            int ax = Math.max(0, rects[j]);
            int ay = Math.max(0, rects[j + 1]);
            int bx = Math.min(w, rects[j + 2]);
            int by = Math.min(h, rects[j + 3]);
            if (ax < bx && ay < by) {
                out[n++] = ax;
                out[n++] = ay;
                out[n++] = bx - ax;
                out[n++] = by - ay;
            }
        }
        return n == 0 ? null : n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** The rectangle whose union with the given one adds the least area to it. */
    private int leastGrown(int x0, int y0, int x1, int y1) {
        int best = 0;
        long least = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            int j = 4 * i;
            long union = area(Math.min(x0, rects[j]), Math.min(y0, rects[j + 1]),
                    Math.max(x1, rects[j + 2]), Math.max(y1, rects[j + 3]));
            long grown = union - area(rects[j], rects[j + 1], rects[j + 2], rects[j + 3]);
            if (grown < least) {
                least = grown;
                best = i;
            }
        }
        return best;
    }

    private static long area(int x0, int y0, int x1, int y1) {
        return (long) (x1 - x0) * (y1 - y0);
    }

    private void remove(int i) {
        count--;
        System.arraycopy(rects, 4 * (i + 1), rects, 4 * i, 4 * (count - i));
    }
}

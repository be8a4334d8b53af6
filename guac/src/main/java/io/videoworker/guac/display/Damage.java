package io.videoworker.guac.display;

/** The bounding rectangle of what changed on screen since it was last taken. */
public final class Damage {
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = Integer.MIN_VALUE;
    int y1 = Integer.MIN_VALUE;

    public void add(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0) {
            return;
        }
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + w);
        y1 = Math.max(y1, y + h);
    }

    public void addAll(int w, int h) {
        add(0, 0, w, h);
    }

    public boolean isEmpty() {
        return x0 >= x1 || y0 >= y1;
    }

    public void clear() {
        x0 = y0 = Integer.MAX_VALUE;
        x1 = y1 = Integer.MIN_VALUE;
    }

    /** The damaged rectangle clipped to w×h as {x, y, width, height}, or null when empty. */
    public int[] clipped(int w, int h) {
        int ax = Math.max(0, x0);
        int ay = Math.max(0, y0);
        int bx = Math.min(w, x1);
        int by = Math.min(h, y1);
        return ax < bx && ay < by ? new int[] {ax, ay, bx - ax, by - ay} : null;
    }
}

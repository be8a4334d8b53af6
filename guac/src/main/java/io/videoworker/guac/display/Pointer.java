package io.videoworker.guac.display;

/** The mouse pointer: an image snapshot from the last {@code cursor}, its hotspot and position. */
public final class Pointer {
    int[] image = new int[0];
    int width;
    int height;
    int hotX;
    int hotY;
    int x;
    int y;
    boolean visible; // the player shows no pointer before the first mouse instruction

    /** Left edge of the pointer image on screen. */
    public int left() {
        return x - hotX;
    }

    public int top() {
        return y - hotY;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean visible() {
        return visible && width > 0 && height > 0;
    }

    void reset() {
        image = new int[0];
        width = 0;
        height = 0;
        hotX = 0;
        hotY = 0;
        visible = false;
    }

    /** Draws the pointer OVER {@code dst} (stride dw, height dh), clipped to it. */
    public void drawOnto(int[] dst, int dw, int dh) {
        if (!visible()) {
            return;
        }
        int x0 = Math.max(0, left());
        int y0 = Math.max(0, top());
        int x1 = Math.min(dw, left() + width);
        int y1 = Math.min(dh, top() + height);
        if (x0 >= x1 || y0 >= y1) {
            return;
        }
        Compositor.composite(image, width, x0 - left(), y0 - top(), x1 - x0, y1 - y0, dst, dw, x0, y0, Compositor.OVER);
    }
}

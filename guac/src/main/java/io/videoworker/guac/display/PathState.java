package io.videoworker.guac.display;

import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Path2D;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A layer's canvas-like drawing state: the current path (kept also as plain integer rectangles
 * while it is only that, the common case), the clip and the drawing transform, with push/pop.
 * As in the browser client, the first path instruction after a fill or stroke starts a new path.
 */
final class PathState {
    Path2D.Double path = new Path2D.Double();
    /** x, y, w, h quadruples while the path is only axis-aligned integer rectangles. */
    int[] rects = new int[16];
    int rectCount;
    boolean onlyRects = true;
    boolean empty = true;
    private boolean consumed;

    AffineTransform transform = new AffineTransform();
    Shape clip; // device space; null = none
    double miterLimit = 10;
    private final Deque<Object[]> saved = new ArrayDeque<>();

    int elements; // path instructions in the current path, counted by the Display against its limit

    /**
     * Called before a path instruction: a path that was filled or stroked is done. Returns how
     * many elements were dropped with it.
     */
    int beginSegment() {
        if (!consumed) {
            return 0;
        }
        path = new Path2D.Double();
        rectCount = 0;
        onlyRects = true;
        empty = true;
        consumed = false;
        int dropped = elements;
        elements = 0;
        return dropped;
    }

    void consumed() {
        consumed = true;
    }

    void rect(int x, int y, int w, int h) {
        beginSegment();
        path.append(new java.awt.Rectangle(x, y, w, h), false);
        if (onlyRects && transform.isIdentity()) {
            if (rectCount * 4 == rects.length) {
                rects = java.util.Arrays.copyOf(rects, rects.length * 2);
            }
            int i = rectCount++ * 4;
            rects[i] = x;
            rects[i + 1] = y;
            rects[i + 2] = w;
            rects[i + 3] = h;
        } else {
            onlyRects = false;
        }
        empty = false;
    }

    /** Any other path element: the path is no longer plain rectangles. */
    Path2D.Double general() {
        beginSegment();
        onlyRects = false;
        empty = false;
        return path;
    }

    /** The path in device space (the drawing transform applied). */
    Shape deviceShape() {
        return transform.isIdentity() ? path : transform.createTransformedShape(path);
    }

    /** True when the rectangles of a rect-only path do not overlap (so each can be filled alone). */
    boolean rectsDisjoint() {
        for (int i = 0; i < rectCount; i++) {
            for (int j = i + 1; j < rectCount; j++) {
                int a = i * 4;
                int b = j * 4;
                if (rects[a] < rects[b] + rects[b + 2] && rects[b] < rects[a] + rects[a + 2]
                        && rects[a + 1] < rects[b + 1] + rects[b + 3] && rects[b + 1] < rects[a + 1] + rects[a + 3]) {
                    return false;
                }
            }
        }
        return true;
    }

    void clipToPath() {
        Area area = new Area(deviceShape());
        if (clip != null) {
            area.intersect(new Area(clip));
        }
        clip = area;
        consumed();
    }

    void push() {
        if (saved.size() < 1024) {
            saved.push(new Object[] {new AffineTransform(transform), clip});
        }
    }

    void pop() {
        Object[] s = saved.poll();
        if (s != null) {
            transform = (AffineTransform) s[0];
            clip = (Shape) s[1];
        }
    }

    void reset() {
        saved.clear();
        clip = null;
        transform = new AffineTransform();
    }
}

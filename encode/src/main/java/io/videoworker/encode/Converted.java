package io.videoworker.encode;

import java.util.Arrays;

/**
 * The canvas as last converted into the planes, to find what in a damaged rectangle really changed.
 *
 * <p>Invariant kept with {@link Picture}: every 2x2 block of the planes is the conversion of this
 * copy's block. A block whose four pixels equal the copy therefore needs no work, and the output is
 * the same as converting the whole rectangle. The copy is exactly one canvas: it is replaced on a
 * resize, never grown.
 */
final class Converted {

    /**
     * Equal columns that end a changed span; fewer are converted along with it. A span costs one
     * {@link Bt601#convert} call (four bulk puts), about what converting this many columns costs
     * (busy-1min: 8 to 64 alike within noise, 4 slower by a fifth).
     */
    static final int GAP = 16;

    private int[] pixels = new int[0];
    private int width;
    private int height;
    private int end;

    /** Remembers the whole canvas, just converted whole. */
    void reset(int[] argb, int canvasWidth, int canvasHeight) {
        int size = canvasWidth * canvasHeight;
        if (pixels.length != size) {
            pixels = new int[size];
        }
        System.arraycopy(argb, 0, pixels, 0, size);
        width = canvasWidth;
        height = canvasHeight;
    }

    /** Drops the copy (the picture is not converted block by block). */
    void clear() {
        pixels = new int[0];
        width = 0;
        height = 0;
    }

    /**
     * Finds the next span of the 2-row strip at even {@code y}, within even columns
     * [{@code from}, {@code to}), whose blocks differ from the copy: returns its even start, or -1
     * when there is none; {@link #end} is its even end (at most {@code to}). The span's pixels are
     * taken into the copy: the caller must convert it now.
     */
    int next(int[] argb, int y, int from, int to) {
        int top = y * width;
        // the row below an odd canvas is padding, which never changes: compare the top row twice
        int bottom = y + 1 < height ? top + width : top;
        int limit = Math.min(to, width);
        int first = mismatch(argb, top, from, limit);
        int below = mismatch(argb, bottom, from, first < 0 ? limit : first);
        if (below >= 0) {
            first = below;
        }
        if (first < 0) {
            return -1;
        }
        int last = first;
        for (int x = first + 1; x < limit && x - last <= GAP; x++) {
            if (argb[top + x] != pixels[top + x] || argb[bottom + x] != pixels[bottom + x]) {
                last = x;
            }
        }
        int start = first & ~1;
        end = VideoSettings.even(last + 1);
        int copied = Math.min(end, width) - start;
        System.arraycopy(argb, top + start, pixels, top + start, copied);
        System.arraycopy(argb, bottom + start, pixels, bottom + start, copied);
        return start;
    }

    /** The end of the span {@link #next} found last. */
    int end() {
        return end;
    }

    /** First column in [from, to) of the row at {@code offset} that differs from the copy, or -1. */
    private int mismatch(int[] argb, int offset, int from, int to) {
        if (from >= to) {
            return -1;
        }
        int m = Arrays.mismatch(argb, offset + from, offset + to, pixels, offset + from, offset + to);
        return m < 0 ? -1 : from + m;
    }
}

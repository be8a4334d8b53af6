package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Picture converts only what differs from the canvas it converted last ({@link Converted}): after
 * every update its planes must equal a fresh whole-canvas {@link Bt601} conversion, wherever the
 * changes fall and however loosely the rectangle bounds them.
 */
class PictureChangesTest {

    private static final Path NAME = Path.of("picture-changes-test.mp4");
    private static final int GAP = Converted.GAP;

    /** Y, Cb, Cr of the whole canvas converted afresh, in a picture of the canvas's even size. */
    private static byte[][] fresh(Canvas c) {
        int w = VideoSettings.even(c.width);
        int h = VideoSettings.even(c.height);
        ByteBuffer y = ByteBuffer.allocate(w * h);
        ByteBuffer u = ByteBuffer.allocate(w * h / 4);
        ByteBuffer v = ByteBuffer.allocate(w * h / 4);
        new Bt601().convert(c.pixels, c.width, c.height, 0, 0, w, h, y, w, u, w / 2, v, w / 2);
        return new byte[][] {y.array(), u.array(), v.array()};
    }

    /** Holds a picture of the canvas's even size and checks it after each update. */
    private static final class Checked implements AutoCloseable {
        final Canvas canvas;
        final Picture picture;
        int step;

        Checked(Canvas canvas) {
            this.canvas = canvas;
            picture = new Picture(VideoSettings.even(canvas.width), VideoSettings.even(canvas.height), false, NAME);
            update(0, 0, canvas.width, canvas.height);
        }

        /** Sets one pixel and reports exactly it. */
        void pixel(int x, int y, int argb) {
            canvas.pixels[y * canvas.width + x] = argb;
            update(x, y, 1, 1);
        }

        void update(int x, int y, int w, int h) {
            update(canvas, x, y, w, h);
        }

        void update(Canvas c, int x, int y, int w, int h) {
            picture.update(c.pixels, c.width, c.height, x, y, w, h);
            step++;
            byte[][] expected = fresh(c);
            byte[][] actual = PictureTest.planes(picture, VideoSettings.even(c.width), VideoSettings.even(c.height));
            for (int i = 0; i < 3; i++) {
                assertThat(actual[i]).as("plane %d of %dx%d at step %d (rectangle %d,%d %dx%d)", i, c.width,
                        c.height, step, x, y, w, h).isEqualTo(expected[i]);
            }
        }

        @Override
        public void close() {
            picture.close();
        }
    }

    @ParameterizedTest
    @CsvSource({"101, 75", "64, 48", "1, 1", "3, 5", "2, 7", "67, 2", "130, 3"})
    void singlePixelsAtOddPlacesAndEdges(int width, int height) {
        try (Checked p = new Checked(new Canvas(width, height).noise(1, 3))) {
            int right = width - 1;
            int bottom = height - 1;
            int oddX = Math.min(right, right / 2 | 1);
            int oddY = Math.min(bottom, bottom / 2 | 1);
            int[][] at = {{0, 0}, {right, 0}, {0, bottom}, {right, bottom}, {oddX, oddY}, {oddX & ~1, oddY},
                    {oddX, oddY & ~1}, {right, bottom / 2}};
            int colour = 0xff102030;
            for (int[] xy : at) {
                p.pixel(xy[0], xy[1], colour += 0x0b0d07);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"101, 75", "130, 4", "129, 3"})
    void changesInAWholeCanvasRectangle(int width, int height) {
        try (Checked p = new Checked(new Canvas(width, height).noise(2, 1))) {
            // nothing changed at all
            p.update(0, 0, width, height);
            // only the lower row of a strip, then only the upper; one pixel inside a large rectangle
            p.canvas.rect(5, 1, 1, 1, 0xffff0000);
            p.update(0, 0, width, height);
            p.canvas.rect(width - 2, 2, 1, 1, 0xff00ff00);
            p.update(0, 0, width, height);
            p.canvas.rect(width / 2, height - 1, 1, 1, 0xff0000ff);
            p.update(1, 1, width - 1, height - 1);
        }
    }

    @Test
    void changesApartByAboutTheGapInOneStrip() {
        // equal columns between two changes: fewer than, exactly and more than GAP, at odd and even places
        for (int apart = GAP - 2; apart <= GAP + 3; apart++) {
            for (int first = 3; first <= 4; first++) {
                try (Checked p = new Checked(new Canvas(3 * GAP + 11, 5).noise(apart, 1))) {
                    int second = first + apart + 1;
                    p.canvas.rect(first, 2, 1, 1, 0xff123456);
                    p.canvas.rect(second, 3, 1, 1, 0xff654321);
                    p.update(first, 2, second - first + 1, 2);
                    // the far end of the canvas, past another gap
                    p.canvas.rect(second + GAP + 1, 3, 1, 1, 0xffabcdef);
                    p.canvas.rect(p.canvas.width - 1, 2, 1, 1, 0xfffedcba);
                    p.update(0, 0, p.canvas.width, p.canvas.height);
                }
            }
        }
    }

    @Test
    void randomChangesInLooseRectangles() {
        Random random = new Random(7);
        for (int[] size : new int[][] {{101, 75}, {64, 48}, {33, 17}}) {
            try (Checked p = new Checked(new Canvas(size[0], size[1]).noise(3, 2))) {
                for (int i = 0; i < 300; i++) {
                    // a few small changes, some of them repainting the same colour
                    int x0 = size[0];
                    int y0 = size[1];
                    int x1 = 0;
                    int y1 = 0;
                    for (int n = random.nextInt(4); n >= 0; n--) {
                        int x = random.nextInt(size[0]);
                        int y = random.nextInt(size[1]);
                        int w = 1 + random.nextInt(Math.min(8, size[0] - x));
                        int h = 1 + random.nextInt(Math.min(8, size[1] - y));
                        int colour = random.nextInt(3) == 0 ? p.canvas.pixels[y * size[0] + x]
                                : 0xff000000 | random.nextInt(0x1000000);
                        p.canvas.rect(x, y, w, h, colour);
                        x0 = Math.min(x0, x);
                        y0 = Math.min(y0, y);
                        x1 = Math.max(x1, x + w);
                        y1 = Math.max(y1, y + h);
                    }
                    // reported as their bounding box, grown by up to 20 pixels (clipped by Picture)
                    int l = x0 - random.nextInt(20);
                    int t = y0 - random.nextInt(20);
                    p.update(l, t, x1 - l + random.nextInt(20), y1 - t + random.nextInt(20));
                }
            }
        }
    }

    @Test
    void resizesStartOverWithTheNewCanvas() {
        Canvas small = new Canvas(101, 75).noise(4, 3);
        Canvas even = new Canvas(102, 76).noise(5, 3);
        try (Checked p = new Checked(small)) {
            // same picture size, other canvas width: the copy must take the new stride
            p.update(even, 0, 0, 1, 1);
            even.rect(101, 75, 1, 1, 0xff00ffff);
            p.update(even, 100, 74, 2, 2);
            // back to the first canvas, changed meanwhile where the copy holds other pixels
            small.rect(10, 10, 5, 5, 0xffff00ff);
            p.update(small, 0, 0, 0, 0);
            small.rect(11, 11, 1, 1, 0xff00ff00);
            p.update(small, 11, 11, 1, 1);
            // through a scaled canvas (whole frames by swscale) and back
            p.picture.update(new Canvas(300, 100).fill(0xffffffff).pixels, 300, 100, 0, 0, 300, 100);
            p.update(small, 0, 0, 0, 0);
            small.rect(100, 74, 1, 1, 0xff0000ff);
            p.update(small, 100, 74, 1, 1);
        }
    }

    /** Colour bytes of every plane without row padding (bgr0's fourth byte left out: it means nothing). */
    private static byte[] colourBytes(Picture p, int width, int height, boolean rgb) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        AVFrame f = p.frame();
        for (int i = 0; i < (rgb ? 1 : 3); i++) {
            int rowBytes = rgb ? 4 * width : i == 0 ? width : width / 2;
            int rows = i == 0 ? height : height / 2;
            byte[] row = new byte[rowBytes];
            for (int r = 0; r < rows; r++) {
                f.data(i).position((long) r * f.linesize(i)).get(row);
                for (int b = 0; b < rowBytes; b++) {
                    if (!rgb || b % 4 != 3) {
                        out.write(row[b]);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @CsvSource({"false, 101, 75", "true, 101, 75", "false, 200, 100", "true, 200, 100"})
    void severalRectanglesInOneUpdate(boolean rgb, int width, int height) {
        // direct and scaled (letterboxed into 102x76), yuv and bgr0: each rectangle is taken
        Canvas canvas = new Canvas(width, height).noise(8, 3);
        try (Picture p = new Picture(102, 76, rgb, NAME);
             Picture fresh = new Picture(102, 76, rgb, NAME)) {
            p.update(canvas.pixels, width, height, 0, 0, width, height);
            canvas.rect(3, 5, 7, 9, 0xffff0000).rect(60, 40, 30, 20, 0xff00ff00).rect(width - 1, height - 1, 1, 1, -1);
            p.update(canvas.pixels, width, height, 3, 5, 7, 9, 60, 40, 30, 20, width - 1, height - 1, 1, 1);
            fresh.update(canvas.pixels, width, height, 0, 0, width, height);
            assertThat(colourBytes(p, 102, 76, rgb)).isEqualTo(colourBytes(fresh, 102, 76, rgb));
        }
    }

    @Test
    void pixelsChangedOutsideTheRectangleShowWhenARectangleCovers() {
        // A renderer that under-reports: the outside keeps the picture converted before, as it always
        // did, and a later rectangle over it converts it (it differs from what was converted).
        try (Checked p = new Checked(new Canvas(40, 20).noise(6, 1))) {
            byte[][] before = fresh(p.canvas);
            p.canvas.rect(30, 15, 1, 1, 0xffffffff);
            p.picture.update(p.canvas.pixels, 40, 20, 0, 0, 10, 10);
            assertThat(PictureTest.planes(p.picture, 40, 20)).isDeepEqualTo(before);
            p.update(28, 14, 4, 2);
        }
    }
}

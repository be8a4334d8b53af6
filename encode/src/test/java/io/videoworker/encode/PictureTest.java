package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.junit.jupiter.api.Test;

class PictureTest {

    private static final Path NAME = Path.of("picture-test.mp4");

    /** Plane {@code i} of the frame without its row padding. */
    private static byte[] plane(Picture picture, int i, int width, int height) {
        AVFrame f = picture.frame();
        int w = i == 0 ? width : width / 2;
        int h = i == 0 ? height : height / 2;
        byte[] out = new byte[w * h];
        for (int row = 0; row < h; row++) {
            f.data(i).position((long) row * f.linesize(i)).get(out, row * w, w);
        }
        return out;
    }

    static byte[][] planes(Picture p, int width, int height) {
        return new byte[][] {plane(p, 0, width, height), plane(p, 1, width, height), plane(p, 2, width, height)};
    }

    private static byte[][] fullConversion(Canvas canvas, int width, int height) {
        try (Picture p = new Picture(width, height, false, NAME)) {
            p.update(canvas.pixels, canvas.width, canvas.height, 0, 0, canvas.width, canvas.height);
            return planes(p, width, height);
        }
    }

    @Test
    void dirtyRectanglesGiveTheSamePlanesAsAFullConversion() {
        Canvas canvas = new Canvas(101, 75).noise(1, 3);
        try (Picture p = new Picture(102, 76, false, NAME)) {
            p.update(canvas.pixels, 101, 75, 0, 0, 101, 75);
            // odd positions and sizes, one touching the padded right and bottom edges
            int[][] rects = {{13, 7, 5, 3}, {0, 0, 1, 1}, {96, 70, 5, 5}, {51, 0, 1, 75}, {40, 40, 0, 9}};
            long seed = 2;
            for (int[] r : rects) {
                Canvas patch = new Canvas(r[2], Math.max(1, r[3])).noise(seed++, 1);
                for (int y = 0; y < r[3]; y++) {
                    for (int x = 0; x < r[2]; x++) {
                        canvas.pixels[(r[1] + y) * 101 + r[0] + x] = patch.pixels[y * r[2] + x];
                    }
                }
                p.update(canvas.pixels, 101, 75, r[0], r[1], r[2], r[3]);
                byte[][] expected = fullConversion(canvas, 102, 76);
                byte[][] actual = planes(p, 102, 76);
                for (int i = 0; i < 3; i++) {
                    assertThat(actual[i]).as("plane %d after rect %s", i, java.util.Arrays.toString(r))
                            .isEqualTo(expected[i]);
                }
            }
        }
    }

    @Test
    void rectanglesOutsideTheCanvasAreClipped() {
        Canvas canvas = new Canvas(64, 48).fill(0xff808080);
        try (Picture p = new Picture(64, 48, false, NAME)) {
            p.update(canvas.pixels, 64, 48, 0, 0, 64, 48);
            p.update(canvas.pixels, 64, 48, -10, -10, 1000, 1000);
            p.update(canvas.pixels, 64, 48, 500, 500, 10, 10);
            assertThat(planes(p, 64, 48)[0]).isEqualTo(fullConversion(canvas, 64, 48)[0]);
        }
    }

    @Test
    void rejectsPixelsThatDoNotFitTheCanvas() {
        try (Picture p = new Picture(64, 48, false, NAME)) {
            assertThatThrownBy(() -> p.update(new int[10], 64, 48, 0, 0, 64, 48))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64x48");
        }
    }

    @Test
    void letterboxCentresTheCanvasBetweenBlackBars() {
        // 2:1 canvas into 4:3: box 64x32 at y 8, bars above and below
        Canvas canvas = new Canvas(200, 100).fill(0xffffffff);
        try (Picture p = new Picture(64, 48, false, NAME)) {
            p.update(canvas.pixels, 200, 100, 0, 0, 200, 100);
            byte[] luma = plane(p, 0, 64, 48);
            for (int y = 0; y < 48; y++) {
                int expected = y >= 8 && y < 40 ? 235 : 16;
                assertThat(luma[y * 64 + 32] & 255).as("row %d", y).isEqualTo(expected);
            }
            // back to a direct canvas: the bars are gone, the whole picture is the new canvas
            Canvas direct = new Canvas(64, 48).fill(0xff0000ff);
            p.update(direct.pixels, 64, 48, 0, 0, 1, 1);
            assertThat(planes(p, 64, 48)[0]).isEqualTo(fullConversion(direct, 64, 48)[0]);
        }
    }

    @Test
    void losslessLetterboxScalesInRgb() {
        Canvas canvas = new Canvas(100, 100).fill(0xff10e070);
        try (Picture p = new Picture(64, 48, true, NAME)) {
            p.update(canvas.pixels, 100, 100, 0, 0, 100, 100);
            AVFrame f = p.frame();
            int[] row = new int[64];
            long offset = 24L * f.linesize(0);
            f.data(0).position(offset).limit(offset + 4 * 64).asByteBuffer()
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(row);
            // 48x48 box centred at x 8: black bars, then the colour (the fourth byte is undefined)
            assertThat(row[3] & 0xffffff).isZero();
            assertThat(row[60] & 0xffffff).isZero();
            assertThat(row[32] & 0xffffff).isEqualTo(0x10e070);
        }
    }

    @Test
    void emptyCanvasIsBlack() {
        try (Picture p = new Picture(16, 16, false, NAME)) {
            p.update(new int[0], 0, 0, 0, 0, 0, 0);
            assertThat(plane(p, 0, 16, 16)).containsOnly((byte) 16);
        }
    }
}

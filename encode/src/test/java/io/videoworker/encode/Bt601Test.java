package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Bt601Test {

    /** One 2x2 block of a single colour -> {Y, Cb, Cr}. */
    private static int[] convert(int argb) {
        int[] px = {argb, argb, argb, argb};
        ByteBuffer y = ByteBuffer.allocate(4);
        ByteBuffer u = ByteBuffer.allocate(1);
        ByteBuffer v = ByteBuffer.allocate(1);
        new Bt601().convert(px, 2, 2, 0, 0, 2, 2, y, 2, u, 1, v, 1);
        assertThat(y.get(1)).isEqualTo(y.get(0));
        return new int[] {y.get(0) & 255, u.get(0) & 255, v.get(0) & 255};
    }

    @Test
    void matchesTheBt601LimitedRangeTable() {
        assertThat(convert(0xff000000)).containsExactly(16, 128, 128);
        assertThat(convert(0xffffffff)).containsExactly(235, 128, 128);
        assertThat(convert(0xffff0000)).containsExactly(81, 90, 240);
        assertThat(convert(0xff00ff00)).containsExactly(145, 54, 34);
        assertThat(convert(0xff0000ff)).containsExactly(41, 240, 110);
    }

    @Test
    void ignoresAlpha() {
        assertThat(convert(0x00ff0000)).containsExactly(convert(0xffff0000));
    }

    @Test
    void agreesWithTheFormulaWithinRounding() {
        for (int c = 0; c < 0x1000000; c += 0x010307) {
            int r = (c >> 16) & 255, g = (c >> 8) & 255, b = c & 255;
            double yf = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
            double uf = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255;
            double vf = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255;
            int[] yuv = convert(0xff000000 | c);
            assertThat((double) yuv[0]).isCloseTo(yf, org.assertj.core.data.Offset.offset(0.51));
            assertThat((double) yuv[1]).isCloseTo(uf, org.assertj.core.data.Offset.offset(0.51));
            assertThat((double) yuv[2]).isCloseTo(vf, org.assertj.core.data.Offset.offset(0.51));
        }
    }

    @Test
    void oddCanvasPadsWithBlack() {
        // 3x3 white canvas in a 4x4 picture: the padding column and row are black luma
        int[] px = new int[9];
        java.util.Arrays.fill(px, 0xffffffff);
        ByteBuffer y = ByteBuffer.allocate(16);
        ByteBuffer u = ByteBuffer.allocate(4);
        ByteBuffer v = ByteBuffer.allocate(4);
        new Bt601().convert(px, 3, 3, 0, 0, 4, 4, y, 4, u, 2, v, 2);
        for (int row = 0; row < 4; row++) {
            for (int col = 0; col < 4; col++) {
                int expected = row < 3 && col < 3 ? 235 : 16;
                assertThat(y.get(row * 4 + col) & 255).as("Y at %d,%d", col, row).isEqualTo(expected);
            }
        }
        assertThat(u.get(0) & 255).isEqualTo(128);
        assertThat(u.get(3) & 255).isEqualTo(128);
    }
}

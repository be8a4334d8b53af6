package io.videoworker.guac.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PremultiplyTest {

    @Test
    void roundedIsRoundOfProductOver255ForEveryPair() {
        for (int a = 0; a < 256; a++) {
            for (int c = 0; c < 256; c++) {
                int expected = (int) Math.round(c * a / 255.0);
                assertThat(Premultiply.mulDiv255Round(c, a)).as("c=%d a=%d", c, a).isEqualTo(expected);
            }
        }
    }

    @Test
    void libwebpIsFloorOfProductOver255ForEveryPair() {
        for (int a = 0; a < 256; a++) {
            for (int c = 0; c < 256; c++) {
                int pixel = Premultiply.libwebp(a, c, 255 - c, c / 2);
                assertThat(pixel >>> 24).isEqualTo(a);
                assertThat(pixel >> 16 & 0xFF).as("c=%d a=%d", c, a).isEqualTo(c * a / 255);
                assertThat(pixel >> 8 & 0xFF).isEqualTo((255 - c) * a / 255);
                assertThat(pixel & 0xFF).isEqualTo(c / 2 * a / 255);
            }
        }
    }

    @Test
    void opaqueAndTransparentShortcuts() {
        assertThat(Premultiply.rounded(255, 1, 2, 3)).isEqualTo(0xFF010203);
        assertThat(Premultiply.rounded(0, 1, 2, 3)).isZero();
        assertThat(Premultiply.libwebp(255, 1, 2, 3)).isEqualTo(0xFF010203);
        assertThat(Premultiply.libwebp(0, 200, 100, 50)).isZero();
        // The two roundings differ: 201 * 128 / 255 = 100.9.
        assertThat(Premultiply.rounded(128, 201, 0, 0) >> 16 & 0xFF).isEqualTo(101);
        assertThat(Premultiply.libwebp(128, 201, 0, 0) >> 16 & 0xFF).isEqualTo(100);
    }
}

package io.videoworker.guac.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link WebpYuvConverter} against a second, independent statement of libwebp's
 * arithmetic that follows its C reference structure literally: U and V packed into one unsigned
 * 32-bit word (16 bits each) and upsampled together, output rows handled as "top/bottom" pairs
 * between two chroma rows, the first row and the last row of an even height on their own.
 */
class WebpYuvConverterTest {

    @Test
    void matchesThePackedPairwiseFormulationForAllSmallSizes() {
        Random random = new Random(42);
        WebpYuvConverter converter = new WebpYuvConverter();
        for (int width = 1; width <= 37; width++) {
            for (int height = 1; height <= 19; height++) {
                int chromaWidth = (width + 1) / 2;
                int chromaHeight = (height + 1) / 2;
                int yStride = width + random.nextInt(3);
                int uvStride = chromaWidth + random.nextInt(3);
                byte[] y = randomPlane(random, yStride * height);
                byte[] u = randomPlane(random, uvStride * chromaHeight);
                byte[] v = randomPlane(random, uvStride * chromaHeight);
                byte[] alpha = random.nextBoolean() ? randomPlane(random, width * height) : null;

                int[] actual = new int[width * height];
                converter.convert(width, height, y, yStride, u, v, uvStride, alpha, width, actual);
                int[] expected = Oracle.convert(width, height, y, yStride, u, v, uvStride, alpha);

                assertThat(Fixtures.compare(expected, actual)).as("%dx%d", width, height).isEqualTo("identical");
            }
        }
    }

    @Test
    void extremeChromaIsClippedNotWrapped() {
        // Saturated chroma with bright and dark luma must clip to 0/255 in every channel.
        for (int luma : new int[] {0, 16, 128, 235, 255}) {
            for (int chroma : new int[] {0, 255}) {
                int r = WebpYuvConverter.toRed(luma, chroma);
                int g = WebpYuvConverter.toGreen(luma, chroma, chroma);
                int b = WebpYuvConverter.toBlue(luma, chroma);
                assertThat(java.util.List.of(r, g, b)).allMatch(c -> c >= 0 && c <= 255);
                assertThat(r).isEqualTo(Oracle.yuvToR(luma, chroma));
                assertThat(g).isEqualTo(Oracle.yuvToG(luma, chroma, chroma));
                assertThat(b).isEqualTo(Oracle.yuvToB(luma, chroma));
            }
        }
        // Studio-swing black and white.
        assertThat(WebpYuvConverter.toRed(16, 128)).isZero();
        assertThat(WebpYuvConverter.toGreen(235, 128, 128)).isEqualTo(255);
    }

    @Test
    void yuvToRgbMatchesTheOracleEverywhere() {
        for (int luma = 0; luma < 256; luma++) {
            for (int chroma = 0; chroma < 256; chroma += 3) {
                assertThat(WebpYuvConverter.toRed(luma, chroma)).isEqualTo(Oracle.yuvToR(luma, chroma));
                assertThat(WebpYuvConverter.toBlue(luma, chroma)).isEqualTo(Oracle.yuvToB(luma, chroma));
                assertThat(WebpYuvConverter.toGreen(luma, chroma, 255 - chroma))
                        .isEqualTo(Oracle.yuvToG(luma, chroma, 255 - chroma));
            }
        }
    }

    private static byte[] randomPlane(Random random, int size) {
        byte[] plane = new byte[size];
        // Mix of uniform noise and extremes so clipping and edge arithmetic are exercised.
        for (int i = 0; i < size; i++) {
            int kind = random.nextInt(8);
            plane[i] = (byte) (kind == 0 ? 0 : kind == 1 ? 255 : random.nextInt(256));
        }
        return plane;
    }

    /** The literal restatement. Deliberately shares no code with the class under test. */
    private static final class Oracle {

        static int[] convert(int width, int height, byte[] y, int yStride, byte[] u, byte[] v, int uvStride,
                             byte[] alpha) {
            int[] out = new int[width * height];
            // Row 0: chroma row 0 against itself.
            linePair(y, 0, -1, u, v, 0, 0, width, out, 0, -1);
            int chromaRow = 0;
            int row = 1;
            // Pairs of rows (2k-1, 2k) between chroma rows k-1 (top) and k (current).
            while (row + 1 < height) {
                linePair(y, row * yStride, (row + 1) * yStride, u, v, chromaRow * uvStride,
                        (chromaRow + 1) * uvStride, width, out, row * width, (row + 1) * width);
                chromaRow++;
                row += 2;
            }
            if (row < height) {
                // Even height: the last row against the last chroma row alone.
                linePair(y, row * yStride, -1, u, v, chromaRow * uvStride, chromaRow * uvStride, width, out,
                        row * width, -1);
            }
            if (alpha != null) {
                for (int i = 0; i < out.length; i++) {
                    int a = alpha[i] & 0xFF;
                    int rgb = out[i];
                    out[i] = Fixtures.premultiplyTruncated(a << 24 | (rgb & 0xFFFFFF));
                }
            }
            return out;
        }

        private static long load(byte[] u, byte[] v, int index) {
            return (u[index] & 0xFF) | (long) (v[index] & 0xFF) << 16;
        }

        /** One call of libwebp's line-pair upsampler, in unsigned 32-bit arithmetic. */
        private static void linePair(byte[] y, int topY, int bottomY, byte[] u, byte[] v, int topUv, int curUv,
                                     int len, int[] out, int topOut, int bottomOut) {
            final long mask = 0xFFFFFFFFL;
            long topLeft = load(u, v, topUv);
            long left = load(u, v, curUv);
            emit(y[topY] & 0xFF, ((3 * topLeft + left + 0x00020002L) & mask) >> 2, out, topOut);
            if (bottomOut >= 0) {
                emit(y[bottomY] & 0xFF, ((3 * left + topLeft + 0x00020002L) & mask) >> 2, out, bottomOut);
            }
            int lastPair = (len - 1) >> 1;
            for (int x = 1; x <= lastPair; x++) {
                long top = load(u, v, topUv + x);
                long cur = load(u, v, curUv + x);
                long avg = (topLeft + top + left + cur + 0x00080008L) & mask;
                long diag12 = ((avg + 2 * (top + left)) & mask) >> 3;
                long diag03 = ((avg + 2 * (topLeft + cur)) & mask) >> 3;
                emit(y[topY + 2 * x - 1] & 0xFF, ((diag12 + topLeft) & mask) >> 1, out, topOut + 2 * x - 1);
                emit(y[topY + 2 * x] & 0xFF, ((diag03 + top) & mask) >> 1, out, topOut + 2 * x);
                if (bottomOut >= 0) {
                    emit(y[bottomY + 2 * x - 1] & 0xFF, ((diag03 + left) & mask) >> 1, out, bottomOut + 2 * x - 1);
                    emit(y[bottomY + 2 * x] & 0xFF, ((diag12 + cur) & mask) >> 1, out, bottomOut + 2 * x);
                }
                topLeft = top;
                left = cur;
            }
            if ((len & 1) == 0) {
                emit(y[topY + len - 1] & 0xFF, ((3 * topLeft + left + 0x00020002L) & mask) >> 2, out, topOut + len - 1);
                if (bottomOut >= 0) {
                    emit(y[bottomY + len - 1] & 0xFF, ((3 * left + topLeft + 0x00020002L) & mask) >> 2, out,
                            bottomOut + len - 1);
                }
            }
        }

        private static void emit(int luma, long packedUv, int[] out, int index) {
            int cu = (int) (packedUv & 0xFF);
            int cv = (int) ((packedUv >> 16) & 0xFFFF);
            out[index] = 0xFF000000 | yuvToR(luma, cv) << 16 | yuvToG(luma, cu, cv) << 8 | yuvToB(luma, cu);
        }

        private static int mulHi(int value, int coefficient) {
            return (value * coefficient) >> 8;
        }

        private static int clip8(int value) {
            int mask = (256 << 6) - 1;
            return (value & ~mask) == 0 ? value >> 6 : value < 0 ? 0 : 255;
        }

        static int yuvToR(int y, int v) {
            return clip8(mulHi(y, 19077) + mulHi(v, 26149) - 14234);
        }

        static int yuvToG(int y, int u, int v) {
            return clip8(mulHi(y, 19077) - mulHi(u, 6419) - mulHi(v, 13320) + 8708);
        }

        static int yuvToB(int y, int u) {
            return clip8(mulHi(y, 19077) + mulHi(u, 33050) - 17685);
        }
    }
}

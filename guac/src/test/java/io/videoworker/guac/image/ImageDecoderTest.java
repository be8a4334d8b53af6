package io.videoworker.guac.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

    private ImageDecoder decoder;

    @BeforeEach
    void open() {
        decoder = new ImageDecoder();
    }

    @AfterEach
    void close() {
        decoder.close();
    }

    // ------------------------------------------------------------------ size limits

    @Test
    void oversizePngIsRefusedFromItsHeader() {
        byte[] png = TestImages.pngHeader(100_000, 100_000);
        assertThatThrownBy(() -> decoder.decode("image/png", png, png.length))
                .isInstanceOf(ImageFormatException.class)
                .hasMessage("image/png 100000x100000 exceeds the 8192x8192 limit");
    }

    @Test
    void oversizeWebpIsRefusedFromItsHeader() {
        byte[] extended = TestImages.webpVp8x(100_000, 100_000);
        assertThatThrownBy(() -> decoder.decode("image/webp", extended, extended.length))
                .isInstanceOf(ImageFormatException.class)
                .hasMessage("image/webp 100000x100000 exceeds the 8192x8192 limit");
        byte[] lossy = TestImages.webpVp8(16383, 16383);
        assertThatThrownBy(() -> decoder.decode("image/webp", lossy, lossy.length))
                .hasMessage("image/webp 16383x16383 exceeds the 8192x8192 limit");
        byte[] lossless = TestImages.webpVp8l(16384, 8193);
        assertThatThrownBy(() -> decoder.decode("image/webp", lossless, lossless.length))
                .hasMessage("image/webp 16384x8193 exceeds the 8192x8192 limit");
    }

    @Test
    void oversizeJpegIsRefusedFromItsHeader() {
        byte[] jpeg = TestImages.jpegHeader(60_000, 60_000);
        assertThatThrownBy(() -> decoder.decode("image/jpeg", jpeg, jpeg.length))
                .hasMessage("image/jpeg 60000x60000 exceeds the 8192x8192 limit");
    }

    @Test
    void overlongSideIsRefusedEvenWithFewPixels() {
        byte[] png = TestImages.pngHeader(20_000, 1);
        assertThatThrownBy(() -> decoder.decode("image/png", png, png.length))
                .hasMessage("image/png 20000x1 exceeds the maximum side of 16384");
        byte[] jpeg = TestImages.jpegHeader(1, 16385);
        assertThatThrownBy(() -> decoder.decode("image/jpeg", jpeg, jpeg.length))
                .hasMessage("image/jpeg 1x16385 exceeds the maximum side of 16384");
    }

    @Test
    void limitsAreConfigurable() throws ImageFormatException {
        byte[] webp = Fixtures.bytes("/image/webp/guacd160-0089.webp"); // 12x13 = 156 pixels
        try (ImageDecoder square = new ImageDecoder(100)) {
            assertThatThrownBy(() -> square.decode("image/webp", webp, webp.length))
                    .hasMessage("image/webp 12x13 exceeds the 10x10 limit");
        }
        try (ImageDecoder odd = new ImageDecoder(155)) {
            assertThatThrownBy(() -> odd.decode("image/webp", webp, webp.length))
                    .hasMessage("image/webp 12x13 exceeds the limit of 155 pixels");
        }
        try (ImageDecoder narrow = new ImageDecoder(1000, 12)) {
            assertThatThrownBy(() -> narrow.decode("image/webp", webp, webp.length))
                    .hasMessage("image/webp 12x13 exceeds the maximum side of 12");
        }
        try (ImageDecoder exact = new ImageDecoder(156, 13)) {
            assertThat(exact.decode("image/webp", webp, webp.length).pixels()).hasSize(156);
        }
        assertThat(new ImageDecoder(10, 100_000).maxSide()).isEqualTo(ImageDecoder.MAX_SIDE);
        assertThatThrownBy(() -> new ImageDecoder(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageDecoder(1L << 40)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ types

    @ParameterizedTest
    @ValueSource(strings = {"image/gif", "text/plain", "", "image/webpx", "image", "image/svg+xml"})
    void unknownMimetypesAreRefused(String mimetype) {
        byte[] png = Fixtures.bytes("/image/png/rgb8.png");
        assertThatThrownBy(() -> decoder.decode(mimetype, png, png.length))
                .isInstanceOf(ImageFormatException.class)
                .hasMessageStartingWith("unsupported image type '" + mimetype + "'");
        assertThat(ImageDecoder.isSupported(mimetype)).isFalse();
    }

    @Test
    void nullMimetypeIsRefused() {
        byte[] png = Fixtures.bytes("/image/png/rgb8.png");
        assertThatThrownBy(() -> decoder.decode(null, png, png.length))
                .isInstanceOf(ImageFormatException.class).hasMessageStartingWith("unsupported image type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"IMAGE/WEBP", "image/webp; charset=binary", " Image/WebP ;q=1", "image/webp;"})
    void mimetypeParametersAndCaseAreIgnored(String mimetype) throws ImageFormatException {
        byte[] webp = Fixtures.bytes("/image/webp/guacd160-0089.webp");
        assertThat(ImageDecoder.isSupported(mimetype)).isTrue();
        assertThat(decoder.decode(mimetype, webp, webp.length).width()).isEqualTo(12);
    }

    @Test
    void contentDecidesTheDecoderLikeABrowser() throws ImageFormatException {
        byte[] png = Fixtures.bytes("/image/png/rgba8.png");
        byte[] webp = Fixtures.bytes("/image/webp/guacd160-0089.webp");
        assertThat(decoder.decode("image/webp", png, png.length).pixels())
                .isEqualTo(decoder.decode("image/png", png, png.length).pixels());
        assertThat(decoder.decode("image/jpeg", webp, webp.length).pixels())
                .isEqualTo(decoder.decode("image/webp", webp, webp.length).pixels());
    }

    @Test
    void dataWithoutAnImageSignatureIsRefused() {
        byte[] text = "<html>not an image</html>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> decoder.decode("image/png", text, text.length))
                .isInstanceOf(ImageFormatException.class)
                .hasMessage("image/png data (25 bytes) has no PNG, JPEG or WebP signature");
        assertThatThrownBy(() -> decoder.decode("image/webp", new byte[0], 0))
                .isInstanceOf(ImageFormatException.class).hasMessage("image/webp stream is empty");
    }

    @Test
    void lengthMustLieWithinTheArray() {
        assertThatThrownBy(() -> decoder.decode("image/png", new byte[4], 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ------------------------------------------------------------------ JPEG

    @Test
    void jpegDecodesToImageIoPixels() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.picture(67, 45, BufferedImage.TYPE_INT_RGB), 0.9f);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(jpeg)); // 3-byte BGR, sRGB
        int[] expected = reference.getRGB(0, 0, 67, 45, null, 0, 67);

        DecodedImage image = decoder.decode("image/jpeg", jpeg, jpeg.length);

        assertThat(image.width()).isEqualTo(67);
        assertThat(image.height()).isEqualTo(45);
        assertThat(Fixtures.compare(expected, image.pixels())).isEqualTo("identical");
    }

    @Test
    void greyJpegKeepsItsRawLevels() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.picture(33, 21, BufferedImage.TYPE_BYTE_GRAY), 0.95f);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(reference.getRaster().getNumBands()).isEqualTo(1);

        DecodedImage image = decoder.decode("image/jpeg", jpeg, jpeg.length);

        for (int y = 0; y < 21; y++) {
            for (int x = 0; x < 33; x++) {
                int grey = reference.getRaster().getSample(x, y, 0);
                assertThat(image.pixels()[y * 33 + x]).isEqualTo(0xFF000000 | grey * 0x010101);
            }
        }
    }

    // ------------------------------------------------------------------ damaged data

    @Test
    void everyTruncatedWebpIsRefused() {
        for (String name : List.of("guacd160-0260.webp", "guacd160-0280.webp", "syn-97x61-lossless.webp",
                "syn-64x48-alpha-raw.webp")) {
            byte[] webp = Fixtures.bytes("/image/webp/" + name);
            for (int length = 1; length < webp.length; length++) {
                int cut = length;
                assertThatThrownBy(() -> decoder.decode("image/webp", webp, cut))
                        .as("%s cut to %d bytes", name, cut)
                        .isInstanceOf(ImageFormatException.class);
            }
        }
    }

    @Test
    void truncatedPngIsRefused() {
        for (String name : List.of("guacd155-0002-rgb-fullscreen.png", "guacd155-0303-pal8.png", "rgba16.png",
                "rgba8-interlaced.png")) {
            byte[] png = Fixtures.bytes("/image/png/" + name);
            // Cut anywhere before the last IDAT's final 8 bytes (zlib's Adler-32 and the chunk CRC):
            // past that point every pixel is present and a browser shows the whole image too.
            int pixelDataEnd = indexOf(png, "IEND") - 4 - 8;
            List<Integer> cuts = cutPoints(pixelDataEnd, 150);
            for (int cut : cuts) {
                assertThatThrownBy(() -> decoder.decode("image/png", png, cut))
                        .as("%s cut to %d of %d bytes", name, cut, png.length)
                        .isInstanceOf(ImageFormatException.class);
            }
        }
    }

    @Test
    void truncatedJpegIsRefused() {
        byte[] jpeg = TestImages.jpeg(TestImages.picture(120, 80, BufferedImage.TYPE_INT_RGB), 0.8f);
        for (int cut : cutPoints(jpeg.length * 9 / 10, 120)) {
            assertThatThrownBy(() -> decoder.decode("image/jpeg", jpeg, cut))
                    .as("cut to %d of %d bytes", cut, jpeg.length)
                    .isInstanceOf(ImageFormatException.class);
        }
    }

    @Test
    void corruptedDataGivesAnImageOrAnImageFormatExceptionNothingElse() {
        Random random = new Random(20240611);
        List<byte[]> originals = new ArrayList<>();
        for (String name : List.of("/image/webp/guacd160-0260.webp", "/image/webp/guacd160-0365.webp",
                "/image/webp/syn-97x61-lossless.webp", "/image/webp/syn-64x48-alpha-fast.webp",
                "/image/png/guacd155-0303-pal8.png", "/image/png/rgba16.png", "/image/png/gray2-trns.png")) {
            originals.add(Fixtures.bytes(name));
        }
        originals.add(TestImages.jpeg(TestImages.picture(40, 30, BufferedImage.TYPE_INT_RGB), 0.7f));
        String[] types = {"image/webp", "image/png", "image/jpeg"};
        int decoded = 0;
        int refused = 0;
        int logLevel = avutil.av_log_get_level();
        avutil.av_log_set_level(avutil.AV_LOG_QUIET); // FFmpeg would print every damaged bitstream
        try {
            for (int round = 0; round < 1500; round++) {
                byte[] data = originals.get(random.nextInt(originals.size())).clone();
                int flips = 1 + random.nextInt(6);
                for (int i = 0; i < flips; i++) {
                    // Past the signature, so that the decoders themselves get exercised.
                    data[12 + random.nextInt(data.length - 12)] = (byte) random.nextInt(256);
                }
                try {
                    DecodedImage image = decoder.decode(types[random.nextInt(types.length)], data, data.length);
                    assertThat(image.pixels()).hasSize(image.width() * image.height());
                    decoded++;
                } catch (ImageFormatException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                    refused++;
                }
            }
        } finally {
            avutil.av_log_set_level(logLevel);
        }
        assertThat(decoded).isPositive();
        assertThat(refused).isPositive();
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void oneDecoderServesAllFormatsRepeatedlyAlsoAfterFailures() throws ImageFormatException {
        byte[] webp = Fixtures.bytes("/image/webp/syn-97x61-alpha.webp");
        byte[] png = Fixtures.bytes("/image/png/guacd155-0303-pal8.png");
        byte[] jpeg = TestImages.jpeg(TestImages.picture(50, 50, BufferedImage.TYPE_INT_RGB), 0.9f);
        int[] webpPixels = decoder.decode("image/webp", webp, webp.length).pixels();
        int[] pngPixels = decoder.decode("image/png", png, png.length).pixels();
        int[] jpegPixels = decoder.decode("image/jpeg", jpeg, jpeg.length).pixels();
        for (int round = 0; round < 5; round++) {
            assertThatThrownBy(() -> decoder.decode("image/webp", webp, webp.length / 2));
            assertThatThrownBy(() -> decoder.decode("image/png", png, png.length / 2));
            assertThatThrownBy(() -> decoder.decode("image/jpeg", jpeg, jpeg.length / 2));
            byte[] broken = webp.clone();
            Arrays.fill(broken, 40, broken.length, (byte) 0xFF);
            try {
                decoder.decode("image/webp", broken, broken.length);
            } catch (ImageFormatException ignored) {
                // either way, the next decode must be clean
            }
            assertThat(decoder.decode("image/webp", webp, webp.length).pixels()).isEqualTo(webpPixels);
            assertThat(decoder.decode("image/png", png, png.length).pixels()).isEqualTo(pngPixels);
            assertThat(decoder.decode("image/jpeg", jpeg, jpeg.length).pixels()).isEqualTo(jpegPixels);
        }
    }

    @Test
    void closeIsIdempotentAndFinal() {
        byte[] webp = Fixtures.bytes("/image/webp/guacd160-0089.webp");
        ImageDecoder local = new ImageDecoder();
        local.close();
        local.close();
        assertThatThrownBy(() -> local.decode("image/webp", webp, webp.length))
                .isInstanceOf(IllegalStateException.class);
    }

    private static int indexOf(byte[] data, String fourcc) {
        outer:
        for (int i = 0; i + 4 <= data.length; i++) {
            for (int j = 0; j < 4; j++) {
                if (data[i + j] != fourcc.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException(fourcc + " not found");
    }

    /** Up to {@code count} lengths in 1..end-1: all of the first 64, then evenly spread. */
    private static List<Integer> cutPoints(int end, int count) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < Math.min(end, 64); i++) {
            cuts.add(i);
        }
        for (int i = 0; i < count && end > 64; i++) {
            cuts.add(64 + (int) ((long) (end - 64) * i / count));
        }
        return cuts;
    }
}

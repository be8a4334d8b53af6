package io.videoworker.guac.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PNG: every colour type and depth decodes to the straight RGBA the fixture script intended
 * (grey scaled by bit replication, 16-bit to the high byte, tRNS keys and palette alpha applied),
 * premultiplied with rounding; real guacd blobs match an independent ImageIO getRGB reading.
 */
class PngDecodeTest {

    private static ImageDecoder decoder;

    @BeforeAll
    static void open() {
        decoder = new ImageDecoder();
    }

    @AfterAll
    static void close() {
        decoder.close();
    }

    /** Generated fixtures: {@code <name>.png} with the intended pixels in {@code <name>.expected.png}. */
    static Stream<String> generated() {
        return Fixtures.list("/image/png", ".expected.png").stream().map(n -> n.replace(".expected.png", ".png"));
    }

    /** Blobs taken from the sample recordings. */
    static Stream<String> recorded() {
        return Fixtures.list("/image/png", ".png").stream().filter(n -> n.startsWith("guacd"));
    }

    @Test
    void everyColourTypeIsCovered() {
        assertThat(generated().toList()).contains(
                "gray1.png", "gray2.png", "gray4.png", "gray8.png", "gray16.png",
                "gray2-trns.png", "gray8-trns.png", "gray16-trns.png", "graya8.png", "graya16.png",
                "rgb8.png", "rgb16.png", "rgb8-trns.png", "rgb16-trns.png", "rgba8.png", "rgba16.png",
                "pal1.png", "pal2.png", "pal4.png", "pal8.png", "rgba8-interlaced.png", "pal4-interlaced.png");
        assertThat(recorded().toList()).hasSizeGreaterThanOrEqualTo(7);
    }

    @ParameterizedTest
    @MethodSource("generated")
    void decodesEveryColourTypeExactly(String name) throws ImageFormatException {
        Fixtures.assertDecodesTo(decoder, "image/png", "/image/png/" + name,
                "/image/png/" + name.replace(".png", ".expected.png"), Fixtures::premultiplyRounded);
    }

    @ParameterizedTest
    @MethodSource("recorded")
    void decodesRecordedBlobsLikeImageIoGetRgb(String name) throws Exception {
        byte[] data = Fixtures.bytes("/image/png/" + name);
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(data));
        int w = reference.getWidth();
        int h = reference.getHeight();
        int[] straight = reference.getRGB(0, 0, w, h, null, 0, w); // sRGB palette/RGB(A): exact
        int[] expected = new int[w * h];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Fixtures.premultiplyRounded(straight[i]);
        }

        DecodedImage image = decoder.decode("image/png", data, data.length);

        assertThat(image.width()).isEqualTo(w);
        assertThat(image.height()).isEqualTo(h);
        assertThat(Fixtures.compare(expected, image.pixels())).as(name).isEqualTo("identical");
    }

    @Test
    void sixteenBitKeepsTheHighByte() throws ImageFormatException {
        // gray16.png row 1 starts with 0x10FF and 0xF000: high bytes 0x10 and 0xF0 (libpng's
        // strip_16), where rounding v * 255 / 65535 would give 0x11 and 0xEF.
        byte[] data = Fixtures.bytes("/image/png/gray16.png");
        DecodedImage image = decoder.decode("image/png", data, data.length);
        assertThat(image.pixels()[image.width()]).isEqualTo(0xFF101010);
        assertThat(image.pixels()[image.width() + 1]).isEqualTo(0xFFF0F0F0);
    }

    @Test
    void greyIsNotGammaConverted() throws ImageFormatException, IOException {
        // ImageIO's getRGB would treat 8-bit grey as linear and brighten it; the browser does not.
        byte[] data = Fixtures.bytes("/image/png/gray8.png");
        BufferedImage raw = ImageIO.read(new ByteArrayInputStream(data));
        int sample = raw.getRaster().getSample(3, 2, 0);
        DecodedImage image = decoder.decode("image/png", data, data.length);
        int pixel = image.pixels()[2 * image.width() + 3];
        assertThat(pixel).isEqualTo(0xFF000000 | sample << 16 | sample << 8 | sample);
    }
}

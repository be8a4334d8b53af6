package io.videoworker.guac.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every WebP fixture must decode to exactly the pixels of libwebp's {@code dwebp -pam} (default
 * options: fancy upsampling), premultiplied as libwebp does for Chromium.
 */
class WebpDecodeTest {

    private static ImageDecoder decoder;

    @BeforeAll
    static void open() {
        decoder = new ImageDecoder();
    }

    @AfterAll
    static void close() {
        decoder.close();
    }

    static Stream<String> fixtures() {
        return Fixtures.list("/image/webp", ".webp").stream();
    }

    @Test
    void fixtureSetIsComplete() {
        List<String> names = Fixtures.list("/image/webp", ".webp");
        assertThat(names).hasSizeGreaterThanOrEqualTo(25)
                .contains("guacd160-0260.webp", "guacd160-0280.webp", "guacd160-0365.webp",
                        "syn-97x61-lossless.webp", "syn-97x61-alpha-q30.webp");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void decodesExactlyLikeLibwebp(String name) throws ImageFormatException {
        Fixtures.assertDecodesTo(decoder, "image/webp", "/image/webp/" + name,
                "/image/webp/" + name.replace(".webp", ".dwebp.png"), Fixtures::premultiplyTruncated);
    }

    @Test
    void decodesFromTheStartOfALargerBuffer() throws ImageFormatException {
        byte[] data = Fixtures.bytes("/image/webp/guacd160-0260.webp");
        byte[] padded = new byte[data.length + 1000];
        System.arraycopy(data, 0, padded, 0, data.length);
        java.util.Arrays.fill(padded, data.length, padded.length, (byte) 0x5A);

        DecodedImage fromPadded = decoder.decode("image/webp", padded, data.length);
        DecodedImage fromExact = decoder.decode("image/webp", data, data.length);

        assertThat(fromPadded.pixels()).isEqualTo(fromExact.pixels());
    }

    @Test
    void alphaFixturesReallyHaveAlpha() throws ImageFormatException {
        // Guards the premultiplication checks above against fixtures that turned out opaque.
        byte[] data = Fixtures.bytes("/image/webp/syn-97x61-alpha.webp");
        int[] pixels = decoder.decode("image/webp", data, data.length).pixels();
        long partial = java.util.Arrays.stream(pixels).filter(p -> (p >>> 24) != 0 && (p >>> 24) != 255).count();
        long transparent = java.util.Arrays.stream(pixels).filter(p -> p == 0).count();
        assertThat(partial).isGreaterThan(100);
        assertThat(transparent).isGreaterThan(100);
    }
}

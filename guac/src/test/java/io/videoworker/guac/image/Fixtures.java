package io.videoworker.guac.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Test resources under {@code /image/} (see {@code src/test/resources/image/README.md}). */
final class Fixtures {

    private Fixtures() {
    }

    static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** File names in a resource folder ending with {@code suffix}, sorted. */
    static List<String> list(String folder, String suffix) {
        URL url = Fixtures.class.getResource(folder);
        if (url == null) {
            throw new IllegalArgumentException("missing test resource folder " + folder);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads an 8-bit RGBA truth PNG (written by the fixture script, straight alpha) as
     * {@code int[]{width, height, argb...}}, taking the raw samples of the raster.
     */
    static int[] straightRgba(String resource) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(resource)));
            Raster raster = image.getRaster();
            if (raster.getNumBands() != 4 || image.getColorModel().getComponentSize(0) != 8) {
                throw new IllegalStateException(resource + " is not 8-bit RGBA");
            }
            int w = image.getWidth();
            int h = image.getHeight();
            int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
            int[] out = new int[2 + w * h];
            out[0] = w;
            out[1] = h;
            for (int i = 0; i < w * h; i++) {
                int r = samples[4 * i];
                int g = samples[4 * i + 1];
                int b = samples[4 * i + 2];
                int a = samples[4 * i + 3];
                out[2 + i] = a << 24 | r << 16 | g << 8 | b;
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Premultiplies like Chromium's PNG/JPEG path: round(c * a / 255), written independently. */
    static int premultiplyRounded(int argb) {
        int a = argb >>> 24;
        if (a == 0) {
            return 0;
        }
        int r = (int) Math.round((argb >> 16 & 0xFF) * a / 255.0);
        int g = (int) Math.round((argb >> 8 & 0xFF) * a / 255.0);
        int b = (int) Math.round((argb & 0xFF) * a / 255.0);
        return a << 24 | r << 16 | g << 8 | b;
    }

    /** Premultiplies like libwebp's premultiplied output modes: floor(c * a / 255), opaque untouched. */
    static int premultiplyTruncated(int argb) {
        int a = argb >>> 24;
        if (a == 255) {
            return argb;
        }
        int r = (argb >> 16 & 0xFF) * a / 255;
        int g = (argb >> 8 & 0xFF) * a / 255;
        int b = (argb & 0xFF) * a / 255;
        return a << 24 | r << 16 | g << 8 | b;
    }

    /** Largest per-channel difference and the number of differing pixels, for messages. */
    static String compare(int[] expected, int[] actual) {
        int differing = 0;
        int max = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                if (first < 0) {
                    first = i;
                }
                differing++;
                for (int shift = 0; shift < 32; shift += 8) {
                    max = Math.max(max, Math.abs((expected[i] >>> shift & 0xFF) - (actual[i] >>> shift & 0xFF)));
                }
            }
        }
        if (differing == 0) {
            return "identical";
        }
        return String.format("%d pixels differ, max channel difference %d, first at index %d: expected %08X got %08X",
                differing, max, first, expected[first], actual[first]);
    }

    /**
     * Decodes {@code resource} and checks every pixel against {@code truth} (straight RGBA),
     * premultiplied the way the browser does for that format.
     */
    static void assertDecodesTo(ImageDecoder decoder, String mimetype, String resource, String truth,
                                java.util.function.IntUnaryOperator premultiply) throws ImageFormatException {
        byte[] data = bytes(resource);
        int[] want = straightRgba(truth);
        DecodedImage image = decoder.decode(mimetype, data, data.length);
        org.assertj.core.api.Assertions.assertThat(image.width()).isEqualTo(want[0]);
        org.assertj.core.api.Assertions.assertThat(image.height()).isEqualTo(want[1]);
        int[] expected = new int[want[0] * want[1]];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = premultiply.applyAsInt(want[2 + i]);
        }
        org.assertj.core.api.Assertions.assertThat(compare(expected, image.pixels())).as(resource).isEqualTo("identical");
    }
}

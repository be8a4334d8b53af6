package io.videoworker.guac.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class ImageHeadersTest {

    @Test
    void pngSizeComesFromIhdr() throws ImageFormatException {
        byte[] png = Fixtures.bytes("/image/png/guacd155-0002-rgb-fullscreen.png");
        assertThat(ImageHeaders.png(png, png.length)).isEqualTo(new ImageHeaders.Size(1024, 768));
        assertThat(ImageHeaders.png(png, 24)).isEqualTo(new ImageHeaders.Size(1024, 768));
        assertThatThrownBy(() -> ImageHeaders.png(png, 23))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("truncated");
    }

    @Test
    void jpegScansAreCountedAndThousandsAreRefused() throws ImageFormatException {
        byte[] baseline = TestImages.jpeg(TestImages.picture(64, 48, java.awt.image.BufferedImage.TYPE_INT_RGB), 0.9f);
        assertThat(ImageHeaders.jpegScans(baseline, baseline.length)).isEqualTo(1);
        // the last scan (from its SOS to EOI) repeated: the shape of a scan bomb
        int sos = 0;
        for (int i = 0; i + 1 < baseline.length; i++) {
            if (baseline[i] == (byte) 0xFF && baseline[i + 1] == (byte) 0xDA) {
                sos = i;
            }
        }
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(baseline, 0, baseline.length - 2);
        for (int i = 0; i < ImageDecoder.MAX_JPEG_SCANS; i++) {
            bomb.write(baseline, sos, baseline.length - 2 - sos);
        }
        bomb.write(baseline, baseline.length - 2, 2);
        byte[] many = bomb.toByteArray();
        assertThat(ImageHeaders.jpegScans(many, many.length)).isEqualTo(ImageDecoder.MAX_JPEG_SCANS + 1);
        try (ImageDecoder decoder = new ImageDecoder()) {
            assertThatThrownBy(() -> decoder.decode("image/jpeg", many, many.length))
                    .isInstanceOf(ImageFormatException.class).hasMessageContaining("101 scans");
        }
    }

    @Test
    void pngWithoutIhdrIsRefused() {
        byte[] png = TestImages.pngHeader(5, 5);
        png[12] = 'X';
        assertThatThrownBy(() -> ImageHeaders.png(png, png.length)).hasMessageContaining("no IHDR");
    }

    @Test
    void jpegSizeComesFromTheFirstStartOfFrameAfterOtherSegments() throws ImageFormatException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8});
        // APP0 with 14 bytes of payload, then fill bytes before the next marker.
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE0, 0, 16});
        out.writeBytes(new byte[14]);
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        // DHT (0xC4 is not a start of frame) with 2 bytes of payload.
        out.writeBytes(new byte[] {(byte) 0xC4, 0, 4, 1, 2});
        // SOF2 (progressive): length 11, precision 8, height 0x0123, width 0x0456, 1 component.
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xC2, 0, 11, 8, 0x01, 0x23, 0x04, 0x56, 1, 1, 0x11, 0});
        byte[] jpeg = out.toByteArray();
        assertThat(ImageHeaders.jpeg(jpeg, jpeg.length)).isEqualTo(new ImageHeaders.Size(0x456, 0x123));
    }

    @Test
    void jpegWithoutFrameHeaderIsRefused() {
        byte[] sosFirst = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA, 0, 2};
        assertThatThrownBy(() -> ImageHeaders.jpeg(sosFirst, sosFirst.length))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("no frame header");
        byte[] cut = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 1, 2};
        assertThatThrownBy(() -> ImageHeaders.jpeg(cut, cut.length))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("truncated");
        byte[] garbage = {(byte) 0xFF, (byte) 0xD8, 0x12, 0x34, 0x56};
        assertThatThrownBy(() -> ImageHeaders.jpeg(garbage, garbage.length))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("garbage");
        byte[] zeroHeight = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 11, 8, 0, 0, 0, 9, 1, 1, 0x11, 0};
        assertThatThrownBy(() -> ImageHeaders.jpeg(zeroHeight, zeroHeight.length))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("invalid dimensions");
    }

    @Test
    void webpSizesOfAllThreeLayouts() throws ImageFormatException {
        byte[] lossy = Fixtures.bytes("/image/webp/guacd160-0260.webp");
        assertThat(ImageHeaders.webp(lossy, lossy.length)).isEqualTo(new ImageHeaders.Size(55, 123));
        byte[] extended = Fixtures.bytes("/image/webp/guacd160-0280.webp");
        assertThat(ImageHeaders.webp(extended, extended.length)).isEqualTo(new ImageHeaders.Size(24, 24));
        byte[] lossless = Fixtures.bytes("/image/webp/syn-97x61-lossless.webp");
        assertThat(ImageHeaders.webp(lossless, lossless.length)).isEqualTo(new ImageHeaders.Size(97, 61));
        for (byte[] file : new byte[][] {lossy, extended, lossless}) {
            ImageHeaders.Size size = ImageHeaders.webp(file, file.length);
            assertThat(ImageHeaders.checkWebpStructure(file, file.length, size)).isEqualTo(file.length);
        }
    }

    @Test
    void webpStructureProblemsAreNamed() throws ImageFormatException {
        byte[] lossy = Fixtures.bytes("/image/webp/guacd160-0260.webp");
        ImageHeaders.Size size = ImageHeaders.webp(lossy, lossy.length);
        assertThatThrownBy(() -> ImageHeaders.checkWebpStructure(lossy, lossy.length - 1, size))
                .hasMessageContaining("image/webp 55x123 truncated");

        byte[] animated = TestImages.webpVp8x(64, 64);
        animated[20] |= 0x02;
        assertThatThrownBy(() -> ImageHeaders.checkWebpStructure(animated, animated.length,
                ImageHeaders.webp(animated, animated.length))).hasMessageContaining("animated");

        byte[] notKey = lossy.clone();
        notKey[20] |= 1;
        assertThatThrownBy(() -> ImageHeaders.webp(notKey, notKey.length)).hasMessageContaining("key frame");

        byte[] riffOnly = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'E', 'B', 'P'};
        assertThatThrownBy(() -> ImageHeaders.webp(riffOnly, riffOnly.length)).hasMessageContaining("truncated");
    }

    @Test
    void webpCanvasMustMatchItsImage() {
        // A VP8X canvas of 64x64 in front of the 55x123 image of a real file.
        byte[] simple = Fixtures.bytes("/image/webp/guacd160-0260.webp");
        byte[] vp8x = TestImages.webpVp8x(64, 64);
        byte[] combined = new byte[vp8x.length + simple.length - 12];
        System.arraycopy(vp8x, 0, combined, 0, vp8x.length);
        System.arraycopy(simple, 12, combined, vp8x.length, simple.length - 12);
        int riffSize = combined.length - 8;
        combined[4] = (byte) riffSize;
        combined[5] = (byte) (riffSize >> 8);
        combined[6] = (byte) (riffSize >> 16);
        combined[7] = (byte) (riffSize >> 24);
        assertThatThrownBy(() -> ImageHeaders.checkWebpStructure(combined, combined.length,
                ImageHeaders.webp(combined, combined.length)))
                .hasMessageContaining("image/webp 64x64 canvas holds an image of 55x123");
    }
}

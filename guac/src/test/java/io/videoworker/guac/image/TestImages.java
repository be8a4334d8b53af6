package io.videoworker.guac.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Hand-made image headers and in-memory test images. */
final class TestImages {

    private TestImages() {
    }

    /** A PNG signature, an IHDR claiming {@code width x height} RGBA, then IEND: no pixel data. */
    static byte[] pngHeader(long width, long height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        byte[] ihdr = new byte[13];
        putBigEndian32(ihdr, 0, width);
        putBigEndian32(ihdr, 4, height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        pngChunk(out, "IHDR", ihdr);
        pngChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void pngChunk(ByteArrayOutputStream out, String type, byte[] payload) {
        byte[] length = new byte[4];
        putBigEndian32(length, 0, payload.length);
        out.writeBytes(length);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(typeBytes);
        out.writeBytes(payload);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(payload);
        byte[] crcBytes = new byte[4];
        putBigEndian32(crcBytes, 0, crc.getValue());
        out.writeBytes(crcBytes);
    }

    /** RIFF/WEBP with just a VP8X chunk declaring a {@code width x height} canvas. */
    static byte[] webpVp8x(int width, int height) {
        byte[] file = new byte[30];
        riff(file);
        fourcc(file, 12, "VP8X");
        file[16] = 10;
        putLittleEndian24(file, 24, width - 1);
        putLittleEndian24(file, 27, height - 1);
        return file;
    }

    /** RIFF/WEBP with a "VP8 " key frame header declaring {@code width x height}, no partitions. */
    static byte[] webpVp8(int width, int height) {
        byte[] file = new byte[30];
        riff(file);
        fourcc(file, 12, "VP8 ");
        file[16] = 10;
        file[20] = 0x10; // key frame, version 0, shown, first partition size 0
        file[23] = (byte) 0x9D;
        file[24] = 0x01;
        file[25] = 0x2A;
        file[26] = (byte) width;
        file[27] = (byte) ((width >> 8) & 0x3F);
        file[28] = (byte) height;
        file[29] = (byte) ((height >> 8) & 0x3F);
        return file;
    }

    /** RIFF/WEBP with a "VP8L" header declaring {@code width x height}. */
    static byte[] webpVp8l(int width, int height) {
        byte[] file = new byte[30];
        riff(file);
        fourcc(file, 12, "VP8L");
        file[16] = 10;
        file[20] = 0x2F;
        long bits = (width - 1) | (long) (height - 1) << 14;
        for (int i = 0; i < 4; i++) {
            file[21 + i] = (byte) (bits >> (8 * i));
        }
        return file;
    }

    /** SOI and a baseline SOF0 declaring {@code width x height}, nothing else. */
    static byte[] jpegHeader(int width, int height) {
        return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 11, 8,
            (byte) (height >> 8), (byte) height, (byte) (width >> 8), (byte) width, 1, 1, 0x11, 0};
    }

    /** Encodes an image as baseline JPEG with ImageIO. */
    static byte[] jpeg(BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A colourful test picture: gradients, stripes and a few hard edges. */
    static BufferedImage picture(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = x * 255 / Math.max(1, width - 1);
                int g = y * 255 / Math.max(1, height - 1);
                int b = ((x / 7 + y / 5) & 1) == 0 ? 40 : 220;
                image.setRGB(x, y, 0xFF000000 | r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    private static void riff(byte[] file) {
        fourcc(file, 0, "RIFF");
        int size = file.length - 8;
        file[4] = (byte) size;
        file[5] = (byte) (size >> 8);
        fourcc(file, 8, "WEBP");
    }

    private static void fourcc(byte[] file, int at, String code) {
        for (int i = 0; i < 4; i++) {
            file[at + i] = (byte) code.charAt(i);
        }
    }

    private static void putBigEndian32(byte[] target, int at, long value) {
        for (int i = 0; i < 4; i++) {
            target[at + i] = (byte) (value >> (24 - 8 * i));
        }
    }

    private static void putLittleEndian24(byte[] target, int at, int value) {
        target[at] = (byte) value;
        target[at + 1] = (byte) (value >> 8);
        target[at + 2] = (byte) (value >> 16);
    }
}

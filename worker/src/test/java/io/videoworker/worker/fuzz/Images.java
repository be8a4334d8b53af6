package io.videoworker.worker.fuzz;

import io.videoworker.guac.protocol.GuacReader;
import io.videoworker.guac.protocol.Instruction;
import io.videoworker.guac.protocol.RecordingInput;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

/** Real encoded images to start from, and ways to make them lie. */
final class Images {
    private static byte[] webp;

    private Images() {
    }

    /** A noisy PNG or JPEG made by ImageIO ("png" or "jpeg"). */
    static byte[] encode(String format, int w, int h, Random r) {
        BufferedImage img = new BufferedImage(w, h, format.equals("png") ? BufferedImage.TYPE_INT_ARGB
                : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A PNG of one colour, written row by row so that a huge one costs no memory here: a
     * decompression bomb when large (zlib shrinks the zero rows about a thousand times).
     */
    static byte[] flatPng(int w, int h, boolean alpha) {
        int bytesPerPixel = alpha ? 4 : 3;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9), 1 << 16)) {
            byte[] row = new byte[1 + w * bytesPerPixel]; // filter byte 0, then samples
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(png)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(ihdr);
            d.writeInt(w);
            d.writeInt(h);
            d.write(new byte[] {8, (byte) (alpha ? 6 : 2), 0, 0, 0});
            chunk(out, "IHDR", ihdr.toByteArray());
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    /**
     * A progressive JPEG of one colour whose last scan (a few bytes: one long run of empty
     * blocks, yet a pass over every block) is repeated {@code copies} times: a scan bomb.
     */
    static byte[] scanBomb(int w, int h, int copies) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
            try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(jpeg)) {
                writer.setOutput(out);
                writer.write(null, new javax.imageio.IIOImage(img, null, null), param);
            }
            writer.dispose();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] b = jpeg.toByteArray();
        int lastScan = -1;
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xDA) {
                lastScan = i;
            }
        }
        int eoi = b.length - 2; // FF D9
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, eoi);
        for (int i = 0; i < copies; i++) {
            out.write(b, lastScan, eoi - lastScan);
        }
        out.write(b, eoi, 2);
        return out.toByteArray();
    }

    /** The first WebP image of the guacd 1.6.0 sample: real encoder output. */
    static synchronized byte[] webp() {
        if (webp == null) {
            Path sample = Path.of("../samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz");
            try (GuacReader reader = RecordingInput.open(sample)) {
                Instruction in = new Instruction();
                String stream = null;
                StringBuilder b64 = new StringBuilder();
                while (reader.next(in)) {
                    if (in.opcode().equals("img") && in.arg(3).equals("image/webp") && stream == null) {
                        stream = in.arg(0);
                    } else if (stream != null && in.opcode().equals("blob") && in.arg(0).equals(stream)) {
                        b64.append(in.arg(1));
                    } else if (stream != null && in.opcode().equals("end") && in.arg(0).equals(stream)) {
                        break;
                    }
                }
                webp = Base64.getDecoder().decode(b64.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return webp.clone();
    }

    /** The image with the size its header declares replaced (checksums left stale or not, as chosen). */
    static byte[] claimSize(byte[] image, int w, int h) {
        byte[] b = image.clone();
        if ((b[0] & 0xFF) == 0x89) { // PNG: IHDR width and height, big-endian, at 16 and 20
            putBig32(b, 16, w);
            putBig32(b, 20, h);
        } else if ((b[0] & 0xFF) == 0xFF) { // JPEG: the first SOF's height and width
            for (int p = 2; p + 9 < b.length; ) {
                int marker = b[p + 1] & 0xFF;
                int len = (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
                if (marker >= 0xC0 && marker <= 0xC3) {
                    b[p + 5] = (byte) (h >> 8);
                    b[p + 6] = (byte) h;
                    b[p + 7] = (byte) (w >> 8);
                    b[p + 8] = (byte) w;
                    break;
                }
                p += 2 + len;
            }
        } else { // WebP: the first chunk's size fields
            String chunk = new String(b, 12, 4, StandardCharsets.ISO_8859_1);
            if (chunk.equals("VP8 ")) {
                putLittle16(b, 26, w & 0x3FFF);
                putLittle16(b, 28, h & 0x3FFF);
            } else if (chunk.equals("VP8L")) {
                long bits = ((long) (w - 1) & 0x3FFF) | ((long) (h - 1) & 0x3FFF) << 14;
                for (int i = 0; i < 4; i++) {
                    b[21 + i] = (byte) (bits >>> (8 * i));
                }
            } else {
                for (int i = 0; i < 3; i++) {
                    b[24 + i] = (byte) ((w - 1) >>> (8 * i));
                    b[27 + i] = (byte) ((h - 1) >>> (8 * i));
                }
            }
        }
        return b;
    }

    private static void putBig32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void putLittle16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}

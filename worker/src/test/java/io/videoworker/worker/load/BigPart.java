package io.videoworker.worker.load;

import static io.videoworker.worker.TestRecordings.el;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * A Lion part of {@code REPLAY_MAX_SIZE} (300 MiB), the largest Lion sends, that still converts in
 * seconds. What makes real parts big is image data, which does not compress; here that is
 * random-noise PNGs streamed in guacd's 6048-byte blobs into an off-screen buffer (as guacd's
 * caches are), each followed by a 32x32 copy onto the 1024x768 screen and a sync 100 ms later: ~300
 * images, 30 s. So every byte is parsed and decoded, but x264 encodes small changes only. The gzip
 * uses stored blocks (valid gzip, no compression): the upload is as large as the recording, and
 * writing it takes seconds where deflating 300 MiB would take far longer.
 */
final class BigPart {
    /** What Lion would announce for it in files[]. */
    record Written(Path file, long start, long end, long rawBytes, String sha256) {
        long gzBytes() throws IOException {
            return Files.size(file);
        }
    }

    private static final int SCREEN_W = 1024;
    private static final int SCREEN_H = 768;
    private static final int TILE = 512;
    private static final int CELL = 32;
    private static final int BLOB = 6048; // guacd's largest blob
    private static final long START = 5_000_000; // a monotonic clock some 80 minutes after boot

    private BigPart() {
    }

    /** Writes at most {@code rawBytes} of recording (gzip adds 5 bytes per 64 KiB block). */
    static Written write(Path file, long rawBytes) throws Exception {
        List<String> tiles = noiseTiles(8); // more than fit the 32 KiB gzip window: no repeat can be found
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long t = START;
        long written = 0;
        try (OutputStream gz = new GZIPOutputStream(new DigestOutputStream(
                new BufferedOutputStream(Files.newOutputStream(file), 1 << 20), sha), 1 << 16) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            StringBuilder sb = new StringBuilder();
            el(sb, "size", "0", "" + SCREEN_W, "" + SCREEN_H);
            el(sb, "rect", "0", "0", "0", "" + SCREEN_W, "" + SCREEN_H);
            el(sb, "cfill", "14", "0", "32", "48", "64", "255");
            el(sb, "sync", "" + t);
            for (int n = 0; ; n++) {
                String tile = tiles.get(n % tiles.size());
                el(sb, "img", "1", "12", "-1", "image/png", "0", "0");
                for (int i = 0; i < tile.length(); i += BLOB) {
                    el(sb, "blob", "1", tile.substring(i, Math.min(tile.length(), i + BLOB)));
                }
                el(sb, "end", "1");
                int cell = n % ((SCREEN_W / CELL) * (SCREEN_H / CELL));
                el(sb, "copy", "-1", "" + (n * 37 % (TILE - CELL)), "" + (n * 53 % (TILE - CELL)), "" + CELL, "" + CELL, "12",
                        "0", "" + cell % (SCREEN_W / CELL) * CELL, "" + cell / (SCREEN_W / CELL) * CELL);
                el(sb, "sync", "" + (t + 100));
                if (written + sb.length() + 14 > rawBytes) {
                    break;
                }
                t += 100;
                gz.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                written += sb.length();
                sb.setLength(0);
            }
            gz.write("10.disconnect;".getBytes(StandardCharsets.US_ASCII));
            written += 14;
        }
        return new Written(file, START, t, written, HexFormat.of().formatHex(sha.digest()));
    }

    /** Base64 PNGs of random pixels, stored without compression (as large as PNG gets). */
    private static List<String> noiseTiles(int count) throws IOException {
        Random random = new Random(6);
        List<String> tiles = new ArrayList<>();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1.0f); // deflate level 0
        for (int k = 0; k < count; k++) {
            BufferedImage img = new BufferedImage(TILE, TILE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < TILE; y++) {
                for (int x = 0; x < TILE; x++) {
                    img.setRGB(x, y, random.nextInt());
                }
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(png)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(img, null, null), param);
            }
            tiles.add(Base64.getEncoder().encodeToString(png.toByteArray()));
        }
        writer.dispose();
        return tiles;
    }
}

package io.videoworker.worker;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Small synthetic Guacamole recordings for tests. */
public final class TestRecordings {
    private TestRecordings() {
    }

    /** A self-contained Lion part, gzipped: a full-screen colour, syncs every 500 ms from start to end, disconnect. */
    public static byte[] part(int rgb, long start, long end) throws IOException {
        StringBuilder sb = new StringBuilder();
        el(sb, "mouse", "3", "3", "0", String.valueOf(start - 2000));
        el(sb, "size", "0", "64", "48");
        el(sb, "img", "1", "14", "0", "image/png", "0", "0");
        el(sb, "blob", "1", png(64, 48, rgb));
        el(sb, "end", "1");
        for (long t = start; t <= end; t += 500) {
            el(sb, "sync", String.valueOf(t));
        }
        el(sb, "disconnect");
        return gzip(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A gzipped recording that is slow to encode and large once encoded: {@code images} pictures of
     * random pixels loaded into off-screen buffers, then {@code frames} syncs 40 ms apart from
     * {@code start}, each showing a different picture than the one before (no two frames alike).
     */
    public static byte[] noise(int w, int h, int images, int frames, long start, long seed) throws IOException {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder();
        el(sb, "size", "0", String.valueOf(w), String.valueOf(h));
        for (int i = 0; i < images; i++) {
            byte[] png = noisePng(w, h, random);
            String buffer = String.valueOf(-1 - i);
            String stream = String.valueOf(i + 1);
            el(sb, "size", buffer, String.valueOf(w), String.valueOf(h));
            el(sb, "img", stream, "14", buffer, "image/png", "0", "0");
            el(sb, "blob", stream, Base64.getEncoder().encodeToString(png));
            el(sb, "end", stream);
        }
        for (int f = 0; f < frames; f++) {
            el(sb, "copy", String.valueOf(-1 - f % images), "0", "0", String.valueOf(w), String.valueOf(h), "12", "0", "0", "0");
            el(sb, "sync", String.valueOf(start + 40L * f));
        }
        el(sb, "disconnect");
        return gzip(sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A gzipped recording whose conversion is slow and steady: {@code images} noise pictures, each
     * loaded just before its {@code framesEach} frames (40 ms apart), which alternate between it and
     * the picture before. The bytes read (what the converter's progress counts) and the encoding
     * work are spread alike over the recording, so its progress climbs evenly while it converts.
     */
    public static byte[] steadyNoise(int w, int h, int images, int framesEach, long start, long seed) throws IOException {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder();
        el(sb, "size", "0", String.valueOf(w), String.valueOf(h));
        long t = start;
        for (int i = 0; i <= images; i++) {
            String buffer = String.valueOf(-1 - i % 2);
            el(sb, "size", buffer, String.valueOf(w), String.valueOf(h));
            el(sb, "img", String.valueOf(i + 1), "14", buffer, "image/png", "0", "0");
            el(sb, "blob", String.valueOf(i + 1), Base64.getEncoder().encodeToString(noisePng(w, h, random)));
            el(sb, "end", String.valueOf(i + 1));
            for (int f = 0; i > 0 && f < framesEach; f++) { // picture 0 is only the first one's "before"
                el(sb, "copy", String.valueOf(-1 - (i + f) % 2), "0", "0", String.valueOf(w), String.valueOf(h), "12", "0", "0", "0");
                el(sb, "sync", String.valueOf(t));
                t += 40;
            }
        }
        el(sb, "disconnect");
        return gzip(sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** A PNG of random pixels: it does not compress, so it costs the most to send and to encode. */
    private static byte[] noisePng(int w, int h, java.util.Random random) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, random.nextInt());
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        return png.toByteArray();
    }

    /**
     * The "still noise" attack (issue 12): one {@code w}×{@code h} picture of random pixels, then
     * nothing but a {@code sync} every {@code syncEveryMs} (under the 10-minute clock-jump limit) for
     * {@code durationMs}. Small to send (the PNG does not compress); under the first keyframe rule (every
     * 5 s) it was huge to encode, each keyframe the whole picture again; now it is one frame.
     */
    public static byte[] stillNoise(int w, int h, long syncEveryMs, long durationMs, long seed) throws IOException {
        StringBuilder sb = noiseScreen(w, h, seed);
        long start = 1_000_000;
        for (long t = 0; t <= durationMs; t += syncEveryMs) {
            el(sb, "sync", String.valueOf(start + t));
        }
        el(sb, "disconnect");
        return gzip(sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Two still pictures: {@code w}×{@code h} random pixels for the first half of {@code durationMs},
     * then one solid colour {@code rgb} for the second half, with a {@code sync} every
     * {@code syncEveryMs} throughout (and at the very end). For seeking into long stills.
     */
    public static byte[] twoStills(int w, int h, long syncEveryMs, long durationMs, int rgb, long seed) throws IOException {
        StringBuilder sb = noiseScreen(w, h, seed);
        long start = 1_000_000;
        boolean changed = false;
        for (long t = 0; ; t = Math.min(t + syncEveryMs, durationMs)) {
            if (!changed && t >= durationMs / 2) {
                el(sb, "rect", "0", "0", "0", String.valueOf(w), String.valueOf(h));
                el(sb, "cfill", "14", "0", String.valueOf(rgb >> 16 & 0xff), String.valueOf(rgb >> 8 & 0xff),
                        String.valueOf(rgb & 0xff), "255");
                changed = true;
            }
            el(sb, "sync", String.valueOf(start + t));
            if (t == durationMs) {
                break;
            }
        }
        el(sb, "disconnect");
        return gzip(sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** A screen of {@code w}×{@code h} with one picture of random pixels drawn on it, no sync yet. */
    private static StringBuilder noiseScreen(int w, int h, long seed) throws IOException {
        byte[] png = noisePng(w, h, new java.util.Random(seed));
        StringBuilder sb = new StringBuilder();
        el(sb, "size", "0", String.valueOf(w), String.valueOf(h));
        el(sb, "img", "1", "14", "0", "image/png", "0", "0");
        el(sb, "blob", "1", Base64.getEncoder().encodeToString(png));
        el(sb, "end", "1");
        return sb;
    }

    /** Appends one instruction; all elements here are ASCII, so lengths are plain string lengths. */
    public static void el(StringBuilder sb, String... elements) {
        for (int i = 0; i < elements.length; i++) {
            sb.append(i == 0 ? "" : ",").append(elements[i].length()).append('.').append(elements[i]);
        }
        sb.append(';');
    }

    /** A solid-colour PNG, base64. */
    public static String png(int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /**
     * Starts a worker on a free loopback port with the test defaults (one conversion at a time,
     * no disk reserve, 1 s retry base) and the given settings on top.
     */
    public static io.videoworker.worker.Service worker(java.nio.file.Path data, java.util.Map<String, String> settings)
            throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("DATA_DIR", data.toString(),
                "BIND_HOST", "127.0.0.1", "VIDEO_WORKER_COUNT", "1", "VIDEO_WORKER_SPOOL_RESERVE_MB", "0",
                "VIDEO_WORKER_RETRY_BASE_SECONDS", "1"));
        env.putAll(settings);
        io.videoworker.worker.Service s =
                new io.videoworker.worker.Service(io.videoworker.worker.config.WorkerConfig.load(null, env).withPort(0)).start();
        if (!s.awaitRegistered(java.time.Duration.ofSeconds(30))) { // core mode: tests start once core has accepted the worker
            s.close();
            throw new IllegalStateException("the worker did not register with core within 30 s");
        }
        return s;
    }

    /** Lower-case hex SHA-256, as Lion sends in files[].checksum. */
    public static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}

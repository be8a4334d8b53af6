package io.videoworker.worker.fuzz;

import io.videoworker.guac.Limits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Synthetic recordings built to hurt: each generator aims at one resource (memory, time, native
 * code) from one side, with random sizes around the {@link Limits} of this JVM, so that both
 * "just under" and "just over" happen.
 */
final class HostileRecordings {
    private static final Limits LIMITS = Limits.DEFAULT;

    /** Numbers that break careless arithmetic, as protocol text. */
    static final String[] EVIL_NUMBERS = {"0", "-1", "1", "2147483647", "-2147483648", "2147483648", "4294967296",
        "99999999999", "999999999999999999", "-999999999999999999", "9223372036854775807", "1e308", "-0", "+7",
        "NaN", "Infinity", "", "x", "1.5", "0x10", "00000000000000000000001", String.valueOf(LIMITS.maxSide()),
        String.valueOf(LIMITS.maxSide() + 1), "65536", "32768", "-65536"};

    private HostileRecordings() {
    }

    static List<Generator> all() {
        return List.of(
                new Generator("deep-layer-tree", ".guac", HostileRecordings::deepLayerTree),
                new Generator("many-layers-and-buffers", ".guac", HostileRecordings::manyLayersAndBuffers),
                new Generator("open-streams", ".guac", HostileRecordings::openStreams),
                new Generator("lying-images", ".guac", HostileRecordings::lyingImages),
                new Generator("image-bomb", ".guac", HostileRecordings::imageBomb),
                new Generator("largest-screen", ".guac", HostileRecordings::largestScreen),
                new Generator("gzip-bomb", ".replay.gz", HostileRecordings::gzipBomb),
                new Generator("huge-numbers", ".guac", HostileRecordings::hugeNumbers),
                new Generator("max-sizes", ".guac", HostileRecordings::maxSizes),
                new Generator("huge-areas", ".guac", HostileRecordings::hugeAreas),
                new Generator("long-instructions", ".guac", HostileRecordings::longInstructions),
                new Generator("nested-nests", ".guac", HostileRecordings::nestedNests),
                new Generator("clock-trouble", ".guac", HostileRecordings::clockTrouble),
                new Generator("path-flood", ".guac", HostileRecordings::pathFlood),
                new Generator("audio-trouble", ".guac", HostileRecordings::audioTrouble),
                new Generator("instruction-soup", ".guac", HostileRecordings::instructionSoup),
                new Generator("garbage-to-the-end", ".guac", HostileRecordings::garbageToTheEnd));
    }

    /** Layers moved under one another into a chain (deeper than the layer limit at times). */
    static void deepLayerTree(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        int depth = pick(r, 10, 500, LIMITS.maxLayers() - 2, LIMITS.maxLayers() + 10);
        for (int i = 1; i <= depth; i++) {
            s.op("size", i, 1 + r.nextInt(64), 1 + r.nextInt(48));
            s.op("move", i, i - 1, r.nextInt(9) - 4, r.nextInt(9) - 4, r.nextInt(5) - 2);
            if (r.nextInt(8) == 0) {
                s.op("shade", i, r.nextInt(256));
            }
            if (r.nextInt(16) == 0) {
                s.op("distort", i, 1, 0.1, -0.1, 1, r.nextInt(5), 0);
            }
            s.op("rect", i, 0, 0, 8, 8).op("cfill", 14, i, r.nextInt(256), 0, 0, 255);
            if (i % 97 == 0) {
                s.sync(1000 + i);
            }
        }
        if (r.nextBoolean()) { // then cut a branch loose, or try to make a cycle
            s.op("move", 1, depth, 0, 0, 0).op("dispose", depth / 2 + 1);
        }
        s.sync(100_000);
    }

    /** Thousands of layers and buffers, created, resized, drawn into and disposed. */
    static void manyLayersAndBuffers(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        int count = pick(r, 100, 2000, LIMITS.maxLayers(), LIMITS.maxLayers() * 2);
        int side = pick(r, 1, 16, 256, 1024);
        for (int i = 1; i <= count; i++) {
            int index = r.nextBoolean() ? i : -i;
            s.op("size", index, side, side);
            s.op("copy", 0, 0, 0, 64, 48, 12, index, r.nextInt(side + 1), r.nextInt(side + 1));
            if (r.nextInt(4) == 0) {
                s.op("dispose", r.nextBoolean() ? index : -index);
            }
            if (i % 256 == 0) {
                s.sync(1000 + i);
            }
        }
        s.sync(100_000);
    }

    /** Streams opened and never closed, blobs on streams never opened, indices reused. */
    static void openStreams(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        int count = pick(r, 50, 1000, LIMITS.maxStreams(), LIMITS.maxStreams() + 100);
        byte[] png = Images.encode("png", 8, 8, r);
        String[] mimes = {"image/png", "image/jpeg", "image/webp", "audio/L16;rate=44100,channels=2", "text/plain"};
        for (int i = 0; i < count; i++) {
            int stream = r.nextInt(4) == 0 ? r.nextInt(16) : i;
            String mime = mimes[r.nextInt(mimes.length)];
            if (mime.startsWith("audio")) {
                s.op("audio", stream, mime);
            } else if (mime.startsWith("text")) {
                s.op("file", stream, mime, "name.txt");
            } else {
                s.op("img", stream, 14, 0, mime, 0, 0);
            }
            s.blobs(stream, Arrays.copyOf(png, 1 + r.nextInt(png.length)));
            if (r.nextInt(8) == 0) {
                s.op("blob", count + stream, "AAAA"); // never opened
            }
            if (r.nextInt(5) == 0) {
                s.op("end", stream);
            }
        }
        // a long never-ending stream, up to past the image limit
        int big = r.nextInt(LIMITS.maxImageBytes() / 3 * 4 / 65536 + 2);
        s.op("img", 9999, 14, 0, "image/png", 0, 0);
        String chunk = "A".repeat(65536);
        for (int i = 0; i < big; i++) {
            s.op("blob", 9999, chunk);
        }
        s.sync(5000);
    }

    /** Images whose headers lie about their size, are cut short, hold garbage or another format. */
    static void lyingImages(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        int max = LIMITS.maxSide();
        int[] sides = {0, 1, 7, 64, max, max + 1, 16383, 16384, 65535, 100_000, Integer.MAX_VALUE};
        for (int i = 0; i < 20; i++) {
            byte[] real = switch (r.nextInt(3)) {
                case 0 -> Images.encode("png", 4 + r.nextInt(40), 4 + r.nextInt(40), r);
                case 1 -> Images.encode("jpeg", 4 + r.nextInt(40), 4 + r.nextInt(40), r);
                default -> Images.webp();
            };
            byte[] data = switch (r.nextInt(6)) {
                case 0 -> Images.claimSize(real, sides[r.nextInt(sides.length)], sides[r.nextInt(sides.length)]);
                case 1 -> Arrays.copyOf(real, r.nextInt(real.length)); // truncated
                case 2 -> { // garbage after the first bytes
                    byte[] b = real.clone();
                    for (int k = Math.min(b.length, 8 + r.nextInt(40)); k < b.length; k++) {
                        b[k] = (byte) r.nextInt(256);
                    }
                    yield b;
                }
                case 3 -> Arrays.copyOf(real, real.length + 1 + r.nextInt(5000)); // trailing zeros
                case 4 -> flipBits(real, 1 + r.nextInt(8), r);
                default -> real;
            };
            String[] mimes = {"image/png", "image/jpeg", "image/webp", "image/gif", "image/PNG;x=y", ""};
            int layer = r.nextInt(3) - 1;
            int x = r.nextInt(4) == 0 ? Integer.MAX_VALUE - r.nextInt(100) : r.nextInt(80) - 10;
            s.image(1 + r.nextInt(3), r.nextInt(16), layer, mimes[r.nextInt(mimes.length)], x, r.nextInt(60) - 10, data);
            s.sync(1000 + i * 40);
        }
        
    }

    /**
     * Images within the limits on paper that cost the most: flat colour PNGs (a few hundred KiB
     * each) that decode to the largest picture one layer may hold, and progressive JPEGs whose
     * scans (each a pass over the whole picture) are repeated thousands of times.
     */
    static void imageBomb(Random r, OutputStream out) {
        long pixels = LIMITS.maxLayerPixels();
        int w = pick(r, 1024, 4096, LIMITS.maxSide(), LIMITS.maxSide());
        int h = (int) Math.min(LIMITS.maxSide(), pixels / w);
        if (r.nextInt(4) == 0) {
            h++; // one row too many
        }
        Script s = new Script(out).screen(64, 48);
        int layer = pick(r, 0, -1, 1, -2);
        if (layer == 0 || r.nextBoolean()) {
            s.op("size", layer, w, Math.min(h, (int) (pixels / w)));
        }
        boolean jpeg = r.nextBoolean();
        byte[] image = jpeg ? Images.scanBomb(w, Math.min(h, (int) (pixels / w)), pick(r, 10, 1000, 20_000))
                : Images.flatPng(w, h, r.nextBoolean());
        for (int i = 0; i < 1 + r.nextInt(3); i++) {
            s.image(1, 14, layer, jpeg ? "image/jpeg" : "image/png", 0, 0, image);
            s.sync(2000 + i * 1000);
        }
        
    }

    /**
     * The worst moment for memory: a screen as large as allowed (or half that, with layers),
     * an image of its size decoded onto it, a distorted child, a pattern fill from the screen, a
     * large cursor, each shown.
     */
    static void largestScreen(Random r, OutputStream out) {
        long pixels = LIMITS.maxLayerPixels() / (r.nextBoolean() ? 1 : 2);
        int w = pick(r, LIMITS.maxSide(), 4096, 3840);
        int h = (int) Math.min(LIMITS.maxSide(), pixels / w);
        Script s = new Script(out).op("size", 0, w, h).sync(1000);
        s.image(1, 14, 0, "image/png", 0, 0, Images.flatPng(w, h, r.nextBoolean())).sync(1100);
        int kids = r.nextInt(3);
        for (int i = 1; i <= kids; i++) {
            s.op("size", i, w / 4, h / 4).op("rect", i, 0, 0, w / 4, h / 4).op("cfill", 14, i, 9, 99, 9, 200);
            s.op("distort", i, 1.5, 0.2, -0.2, 1.5, 10, 10).op("move", i, i - 1, 5, 5, 1);
        }
        s.sync(1200);
        s.op("rect", 0, 0, 0, w, h).op("lfill", 14, 0, kids > 0 ? 1 : 0).sync(1300);
        s.op("cursor", 0, 0, 0, 0, 0, w, h).op("mouse", 10, 10).sync(1400);
        s.op("copy", 0, 0, 0, w, h, 12, 0, 3, 3).sync(1500);
    }

    /**
     * gzip that inflates to gigabytes: the same member (about a thousand times smaller than its
     * text) concatenated many times.
     */
    static void gzipBomb(Random r, OutputStream out) throws IOException {
        String unit = switch (r.nextInt(3)) {
            case 0 -> "3.nop;";
            case 1 -> "4.sync,4.1000;";
            default -> "4.blob,1.1,8.AAAAAAAA;";
        };
        StringBuilder text = new StringBuilder(new Script().screen(64, 48).op("img", 1, 14, 0, "image/png", 0, 0)
                .toString());
        int target = 1 << 20;
        while (text.length() < target) {
            text.append(unit);
        }
        byte[] member = gzip(text.toString().getBytes(StandardCharsets.UTF_8));
        byte[] tail = gzip(text.substring(text.indexOf(unit)).getBytes(StandardCharsets.UTF_8));
        int members = pick(r, 50, 500, 4000, 12000); // up to ~12 GiB of text
        out.write(member);
        for (int i = 1; i < members; i++) {
            out.write(tail);
        }
    }

    /** Every opcode with evil numbers in every numeric place. */
    static void hugeNumbers(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        String[][] shapes = {
            {"size", "L", "N", "N"}, {"copy", "L", "N", "N", "N", "N", "M", "L", "N", "N"},
            {"transfer", "L", "N", "N", "N", "N", "M", "L", "N", "N"}, {"cfill", "M", "L", "N", "N", "N", "N"},
            {"rect", "L", "N", "N", "N", "N"}, {"cursor", "N", "N", "L", "N", "N", "N", "N"}, {"mouse", "N", "N"},
            {"move", "L", "L", "N", "N", "N"}, {"shade", "L", "N"}, {"distort", "L", "N", "N", "N", "N", "N", "N"},
            {"arc", "L", "N", "N", "N", "N", "N", "N"}, {"curve", "L", "N", "N", "N", "N", "N", "N"},
            {"line", "L", "N", "N"}, {"start", "L", "N", "N"}, {"transform", "L", "N", "N", "N", "N", "N", "N"},
            {"cstroke", "M", "L", "N", "N", "N", "N", "N", "N", "N"}, {"lstroke", "M", "L", "N", "N", "N", "L"},
            {"lfill", "M", "L", "L"}, {"clip", "L"}, {"push", "L"}, {"pop", "L"}, {"reset", "L"},
            {"identity", "L"}, {"close", "L"}, {"dispose", "L"}, {"set", "L", "miter-limit", "N"},
            {"img", "N", "M", "L", "image/png", "N", "N"}, {"blob", "N", "AAAA"}, {"end", "N"},
            {"audio", "N", "audio/L16;rate=N,channels=N"}, {"sync", "N"}, {"nest", "N", "3.nop;"},
        };
        for (int i = 0; i < 400; i++) {
            String[] shape = shapes[r.nextInt(shapes.length)];
            Object[] args = new Object[shape.length - 1];
            for (int k = 1; k < shape.length; k++) {
                String kind = shape[k];
                args[k - 1] = switch (kind) {
                    case "N" -> r.nextInt(3) == 0 ? r.nextInt(100) : evil(r);
                    case "L" -> r.nextInt(3) == 0 ? r.nextInt(5) - 2 : evil(r);
                    case "M" -> r.nextInt(3) == 0 ? r.nextInt(16) : evil(r);
                    default -> kind.replace("N", evil(r));
                };
            }
            s.op(shape[0], args);
            if (i % 20 == 0) {
                s.sync(2000 + i);
            }
        }
        s.sync(100_000);
    }

    /** Layers resized again and again to the largest allowed size, and just past it. */
    static void maxSizes(Random r, OutputStream out) {
        int max = LIMITS.maxSide();
        long pixels = LIMITS.maxLayerPixels();
        Script s = new Script(out).screen(64, 48);
        for (int i = 0; i < 12; i++) {
            int layer = pick(r, 0, 1, -1, 2 + r.nextInt(4));
            int w = pick(r, max, 1 + r.nextInt(max), 64, max + 1);
            int h = (int) Math.min(max + (r.nextInt(6) == 0 ? 1 : 0), pixels / w + (r.nextInt(6) == 0 ? 1 : 0));
            if (r.nextBoolean()) {
                int t = w;
                w = h;
                h = t;
            }
            s.op("size", layer, w, h);
            s.op("rect", layer, 0, 0, w, h).op("cfill", 14, layer, r.nextInt(256), 9, 9, 255);
            if (r.nextBoolean()) {
                s.op("copy", layer, 0, 0, w, h, 14, 0, 0, 0);
            }
            s.sync(2000 + i * 500);
        }
        
    }

    /** transfer, copy and fills over areas far larger than any layer, from and into buffers. */
    static void hugeAreas(Random r, OutputStream out) {
        Script s = new Script(out).screen(pick(r, 64, 640, 1920, 64), pick(r, 48, 480, 1080, 48));
        int big = Integer.MAX_VALUE;
        for (int i = 0; i < 60; i++) {
            int src = r.nextInt(4) - 2;
            int dst = r.nextInt(4) - 2;
            int w = pick(r, big, big / 2, 100_000, LIMITS.maxSide());
            int h = pick(r, big, 3, 100_000, LIMITS.maxSide());
            int x = pick(r, 0, -big, big - 1, -w);
            int y = pick(r, 0, -big, big - 1, 10);
            switch (r.nextInt(5)) {
                case 0 -> s.op("copy", src, x, y, w, h, r.nextInt(16), dst, pick(r, 0, x, -x, 5), r.nextInt(50));
                case 1 -> s.op("transfer", src, x, y, w, h, r.nextInt(16), dst, r.nextInt(50), pick(r, 0, y, 5, -y));
                case 2 -> s.op("rect", dst, x, y, w, h).op("cfill", r.nextInt(16), dst, 1, 2, 3, r.nextInt(256));
                case 3 -> s.op("rect", dst, x, y, w, h).op("lfill", r.nextInt(16), dst, src);
                default -> s.op("rect", dst, x, y, w, h).op("cstroke", 14, dst, 0, 0, pick(r, 1, 4096, 1e9, 0), 9, 9,
                        9, 255);
            }
            s.sync(2000 + i * 40);
        }
        
    }

    /** Elements and instructions at and past the reader's limits, broken UTF-8, odd lengths. */
    static void longInstructions(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        int limit = io.videoworker.guac.protocol.GuacReader.DEFAULT_MAX_INSTRUCTION_BYTES;
        switch (r.nextInt(7)) {
            case 0 -> s.op("blob", 1, "A".repeat(pick(r, limit - 16, limit, limit + 1, 1 << 20)));
            case 1 -> { // many elements
                Object[] args = new Object[pick(r, 4094, 4095, 4096, 10_000)];
                Arrays.fill(args, "1");
                s.op("nop", args);
            }
            case 2 -> s.raw(pick(r, 1, 2, 10, 11) == 1 ? "99999999999.x;" : "4294967296.x;");
            case 3 -> s.raw(limit + "." + "B".repeat(r.nextInt(1000)) + ";"); // declared huge, input ends
            case 4 -> s.raw("4.sync,4.\u00e9\u00e9\u00e9\u00e9;6.\u4e2d\u6587\u4e2d\u6587\u4e2d\u6587,1.x;");
            case 5 -> s.raw("4.sync,4.12").raw(new String(new byte[] {(byte) 0xF0, (byte) 0x9F, 0x41},
                    StandardCharsets.ISO_8859_1)).raw(";");
            default -> s.op("x".repeat(pick(r, 100, 1 << 16, 1 << 20, 7)), "1");
        }
        s.sync(5000);
    }

    /** nest inside nest inside nest, on many indices, cut mid-instruction. */
    static void nestedNests(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        String inner = new Script().op("rect", 0, 1, 1, 5, 5).op("cfill", 14, 0, 255, 0, 0, 255).sync(3000)
                .toString();
        int depth = pick(r, 2, 8, 9, 40);
        for (int d = 0; d < depth; d++) {
            inner = new Script().op("nest", r.nextInt(3), inner).toString();
        }
        s.raw(inner);
        int indices = pick(r, 10, 1000, 5000, 20_000);
        String unit = "4.rect,1.0,1.1,1.1,1.5,1.5;5.cfill,2.14,1.0,1.9,1.9,1.9,3.255;";
        String piece = unit.repeat(1 + r.nextInt(Math.max(1, Math.min(200, (40 << 20) / indices / unit.length()))));
        for (int i = 0; i < indices; i++) {
            // a half instruction each: every index keeps data waiting for its rest
            s.op("nest", i, piece + "4.rect,1.0,");
        }
        if (r.nextBoolean()) { // one index fed to past the instruction limit
            String chunk = "9".repeat(1 << 20);
            for (int i = 0; i < 18; i++) {
                s.op("nest", 7, chunk);
            }
        }
        s.sync(9000);
    }

    /** sync timestamps backwards, forwards by years, negative, past a long, not numbers. */
    static void clockTrouble(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        long t = pick(r, 0L, 5_000_000L, Long.MAX_VALUE - 10, -5_000_000L);
        String[] odd = {"9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e9", "", "-1"};
        for (int i = 0; i < 200; i++) {
            int kind = r.nextInt(10);
            if (kind == 0) {
                s.op("sync", odd[r.nextInt(odd.length)]);
                continue;
            }
            long step = switch (kind) {
                case 1 -> -r.nextInt(5_000_000); // backwards
                case 2 -> pick(r, 540_000L, 3_600_000L, 86_400_000L, 1L << 40, 999_999_999_999_999_999L); // far
                default -> r.nextInt(200);
            };
            t = saturatedAdd(t, step);
            s.op("rect", 0, r.nextInt(60), r.nextInt(40), 4, 4).op("cfill", 14, 0, r.nextInt(256), 0, 0, 255);
            s.sync(t);
            if (r.nextInt(20) == 0) {
                s.op("sync", t, t); // guacd 1.6.0 sends a second argument
            }
        }
        
    }

    /** Paths with many elements, enormous coordinates and transforms, clips, unbalanced push. */
    static void pathFlood(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        int elements = pick(r, 100, 10_000, 100_000, 300_000);
        int layer = r.nextInt(3) - 1;
        double scale = pick(r, 1.0, 1e6, 1e-9, 1e300);
        s.op("transform", layer, scale, 0, 0, scale, 0, 0);
        for (int i = 0; i < elements; i++) {
            switch (r.nextInt(6)) {
                case 0 -> s.op("rect", layer, r.nextInt(64), r.nextInt(48), r.nextInt(9), r.nextInt(9));
                case 1 -> s.op("line", layer, r.nextInt(64), r.nextInt(48));
                case 2 -> s.op("curve", layer, r.nextInt(64), r.nextInt(48), r.nextInt(64), 1e9, 3, 4);
                case 3 -> s.op("arc", layer, 30, 20, pick(r, 5.0, 1e8, 0.0, 1e300), r.nextDouble() * 7, 1e6, 1);
                case 4 -> s.op("push", layer);
                default -> s.op("start", layer, r.nextInt(64), r.nextInt(48));
            }
        }
        switch (r.nextInt(4)) {
            case 0 -> s.op("cfill", 14, layer, 200, 0, 0, 255);
            case 1 -> s.op("clip", layer).op("rect", layer, 0, 0, 64, 48).op("cfill", 14, layer, 0, 0, 200, 255);
            case 2 -> s.op("cstroke", 14, layer, 1, 2, 30, 0, 200, 0, 255);
            default -> s.op("lfill", 15, layer, 0);
        }
        s.sync(3000);
    }

    /** Audio formats at the edges, odd-sized blobs, audio on image streams and the reverse. */
    static void audioTrouble(Random r, OutputStream out) {
        Script s = new Script(out).screen(64, 48);
        String[] formats = {"audio/L16;rate=44100,channels=2", "audio/L8;rate=1000,channels=8",
            "audio/L16;rate=192000,channels=1", "audio/L16;rate=192001,channels=2", "audio/L16;rate=x",
            "audio/L16;channels=0", "audio/ogg", "audio/L16;rate=8000,channels=2,rate=48000"};
        long t = 1000;
        for (int i = 0; i < 40; i++) {
            int stream = r.nextInt(3);
            s.op("audio", stream, formats[r.nextInt(formats.length)]);
            byte[] pcm = new byte[r.nextInt(20_000) | (r.nextInt(3) == 0 ? 1 : 0)];
            r.nextBytes(pcm);
            s.blobs(stream, pcm);
            if (r.nextInt(4) == 0) {
                s.op("img", stream, 14, 0, "image/png", 0, 0).blobs(stream, pcm); // audio data into an image
            }
            if (r.nextBoolean()) {
                s.op("end", stream);
            }
            t += pick(r, 20L, 500L, 60_000L, 0L);
            s.sync(t);
        }
        
    }

    /** Random instructions from the whole vocabulary with random arguments, some unknown. */
    static void instructionSoup(Random r, OutputStream out) {
        String[] opcodes = {"size", "copy", "transfer", "cfill", "rect", "cursor", "mouse", "move", "shade",
            "distort", "arc", "curve", "line", "start", "transform", "cstroke", "lstroke", "lfill", "clip", "push",
            "pop", "reset", "identity", "close", "dispose", "set", "img", "blob", "end", "audio", "sync", "nest",
            "video", "file", "pipe", "clipboard", "argv", "body", "ack", "key", "disconnect", "frobnicate", ""};
        Script s = new Script(out);
        long t = 0;
        for (int i = 0; i < 3000; i++) {
            String op = opcodes[r.nextInt(opcodes.length)];
            Object[] args = new Object[r.nextInt(11)];
            for (int k = 0; k < args.length; k++) {
                args[k] = switch (r.nextInt(6)) {
                    case 0 -> evil(r);
                    case 1 -> "image/png";
                    case 2 -> "iVBORw0KGgo=";
                    default -> r.nextInt(130) - 2;
                };
            }
            if (op.equals("sync")) {
                t += r.nextInt(100);
                s.sync(t);
            } else {
                s.op(op, args);
            }
        }
        s.sync(t + 1);
    }

    /**
     * A recording that turns to garbage and stays garbage, up to 48 MiB of it: random bytes,
     * protocol characters, lone whole instructions, and candidates that read far before they fail.
     * The resynchronisation must cross it in linear time; with a picture before it the video ends
     * there, with only the first instruction before it the recording is refused.
     */
    static void garbageToTheEnd(Random r, OutputStream out) throws IOException {
        if (r.nextBoolean()) {
            new Script(out).screen(64, 48).sync(2000);
        } else {
            new Script(out).op("size", 0, 64, 48);
        }
        long size = pick(r, 1L << 10, 1L << 20, 16L << 20, 48L << 20);
        int kind = r.nextInt(5);
        byte[] unit = switch (kind) {
            case 2 -> "4.sync,1.5;x".getBytes(StandardCharsets.US_ASCII); // each whole, but alone
            case 3 -> "4.blob,1.1,8000.".getBytes(StandardCharsets.US_ASCII); // reads 8000 bytes on, then fails
            case 4 -> "4.blob,1.1,7.9999999.".getBytes(StandardCharsets.US_ASCII);
            default -> "0123456789.,;abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        };
        byte[] chunk = new byte[1 << 16];
        for (long written = 0; written < size; written += chunk.length) {
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = switch (kind) {
                    case 0 -> (byte) r.nextInt(256);
                    case 1 -> unit[r.nextInt(unit.length)];
                    default -> unit[(int) ((written + i) % unit.length)];
                };
            }
            out.write(chunk);
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    static String evil(Random r) {
        return EVIL_NUMBERS[r.nextInt(EVIL_NUMBERS.length)];
    }

    static int pick(Random r, int... choices) {
        return choices[r.nextInt(choices.length)];
    }

    static long pick(Random r, long... choices) {
        return choices[r.nextInt(choices.length)];
    }

    static double pick(Random r, double... choices) {
        return choices[r.nextInt(choices.length)];
    }

    static byte[] flipBits(byte[] in, int flips, Random r) {
        byte[] b = in.clone();
        for (int i = 0; i < flips; i++) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}

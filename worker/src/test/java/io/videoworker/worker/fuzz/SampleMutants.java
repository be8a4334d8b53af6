package io.videoworker.worker.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Real recordings (the samples) damaged the ways files get damaged or tampered with: bit flips,
 * cuts, slices moved, numbers replaced, garbage runs, hostile instructions spliced in, and the
 * same on the gzip bytes. A mutant goes out raw or gzipped again.
 */
final class SampleMutants {
    private static final List<Path> SAMPLES = List.of(
            Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz"),
            Path.of("../samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz"),
            Path.of("../samples/vnc-audio-60s/lion/77a63645-8191-5d3b-af51-4aac481ff8a0.0.part.gz"));
    private static final byte[][] TEXT = new byte[SAMPLES.size()][];

    private SampleMutants() {
    }

    static List<Generator> all() {
        return List.of(
                text("sample-bit-flips", copying((b, r) -> HostileRecordings.flipBits(b, 1 + r.nextInt(60), r))),
                text("sample-truncated", (b, r, out) -> out.write(b, 0, r.nextInt(b.length))),
                text("sample-slice-moved", copying(SampleMutants::moveSlice)),
                text("sample-huge-numbers", copying(SampleMutants::hugeNumbers)),
                text("sample-garbage-run", copying(SampleMutants::garbageRun)),
                text("sample-spliced-hostile", SampleMutants::spliceHostile),
                new Generator("sample-gzip-damaged", ".replay.gz", SampleMutants::gzipDamaged),
                new Generator("sample-gzip-members", ".replay.gz", SampleMutants::gzipMembersDamaged));
    }

    /** A mutation of a sample's text, written raw or gzipped again (either way round). */
    private static Generator text(String name, Mutation m) {
        return new Generator(name, ".replay", (r, out) -> {
            boolean gzip = r.nextBoolean();
            OutputStream target = gzip ? new GZIPOutputStream(out, 1 << 16) : out;
            m.apply(sample(r.nextInt(SAMPLES.size())), r, target);
            if (gzip) {
                ((GZIPOutputStream) target).finish();
            }
        });
    }

    /** Same length or not, written to {@code out}. */
    private interface Mutation {
        void apply(byte[] text, Random r, OutputStream out) throws IOException;
    }

    /** A mutation that makes a new array. */
    private static Mutation copying(java.util.function.BiFunction<byte[], Random, byte[]> f) {
        return (text, r, out) -> out.write(f.apply(text, r));
    }

    static synchronized byte[] sample(int i) {
        if (TEXT[i] == null) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(SAMPLES.get(i)))) {
                TEXT[i] = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return TEXT[i];
    }

    /** A slice copied to elsewhere, or moved (removed where it was). */
    private static byte[] moveSlice(byte[] b, Random r) {
        int from = r.nextInt(b.length);
        int len = Math.min(b.length - from, 1 + r.nextInt(50_000));
        int to = r.nextInt(b.length);
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, to);
        System.arraycopy(b, from, out, to, len);
        System.arraycopy(b, to, out, to + len, b.length - to);
        if (r.nextBoolean()) { // and cut from its old place
            int at = from + (from >= to ? len : 0);
            byte[] cut = new byte[out.length - len];
            System.arraycopy(out, 0, cut, 0, at);
            System.arraycopy(out, at + len, cut, at, out.length - at - len);
            return cut;
        }
        return out;
    }

    /** Numeric elements (sizes, coordinates, layers, streams, timestamps) replaced by evil numbers. */
    private static byte[] hugeNumbers(byte[] b, Random r) {
        String text = new String(b, StandardCharsets.ISO_8859_1);
        List<int[]> numbers = new ArrayList<>(); // value start, value end
        int p = 0;
        while (p < text.length()) { // walks the elements; the samples are ASCII
            int dot = text.indexOf('.', p);
            if (dot < 0 || dot - p > 10) {
                break;
            }
            int len;
            try {
                len = Integer.parseInt(text.substring(p, dot));
            } catch (NumberFormatException e) {
                break;
            }
            int start = dot + 1;
            int end = start + len;
            if (end >= text.length()) {
                break;
            }
            if (len > 0 && len < 20 && text.substring(start, end).matches("-?\\d+")) {
                numbers.add(new int[] {start, end});
            }
            p = end + 1;
        }
        StringBuilder out = new StringBuilder(text.length() + 1000);
        int last = 0;
        int changes = 1 + r.nextInt(30);
        List<int[]> chosen = new ArrayList<>();
        for (int i = 0; i < changes && !numbers.isEmpty(); i++) {
            chosen.add(numbers.get(r.nextInt(numbers.size())));
        }
        chosen.sort((x, y) -> Integer.compare(x[0], y[0]));
        for (int[] n : chosen) {
            if (n[0] < last) {
                continue;
            }
            // rewrite "LEN.VALUE" with the new value and its own length
            int prefix = n[0] - 1;
            while (prefix > 0 && Character.isDigit(text.charAt(prefix - 1))) {
                prefix--;
            }
            String evil = HostileRecordings.evil(r);
            out.append(text, last, prefix).append(evil.length()).append('.').append(evil);
            last = n[1];
        }
        out.append(text, last, text.length());
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] garbageRun(byte[] b, Random r) {
        byte[] out = b.clone();
        int at = r.nextInt(out.length);
        int len = 1 + r.nextInt(4000);
        for (int i = at; i < Math.min(out.length, at + len); i++) {
            out[i] = (byte) r.nextInt(256);
        }
        return out;
    }

    /** The instructions of a hostile generator inserted between two instructions of the sample. */
    private static void spliceHostile(byte[] b, Random r, OutputStream out) throws IOException {
        List<Generator> hostile = HostileRecordings.all().stream()
                .filter(g -> !g.extension().endsWith(".gz")).toList();
        int at = r.nextInt(b.length);
        while (at < b.length && b[at] != ';') {
            at++;
        }
        at = Math.min(b.length, at + 1);
        out.write(b, 0, at);
        hostile.get(r.nextInt(hostile.size())).maker().write(r, out);
        out.write(b, at, b.length - at);
    }

    /**
     * The text in several gzip members (cut anywhere, as an appending writer leaves them), one of
     * them damaged: cut short, its data flipped or overwritten, its header broken, junk before it,
     * or left out.
     */
    private static void gzipMembersDamaged(Random r, OutputStream out) throws IOException {
        byte[] text = sample(r.nextInt(SAMPLES.size()));
        int n = 2 + r.nextInt(12);
        int bad = r.nextInt(n);
        for (int i = 0; i < n; i++) {
            byte[] m = HostileRecordings.gzip(Arrays.copyOfRange(text, (int) ((long) text.length * i / n),
                    (int) ((long) text.length * (i + 1) / n)));
            if (i == bad) {
                m = switch (r.nextInt(6)) {
                    case 0 -> Arrays.copyOf(m, r.nextInt(m.length));
                    case 1 -> HostileRecordings.flipBits(m, 1 + r.nextInt(10), r);
                    case 2 -> {
                        int at = 10 + r.nextInt(m.length - 10);
                        for (int k = at; k < Math.min(m.length, at + 1 + r.nextInt(500)); k++) {
                            m[k] = (byte) r.nextInt(256);
                        }
                        yield m;
                    }
                    case 3 -> {
                        m[r.nextInt(10)] ^= (byte) (1 << r.nextInt(8));
                        yield m;
                    }
                    case 4 -> {
                        byte[] junk = new byte[1 + r.nextInt(5000)];
                        r.nextBytes(junk);
                        out.write(junk);
                        yield m;
                    }
                    default -> new byte[0];
                };
            }
            out.write(m);
        }
    }

    /** The gzip file itself damaged: cut, bits flipped, or a member glued on twice. */
    private static void gzipDamaged(Random r, OutputStream out) throws IOException {
        byte[] gz;
        try {
            gz = Files.readAllBytes(SAMPLES.get(r.nextInt(SAMPLES.size())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write(switch (r.nextInt(4)) {
            case 0 -> Arrays.copyOf(gz, 10 + r.nextInt(gz.length - 10));
            case 1 -> HostileRecordings.flipBits(gz, 1 + r.nextInt(20), r);
            case 2 -> { // header bytes only (flags, lengths)
                byte[] header = gz.clone();
                header[2 + r.nextInt(8)] = (byte) r.nextInt(256);
                yield header;
            }
            default -> {
                byte[] twice = Arrays.copyOf(gz, gz.length * 2);
                System.arraycopy(gz, 0, twice, gz.length, gz.length);
                yield twice;
            }
        });
    }
}

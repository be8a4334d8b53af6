package io.videoworker.worker.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * A short mutation fuzz over a real recording (the long run and the fixed-heap run belong to
 * issue 6): bit flips, truncation, spliced and duplicated slices, huge numbers. Every input must
 * end in a finished MP4 or an {@link InputException}, within a time bound, and a refused input
 * leaves no output behind.
 */
class MutationFuzzTest {
    static byte[] sample;

    @TempDir
    Path dir;

    static synchronized byte[] sample() throws Exception {
        if (sample == null) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(
                    Path.of("../samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz")))) {
                sample = in.readAllBytes();
            }
        }
        return sample;
    }

    static byte[] mutate(byte[] in, long seed) {
        Random r = new Random(seed);
        byte[] b = in.clone();
        switch ((int) (seed % 5)) {
            case 0 -> { // bit flips
                for (int i = 0; i < 1 + r.nextInt(50); i++) {
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length)); // truncation
            case 2 -> { // a slice spliced in elsewhere
                int from = r.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + r.nextInt(20_000));
                int to = r.nextInt(b.length);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, to);
                System.arraycopy(b, from, out, to, len);
                System.arraycopy(b, to, out, to + len, b.length - to);
                b = out;
            }
            case 3 -> { // huge or negative numbers where sizes and coordinates go
                String text = new String(b, StandardCharsets.ISO_8859_1);
                String[] evil = {"9.999999999", "10.2147483647", "11.-2147483648", "5.99999", "2.-1", "1.0"};
                StringBuilder sb = new StringBuilder(text);
                for (int i = 0; i < 20; i++) {
                    int at = sb.indexOf(",3.", r.nextInt(sb.length()));
                    if (at > 0 && at + 6 < sb.length()) {
                        sb.replace(at + 1, at + 6, evil[r.nextInt(evil.length)]);
                    }
                }
                b = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> { // a run of garbage bytes
                int at = r.nextInt(b.length);
                for (int i = at; i < Math.min(b.length, at + 1 + r.nextInt(4000)); i++) {
                    b[i] = (byte) r.nextInt(256);
                }
            }
        }
        return b;
    }

    /** 20 seeds in the suite; {@code -Dfuzz.seeds=N} runs more (bench it, don't bloat CI). */
    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, Long.getLong("fuzz.seeds", 20));
    }

    @ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.MethodSource("seeds")
    void everyMutantEndsInAVideoOrAClearRefusal(long seed) throws Exception {
        Path in = dir.resolve("mutant-" + seed + ".guac");
        Files.write(in, mutate(sample(), seed));
        Path out = dir.resolve("mutant-" + seed + ".mp4");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try {
                ConversionResult r = new Converter(ConvertOptions.DEFAULT, Converter.Progress.NONE)
                        .convert(SessionInput.resolve(List.of(in)), out);
                assertThat(Files.size(out)).isEqualTo(r.bytes());
            } catch (InputException e) {
                assertThat(e.getMessage()).contains("mutant-" + seed);
                assertThat(Files.exists(out)).as("no partial output").isFalse();
            }
        });
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().contains("partial"))).isEmpty();
        }
    }
}

package io.videoworker.worker.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.encode.Mp4Probe;
import io.videoworker.guac.PlayerOptions;
import io.videoworker.guac.protocol.GuacReader;
import io.videoworker.guac.protocol.Instruction;
import io.videoworker.worker.TestRecordings;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real recording damaged in the middle (bits flipped, garbage spliced in, a gzip member cut
 * short) still converts: every frame before the damage is the undamaged conversion's, pixel for
 * pixel (both encoded lossless, so the encoder cannot blur the comparison), the video ends where
 * the recording ends, and the damage is reported with its place.
 */
class DamagedRecordingTest {
    static final Path SAMPLE = ReferenceFramesTest.SAMPLES.resolve("vnc-desktop-30s/vnc-desktop-30s.replay.gz");
    static final ConvertOptions LOSSLESS = ConvertOptions.DEFAULT.withLossless(true);
    static final long FRAME_MS = (long) Math.ceil(1000 / PlayerOptions.DEFAULT_MAX_FPS);

    @TempDir
    static Path dir;
    static byte[] text;
    static List<long[]> instructions; // offset, and the time of the last sync at or before it (ms from the first)
    static Path undamaged;
    static ConversionResult whole;

    @BeforeAll
    static void convertTheUndamagedRecording() throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SAMPLE))) {
            text = in.readAllBytes();
        }
        instructions = new ArrayList<>();
        try (GuacReader r = new GuacReader(new ByteArrayInputStream(text), "whole")) {
            Instruction in = new Instruction();
            long first = -1;
            long now = 0;
            while (r.next(in)) {
                if (in.opcode().equals("sync")) {
                    first = first < 0 ? in.longArg(0) : first;
                    now = Math.max(now, in.longArg(0) - first);
                }
                instructions.add(new long[] {in.offset(), now});
            }
        }
        undamaged = dir.resolve("undamaged.mp4");
        whole = convert(SAMPLE, undamaged);
        assertThat(whole.warnings()).isEmpty();
    }

    static ConversionResult convert(Path recording, Path mp4) throws Exception {
        return new Converter(LOSSLESS, Converter.Progress.NONE).convert(SessionInput.resolve(List.of(recording)), mp4);
    }

    /** Index of the instruction that holds byte {@code offset} of the text. */
    static int instructionAt(long offset) {
        int i = 0;
        while (i + 1 < instructions.size() && instructions.get(i + 1)[0] <= offset) {
            i++;
        }
        return i;
    }

    /**
     * The damaged video ends where the recording does, and every frame shown before {@code damagedAt}
     * (the time of the last sync before the damaged text) is the undamaged one, exactly.
     */
    static void sameUpToTheDamageAndToTheEnd(Path damaged, ConversionResult r, long damagedAt) throws Exception {
        assertThat(damagedAt).as("the damage is well inside the recording").isGreaterThan(8_000);
        assertThat(Math.abs(r.durationMs() - whole.durationMs())).as("end %d vs %d ms", r.durationMs(), whole.durationMs())
                .isLessThanOrEqualTo(FRAME_MS);
        try (Mp4Probe a = Mp4Probe.open(undamaged); Mp4Probe b = Mp4Probe.open(damaged)) {
            for (double f : new double[] {0.05, 0.25, 0.5, 0.75, 0.9, 1.0}) {
                long t = (long) (damagedAt * f) - (f == 1.0 ? 1 : 0);
                assertThat(differingPixels(a.frameAt(t), b.frameAt(t))).as("pixels differing at %d ms", t).isZero();
            }
        }
    }

    static int differingPixels(BufferedImage a, BufferedImage b) {
        assertThat(b.getWidth()).isEqualTo(a.getWidth());
        assertThat(b.getHeight()).isEqualTo(a.getHeight());
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                n += a.getRGB(x, y) == b.getRGB(x, y) ? 0 : 1;
            }
        }
        return n;
    }

    @Test
    void bitsFlippedInTheMiddle() throws Exception {
        // a terminator, a separator and a length digit, each with one bit flipped, past the middle
        byte[] b = text.clone();
        int[] flipped = new int[3];
        int at = text.length * 11 / 20;
        for (int k = 0; k < 3; k++) {
            byte target = (byte) (k == 0 ? ';' : k == 1 ? ',' : '.');
            while (b[at] != target) {
                at++;
            }
            int flip = k == 2 ? at - 1 : at; // for '.', the length digit before it
            b[flip] ^= (byte) (k == 2 ? 0x40 : 0x01);
            flipped[k] = flip;
            at += 50_000;
        }
        Path f = Files.write(dir.resolve("flipped.guac"), b);
        Path mp4 = dir.resolve("flipped.mp4");
        ConversionResult r = convert(f, mp4);

        assertThat(r.warnings()).filteredOn(w -> w.contains("damaged data")).hasSize(3);
        for (int k = 0; k < 3; k++) {
            long start = instructions.get(instructionAt(flipped[k]))[0];
            assertThat(r.warnings()).as("flip at byte %d", flipped[k]).anySatisfy(w -> assertThat(w)
                    .startsWith("flipped.guac: damaged data: bytes " + start + "–").contains("at byte"));
        }
        long damagedAt = instructions.get(instructionAt(flipped[0]))[1];
        sameUpToTheDamageAndToTheEnd(mp4, r, damagedAt);
    }

    @Test
    void garbageSplicedInTheMiddle() throws Exception {
        int index = instructionAt(text.length / 2) + 1; // an instruction boundary
        int at = (int) instructions.get(index)[0];
        byte[] garbage = new byte[5000];
        new Random(14).nextBytes(garbage);
        garbage[0] = '#'; // never a length digit: the damage starts right here
        ByteArrayOutputStream spliced = new ByteArrayOutputStream();
        spliced.write(text, 0, at);
        spliced.write(garbage);
        spliced.write(text, at, text.length - at);
        Path f = Files.write(dir.resolve("spliced.replay.gz"), TestRecordings.gzip(spliced.toByteArray()));
        Path mp4 = dir.resolve("spliced.mp4");
        ConversionResult r = convert(f, mp4);

        assertThat(r.warnings()).filteredOn(w -> w.contains("damaged data")).singleElement().isEqualTo(
                "spliced.replay.gz: damaged data: decompressed bytes " + at + "–" + (at + 5000) + " (5000 bytes) skipped from"
                + " instruction " + (index + 1) + " (expected a length digit but found '#' at byte " + at + "); resumed at"
                + " decompressed byte " + (at + 5000) + " (instruction " + (index + 2) + ")");
        sameUpToTheDamageAndToTheEnd(mp4, r, instructions.get(index)[1]);
    }

    @Test
    void aGzipMemberCutShortInTheMiddle() throws Exception {
        // the text in six gzip members, cut anywhere (not at instruction ends); the third loses 60 % of its bytes
        int n = 6;
        byte[][] members = new byte[n][];
        for (int i = 0; i < n; i++) {
            members[i] = TestRecordings.gzip(Arrays.copyOfRange(text, text.length * i / n, text.length * (i + 1) / n));
        }
        long memberAt = members[0].length + members[1].length;
        members[2] = Arrays.copyOf(members[2], members[2].length * 2 / 5);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (byte[] m : members) {
            file.write(m);
        }
        Path f = Files.write(dir.resolve("members.replay.gz"), file.toByteArray());
        Path mp4 = dir.resolve("members.mp4");
        ConversionResult r = convert(f, mp4);

        assertThat(r.warnings()).filteredOn(w -> w.contains("damaged")).singleElement().asString()
                .startsWith("members.replay.gz: damaged gzip data: the gzip member from compressed byte " + memberAt
                        + " breaks off at byte " + (memberAt + members[2].length) + " (cut off where another member starts);"
                        + " the next member starts at byte " + (memberAt + members[2].length) + "; decompressed bytes ")
                .contains(" skipped from instruction ");
        long damagedAt = instructions.get(instructionAt(text.length * 2L / n))[1]; // nothing before the third member is lost
        sameUpToTheDamageAndToTheEnd(mp4, r, damagedAt);
    }
}

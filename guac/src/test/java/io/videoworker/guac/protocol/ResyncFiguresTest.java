package io.videoworker.guac.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The figures docs/reliability.md §1 gives for resynchronisation, measured and pinned: where it
 * resumes in damaged real recordings (always at an instruction the recording really had), what it
 * finds in garbage (nothing), and how fast it scans garbage, hostile garbage included (linear).
 */
class ResyncFiguresTest {
    static final List<Path> SAMPLES = List.of(
            Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz"),
            Path.of("../samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz"),
            Path.of("../samples/vnc-audio-60s/lion/77a63645-8191-5d3b-af51-4aac481ff8a0.0.part.gz"));

    /** Instructions read and damage reported, from a reader that skips damage. */
    record Read(long instructions, List<RecordingDamage> damage, long millis) {
    }

    static Read read(byte[] text) throws IOException {
        List<RecordingDamage> damage = new ArrayList<>();
        long t0 = System.nanoTime();
        GuacReader r = new GuacReader(new ByteArrayInputStream(text), "figures").onDamage(damage::add);
        Instruction in = new Instruction();
        long n = 0;
        while (r.next(in)) {
            n++;
        }
        return new Read(n, damage, (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void inDamagedRecordingsItResumesOnlyAtInstructionsTheRecordingHad() throws IOException {
        Random r = new Random(20261127);
        int resyncs = 0;
        int wrong = 0;
        int[] perKind = new int[4];
        for (Path sample : SAMPLES) {
            byte[] text;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(sample))) {
                text = in.readAllBytes();
            }
            Set<Long> starts = new HashSet<>();
            GuacReader whole = new GuacReader(new ByteArrayInputStream(text), "whole");
            Instruction in = new Instruction();
            while (whole.next(in)) {
                starts.add(in.offset());
            }
            for (int t = 0; t < 120; t++) {
                int kind = t % 4;
                byte[] b = text.clone();
                int at = r.nextInt(b.length);
                int len = 1 + r.nextInt(4000);
                long moved = Long.MAX_VALUE; // a splice moves what follows it by len
                switch (kind) {
                    case 0 -> { // bit flips
                        for (int k = 0; k < 1 + r.nextInt(20); k++) {
                            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                        }
                    }
                    case 1 -> { // random bytes over the text
                        for (int i = at; i < Math.min(b.length, at + len); i++) {
                            b[i] = (byte) r.nextInt(256);
                        }
                    }
                    case 2 -> { // protocol-like bytes over the text: drawn from the recording itself
                        for (int i = at; i < Math.min(b.length, at + len); i++) {
                            b[i] = text[r.nextInt(text.length)];
                        }
                    }
                    default -> { // protocol-like bytes spliced in: what follows moves by len
                        byte[] spliced = new byte[b.length + len];
                        System.arraycopy(b, 0, spliced, 0, at);
                        for (int i = 0; i < len; i++) {
                            spliced[at + i] = text[r.nextInt(text.length)];
                        }
                        System.arraycopy(b, at, spliced, at + len, b.length - at);
                        b = spliced;
                        moved = at + (long) len;
                    }
                }
                Read got;
                try {
                    got = read(b);
                } catch (GuacFormatException e) {
                    continue; // the first instruction was hit: refused as no recording
                }
                for (RecordingDamage d : got.damage()) {
                    if (d.toTheEnd()) {
                        continue;
                    }
                    resyncs++;
                    perKind[kind]++;
                    long original = d.textTo() >= moved ? d.textTo() - len : d.textTo();
                    if (!starts.contains(original)) {
                        wrong++;
                    }
                }
            }
        }
        System.out.printf("resyncs in damaged samples: %d (flips %d, random runs %d, protocol-like runs %d,"
                + " protocol-like splices %d), at a place that was no instruction: %d%n",
                resyncs, perKind[0], perKind[1], perKind[2], perKind[3], wrong);
        assertThat(resyncs).isGreaterThan(200);
        assertThat(wrong).isZero();
    }

    @Test
    void garbageHoldsNoPlaceToResumeAndIsScannedFast() throws IOException {
        Random r = new Random(7);
        int mib = 32;
        byte[] random = new byte[mib << 20];
        r.nextBytes(random);
        byte[] alphabet = "0123456789.,;abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        byte[] protocolLike = new byte[mib << 20];
        for (int i = 0; i < protocolLike.length; i++) {
            protocolLike[i] = alphabet[r.nextInt(alphabet.length)];
        }
        // whole instructions, but each alone amid garbage: a rule of one instruction would take every one
        byte[] lone = repeat("4.sync,1.5;x", mib << 20);
        for (byte[] garbage : List.of(random, protocolLike, lone)) {
            Read got = read(withFirstInstruction(garbage));
            System.out.printf("%d MiB of %s after one instruction: %d instructions, scanned in %d ms (%.0f MiB/s)%n",
                    mib, garbage == random ? "random bytes" : garbage == lone ? "lone instructions" : "protocol characters",
                    got.instructions(), got.millis(), mib * 1000.0 / Math.max(1, got.millis()));
            assertThat(got.instructions()).as("nothing taken from the garbage").isEqualTo(1 + (garbage == lone ? 1 : 0));
            assertThat(got.damage()).singleElement().satisfies(d -> assertThat(d.toTheEnd()).isTrue());
            assertThat(got.millis()).as("ms to scan %d MiB", mib).isLessThan(20_000);
        }
    }

    @Test
    void candidatesThatReadFarBeforeFailingCostLinearTime() throws IOException {
        // each "4.blob,1.1,8000." reads 8000 bytes on before it fails: a quadratic scan would take minutes
        int mib = 16;
        Read got = read(withFirstInstruction(repeat("4.blob,1.1,8000.", mib << 20)));
        System.out.printf("%d MiB of blob candidates that fail after 8000 bytes: scanned in %d ms%n", mib, got.millis());
        assertThat(got.instructions()).isEqualTo(1);
        assertThat(got.millis()).isLessThan(20_000);
    }

    static byte[] repeat(String unit, int size) {
        byte[] u = unit.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = u[i % u.length];
        }
        return out;
    }

    /** A first instruction that parses (else the input is refused as no recording), then the garbage. */
    static byte[] withFirstInstruction(byte[] garbage) {
        byte[] head = "4.sync,1.0;".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + garbage.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(garbage, 0, out, head.length, garbage.length);
        return out;
    }
}

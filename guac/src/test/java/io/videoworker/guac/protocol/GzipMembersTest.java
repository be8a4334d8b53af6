package io.videoworker.guac.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** gzip read member by member past damage, on a real recording cut into members. */
class GzipMembersTest {
    static final Path SAMPLE = Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz");

    private final List<RecordingDamage> damage = new ArrayList<>();

    static byte[] text() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SAMPLE))) {
            return in.readAllBytes();
        }
    }

    /** The text in {@code n} gzip members, cut at arbitrary bytes (not at instruction ends). */
    static byte[][] members(byte[] text, int n) throws IOException {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = gzip(Arrays.copyOfRange(text, (int) ((long) text.length * i / n), (int) ((long) text.length * (i + 1) / n)), -1);
        }
        return out;
    }

    static byte[] gzip(byte[] data, int level) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Offsets of every instruction read, damage to {@link #damage}. */
    private List<Long> offsets(byte[] file) throws IOException {
        List<Long> out = new ArrayList<>();
        try (GuacReader r = RecordingInput.open(new ByteArrayInputStream(file), "m.gz").onDamage(damage::add)) {
            Instruction in = new Instruction();
            while (r.next(in)) {
                out.add(in.offset());
            }
        }
        return out;
    }

    @Test
    void aMemberCutOffInTheMiddleEndsWhereTheNextOneStarts() throws IOException {
        byte[] text = text();
        byte[][] m = members(text, 8);
        List<Long> whole = offsets(concat(m));
        assertThat(damage).isEmpty();
        byte[] cut = Arrays.copyOf(m[3], m[3].length / 2);
        long cutAt = concat(m[0], m[1], m[2]).length + cut.length;
        List<Long> got = offsets(concat(m[0], m[1], m[2], cut, m[4], m[5], m[6], m[7]));

        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.gzip().effect()).isEqualTo(GzipDamage.Effect.RESUMED);
            assertThat(d.gzip().memberAt()).isEqualTo(concat(m[0], m[1], m[2]).length);
            assertThat(d.gzip().from()).isEqualTo(cutAt);
            assertThat(d.gzip().to()).isEqualTo(cutAt);
            assertThat(d.message()).contains("m.gz: damaged gzip data: the gzip member from compressed byte "
                    + d.gzip().memberAt() + " breaks off at byte " + cutAt + " (cut off where another member starts)");
        });
        // everything before the cut is read as it was, and the last four members whole
        long lostFrom = damage.get(0).textFrom();
        List<Long> before = whole.stream().filter(o -> o < lostFrom).toList();
        assertThat(got.subList(0, before.size())).isEqualTo(before);
        long textLost = text.length / 2 - damage.get(0).gzip().textTo(); // the cut member's second half
        long fifth = (long) text.length * 4 / 8;
        List<Long> after = whole.stream().filter(o -> o > fifth + 100).map(o -> o - textLost).toList();
        assertThat(got).endsWith(after.toArray(Long[]::new));
    }

    /**
     * Breaks the second stored block of a member written at level 0: its length check fails, so
     * zlib stops there for certain ("invalid stored block lengths"). Returns where.
     */
    static int breakSecondStoredBlock(byte[] member, int at) {
        int block = at + 10; // Java writes a 10-byte header
        block += 5 + ((member[block + 1] & 0xFF) | (member[block + 2] & 0xFF) << 8);
        member[block + 3] ^= 0x55; // NLEN no longer the complement of LEN
        return block;
    }

    @Test
    void aCorruptMemberIsSkippedToTheNextOne() throws IOException {
        byte[] text = text();
        byte[][] m = new byte[4][];
        for (int i = 0; i < 4; i++) {
            m[i] = gzip(Arrays.copyOfRange(text, text.length * i / 4, text.length * (i + 1) / 4), Deflater.NO_COMPRESSION);
        }
        List<Long> whole = offsets(concat(m));
        int broken = m[0].length + breakSecondStoredBlock(m[1], 0);
        List<Long> got = offsets(concat(m));

        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.gzip().effect()).isEqualTo(GzipDamage.Effect.RESUMED);
            assertThat(d.gzip().memberAt()).isEqualTo(m[0].length);
            assertThat(d.gzip().from()).isBetween((long) broken, broken + 5L);
            assertThat(d.gzip().to()).isEqualTo(m[0].length + m[1].length);
            assertThat(d.message()).contains("(invalid stored block lengths)").contains("compressed bytes "
                    + d.gzip().from() + "–" + d.gzip().to());
        });
        RecordingDamage d = damage.get(0);
        // before the damage as it was; the last two members whole, shifted by the text lost
        assertThat(got).startsWith(whole.stream().filter(o -> o < d.textFrom()).toArray(Long[]::new));
        long shift = text.length / 2 - d.gzip().textTo();
        assertThat(got).endsWith(whole.stream().filter(o -> o > text.length / 2 + 100).map(o -> o - shift).toArray(Long[]::new));
    }

    @Test
    void damageWithNoMemberAfterItEndsTheTextThere() throws IOException {
        byte[] gz = gzip(text(), Deflater.NO_COMPRESSION);
        breakSecondStoredBlock(gz, 0);
        List<Long> got = offsets(gz);
        assertThat(got).hasSizeGreaterThan(100);
        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.toTheEnd()).isTrue();
            assertThat(d.gzip().effect()).isEqualTo(GzipDamage.Effect.ENDED);
            assertThat(d.gzip().to()).isEqualTo(gz.length);
            assertThat(d.message()).contains("no gzip member follows").endsWith("the recording ends there");
        });
    }

    @Test
    void junkBetweenMembersIsSkippedAndJunkAfterTheLastIsIgnored() throws IOException {
        byte[][] m = members(text(), 3);
        byte[] junk = "this is not gzip".getBytes();
        List<Long> whole = offsets(concat(m));
        List<Long> got = offsets(concat(m[0], m[1], junk, m[2], junk));
        assertThat(damage).hasSize(2);
        assertThat(damage.get(0).gzip().effect()).isEqualTo(GzipDamage.Effect.RESUMED);
        assertThat(damage.get(0).gzip().from()).isEqualTo(m[0].length + m[1].length);
        assertThat(damage.get(0).gzip().to()).isEqualTo(m[0].length + m[1].length + junk.length);
        assertThat(damage.get(1).gzip().effect()).isEqualTo(GzipDamage.Effect.TRAILING);
        assertThat(damage.get(1).message()).contains("(16 bytes) after the last gzip member are not gzip data");
        // the text was whole: at most the instruction spanning the seam is lost
        assertThat(got.size()).isBetween(whole.size() - 1, whole.size());
    }

    @Test
    void aChecksumMismatchIsReportedAndTheTextKept() throws IOException {
        byte[] gz = Files.readAllBytes(SAMPLE);
        List<Long> whole = offsets(gz);
        gz[gz.length - 6] ^= 1; // the CRC-32 in the trailer
        assertThat(offsets(gz)).isEqualTo(whole);
        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.gzip().effect()).isEqualTo(GzipDamage.Effect.CHECKSUM);
            assertThat(d.message()).contains("does not match its checksum").contains("decompressed bytes 0–585242");
        });
    }

    @Test
    void aHeaderLookalikeInsideAMemberIsProbedAndPassedOver() throws IOException {
        // stored (level 0) data holding gzip headers followed by garbage: each is probed, none is a member
        byte[] data = new byte[300_000];
        new java.util.Random(5).nextBytes(data);
        byte[] header = {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, (byte) 0xFF};
        for (int at = 1000; at + header.length < data.length; at += 997) {
            System.arraycopy(header, 0, data, at, header.length);
        }
        byte[] gz = gzip(data, Deflater.NO_COMPRESSION);
        try (GzipMembers in = new GzipMembers(new ByteArrayInputStream(gz), "stored.gz")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void headerLookalikesEverywhereCostLinearTime() throws IOException {
        byte[] data = new byte[8 << 20];
        byte[] header = {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, (byte) 0xFF};
        for (int at = 0; at + header.length <= data.length; at += header.length) {
            System.arraycopy(header, 0, data, at, header.length);
        }
        byte[] gz = gzip(data, Deflater.NO_COMPRESSION);
        long t0 = System.nanoTime();
        try (GzipMembers in = new GzipMembers(new ByteArrayInputStream(gz), "lookalikes.gz")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for 8 MiB, a header every 10 bytes").isLessThan(10_000);
    }

    @Test
    void aDamagedFirstHeaderIsNoRecording() {
        byte[] gz = gzip1("4.sync,1.1;");
        gz[2] = 9;
        assertThatThrownBy(() -> RecordingInput.open(new ByteArrayInputStream(gz), "h.gz"))
                .isInstanceOf(GuacFormatException.class).hasMessageContaining("damaged gzip header (compression method 9");
    }

    private static byte[] gzip1(String s) {
        try {
            return gzip(s.getBytes(), -1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

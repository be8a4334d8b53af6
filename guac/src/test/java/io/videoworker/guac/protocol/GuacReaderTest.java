package io.videoworker.guac.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.guac.Rec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GuacReaderTest {
    /** opcode|arg|… of every instruction, read as the converter opens a recording, damage not skipped. */
    static List<String> read(byte[] data) throws IOException {
        GuacReader r = RecordingInput.open(new ByteArrayInputStream(data), "test");
        Instruction in = new Instruction();
        List<String> out = new ArrayList<>();
        while (r.next(in)) {
            StringBuilder sb = new StringBuilder(in.opcode());
            for (int i = 0; i < in.argCount(); i++) {
                sb.append('|').append(in.arg(i));
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void parsesInstructionsWithoutSeparators() throws IOException {
        byte[] data = "4.size,1.0,4.1024,3.768;4.sync,7.4790026;".getBytes(StandardCharsets.UTF_8);
        assertThat(read(data)).containsExactly("size|0|1024|768", "sync|4790026");
    }

    @Test
    void lengthsCountCodePointsNotBytesOrChars() throws IOException {
        // é is 2 bytes, 中 3 bytes, 😀 4 bytes and two Java chars: each counts once
        String v = "aé中😀z";
        byte[] data = new Rec().op("name", v).op("nop").bytes();
        assertThat(read(data)).containsExactly("name|" + v, "nop");
    }

    @Test
    void acceptsWhitespaceBeforeLengths() throws IOException {
        byte[] data = "4.sync,1.5;\n 4.sync,\r\n1.6;\n".getBytes(StandardCharsets.UTF_8);
        assertThat(read(data)).containsExactly("sync|5", "sync|6");
    }

    @Test
    void sniffsGzipFromTheBytesAndReadsConcatenatedMembers() throws IOException {
        Rec a = new Rec().op("size", 0, 8, 8).sync(1);
        Rec b = new Rec().sync(2);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(a.gzip());
        both.write(b.gzip());
        assertThat(read(both.toByteArray())).containsExactly("size|0|8|8", "sync|1", "sync|2");
    }

    @Test
    void endInsideAnInstructionIsATruncationNotAnError() throws IOException {
        byte[] data = "4.sync,1.5;4.blob,1.1,8.AAAA".getBytes(StandardCharsets.UTF_8);
        GuacReader r = new GuacReader(new ByteArrayInputStream(data), "cut.guac");
        Instruction in = new Instruction();
        assertThat(r.next(in)).isTrue();
        assertThat(r.next(in)).isFalse();
        assertThat(r.truncatedAt()).isEqualTo(11);
    }

    @Test
    void cutGzipIsReportedAsDamageAfterTheGoodPart() throws IOException {
        Rec rec = new Rec();
        for (int i = 0; i < 2000; i++) {
            rec.sync(i).op("mouse", i % 100, i % 50, 0, i);
        }
        byte[] gz = rec.gzip();
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        GuacReader r = RecordingInput.open(new ByteArrayInputStream(cut), "cut.gz");
        Instruction in = new Instruction();
        int n = 0;
        while (r.next(in)) {
            n++;
        }
        assertThat(n).isGreaterThan(100).isLessThan(4000);
        assertThat(r.truncatedAt() >= 0 || r.streamDamage() != null).isTrue();
    }

    @Test
    void malformedInputNamesInputOffsetAndInstruction() {
        byte[] data = "4.sync,1.5;4.sync,1.6;4.sync,x.7;".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> read(data))
                .isInstanceOf(GuacFormatException.class)
                .hasMessageContaining("test")
                .hasMessageContaining("byte 29")
                .hasMessageContaining("instruction 3")
                .hasMessageContaining("length digit");
        byte[] noSep = "4.sync,1.5x".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> read(noSep)).hasMessageContaining("expected ',' or ';'").hasMessageContaining("byte 10");
    }

    @Test
    void notARecordingFailsAtTheFirstByte() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
        assertThatThrownBy(() -> read(png))
                .isInstanceOf(GuacFormatException.class)
                .satisfies(e -> assertThat(((GuacFormatException) e).instruction()).isEqualTo(1))
                .hasMessageContaining("byte 0x89");
    }

    @Test
    void hugeElementsAreRefusedNotAllocated() {
        byte[] data = "999999999.x".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> read(data)).isInstanceOf(GuacFormatException.class).hasMessageContaining("exceeds the limit");
        byte[] digits = "12345678901234.x".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> read(digits)).hasMessageContaining("too many digits");
    }

    @Test
    void gzipBombIsRefused() throws IOException {
        // 300 MiB of the same instruction compresses to well under 1/1000 of its size
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            byte[] chunk = "3.nop;".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
            for (long written = 0; written < (300L << 20); written += chunk.length) {
                gz.write(chunk);
            }
        }
        GuacReader r = RecordingInput.open(new ByteArrayInputStream(out.toByteArray()), "bomb.gz");
        Instruction in = new Instruction();
        assertThatThrownBy(() -> {
            while (r.next(in)) {
                // drain
            }
        }).isInstanceOf(GuacFormatException.class).hasMessageContaining("gzip bomb");
    }

    @Test
    void readsTheSampleRecordingCompletelyWithTheExpectedOpcodeCounts() throws IOException {
        Path file = Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz");
        Map<String, Integer> counts = new TreeMap<>();
        try (GuacReader r = RecordingInput.open(file)) {
            Instruction in = new Instruction();
            while (r.next(in)) {
                counts.merge(in.opcode(), 1, Integer::sum);
            }
            assertThat(r.truncatedAt()).isEqualTo(-1);
            assertThat(r.position()).isEqualTo(585242);
        }
        assertThat(counts).containsEntry("sync", 406).containsEntry("img", 435).containsEntry("blob", 457)
                .containsEntry("mouse", 265).containsEntry("key", 214).containsEntry("copy", 7);
    }
}

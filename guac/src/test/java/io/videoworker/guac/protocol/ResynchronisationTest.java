package io.videoworker.guac.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.guac.Rec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** After damage the reader skips to where two instructions of known opcodes parse again, and says what it skipped. */
class ResynchronisationTest {
    private final List<RecordingDamage> damage = new ArrayList<>();

    /** opcode@offset#number of every instruction read, with damage reported to {@link #damage}. */
    private List<String> read(byte[] data) throws IOException {
        GuacReader r = RecordingInput.open(new ByteArrayInputStream(data), "d.guac").onDamage(damage::add);
        Instruction in = new Instruction();
        List<String> out = new ArrayList<>();
        while (r.next(in)) {
            out.add(in.opcode() + "@" + in.offset() + "#" + in.number());
        }
        return out;
    }

    private List<String> read(String text) throws IOException {
        return read(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aMalformedStretchIsSkippedAndReportedWithItsPlace() throws IOException {
        assertThat(read("4.sync,1.5;4.sync,1.6;4.sync,x.7;4.sync,1.8;3.nop;"))
                .containsExactly("sync@0#1", "sync@11#2", "sync@33#4", "nop@44#5");
        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.textFrom()).isEqualTo(22);
            assertThat(d.textTo()).isEqualTo(33);
            assertThat(d.instruction()).isEqualTo(3);
            assertThat(d.toTheEnd()).isFalse();
            assertThat(d.message()).isEqualTo("d.guac: damaged data: bytes 22–33 (11 bytes) skipped from instruction 3"
                    + " (expected a length digit but found 'x' at byte 29); resumed at byte 33 (instruction 4)");
        });
    }

    @Test
    void aLengthDamagedUpwardsDoesNotSwallowTheInstructionsAfterIt() throws IOException {
        // 1.6 became 9.6: the element reads on through two good instructions before the error shows
        assertThat(read("4.sync,1.5;4.sync,9.6;4.sync,1.7;5.mouse,1.1,1.2;4.sync,1.8;"))
                .containsExactly("sync@0#1", "sync@22#3", "mouse@33#4", "sync@49#5");
        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.textFrom()).isEqualTo(11);
            assertThat(d.textTo()).isEqualTo(22);
            assertThat(d.problem()).isEqualTo("expected ',' or ';' but found '1' at byte 29");
        });
    }

    @Test
    void aLongInstructionIsRescannedToo() throws IOException {
        // a 200 KiB blob whose length lost its first digit: it ends 100 KiB too early
        Rec rec = new Rec().sync(1).op("blob", 1, "A".repeat(200_000)).sync(2).sync(3);
        String text = new String(rec.bytes(), StandardCharsets.ISO_8859_1).replace(",200000.A", ",100000.A");
        int two = text.indexOf("4.sync,1.2;");
        assertThat(read(text)).containsExactly("sync@0#1", "sync@" + two + "#3", "sync@" + (two + 11) + "#4");
        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.textFrom()).isEqualTo(11);
            assertThat(d.textTo()).isEqualTo(two);
        });
    }

    @Test
    void garbageThatLooksLikeProtocolIsNotAPlaceToResume() throws IOException {
        // a well-formed instruction of an unknown opcode, a known one with the wrong argument count,
        // and a lone good one amid garbage: none is taken; two good ones in a row are
        assertThat(read("4.sync,1.5;###3.abc;4.size,1.0;##4.sync,1.6;#4.sync,1.7;3.nop;"))
                .containsExactly("sync@0#1", "sync@45#3", "nop@56#4");
        assertThat(damage).singleElement().satisfies(d -> assertThat(d.textTo()).isEqualTo(45));
    }

    @Test
    void garbageToTheEndIsReportedToTheEnd() throws IOException {
        assertThat(read("4.sync,1.5;4.sync,1.6;" + "#".repeat(100_000))).containsExactly("sync@0#1", "sync@11#2");
        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.toTheEnd()).isTrue();
            assertThat(d.textTo()).isEqualTo(100_022);
            assertThat(d.message()).endsWith("nothing readable follows: the recording ends there");
        });
    }

    @Test
    void aLengthPastTheLimitIsDamageNotARefusal() throws IOException {
        String text = "4.sync,1.5;4.blob,1.1,9999999999.AAAA;4.sync,1.6;4.sync,1.7;";
        int six = text.indexOf("4.sync,1.6");
        assertThat(read(text)).containsExactly("sync@0#1", "sync@" + six + "#3", "sync@" + (six + 11) + "#4");
        assertThat(damage).singleElement().satisfies(d -> assertThat(d.problem()).contains("exceeds the limit"));
    }

    @Test
    void theFirstInstructionMustParseEvenWhenDamageIsSkipped() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, '4', '.', 's', 'y', 'n', 'c', ',', '1', '.', '1', ';'};
        assertThatThrownBy(() -> read(png)).isInstanceOf(GuacFormatException.class)
                .satisfies(e -> assertThat(((GuacFormatException) e).instruction()).isEqualTo(1));
        assertThat(damage).isEmpty();
    }

    @Test
    void withoutAListenerDamageStillThrows() {
        byte[] data = "4.sync,1.5;4.sync,x.6;4.sync,1.7;4.sync,1.8;".getBytes(StandardCharsets.US_ASCII);
        GuacReader r = new GuacReader(new ByteArrayInputStream(data), "plain");
        Instruction in = new Instruction();
        assertThatThrownBy(() -> {
            while (r.next(in)) {
                // drain
            }
        }).isInstanceOf(GuacFormatException.class).hasMessageContaining("byte 18");
    }

    @Test
    void instructionsAcrossBufferRefillsAreRescannedFromTheirStart() throws IOException {
        // many instructions, so the damaged one straddles the reader's 64 KiB buffer edge
        Rec rec = new Rec();
        for (int i = 0; i < 20_000; i++) {
            rec.op("mouse", i % 1000, i % 700, 0, 1_000_000 + i);
        }
        byte[] b = rec.bytes();
        int from = 65_530;
        while (b[from] != '5' || b[from + 1] != '.') { // the start of a mouse instruction
            from++;
        }
        int at = from;
        b[at] = '7'; // "7.mouse,3": the opcode swallows its first comma
        List<String> got = read(b);
        assertThat(got).hasSize(20_000 - 1);
        assertThat(damage).singleElement().satisfies(d -> {
            assertThat(d.textFrom()).isEqualTo(at);
            assertThat(d.skipped()).isBetween(25L, 40L); // just the damaged instruction
        });
    }
}

package io.videoworker.guac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.guac.display.Compositor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Small hand-built recordings per instruction family, with exact pixel assertions. */
class RenderingTest {
    private static final int RED = 0xFFFF0000;
    private static final int BLUE = 0xFF0000FF;

    private static Rec screen(int w, int h) {
        return new Rec().op("size", 0, w, h);
    }

    /** Straightforward Porter-Duff on premultiplied values, as the protocol's table defines it. */
    private static int expected(int s, int d, int mask) {
        double sa = (s >>> 24) / 255.0;
        double da = (d >>> 24) / 255.0;
        double fa;
        double fb;
        switch (mask) {
            case 0x1 -> { fa = 0; fb = sa; }
            case 0x2 -> { fa = 0; fb = 1 - sa; }
            case 0x4 -> { fa = da; fb = 0; }
            case 0x6 -> { fa = da; fb = 1 - sa; }
            case 0x8 -> { fa = 1 - da; fb = 0; }
            case 0x9 -> { fa = 1 - da; fb = sa; }
            case 0xA -> { fa = 1 - da; fb = 1 - sa; }
            case 0xB -> { fa = 1 - da; fb = 1; }
            case 0xC -> { fa = 1; fb = 0; }
            case 0xF -> { fa = 1; fb = 1; }
            default -> { fa = 1; fb = 1 - sa; }
        }
        int out = 0;
        for (int shift = 24; shift >= 0; shift -= 8) {
            double v = ((s >> shift) & 0xFF) * fa + ((d >> shift) & 0xFF) * fb;
            out |= (int) Math.min(255, Math.round(v)) << shift;
        }
        return out;
    }

    private static void assertClose(int actual, int expected) {
        for (int shift = 0; shift < 32; shift += 8) {
            assertThat(Math.abs(((actual >> shift) & 0xFF) - ((expected >> shift) & 0xFF)))
                    .as("channel at bit %d of %08x vs %08x", shift, actual, expected).isLessThanOrEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x1, 0x2, 0x4, 0x6, 0x8, 0x9, 0xA, 0xB, 0xC, 0xE, 0xF, 0x3})
    void copyCompositesWithEveryChannelMask(int mask) {
        int dst = 0x80402000; // half-transparent, premultiplied as drawn
        int src = 0xC0806040;
        Rec rec = screen(4, 4)
                .png(0xC, 0, 0, 0, 4, 4, Compositor.unpremultiply(dst))
                .png(0xC, -1, 0, 0, 2, 2, Compositor.unpremultiply(src))
                .op("copy", -1, 0, 0, 2, 2, mask, 0, 1, 1)
                .sync(1);
        Recorder r = Recorder.play(rec);
        int d = r.pixel(0, 0);
        int s = Compositor.premultiply(Compositor.unpremultiply(src));
        assertClose(r.pixel(1, 1), expected(s, d, mask));
        assertClose(r.pixel(2, 2), expected(s, d, mask));
        assertThat(r.pixel(3, 3)).as("outside the copied rectangle nothing changes").isEqualTo(d);
        assertThat(r.pixel(0, 3)).isEqualTo(d);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x2, 0x9, 0xE, 0xC, 0xF, 0x6})
    void rectAndCfillApplyTheMaskOnlyInsideThePath(int mask) {
        Rec rec = screen(6, 6).png(0xC, 0, 0, 0, 6, 6, 0xFF204060)
                .op("rect", 0, 1, 1, 2, 3)
                .op("cfill", mask, 0, 200, 100, 50, 128)
                .sync(1);
        Recorder r = Recorder.play(rec);
        int s = Compositor.premultiply(128 << 24 | 200 << 16 | 100 << 8 | 50);
        assertClose(r.pixel(1, 1), expected(s, 0xFF204060, mask));
        assertClose(r.pixel(2, 3), expected(s, 0xFF204060, mask));
        assertThat(r.pixel(3, 1)).isEqualTo(0xFF204060);
        assertThat(r.pixel(1, 4)).isEqualTo(0xFF204060);
    }

    @Test
    void guacd160ClearsWithRoutAndRatop() {
        Rec rec = screen(4, 4).png(0xC, 0, 0, 0, 4, 4, RED)
                .op("rect", 0, 0, 0, 2, 2).op("cfill", 0x2, 0, 0, 0, 0, 255)
                .op("rect", 0, 2, 2, 2, 2).op("cfill", 0x9, 0, 0, 0, 0, 0)
                .sync(1);
        Recorder r = Recorder.play(rec);
        assertThat(r.pixel(0, 0)).isZero();
        assertThat(r.pixel(3, 3)).isZero();
        assertThat(r.pixel(3, 0)).isEqualTo(RED);
    }

    @Test
    void transferAppliesAll16RasterFunctions() {
        int src = 0xFF3C5A96;
        int dst = 0xFF0FF0AA;
        for (int f = 0; f < 16; f++) {
            Rec rec = screen(2, 1).png(0xC, 0, 0, 0, 2, 1, dst).png(0xC, -1, 0, 0, 1, 1, src)
                    .op("transfer", -1, 0, 0, 1, 1, f, 0, 0, 0).sync(1);
            Recorder r = Recorder.play(rec);
            int want = 0;
            for (int bit = 0; bit < 24; bit++) {
                int s = (src >> bit) & 1;
                int d = (dst >> bit) & 1;
                int result = (f >> ((s == 1 ? 0 : 2) + (d == 1 ? 0 : 1))) & 1;
                want |= result << bit;
            }
            assertThat(r.pixel(0, 0) & 0xFFFFFF).as("function 0x%X", f).isEqualTo(want);
            assertThat(r.pixel(1, 0)).as("beside the target").isEqualTo(dst);
        }
    }

    @Test
    void siblingsStackByAscendingZAndLaterAttachedOnTop() {
        Rec rec = screen(4, 4)
                .op("size", 1, 4, 4).op("size", 2, 4, 4)
                .png(0xC, 1, 0, 0, 4, 4, RED).png(0xC, 2, 0, 0, 4, 4, BLUE)
                .op("move", 1, 0, 0, 0, 5).op("move", 2, 0, 0, 0, 1)
                .sync(1);
        assertThat(Recorder.play(rec).pixel(0, 0)).as("higher z on top").isEqualTo(RED);
        Rec equal = screen(4, 4)
                .op("size", 1, 4, 4).op("size", 2, 4, 4)
                .png(0xC, 1, 0, 0, 4, 4, RED).png(0xC, 2, 0, 0, 4, 4, BLUE)
                .op("move", 2, 0, 0, 0, 0).op("move", 1, 0, 0, 0, 0)
                .sync(1);
        // both were attached to the screen when first used (1 before 2); re-moving within the same
        // parent does not reorder them, as in the browser's DOM
        assertThat(Recorder.play(equal).pixel(0, 0)).as("equal z: later attached on top").isEqualTo(BLUE);
    }

    @Test
    void nestedLayersAreClippedToTheirParentAndFadedByItsOpacity() {
        Rec rec = screen(8, 8).png(0xC, 0, 0, 0, 8, 8, 0xFF000000)
                .op("size", 1, 4, 4).op("move", 1, 0, 2, 2, 0).op("shade", 1, 128)
                .op("size", 2, 4, 4).op("move", 2, 1, 2, 2, 0)
                .png(0xC, 2, 0, 0, 4, 4, 0xFFFFFFFF)
                .sync(1);
        Recorder r = Recorder.play(rec);
        assertClose(r.pixel(4, 4), 0xFF808080); // white at half opacity over black
        assertClose(r.pixel(5, 5), 0xFF808080);
        assertThat(r.pixel(6, 6)).as("clipped to the parent's 4x4 at (2,2)").isEqualTo(0xFF000000);
        assertThat(r.pixel(3, 3)).as("parent itself is transparent").isEqualTo(0xFF000000);
        Recorder hidden = Recorder.play(new Rec().raw(rec.toString().replace("3.128", "1.0")));
        assertThat(hidden.pixel(4, 4)).isEqualTo(0xFF000000);
    }

    @Test
    void aChainOfThousandsOfNestedLayersDoesNotOverflowTheStack() throws Exception {
        // the fuzz suite's deep-layer-tree overflowed a recursive composition in an interpreted thread
        Rec rec = screen(8, 8).png(0xC, 0, 0, 0, 8, 8, 0xFF000000);
        for (int i = 1; i <= 4000; i++) {
            rec.op("size", i, 8, 8).op("move", i, i - 1, 0, 0, 0);
        }
        rec.png(0xC, 4000, 0, 0, 2, 2, 0xFFFFFFFF).sync(1);
        Recorder[] r = new Recorder[1];
        Thread small = new Thread(null, () -> r[0] = Recorder.play(rec), "small stack", 256 << 10);
        small.start();
        small.join();
        assertThat(r[0]).as("played on a 256 KiB stack").isNotNull();
        assertThat(r[0].pixel(1, 1)).isEqualTo(0xFFFFFFFF);
        assertThat(r[0].pixel(2, 2)).isEqualTo(0xFF000000);
    }

    @Test
    void disposedLayersDisappear() {
        Rec rec = screen(4, 4).op("size", 1, 4, 4).png(0xC, 1, 0, 0, 4, 4, RED).sync(1).op("dispose", 1).sync(2);
        Recorder r = Recorder.play(rec);
        assertThat(r.shows).containsExactly(0L, 1L);
        assertThat(r.pixel(1, 1)).isZero();
    }

    @Test
    void buffersGrowToWhatIsDrawnAndCopyToTheScreen() {
        Rec rec = screen(10, 10)
                .png(0xC, -3, 6, 6, 2, 2, BLUE) // grows -3 to 8x8
                .op("copy", -3, 6, 6, 2, 2, 0xC, 0, 0, 0)
                .sync(1);
        Recorder r = Recorder.play(rec);
        assertThat(r.pixel(0, 0)).isEqualTo(BLUE);
        assertThat(r.pixel(1, 1)).isEqualTo(BLUE);
        assertThat(r.pixel(2, 2)).isZero();
    }

    @Test
    void overlappingCopyScrollsCorrectly() {
        int[] px = new int[16];
        for (int i = 0; i < 16; i++) {
            px[i] = 0xFF000000 | (i * 10);
        }
        Rec rec = screen(4, 4).png(0xC, 0, 0, 0, 4, 4, px).op("copy", 0, 0, 0, 4, 3, 0xC, 0, 0, 1).sync(1);
        Recorder r = Recorder.play(rec);
        for (int y = 1; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(r.pixel(x, y)).isEqualTo(px[(y - 1) * 4 + x]);
            }
        }
    }

    @Test
    void pointerIsDrawnAtTheMouseWithItsHotspotFromTheFirstMouseOn() {
        Rec rec = screen(10, 10).png(0xC, 0, 0, 0, 10, 10, 0xFF000000)
                .png(0xC, -1, 0, 0, 2, 2, RED)
                .op("cursor", 1, 1, -1, 0, 0, 2, 2)
                .png(0xC, -1, 0, 0, 2, 2, BLUE) // redrawn right after: the snapshot keeps red
                .sync(1);
        Recorder before = Recorder.play(rec);
        assertThat(before.pixel(4, 4)).isEqualTo(0xFF000000);
        Recorder r = Recorder.play(new Rec().raw(rec.toString()).op("mouse", 5, 5, 0, 123).sync(2));
        assertThat(r.pixel(4, 4)).isEqualTo(RED);
        assertThat(r.pixel(5, 5)).isEqualTo(RED);
        assertThat(r.pixel(6, 6)).isEqualTo(0xFF000000);
        Recorder none = Recorder.play(PlayerOptions.DEFAULT.withMaxFps(0).withCursor(false),
                new Rec().raw(rec.toString()).op("mouse", 5, 5, 0, 123).sync(2));
        assertThat(none.pixel(4, 4)).isEqualTo(0xFF000000);
    }

    @Test
    void screenResizeKeepsTheTopLeftAndClearsTheRest() {
        Rec rec = screen(4, 4).png(0xC, 0, 0, 0, 4, 4, RED).sync(1).op("size", 0, 6, 3).sync(2);
        Recorder r = Recorder.play(rec);
        assertThat(r.width).isEqualTo(6);
        assertThat(r.height).isEqualTo(3);
        assertThat(r.pixel(3, 2)).isEqualTo(RED);
        assertThat(r.pixel(5, 0)).isZero();
    }

    @Test
    void pathsArcsAndStrokesDraw() {
        Rec rec = screen(20, 20)
                .op("arc", 0, 10, 10, 5, 0, 6.283185307179586, 0)
                .op("cfill", 0xE, 0, 0, 255, 0, 255)
                .op("start", 0, 0, 19).op("line", 0, 19, 19)
                .op("cstroke", 0xE, 0, 0, 0, 2, 255, 255, 255, 255)
                .sync(1);
        Recorder r = Recorder.play(rec);
        assertThat(r.pixel(10, 10)).isEqualTo(0xFF00FF00);
        assertThat(r.pixel(1, 1)).isZero();
        assertThat(r.pixel(10, 19)).isEqualTo(0xFFFFFFFF);
    }

    @Test
    void clipRestrictsFillsAndPopRestores() {
        Rec rec = screen(10, 10)
                .op("push", 0)
                .op("rect", 0, 0, 0, 5, 10).op("clip", 0)
                .op("rect", 0, 0, 0, 10, 10).op("cfill", 0xE, 0, 255, 0, 0, 255)
                .op("pop", 0)
                .op("rect", 0, 0, 8, 10, 2).op("cfill", 0xE, 0, 0, 0, 255, 255)
                .sync(1);
        Recorder r = Recorder.play(rec);
        assertThat(r.pixel(2, 2)).isEqualTo(RED);
        assertThat(r.pixel(7, 2)).isZero();
        assertThat(r.pixel(8, 9)).isEqualTo(BLUE);
    }

    @Test
    void unknownOpcodesAndSideStreamsAreSkippedWithoutHarm() {
        Rec rec = screen(4, 4).png(0xC, 0, 0, 0, 4, 4, RED)
                .op("frobnicate", 1, 2, 3)
                .op("clipboard", 2, "text/plain").op("blob", 2, "aGVsbG8=").op("end", 2)
                .op("file", 3, "application/pdf", "x.pdf").op("blob", 3, "AAAA").op("end", 3)
                .op("size", "x", 1, 1) // bad argument
                .sync(1);
        Recorder r = Recorder.play(rec);
        assertThat(r.pixel(0, 0)).isEqualTo(RED);
        assertThat(r.warnings.counts()).containsKeys("opcode frobnicate", "bad size");
        assertThat(r.audioFrames).isZero();
    }

    @Test
    void absurdSizesAreRefusedWithTheirPosition() {
        assertThatThrownBy(() -> Recorder.play(screen(100000, 100000).sync(1)))
                .isInstanceOf(RecordingException.class)
                .hasMessageContaining("100000x100000").hasMessageContaining("instruction 1");
        assertThatThrownBy(() -> Recorder.play(screen(-5, 10).sync(1)))
                .isInstanceOf(RecordingException.class).hasMessageContaining("negative");
    }

    @Test
    void brokenImagesAreSkippedWithAWarning() {
        Rec rec = screen(4, 4).png(0xC, 0, 0, 0, 4, 4, RED)
                .op("img", 5, 0xC, 0, "image/png", 0, 0).op("blob", 5, "iVBORw0KGgoAAAANSUhEUgAA").op("end", 5)
                .sync(1);
        Recorder r = Recorder.play(rec);
        assertThat(r.pixel(0, 0)).isEqualTo(RED);
        assertThat(r.warnings.counts()).containsKey("bad image");
    }

    @Test
    void nestedInstructionsAreParsedLikeTopLevelInputAcrossNests() {
        String inner = screen(2, 2).png(0xC, 0, 0, 0, 2, 2, RED).sync(5).toString();
        int half = inner.length() / 2;
        Rec rec = new Rec().op("nest", 0, inner.substring(0, half)).op("nest", 0, inner.substring(half)).sync(9);
        Recorder r = Recorder.play(rec);
        assertThat(r.pixel(1, 1)).isEqualTo(RED);
        assertThat(r.shows).containsExactly(0L);
        assertThat(r.end).isEqualTo(4);
    }
}

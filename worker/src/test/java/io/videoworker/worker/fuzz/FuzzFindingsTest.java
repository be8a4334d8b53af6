package io.videoworker.worker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the fuzz suite found, each as the smallest input that showed it, through the same check
 * (real converter, 256 MiB heap, time bound, nothing left behind) and with the outcome pinned.
 */
@Tag("fuzz")
class FuzzFindingsTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ConversionCheck.Outcome run(String name, Generator.Maker maker) throws Throwable {
        return ConversionCheck.run(new Generator(name, ".guac", maker).input(1), dir, BOUND);
    }

    @Test
    void aSyncYearsAheadEndsQuicklyInAVideo() throws Throwable {
        // it made the encoder repeat a keyframe every 5 s for 3e13 years
        ConversionCheck.Outcome o = run("clock", (r, out) -> new Script(out).screen(64, 48)
                .op("rect", 0, 1, 1, 5, 5).op("cfill", 14, 0, 255, 0, 0, 255).sync(99_999_999_999_999_999L)
                .op("rect", 0, 9, 9, 5, 5).op("cfill", 14, 0, 0, 255, 0, 255).sync(99_999_999_999_999_999L + 40));
        assertThat(o.video()).isTrue();
        assertThat(o.message()).contains("broken clock");
    }

    @Test
    void aDamagedGzipHeaderIsRefusedClearly() throws Throwable {
        // it escaped as java.util.zip.ZipException
        ConversionCheck.Outcome o = run("gzip-header", (r, out) -> {
            byte[] gz = HostileRecordings.gzip(new Script().screen(64, 48).toString().getBytes(StandardCharsets.UTF_8));
            gz[2] = 9; // compression method: not deflate
            out.write(gz);
        });
        assertThat(o.video()).isFalse();
        assertThat(o.message()).contains("not a Guacamole recording").contains("damaged gzip header");
    }

    @Test
    void aParseErrorInTheMiddleNoLongerRefusesTheRecording() throws Throwable {
        // sample-bit-flips and sample-garbage-run were mostly refused: one flipped byte lost the whole video
        byte[] text = SampleMutants.sample(0).clone();
        int at = text.length / 2;
        while (text[at] != ',') {
            at++;
        }
        text[at] ^= 0x10; // a separator no longer
        ConversionCheck.Outcome o = run("flipped", (r, out) -> out.write(text));
        assertThat(o.video()).isTrue();
        assertThat(o.message()).contains("damaged data: bytes ").contains("found '<' at byte " + at);
    }

    @Test
    void soundOfAReplayedStretchDoesNotOutlastTheVideo() throws Throwable {
        // the audio sample with its gzip member glued on twice: the second copy's sound made the AAC
        // track 20 s longer than the timeline, and the MP4 failed its check (sample-gzip-damaged)
        byte[] gz = java.nio.file.Files.readAllBytes(
                Path.of("../samples/vnc-audio-60s/lion/77a63645-8191-5d3b-af51-4aac481ff8a0.0.part.gz"));
        ConversionCheck.Outcome o = ConversionCheck.run(new Generator("twice", ".replay.gz", (r, out) -> {
            out.write(gz);
            out.write(gz);
        }).input(1), dir, BOUND);
        assertThat(o.video()).isTrue();
        assertThat(o.message()).contains("goes back").contains("audio after a sync timestamp that went back is dropped");
    }

    @Test
    void aHugeCursorCostsOnlyWhatItShows() throws Throwable {
        // an 8192x8192 cursor allocated 256 MiB, the whole heap
        ConversionCheck.Outcome o = run("cursor", (r, out) -> new Script(out).screen(64, 48)
                .op("cursor", 0, 0, 0, 0, 0, 8192, 8192).op("mouse", 5, 5).sync(2000));
        assertThat(o.video()).isTrue();
    }

    @Test
    void blobsOnNeverOpenedStreamsCountAsOpenStreams() throws Throwable {
        // each made a stream past the limit of open streams
        ConversionCheck.Outcome o = run("blobs", (r, out) -> {
            Script s = new Script(out).screen(64, 48);
            for (int i = 0; i < 5000; i++) {
                s.op("blob", 100 + i, "AAAA");
            }
        });
        assertThat(o.video()).isFalse();
        assertThat(o.message()).contains("more than 4096 streams open at once");
    }

    @Test
    void openImageStreamsShareOneImagesWorthOfMemory() throws Throwable {
        // 4096 streams could each hold the one-image limit
        ConversionCheck.Outcome o = run("streams", (r, out) -> {
            Script s = new Script(out).screen(64, 48);
            String chunk = "A".repeat(1 << 20);
            for (int stream = 1; stream <= 30; stream++) {
                s.op("img", stream, 14, 0, "image/png", 0, 0);
                for (int i = 0; i < 2; i++) {
                    s.op("blob", stream, chunk);
                }
            }
            s.sync(2000);
        });
        assertThat(o.video()).isTrue();
        assertThat(o.message()).contains("for all open streams");
    }

    @Test
    void aJpegOfThousandsOfScansIsSkippedNotDecodedForMinutes() throws Throwable {
        // 450 KiB of repeated progressive scans kept libjpeg busy for more than a minute
        byte[] jpeg = Images.scanBomb(2048, 2048, 20_000);
        ConversionCheck.Outcome o = run("scans", (r, out) -> new Script(out).screen(64, 48)
                .image(1, 14, -1, "image/jpeg", 0, 0, jpeg).sync(2000));
        assertThat(o.video()).isTrue();
        assertThat(o.message()).contains("scans, more than the 100 accepted");
        assertThat(jpeg.length).isLessThan(1 << 20);
    }

    @Test
    void pathsAreBoundedForAllLayersTogether() throws Throwable {
        ConversionCheck.Outcome o = run("paths", (r, out) -> {
            Script s = new Script(out).screen(64, 48);
            for (int i = 0; i < 70_000; i++) {
                s.op("line", 1 + i % 4000, i % 64, i % 48);
            }
            s.sync(2000);
        });
        assertThat(o.video()).isFalse();
        assertThat(o.message()).contains("paths hold more than 65536 elements");
    }

    @Test
    void aClipPathOfThousandsOfElementsIsRefusedNotComputedForMinutes() throws Throwable {
        // path-flood:6369242733374658244 spent minutes in java.awt.geom.Area; as a timed-out
        // thread it then held memory on, and the long runs ended in OutOfMemoryError
        ConversionCheck.Outcome o = run("clip", (r, out) -> {
            Script s = new Script(out).screen(64, 48);
            for (int i = 0; i < 10_000; i++) {
                s.op("arc", 0, 30, 20, 1e8 + i, i % 7, 1e6, 1);
            }
            s.op("clip", 0).sync(2000);
        });
        assertThat(o.video()).isFalse();
        assertThat(o.message()).contains("clip path of 10000 elements; at most 32 are accepted");
    }

    @Test
    void aClipPathAtTheLimitEndsInTime() throws Throwable {
        ConversionCheck.Outcome o = run("clip-32", (r, out) -> {
            Script s = new Script(out).screen(64, 48);
            for (int i = 0; i < 32; i++) {
                s.op(i % 2 == 0 ? "arc" : "curve", 0, 30, 20, 1e8 + i, i % 7, 1e6, 1);
            }
            s.op("clip", 0).op("rect", 0, 0, 0, 64, 48).op("cfill", 14, 0, 9, 9, 9, 255).sync(2000);
        });
        assertThat(o.video()).isTrue();
    }

    @Test
    void nestedStreamsShareOneInstructionsWorthOfMemory() throws Throwable {
        ConversionCheck.Outcome o = run("nests", (r, out) -> {
            Script s = new Script(out).screen(64, 48);
            char[] data = new char[1 << 20];
            Arrays.fill(data, 'A'); // an element of 9999999 that never ends: each index keeps it all
            String half = "9999999." + new String(data);
            for (int i = 0; i < 40; i++) {
                s.op("nest", i, half);
            }
            s.sync(2000);
        });
        assertThat(o.video()).isTrue();
        assertThat(o.message()).contains("too deep or too long");
    }

}

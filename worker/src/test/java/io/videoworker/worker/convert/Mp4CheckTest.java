package io.videoworker.worker.convert;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.encode.Mp4Writer;
import io.videoworker.encode.VideoSettings;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check every MP4 passes before it is reported done: real files, good and spoilt. */
class Mp4CheckTest {
    @TempDir
    Path dir;
    private Path good;

    @BeforeEach
    void writeOne() {
        good = dir.resolve("good.mp4");
        int[] canvas = new int[320 * 240];
        Arrays.fill(canvas, 0xFF3060C0);
        try (Mp4Writer w = new Mp4Writer(good, VideoSettings.of(320, 240))) {
            w.update(canvas, 320, 240, 0, 0, 320, 240);
            w.emit(0);
            Arrays.fill(canvas, 0, 320 * 120, 0xFFC06030);
            w.update(canvas, 320, 240, 0, 0, 320, 120);
            w.emit(1000);
            w.finish(3000);
        }
    }

    @Test
    void aFinishedVideoOfTheRecordingsLengthPasses() {
        assertThatCode(() -> Mp4Check.verify(good, 3000)).doesNotThrowAnyException();
        assertThatCode(() -> Mp4Check.verify(good, 3400)).as("within the tolerance").doesNotThrowAnyException();
    }

    @Test
    void aVideoShorterThanTheRecordingFails() {
        assertThatThrownBy(() -> Mp4Check.verify(good, 60_000)).isInstanceOf(Mp4Check.Failed.class)
                .hasMessageStartingWith("good.mp4 failed its check: it lasts ").hasMessageEndingWith("the recording 60000 ms");
    }

    @Test
    void aCutOffFileFails() throws Exception {
        byte[] all = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> Mp4Check.verify(cut, 3000)).isInstanceOf(Mp4Check.Failed.class)
                .hasMessageStartingWith("cut.mp4 failed its check: ");
    }

    @Test
    void moovBehindTheMediaFails() throws Exception {
        Map<String, byte[]> boxes = boxes(Files.readAllBytes(good));
        ByteArrayOutputStream reordered = new ByteArrayOutputStream();
        reordered.write(boxes.get("ftyp"));
        reordered.write(boxes.get("mdat"));
        reordered.write(boxes.get("moov"));
        Path late = Files.write(dir.resolve("late.mp4"), reordered.toByteArray());
        assertThatThrownBy(() -> Mp4Check.verify(late, 3000)).isInstanceOf(Mp4Check.Failed.class)
                .hasMessageContaining("moov is not in front of the media");
    }

    @Test
    void somethingElseFails() throws Exception {
        Path text = Files.writeString(dir.resolve("text.mp4"), "not a video at all, just some words in a file");
        assertThatThrownBy(() -> Mp4Check.verify(text, 3000)).isInstanceOf(Mp4Check.Failed.class)
                .hasMessageStartingWith("text.mp4 failed its check: not an MP4");
    }

    /** The top-level boxes of an MP4 by type, each with its header (32-bit sizes: a small file). */
    private static Map<String, byte[]> boxes(byte[] file) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(file);
        while (b.remaining() >= 8) {
            int at = b.position();
            int size = b.getInt(at);
            String type = new String(file, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            out.put(type, Arrays.copyOfRange(file, at, at + size));
            b.position(at + size);
        }
        return out;
    }
}

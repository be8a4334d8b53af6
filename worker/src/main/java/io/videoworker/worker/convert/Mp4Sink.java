package io.videoworker.worker.convert;

import io.videoworker.encode.Mp4Result;
import io.videoworker.encode.Mp4Writer;
import io.videoworker.encode.OutputWatch;
import io.videoworker.encode.VideoSettings;
import io.videoworker.guac.AudioFormat;
import io.videoworker.guac.Frame;
import io.videoworker.guac.FrameSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds played frames and audio to an {@link Mp4Writer}. The writer opens at the first picture,
 * sized by the options or by that picture (the screen size at the first frame); audio that
 * arrives earlier waits for it.
 */
final class Mp4Sink implements FrameSink, AutoCloseable {
    private final Path output;
    private final ConvertOptions options;
    private final OutputWatch watch;
    private Mp4Writer writer;
    private final List<Object[]> earlyAudio = new ArrayList<>();
    private Mp4Result result;
    private long convertNanos;
    private long encodeNanos;

    /** @param watch told the bytes written after every packet; may stop the writer by throwing */
    Mp4Sink(Path output, ConvertOptions options, OutputWatch watch) {
        this.output = output;
        this.options = options;
        this.watch = watch;
    }

    @Override
    public void prepare(Frame f) {
        if (writer == null) {
            int w = options.width() > 0 ? options.width() : f.width();
            int h = options.height() > 0 ? options.height() : f.height();
            writer = new Mp4Writer(output, new VideoSettings(w, h, options.x264(),
                    options.lossless(), VideoSettings.DEFAULT_KEYFRAME_INTERVAL_FRAMES), watch);
            for (Object[] a : earlyAudio) {
                writer.audio((Long) a[0], (short[]) a[1], 0, (Integer) a[2], ((AudioFormat) a[3]).rate(),
                        ((AudioFormat) a[3]).channels());
            }
            earlyAudio.clear();
        }
        int[] d = f.dirty();
        if (d == null) {
            return;
        }
        long t = System.nanoTime();
        writer.update(f.pixels(), f.width(), f.height(), d);
        convertNanos += System.nanoTime() - t;
    }

    @Override
    public void show(long ms) {
        long t = System.nanoTime();
        writer.emit(ms);
        encodeNanos += System.nanoTime() - t;
    }

    @Override
    public void audio(long ms, short[] samples, int frames, AudioFormat format) {
        if (writer == null) {
            if (earlyAudio.size() < 10_000) {
                earlyAudio.add(new Object[] {ms, samples, frames, format});
            }
            return;
        }
        writer.audio(ms, samples, 0, frames, format.rate(), format.channels());
    }

    @Override
    public void end(long ms) {
        if (writer != null) {
            long t = System.nanoTime();
            result = writer.finish(ms);
            encodeNanos += System.nanoTime() - t;
        }
    }

    /** The finished file's figures, or null if no picture was ever produced. */
    Mp4Result result() {
        return result;
    }

    /** Time spent converting pictures to the encoder's format (colour conversion, scaling). */
    long convertMillis() {
        return convertNanos / 1_000_000;
    }

    /** Time spent encoding and muxing. */
    long encodeMillis() {
        return encodeNanos / 1_000_000;
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}

package io.videoworker.encode;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes one MP4 file: H.264 (libx264, yuv420p, High) with millisecond
 * timestamps and a variable frame rate, plus an AAC track when audio is given;
 * moov in front ({@code +faststart}).
 *
 * <p>Use: {@link #update} the picture where it changed, {@link #emit} it at a
 * time, add {@link #audio} as it arrives, then {@link #finish} and
 * {@link #close}. Until finish succeeds the file lives under a temporary name
 * ({@code <name>.partial}) which close removes, so no partial output is ever
 * left at the output path.
 *
 * <p>Not thread-safe: one thread drives one writer.
 */
public final class Mp4Writer implements AutoCloseable {

    /** Audio track format; every input rate and channel count is resampled to it. */
    public static final int AUDIO_SAMPLE_RATE = AudioTrack.SAMPLE_RATE;
    public static final int AUDIO_CHANNELS = AudioTrack.CHANNELS;
    public static final int AUDIO_BIT_RATE = AudioTrack.BIT_RATE;

    private final Path output;
    private final Path partial;
    private final VideoSettings settings;
    private Mp4Muxer muxer;
    private VideoTrack video;
    private AudioTrack audio;
    private Picture picture;

    private long frames;
    private long lastPts = -1;
    /** Frames since the last keyframe we forced. */
    private long sinceKey;
    private boolean finished;
    private boolean closed;

    /**
     * Opens the muxer and encoders. The output's directory must exist; an existing file is replaced
     * when the writer finishes.
     *
     * @throws EncodeException when FFmpeg refuses (the message names the call, the error and the path)
     */
    public Mp4Writer(Path output, VideoSettings settings) {
        this(output, settings, OutputWatch.NONE);
    }

    /**
     * As {@link #Mp4Writer(Path, VideoSettings)}, telling {@code watch} the bytes written after every
     * packet (video, keyframe repeats and audio alike); an exception it throws stops the writer.
     */
    public Mp4Writer(Path output, VideoSettings settings, OutputWatch watch) {
        if (output == null || settings == null || watch == null) {
            throw new IllegalArgumentException("output, settings and watch are required");
        }
        this.output = output;
        this.settings = settings;
        this.partial = output.resolveSibling(output.getFileName() + ".partial");
        try {
            muxer = new Mp4Muxer(partial, output, watch);
            video = new VideoTrack(muxer, settings, output);
            // Declared always; the mov muxer leaves out a track that never got a packet.
            audio = new AudioTrack(muxer, output);
            muxer.start();
            picture = new Picture(settings.outputWidth(), settings.outputHeight(), settings.lossless(), output);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Sets the picture to encode next.
     *
     * @param argb         canvas pixels, row-major with stride {@code canvasWidth}, {@code 0xAARRGGBB}
     *                     premultiplied over black (alpha is ignored)
     * @param canvasWidth  canvas width; may change between calls (the canvas is then redrawn whole)
     * @param canvasHeight canvas height
     * @param rects        what changed since the previous update: x, y, width, height of each rectangle,
     *                     one after another (clipped to the canvas)
     */
    public void update(int[] argb, int canvasWidth, int canvasHeight, int... rects) {
        ensureOpen();
        picture.update(argb, canvasWidth, canvasHeight, rects);
    }

    /**
     * Encodes the current picture at {@code ptsMs} (ms from the start of the video); it shows until the
     * next frame, however long that is. The first picture is shown from 0 whatever its time; a later time
     * that does not increase is moved to 1 ms after the previous frame. Every
     * {@link VideoSettings#keyframeIntervalFrames} frames one is a keyframe: a seek decodes at most that
     * many frames, and a still picture, which costs no frames, costs no keyframes either.
     */
    public void emit(long ptsMs) {
        ensureOpen();
        // The video starts at 0 with the first picture: before it there is nothing else to show, and a
        // leading gap would be an empty edit that players render as black or skip.
        long pts = frames == 0 ? 0 : Math.max(ptsMs, lastPts + 1);
        boolean key = frames == 0 || sinceKey >= settings.keyframeIntervalFrames();
        video.encode(picture.frame(), pts, key);
        frames++;
        lastPts = pts;
        sinceKey = key ? 1 : sinceKey + 1;
        audio.advance(pts);
    }

    /**
     * Adds interleaved signed 16-bit PCM received at {@code atMs}. It is appended to the audio track
     * contiguously, unless the track's write position is more than 100 ms behind {@code atMs}: then silence
     * fills the gap first (a new burst). Any rate (1000..384000 Hz) and channel count (1..8) is accepted and
     * may change between calls.
     *
     * @param frames number of sample frames (one sample per channel each) from {@code offset}
     */
    public void audio(long atMs, short[] samples, int offset, int frames, int sampleRate, int channels) {
        ensureOpen();
        audio.add(atMs, samples, offset, frames, sampleRate, channels);
    }

    /** Widens signed 8-bit PCM (Guacamole's audio/L8) to 16-bit for {@link #audio}. */
    public static short[] fromL8(byte[] pcm, int offset, int length) {
        short[] out = new short[length];
        for (int i = 0; i < length; i++) {
            out[i] = (short) (pcm[offset + i] << 8);
        }
        return out;
    }

    /**
     * Converts little-endian signed 16-bit PCM bytes (Guacamole's audio/L16 as guacd sends it) for
     * {@link #audio}; a trailing odd byte is ignored.
     */
    public static short[] fromL16(byte[] pcm, int offset, int length) {
        short[] out = new short[length / 2];
        for (int i = 0; i < out.length; i++) {
            int p = offset + 2 * i;
            out[i] = (short) ((pcm[p] & 0xff) | (pcm[p + 1] << 8));
        }
        return out;
    }

    /**
     * Ends the video at {@code endMs} (at least 1 ms after the last frame): the last picture is held until
     * then, audio (if any) is padded with silence to it or cut there, encoders are flushed, the trailer is
     * written with moov moved to the front, and the file is renamed to the output path. Without any emitted
     * frame, the current picture (black if never updated) is emitted at 0 first.
     */
    public Mp4Result finish(long endMs) {
        ensureOpen();
        if (frames == 0) {
            emit(0);
        }
        long end = Math.max(endMs, lastPts + 1);
        // The last picture lasts until the end: the muxer ends the track at its last packet's duration.
        video.flush(end);
        boolean hasAudio = audio.finish(end);
        muxer.finish();
        finished = true;
        try {
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Mp4Result(output, settings.outputWidth(), settings.outputHeight(), frames, end, hasAudio,
                    Files.size(output));
        } catch (IOException e) {
            finished = false;
            throw new UncheckedIOException("cannot move " + partial + " to " + output, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("writer for " + output + " is closed");
        }
        if (finished) {
            throw new IllegalStateException("writer for " + output + " is finished");
        }
    }

    /** Releases native memory; removes the output unless {@link #finish} succeeded. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (picture != null) {
            picture.close();
        }
        if (video != null) {
            video.close();
        }
        if (audio != null) {
            audio.close();
        }
        if (muxer != null) {
            muxer.close();
        }
        if (!finished) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // nothing more we can do; the name says it is partial
            }
        }
    }
}

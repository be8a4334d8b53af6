package io.videoworker.encode;

import static io.videoworker.encode.Ffmpeg.check;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_BITEXACT;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_delay;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;
import static org.bytedeco.ffmpeg.global.swresample.swr_set_matrix;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * The AAC track: one continuous stream of samples from time 0, placed on the
 * video timeline.
 *
 * <p>PCM arrives in bursts without timestamps of its own (Guacamole sends audio
 * only while something plays), stamped with the time it was received. A burst
 * that starts more than {@link #GAP_TOLERANCE_MS} after the track's write
 * position gets silence in front; anything closer is appended contiguously,
 * because network jitter must not chop a continuous sound.
 *
 * <p>Nothing reaches the encoder until the first samples arrive, so a recording
 * without sound leaves this track empty and the mov muxer leaves it out.
 *
 * <p>Digital silence is copied, not encoded. Once a recording has sound, every
 * gap and the padding to the end go through the AAC encoder, at about 38 µs a
 * frame of zeros (its rate control, far under budget, repeats the quantiser
 * search): one hour with 5 s of tone took 6.0 CPU-s to write, nearly all of it
 * turning 155,000 frames of zeros into the same 6-byte packet. Instead, once the
 * encoder has been given {@link SilenceRun#SETTLE_FRAMES} all-zero frames in a
 * row and repeats itself, each further all-zero frame becomes a copy of that
 * packet: the same hour takes 0.3 CPU-s (mostly muxing the packets), and 1.58 MB
 * (1.59 MB before, with the version strings below). This is exact: by then more zeros no longer change the encoder's
 * state (sample history, windows, psy model, bit reservoir, lambda at its
 * ceiling), so leaving some out only puts its timeline behind the track's, and
 * its packets are moved forward by the samples copied. The encoder runs
 * bit-exact (no version string in every 256th frame), so its silence packet and
 * its state do not depend on how many frames it was given: with or without
 * copying, the packets are byte-identical (AudioSilenceTest). See
 * bench/SilenceBench.java.
 */
final class AudioTrack implements AutoCloseable {

    static final int SAMPLE_RATE = 44100;
    static final int CHANNELS = 2;
    /** Desktop sound (tones, speech) at 48 kb/s stereo; silence costs little. See docs/benchmarks.md. */
    static final int BIT_RATE = 48_000;
    static final long GAP_TOLERANCE_MS = 100;
    /** Input is resampled in slices of this many frames to bound the native buffers. */
    private static final int SLICE_FRAMES = 8192;
    /** Most sound held back past the timeline's present (see {@link #horizon}); 10 s is 3.5 MB of floats. */
    private static final int MAX_HOLD_SAMPLES = 10 * SAMPLE_RATE;

    private final Mp4Muxer muxer;
    private final Path file;
    private AVCodecContext encoder;
    private AVStream stream;
    private AVPacket packet;
    /** A copied silence packet on its way to the muxer. */
    private AVPacket copy;
    private final SilenceRun silence;
    private AVFrame frame;
    private final int frameSize;
    private FloatBuffer[] framePlanes;
    private long framePlanesAddress;

    // samples waiting for a full AAC frame, per channel, valid in [fifoStart, fifoEnd)
    private float[][] fifo = new float[CHANNELS][8192];
    private int fifoStart;
    private int fifoEnd;
    /** Samples taken from the FIFO: given to the encoder or copied as silence. */
    private long encodedSamples;
    /** Of those, copied: the encoder's own timeline is this much behind the track's. */
    private long copiedSamples;
    private boolean started;
    /**
     * The timeline's present, in samples: the latest video frame or audio arrival. Sound placed beyond it
     * stays in the FIFO (up to {@link #MAX_HOLD_SAMPLES}) so that {@link #finish} can still cut it at the end.
     */
    private long horizon;

    // resampler for the current input format; rebuilt when the format changes
    private SwrContext swr;
    private int inRate;
    private int inChannels;
    private ShortPointer inBuffer;
    private PointerPointer<?> inPlanes;
    private FloatPointer[] outBuffers;
    private PointerPointer<?> outPlanes;
    private int outCapacity;

    AudioTrack(Mp4Muxer muxer, Path file) {
        this(muxer, file, true);
    }

    /** @param copySilence false to encode every silent frame too (to compare) */
    AudioTrack(Mp4Muxer muxer, Path file, boolean copySilence) {
        this.muxer = muxer;
        this.file = file;
        AVCodec codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
        if (codec == null || codec.isNull()) {
            throw new EncodeException("avcodec_find_encoder(AAC) found nothing for " + file);
        }
        encoder = avcodec_alloc_context3(codec);
        if (encoder == null || encoder.isNull()) {
            throw new EncodeException("avcodec_alloc_context3(aac) failed for " + file);
        }
        encoder.sample_fmt(AV_SAMPLE_FMT_FLTP);
        encoder.sample_rate(SAMPLE_RATE);
        av_channel_layout_default(encoder.ch_layout(), CHANNELS);
        encoder.bit_rate(BIT_RATE);
        encoder.time_base(av_make_q(1, SAMPLE_RATE));
        // Bit-exact: no "Lavc" version string in every 256th frame, so the encoder's output for silence is one
        // packet repeated and does not depend on how many frames it was given (see the class comment). In the
        // AAC encoder the flag otherwise only reaches the float DSP set-up, the same code either way on x86
        // and ARM.
        encoder.flags(encoder.flags() | AV_CODEC_FLAG_BITEXACT);
        if (muxer.wantsGlobalHeader()) {
            encoder.flags(encoder.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        check(avcodec_open2(encoder, codec, (AVDictionary) null), "avcodec_open2(aac)", file);
        frameSize = encoder.frame_size();
        stream = muxer.addStream(encoder);
        packet = av_packet_alloc();
        copy = av_packet_alloc();
        silence = new SilenceRun(copySilence, frameSize, file);
        frame = av_frame_alloc();
        frame.format(AV_SAMPLE_FMT_FLTP).nb_samples(frameSize).sample_rate(SAMPLE_RATE);
        check(av_channel_layout_copy(frame.ch_layout(), encoder.ch_layout()), "av_channel_layout_copy", file);
        check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer(audio)", file);
    }

    /** See {@link Mp4Writer#audio}. */
    void add(long atMs, short[] samples, int offset, int frames, int sampleRate, int channels) {
        if (samples == null) {
            throw new IllegalArgumentException("samples is null");
        }
        if (sampleRate < 1000 || sampleRate > 384_000) {
            throw new IllegalArgumentException("sample rate must be 1000..384000 Hz, got " + sampleRate);
        }
        if (channels < 1 || channels > 8) {
            throw new IllegalArgumentException("channels must be 1..8, got " + channels);
        }
        if (offset < 0 || frames < 0 || (long) offset + (long) frames * channels > samples.length) {
            throw new IllegalArgumentException("offset " + offset + " + " + frames + " frames x " + channels
                    + " channels exceeds " + samples.length + " samples");
        }
        if (frames == 0) {
            return;
        }
        started = true;
        if (swr != null && (sampleRate != inRate || channels != inChannels)) {
            flushResampler();
        }
        long target = toSamples(Math.max(0, atMs));
        horizon = Math.max(horizon, target);
        if (target - writePosition() > toSamples(GAP_TOLERANCE_MS)) {
            // a new burst: finish the previous one, then silence up to its start
            flushResampler();
            appendSilence(target - (encodedSamples + fifoLength()));
        }
        if (swr == null) {
            openResampler(sampleRate, channels);
        }
        for (int done = 0; done < frames; done += SLICE_FRAMES) {
            int n = Math.min(SLICE_FRAMES, frames - done);
            inBuffer.position(0).put(samples, offset + done * channels, n * channels);
            convert(n);
        }
    }

    /** The timeline has reached {@code ms}: sound up to there may be encoded. */
    void advance(long ms) {
        horizon = Math.max(horizon, toSamples(ms));
        if (started) {
            encodeFrames(false);
        }
    }

    /**
     * True when any audio was given; then the track is padded with silence or cut to {@code endMs} (sound
     * past the end has no picture to go with) and flushed.
     */
    boolean finish(long endMs) {
        if (!started) {
            return false;
        }
        flushResampler();
        long target = toSamples(endMs);
        horizon = Math.max(horizon, target);
        long placed = encodedSamples + fifoLength();
        if (placed < target) {
            appendSilence(target - placed);
        } else if (placed > target) {
            // what was encoded already stays (it is at most what arrived more than 10 s ahead)
            fifoEnd = fifoStart + (int) Math.max(0, target - encodedSamples);
        }
        encodeFrames(true);
        check(avcodec_send_frame(encoder, null), "avcodec_send_frame(aac, flush)", file);
        drainPackets();
        return true;
    }

    boolean started() {
        return started;
    }

    /** AAC frames given to the encoder. */
    long framesEncoded() {
        return silence.encoded();
    }

    /** AAC frames of silence whose packet was copied instead of encoded. */
    long framesCopied() {
        return silence.copied();
    }

    /** Samples placed on the track, including those still inside the resampler. */
    private long writePosition() {
        long pending = swr == null ? 0 : swr_get_delay(swr, SAMPLE_RATE);
        return encodedSamples + fifoLength() + pending;
    }

    private static long toSamples(long ms) {
        return ms * SAMPLE_RATE / 1000;
    }

    private int fifoLength() {
        return fifoEnd - fifoStart;
    }

    private void openResampler(int rate, int channels) {
        AVChannelLayout inLayout = new AVChannelLayout();
        try {
            av_channel_layout_default(inLayout, channels);
            swr = new SwrContext(null);
            check(swr_alloc_set_opts2(swr, encoder.ch_layout(), AV_SAMPLE_FMT_FLTP, SAMPLE_RATE,
                    inLayout, AV_SAMPLE_FMT_S16, rate, 0, null), "swr_alloc_set_opts2", file);
            if (channels == 1) {
                // mono on both speakers at full level, as the browser client plays it (swr's default is -3 dB)
                check(swr_set_matrix(swr, new double[] {1, 1}, 1), "swr_set_matrix", file);
            }
            check(swr_init(swr), "swr_init(" + rate + " Hz, " + channels + " ch)", file);
        } finally {
            av_channel_layout_uninit(inLayout);
            inLayout.close();
        }
        inRate = rate;
        inChannels = channels;
        if (inBuffer == null) {
            inBuffer = new ShortPointer((long) SLICE_FRAMES * 8); // enough for any channel count we accept
            inPlanes = new PointerPointer<>(1);
            inPlanes.put(0, inBuffer);
        }
    }

    /** Resamples {@code inFrames} frames from {@link #inBuffer} (0 = drain the resampler) into the FIFO. */
    private void convert(int inFrames) {
        int needed = swr_get_out_samples(swr, inFrames);
        check(needed, "swr_get_out_samples", file);
        ensureOutCapacity(needed + 32);
        int produced = inFrames == 0
                ? swr_convert(swr, outPlanes, outCapacity, (PointerPointer<?>) null, 0)
                : swr_convert(swr, outPlanes, outCapacity, inPlanes, inFrames);
        check(produced, "swr_convert", file);
        if (produced > 0) {
            ensureFifo(produced);
            for (int c = 0; c < CHANNELS; c++) {
                outBuffers[c].position(0).get(fifo[c], fifoEnd, produced);
            }
            fifoEnd += produced;
            encodeFrames(false);
        }
    }

    /** Pushes out what the resampler holds back (filter delay) and drops it. */
    private void flushResampler() {
        if (swr == null) {
            return;
        }
        if (swr_get_delay(swr, SAMPLE_RATE) > 0) {
            convert(0);
        }
        swr_free(swr);
        swr = null;
    }

    private void appendSilence(long samples) {
        while (samples > 0) {
            int n = (int) Math.min(samples, frameSize * 16L);
            ensureFifo(n);
            for (int c = 0; c < CHANNELS; c++) {
                Arrays.fill(fifo[c], fifoEnd, fifoEnd + n, 0f);
            }
            fifoEnd += n;
            samples -= n;
            encodeFrames(false);
        }
    }

    /** Encodes full frames up to the horizon (or past it beyond the hold limit); with {@code all}, everything. */
    private void encodeFrames(boolean all) {
        while (all ? fifoLength() > 0
                : fifoLength() >= frameSize
                        && (encodedSamples + frameSize <= horizon || fifoLength() > MAX_HOLD_SAMPLES)) {
            int n = Math.min(frameSize, fifoLength());
            boolean silent = silent(n);
            if (n == frameSize && silent && silence.settled()) {
                silence.copy(copy);
                fifoStart += n;
                encodedSamples += n;
                copiedSamples += n;
                muxer.write(copy, encoder, stream);
                continue;
            }
            check(av_frame_make_writable(frame), "av_frame_make_writable(audio)", file);
            mapFramePlanes();
            for (int c = 0; c < CHANNELS; c++) {
                framePlanes[c].put(0, fifo[c], fifoStart, n);
            }
            frame.nb_samples(n);
            frame.pts(encodedSamples - copiedSamples); // the encoder's timeline has no copied frames
            check(avcodec_send_frame(encoder, frame), "avcodec_send_frame(aac)", file);
            silence.sent(silent);
            fifoStart += n;
            encodedSamples += n;
            drainPackets();
        }
        if (fifoStart == fifoEnd) {
            fifoStart = 0;
            fifoEnd = 0;
        }
    }

    /** True when the next {@code n} samples in the FIFO are all zero on every channel. */
    private boolean silent(int n) {
        for (int c = 0; c < CHANNELS; c++) {
            float[] samples = fifo[c];
            for (int i = fifoStart, end = fifoStart + n; i < end; i++) {
                if (samples[i] != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private void drainPackets() {
        Ffmpeg.receivePackets(encoder, packet, "aac", file, p -> {
            // from the encoder's timeline to the track's
            p.pts(p.pts() + copiedSamples).dts(p.dts() + copiedSamples);
            silence.received(p);
            muxer.write(p, encoder, stream);
        });
    }


    private void mapFramePlanes() {
        long address = frame.data(0).address();
        if (address == framePlanesAddress && framePlanes != null) {
            return;
        }
        framePlanesAddress = address;
        framePlanes = new FloatBuffer[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            framePlanes[c] = frame.data(c).capacity(frame.linesize(0)).asByteBuffer()
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
    }

    private void ensureFifo(int more) {
        if (fifoEnd + more <= fifo[0].length) {
            return;
        }
        int length = fifoLength();
        int capacity = Math.max(fifo[0].length, Integer.highestOneBit(Math.max(1, length + more)) * 2);
        for (int c = 0; c < CHANNELS; c++) {
            float[] next = capacity == fifo[c].length ? fifo[c] : new float[capacity];
            System.arraycopy(fifo[c], fifoStart, next, 0, length);
            fifo[c] = next;
        }
        fifoStart = 0;
        fifoEnd = length;
    }

    private void ensureOutCapacity(int samples) {
        if (outCapacity >= samples) {
            return;
        }
        freeOutBuffers();
        outCapacity = samples;
        outBuffers = new FloatPointer[CHANNELS];
        outPlanes = new PointerPointer<>(CHANNELS);
        for (int c = 0; c < CHANNELS; c++) {
            outBuffers[c] = new FloatPointer(samples);
            outPlanes.put(c, outBuffers[c]);
        }
    }

    private void freeOutBuffers() {
        if (outBuffers != null) {
            for (FloatPointer p : outBuffers) {
                p.close();
            }
            outPlanes.close();
            outBuffers = null;
            outPlanes = null;
            outCapacity = 0;
        }
    }

    @Override
    public void close() {
        if (swr != null) {
            swr_free(swr);
            swr = null;
        }
        freeOutBuffers();
        if (inBuffer != null) {
            inBuffer.close();
            inPlanes.close();
            inBuffer = null;
        }
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (copy != null) {
            av_packet_free(copy);
            copy = null;
        }
        silence.close();
        if (encoder != null) {
            avcodec_free_context(encoder);
            encoder = null;
        }
    }
}

package io.videoworker.encode;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;

import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVPacket;

/**
 * Decides when the AAC encoder's output for digital silence may be copied instead of encoded, and
 * keeps the packet to copy.
 *
 * <p>Told of every frame given to the encoder ({@link #sent}) and every packet it returned
 * ({@link #received}): once the encoder has been given {@link #SETTLE_FRAMES} all-zero frames in a row
 * and its last two packets are byte-identical, it has settled (see {@link AudioTrack} for why that
 * makes copying exact), and each further all-zero frame may be replaced by a copy of that packet
 * ({@link #copy}). Any frame with sound ends the run.
 */
final class SilenceRun implements AutoCloseable {

    /**
     * All-zero frames the encoder must have been given before its output is copied: 0.37 s of each
     * silence. Measured, 3 are enough (whatever the sound before, what follows then encodes
     * byte-identically to after thousands); by FFmpeg's source the slowest part of the state is the psy
     * model's bit reservoir, which refills from empty within 6 silent frames.
     */
    static final int SETTLE_FRAMES = 16;

    private final boolean enabled;
    private final int frameSize;
    private final Path file;
    /** Consecutive all-zero frames given to the encoder. */
    private int zeroFrames;
    /** The last packet received during silence (a reference), its bytes, and whether the one before matched. */
    private AVPacket last;
    private byte[] lastBytes;
    private boolean repeating;
    /** Where the next packet starts on the track (the last received packet's end, then each copy's). */
    private long nextPts;
    private long encoded;
    private long copied;

    /**
     * @param enabled   false to encode every frame (for comparison)
     * @param frameSize samples per AAC frame (and per copied packet)
     */
    SilenceRun(boolean enabled, int frameSize, Path file) {
        this.enabled = enabled;
        this.frameSize = frameSize;
        this.file = file;
        last = av_packet_alloc();
    }

    /** The encoder was given a frame; {@code silent} when every sample of every channel is 0. */
    void sent(boolean silent) {
        encoded++;
        if (silent) {
            zeroFrames++;
        } else {
            zeroFrames = 0;
            repeating = false;
            lastBytes = null;
            av_packet_unref(last);
        }
    }

    /** The encoder returned {@code packet} (its time already on the track); call before it is written. */
    void received(AVPacket packet) {
        nextPts = packet.pts() + packet.duration();
        if (zeroFrames == 0 || !enabled) {
            return;
        }
        byte[] bytes = new byte[packet.size()];
        packet.data().get(bytes);
        repeating = Arrays.equals(bytes, lastBytes);
        lastBytes = bytes;
        av_packet_unref(last);
        Ffmpeg.check(av_packet_ref(last, packet), "av_packet_ref(aac)", file);
    }

    /** True when the next all-zero frame may be copied rather than encoded. */
    boolean settled() {
        return enabled && repeating && zeroFrames >= SETTLE_FRAMES;
    }

    /** Makes {@code out} a copy of the settled packet, continuing the track; only when {@link #settled}. */
    void copy(AVPacket out) {
        if (!settled()) {
            throw new IllegalStateException("the encoder has not settled into silence");
        }
        Ffmpeg.check(av_packet_ref(out, last), "av_packet_ref(aac)", file);
        out.pts(nextPts).dts(nextPts).duration(frameSize);
        nextPts += frameSize;
        copied++;
    }

    /** Frames given to the encoder. */
    long encoded() {
        return encoded;
    }

    /** Frames whose packet was copied instead. */
    long copied() {
        return copied;
    }

    @Override
    public void close() {
        if (last != null) {
            av_packet_free(last);
            last = null;
        }
    }
}

package io.videoworker.encode;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;

/**
 * Small helpers around the bytedeco FFmpeg bindings.
 *
 * <p>Only avutil, avcodec, avformat, swscale and swresample are touched: the
 * bindings load a library when its Java class is first initialised, and
 * libavdevice would pull in X11/ALSA/PulseAudio libraries a server lacks.
 */
final class Ffmpeg {

    /** {@code AVERROR(EAGAIN)}: the bindings have no constant for it; EAGAIN is 11 on Linux. */
    static final int EAGAIN = -11;

    static {
        // x264 and the muxers chat at INFO on stderr; keep stderr for real problems.
        av_log_set_level(AV_LOG_ERROR);
    }

    private Ffmpeg() {
    }

    /** Loads the native libraries we use (idempotent) and sets the log level once. */
    static void init() {
        // the static initialiser above does the work
    }

    /** FFmpeg's text for an error code, e.g. "Invalid argument (-22)". */
    static String errorText(int ret) {
        byte[] buf = new byte[256];
        if (av_strerror(ret, buf, buf.length) < 0) {
            return "error " + ret;
        }
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8) + " (" + ret + ")";
    }

    /** Throws an {@link EncodeException} naming the call, the error and the file when {@code ret < 0}. */
    static int check(int ret, String call, Path file) {
        if (ret < 0) {
            throw new EncodeException(call + " failed for " + file + ": " + errorText(ret));
        }
        return ret;
    }

    /**
     * Hands every packet the encoder has ready to {@code sink}, then unreferences it; stops when the
     * encoder wants more input or is drained.
     */
    static void receivePackets(org.bytedeco.ffmpeg.avcodec.AVCodecContext encoder,
                               org.bytedeco.ffmpeg.avcodec.AVPacket packet, String what, Path file,
                               java.util.function.Consumer<org.bytedeco.ffmpeg.avcodec.AVPacket> sink) {
        while (true) {
            int ret = org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet(encoder, packet);
            if (ret == EAGAIN || ret == org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF) {
                return;
            }
            check(ret, "avcodec_receive_packet(" + what + ")", file);
            try {
                sink.accept(packet);
            } finally {
                org.bytedeco.ffmpeg.global.avcodec.av_packet_unref(packet);
            }
        }
    }

    /** A UTF-8 C string: JavaCPP's String overloads use the platform charset, which may not be UTF-8. */
    static BytePointer utf8(String s) {
        return new BytePointer(s, StandardCharsets.UTF_8);
    }

    /** The FFmpeg URL of a local file: "file:" keeps a ':' in the name from reading as a protocol. */
    static String fileUrl(Path file) {
        return "file:" + file.toAbsolutePath();
    }

    static String string(BytePointer p) {
        return p == null || p.isNull() ? null : p.getString(StandardCharsets.UTF_8);
    }
}

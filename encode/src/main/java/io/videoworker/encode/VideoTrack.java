package io.videoworker.encode;

import static io.videoworker.encode.Ffmpeg.check;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR0;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_count;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * The H.264 track: libx264 (yuv420p, High profile) or libx264rgb (lossless),
 * millisecond time base, variable frame rate.
 *
 * <p>Keyframes are placed by the caller ({@link #encode} with {@code key}, every so many frames);
 * x264's own GOP limit is set out of the way.
 */
final class VideoTrack implements AutoCloseable {

    /** Frames; we force keyframes ourselves, so x264's frame-count limit must never trigger first. */
    private static final int GOP_FRAMES = 1_000_000;
    /** Frames are emitted only on change, capped by the renderer at about this rate. */
    private static final int NOMINAL_FPS = 30;

    private final Mp4Muxer muxer;
    private final Path file;
    private AVCodecContext encoder;
    private AVStream stream;
    private AVPacket packet;
    private long lastPts = Long.MIN_VALUE;
    private long endPts = Long.MIN_VALUE;

    VideoTrack(Mp4Muxer muxer, VideoSettings settings, Path file) {
        this.muxer = muxer;
        this.file = file;
        String name = settings.lossless() ? "libx264rgb" : "libx264";
        AVCodec codec = avcodec_find_encoder_by_name(name);
        if (codec == null || codec.isNull()) {
            throw new EncodeException("avcodec_find_encoder_by_name(" + name + ") found nothing for " + file
                    + ": the FFmpeg natives lack the GPL build with libx264");
        }
        encoder = avcodec_alloc_context3(codec);
        if (encoder == null || encoder.isNull()) {
            throw new EncodeException("avcodec_alloc_context3 failed for " + file);
        }
        encoder.width(settings.outputWidth());
        encoder.height(settings.outputHeight());
        encoder.time_base(av_make_q(1, 1000));
        // Nominal rate for x264's level choice only (timestamps stay in ms): without it x264 assumes the
        // time base's 1000 fps and signals level 4.2 even for 320x240, which some hardware decoders refuse.
        encoder.framerate(av_make_q(NOMINAL_FPS, 1));
        encoder.gop_size(GOP_FRAMES);
        // No B-frames: with a variable frame rate x264 gives each frame the decode time of the frame two
        // places earlier, seconds behind its presentation time after an idle stretch; players that seek by
        // decode time then start at the wrong keyframe, and the track's media duration (decode timeline)
        // falls short of its presentation end. Cost measured on synthetic 1024x768 content at crf 23:
        // +0.8 % size (scrolling text), +3 % (a window dragged over a desktop); encoding 4-9 % faster.
        encoder.max_b_frames(0);
        encoder.thread_count(0); // libavcodec's default is 1; 0 lets x264 pick (1.5 x cores)
        if (muxer.wantsGlobalHeader()) {
            encoder.flags(encoder.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        AVDictionary options = new AVDictionary(null);
        try {
            X264Options x264 = settings.x264();
            av_dict_set(options, "preset", x264.preset(), 0);
            if (!x264.tune().isEmpty()) {
                av_dict_set(options, "tune", x264.tune(), 0);
            }
            if (!x264.params().isEmpty()) {
                av_dict_set(options, "x264-params", x264.params(), 0);
            }
            // a forced keyframe (pict_type I) must be an IDR, or a player cannot start there
            av_dict_set(options, "forced-idr", "1", 0);
            if (settings.lossless()) {
                encoder.pix_fmt(AV_PIX_FMT_BGR0);
                av_dict_set(options, "qp", "0", 0);
            } else {
                encoder.pix_fmt(AV_PIX_FMT_YUV420P);
                av_dict_set(options, "crf", Integer.toString(x264.crf()), 0);
                av_dict_set(options, "profile", "high", 0);
                // we convert with BT.601 limited range; say so, or HD players assume BT.709
                encoder.colorspace(AVCOL_SPC_SMPTE170M);
                encoder.color_range(AVCOL_RANGE_MPEG);
            }
            check(avcodec_open2(encoder, codec, options), "avcodec_open2(" + name + ")", file);
            if (av_dict_count(options) > 0) {
                throw new EncodeException("avcodec_open2(" + name + ") ignored options for " + file);
            }
        } finally {
            av_dict_free(options);
        }
        stream = muxer.addStream(encoder);
        packet = av_packet_alloc();
    }

    /** Encodes one picture at {@code ptsMs}; {@code key} forces an IDR frame. */
    void encode(AVFrame frame, long ptsMs, boolean key) {
        lastPts = ptsMs;
        frame.pts(ptsMs);
        frame.pict_type(key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
        check(avcodec_send_frame(encoder, frame), "avcodec_send_frame(video)", file);
        drain();
    }

    /**
     * Drains the frames x264 still holds (lookahead, frame threads). The newest picture lasts until
     * {@code endPts}: the muxer takes a track's end from its last packet's duration.
     */
    void flush(long endPts) {
        this.endPts = endPts;
        check(avcodec_send_frame(encoder, null), "avcodec_send_frame(video, flush)", file);
        drain();
    }

    private void drain() {
        Ffmpeg.receivePackets(encoder, packet, "video", file, this::write);
    }

    private void write(AVPacket p) {
        if (p.pts() == lastPts && endPts > lastPts) {
            p.duration(endPts - lastPts); // the newest picture lasts until the end
        }
        muxer.write(p, encoder, stream);
    }

    @Override
    public void close() {
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (encoder != null) {
            avcodec_free_context(encoder);
            encoder = null;
        }
    }
}

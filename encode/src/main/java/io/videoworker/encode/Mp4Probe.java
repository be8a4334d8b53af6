package io.videoworker.encode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_profile_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR0;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_move_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INT;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjLongConsumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Reads an MP4 back: stream facts, the box order, packets, decoded pictures
 * and sound. Used to check an output before it is published, and by tests.
 *
 * <p>Not thread-safe; one probe per thread. Close it to free native memory.
 */
public final class Mp4Probe implements AutoCloseable {

    private final Path file;
    private AVFormatContext format;
    private AVPacket packet;
    private AVFrame frame;
    private AVFrame picked;
    private final int videoIndex;
    private final int audioIndex;
    private AVCodecContext videoDecoder;
    private AVCodecContext audioDecoder;
    private SwsContext sws;
    private final Mp4Info info;

    private Mp4Probe(Path file) {
        this.file = file;
        Ffmpeg.init();
        if (!Files.isRegularFile(file)) {
            throw new EncodeException("no MP4 at " + file);
        }
        try {
            format = new AVFormatContext(null);
            try (BytePointer url = Ffmpeg.utf8(Ffmpeg.fileUrl(file))) {
                check(avformat_open_input(format, url, null, (AVDictionary) null), "avformat_open_input");
            }
            check(avformat_find_stream_info(format, (AVDictionary) null), "avformat_find_stream_info");
            videoIndex = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
            audioIndex = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
            packet = av_packet_alloc();
            frame = av_frame_alloc();
            picked = av_frame_alloc();
            info = readInfo();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens {@code file}; throws {@link EncodeException} when FFmpeg cannot read it. */
    public static Mp4Probe open(Path file) {
        return new Mp4Probe(file);
    }

    /** Opens, reads the facts and closes. */
    public static Mp4Info info(Path file) {
        try (Mp4Probe probe = open(file)) {
            return probe.info();
        }
    }

    public Mp4Info info() {
        return info;
    }

    /** Every video packet in file (decoding) order. */
    public List<VideoPacket> videoPackets() {
        requireVideo();
        seek(videoIndex, 0);
        List<VideoPacket> out = new ArrayList<>();
        AVRational tb = format.streams(videoIndex).time_base();
        while (readPacket()) {
            try {
                if (packet.stream_index() == videoIndex) {
                    out.add(new VideoPacket(toMs(packet.pts(), tb), toMs(packet.dts(), tb),
                            (packet.flags() & AV_PKT_FLAG_KEY) != 0, packet.size()));
                }
            } finally {
                av_packet_unref(packet);
            }
        }
        return out;
    }

    /** Every audio packet in file order, with its bytes; times in samples. */
    public List<AudioPacket> audioPackets() {
        requireAudio();
        seek(audioIndex, 0);
        List<AudioPacket> out = new ArrayList<>();
        AVStream stream = format.streams(audioIndex);
        AVRational tb = stream.time_base();
        long rate = stream.codecpar().sample_rate();
        while (readPacket()) {
            try {
                if (packet.stream_index() == audioIndex) {
                    byte[] data = new byte[packet.size()];
                    packet.data().get(data);
                    out.add(new AudioPacket(Math.floorDiv(packet.pts() * tb.num() * rate, tb.den()),
                            packet.duration() * tb.num() * rate / tb.den(), data));
                }
            } finally {
                av_packet_unref(packet);
            }
        }
        return out;
    }

    /** Presentation times of the keyframes, ascending. */
    public List<Long> keyframeTimesMs() {
        return videoPackets().stream().filter(VideoPacket::key).map(VideoPacket::ptsMs).sorted().toList();
    }

    /**
     * The picture shown at {@code ms}: the last frame whose presentation time is at most {@code ms}
     * (the first frame for an earlier time).
     */
    public BufferedImage frameAt(long ms) {
        BufferedImage[] shown = new BufferedImage[1];
        decodeForward(new long[] {ms}, (image, t) -> shown[0] = image);
        return shown[0];
    }

    /**
     * The pictures shown at each of {@code times} (ascending), as {@link #frameAt} would give them, from
     * one pass of decoding: many times in a long video cost one decode, not one seek each.
     */
    public void framesAt(long[] times, ObjLongConsumer<BufferedImage> sink) {
        for (int i = 1; i < times.length; i++) {
            if (times[i] < times[i - 1]) {
                throw new IllegalArgumentException("times must ascend: " + times[i - 1] + " then " + times[i]);
            }
        }
        if (times.length > 0) {
            decodeForward(times, sink);
        }
    }

    /** Decodes from the keyframe at or before {@code times[0]} (times: at least one, ascending) to a frame past the last. */
    private void decodeForward(long[] times, ObjLongConsumer<BufferedImage> sink) {
        requireVideo();
        AVStream stream = format.streams(videoIndex);
        AVRational tb = stream.time_base();
        if (videoDecoder == null) {
            videoDecoder = openDecoder(stream);
        }
        seek(videoIndex, times[0]);
        avcodec_flush_buffers(videoDecoder);
        av_frame_unref(picked);
        boolean havePicked = false;
        int next = 0;
        boolean more = true;
        while (next < times.length && more) {
            more = readPacket();
            if (more) {
                try {
                    if (packet.stream_index() != videoIndex) {
                        continue;
                    }
                    check(avcodec_send_packet(videoDecoder, packet), "avcodec_send_packet(video)");
                } finally {
                    av_packet_unref(packet);
                }
            } else {
                check(avcodec_send_packet(videoDecoder, null), "avcodec_send_packet(video, flush)");
            }
            int ret;
            while (next < times.length && (ret = avcodec_receive_frame(videoDecoder, frame)) != Ffmpeg.EAGAIN
                    && ret != AVERROR_EOF) {
                check(ret, "avcodec_receive_frame(video)");
                long t = toMs(frame.best_effort_timestamp(), tb);
                for (; next < times.length && t > times[next]; next++) {
                    sink.accept(toImage(havePicked ? picked : frame), times[next]); // before the first: the first
                }
                av_frame_unref(picked);
                av_frame_move_ref(picked, frame);
                havePicked = true;
            }
        }
        if (next < times.length && !havePicked) {
            throw new EncodeException("no video frame decoded at " + times[next] + " ms in " + file);
        }
        for (; next < times.length; next++) {
            sink.accept(toImage(picked), times[next]);
        }
    }

    /** Decoded sound in [fromMs, toMs), interleaved float at the stream's rate and channel count. */
    public PcmClip audio(long fromMs, long toMs) {
        requireAudio();
        AVStream stream = format.streams(audioIndex);
        AVRational tb = stream.time_base();
        if (audioDecoder == null) {
            audioDecoder = openDecoder(stream);
        }
        int rate = audioDecoder.sample_rate();
        int channels = audioDecoder.ch_layout().nb_channels();
        long first = fromMs * rate / 1000;
        long end = Math.max(first, toMs * rate / 1000);
        float[] out = new float[(int) Math.min(Integer.MAX_VALUE - 8, (end - first) * channels)];
        // a little earlier: the first AAC frame after a seek lacks its overlap and decodes wrong
        seek(audioIndex, Math.max(0, fromMs - 200));
        avcodec_flush_buffers(audioDecoder);
        SwrContext swr = null;
        FloatPointer buffer = null;
        try {
            boolean flushed = false;
            boolean done = false;
            while (!done) {
                if (readPacket()) {
                    try {
                        if (packet.stream_index() != audioIndex) {
                            continue;
                        }
                        check(avcodec_send_packet(audioDecoder, packet), "avcodec_send_packet(audio)");
                    } finally {
                        av_packet_unref(packet);
                    }
                } else if (!flushed) {
                    check(avcodec_send_packet(audioDecoder, null), "avcodec_send_packet(audio, flush)");
                    flushed = true;
                } else {
                    break;
                }
                int ret;
                while ((ret = avcodec_receive_frame(audioDecoder, frame)) != Ffmpeg.EAGAIN && ret != AVERROR_EOF) {
                    check(ret, "avcodec_receive_frame(audio)");
                    try {
                        long start = frame.pts() == AV_NOPTS_VALUE ? 0 : frame.pts() * tb.num() * rate / tb.den();
                        int n = frame.nb_samples();
                        if (start >= end) {
                            done = true;
                            continue;
                        }
                        if (start + n <= first) {
                            continue;
                        }
                        if (swr == null) {
                            swr = new SwrContext(null);
                            check(swr_alloc_set_opts2(swr, frame.ch_layout(), AV_SAMPLE_FMT_FLT, rate,
                                    frame.ch_layout(), frame.format(), rate, 0, null), "swr_alloc_set_opts2");
                            check(swr_init(swr), "swr_init");
                        }
                        if (buffer == null || buffer.capacity() < (long) n * channels) {
                            if (buffer != null) {
                                buffer.close();
                            }
                            buffer = new FloatPointer((long) n * channels);
                        }
                        try (PointerPointer<?> dst = new PointerPointer<>(1).put(0, buffer)) {
                            int got = check(swr_convert(swr, dst, n, frame.extended_data(), n), "swr_convert");
                            long from = Math.max(start, first);
                            long to = Math.min(start + got, end);
                            if (from < to) {
                                buffer.position((from - start) * channels)
                                        .get(out, (int) ((from - first) * channels), (int) ((to - from) * channels));
                                buffer.position(0);
                            }
                        }
                    } finally {
                        av_frame_unref(frame);
                    }
                }
                if (flushed) {
                    break;
                }
            }
        } finally {
            if (swr != null) {
                swr_free(swr);
            }
            if (buffer != null) {
                buffer.close();
            }
        }
        return new PcmClip(fromMs, rate, channels, out);
    }

    /** Root-mean-square loudness in [fromMs, toMs), over all channels; 0 is digital silence. */
    public double audioRms(long fromMs, long toMs) {
        return audio(fromMs, toMs).rms();
    }

    /** Types of the top-level boxes of an ISO BMFF file, in order (read directly, not through FFmpeg). */
    public static List<String> topLevelBoxes(Path file) {
        List<String> boxes = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
            while (pos + 8 <= size) {
                header.clear().limit(8);
                readFully(channel, header, pos);
                long boxSize = Integer.toUnsignedLong(header.getInt(0));
                String type = new String(header.array(), 4, 4, StandardCharsets.ISO_8859_1);
                if (boxSize == 1) {
                    header.clear().limit(8);
                    readFully(channel, header, pos + 8);
                    boxSize = header.getLong(0);
                } else if (boxSize == 0) {
                    boxSize = size - pos;
                }
                if (boxSize < 8) {
                    boxes.add(type + "?"); // corrupt size: stop here, and show it
                    break;
                }
                boxes.add(type);
                pos += boxSize;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read boxes of " + file, e);
        }
        return boxes;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long pos) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, pos + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at " + (pos + buffer.position()));
            }
        }
    }

    private Mp4Info readInfo() {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long duration = format.duration() == AV_NOPTS_VALUE ? -1
                : Math.round(format.duration() * 1000.0 / AV_TIME_BASE);
        String vCodec = null;
        String profile = null;
        String pixFmt = null;
        int width = 0;
        int height = 0;
        long vDuration = -1;
        long vFrames = 0;
        if (videoIndex >= 0) {
            AVStream st = format.streams(videoIndex);
            AVCodecParameters par = st.codecpar();
            vCodec = Ffmpeg.string(avcodec_get_name(par.codec_id()));
            profile = Ffmpeg.string(avcodec_profile_name(par.codec_id(), par.profile()));
            pixFmt = Ffmpeg.string(av_get_pix_fmt_name(par.format()));
            width = par.width();
            height = par.height();
            vDuration = st.duration() == AV_NOPTS_VALUE ? -1 : toMs(st.duration(), st.time_base());
            vFrames = st.nb_frames();
        }
        String aCodec = null;
        int rate = 0;
        int channels = 0;
        long aDuration = -1;
        if (audioIndex >= 0) {
            AVStream st = format.streams(audioIndex);
            AVCodecParameters par = st.codecpar();
            aCodec = Ffmpeg.string(avcodec_get_name(par.codec_id()));
            rate = par.sample_rate();
            channels = par.ch_layout().nb_channels();
            aDuration = st.duration() == AV_NOPTS_VALUE ? -1 : toMs(st.duration(), st.time_base());
        }
        return new Mp4Info(bytes, duration, topLevelBoxes(file), format.nb_streams(), vCodec, profile, pixFmt,
                width, height, vDuration, vFrames, aCodec, rate, channels, aDuration);
    }

    private AVCodecContext openDecoder(AVStream stream) {
        AVCodec codec = avcodec_find_decoder(stream.codecpar().codec_id());
        if (codec == null || codec.isNull()) {
            throw new EncodeException("avcodec_find_decoder found no decoder for stream " + stream.index()
                    + " of " + file);
        }
        AVCodecContext decoder = avcodec_alloc_context3(codec);
        check(avcodec_parameters_to_context(decoder, stream.codecpar()), "avcodec_parameters_to_context");
        decoder.pkt_timebase(stream.time_base());
        check(avcodec_open2(decoder, codec, (AVDictionary) null), "avcodec_open2(decoder)");
        return decoder;
    }

    private BufferedImage toImage(AVFrame f) {
        int w = f.width();
        int h = f.height();
        sws = sws_getCachedContext(sws, w, h, f.format(), w, h, AV_PIX_FMT_BGR0,
                SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, null, null, (double[]) null);
        if (sws == null || sws.isNull()) {
            throw new EncodeException("sws_getCachedContext failed for " + file + " (" + w + "x" + h + ")");
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        try (IntPointer rgb = new IntPointer((long) w * h);
             PointerPointer<?> dst = new PointerPointer<>(1).put(0, rgb);
             IntPointer dstStride = new IntPointer(1).put(0, w * 4)) {
            check(sws_scale(sws, f.data(), f.linesize(), 0, h, dst, dstStride), "sws_scale");
            rgb.get(pixels);
        }
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] &= 0xffffff; // BGR0's fourth byte is undefined
        }
        return image;
    }

    private void seek(int streamIndex, long ms) {
        AVRational tb = format.streams(streamIndex).time_base();
        long ts = Math.max(0, ms) * tb.den() / (1000L * tb.num());
        int ret = av_seek_frame(format, streamIndex, ts, AVSEEK_FLAG_BACKWARD);
        if (ret < 0) {
            // nothing at or before ts (a time before the first keyframe): take the first one after it
            check(av_seek_frame(format, streamIndex, ts, 0), "av_seek_frame");
        }
    }

    private boolean readPacket() {
        int ret = av_read_frame(format, packet);
        if (ret == AVERROR_EOF) {
            return false;
        }
        check(ret, "av_read_frame");
        return true;
    }

    private static long toMs(long ts, AVRational tb) {
        if (ts == AV_NOPTS_VALUE) {
            return -1;
        }
        return Math.floorDiv(ts * 1000L * tb.num(), tb.den());
    }

    private void requireVideo() {
        if (videoIndex < 0) {
            throw new IllegalStateException(file + " has no video stream");
        }
    }

    private void requireAudio() {
        if (audioIndex < 0) {
            throw new IllegalStateException(file + " has no audio stream");
        }
    }

    private int check(int ret, String call) {
        return Ffmpeg.check(ret, call, file);
    }

    @Override
    public void close() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        if (videoDecoder != null) {
            avcodec_free_context(videoDecoder);
            videoDecoder = null;
        }
        if (audioDecoder != null) {
            avcodec_free_context(audioDecoder);
            audioDecoder = null;
        }
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        if (picked != null) {
            av_frame_free(picked);
            picked = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (format != null) {
            avformat_close_input(format);
            format = null;
        }
    }
}

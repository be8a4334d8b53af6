package io.videoworker.encode;

import static io.videoworker.encode.Ffmpeg.check;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_close;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avformat.avio_tell;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;

/**
 * The MP4 container: libavformat's mov muxer writing one local file with the
 * moov box in front ({@code +faststart}, a second pass at the trailer) so a
 * player can start before the whole file has arrived.
 */
final class Mp4Muxer implements AutoCloseable {

    private final Path file;
    private final String url;
    private final OutputWatch watch;
    private AVFormatContext context;
    private long written;

    /**
     * @param target where FFmpeg writes (a temporary name; the writer renames it when finished)
     * @param file   the name to report in errors
     * @param watch  told the bytes written after every packet
     */
    Mp4Muxer(Path target, Path file, OutputWatch watch) {
        this.file = file;
        this.watch = watch;
        Ffmpeg.init();
        this.url = Ffmpeg.fileUrl(target);
        context = new AVFormatContext(null);
        try (BytePointer format = new BytePointer("mp4"); BytePointer name = Ffmpeg.utf8(url)) {
            // The name is kept as s->url: faststart re-reads the file through it.
            check(avformat_alloc_output_context2(context, null, format, name),
                    "avformat_alloc_output_context2", file);
        }
    }

    /** Encoders must put SPS/PPS and AudioSpecificConfig in extradata, not in-band. */
    boolean wantsGlobalHeader() {
        return (context.oformat().flags() & AVFMT_GLOBALHEADER) != 0;
    }

    /** A stream carrying the output of an opened encoder. */
    AVStream addStream(AVCodecContext encoder) {
        AVStream stream = avformat_new_stream(context, null);
        if (stream == null || stream.isNull()) {
            throw new EncodeException("avformat_new_stream failed for " + file);
        }
        check(avcodec_parameters_from_context(stream.codecpar(), encoder), "avcodec_parameters_from_context", file);
        stream.time_base(encoder.time_base());
        return stream;
    }

    /** Opens the file and writes the header; stream time bases are final after this. */
    void start() {
        AVIOContext io = new AVIOContext(null);
        try (BytePointer name = Ffmpeg.utf8(url)) {
            check(avio_open(io, name, AVIO_FLAG_WRITE), "avio_open", file);
        }
        context.pb(io);
        AVDictionary options = new AVDictionary(null);
        try {
            av_dict_set(options, "movflags", "+faststart", 0);
            // Milliseconds, as our timestamps are: the muxer's own choice (a multiple of the frame rate it
            // guesses) made a still picture of days overflow a sample's 32-bit duration; at 1 ms a sample
            // may last 49 days, longer than any timeline the player accepts (7 days)
            av_dict_set(options, "video_track_timescale", "1000", 0);
            check(avformat_write_header(context, options), "avformat_write_header", file);
        } finally {
            av_dict_free(options);
        }
    }

    /** Rescales a packet from the encoder's time base to the stream's and hands it to the interleaver. */
    void write(AVPacket packet, AVCodecContext encoder, AVStream stream) {
        packet.stream_index(stream.index());
        av_packet_rescale_ts(packet, encoder.time_base(), stream.time_base());
        int size = packet.size(); // av_interleaved_write_frame takes ownership of the packet's data and leaves it blank
        check(av_interleaved_write_frame(context, packet), "av_interleaved_write_frame", file);
        written += size;
        watch.written(written, size, avio_tell(context.pb())); // what reached the file (or its write buffer)
    }

    /** Writes the trailer (moves moov to the front) and closes the file. */
    void finish() {
        check(av_write_trailer(context), "av_write_trailer", file);
        check(closeIo(), "avio_close", file);
    }

    private int closeIo() {
        if (context == null || context.pb() == null || context.pb().isNull()) {
            return 0;
        }
        int ret = avio_close(context.pb());
        context.pb(null);
        return ret;
    }

    @Override
    public void close() {
        if (context != null) {
            closeIo();
            avformat_free_context(context);
            context = null;
        }
    }
}

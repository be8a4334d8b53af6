package io.videoworker.guac.image;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_WEBP;
import static org.bytedeco.ffmpeg.global.avcodec.AV_INPUT_BUFFER_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_ARGB;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVA420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.nio.charset.StandardCharsets;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * WebP through FFmpeg's native decoder (libavcodec "webp"): it parses the RIFF container,
 * decodes the VP8 bitstream (normative, so its Y/U/V planes equal libwebp's bit for bit), the
 * ALPH chunk and lossless VP8L. Lossy planes are then turned into RGB by
 * {@link WebpYuvConverter}, which reproduces libwebp's default output exactly.
 *
 * <p>One codec context, packet and frame are allocated on first use and reused. Not thread-safe.
 */
final class WebpDecoder implements AutoCloseable {

    /** FFmpeg's AVERROR(EAGAIN) on Linux: the decoder wants more input, no frame is ready. */
    private static final int AVERROR_EAGAIN = -11;

    private final WebpYuvConverter converter = new WebpYuvConverter();

    private AVCodecContext context;
    private AVPacket packet;
    private AVFrame frame;
    private BytePointer packetData;
    private long packetCapacity;

    // Scratch copies of the planes, grown as needed.
    private byte[] lumaPlane = new byte[0];
    private byte[] uPlane = new byte[0];
    private byte[] vPlane = new byte[0];
    private byte[] alphaPlane = new byte[0];
    private boolean closed;

    /**
     * Decodes a complete WebP file whose header declared {@code width x height} (already checked
     * against the size limits).
     */
    DecodedImage decode(byte[] data, int length, int width, int height) throws ImageFormatException {
        open();
        feed(data, length);
        int status = avcodec_send_packet(context, packet);
        if (status < 0) {
            avcodec_flush_buffers(context);
            throw new ImageFormatException("image/webp " + width + "x" + height
                    + " could not be decoded: " + errorText(status));
        }
        status = avcodec_receive_frame(context, frame);
        if (status < 0) {
            avcodec_flush_buffers(context);
            throw new ImageFormatException("image/webp " + width + "x" + height + " produced no picture: "
                    + (status == AVERROR_EAGAIN ? "no image data" : errorText(status)));
        }
        try {
            return convertFrame(width, height);
        } finally {
            av_frame_unref(frame);
        }
    }

    private DecodedImage convertFrame(int width, int height) throws ImageFormatException {
        int format = frame.format();
        if (frame.width() != width || frame.height() != height) {
            throw new ImageFormatException("image/webp header says " + width + "x" + height
                    + " but the bitstream decodes to " + frame.width() + "x" + frame.height());
        }
        int[] pixels = new int[Math.multiplyExact(width, height)];
        if (format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVA420P) {
            int chromaHeight = (height + 1) >> 1;
            int yStride = stride(0);
            int uvStride = stride(1);
            if (stride(2) != uvStride) {
                throw new ImageFormatException("image/webp decoder returned U and V planes of different strides");
            }
            lumaPlane = copyPlane(0, yStride, height, lumaPlane);
            uPlane = copyPlane(1, uvStride, chromaHeight, uPlane);
            vPlane = copyPlane(2, uvStride, chromaHeight, vPlane);
            byte[] alpha = null;
            int alphaStride = 0;
            if (format == AV_PIX_FMT_YUVA420P) {
                alphaStride = stride(3);
                alphaPlane = copyPlane(3, alphaStride, height, alphaPlane);
                alpha = alphaPlane;
            }
            converter.convert(width, height, lumaPlane, yStride, uPlane, vPlane, uvStride,
                    alpha, alphaStride, pixels);
        } else if (format == AV_PIX_FMT_ARGB) {
            // Lossless (VP8L): straight-alpha bytes A, R, G, B; only premultiplication is left.
            int stride = stride(0);
            lumaPlane = copyPlane(0, stride, height, lumaPlane);
            byte[] argb = lumaPlane;
            for (int row = 0; row < height; row++) {
                int in = row * stride;
                int out = row * width;
                for (int x = 0; x < width; x++, in += 4) {
                    pixels[out + x] = Premultiply.libwebp(argb[in] & 0xFF, argb[in + 1] & 0xFF,
                            argb[in + 2] & 0xFF, argb[in + 3] & 0xFF);
                }
            }
        } else {
            BytePointer name = av_get_pix_fmt_name(format);
            throw new ImageFormatException("image/webp decoded to unexpected pixel format "
                    + (name == null ? String.valueOf(format) : name.getString()));
        }
        return new DecodedImage(width, height, pixels);
    }

    private int stride(int plane) throws ImageFormatException {
        int stride = frame.linesize(plane);
        if (stride <= 0 || frame.data(plane) == null || frame.data(plane).isNull()) {
            throw new ImageFormatException("image/webp decoder returned no plane " + plane);
        }
        return stride;
    }

    private byte[] copyPlane(int plane, int stride, int rows, byte[] scratch) {
        int size = Math.multiplyExact(stride, rows);
        byte[] target = scratch.length >= size ? scratch : new byte[size];
        frame.data(plane).get(target, 0, size);
        return target;
    }

    /** Copies the file into the reused native packet buffer, zeroing FFmpeg's read-ahead padding. */
    private void feed(byte[] data, int length) {
        long needed = (long) length + AV_INPUT_BUFFER_PADDING_SIZE;
        if (packetCapacity < needed) {
            if (packetData != null) {
                packetData.close();
            }
            packetCapacity = Math.max(needed, Math.min(2 * packetCapacity, needed + (1 << 20)));
            packetData = new BytePointer(packetCapacity);
        }
        packetData.limit(needed).position(0);
        packetData.put(data, 0, length);
        packetData.position(length).fill(0); // memset from position to limit
        packetData.position(0);
        packet.data(packetData);
        packet.size(length);
    }

    private void open() throws ImageFormatException {
        if (closed) {
            throw new IllegalStateException("decoder closed");
        }
        if (context != null) {
            return;
        }
        AVCodec codec = avcodec_find_decoder(AV_CODEC_ID_WEBP);
        if (codec == null || codec.isNull()) {
            throw new ImageFormatException("image/webp: FFmpeg has no WebP decoder");
        }
        AVCodecContext created = avcodec_alloc_context3(codec);
        if (created == null || created.isNull()) {
            throw new IllegalStateException("avcodec_alloc_context3 failed for WebP");
        }
        created.thread_count(1); // one image at a time; no worker threads
        int status = avcodec_open2(created, codec, (AVDictionary) null);
        if (status < 0) {
            avcodec_free_context(created);
            throw new ImageFormatException("image/webp: cannot open FFmpeg's WebP decoder: " + errorText(status));
        }
        context = created;
        packet = av_packet_alloc();
        frame = av_frame_alloc();
    }

    private static String errorText(int status) {
        byte[] buffer = new byte[128];
        av_strerror(status, buffer, buffer.length);
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8) + " (" + status + ")";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        if (packet != null) {
            // The packet does not own packetData (no AVBufferRef), so freeing it leaves that alone.
            av_packet_free(packet);
            packet = null;
        }
        if (context != null) {
            avcodec_free_context(context);
            context = null;
        }
        if (packetData != null) {
            packetData.close();
            packetData = null;
        }
    }
}

package io.videoworker.encode;

import static io.videoworker.encode.Ffmpeg.check;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR0;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The picture the encoder sees next: one persistent frame in the encoder's
 * pixel format (yuv420p, or bgr0 when lossless), updated in place.
 *
 * <p>A canvas of the output size (or one pixel less on an odd side, which is
 * padded black) is converted directly, damaged rectangles only, and of those
 * only the spans that differ from the canvas last converted ({@link Converted}).
 * Any other canvas size is scaled whole to fit, keeping the aspect ratio,
 * centred between black bars (letterbox), with swscale, once an update however
 * many rectangles it has.
 *
 * <p>Why (busy-1min, 1440x900, 1501 frames; update alone, thread CPU, as
 * bench/PictureUpdate.java measures):
 * the whole bounding box took 770 ms; only its changed spans 140 ms (5 % of
 * its pixels changed); the renderer's rectangles instead of the box (1.7 % of
 * the canvas a frame instead of 19.6 %) 97 ms; the tighter {@link Bt601} loop
 * 80 ms. The same planes either way, so the same MP4 bytes.
 */
final class Picture implements AutoCloseable {

    private final int width;
    private final int height;
    private final boolean rgb;
    private final Path file;
    private final Bt601 bt601 = new Bt601();
    private final Converted converted = new Converted();
    private AVFrame frame;

    // direct views of the frame's planes; re-made whenever the buffer moves (copy on write)
    private long planeAddress;
    private final ByteBuffer[] planes = new ByteBuffer[3];
    private IntBuffer rgbPlane;

    private int canvasWidth = -1;
    private int canvasHeight = -1;

    // letterbox state, kept while the canvas size does not change
    private SwsContext sws;
    private IntPointer swsSource;
    private IntBuffer swsPixels; // the canvas as last seen, a view of swsSource
    private int boxX;
    private int boxY;
    private int boxWidth;
    private int boxHeight;

    Picture(int width, int height, boolean rgb, Path file) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.file = file;
        frame = av_frame_alloc();
        if (frame == null || frame.isNull()) {
            throw new EncodeException("av_frame_alloc failed for " + file);
        }
        frame.format(rgb ? AV_PIX_FMT_BGR0 : AV_PIX_FMT_YUV420P).width(width).height(height);
        check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer", file);
        mapPlanes();
        fillBlack();
    }

    AVFrame frame() {
        return frame;
    }

    /** See {@link Mp4Writer#update}. */
    void update(int[] argb, int cw, int ch, int... rects) {
        if (argb == null || rects == null) {
            throw new IllegalArgumentException("argb or rects is null");
        }
        if (cw < 0 || ch < 0 || (long) cw * ch > argb.length) {
            throw new IllegalArgumentException("canvas " + cw + "x" + ch + " does not fit " + argb.length
                    + " pixels");
        }
        if (rects.length % 4 != 0) {
            throw new IllegalArgumentException(rects.length + " rectangle numbers: not x, y, w, h each");
        }
        for (int i = 0; i < rects.length; i += 4) {
            if (rects[i + 2] < 0 || rects[i + 3] < 0) {
                throw new IllegalArgumentException("negative rectangle " + rects[i + 2] + "x" + rects[i + 3]);
            }
        }
        boolean direct = VideoSettings.even(cw) == width && VideoSettings.even(ch) == height;
        if (cw != canvasWidth || ch != canvasHeight) {
            resize(argb, cw, ch, direct);
            return;
        }
        boolean writable = false;
        for (int i = 0; i < rects.length; i += 4) {
            int x0 = Math.max(0, rects[i]);
            int y0 = Math.max(0, rects[i + 1]);
            int x1 = (int) Math.min(cw, (long) rects[i] + rects[i + 2]);
            int y1 = (int) Math.min(ch, (long) rects[i + 1] + rects[i + 3]);
            if (x0 >= x1 || y0 >= y1) {
                continue;
            }
            if (!writable) {
                makeWritable();
                writable = true;
            }
            if (!direct) {
                copyRows(argb, cw, x0, y0, x1, y1, swsPixels, cw);
            } else if (rgb) {
                copyRows(argb, cw, x0, y0, x1, y1, rgbPlane, frame.linesize(0) / 4);
            } else {
                convertChanged(argb, cw, ch, x0, y0, x1, y1);
            }
        }
        if (writable && !direct) {
            scale(); // once, however many rectangles came
        }
    }

    /** A new canvas size is drawn whole. */
    private void resize(int[] argb, int cw, int ch, boolean direct) {
        makeWritable();
        canvasWidth = cw;
        canvasHeight = ch;
        fillBlack();
        freeScaler();
        converted.clear();
        if (cw == 0 || ch == 0) {
            return;
        }
        if (!direct) {
            startScaler(cw, ch);
            copyRows(argb, cw, 0, 0, cw, ch, swsPixels, cw);
            scale();
        } else if (rgb) {
            copyRows(argb, cw, 0, 0, cw, ch, rgbPlane, frame.linesize(0) / 4);
        } else {
            convert(argb, cw, ch, 0, 0, VideoSettings.even(cw), VideoSettings.even(ch));
            converted.reset(argb, cw, ch);
        }
    }

    private void makeWritable() {
        // The held repeat picture (or the encoder) may still share this buffer: copy on write. With
        // libx264 it never copies (x264 copies the picture in avcodec_send_frame): 0 of 1501 on busy-1min.
        check(av_frame_make_writable(frame), "av_frame_make_writable", file);
        mapPlanes();
    }

    /**
     * Chroma covers 2x2 blocks: the rectangle is widened to even bounds (padding reads as black), and
     * of each 2-row strip only the spans that differ from what was converted are converted again.
     */
    private void convertChanged(int[] argb, int cw, int ch, int x0, int y0, int x1, int y1) {
        int from = x0 & ~1;
        int to = VideoSettings.even(x1);
        for (int y = y0 & ~1; y < y1; y += 2) {
            for (int x = converted.next(argb, y, from, to); x >= 0; x = converted.next(argb, y, converted.end(), to)) {
                convert(argb, cw, ch, x, y, converted.end(), y + 2);
            }
        }
    }

    private void convert(int[] argb, int cw, int ch, int x0, int y0, int x1, int y1) {
        bt601.convert(argb, cw, ch, x0, y0, x1, y1,
                planes[0], frame.linesize(0), planes[1], frame.linesize(1), planes[2], frame.linesize(2));
    }

    /** Copies [x0, x1) x [y0, y1) of the canvas to the same place in {@code to}, rows {@code stride} apart. */
    private static void copyRows(int[] argb, int cw, int x0, int y0, int x1, int y1, IntBuffer to, int stride) {
        for (int row = y0; row < y1; row++) {
            to.put(row * stride + x0, argb, row * cw + x0, x1 - x0);
        }
    }

    /** Geometry of the box the canvas is scaled into, and a scaler for it. */
    private void startScaler(int cw, int ch) {
        freeScaler();
        // fit: the limiting side fills the output; both box sides even so chroma rows/columns align
        if ((long) cw * height >= (long) ch * width) {
            boxWidth = width;
            boxHeight = (int) Math.max(2, Math.min(height, Math.round((double) ch * width / cw)) & ~1);
        } else {
            boxHeight = height;
            boxWidth = (int) Math.max(2, Math.min(width, Math.round((double) cw * height / ch)) & ~1);
        }
        boxX = ((width - boxWidth) / 2) & ~1;
        boxY = ((height - boxHeight) / 2) & ~1;
        int format = rgb ? AV_PIX_FMT_BGR0 : AV_PIX_FMT_YUV420P;
        // our ints are 0xAARRGGBB, i.e. bytes B,G,R,A in little-endian memory: BGR0 ignores the alpha byte
        sws = sws_getContext(cw, ch, AV_PIX_FMT_BGR0, boxWidth, boxHeight, format, SWS_BICUBIC,
                null, null, (double[]) null);
        if (sws == null || sws.isNull()) {
            throw new EncodeException("sws_getContext failed for " + file + ": cannot scale " + cw + "x" + ch
                    + " to " + boxWidth + "x" + boxHeight);
        }
        swsSource = new IntPointer((long) cw * ch);
        swsPixels = swsSource.asBuffer();
    }

    private void scale() {
        try (PointerPointer<?> src = new PointerPointer<>(1);
             IntPointer srcStride = new IntPointer(1);
             PointerPointer<?> dst = new PointerPointer<>(4);
             IntPointer dstStride = new IntPointer(4)) {
            src.put(0, swsSource);
            srcStride.put(0, canvasWidth * 4);
            int planeCount = rgb ? 1 : 3;
            for (int i = 0; i < planeCount; i++) {
                int shift = i == 0 ? 0 : 1;
                int bytesPerPixel = rgb ? 4 : 1;
                long offset = (long) (boxY >> shift) * frame.linesize(i) + (long) (boxX >> shift) * bytesPerPixel;
                dst.put(i, frame.data(i).position(offset));
                dstStride.put(i, frame.linesize(i));
            }
            int rows = sws_scale(sws, src, srcStride, 0, canvasHeight, dst, dstStride);
            if (rows <= 0) {
                check(rows < 0 ? rows : -1, "sws_scale", file);
            }
        }
    }

    private void fillBlack() {
        if (rgb) {
            Pointer.memset(frame.data(0), 0, (long) frame.linesize(0) * height);
        } else {
            Pointer.memset(frame.data(0), 16, (long) frame.linesize(0) * height);
            Pointer.memset(frame.data(1), 128, (long) frame.linesize(1) * (height / 2));
            Pointer.memset(frame.data(2), 128, (long) frame.linesize(2) * (height / 2));
        }
    }

    private void mapPlanes() {
        long address = frame.data(0).address();
        if (address == planeAddress) {
            return;
        }
        planeAddress = address;
        if (rgb) {
            rgbPlane = view(0, height).asIntBuffer();
        } else {
            planes[0] = view(0, height);
            planes[1] = view(1, height / 2);
            planes[2] = view(2, height / 2);
        }
    }

    private ByteBuffer view(int plane, int rows) {
        BytePointer p = frame.data(plane);
        return p.capacity((long) frame.linesize(plane) * rows).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    private void freeScaler() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        if (swsSource != null) {
            swsSource.close();
            swsSource = null;
            swsPixels = null;
        }
    }

    @Override
    public void close() {
        freeScaler();
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        planes[0] = planes[1] = planes[2] = null;
        rgbPlane = null;
    }
}

package io.videoworker.guac.image;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the image streams of a Guacamole recording ({@code img} + {@code blob}s + {@code end})
 * into premultiplied ARGB, pixel for pixel as Chromium shows them.
 *
 * <ul>
 *   <li>{@code image/png}, {@code image/jpeg}: the JDK's ImageIO readers (PNG is lossless, so
 *       any correct decoder gives the browser's pixels; JPEG may differ by rounding).</li>
 *   <li>{@code image/webp}: FFmpeg's WebP decoder for the bitstream, then libwebp's default
 *       "fancy" chroma upsampling and fixed-point YUV to RGB in Java, which matches libwebp
 *       (and so Chromium) exactly. See {@link WebpYuvConverter}.</li>
 * </ul>
 *
 * <p>Before anything is decoded the dimensions are read from the header and images wider or
 * taller than {@code maxSide} (at most {@value #MAX_SIDE}) or with more than {@code maxPixels}
 * pixels are refused, so a
 * corrupt or hostile stream fails with an {@link ImageFormatException}, never an
 * {@link OutOfMemoryError}. Damaged or truncated data also ends in an ImageFormatException.
 *
 * <p>Like a browser, the decoder is chosen by the content's signature, not by the declared
 * type: a stream declared {@code image/png} that holds a JPEG is decoded as JPEG. The declared
 * type must still be one of the three above.
 *
 * <p>Use one instance per renderer: it keeps native decoder state and scratch buffers between
 * calls. Not thread-safe. Close it to free the native state.
 */
public final class ImageDecoder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);

    /** Longest side accepted by default and at most (WebP's own limit). */
    public static final int MAX_SIDE = 16384;

    /**
     * Most scans a JPEG may have: baseline has 1 (or one per component), libjpeg's progressive
     * default 10; each scan costs a pass over the picture.
     */
    public static final int MAX_JPEG_SCANS = 100;

    /** Default pixel limit: 8192 x 8192 (256 MiB of ARGB). */
    public static final long DEFAULT_MAX_PIXELS = 8192L * 8192L;

    private final long maxPixels;
    private final int maxSide;
    private final ImageIoDecoder imageIo = new ImageIoDecoder();
    private final WebpDecoder webp = new WebpDecoder();
    private boolean closed;

    /** A decoder accepting up to {@link #DEFAULT_MAX_PIXELS} pixels and sides up to {@link #MAX_SIDE}. */
    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    /**
     * @param maxPixels largest {@code width * height} accepted (at most {@code Integer.MAX_VALUE},
     *                  the size of a Java array); sides up to {@link #MAX_SIDE}
     */
    public ImageDecoder(long maxPixels) {
        this(maxPixels, MAX_SIDE);
    }

    /**
     * @param maxPixels largest {@code width * height} accepted (at most {@code Integer.MAX_VALUE})
     * @param maxSide   largest width or height accepted; values above {@link #MAX_SIDE} are
     *                  capped at it
     */
    public ImageDecoder(long maxPixels, int maxSide) {
        if (maxPixels < 1 || maxPixels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxPixels must be 1.." + Integer.MAX_VALUE + ": " + maxPixels);
        }
        if (maxSide < 1) {
            throw new IllegalArgumentException("maxSide must be positive: " + maxSide);
        }
        this.maxPixels = maxPixels;
        this.maxSide = Math.min(maxSide, MAX_SIDE);
    }

    /** The largest number of pixels this decoder accepts. */
    public long maxPixels() {
        return maxPixels;
    }

    /** The largest width or height this decoder accepts. */
    public int maxSide() {
        return maxSide;
    }

    /** Whether {@code mimetype} (parameters and case ignored) is one this decoder handles. */
    public static boolean isSupported(String mimetype) {
        return ImageFormat.forMimetype(mimetype) != null;
    }

    /**
     * Decodes one complete image.
     *
     * @param mimetype the type declared by the {@code img} instruction, e.g. {@code image/webp};
     *                 parameters and case are ignored
     * @param data     the concatenated blob bytes; only the first {@code length} are read
     * @param length   number of valid bytes in {@code data}
     * @return the image, premultiplied ARGB, stride = width
     * @throws ImageFormatException for an unsupported type, data that is not an image of a
     *                              supported type, damaged or truncated data, or an image beyond
     *                              the size limits
     */
    public DecodedImage decode(String mimetype, byte[] data, int length) throws ImageFormatException {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(0, length, data.length);
        if (closed) {
            throw new IllegalStateException("ImageDecoder is closed");
        }
        ImageFormat declared = ImageFormat.forMimetype(mimetype);
        if (declared == null) {
            throw new ImageFormatException("unsupported image type '" + mimetype
                    + "' (supported: image/png, image/jpeg, image/webp)");
        }
        if (length == 0) {
            throw new ImageFormatException(declared.mimetype() + " stream is empty");
        }
        ImageFormat actual = ImageFormat.sniff(data, length);
        if (actual == null) {
            throw new ImageFormatException(declared.mimetype() + " data (" + length
                    + " bytes) has no PNG, JPEG or WebP signature" + (length < 12 ? " (truncated?)" : ""));
        }
        if (actual != declared) {
            LOG.debug("{} stream holds {} data; decoding it as {} like a browser",
                    declared.mimetype(), actual.mimetype(), actual.mimetype());
        }
        ImageHeaders.Size size = ImageHeaders.read(actual, data, length);
        checkLimits(actual, size);
        if (actual == ImageFormat.WEBP) {
            // Refuse cut or inconsistent files here (FFmpeg might half-decode them) and hand
            // FFmpeg exactly the RIFF file, without any trailing bytes.
            int riffLength = ImageHeaders.checkWebpStructure(data, length, size);
            return webp.decode(data, riffLength, size.width(), size.height());
        }
        if (actual == ImageFormat.JPEG) {
            int scans = ImageHeaders.jpegScans(data, length);
            if (scans > MAX_JPEG_SCANS) {
                throw new ImageFormatException("image/jpeg " + size.width() + "x" + size.height() + " has " + scans
                        + " scans, more than the " + MAX_JPEG_SCANS + " accepted (each is a pass over the picture)");
            }
        }
        return imageIo.decode(actual, data, length, size.width(), size.height());
    }

    private void checkLimits(ImageFormat format, ImageHeaders.Size size) throws ImageFormatException {
        int width = size.width();
        int height = size.height();
        if ((long) width * height > maxPixels) {
            throw new ImageFormatException(format.mimetype() + " " + width + "x" + height
                    + " exceeds the " + describeLimit());
        }
        if (width > maxSide || height > maxSide) {
            throw new ImageFormatException(format.mimetype() + " " + width + "x" + height
                    + " exceeds the maximum side of " + maxSide);
        }
    }

    /** "8192x8192 limit" when the pixel limit is a square, else "limit of N pixels". */
    private String describeLimit() {
        long side = Math.round(Math.sqrt((double) maxPixels));
        if (side * side == maxPixels) {
            return side + "x" + side + " limit";
        }
        return "limit of " + maxPixels + " pixels";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            webp.close();
        } finally {
            imageIo.close();
        }
    }
}

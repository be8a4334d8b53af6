package io.videoworker.guac.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * PNG and JPEG through the JDK's ImageIO readers, with the samples taken straight from the
 * raster (no colour conversion: a grey PNG stays grey-equals-sRGB as in the browser, where
 * {@code getRGB} would apply a linear-grey transfer curve) and premultiplied with rounding like
 * Chromium's PNG/JPEG decoders.
 *
 * <p>Conversions: palette entries (with tRNS alpha) are looked up; grey depths below 8 come
 * scaled from ImageIO ({@code v * 255 / (2^depth - 1)}, the same as libpng's expansion); tRNS
 * colour keys on grey/RGB images become an alpha channel (ImageIO does this since JDK 11, except
 * for grey below 8 bits, which is done here); 16-bit
 * samples keep their high byte (libpng's {@code png_set_strip_16}). Gamma/ICC chunks are ignored.
 *
 * <p>One reader per format, created on first use and reused. Not thread-safe.
 */
final class ImageIoDecoder implements AutoCloseable {

    private ImageReader pngReader;
    private ImageReader jpegReader;

    DecodedImage decode(ImageFormat format, byte[] data, int length, int width, int height)
            throws ImageFormatException {
        ImageReader reader = reader(format);
        String what = format.mimetype() + " " + width + "x" + height;
        TruncationListener truncation = new TruncationListener();
        BufferedImage image;
        try (MemoryCacheImageInputStream input =
                     new MemoryCacheImageInputStream(new ByteArrayInputStream(data, 0, length))) {
            reader.addIIOReadWarningListener(truncation);
            reader.setInput(input, true, true);
            image = reader.read(0);
        } catch (IOException | RuntimeException e) {
            discard(format);
            throw new ImageFormatException(what + " could not be decoded: " + describe(e), e);
        } finally {
            if (reader == readerField(format)) {
                reader.setInput(null);
                reader.removeAllIIOReadWarningListeners();
            }
        }
        if (truncation.message != null) {
            throw new ImageFormatException(what + " is truncated: " + truncation.message);
        }
        if (image.getWidth() != width || image.getHeight() != height) {
            throw new ImageFormatException(what + " decoded to " + image.getWidth() + "x" + image.getHeight());
        }
        int[] pixels = toPremultipliedArgb(image);
        if (format == ImageFormat.PNG) {
            applyLowDepthGreyKey(ImageHeaders.pngLowDepthGreyKey(data, length), pixels);
        }
        return new DecodedImage(width, height, pixels);
    }

    /** Makes the pixels of a 1/2/4-bit grey PNG's tRNS level transparent (ImageIO misses them). */
    private static void applyLowDepthGreyKey(int key, int[] pixels) {
        if (key < 0) {
            return;
        }
        int opaqueKey = 0xFF000000 | key * 0x010101;
        for (int i = 0; i < pixels.length; i++) {
            if (pixels[i] == opaqueKey) {
                pixels[i] = 0;
            }
        }
    }

    /** Converts any ImageIO result to premultiplied ARGB, reading the raster directly. */
    static int[] toPremultipliedArgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] out = new int[width * height];
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        if (model instanceof IndexColorModel palette) {
            convertIndexed(raster, palette, out);
        } else if (model instanceof ComponentColorModel && !model.isAlphaPremultiplied()
                && raster.getSampleModel() instanceof ComponentSampleModel
                && (raster.getTransferType() == DataBuffer.TYPE_BYTE
                    || raster.getTransferType() == DataBuffer.TYPE_USHORT)
                && (model.getNumColorComponents() == 1 || model.getNumColorComponents() == 3)
                && isEightBitScale(model)) {
            convertComponents(raster, model.getNumColorComponents(), model.hasAlpha(), out);
        } else {
            // Not produced by the JDK's PNG/JPEG readers; getRGB's colour conversion is the best we have.
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                image.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0; x < width; x++) {
                    int p = row[x];
                    out[y * width + x] = Premultiply.rounded(p >>> 24, p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF);
                }
            }
        }
        return out;
    }

    /** Byte samples must use 8 bits (or ushort 16): lower depths would need rescaling we do not do. */
    private static boolean isEightBitScale(ColorModel model) {
        int expected = model.getTransferType() == DataBuffer.TYPE_BYTE ? 8 : 16;
        for (int bits : model.getComponentSize()) {
            if (bits != expected) {
                return false;
            }
        }
        return true;
    }

    private static void convertIndexed(Raster raster, IndexColorModel palette, int[] out) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        int entries = palette.getMapSize();
        int[] lookup = new int[256];
        int[] straight = new int[entries];
        palette.getRGBs(straight);
        // Indexes past the palette: libpng treats them as black (opaque); keep that.
        java.util.Arrays.fill(lookup, 0xFF000000);
        for (int i = 0; i < Math.min(entries, 256); i++) {
            int p = straight[i];
            lookup[i] = Premultiply.rounded(p >>> 24, p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF);
        }
        DataBuffer buffer = raster.getDataBuffer();
        if (buffer instanceof DataBufferByte bytes && raster.getSampleModel() instanceof ComponentSampleModel sm
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && bytes.getNumBanks() == 1) {
            // 8-bit palette: one index byte per pixel.
            byte[] data = bytes.getData();
            int base = bytes.getOffset() + sm.getBandOffsets()[0];
            int pixelStride = sm.getPixelStride();
            int rowStride = sm.getScanlineStride();
            for (int y = 0; y < height; y++) {
                int in = base + y * rowStride;
                int o = y * width;
                for (int x = 0; x < width; x++, in += pixelStride) {
                    out[o + x] = lookup[data[in] & 0xFF];
                }
            }
            return;
        }
        // 1/2/4-bit packed indexes (MultiPixelPackedSampleModel) or anything else.
        int[] indexes = new int[width];
        for (int y = 0; y < height; y++) {
            raster.getSamples(0, y, width, 1, 0, indexes);
            int o = y * width;
            for (int x = 0; x < width; x++) {
                out[o + x] = lookup[indexes[x] & 0xFF];
            }
        }
    }

    /**
     * Grey, grey+alpha, RGB or RGBA samples in a pixel-interleaved (or banded) byte or ushort
     * raster; bands are in colour-model order: colour components, then alpha.
     */
    private static void convertComponents(Raster raster, int colours, boolean hasAlpha, int[] out) {
        int width = raster.getWidth();
        int height = raster.getHeight();
        ComponentSampleModel sm = (ComponentSampleModel) raster.getSampleModel();
        DataBuffer buffer = raster.getDataBuffer();
        int originX = raster.getMinX() - raster.getSampleModelTranslateX();
        int originY = raster.getMinY() - raster.getSampleModelTranslateY();
        int pixelStride = sm.getPixelStride();
        int rowStride = sm.getScanlineStride();
        int bands = colours + (hasAlpha ? 1 : 0);
        int[] offsets = new int[bands];
        int[] banks = new int[bands];
        for (int b = 0; b < bands; b++) {
            banks[b] = sm.getBankIndices()[b];
            offsets[b] = buffer.getOffsets()[banks[b]] + sm.getBandOffsets()[b]
                    + originY * rowStride + originX * pixelStride;
        }
        if (buffer instanceof DataBufferByte bytes && bytes.getNumBanks() == 1) {
            convertBytes(bytes.getData(), offsets, pixelStride, rowStride, width, height, colours, hasAlpha, out);
            return;
        }
        // Several banks or 16-bit samples: the general (slower) path.
        boolean sixteenBit = buffer instanceof DataBufferUShort;
        byte[][] byteBanks = sixteenBit ? null : ((DataBufferByte) buffer).getBankData();
        short[][] shortBanks = sixteenBit ? ((DataBufferUShort) buffer).getBankData() : null;
        int[] sample = new int[4];
        for (int y = 0; y < height; y++) {
            int rowStart = y * rowStride;
            int o = y * width;
            for (int x = 0; x < width; x++) {
                int at = rowStart + x * pixelStride;
                for (int b = 0; b < bands; b++) {
                    sample[b] = sixteenBit
                            ? (shortBanks[banks[b]][offsets[b] + at] & 0xFFFF) >>> 8 // keep the high byte
                            : byteBanks[banks[b]][offsets[b] + at] & 0xFF;
                }
                int red = sample[0];
                int green = colours == 1 ? red : sample[1];
                int blue = colours == 1 ? red : sample[2];
                int alpha = hasAlpha ? sample[colours] : 255;
                out[o + x] = Premultiply.rounded(alpha, red, green, blue);
            }
        }
    }

    /** 8-bit samples in one array: the layouts ImageIO produces for 8-bit PNGs and JPEGs. */
    private static void convertBytes(byte[] data, int[] offsets, int pixelStride, int rowStride,
                                     int width, int height, int colours, boolean hasAlpha, int[] out) {
        for (int y = 0; y < height; y++) {
            int rowStart = y * rowStride;
            int o = y * width;
            int first = offsets[0] + rowStart;
            if (colours == 3) {
                int green = offsets[1] + rowStart;
                int blue = offsets[2] + rowStart;
                if (!hasAlpha) {
                    for (int x = 0, at = 0; x < width; x++, at += pixelStride) {
                        out[o + x] = 0xFF000000 | (data[first + at] & 0xFF) << 16
                                | (data[green + at] & 0xFF) << 8 | (data[blue + at] & 0xFF);
                    }
                } else {
                    int alpha = offsets[3] + rowStart;
                    for (int x = 0, at = 0; x < width; x++, at += pixelStride) {
                        out[o + x] = Premultiply.rounded(data[alpha + at] & 0xFF, data[first + at] & 0xFF,
                                data[green + at] & 0xFF, data[blue + at] & 0xFF);
                    }
                }
            } else if (!hasAlpha) {
                for (int x = 0, at = 0; x < width; x++, at += pixelStride) {
                    int grey = data[first + at] & 0xFF;
                    out[o + x] = 0xFF000000 | grey << 16 | grey << 8 | grey;
                }
            } else {
                int alpha = offsets[1] + rowStart;
                for (int x = 0, at = 0; x < width; x++, at += pixelStride) {
                    int grey = data[first + at] & 0xFF;
                    out[o + x] = Premultiply.rounded(data[alpha + at] & 0xFF, grey, grey, grey);
                }
            }
        }
    }

    private ImageReader reader(ImageFormat format) throws ImageFormatException {
        ImageReader reader = readerField(format);
        if (reader == null) {
            String name = format == ImageFormat.PNG ? "png" : "jpeg";
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(name);
            if (!readers.hasNext()) {
                throw new ImageFormatException(format.mimetype() + ": no ImageIO reader available");
            }
            reader = readers.next();
            // Prefer the JDK's own reader over plugins that may sit on the class path.
            while (!reader.getClass().getName().startsWith("com.sun.imageio.") && readers.hasNext()) {
                ImageReader next = readers.next();
                if (next.getClass().getName().startsWith("com.sun.imageio.")) {
                    reader.dispose();
                    reader = next;
                } else {
                    next.dispose();
                }
            }
            if (format == ImageFormat.PNG) {
                pngReader = reader;
            } else {
                jpegReader = reader;
            }
        }
        return reader;
    }

    private ImageReader readerField(ImageFormat format) {
        return format == ImageFormat.PNG ? pngReader : jpegReader;
    }

    /** After a failure the reader's state is unknown: drop it, a fresh one is made next time. */
    private void discard(ImageFormat format) {
        ImageReader reader = readerField(format);
        if (reader != null) {
            reader.dispose();
        }
        if (format == ImageFormat.PNG) {
            pngReader = null;
        } else {
            jpegReader = null;
        }
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 300; t = t.getCause()) {
            if (!text.isEmpty()) {
                text.append(": ");
            }
            text.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t.getCause() == t) {
                break;
            }
        }
        return text.toString();
    }

    /**
     * libjpeg reports a cut-off JPEG only as a warning and fills the rest with grey; refuse it
     * like any truncated image.
     */
    private static final class TruncationListener implements javax.imageio.event.IIOReadWarningListener {
        String message;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            if (message == null && warning != null
                    && warning.toLowerCase(java.util.Locale.ROOT).contains("premature end")) {
                message = warning;
            }
        }
    }

    @Override
    public void close() {
        if (pngReader != null) {
            pngReader.dispose();
            pngReader = null;
        }
        if (jpegReader != null) {
            jpegReader.dispose();
            jpegReader = null;
        }
    }
}

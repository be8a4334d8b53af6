package io.videoworker.guac.image;

/**
 * Reads the pixel dimensions an image declares in its first bytes, without decoding it, so that
 * oversized or damaged images are refused before any pixel memory is allocated.
 */
final class ImageHeaders {

    /** Width and height as declared by the image header. */
    record Size(int width, int height) {
    }

    private ImageHeaders() {
    }

    static Size read(ImageFormat format, byte[] data, int length) throws ImageFormatException {
        return switch (format) {
            case PNG -> png(data, length);
            case JPEG -> jpeg(data, length);
            case WEBP -> webp(data, length);
        };
    }

    // ---------------------------------------------------------------- PNG

    /** Signature (8 bytes), then the IHDR chunk: length, "IHDR", width, height (big-endian). */
    static Size png(byte[] data, int length) throws ImageFormatException {
        if (length < 8 + 8 + 8) {
            throw new ImageFormatException("image/png truncated: " + length + " bytes, no complete IHDR");
        }
        if (!isFourcc(data, 12, "IHDR") || bigEndian32(data, 8) != 13) {
            throw new ImageFormatException("image/png has no IHDR chunk after the signature");
        }
        long width = bigEndian32(data, 16);
        long height = bigEndian32(data, 20);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageFormatException("image/png declares invalid dimensions " + width + "x" + height);
        }
        return new Size((int) width, (int) height);
    }

    /**
     * For a grey PNG of depth 1, 2 or 4 with a tRNS chunk: the transparent grey level scaled to
     * 8 bits ({@code v * 255 / (2^depth - 1)}, as the samples are expanded); otherwise -1.
     * ImageIO does not apply such keys itself (it compares the unscaled key with scaled samples).
     */
    static int pngLowDepthGreyKey(byte[] data, int length) {
        if (length < 33 || !isFourcc(data, 12, "IHDR")) {
            return -1;
        }
        int depth = data[24] & 0xFF;
        int colourType = data[25] & 0xFF;
        if (colourType != 0 || depth >= 8 || depth == 0) {
            return -1;
        }
        // Chunks: length (4), type (4), payload, CRC (4). tRNS must precede the first IDAT.
        long pos = 8;
        while (pos + 8 <= length) {
            int at = (int) pos;
            long size = bigEndian32(data, at);
            if (isFourcc(data, at + 4, "IDAT") || isFourcc(data, at + 4, "IEND")) {
                return -1;
            }
            if (isFourcc(data, at + 4, "tRNS")) {
                if (size < 2 || at + 10 > length) {
                    return -1;
                }
                int maximum = (1 << depth) - 1;
                int key = bigEndian16(data, at + 8) & maximum; // libpng keeps only the low bits too
                return key * 255 / maximum;
            }
            pos += 12 + size;
        }
        return -1;
    }

    // ---------------------------------------------------------------- JPEG

    /**
     * Walks the marker segments after SOI up to the first start-of-frame marker (SOF0..SOF15
     * except DHT C4, JPG C8 and DAC CC), whose payload is precision, height, width.
     */
    static Size jpeg(byte[] data, int length) throws ImageFormatException {
        if (length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
            throw new ImageFormatException("image/jpeg does not start with an SOI marker");
        }
        int pos = 2;
        while (true) {
            // A marker is 0xFF (possibly repeated as fill) followed by a non-0xFF, non-zero code.
            if (pos >= length || (data[pos] & 0xFF) != 0xFF) {
                throw pos >= length
                        ? new ImageFormatException("image/jpeg truncated before its frame header (SOF)")
                        : new ImageFormatException("image/jpeg has garbage instead of a marker at byte " + pos);
            }
            while (pos < length && (data[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= length) {
                throw new ImageFormatException("image/jpeg truncated before its frame header (SOF)");
            }
            int marker = data[pos++] & 0xFF;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // TEM and RSTn carry no length
            }
            if (marker == 0xD9 || marker == 0xDA || marker == 0xD8 || marker == 0x00) {
                throw new ImageFormatException(String.format(
                        "image/jpeg has no frame header (SOF) before marker 0x%02X", marker));
            }
            if (pos + 2 > length) {
                throw new ImageFormatException("image/jpeg truncated before its frame header (SOF)");
            }
            int segmentLength = bigEndian16(data, pos);
            if (segmentLength < 2) {
                throw new ImageFormatException(String.format(
                        "image/jpeg marker 0x%02X has an invalid length %d", marker, segmentLength));
            }
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF
                    && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (segmentLength < 8 || pos + 7 > length) {
                    throw new ImageFormatException("image/jpeg truncated inside its frame header (SOF)");
                }
                int height = bigEndian16(data, pos + 3);
                int width = bigEndian16(data, pos + 5);
                if (width == 0 || height == 0) {
                    throw new ImageFormatException("image/jpeg declares invalid dimensions "
                            + width + "x" + height);
                }
                return new Size(width, height);
            }
            pos += segmentLength;
        }
    }

    /**
     * How many scans (SOS markers) a JPEG holds. Each scan of a progressive JPEG is a pass over
     * the whole picture, so a few hundred KiB of repeated scans cost minutes. Counted over all
     * bytes: entropy-coded data never holds FF DA (FF is stuffed), and an embedded thumbnail only
     * adds its own few.
     */
    static int jpegScans(byte[] data, int length) {
        int scans = 0;
        for (int i = 0; i + 1 < length; i++) {
            if (data[i] == (byte) 0xFF && data[i + 1] == (byte) 0xDA) {
                scans++;
            }
        }
        return scans;
    }

    // ---------------------------------------------------------------- WebP

    private static final int VP8X_ANIMATION = 0x02;

    /**
     * The size a WebP declares in its first chunk: "VP8 " and "VP8L" carry the image size,
     * "VP8X" the canvas size. Only the first 30 bytes are read; {@link #checkWebpStructure}
     * validates the rest once the size has passed the limits.
     */
    static Size webp(byte[] data, int length) throws ImageFormatException {
        if (length < 12 || !isFourcc(data, 0, "RIFF") || !isFourcc(data, 8, "WEBP")) {
            throw new ImageFormatException(length < 12
                    ? "image/webp truncated: " + length + " bytes, no complete RIFF header"
                    : "image/webp does not start with a RIFF/WEBP header");
        }
        if (length < 20) {
            throw new ImageFormatException("image/webp truncated: " + length + " bytes, no image chunk");
        }
        int p = 20;
        if (isFourcc(data, 12, "VP8 ")) {
            if (length < p + 10) {
                throw new ImageFormatException("image/webp truncated inside the VP8 frame header");
            }
            // Frame tag (3 bytes: key frame bit, version, show bit, first partition size),
            // start code 9D 01 2A, then 14-bit width and height, each with 2 scaling bits.
            boolean keyFrame = (data[p] & 1) == 0;
            if (!keyFrame || (data[p + 3] & 0xFF) != 0x9D || (data[p + 4] & 0xFF) != 0x01
                    || (data[p + 5] & 0xFF) != 0x2A) {
                throw new ImageFormatException("image/webp VP8 chunk is not a VP8 key frame");
            }
            return positive(littleEndian16(data, p + 6) & 0x3FFF, littleEndian16(data, p + 8) & 0x3FFF);
        }
        if (isFourcc(data, 12, "VP8L")) {
            // Signature 0x2F, then 14 bits width-1, 14 bits height-1, alpha bit, 3-bit version.
            if (length < p + 5) {
                throw new ImageFormatException("image/webp truncated inside the VP8L header");
            }
            if ((data[p] & 0xFF) != 0x2F) {
                throw new ImageFormatException("image/webp VP8L chunk has no lossless signature");
            }
            long bits = littleEndian32(data, p + 1);
            if ((bits >>> 29) != 0) {
                throw new ImageFormatException("image/webp VP8L version " + (bits >>> 29) + " is unknown");
            }
            return new Size((int) (bits & 0x3FFF) + 1, (int) ((bits >>> 14) & 0x3FFF) + 1);
        }
        if (isFourcc(data, 12, "VP8X")) {
            // Flags (1 byte), 3 reserved bytes, canvas width-1 and height-1 (24 bits each).
            if (length < p + 10) {
                throw new ImageFormatException("image/webp truncated inside the VP8X header");
            }
            return new Size(littleEndian24(data, p + 4) + 1, littleEndian24(data, p + 7) + 1);
        }
        throw new ImageFormatException("image/webp starts with an unexpected chunk '"
                + new String(data, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1) + "'");
    }

    /**
     * Checks that the RIFF payload and the image chunk are complete and consistent, so truncated
     * or inconsistent files are refused here with a clear message rather than half-decoded.
     * {@code size} is what {@link #webp} returned.
     *
     * @return the length of the RIFF file; bytes after it are not part of the image
     */
    static int checkWebpStructure(byte[] data, int length, Size size) throws ImageFormatException {
        String what = "image/webp " + size.width() + "x" + size.height();
        long riffEnd = 8 + littleEndian32(data, 4);
        if (riffEnd > length) {
            throw new ImageFormatException(what + " truncated: the RIFF header declares "
                    + riffEnd + " bytes, only " + length + " present");
        }
        int end = (int) riffEnd;
        Chunk first = chunk(data, 12, end, what);
        if (first.is("VP8 ") || first.is("VP8L")) {
            checkImageChunk(data, first, size, what);
            return end;
        }
        // VP8X: flags first; the image chunk follows optional ICCP / ALPH / other chunks.
        if (first.size < 10) {
            throw new ImageFormatException(what + " has a VP8X chunk of only " + first.size + " bytes");
        }
        if ((data[first.payload] & VP8X_ANIMATION) != 0) {
            throw new ImageFormatException(what + " is animated, which is not supported");
        }
        int pos = first.next;
        while (true) {
            if (pos + 8 > end) {
                throw new ImageFormatException(what + " has no VP8/VP8L image chunk (truncated?)");
            }
            Chunk chunk = chunk(data, pos, end, what);
            if (chunk.is("VP8 ") || chunk.is("VP8L")) {
                checkImageChunk(data, chunk, size, what);
                return end;
            }
            if (chunk.is("ANMF") || chunk.is("ANIM")) {
                throw new ImageFormatException(what + " is animated, which is not supported");
            }
            pos = chunk.next;
        }
    }

    /** A RIFF chunk: payload offset and size, offset of the next chunk (sizes are padded to even). */
    private record Chunk(String name, int payload, int size, int next) {
        boolean is(String fourcc) {
            return name.equals(fourcc);
        }
    }

    private static Chunk chunk(byte[] data, int pos, int end, String what) throws ImageFormatException {
        if (pos + 8 > end) {
            throw new ImageFormatException(what + " truncated inside a chunk header at byte " + pos);
        }
        String name = new String(data, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        long size = littleEndian32(data, pos + 4);
        long payloadEnd = pos + 8L + size;
        if (payloadEnd > end) {
            throw new ImageFormatException(what + " truncated: chunk '" + name + "' declares "
                    + size + " bytes, only " + (end - pos - 8) + " present");
        }
        long next = Math.min(payloadEnd + (size & 1), end);
        return new Chunk(name, pos + 8, (int) size, (int) next);
    }

    /** The image chunk must describe the declared size and hold its first VP8 partition. */
    private static void checkImageChunk(byte[] data, Chunk chunk, Size declared, String what)
            throws ImageFormatException {
        int p = chunk.payload;
        Size image;
        if (chunk.is("VP8 ")) {
            if (chunk.size < 10) {
                throw new ImageFormatException(what + " has a VP8 chunk of only " + chunk.size + " bytes");
            }
            int tag = (data[p] & 0xFF) | (data[p + 1] & 0xFF) << 8 | (data[p + 2] & 0xFF) << 16;
            if ((tag & 1) != 0 || (data[p + 3] & 0xFF) != 0x9D || (data[p + 4] & 0xFF) != 0x01
                    || (data[p + 5] & 0xFF) != 0x2A) {
                throw new ImageFormatException(what + ": VP8 chunk is not a VP8 key frame");
            }
            int firstPartitionSize = tag >>> 5;
            if (firstPartitionSize > chunk.size - 10) {
                throw new ImageFormatException(what + " truncated: VP8 first partition of "
                        + firstPartitionSize + " bytes, only " + (chunk.size - 10) + " present");
            }
            image = new Size(littleEndian16(data, p + 6) & 0x3FFF, littleEndian16(data, p + 8) & 0x3FFF);
        } else {
            if (chunk.size < 5 || (data[p] & 0xFF) != 0x2F) {
                throw new ImageFormatException(what + ": VP8L chunk has no lossless signature");
            }
            long bits = littleEndian32(data, p + 1);
            image = new Size((int) (bits & 0x3FFF) + 1, (int) ((bits >>> 14) & 0x3FFF) + 1);
        }
        if (!image.equals(declared)) {
            throw new ImageFormatException(what + " canvas holds an image of " + image.width() + "x"
                    + image.height());
        }
    }

    private static Size positive(int width, int height) throws ImageFormatException {
        if (width == 0 || height == 0) {
            throw new ImageFormatException("image/webp declares invalid dimensions " + width + "x" + height);
        }
        return new Size(width, height);
    }

    // ---------------------------------------------------------------- byte helpers

    private static boolean isFourcc(byte[] data, int pos, String fourcc) {
        for (int i = 0; i < 4; i++) {
            if (data[pos + i] != fourcc.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long bigEndian32(byte[] d, int p) {
        return ((long) (d[p] & 0xFF) << 24) | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | (d[p + 3] & 0xFF);
    }

    private static int bigEndian16(byte[] d, int p) {
        return (d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF);
    }

    private static long littleEndian32(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 | (d[p + 2] & 0xFF) << 16 | ((long) (d[p + 3] & 0xFF) << 24);
    }

    private static int littleEndian24(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 | (d[p + 2] & 0xFF) << 16;
    }

    private static int littleEndian16(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8;
    }
}

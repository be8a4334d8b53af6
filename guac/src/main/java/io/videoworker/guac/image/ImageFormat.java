package io.videoworker.guac.image;

import java.util.Locale;

/** The image formats a Guacamole {@code img} stream may carry and this package decodes. */
enum ImageFormat {
    PNG("image/png"),
    JPEG("image/jpeg"),
    WEBP("image/webp");

    private final String mimetype;

    ImageFormat(String mimetype) {
        this.mimetype = mimetype;
    }

    /** The canonical mimetype, e.g. {@code image/png}. */
    String mimetype() {
        return mimetype;
    }

    /**
     * The format named by a mimetype: parameters ({@code ;charset=...}) are ignored and the
     * comparison is case-insensitive. Returns null for any other type.
     */
    static ImageFormat forMimetype(String mimetype) {
        if (mimetype == null) {
            return null;
        }
        int semicolon = mimetype.indexOf(';');
        String bare = (semicolon >= 0 ? mimetype.substring(0, semicolon) : mimetype)
                .trim().toLowerCase(Locale.ROOT);
        for (ImageFormat format : values()) {
            if (format.mimetype.equals(bare)) {
                return format;
            }
        }
        return null;
    }

    /**
     * The format the bytes themselves announce by their signature, or null. Browsers choose the
     * decoder this way, whatever type the stream declared.
     */
    static ImageFormat sniff(byte[] data, int length) {
        if (length >= 8
                && (data[0] & 0xFF) == 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G'
                && data[4] == '\r' && data[5] == '\n' && data[6] == 0x1A && data[7] == '\n') {
            return PNG;
        }
        if (length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8
                && (data[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (length >= 12 && data[0] == 'R' && data[1] == 'I' && data[2] == 'F' && data[3] == 'F'
                && data[8] == 'W' && data[9] == 'E' && data[10] == 'B' && data[11] == 'P') {
            return WEBP;
        }
        return null;
    }
}

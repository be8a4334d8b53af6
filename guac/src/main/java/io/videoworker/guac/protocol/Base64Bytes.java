package io.videoworker.guac.protocol;

import java.util.Arrays;

/** Decodes base64 straight from an instruction's bytes into a growable buffer, without Strings. */
public final class Base64Bytes {
    private static final byte[] VALUE = new byte[256];

    static {
        Arrays.fill(VALUE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUE[alphabet.charAt(i)] = (byte) i;
        }
        VALUE['-'] = 62; // tolerate the URL-safe alphabet
        VALUE['_'] = 63;
    }

    private byte[] data = new byte[8192];
    private int size;

    public byte[] data() {
        return data;
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /** Removes the first n bytes, keeping the rest at the start. */
    public void dropFirst(int n) {
        System.arraycopy(data, n, data, 0, size - n);
        size -= n;
    }

    /** Frees a large buffer once its stream is done. */
    public void release() {
        size = 0;
        if (data.length > (1 << 20)) {
            data = new byte[8192];
        }
    }

    /**
     * Appends the decoded bytes of src[from, to). Returns false (appending nothing) if the text is
     * not base64 or the total would pass {@code limit}.
     */
    public boolean append(byte[] src, int from, int to, int limit) {
        int max = size + (to - from) / 4 * 3 + 3;
        if ((long) size + (to - from) / 4L * 3 > limit) {
            return false;
        }
        if (max > data.length) {
            data = Arrays.copyOf(data, Math.max(max, Math.min(limit + 3, data.length * 2)));
        }
        int acc = 0;
        int bits = 0;
        int w = size;
        for (int i = from; i < to; i++) {
            int c = src[i] & 0xFF;
            if (c == '=') {
                break;
            }
            int v = VALUE[c];
            if (v < 0) {
                if (c == '\n' || c == '\r' || c == ' ') {
                    continue;
                }
                return false;
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                data[w++] = (byte) (acc >> bits);
            }
        }
        size = w;
        return true;
    }
}

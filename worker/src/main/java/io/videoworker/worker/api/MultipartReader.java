package io.videoworker.worker.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams the parts of a {@code multipart/form-data} body one after another without holding
 * them: recordings of several GB go straight to disk. Written for speed (a big buffer and a scan
 * for the delimiter's first byte), since uploads should run near disk speed; general-purpose
 * parsers read too little at a time for that.
 */
final class MultipartReader {
    /** One part; read {@link #body()} to its end (or call next()) before the next part. */
    record Part(String name, String filename, InputStream body) {
        boolean isFile() {
            return filename != null;
        }
    }

    /** The body is not well-formed multipart (the client's fault, not ours). */
    static final class MalformedException extends IOException {
        MalformedException(String message) {
            super(message);
        }
    }

    private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))", Pattern.CASE_INSENSITIVE);
    private static final Pattern DISPOSITION_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final int MAX_HEADER = 16 << 10;

    private final InputStream in;
    private final byte[] delimiter; // CRLF "--" boundary
    private final int[] skip = new int[256]; // Horspool shifts for the delimiter
    private final byte[] buf;
    private int pos;
    private int lim;
    private boolean done;
    private PartStream current;

    MultipartReader(InputStream in, String contentType) throws IOException {
        this(in, contentType, -1);
    }

    /** @param length the body's Content-Length, or -1: a small body needs no 256 KiB buffer */
    MultipartReader(InputStream in, String contentType, long length) throws IOException {
        buf = new byte[length < 0 ? 1 << 18 : (int) Math.max(8 << 10, Math.min(1 << 18, length + 2))];
        Matcher m = BOUNDARY.matcher(contentType == null ? "" : contentType);
        if (!m.find()) {
            throw new MalformedException("multipart/form-data without a boundary");
        }
        String boundary = m.group(1) != null ? m.group(1) : m.group(2);
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        java.util.Arrays.fill(skip, delimiter.length);
        for (int k = 0; k < delimiter.length - 1; k++) {
            skip[delimiter[k] & 0xFF] = delimiter.length - 1 - k;
        }
        // the first delimiter may come without its CRLF: pretend one was there
        System.arraycopy(new byte[] {'\r', '\n'}, 0, buf, 0, 2);
        lim = 2;
    }

    /** The next part, or null after the closing delimiter. */
    Part next() throws IOException {
        if (done) {
            return null;
        }
        if (current != null) {
            current.skipRest();
        } else {
            skipToDelimiter();
        }
        // after a delimiter: "--" ends the body, CRLF starts a part
        if (!fill(2)) {
            throw new MalformedException("multipart body ends without its closing delimiter");
        }
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            done = true;
            return null;
        }
        String name = null;
        String filename = null;
        String line;
        int headerBytes = 0;
        skipLine();
        while (!(line = readLine()).isEmpty()) {
            headerBytes += line.length();
            if (headerBytes > MAX_HEADER) {
                throw new MalformedException("multipart part headers are too long");
            }
            if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                Matcher p = DISPOSITION_PARAM.matcher(line);
                while (p.find()) {
                    if (p.group(1).equalsIgnoreCase("name")) {
                        name = p.group(2);
                    } else if (p.group(1).equalsIgnoreCase("filename")) {
                        filename = p.group(2);
                    }
                }
            }
        }
        current = new PartStream();
        return new Part(name, filename, current);
    }

    private void skipToDelimiter() throws IOException {
        PartStream preamble = new PartStream();
        preamble.skipRest();
    }

    /** Ensures n bytes are buffered at pos; false at the end of input. */
    private boolean fill(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
        pos = 0;
        while (lim < n) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                return false;
            }
            lim += r;
        }
        return true;
    }

    private void skipLine() throws IOException {
        readLine();
    }

    /** One header line without its CRLF, as UTF-8: browsers and Go send file names that way, unencoded. */
    private String readLine() throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(128);
        while (true) {
            if (!fill(1)) {
                throw new MalformedException("multipart body ends inside a part header");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            if (line.size() > MAX_HEADER) {
                throw new MalformedException("multipart part header line too long");
            }
            line.write(b);
        }
    }

    /** A part's bytes up to the next delimiter. */
    private final class PartStream extends InputStream implements ReadableByteChannel {
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] out, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = Math.min(len, readable());
            if (n > 0) {
                System.arraycopy(buf, pos, out, off, n);
                pos += n;
            }
            return n;
        }

        /** Straight into a (direct) buffer: the spool writes it to disk without another copy. */
        @Override
        public int read(ByteBuffer out) throws IOException {
            if (!out.hasRemaining()) {
                return 0;
            }
            int n = Math.min(out.remaining(), readable());
            if (n > 0) {
                out.put(buf, pos, n);
                pos += n;
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return !ended;
        }

        /** Bytes of this part buffered at pos (more are read if none are), or -1 at its end. */
        private int readable() throws IOException {
            while (true) {
                if (ended) {
                    return -1;
                }
                if (!fill(delimiter.length)) {
                    throw new MalformedException("multipart body ends inside a part");
                }
                // Boyer-Moore-Horspool: a miss skips up to the delimiter's length (40+ bytes for curl, Go)
                int dl = delimiter.length;
                int i = pos;
                boolean found = false;
                while (i + dl <= lim) {
                    int k = dl - 1;
                    while (k >= 0 && buf[i + k] == delimiter[k]) {
                        k--;
                    }
                    if (k < 0) {
                        found = true;
                        break;
                    }
                    i += skip[buf[i + dl - 1] & 0xFF];
                }
                int stop = found ? i : Math.min(i, lim - dl + 1); // no delimiter starts before this
                if (stop > pos) {
                    return stop - pos;
                }
                if (found) {
                    pos += delimiter.length; // at the delimiter: this part is over
                    ended = true;
                    return -1;
                }
                // the tail might be a delimiter cut by the buffer's end: read more first
                if (!fill(lim - pos + 1)) {
                    throw new MalformedException("multipart body ends inside a part");
                }
            }
        }

        void skipRest() throws IOException {
            byte[] sink = new byte[1 << 16];
            while (read(sink, 0, sink.length) >= 0) {
                // discard
            }
        }
    }
}

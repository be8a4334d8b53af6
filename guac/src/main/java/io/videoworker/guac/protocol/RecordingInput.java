package io.videoworker.guac.protocol;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a recording, raw or gzip (sniffed from the magic bytes, never from the name); gzip may be
 * several members, and is read past damaged ones ({@link GzipMembers}).
 */
public final class RecordingInput {
    /** Past 256 MiB, more than this many uncompressed bytes per compressed byte is refused. */
    public static final double MAX_EXPANSION = 200;

    private RecordingInput() {
    }

    public static GuacReader open(Path file) throws IOException {
        return open(Files.newInputStream(file), file.getFileName().toString());
    }

    public static GuacReader open(InputStream raw, String name) throws IOException {
        Counting counted = new Counting(raw);
        BufferedInputStream in = new BufferedInputStream(counted, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1F && b1 == 0x8B) {
            GzipMembers gz = new GzipMembers(in, name); // reads the header: refused if damaged
            return new GuacReader(gz, name).limitExpansion(counted::count, MAX_EXPANSION);
        }
        return new GuacReader(in, name);
    }

    private static final class Counting extends FilterInputStream {
        private long count;

        Counting(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}

package io.videoworker.worker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartReaderTest {
    static byte[] body(String boundary, byte[] file, boolean preamble) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (preamble) {
            out.write("ignored preamble\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"session_id\"\r\n\r\nabc\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.part.gz\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(file);
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Hands out 1 to 13 bytes per read, to split delimiters at every possible place. */
    static final class Trickle extends FilterInputStream {
        final Random r = new Random(7);

        Trickle(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + r.nextInt(13)));
        }
    }

    @Test
    void partsComeOutExactlyEvenWithDelimiterLookalikesAndSplitReads() throws Exception {
        String boundary = "8d1f0c2b";
        Random r = new Random(42);
        byte[] file = new byte[600_000];
        r.nextBytes(file);
        byte[] lookalike = ("\r\n--" + boundary.substring(0, 6)).getBytes(StandardCharsets.US_ASCII);
        for (int at = 1000; at < file.length - 20; at += 49_999) {
            System.arraycopy(lookalike, 0, file, at, lookalike.length); // almost a delimiter
        }
        for (int run = 0; run < 4; run++) {
            boolean trickle = (run & 1) == 1;
            boolean channel = run >= 2; // how the spool reads a part: into direct buffers
            InputStream in = new ByteArrayInputStream(body(boundary, file, trickle));
            MultipartReader m = new MultipartReader(trickle ? new Trickle(in) : in, "multipart/form-data; boundary=" + boundary);
            MultipartReader.Part field = m.next();
            assertThat(field.name()).isEqualTo("session_id");
            assertThat(field.isFile()).isFalse();
            assertThat(new String(field.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("abc");
            MultipartReader.Part f = m.next();
            assertThat(f.filename()).isEqualTo("x.part.gz");
            assertThat(channel ? readByChannel(f.body()) : f.body().readAllBytes()).isEqualTo(file);
            assertThat(m.next()).isNull();
        }
    }

    static byte[] readByChannel(InputStream body) throws IOException {
        ReadableByteChannel ch = (ReadableByteChannel) body;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocateDirect(4096 + 3);
        while (ch.read(b) >= 0) {
            b.flip();
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.write(a);
            b.clear();
        }
        return out.toByteArray();
    }

    @Test
    void buffersSizedByContentLengthParseSmallBodiesEvenWhenTheLengthIsWrong() throws Exception {
        String boundary = "8d1f0c2b";
        byte[] lookalike = ("\r\n--" + boundary.substring(0, 7)).getBytes(StandardCharsets.US_ASCII);
        for (int size : new int[] {50, 9_000, 20_000}) {
            byte[] file = new byte[size];
            new Random(size).nextBytes(file);
            System.arraycopy(lookalike, 0, file, size / 2, lookalike.length);
            byte[] b = body(boundary, file, false);
            for (long declared : new long[] {b.length, 10}) { // a client may lie: the length only sizes the buffer
                MultipartReader m = new MultipartReader(new Trickle(new ByteArrayInputStream(b)),
                        "multipart/form-data; boundary=" + boundary, declared);
                m.next();
                assertThat(m.next().body().readAllBytes()).as(size + " bytes, declared " + declared).isEqualTo(file);
                assertThat(m.next()).isNull();
            }
        }
    }

    @Test
    void unreadPartsAreSkippedAndQuotedBoundariesWork() throws Exception {
        byte[] file = "hello\r\nworld".getBytes(StandardCharsets.US_ASCII);
        MultipartReader m = new MultipartReader(new ByteArrayInputStream(body("a b", file, false)),
                "multipart/form-data; boundary=\"a b\"");
        m.next(); // not read
        assertThat(m.next().body().readAllBytes()).isEqualTo(file);
    }

    @Test
    void truncatedOrBoundarylessBodiesAreMalformed() throws Exception {
        byte[] b = body("zz", new byte[1000], false);
        MultipartReader m = new MultipartReader(new ByteArrayInputStream(b, 0, b.length - 40), "multipart/form-data; boundary=zz");
        m.next();
        InputStream file = m.next().body();
        assertThatThrownBy(file::readAllBytes).isInstanceOf(MultipartReader.MalformedException.class);
        assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream(b), "multipart/form-data"))
                .hasMessageContaining("boundary");
    }
}

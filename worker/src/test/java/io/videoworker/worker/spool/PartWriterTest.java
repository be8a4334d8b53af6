package io.videoworker.worker.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.worker.TestRecordings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's writer: exact bytes and hash through its read/hash/write pipeline, nothing kept on failure. */
class PartWriterTest {
    @TempDir
    Path dir;

    final PartWriter writer = new PartWriter(0);

    static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void aBodyPastAnEarlyWriteBackArrivesExactly() throws Exception {
        byte[] data = random((70 << 20) + 12_345); // past an early write-back, ending in a partial chunk
        String sha = TestRecordings.sha256(data);
        PartWriter.Received r = writer.write(new ByteArrayInputStream(data), dir.resolve("p.part.gz"), data.length, sha);
        assertThat(r.bytes()).isEqualTo(data.length);
        assertThat(r.sha256()).isEqualTo(sha);
        assertThat(Files.readAllBytes(dir.resolve("p.part.gz"))).isEqualTo(data);
        assertThat(dir.toFile().list()).containsExactly("p.part.gz");
    }

    @Test
    void aWrongChecksumOrABrokenBodyLeavesNothing() throws Exception {
        byte[] data = random(3 << 20);
        assertThatThrownBy(() -> writer.write(new ByteArrayInputStream(data), dir.resolve("a.part.gz"), -1, "0".repeat(64)))
                .isInstanceOf(PartWriter.ChecksumException.class).hasMessageContaining("received " + data.length + " bytes");
        InputStream broken = new InputStream() {
            int left = 2 << 20;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw new IOException("connection reset by peer");
                }
                int n = Math.min(len, left);
                left -= n;
                return n;
            }
        };
        assertThatThrownBy(() -> writer.write(broken, dir.resolve("b.part.gz"), -1, null)).hasMessageContaining("reset");
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void anEmptyBodyIsAnEmptyFile() throws Exception {
        PartWriter.Received r = writer.write(InputStream.nullInputStream(), dir.resolve("e.part.gz"), 0, null);
        assertThat(r.bytes()).isZero();
        assertThat(r.sha256()).isEqualTo(TestRecordings.sha256(new byte[0]));
        assertThat(Files.size(dir.resolve("e.part.gz"))).isZero();
    }

    @Test
    void aCommitNeverReplacesAFileAlreadyThereAndEachAttemptWritesItsOwnFile() throws Exception {
        byte[] first = random(70_000);
        byte[] second = random(80_000);
        Path target = dir.resolve("r.part.gz");
        try (PartWriter.Pending a = writer.receive(new ByteArrayInputStream(first), target, first.length, null);
                PartWriter.Pending b = writer.receive(new ByteArrayInputStream(second), target, second.length, null)) {
            assertThat(dir.toFile().list()).hasSize(2).allMatch(n -> n.startsWith(".r.part.gz.") && n.endsWith(".uploading"));
            a.commit();
            assertThatThrownBy(b::commit).isInstanceOf(PartWriter.AlreadyThereException.class)
                    .hasMessage("r.part.gz is already in the spool; it is never replaced");
        }
        assertThat(Files.readAllBytes(target)).isEqualTo(first);
        assertThat(dir.toFile().list()).containsExactly("r.part.gz");
    }
}

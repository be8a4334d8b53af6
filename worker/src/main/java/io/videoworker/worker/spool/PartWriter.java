package io.videoworker.worker.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Streams one received file into the spool: a hidden temporary file, SHA-256 on the way, fsync,
 * then an atomic rename to its name. Refuses to fill the disk past a reserve. Nothing is ever
 * visible under the final name unless it is complete and synced.
 */
public final class PartWriter {
    /** The disk would keep less than the reserve; nothing was kept. */
    public static final class DiskFullException extends IOException {
        public DiskFullException(String message) {
            super(message);
        }
    }

    /** The bytes do not hash to the announced checksum; nothing was kept. */
    public static final class ChecksumException extends IOException {
        public ChecksumException(String message) {
            super(message);
        }
    }

    /** What arrived. */
    public record Received(Path file, long bytes, String sha256) {
    }

    private static final CompletableFuture<?> DONE = CompletableFuture.completedFuture(null);
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "upload-io");
        t.setDaemon(true);
        return t;
    });

    private final long reserveBytes;
    private final UploadBuffers buffers = new UploadBuffers(Runtime.getRuntime().maxMemory() / 4);

    public PartWriter(long reserveBytes) {
        this.reserveBytes = reserveBytes;
    }

    /**
     * @param expectedBytes  the size announced by the sender (Content-Length), or -1
     * @param expectedSha256 lower-case hex SHA-256 the bytes must have, or null
     */
    public Received write(InputStream body, Path target, long expectedBytes, String expectedSha256) throws IOException {
        Path dir = target.getParent();
        checkSpace(dir, Math.max(0, expectedBytes));
        Path tmp = dir.resolve("." + target.getFileName() + ".uploading");
        boolean ok = false;
        Transfer t = new Transfer(dir, buffers.reserve(expectedBytes));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            t.copy(body instanceof ReadableByteChannel c ? c : Channels.newChannel(body), ch);
            ch.force(true);
            ok = true;
        } catch (IOException e) {
            if (DiskSpace.isOutOfSpace(e) && !(e instanceof DiskFullException)) {
                throw new DiskFullException("not enough disk space: the disk filled up while receiving " + target.getFileName()
                        + " (" + t.total + " bytes read); nothing was kept");
            }
            throw e;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
        String digest = HexFormat.of().formatHex(t.sha.digest());
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(digest)) {
            Files.deleteIfExists(tmp);
            throw new ChecksumException("checksum mismatch: received " + t.total + " bytes with SHA-256 " + digest
                    + ", expected " + expectedSha256);
        }
        Spool.moveAtomically(tmp, target);
        Spool.fsyncDir(dir);
        return new Received(target, t.total, digest);
    }

    /**
     * One body into one file as a pipeline: the request thread reads the next chunk while one
     * helper hashes and another writes the previous ones (each in order), and every 64 MiB the
     * disk is told to start writing back, so the fsync before "ok" has only the tail left. On a
     * small host this keeps the upload near the speed of a plain write.
     */
    private final class Transfer {
        final MessageDigest sha = sha256();
        final Path dir;
        final int size;
        final ByteBuffer[] chunks = new ByteBuffer[UploadBuffers.CHUNKS]; // taken as needed: a small part uses one
        FileChannel ch;
        long total;
        CompletableFuture<?> hashed = DONE;
        CompletableFuture<?> written = DONE;
        CompletableFuture<?> flushed = DONE;

        Transfer(Path dir, int size) {
            this.dir = dir;
            this.size = size;
        }

        void copy(ReadableByteChannel src, FileChannel to) throws IOException {
            ch = to;
            CompletableFuture<?>[] using = new CompletableFuture<?>[UploadBuffers.CHUNKS];
            Arrays.fill(using, DONE);
            try {
                long sinceCheck = 0;
                for (int k = 0; fill(src, chunk(k)); k = (k + 1) % UploadBuffers.CHUNKS) {
                    ByteBuffer chunk = chunks[k];
                    hashed = hashed.thenRunAsync(() -> sha.update(chunk.duplicate()), HELPERS);
                    written = written.thenRunAsync(() -> writeFully(chunk.duplicate()), HELPERS);
                    using[k] = CompletableFuture.allOf(hashed, written);
                    total += chunk.remaining();
                    sinceCheck += chunk.remaining();
                    if (sinceCheck >= (64L << 20)) {
                        sinceCheck = 0;
                        checkSpace(dir, 0);
                        if (flushed.isDone()) {
                            flushed = written.thenRunAsync(this::flush, HELPERS);
                        }
                    }
                    await(using[(k + 1) % UploadBuffers.CHUNKS]); // the next buffer is free once its chunk is hashed and written
                }
                await(CompletableFuture.allOf(hashed, written, flushed));
            } finally {
                CompletableFuture.allOf(using).whenComplete((v, e) -> { // once no helper uses them
                    for (ByteBuffer b : chunks) {
                        if (b != null) {
                            buffers.giveBack(b);
                        }
                    }
                    buffers.release(size);
                });
            }
        }

        private ByteBuffer chunk(int k) {
            if (chunks[k] == null) {
                chunks[k] = buffers.take(size);
            }
            return chunks[k];
        }

        private void writeFully(ByteBuffer b) {
            try {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }

        private void flush() {
            try {
                ch.force(false);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }
    }

    /** Reads until the buffer is full or the body ends; false if nothing came. */
    private static boolean fill(ReadableByteChannel in, ByteBuffer buf) throws IOException {
        buf.clear();
        while (buf.hasRemaining() && in.read(buf) >= 0) {
            // until full or at the end
        }
        buf.flip();
        return buf.hasRemaining();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CompletableFuture<?> f) throws IOException {
        try {
            f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    private void checkSpace(Path dir, long more) throws IOException {
        String shortage = new DiskSpace(dir, reserveBytes).shortage(more);
        if (shortage != null) {
            throw new DiskFullException(shortage);
        }
    }
}

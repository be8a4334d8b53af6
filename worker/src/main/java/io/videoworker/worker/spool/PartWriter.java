package io.videoworker.worker.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long total = 0;
        boolean ok = false;
        int size = buffers.reserve(expectedBytes);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            // read the next chunk while a helper hashes and writes the previous one, in order:
            // SHA-256 costs as much CPU as the rest of the upload together
            byte[][] bufs = {new byte[size], new byte[size]};
            CompletableFuture<?>[] using = {DONE, DONE};
            CompletableFuture<?> last = DONE;
            long sinceCheck = 0;
            int k = 0;
            int n;
            while ((n = fill(body, bufs[k])) > 0) {
                byte[] chunk = bufs[k];
                int len = n;
                last = last.thenRunAsync(() -> {
                    sha.update(chunk, 0, len);
                    try {
                        ByteBuffer bb = ByteBuffer.wrap(chunk, 0, len);
                        while (bb.hasRemaining()) {
                            ch.write(bb);
                        }
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, HASHERS);
                using[k] = last;
                total += n;
                sinceCheck += n;
                if (sinceCheck >= (64L << 20)) {
                    sinceCheck = 0;
                    checkSpace(dir, 0);
                }
                k ^= 1;
                await(using[k]); // that buffer is free again once its chunk is written
            }
            await(last);
            ch.force(true);
            ok = true;
        } finally {
            buffers.release(size);
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(digest)) {
            Files.deleteIfExists(tmp);
            throw new ChecksumException("checksum mismatch: received " + total + " bytes with SHA-256 " + digest
                    + ", expected " + expectedSha256);
        }
        Spool.moveAtomically(tmp, target);
        Spool.fsyncDir(dir);
        return new Received(target, total, digest);
    }

    private static final CompletableFuture<?> DONE = CompletableFuture.completedFuture(null);
    private static final java.util.concurrent.ExecutorService HASHERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "upload-hash");
        t.setDaemon(true);
        return t;
    });

    /** Reads until the buffer is full or the body ends; the count, or -1 at the end. */
    private static int fill(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n == 0 ? -1 : n;
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
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (usable - more < reserveBytes) {
            throw new DiskFullException("not enough disk space: " + (usable >> 20) + " MiB free, the upload needs "
                    + (more >> 20) + " MiB and " + (reserveBytes >> 20) + " MiB must stay free");
        }
    }
}

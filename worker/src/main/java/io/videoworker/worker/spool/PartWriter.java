package io.videoworker.worker.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Streams one received file into the spool: a hidden temporary file of its own, SHA-256 on the
 * way, fsync, then a link to its name that never replaces a file already there. Refuses to fill
 * the disk past a reserve. Nothing is ever visible under the final name unless it is complete,
 * checked and synced, and what is there is never changed.
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

    /** The file is in the spool already: an accepted file is never replaced. */
    public static final class AlreadyThereException extends IOException {
        public AlreadyThereException(String message) {
            super(message);
        }
    }

    /**
     * A received, verified and synced body in its own temporary file, not yet under its name.
     * {@link #commit} puts it there; {@link #close} drops it if it was not committed.
     */
    public static final class Pending implements AutoCloseable {
        private final Path tmp;
        private final Path target;
        private final Received received;
        private boolean committed;

        private Pending(Path tmp, Path target, long bytes, String sha256) {
            this.tmp = tmp;
            this.target = target;
            this.received = new Received(target, bytes, sha256);
        }

        public Received received() {
            return received;
        }

        /** Whether the file is under its name now. */
        public boolean committed() {
            return committed;
        }

        /**
         * Makes the file visible under its name, durably, unless a file of that name exists: the
         * name is taken by a hard link, which fails rather than replace, so nothing accepted can be
         * overwritten whoever else writes. Where links are not supported the name is checked first;
         * callers commit a name under one lock, so no other commit can come between.
         */
        public Received commit() throws IOException {
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                throw new AlreadyThereException(target.getFileName() + " is already in the spool; it is never replaced");
            } catch (NoSuchFileException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) { // no hard links here: the same rule, checked
                    throw new AlreadyThereException(target.getFileName() + " is already in the spool; it is never replaced");
                }
                Spool.moveAtomically(tmp, target);
            }
            committed = true;
            try {
                Files.deleteIfExists(tmp); // the second name of the link
            } catch (IOException e) {
                // a leftover .uploading: the start-up sweep removes it
            }
            Spool.fsyncDir(target.getParent());
            return received;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                Files.deleteIfExists(tmp);
            }
        }
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

    /** {@link #receive} and {@link Pending#commit}: for a file nobody else can be writing. */
    public Received write(InputStream body, Path target, long expectedBytes, String expectedSha256) throws IOException {
        try (Pending p = receive(body, target, expectedBytes, expectedSha256)) {
            return p.commit();
        }
    }

    /**
     * The hidden temporary file {@code .<name>.<random>.uploading} beside {@code target}: one per
     * attempt, so two uploads of one part never write into the same file. The start-up sweep
     * removes whatever ends in {@code .uploading}.
     */
    public static Path temporaryFile(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".uploading");
    }

    /**
     * Streams the body into a temporary file of its own, hashes and syncs it, and checks the
     * hash; nothing is visible under {@code target} until {@link Pending#commit}.
     *
     * @param expectedBytes  the size announced by the sender (Content-Length), or -1
     * @param expectedSha256 lower-case hex SHA-256 the bytes must have, or null
     */
    public Pending receive(InputStream body, Path target, long expectedBytes, String expectedSha256) throws IOException {
        Path dir = target.getParent();
        checkSpace(dir, Math.max(0, expectedBytes));
        Path tmp = temporaryFile(target);
        boolean ok = false;
        Transfer t = new Transfer(dir, buffers.reserve(expectedBytes));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
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
            throw checksumMismatch(t.total, digest, expectedSha256);
        }
        return new Pending(tmp, target, t.total, digest);
    }

    /**
     * Reads a body to its end only to hash it, writing nothing: how a repeated upload of a part
     * already accepted is told from a different one.
     */
    public static Received verify(InputStream body, String expectedSha256) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 << 10];
        long total = 0;
        for (int n; (n = body.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
            total += n;
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (!expectedSha256.equalsIgnoreCase(digest)) {
            throw checksumMismatch(total, digest, expectedSha256);
        }
        return new Received(null, total, digest);
    }

    private static ChecksumException checksumMismatch(long bytes, String digest, String expected) {
        return new ChecksumException("checksum mismatch: received " + bytes + " bytes with SHA-256 " + digest
                + ", expected " + expected);
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

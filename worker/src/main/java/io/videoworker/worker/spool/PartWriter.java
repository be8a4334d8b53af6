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
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 20];
            long sinceCheck = 0;
            int n;
            while ((n = body.read(buf)) > 0) {
                sha.update(buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                total += n;
                sinceCheck += n;
                if (sinceCheck >= (64L << 20)) {
                    sinceCheck = 0;
                    checkSpace(dir, 0);
                }
            }
            ch.force(true);
            ok = true;
        } finally {
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

    private void checkSpace(Path dir, long more) throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (usable - more < reserveBytes) {
            throw new DiskFullException("not enough disk space: " + (usable >> 20) + " MiB free, the upload needs "
                    + (more >> 20) + " MiB and " + (reserveBytes >> 20) + " MiB must stay free");
        }
    }
}

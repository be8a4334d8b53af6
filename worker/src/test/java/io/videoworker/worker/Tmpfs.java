package io.videoworker.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small filesystem of a test's own: a tmpfs mounted on a folder (the tests run as root), so
 * "the disk is full" is real ENOSPC and free space is exact. {@link #mount} says why when it cannot
 * be had; the caller then falls back loudly, never skips.
 */
public final class Tmpfs implements AutoCloseable {
    public final Path dir;
    private final FreeSpaceWatch watch;

    private Tmpfs(Path dir) {
        this.dir = dir;
        this.watch = new FreeSpaceWatch(dir);
    }

    /** Mount is impossible here (not root, no tmpfs): the message says why. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** A tmpfs of {@code mib} MiB on {@code at} (created if missing). */
    public static Tmpfs mount(Path at, int mib) throws Unavailable, IOException, InterruptedException {
        Files.createDirectories(at);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new Unavailable("mount failed: " + out);
        }
        return new Tmpfs(at);
    }

    /** The lowest free space seen since it was mounted (polled every few ms). */
    public long lowestFree() {
        return watch.lowest();
    }

    @Override
    public void close() throws Exception {
        watch.close();
        Process p = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            new ProcessBuilder("umount", "-l", dir.toString()).start().waitFor(); // lazily, so the temp dir can go
            throw new IllegalStateException("umount " + dir + ": " + out);
        }
    }

    /** Polls a filesystem's free space on a thread of its own, keeping the lowest value seen. */
    public static final class FreeSpaceWatch implements AutoCloseable {
        private final AtomicLong lowest = new AtomicLong(Long.MAX_VALUE);
        private final Thread thread;
        private volatile boolean stop;

        public FreeSpaceWatch(Path dir) {
            thread = new Thread(() -> {
                while (!stop) {
                    try {
                        lowest.accumulateAndGet(Files.getFileStore(dir).getUsableSpace(), Math::min);
                        Thread.sleep(2);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "free-space-watch");
            thread.setDaemon(true);
            thread.start();
        }

        public long lowest() {
            return lowest.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(1000);
        }
    }
}

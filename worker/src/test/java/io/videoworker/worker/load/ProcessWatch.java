package io.videoworker.worker.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples the worker and its conversion processes from /proc every 100 ms: how many conversions
 * run at once and resident memory peaks. A child's VmHWM only grows, so a sample late in its life
 * holds its peak; the sum of all resident sets is what the host must have.
 */
final class ProcessWatch implements AutoCloseable {
    private final long workerPid;
    private final Thread thread;
    private volatile String bigTaskId = "";
    private volatile int running;
    private int maxRunning;
    private long childPeakKib;
    private long bigChildPeakKib;
    private long totalPeakKib;

    ProcessWatch(long workerPid) {
        this.workerPid = workerPid;
        this.thread = new Thread(this::loop, "process-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** The conversion whose command line names this task is reported on its own. */
    void watchBig(String taskId) {
        bigTaskId = taskId;
    }

    /** Conversion processes alive at the last sample. */
    int running() {
        return running;
    }

    synchronized int maxRunning() {
        return maxRunning;
    }

    synchronized long childPeakKib() {
        return childPeakKib;
    }

    synchronized long bigChildPeakKib() {
        return bigChildPeakKib;
    }

    /** Peak of the worker's plus all its children's resident sets at one sample. */
    synchronized long totalPeakKib() {
        return totalPeakKib;
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            sample();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        ProcessHandle worker = ProcessHandle.of(workerPid).orElse(null);
        if (worker == null) {
            return;
        }
        List<ProcessHandle> children = worker.descendants().filter(ProcessHandle::isAlive).toList();
        long total = status(workerPid, "VmRSS:");
        long hwm = 0;
        long big = 0;
        for (ProcessHandle c : children) {
            total += status(c.pid(), "VmRSS:");
            long h = status(c.pid(), "VmHWM:");
            hwm = Math.max(hwm, h);
            if (!bigTaskId.isEmpty() && cmdline(c.pid()).contains(bigTaskId)) {
                big = h;
            }
        }
        running = children.size();
        synchronized (this) {
            maxRunning = Math.max(maxRunning, children.size());
            childPeakKib = Math.max(childPeakKib, hwm);
            bigChildPeakKib = Math.max(bigChildPeakKib, big);
            totalPeakKib = Math.max(totalPeakKib, total);
        }
    }

    /** A kB field of /proc/<pid>/status, 0 once the process is gone. */
    static long status(long pid, String field) {
        return statusField(Path.of("/proc", Long.toString(pid), "status"), field);
    }

    /** The number on the line starting with {@code field} of a /proc file, or 0. */
    static long statusField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process exited between listing and reading
        }
        return 0;
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * CPU seconds of a process {user+system of its own, user+system of its waited-for children}
     * from /proc/<pid>/stat, in clock ticks of 1/100 s (USER_HZ on Linux).
     */
    static double[] cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3, the state
        return new double[] {(Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0,
                (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0};
    }

    /** Open descriptors of a process: all, and those naming a file under {@code dir}. */
    static long[] openFiles(long pid, Path dir) throws IOException {
        long all = 0;
        long under = 0;
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                all++;
                try {
                    if (Files.readSymbolicLink(fd).startsWith(dir)) {
                        under++;
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return new long[] {all, under};
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(2000);
    }
}

package io.videoworker.worker.cli;

import io.videoworker.worker.convert.Converter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
final class ProgressBar implements Converter.Progress {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final long started = System.nanoTime();
    private int lastPercent = -1;

    private ProgressBar(PrintStream err) {
        this.err = err;
    }

    /** A bar if stderr is a terminal, otherwise silence. */
    static Converter.Progress forStderr() {
        return stderrIsTerminal() ? new ProgressBar(System.err) : Converter.Progress.NONE;
    }

    /** Machine-readable progress: one {@code progress N} line per whole percent. */
    static Converter.Progress lines(PrintStream err) {
        int[] last = {-1};
        return (done, total, videoMs) -> {
            int percent = total <= 0 ? 0 : (int) Math.min(100, done * 100 / total);
            if (percent != last[0]) {
                last[0] = percent;
                err.println("progress " + percent);
                err.flush();
            }
        };
    }

    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void update(long done, long total, long videoMs) {
        int percent = total <= 0 ? 0 : (int) Math.min(100, done * 100 / total);
        if (percent == lastPercent) {
            return;
        }
        lastPercent = percent;
        int filled = percent * WIDTH / 100;
        double wall = (System.nanoTime() - started) / 1e9;
        err.printf("\r[%s%s] %3d%%  %s of video in %.1f s ", "#".repeat(filled), "-".repeat(WIDTH - filled),
                percent, clock(videoMs), wall);
        err.flush();
    }

    void done() {
        if (lastPercent >= 0) {
            err.print("\r" + " ".repeat(WIDTH + 50) + "\r");
            err.flush();
        }
    }

    private static String clock(long ms) {
        long s = ms / 1000;
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}

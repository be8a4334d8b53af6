package io.videoworker.worker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.convert.ConversionResult;
import io.videoworker.worker.convert.ConvertOptions;
import io.videoworker.worker.convert.Converter;
import io.videoworker.worker.convert.InputException;
import io.videoworker.worker.convert.SessionInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The promise, checked for one input: the real converter ends, within the bound, in a finished
 * MP4 or an {@link InputException} that names the input, and a refusal leaves nothing behind.
 * Anything else (another exception, an OutOfMemoryError, the bound passing) fails.
 */
final class ConversionCheck {
    /** How one input ended: a video (message: its warnings) or a refusal (message: why). */
    record Outcome(boolean video, String message, long millis) {
    }

    private ConversionCheck() {
    }

    /** Converts in a directory of its own, so an input that overran cannot blame the next. */
    static Outcome run(FuzzInput input, Path parent, Duration bound) throws Throwable {
        Path dir = Files.createDirectories(parent.resolve(input.fileName() + ".d"));
        Path in = dir.resolve(input.fileName());
        Path out = dir.resolve(input.fileName() + ".mp4");
        long size = input.writeTo(in);
        try {
            long t0 = System.nanoTime();
            Outcome o = withinBound(() -> convert(in, out), bound, input + " (" + size + " bytes)");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("what " + input + " left behind")
                        .containsExactlyInAnyOrder(o.video() ? new String[] {in.getFileName().toString(),
                            out.getFileName().toString()} : new String[] {in.getFileName().toString()});
            }
            return new Outcome(o.video(), o.message(), millis);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            try (Stream<Path> left = Files.list(dir)) {
                if (left.findAny().isEmpty()) {
                    Files.delete(dir);
                }
            }
        }
    }

    /**
     * Runs the conversion on a thread of its own; past the bound the failure shows where that
     * thread was (it is interrupted, and as a daemon cannot keep the JVM alive).
     */
    private static Outcome withinBound(Callable<Outcome> conversion, Duration bound, String what) throws Throwable {
        FutureTask<Outcome> task = new FutureTask<>(conversion);
        Thread thread = new Thread(task, "fuzz " + what);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            StringBuilder where = new StringBuilder();
            for (StackTraceElement frame : Arrays.copyOf(thread.getStackTrace(), 12)) {
                if (frame != null) {
                    where.append("\n\tat ").append(frame);
                }
            }
            thread.interrupt();
            throw new AssertionError(what + " did not end within " + bound.toSeconds() + " s; it was" + where);
        }
    }

    private static Outcome convert(Path in, Path out) throws Exception {
        try {
            ConversionResult r = new Converter(ConvertOptions.DEFAULT, Converter.Progress.NONE)
                    .convert(SessionInput.resolve(List.of(in)), out);
            assertThat(Files.size(out)).isEqualTo(r.bytes());
            assertThat(Mp4Probe.info(out).hasVideo()).as("a finished MP4 has a video track").isTrue();
            return new Outcome(true, String.join("\n", r.warnings()), 0);
        } catch (InputException e) {
            assertThat(e.getMessage()).as("a refusal names its input").contains(in.getFileName().toString());
            assertThat(out).as("a refused input leaves no output").doesNotExist();
            return new Outcome(false, e.getMessage(), 0);
        }
    }
}

package io.videoworker.worker.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** What both cluster servers need from the host: a free port, a command run to its end, the CI rule. */
final class LocalProcess {
    private LocalProcess() {
    }

    /** A command's exit code and its merged stdout/stderr. */
    record Result(int exit, String output) {
    }

    /** A loopback port free right now (the OS picks it; a tiny race with other processes is accepted). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /**
     * Runs {@code command} in {@code cwd} to its end. Output goes to a file, not a pipe: pg_ctl leaves
     * a server behind that could inherit a pipe and keep a reader waiting forever.
     */
    static Result run(Path cwd, Duration timeout, List<String> command) {
        String line = String.join(" ", command);
        Path out = null;
        try {
            out = Files.createTempFile("cluster-cmd-", ".out");
            Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(line + " did not end within " + timeout + ":\n" + read(out));
            }
            return new Result(p.exitValue(), read(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + line, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + line, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /** The last {@code lines} lines of a log file, or a note that it does not exist (yet). */
    static String tail(Path log, int lines) {
        if (!Files.exists(log)) {
            return "(no " + log + ")";
        }
        List<String> all = List.of(read(log).split("\n"));
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The repository's rule for host tools: missing, the test fails under CI=true ({@code .ci/run}
     * installs them), else it is skipped with a loud line.
     */
    static void require(boolean present, String what, String missing, String debianPackage) {
        if (present) {
            return;
        }
        String msg = "\n*** " + what + " NOT RUN: " + missing + "; install it with: apt-get install -y "
                + debianPackage + " (as .ci/run does) ***\n";
        System.out.println(msg);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg);
        }
        Assumptions.abort(msg);
    }
}

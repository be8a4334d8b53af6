package io.videoworker.worker.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.worker.spool.TaskLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Runs one conversion as a child JVM ({@code video-worker convert}) under {@code nice}: the
 * live sessions on the host keep their CPU, a native crash or a runaway recording cannot take the
 * service down, and a conversion that outlives its time budget is killed. The child's stdin is a
 * pipe this process never writes to: when the service dies, even by SIGKILL, the kernel closes it
 * and the child ({@code --exit-with-parent}) stops at once instead of converting on as an orphan.
 */
public final class ConversionProcess {
    /** How a conversion ended. {@code exitCode} 2 means the input itself is unusable, 3 that the disk was full. */
    public record Outcome(int exitCode, JsonNode result, String error) {
        public boolean ok() {
            return exitCode == 0 && result != null;
        }

        public boolean badInput() {
            return exitCode == 2;
        }

        /** Not the recording's fault: worth running again once there is space. */
        public boolean diskFull() {
            return exitCode == 3;
        }

        /** Stopped at the free-space floor: the bytes its video had reached (then deleted); -1 when unknown (a plain ENOSPC). */
        public long writtenBytes() {
            return diskFull() && result != null ? result.path("written_bytes").asLong(-1) : -1;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String heap;
    private final String classPath;
    private final ClassArchive archive;

    /** @param cacheDir where the class archive shared by the conversions is kept */
    public ConversionProcess(String heap, Path cacheDir) {
        this(heap, System.getProperty("java.class.path"), cacheDir);
    }

    ConversionProcess(String heap, String classPath, Path cacheDir) {
        this.heap = heap;
        this.classPath = classPath;
        this.archive = ClassArchive.forClassPath(cacheDir, classPath);
    }

    /**
     * @param args     the convert command's arguments (inputs, -o, options)
     * @param progress receives whole percents
     */
    public Outcome run(List<String> args, Duration timeout, TaskLog log, IntConsumer progress)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/nice"))) {
            cmd.addAll(List.of("/usr/bin/nice", "-n", "10"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ClassArchive.Use classes = archive == null ? ClassArchive.NONE : archive.next();
        cmd.addAll(classes.options());
        cmd.add("-Xms32m"); // grow on demand: live data is tens of MB, RSS stays low
        cmd.add("-Xmx" + heap);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add("io.videoworker.worker.Main");
        cmd.add("convert");
        cmd.addAll(args);
        cmd.add("--json");
        cmd.add("--progress-lines");
        cmd.add("--exit-with-parent");
        log.info("converting: video-worker convert " + String.join(" ", args));
        Process p = new ProcessBuilder(cmd).start(); // stdin stays a pipe: the child's lifeline
        try {
            return await(p, timeout, log, progress);
        } finally {
            p.getOutputStream().close();
            if (archive != null) {
                archive.ended(classes, p.isAlive() ? -1 : p.exitValue());
            }
        }
    }

    private static Outcome await(Process p, Duration timeout, TaskLog log, IntConsumer progress)
            throws IOException, InterruptedException {
        StringBuilder lastError = new StringBuilder();
        Thread stderr = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("progress ")) {
                        progress.accept(Integer.parseInt(line.substring(9).trim()));
                    } else if (!line.isBlank()) {
                        log.warn("converter: " + line);
                        synchronized (lastError) {
                            // the converter's own one-line verdict, not the stack trace after it
                            if (lastError.indexOf("video-worker: ") != 0 || line.startsWith("video-worker: ")) {
                                lastError.setLength(0);
                                lastError.append(line);
                            }
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // the process ended
            }
        }, "convert-stderr");
        stderr.setDaemon(true);
        stderr.start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread stdoutReader = new Thread(() -> {
            try {
                p.getInputStream().transferTo(out);
            } catch (IOException e) {
                // the process ended
            }
        }, "convert-stdout");
        stdoutReader.setDaemon(true);
        stdoutReader.start();
        boolean ended;
        try {
            ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly(); // shutting down: the task resumes from its inputs at the next start
            throw e;
        }
        if (!ended) {
            p.destroyForcibly().waitFor();
            return new Outcome(1, null, "conversion took longer than " + timeout.toMinutes() + " minutes; stopped");
        }
        stdoutReader.join(5000);
        stderr.join(5000);
        byte[] stdout = out.toByteArray();
        int code = p.exitValue();
        JsonNode result = null;
        try {
            String text = new String(stdout, StandardCharsets.UTF_8).trim();
            if ((code == 0 || code == 3) && !text.isEmpty()) {
                result = JSON.readTree(text);
            }
        } catch (IOException e) {
            if (code == 3) { // still the disk: what it wrote is only unknown
                result = null;
            } else {
                return new Outcome(1, null, "converter printed no valid result: " + e.getMessage());
            }
        }
        String error;
        synchronized (lastError) {
            error = lastError.toString().replaceFirst("^video-worker: ", "");
        }
        return new Outcome(code, result, code == 0 ? "" : (error.isEmpty() ? "converter exited with " + code : error));
    }
}

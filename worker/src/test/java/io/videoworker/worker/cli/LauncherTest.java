package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.JarClassPath;
import io.videoworker.worker.TestRecordings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code video-worker} launcher of the README, run from a copy of the checkout's layout whose
 * jar starts the worker from the build's classes: its first conversion writes the class archive,
 * the next ones start from it, and stdout stays the converter's own (one JSON line).
 */
class LauncherTest {
    record Run(int exitCode, String stdout, String stderr) {
    }

    @TempDir
    Path home;

    @Test
    void firstConversionWritesTheClassArchiveLaterOnesUseItStdoutStaysJson() throws Exception {
        Path launcher = Files.copy(Path.of("../video-worker"), home.resolve("video-worker"), StandardCopyOption.COPY_ATTRIBUTES);
        Path jar = JarClassPath.launcherJar(home.resolve("worker/target/video-worker.jar"), JarClassPath.of(home));
        Path archive = home.resolve("worker/target/video-worker.jsa");
        Path recording = Files.write(home.resolve("green.part.gz"), TestRecordings.part(0x33aa55, 1_000, 3_000));

        Run first = run(launcher, "convert", recording.toString(), "-o", home.resolve("1.mp4").toString(), "--json");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stdout().strip()).startsWith("{\"output\":").doesNotContain("\n");
        assertThat(archive).isRegularFile();
        assertThat(list(jar.getParent())).as("no temporary archive left").containsExactlyInAnyOrder(jar, archive);

        Run second = run(launcher, "convert", recording.toString(), "-o", home.resolve("2.mp4").toString(), "--json");
        assertThat(second.exitCode()).as(second.stderr()).isZero();
        assertThat(second.stdout().strip()).startsWith("{\"output\":").doesNotContain("\n");
        // the JVM refuses to start with -Xshare:on unless it can map the archive for this jar
        Process strict = new ProcessBuilder("java", "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-jar", jar.toString(), "--help")
                .redirectErrorStream(true).start();
        String out = new String(strict.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(strict.waitFor()).as(out).isZero();

        Run bad = run(launcher, "convert", launcher.toString(), "-o", home.resolve("3.mp4").toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("not a Guacamole recording");
    }

    private static Run run(Path launcher, String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList()).start();
        p.getOutputStream().close();
        String[] err = new String[1];
        Thread t = new Thread(() -> {
            try {
                err[0] = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err[0] = e.toString();
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        t.join();
        return new Run(code, out, err[0]);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}

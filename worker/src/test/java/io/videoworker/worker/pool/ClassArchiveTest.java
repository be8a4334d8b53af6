package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.JarClassPath;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.TaskLog;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class archive of the conversion processes: written by the first conversion, used by the
 * next (a JVM told to insist on it starts), stale ones removed, a broken one never kept. Runs
 * real conversion JVMs on a class path of jars only, as the packaged worker has.
 */
class ClassArchiveTest {
    @TempDir
    static Path tmp;
    static String jars;
    static Path recording;

    @BeforeAll
    static void jarOnlyClassPath() throws IOException {
        jars = String.join(File.pathSeparator, JarClassPath.of(tmp));
        recording = Files.write(tmp.resolve("blue.part.gz"), TestRecordings.part(0x3366cc, 1_000, 4_000));
    }

    @Test
    void firstConversionWritesItTheNextUseItStaleOnesGo() throws Exception {
        Path cache = tmp.resolve("cache");
        Path stale = Files.write(Files.createDirectories(cache).resolve("classes-0123456789abcdef.jsa"), new byte[] {1});
        ConversionProcess process = new ConversionProcess("128m", jars, cache);
        io.videoworker.worker.spool.Task task = new io.videoworker.worker.spool.Task();
        task.id = UUID.randomUUID().toString();
        task.sessionId = UUID.randomUUID().toString();
        TaskLog log = new Spool(tmp.resolve("tasks")).log(task);

        assertThat(convert(process, log, "first.mp4").ok()).isTrue();
        List<Path> files = list(cache);
        assertThat(files).as("one archive, no temporary file, the stale one gone").hasSize(1);
        Path archive = files.get(0);
        assertThat(archive.getFileName().toString()).matches("classes-[0-9a-f]{16}\\.jsa").isNotEqualTo(stale.getFileName().toString());
        assertThat(Files.size(archive)).isGreaterThan(1 << 20);

        ClassArchive.Use next = ClassArchive.forClassPath(cache, jars).next();
        assertThat(next.options()).contains("-XX:SharedArchiveFile=" + archive);
        assertThat(convert(process, log, "second.mp4").ok()).isTrue();
        // -Xshare:on makes a JVM refuse to start unless it can map the archive
        Process strict = new ProcessBuilder(javaBin(), "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", jars,
                "io.videoworker.worker.Main", "--help").redirectErrorStream(true).start();
        String out = new String(strict.getInputStream().readAllBytes());
        assertThat(strict.waitFor()).as(out).isZero();
        assertThat(list(cache)).containsExactly(archive);
    }

    @Test
    void anUnfinishedArchiveIsNotKeptAndIsWrittenAgainNextTime() throws Exception {
        Path cache = tmp.resolve("cache-killed");
        ClassArchive archive = ClassArchive.forClassPath(cache, jars);
        ClassArchive.Use first = archive.next();
        assertThat(first.writing()).isNotNull();
        assertThat(archive.next()).as("one writer at a time").isEqualTo(ClassArchive.NONE);
        Files.write(first.writing(), new byte[] {42}); // what a JVM killed mid-dump could leave
        archive.ended(first, 137);
        assertThat(list(cache)).isEmpty();
        assertThat(archive.next().writing()).as("the next conversion tries again").isNotNull();
    }

    @Test
    void aClassPathWithFoldersGetsNoArchive() {
        assertThat(ClassArchive.forClassPath(tmp, tmp.toString() + File.pathSeparator + jars)).isNull();
    }

    private ConversionProcess.Outcome convert(ConversionProcess process, TaskLog log, String name) throws Exception {
        return process.run(List.of(recording.toString(), "-o", tmp.resolve(name).toString()), Duration.ofMinutes(2), log, p -> { });
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

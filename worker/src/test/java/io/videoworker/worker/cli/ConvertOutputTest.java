package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.TestRecordings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output that cannot be written is the user's mistake: exit 2 and one line naming the folder
 * at fault, before any conversion work (no encoder stack trace after the work is done). The
 * tests run as root, where permission bits stop nothing, so "cannot write there" is a path under
 * a regular file.
 */
class ConvertOutputTest {
    static final String SID = "0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";

    @TempDir
    Path dir;
    Path part;
    Path file;

    @BeforeEach
    void inputs() throws IOException {
        part = dir.resolve(SID + ".0.part.gz");
        Files.write(part, TestRecordings.part(0xFF0000, 1_000, 3_000));
        file = Files.writeString(dir.resolve("a-file"), "not a folder");
    }

    @Test
    void missingFolderOfTheMp4Exits2NamingIt() {
        Path out = dir.resolve("nope/deeper/x.mp4");
        Cli r = Cli.run("convert", part.toString(), "-o", out.toString());
        assertOneLine(r, "video-worker: cannot write " + out + ": folder " + dir.resolve("nope/deeper") + " does not exist");
        assertThat(dir.resolve("nope")).doesNotExist();
    }

    @Test
    void mp4UnderARegularFileExits2() {
        Path out = file.resolve("x.mp4");
        Cli r = Cli.run("convert", part.toString(), "-o", out.toString());
        assertOneLine(r, "video-worker: cannot write " + out + ": " + file + " is not a folder");
    }

    @Test
    void mp4OntoAnExistingFolderExits2() {
        Cli r = Cli.run("convert", part.toString(), "-o", dir.toString());
        assertOneLine(r, "video-worker: cannot write " + dir + ": it is a folder");
    }

    @Test
    void perPartFolderThatCannotBeCreatedExits2() throws IOException {
        Path out = file.resolve("mp4s");
        Cli r = Cli.run("convert", part.toString(), "--per-part", "-o", out.toString());
        assertOneLine(r, "video-worker: cannot write into " + out + ": " + file + " is not a folder");
        try (var list = Files.list(dir)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(part.getFileName().toString(), "a-file");
        }
    }

    @Test
    void snapshotsUnderARegularFileExit2() {
        Path one = file.resolve("shots/t.png");
        Cli single = Cli.run("convert", part.toString(), "--snapshot", "1500", "-o", one.toString());
        assertOneLine(single, "video-worker: cannot write " + one + ": " + file + " is not a folder");
        Path several = file.resolve("shots");
        Cli multi = Cli.run("convert", part.toString(), "--snapshot", "1500,2500", "-o", several.toString());
        assertOneLine(multi, "video-worker: cannot write into " + several + ": " + file + " is not a folder");
    }

    @Test
    void missingFoldersAreStillCreatedWhereTheyWereBefore() {
        // --snapshot (and --per-part) create their folders; the check must not refuse what works
        Path out = dir.resolve("new/shots");
        Cli r = Cli.run("convert", part.toString(), "--snapshot", "1500,2500", "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(out.resolve("t1500.png")).isRegularFile();
        assertThat(out.resolve("t2500.png")).isRegularFile();
    }

    private static void assertOneLine(Cli r, String line) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(line);
        assertThat(r.out()).isEmpty();
    }
}

package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.Tmpfs;
import io.videoworker.worker.convert.OutputLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The converter bounds what it writes (issue 12): a cap on the MP4 bytes, and a floor of free
 * space it keeps on the output's disk, both checked while it writes. The input makes a large video
 * of a small recording: four noise pictures shown in turn, each frame unlike the two before it (the
 * encoder's references), so each costs ≈ 85 KB at 640×480: 1000 frames are ≈ 85 MB of MP4 from 6 MB of recording.
 */
class ConvertOutputBoundsTest {
    static final String SID = "5d1c0e2a-7b3f-4c8d-9e6a-1f2b3c4d5e6f";
    static final long MIB = 1 << 20;

    @TempDir
    static Path inputs;
    static Path busy;

    @TempDir
    Path dir;

    @BeforeAll
    static void recording() throws Exception {
        busy = Files.write(inputs.resolve("busy.replay.gz"), TestRecordings.noise(640, 480, 4, 1000, 10_000, 7));
    }

    @Test
    void theDefaultCapIsTheLargerOfTwoGibAndThirtyTwoTimesTheInputNeverOverflowing() {
        assertThat(OutputLimits.defaultCap(2_389_819)).as("the attack's 2.4 MB").isEqualTo(2L << 30);
        assertThat(OutputLimits.defaultCap(100 * MIB)).isEqualTo(3200 * MIB);
        assertThat(OutputLimits.defaultCap(-5)).isEqualTo(2L << 30);
        assertThat(OutputLimits.defaultCap(Long.MAX_VALUE / 3)).isEqualTo(Long.MAX_VALUE);
        assertThat(new OutputLimits(OutputLimits.FOR_INPUT, 0).capFor(200 * MIB)).isEqualTo(6400 * MIB);
        assertThat(new OutputLimits(5 * MIB, 0).capFor(200 * MIB)).isEqualTo(5 * MIB);
    }

    @Test
    void pastTheCapTheRecordingIsRefusedWithExit2AndNothingIsKept() throws Exception {
        Path out = dir.resolve("busy.mp4");
        long t0 = System.nanoTime();
        Cli r = Cli.run("convert", busy.toString(), "-o", out.toString(), "--max-output-bytes", String.valueOf(24 * MIB));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).as("one line, no stack trace").doesNotContain("\n")
                .startsWith("video-worker: busy.mp4: the video grew past the output cap of 24 MiB (set for this conversion)");
        assertThat(listing(dir)).as("no MP4, no .partial").isEmpty();
        System.out.printf("cap: busy noise (%,d B in) refused at 24 MiB in %d ms%n", Files.size(busy), ms);
    }

    @Test
    void theCapCountsEveryPartOfAPerPartConversionTogether() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        byte[] part = TestRecordings.noise(640, 480, 4, 300, 10_000, 8); // ≈ 25 MB of MP4 each
        Files.write(in.resolve(SID + ".0.part.gz"), part);
        Files.write(in.resolve(SID + ".1.part.gz"), part);
        Path out = dir.resolve("out");
        Cli r = Cli.run("convert", in.resolve(SID + ".0.part.gz").toString(), in.resolve(SID + ".1.part.gz").toString(),
                "--per-part", "-o", out.toString(), "--max-output-bytes", String.valueOf(30 * MIB));
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(SID + ".1.part.mp4: the video grew past the output cap of 30 MiB");
        assertThat(listing(out)).as("part 0 fitted, but is not kept alone; no replay.json").isEmpty();
    }

    @Test
    void aRecordingWithinTheBoundsConvertsAsBefore() throws Exception {
        Path sample = Path.of("..", "samples", "vnc-desktop-30s", "vnc-desktop-30s.replay.gz");
        Path out = dir.resolve("desktop.mp4");
        Cli r = Cli.run("convert", sample.toString(), "-o", out.toString(), "--min-free-bytes", String.valueOf(MIB),
                "--max-output-bytes", String.valueOf(4 * MIB), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.size(out)).isBetween(100_000L, 4 * MIB);
    }

    @Test
    void theConverterStopsBeforeTheFreeSpaceFloorNotAtZeroAndKeepsNothing() throws Exception {
        long floor = 32 * MIB;
        Tmpfs disk;
        try {
            disk = Tmpfs.mount(dir.resolve("disk"), 96);
        } catch (Tmpfs.Unavailable e) {
            System.out.println("\n*** OUTPUT FLOOR TEST MODE: SIMULATED on the temp folder's own disk (" + e.getMessage()
                    + "); the floor is set 64 MiB below its free space ***\n");
            Path out = Files.createDirectories(dir.resolve("disk"));
            long free = Files.getFileStore(out).getUsableSpace();
            try (Tmpfs.FreeSpaceWatch watch = new Tmpfs.FreeSpaceWatch(out)) {
                stopsAtTheFloor(out, free - 64 * MIB, watch::lowest, 16 * MIB); // other programs share this disk
            }
            return;
        }
        System.out.println("\n*** OUTPUT FLOOR TEST MODE: real tmpfs of 96 MiB, floor 32 MiB ***\n");
        try (disk) {
            stopsAtTheFloor(disk.dir, floor, disk::lowestFree, 0);
        }
    }

    private static void stopsAtTheFloor(Path out, long floor, java.util.function.LongSupplier lowestFree, long slack)
            throws Exception {
        Path mp4 = out.resolve("busy.mp4");
        CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> Cli.run("convert", busy.toString(),
                "-o", mp4.toString(), "--min-free-bytes", String.valueOf(floor), "--json"));
        Cli r = run.get(120, TimeUnit.SECONDS);
        Thread.sleep(20); // one more look at the free space after the exit
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.err().strip()).as("one line, no stack trace").doesNotContain("\n")
                .startsWith("video-worker: not enough disk space: stopped writing into " + out.toAbsolutePath())
                .contains(": the conversion must keep " + (floor >> 20) + " MiB free on its disk (")
                .endsWith(" written, none of it kept)");
        com.fasterxml.jackson.databind.JsonNode said = io.videoworker.worker.spool.Spool.JSON.readTree(r.out());
        assertThat(said.path("stopped").asText()).as("what the service reads: " + r.out()).isEqualTo("disk_reserve");
        assertThat(said.path("written_bytes").asLong()).as("how much its own video took before it stopped")
                .isGreaterThan(MIB).isLessThan(Files.getFileStore(out).getTotalSpace());
        assertThat(lowestFree.getAsLong()).as("free space never went below the floor").isGreaterThanOrEqualTo(floor - slack);
        assertThat(listing(out)).as("no MP4, no .partial").isEmpty();
        System.out.printf("floor: stopped with %d MiB free at the lowest, floor %d MiB%n", lowestFree.getAsLong() >> 20, floor >> 20);
    }

    private static List<String> listing(Path d) throws Exception {
        if (!Files.exists(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("in")).toList();
        }
    }
}

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
 * space it keeps on the output's disk, both checked while it writes. The input is the "still
 * noise" attack: 2.4 MB that, under a keyframe every 5 s, become 363 MB of MP4 per hour.
 */
class ConvertOutputBoundsTest {
    static final String SID = "5d1c0e2a-7b3f-4c8d-9e6a-1f2b3c4d5e6f";
    static final long MIB = 1 << 20;

    @TempDir
    static Path inputs;
    static Path stillHour;

    @TempDir
    Path dir;

    @BeforeAll
    static void attack() throws Exception {
        stillHour = Files.write(inputs.resolve("still-1h.replay.gz"),
                TestRecordings.stillNoise(1024, 768, 594_000, 3_600_000, 7));
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
        Path out = dir.resolve("still.mp4");
        long t0 = System.nanoTime();
        Cli r = Cli.run("convert", stillHour.toString(), "-o", out.toString(), "--max-output-bytes", String.valueOf(64 * MIB));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).as("one line, no stack trace").doesNotContain("\n")
                .startsWith("video-worker: still.mp4: the video grew past the output cap of 64 MiB (set for this conversion)");
        assertThat(listing(dir)).as("no MP4, no .partial").isEmpty();
        System.out.printf("cap: 1 h still noise (%,d B in) refused at 64 MiB in %d ms%n", Files.size(stillHour), ms);
    }

    @Test
    void theCapCountsEveryPartOfAPerPartConversionTogether() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        byte[] tenMinutes = TestRecordings.stillNoise(1024, 768, 594_000, 600_000, 8); // ≈ 61 MB of MP4 each
        Files.write(in.resolve(SID + ".0.part.gz"), tenMinutes);
        Files.write(in.resolve(SID + ".1.part.gz"), tenMinutes);
        Path out = dir.resolve("out");
        Cli r = Cli.run("convert", in.resolve(SID + ".0.part.gz").toString(), in.resolve(SID + ".1.part.gz").toString(),
                "--per-part", "-o", out.toString(), "--max-output-bytes", String.valueOf(100 * MIB));
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(SID + ".1.part.mp4: the video grew past the output cap of 100 MiB");
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
        Path mp4 = out.resolve("still.mp4");
        CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> Cli.run("convert", stillHour.toString(),
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

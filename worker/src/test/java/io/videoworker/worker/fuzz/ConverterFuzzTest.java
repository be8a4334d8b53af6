package io.videoworker.worker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.guac.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Fuzzing the converter: hostile synthetic recordings and damaged real ones, each through the
 * real converter in a 256 MiB heap with the serial collector, as a conversion child runs (its own
 * surefire execution). After each input the heap must be back under half (no leak). Try i uses
 * generator {@code i mod n} with a seed derived from {@code fuzz.seed} and i, so every generator
 * runs equally often and any failure is reproduced by its name.
 *
 * <p>{@code -Dfuzz.tries=N} (default one round of all generators), {@code -Dfuzz.minutes=M} (stop
 * starting tries after M minutes), {@code -Dfuzz.seed=S},
 * {@code -Dfuzz.bound=SECONDS} (default 60), {@code -Dfuzz.case=<generator>:<seed>} replays one
 * input. bench/fuzz.sh runs it long.
 */
@Tag("fuzz")
class ConverterFuzzTest {
    static final long HEAP = 256L << 20;
    static final List<Generator> GENERATORS = generators();
    static final Map<String, Tally> TALLY = new TreeMap<>();

    @TempDir
    static Path dir;

    static List<Generator> generators() {
        List<Generator> all = new ArrayList<>(HostileRecordings.all());
        all.addAll(SampleMutants.all());
        return List.copyOf(all);
    }

    @BeforeAll
    static void quiet() {
        // thousands of skipped-instruction warnings would drown the summary; refusals still show
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.videoworker"))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    @Test
    void runsInTheFixedHeapWithLimitsSizedToIt() {
        long max = Runtime.getRuntime().maxMemory();
        assertThat(max).as("this suite runs with -Xmx256m (see worker/pom.xml)").isLessThanOrEqualTo(HEAP);
        assertThat(Limits.DEFAULT).isEqualTo(Limits.forHeap(max));
        // as a conversion child runs (ConversionProcess); G1 never moves arrays of many MiB, so a
        // 256 MiB G1 heap can lack room for the largest picture although enough of it is free
        assertThat(java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
                .extracting(java.lang.management.GarbageCollectorMXBean::getName)
                .containsExactlyInAnyOrder("Copy", "MarkSweepCompact");
        // native memory as a child has it, in an RSS that does not creep over a thousand conversions
        assertThat(org.bytedeco.javacpp.Pointer.maxPhysicalBytes()).isEqualTo(2L << 30);
        assertThat(System.getenv("MALLOC_ARENA_MAX")).isEqualTo("2");
    }

    @TestFactory
    Stream<DynamicTest> everyInputEndsInAVideoOrAClearRefusal() {
        Duration bound = Duration.ofSeconds(Long.getLong("fuzz.bound", 60));
        String only = System.getProperty("fuzz.case", "");
        if (!only.isEmpty()) { // <generator>:<seed>[,<generator>:<seed>...] in this order, one JVM
            return Stream.of(only.split(",")).map(one -> {
                String[] nameSeed = one.trim().split(":");
                Generator g = GENERATORS.stream().filter(x -> x.name().equals(nameSeed[0])).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no generator " + nameSeed[0]));
                return test(g, Long.parseLong(nameSeed[1]), bound);
            });
        }
        long seed = Long.getLong("fuzz.seed", 6);
        long tries = Long.getLong("fuzz.tries", GENERATORS.size());
        long deadline = System.nanoTime() + Duration.ofMinutes(Long.getLong("fuzz.minutes", 10_000)).toNanos();
        // the stream is consumed as the tests run, so the deadline stops starting new tries
        return LongStream.range(0, tries).takeWhile(i -> System.nanoTime() < deadline)
                .mapToObj(i -> test(GENERATORS.get((int) (i % GENERATORS.size())), mix(seed, i), bound));
    }

    private static DynamicTest test(Generator g, long seed, Duration bound) {
        return DynamicTest.dynamicTest(g.name() + ":" + seed, () -> {
            Tally t;
            synchronized (TALLY) {
                t = TALLY.computeIfAbsent(g.name(), k -> new Tally());
            }
            System.out.println("fuzz " + g.name() + ":" + seed);
            try {
                java.util.List<java.lang.management.MemoryPoolMXBean> pools =
                        java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP).toList();
                pools.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
                ConversionCheck.Outcome o = ConversionCheck.run(g.input(seed), dir, bound);
                t.add(o);
                // how close the input came to the heap's end (young and old peaks, summed: an upper bound)
                t.heapPeak = Math.max(t.heapPeak, pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum());
                // what a finished conversion leaves on the heap: a leak would add up over the run
                System.gc();
                Runtime rt = Runtime.getRuntime();
                long after = rt.totalMemory() - rt.freeMemory();
                t.heapAfter = Math.max(t.heapAfter, after);
                assertThat(after).as("heap in use after " + g.name() + ":" + seed).isLessThan(HEAP / 2);
            } catch (Throwable e) {
                t.failures.add(g.name() + ":" + seed + " " + e.toString().lines().findFirst().orElse(""));
                summary(); // now: an input that overran keeps running and may yet take the JVM down
                throw e;
            }
        });
    }

    /** SplitMix64 step: neighbouring tries get unrelated seeds. */
    static long mix(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** Per generator: how its inputs ended, written to target/fuzz-summary.txt for bench/fuzz.sh. */
    static final class Tally {
        int videos;
        int refusals;
        long millis;
        long slowest;
        long heapAfter;
        long heapPeak;
        String example = "";
        final List<String> failures = new ArrayList<>();

        synchronized void add(ConversionCheck.Outcome o) {
            if (o.video()) {
                videos++;
            } else {
                refusals++;
                if (example.isEmpty()) {
                    example = o.message();
                }
            }
            millis += o.millis();
            slowest = Math.max(slowest, o.millis());
        }
    }

    @AfterAll
    static synchronized void summary() throws IOException {
        StringBuilder sb = new StringBuilder(String.format("%-26s %6s %7s %6s %9s %9s %10s %10s%n", "generator",
                "videos", "refused", "failed", "total ms", "slowest", "heap peak", "heap after"));
        synchronized (TALLY) {
            for (Map.Entry<String, Tally> e : TALLY.entrySet()) {
                Tally t = e.getValue();
                sb.append(String.format("%-26s %6d %7d %6d %9d %9d %6d MiB %6d MiB%n", e.getKey(), t.videos,
                        t.refusals, t.failures.size(), t.millis, t.slowest, t.heapPeak >> 20, t.heapAfter >> 20));
            }
            for (Map.Entry<String, Tally> e : TALLY.entrySet()) {
                if (!e.getValue().example.isEmpty()) {
                    sb.append("refusal ").append(e.getKey()).append(": ")
                            .append(abbreviate(e.getValue().example)).append('\n');
                }
                for (String f : e.getValue().failures) {
                    sb.append("FAILED ").append(f).append('\n');
                }
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/fuzz-summary.txt"), sb);
        System.out.print(sb);
    }

    private static String abbreviate(String s) {
        String line = s.replace('\n', ' ');
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}

package io.videoworker.worker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/** A secret written once for every node of a cluster that starts at the same moment. */
class PrivateFileTest {
    @TempDir
    Path dir;

    @RepeatedTest(5)
    void manyWritersAtOnceAgreeOnOneContent() throws Exception {
        Path file = dir.resolve("admin_token");
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> got = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String mine = "token-of-writer-" + i + "\n";
            got.add(pool.submit(() -> {
                go.await();
                return PrivateFile.writeOnce(file, mine);
            }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> f : got) {
            won += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(won).as("exactly one writer wrote it").isEqualTo(1);
        String stands = Files.readString(file);
        assertThat(stands).matches("token-of-writer-[0-7]\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no copies left behind").containsExactly("admin_token");
        }
        assertThat(PrivateFile.writeOnce(file, "later\n")).as("an existing file stands").isFalse();
        assertThat(Files.readString(file)).isEqualTo(stands);
    }
}

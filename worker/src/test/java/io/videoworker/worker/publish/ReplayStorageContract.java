package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every replay storage must do, run by each storage's test class against a real server (or,
 * for OSS, {@link FakeObjectServer}, which checks Aliyun's signatures; OBS runs against s3proxy). A
 * subclass only says how to reach its server, build its storage and read an object back; its
 * storage-specific tests stay beside these.
 */
abstract class ReplayStorageContract {
    static final String SID = "77993207-ccb2-5332-bda2-4586e24c3166";
    /** JumpServer's keys for a session: a date folder, the session id, the kinds of object the worker writes. */
    static final List<String> SESSION_KEYS = List.of(
            "2025-11-18/" + SID + "/" + SID + ".0.part.mp4",
            "2025-11-18/" + SID + ".replay.mp4",
            "2025-11-18/" + SID + "/" + SID + ".replay.json",
            "2025-11-18/" + SID + ".replay.gz");

    @TempDir
    Path contractFiles;

    /** The local port the storage's server listens on; the outage test puts a relay in front of it. */
    abstract int serverPort() throws Exception;

    /** The storage, reaching its server through the local {@code port}, with its right secret or {@link #wrongSecret()}. */
    abstract ReplayStorage storage(int port, boolean rightSecret) throws Exception;

    /** A wrong secret of the right shape for this storage (the error must not repeat it). */
    abstract String wrongSecret();

    /** What the wrong-secret error says to point at the setting, e.g. {@code SECRET_KEY}. */
    abstract String wrongSecretHint();

    /** The object as the server holds it, or null when there is none. */
    abstract byte[] stored(String key) throws Exception;

    /**
     * Size of the large object: above the multipart threshold of {@link #storage} where it has one;
     * a storage without multipart takes it in one request.
     */
    long largeObjectSize() {
        return 12L << 20;
    }

    private Path content(String name, long size, long seed) throws IOException {
        byte[] data = new byte[Math.toIntExact(size)];
        new Random(seed).nextBytes(data);
        return Files.write(contractFiles.resolve(name), data);
    }

    private static void close(ReplayStorage s) throws Exception {
        if (s instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Test
    void sessionKeysArePutOverwrittenAndDeleted() throws Exception {
        ReplayStorage s = storage(serverPort(), true);
        try {
            int seed = 0;
            for (String key : SESSION_KEYS) {
                Path f = content("put-" + seed, 20_000 + 1000L * seed, seed++);
                s.put(key, f);
                assertThat(stored(key)).as(key).isEqualTo(Files.readAllBytes(f));
                assertThat(s.sizeOf(key)).isEqualTo(Files.size(f));
            }
            String key = SESSION_KEYS.get(1);
            Path shorter = content("shorter", 7_000, 99);
            s.put(key, shorter);
            assertThat(stored(key)).isEqualTo(Files.readAllBytes(shorter));
            assertThat(s.sizeOf(key)).isEqualTo(7_000);
            for (String k : SESSION_KEYS) {
                s.delete(k);
                assertThat(stored(k)).as(k).isNull();
                assertThat(s.sizeOf(k)).isEqualTo(-1);
            }
            s.delete(key); // absent: fine
        } finally {
            close(s);
        }
    }

    @Test
    void wrongSecretIsOneClearErrorWithoutTheSecret() throws Exception {
        String key = SESSION_KEYS.get(1);
        ReplayStorage s = storage(serverPort(), false);
        try {
            Path f = content("denied", 1000, 1);
            assertThatThrownBy(() -> s.put(key, f))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(wrongSecretHint())
                    .hasMessageNotContaining(wrongSecret())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(stored(key)).isNull();
        } finally {
            close(s);
        }
    }

    @Test
    void storageDownThenUpAgainTakesTheRetry() throws Exception {
        String key = SESSION_KEYS.get(0);
        Path f = content("outage", 30_000, 2);
        try (TcpRelay relay = new TcpRelay(serverPort())) {
            ReplayStorage s = storage(relay.port(), true);
            try {
                s.put(SESSION_KEYS.get(2), content("before", 100, 3)); // connections open before the outage
                relay.down();
                assertThatThrownBy(() -> s.put(key, f)).isInstanceOf(IOException.class);
                assertThat(stored(key)).isNull();
                relay.up();
                s.put(key, f);
                assertThat(stored(key)).isEqualTo(Files.readAllBytes(f));
                s.delete(key);
                s.delete(SESSION_KEYS.get(2));
            } finally {
                close(s);
            }
        }
    }

    @Test
    void largeObjectArrivesWhole() throws Exception {
        String key = SESSION_KEYS.get(1);
        ReplayStorage s = storage(serverPort(), true);
        try {
            Path big = content("big", largeObjectSize(), 4);
            s.put(key, big);
            assertThat(stored(key)).isEqualTo(Files.readAllBytes(big));
            assertThat(s.sizeOf(key)).isEqualTo(largeObjectSize());
            s.delete(key);
        } finally {
            close(s);
        }
    }
}

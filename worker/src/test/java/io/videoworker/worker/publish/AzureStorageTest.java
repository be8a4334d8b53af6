package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockList;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against Azurite, a real Blob service emulator, started here as a child process on a port the
 * OS picks. It is found as {@code azurite-blob} on PATH (where .ci/run installs it with
 * {@code npm install -g azurite@3.35.0}), in {@code node_modules/.bin} of the working folder or
 * one above it, or at the path in the AZURITE_BLOB environment variable. Missing, the server
 * tests fail under CI=true and are skipped elsewhere; the config tests always run.
 */
class AzureStorageTest extends ReplayStorageContract {
    /** Azurite's well-known development account (public, documented). */
    static final String ACCOUNT = "devstoreaccount1";
    static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Process azurite;
    private static String endpoint;
    private static BlobServiceClient service;
    private static final StringBuffer azuriteOutput = new StringBuffer();

    // ---- Azurite ----

    static Path findAzurite() {
        String explicit = System.getenv("AZURITE_BLOB");
        if (explicit != null && !explicit.isBlank() && Files.isExecutable(Path.of(explicit))) {
            return Path.of(explicit);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "azurite-blob"))) {
                    return Path.of(dir, "azurite-blob");
                }
            }
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("node_modules/.bin/azurite-blob");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Starts Azurite on first use; fails under CI when it is missing, else skips. */
    static synchronized BlobServiceClient azurite() throws Exception {
        if (service != null) {
            return service;
        }
        Path bin = findAzurite();
        if (bin == null) {
            String msg = "azurite-blob not found on PATH, in node_modules/.bin or at $AZURITE_BLOB;"
                    + " install it with: npm install -g azurite@3.35.0 (as .ci/run does)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        Path location = Files.createDirectories(tmp.resolve("azurite"));
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort", "0",
                "--location", location.toString(), "--silent", "--skipApiVersionCheck", "--disableTelemetry")
                .redirectErrorStream(true);
        azurite = pb.start();
        CompletableFuture<String> url = new CompletableFuture<>();
        Pattern listening = Pattern.compile("listens on (http://127\\.0\\.0\\.1:\\d+)");
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(azurite.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    azuriteOutput.append(line).append('\n');
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
            url.completeExceptionally(new IllegalStateException("azurite exited: " + azuriteOutput));
        }, "azurite-output");
        reader.setDaemon(true);
        reader.start();
        try {
            endpoint = url.get(30, TimeUnit.SECONDS) + "/" + ACCOUNT;
        } catch (Exception e) {
            stopAzurite();
            throw new IllegalStateException(bin + " did not start within 30 s: " + azuriteOutput, e);
        }
        service = new BlobServiceClientBuilder().endpoint(endpoint).httpClient(AzureStorage.httpClient())
                .credential(new StorageSharedKeyCredential(ACCOUNT, KEY)).buildClient();
        return service;
    }

    @AfterAll
    static void stopAzurite() throws InterruptedException {
        Process p = azurite;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        azurite = null;
        service = null;
    }

    static BlobContainerClient container(String name) throws Exception {
        BlobContainerClient c = azurite().getBlobContainerClient(name);
        c.createIfNotExists();
        return c;
    }

    static Path file(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return Files.write(tmp.resolve(name), b);
    }

    // ---- the storage contract, against Azurite ----

    private static final int CONTRACT_BLOCK = 64 * 1024;

    @Override
    int serverPort() throws Exception {
        azurite();
        return URI.create(endpoint).getPort();
    }

    @Override
    ReplayStorage storage(int port, boolean rightSecret) throws Exception {
        container("contract");
        return new AzureStorage("http://127.0.0.1:" + port + "/" + ACCOUNT, ACCOUNT, rightSecret ? KEY : wrongSecret(),
                "contract", CONTRACT_BLOCK);
    }

    @Override
    String wrongSecret() {
        return java.util.Base64.getEncoder().encodeToString(new byte[64]);
    }

    @Override
    String wrongSecretHint() {
        return "ACCOUNT_KEY";
    }

    @Override
    byte[] stored(String key) throws Exception {
        var blob = container("contract").getBlobClient(key);
        return blob.exists() ? blob.downloadContent().toBytes() : null;
    }

    @Override
    long largeObjectSize() {
        return 3L * CONTRACT_BLOCK + 5;
    }

    // ---- against Azurite ----

    @Test
    void putsSmallObjectInOneRequestAndReadsItBack() throws Exception {
        BlobContainerClient c = container("small");
        AzureStorage s = new AzureStorage(endpoint, ACCOUNT, KEY, "small", AzureStorage.DEFAULT_BLOCK_SIZE);
        Path f = file("small.mp4", 1000, 1);
        String key = "2025-11-18/77993207-ccb2-5332-bda2-4586e24c3166/77993207-ccb2-5332-bda2-4586e24c3166.0.part.mp4";

        s.put(key, f);

        var blob = c.getBlobClient(key);
        assertThat(blob.downloadContent().toBytes()).isEqualTo(Files.readAllBytes(f));
        assertThat(blob.getProperties().getContentType()).isEqualTo("video/mp4");
        assertThat(blob.getProperties().getBlobType().toString()).isEqualTo("BlockBlob");
    }

    @Test
    void putsLargeObjectAsCommittedBlocks() throws Exception {
        BlobContainerClient c = container("blocks");
        int block = 64 * 1024;
        AzureStorage s = new AzureStorage(endpoint, ACCOUNT, KEY, "blocks", block);
        Path f = file("blocks.mp4", 3 * block + 123, 2);

        s.put("d/sid/sid.replay.mp4", f);

        var blob = c.getBlobClient("d/sid/sid.replay.mp4").getBlockBlobClient();
        assertThat(blob.downloadContent().toBytes()).isEqualTo(Files.readAllBytes(f));
        BlockList list = blob.listBlocks(BlockListType.ALL);
        assertThat(list.getUncommittedBlocks()).isEmpty();
        assertThat(list.getCommittedBlocks()).extracting(Block::getSizeLong)
                .containsExactly((long) block, (long) block, (long) block, 123L);
    }

    @Test
    void defaultBlockSizeIsFourMebibytes() throws Exception {
        BlobContainerClient c = container("big");
        AzureStorage s = AzureStorage.fromConfig(config(ACCOUNT, KEY, "big", null));
        assertThat(s.blockSize()).isEqualTo(4L << 20);
        AzureStorage local = new AzureStorage(endpoint, ACCOUNT, KEY, "big", s.blockSize());
        Path f = file("big.mp4", (9 << 20) + 7, 3);

        local.put("k/big.mp4", f);

        var blob = c.getBlobClient("k/big.mp4").getBlockBlobClient();
        assertThat(blob.downloadContent().toBytes()).isEqualTo(Files.readAllBytes(f));
        assertThat(blob.listBlocks(BlockListType.COMMITTED).getCommittedBlocks()).extracting(Block::getSizeLong)
                .containsExactly(4L << 20, 4L << 20, (1L << 20) + 7);
    }

    @Test
    void overwritesBothWays() throws Exception {
        BlobContainerClient c = container("overwrite");
        AzureStorage s = new AzureStorage(endpoint, ACCOUNT, KEY, "overwrite", 32 * 1024);
        Path big = file("ow-big.json", 100_000, 4);
        Path small = file("ow-small.json", 10, 5);
        String key = "d/sid/sid.replay.json";

        s.put(key, small);
        s.put(key, big); // single-shot blob replaced by a block list
        assertThat(c.getBlobClient(key).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(big));
        s.put(key, small); // and back
        assertThat(c.getBlobClient(key).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(small));
        assertThat(c.getBlobClient(key).getProperties().getContentType()).isEqualTo("application/json");
    }

    @Test
    void deletesAndIgnoresMissingObjects() throws Exception {
        BlobContainerClient c = container("delete");
        AzureStorage s = new AzureStorage(endpoint, ACCOUNT, KEY, "delete", AzureStorage.DEFAULT_BLOCK_SIZE);
        s.put("d/sid.replay.gz", file("del.gz", 50, 6));
        assertThat(c.getBlobClient("d/sid.replay.gz").exists()).isTrue();

        s.delete("d/sid.replay.gz");
        assertThat(c.getBlobClient("d/sid.replay.gz").exists()).isFalse();
        s.delete("d/sid.replay.gz"); // again: no error
        s.delete("never/was.here");
        new AzureStorage(endpoint, ACCOUNT, KEY, "no-such-container", 1024).delete("x/y.gz");
    }

    @Test
    void wrongAccountKeyIsAClearErrorWithoutTheKey() throws Exception {
        container("wrongkey");
        String wrong = java.util.Base64.getEncoder().encodeToString(new byte[64]);
        AzureStorage s = new AzureStorage(endpoint, ACCOUNT, wrong, "wrongkey", AzureStorage.DEFAULT_BLOCK_SIZE);
        Path f = file("wk.mp4", 10, 7);

        assertThatThrownBy(() -> s.put("a/b.mp4", f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("access denied (HTTP 403")
                .hasMessageContaining("ACCOUNT_KEY")
                .hasMessageNotContaining(wrong);
        assertThatThrownBy(() -> s.delete("a/b.mp4")).isInstanceOf(IOException.class).hasMessageContaining("403");
    }

    @Test
    void missingContainerIsAClearErrorAndIsNotCreated() throws Exception {
        azurite();
        AzureStorage s = new AzureStorage(endpoint, ACCOUNT, KEY, "missing-container", AzureStorage.DEFAULT_BLOCK_SIZE);
        Path f = file("mc.mp4", 10, 8);

        assertThatThrownBy(() -> s.put("a/b.mp4", f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("container 'missing-container' does not exist")
                .hasMessageContaining("CONTAINER_NAME");
        assertThat(service.getBlobContainerClient("missing-container").exists()).isFalse();
    }

    // ---- config (no server) ----

    static ObjectNode config(String account, String key, String container, String suffix) {
        ObjectNode n = JSON.createObjectNode();
        n.put("TYPE", "azure");
        n.put("ACCOUNT_NAME", account);
        n.put("ACCOUNT_KEY", key);
        n.put("CONTAINER_NAME", container);
        n.put("ENDPOINT_SUFFIX", suffix);
        return n;
    }

    @Test
    void configBuildsJumpServersUrlWithoutSecrets() {
        assertThat(AzureStorage.fromConfig(config("myacct", KEY, "replays", null)).describe())
                .isEqualTo("azure blob storage https://myacct.blob.core.chinacloudapi.cn/replays")
                .doesNotContain(KEY);
        assertThat(AzureStorage.fromConfig(config("myacct", KEY, "replays", "core.windows.net")).describe())
                .isEqualTo("azure blob storage https://myacct.blob.core.windows.net/replays");
        ObjectNode noSuffix = config("myacct", KEY, "replays", null);
        noSuffix.remove("ENDPOINT_SUFFIX");
        assertThat(AzureStorage.fromConfig(noSuffix).describe()).contains("blob.core.chinacloudapi.cn");
    }

    @Test
    void configErrorsNameTheKey() {
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {config(null, KEY, "replays", null), "ACCOUNT_NAME is missing"});
        cases.add(new Object[] {config("My_Account", KEY, "replays", null), "ACCOUNT_NAME must be"});
        cases.add(new Object[] {config("myacct", null, "replays", null), "ACCOUNT_KEY is missing"});
        cases.add(new Object[] {config("myacct", "", "replays", null), "ACCOUNT_KEY is missing"});
        cases.add(new Object[] {config("myacct", KEY, null, null), "CONTAINER_NAME is missing"});
        cases.add(new Object[] {config("myacct", KEY, "Bad_Name", null), "CONTAINER_NAME is not a valid"});
        cases.add(new Object[] {config("myacct", KEY, "replays", "https://example/"), "ENDPOINT_SUFFIX"});
        for (Object[] c : cases) {
            assertThatThrownBy(() -> AzureStorage.fromConfig((ObjectNode) c[0]))
                    .as(c[1].toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining((String) c[1]);
        }
        String secret = "not*base64!secret";
        assertThatThrownBy(() -> AzureStorage.fromConfig(config("myacct", secret, "replays", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ACCOUNT_KEY is not valid base64")
                .hasMessageNotContaining(secret)
                .hasMessageNotContaining("*");
        assertThatThrownBy(() -> AzureStorage.fromConfig(JSON.nullNode()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesOddKeys() {
        AzureStorage s = AzureStorage.fromConfig(config("myacct", KEY, "replays", null));
        for (String k : new String[] {"", "/abs", "a/../b", "a//b", "a\\b", "dir/"}) {
            assertThatThrownBy(() -> s.delete(k)).as(k).isInstanceOf(IOException.class).hasMessageContaining("refusing");
        }
    }
}

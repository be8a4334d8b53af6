package io.videoworker.worker.publish;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * JumpServer's {@code azure} replay storage: block blobs at
 * {@code https://<ACCOUNT_NAME>.blob.<ENDPOINT_SUFFIX>/<CONTAINER_NAME>/<key>}, authorized with
 * the account's Shared Key.
 *
 * <p>A file larger than one block (4 MiB, as JumpServer's own components use) is uploaded as
 * 4 MiB blocks that are committed with one Put Block List at the end; a smaller file goes up
 * in one Put Blob. Either way the blob only appears, or is only replaced, once complete.
 * Uploading again overwrites.
 *
 * <p>The container must exist: it is not created, because a container that is missing means a
 * wrong CONTAINER_NAME (or a container core cannot read), and the put fails with a message
 * naming it. The Azure SDK runs on the JDK's HTTP client (no Netty).
 */
public final class AzureStorage implements ReplayStorage {
    /** JumpServer's default suffix (Azure China); {@code core.windows.net} is global Azure. */
    public static final String DEFAULT_ENDPOINT_SUFFIX = "core.chinacloudapi.cn";
    static final long DEFAULT_BLOCK_SIZE = 4L * 1024 * 1024;
    private static final int MAX_CONCURRENCY = 4;

    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("\\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");

    private final String endpoint;
    private final String accountName;
    private final String containerName;
    private final long blockSize;
    private final BlobContainerClient container;

    /**
     * @param endpointSuffix e.g. {@code core.windows.net}; null or blank means
     *                       {@link #DEFAULT_ENDPOINT_SUFFIX}
     * @throws IllegalArgumentException naming the parameter (by its JumpServer key) that is invalid
     */
    public AzureStorage(String accountName, String accountKey, String containerName, String endpointSuffix) {
        this(serviceEndpoint(accountName, endpointSuffix), accountName, accountKey, containerName, DEFAULT_BLOCK_SIZE);
    }

    /**
     * With a full service endpoint, for emulators such as Azurite
     * ({@code http://127.0.0.1:10000/devstoreaccount1}) and tests that need small blocks.
     */
    AzureStorage(String endpointUrl, String accountName, String accountKey, String containerName, long blockSize) {
        this.accountName = checkAccount(accountName);
        this.containerName = checkContainer(containerName);
        byte[] key = checkKey(accountKey);
        if (blockSize < 1 || blockSize > 4000L * 1024 * 1024) {
            throw new IllegalArgumentException("block size out of range: " + blockSize);
        }
        if (endpointUrl == null || !endpointUrl.matches("https?://[^/?#@\\s]+(/[^?#\\s]*)?")) {
            throw new IllegalArgumentException("invalid blob service endpoint URL: " + endpointUrl);
        }
        this.endpoint = endpointUrl.replaceAll("/+$", "");
        this.blockSize = blockSize;
        this.container = new BlobServiceClientBuilder()
                .endpoint(endpoint)
                .credential(new StorageSharedKeyCredential(this.accountName, Base64.getEncoder().encodeToString(key)))
                .httpClient(Http.CLIENT)
                // a few retries for 5xx, timeouts and broken connections; 4xx (such as a wrong key) fail at once
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 4,
                        Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(30), null))
                .buildClient()
                .getBlobContainerClient(this.containerName);
    }

    /**
     * From JumpServer's TERMINAL_REPLAY_STORAGE object: {@code CONTAINER_NAME}, {@code ACCOUNT_NAME},
     * {@code ACCOUNT_KEY} and {@code ENDPOINT_SUFFIX} (null or missing: core.chinacloudapi.cn).
     *
     * @throws IllegalArgumentException naming the missing or invalid key (never its value if secret)
     */
    public static AzureStorage fromConfig(JsonNode cfg) {
        if (cfg == null || !cfg.isObject()) {
            throw new IllegalArgumentException("azure storage config is not a JSON object");
        }
        return new AzureStorage(StorageSupport.raw(cfg, "ACCOUNT_NAME"), StorageSupport.raw(cfg, "ACCOUNT_KEY"), StorageSupport.raw(cfg, "CONTAINER_NAME"),
                StorageSupport.raw(cfg, "ENDPOINT_SUFFIX"));
    }

    @Override
    public void put(String key, Path file) throws IOException {
        StorageKey.check(key);
        BlobClient blob = container.getBlobClient(key);
        ParallelTransferOptions transfer = new ParallelTransferOptions()
                .setBlockSizeLong(blockSize)
                .setMaxSingleUploadSizeLong(blockSize)
                .setMaxConcurrency(MAX_CONCURRENCY);
        BlobHttpHeaders headers = new BlobHttpHeaders().setContentType(contentType(key));
        if (!Files.isRegularFile(file)) {
            throw new IOException("not a file: " + file);
        }
        try {
            // no request conditions: an existing blob is replaced when the block list is committed
            blob.uploadFromFile(file.toString(), transfer, headers, null, null, null, null);
        } catch (RuntimeException e) {
            throw failure("put", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        StorageKey.check(key);
        try {
            container.getBlobClient(key).deleteIfExists(); // a missing blob or container is fine
        } catch (RuntimeException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public long sizeOf(String key) throws IOException {
        StorageKey.check(key);
        try {
            return container.getBlobClient(key).getProperties().getBlobSize();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) { // no blob (or no container): nothing there
                return -1;
            }
            throw failure("size", key, e);
        } catch (RuntimeException e) {
            throw failure("size", key, e);
        }
    }

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public String describe() {
        return "azure blob storage " + endpoint + "/" + containerName;
    }

    long blockSize() {
        return blockSize;
    }

    private IOException failure(String op, String key, RuntimeException e) {
        String where = "azure " + op + " of '" + key + "' in " + endpoint + "/" + containerName;
        BlobStorageException bse = find(e, BlobStorageException.class);
        if (bse != null) {
            BlobErrorCode code = bse.getErrorCode();
            int status = bse.getStatusCode();
            String why;
            if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
                why = "container '" + containerName + "' does not exist in account '" + accountName
                        + "' (check CONTAINER_NAME; the worker does not create containers)";
            } else if (status == 403 || BlobErrorCode.AUTHENTICATION_FAILED.equals(code)) {
                why = "access denied (HTTP " + status + (code == null ? "" : " " + code)
                        + "): check ACCOUNT_NAME and ACCOUNT_KEY";
            } else {
                why = "HTTP " + status + (code == null ? "" : " " + code);
            }
            return new IOException(where + " failed: " + why, e);
        }
        IOException io = find(e, IOException.class);
        String msg = io != null ? io.toString() : e.toString();
        return new IOException(where + " failed: " + msg, e);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static String contentType(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.endsWith(".mp4")) {
            return "video/mp4";
        } else if (k.endsWith(".json")) {
            return "application/json";
        } else if (k.endsWith(".gz")) {
            return "application/gzip";
        }
        return "application/octet-stream";
    }

    private static String serviceEndpoint(String accountName, String endpointSuffix) {
        String account = checkAccount(accountName);
        String suffix = endpointSuffix == null ? "" : endpointSuffix.trim();
        if (suffix.isEmpty()) {
            suffix = DEFAULT_ENDPOINT_SUFFIX;
        }
        if (!HOST.matcher(suffix).matches()) {
            throw new IllegalArgumentException("ENDPOINT_SUFFIX is not a host name suffix such as core.windows.net: " + suffix);
        }
        return "https://" + account + ".blob." + suffix.toLowerCase(Locale.ROOT);
    }

    private static String checkAccount(String accountName) {
        if (accountName == null || accountName.isBlank()) {
            throw new IllegalArgumentException("ACCOUNT_NAME is missing");
        }
        String a = accountName.trim();
        if (!ACCOUNT.matcher(a).matches()) {
            throw new IllegalArgumentException("ACCOUNT_NAME must be 3 to 24 lower-case letters and digits: " + a);
        }
        return a;
    }

    private static String checkContainer(String containerName) {
        if (containerName == null || containerName.isBlank()) {
            throw new IllegalArgumentException("CONTAINER_NAME is missing");
        }
        String c = containerName.trim();
        if (!CONTAINER.matcher(c).matches()) {
            throw new IllegalArgumentException("CONTAINER_NAME is not a valid container name"
                    + " (3 to 63 lower-case letters, digits and single hyphens): " + c);
        }
        return c;
    }

    private static byte[] checkKey(String accountKey) {
        if (accountKey == null || accountKey.isBlank()) {
            throw new IllegalArgumentException("ACCOUNT_KEY is missing");
        }
        byte[] k;
        try {
            k = Base64.getDecoder().decode(accountKey.trim());
        } catch (IllegalArgumentException e) {
            // the decoder's message can quote the offending character: keep the secret out of it
            throw new IllegalArgumentException("ACCOUNT_KEY is not valid base64 (it is the storage account's access key)");
        }
        if (k.length == 0) {
            throw new IllegalArgumentException("ACCOUNT_KEY is empty after base64 decoding");
        }
        return k;
    }

    /** The HTTP client all instances share (one connection pool and selector thread). */
    static HttpClient httpClient() {
        return Http.CLIENT;
    }

    private static final class Http {
        static {
            // azure-core sets Content-Length on every request, and its JDK client warns each time
            // that the JDK computes that header itself: keep the log readable unless configured
            StorageSupport.errorsOnlyUnlessConfigured("com.azure.core.http.jdk.httpclient.JdkHttpClient");
        }

        static final HttpClient CLIENT = new JdkHttpClientBuilder()
                .connectionTimeout(Duration.ofSeconds(30))
                .writeTimeout(Duration.ofMinutes(2))
                .responseTimeout(Duration.ofMinutes(2))
                .readTimeout(Duration.ofMinutes(2))
                .build();
    }
}

package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.function.Function;

/**
 * External replay storages by JumpServer's TYPE name (core's own "server" storage is separate).
 * Ceph, Swift, COS and OBS speak the S3 API.
 */
public final class Storages {
    private Storages() {
    }

    public static final Map<String, Function<JsonNode, ReplayStorage>> EXTERNAL = Map.of(
            "s3", S3Storage::fromConfig,
            "ceph", S3Storage::fromConfig,
            "swift", S3Storage::fromConfig,
            "cos", S3Storage::fromConfig,
            "oss", OssStorage::fromConfig,
            "obs", S3Storage::fromConfig,
            "azure", AzureStorage::fromConfig,
            "sftp", SftpStorage::fromConfig);
}

package io.videoworker.worker.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.publish.ReplayStorage;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The replay storage core assigns to this worker, read from the terminal config right before
 * each publish (D-10). A missing or unknown TYPE means core's "server" storage; "null" too, with
 * a warning, because the sender's copy is already gone. The config used is kept in the task,
 * sealed, so a retry can still publish to external storage while core is unreachable.
 */
public final class TerminalStorageResolver implements StorageResolver {
    private final CoreClient core;
    private final SecretBox secrets;
    private final Map<String, Function<JsonNode, ReplayStorage>> external;
    private final boolean sftpDirect;

    /**
     * @param external   storage factories by lower-case TYPE (s3, oss, azure, sftp, ...)
     * @param sftpDirect whether an "sftp" storage is uploaded to (VIDEO_WORKER_SFTP_REPLAY=direct)
     *                   rather than replaced by core's server storage
     */
    public TerminalStorageResolver(CoreClient core, SecretBox secrets, Map<String, Function<JsonNode, ReplayStorage>> external,
            boolean sftpDirect) {
        this.core = core;
        this.secrets = secrets;
        this.external = external;
        this.sftpDirect = sftpDirect;
    }

    @Override
    public Resolution resolve(String sealedBefore, TaskLog log) throws IOException {
        JsonNode storage;
        String sealed;
        try {
            storage = core.json("GET", "/api/v1/terminal/terminals/config/", null).path("TERMINAL_REPLAY_STORAGE");
            sealed = storage.isMissingNode() ? null : secrets.seal(storage.toString());
        } catch (CoreException e) {
            if (sealedBefore == null) {
                throw e;
            }
            try {
                storage = CoreClient.JSON.readTree(secrets.open(sealedBefore));
            } catch (GeneralSecurityException g) {
                throw new IOException("cannot read the terminal config (" + e.getMessage()
                        + ") and the saved storage config does not open with this worker's secret key", g);
            }
            sealed = sealedBefore;
            log.warn("terminal config unavailable (" + e.getMessage() + "); using the storage config saved with the task");
        }
        return new Resolution(storage(storage, log), sealed);
    }

    private ReplayStorage storage(JsonNode storage, TaskLog log) throws IOException {
        String type = storage.path("TYPE").isTextual() ? storage.path("TYPE").asText().toLowerCase(Locale.ROOT) : "";
        if (type.equals("null")) {
            log.warn("replay storage type is 'null' (do not store), but the sender's copy is gone: publishing to core's server storage instead");
            return new CoreStorage(core);
        }
        if (type.equals("sftp") && !sftpDirect) {
            log.info("replay storage type is 'sftp': publishing to core's server storage, as Lion and Koko do, because core"
                    + " cannot play replays from SFTP (VIDEO_WORKER_SFTP_REPLAY=direct uploads to the SFTP server instead)");
            return new CoreStorage(core);
        }
        Function<JsonNode, ReplayStorage> factory = external.get(type);
        if (factory == null) {
            if (!type.isEmpty() && !type.equals("server")) {
                log.warn("unknown replay storage type '" + type + "'; publishing to core's server storage");
            }
            return new CoreStorage(core);
        }
        try {
            ReplayStorage s = factory.apply(storage);
            if (type.equals("sftp")) {
                log.warn("publishing to SFTP as VIDEO_WORKER_SFTP_REPLAY=direct asks; core cannot play replays from SFTP storage");
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new IOException("replay storage '" + type + "' is misconfigured: " + e.getMessage(), e);
        }
    }
}

package io.videoworker.worker;

import io.videoworker.worker.api.ApiServer;
import io.videoworker.worker.auth.Authenticator;
import io.videoworker.worker.auth.CoreProfileAuthenticator;
import io.videoworker.worker.auth.LocalKeyAuthenticator;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.core.CoreClient;
import io.videoworker.worker.core.CoreReporter;
import io.videoworker.worker.core.Heartbeat;
import io.videoworker.worker.core.Registration;
import io.videoworker.worker.core.SecretBox;
import io.videoworker.worker.core.TerminalStorageResolver;
import io.videoworker.worker.publish.Storages;
import io.videoworker.worker.pool.TaskService;
import io.videoworker.worker.publish.LocalStorage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running worker: spool, task pool and HTTP API, wired from a {@link WorkerConfig}. */
public final class Service implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Service.class);

    private final WorkerConfig config;
    private TaskService tasks;
    private ApiServer api;
    private Heartbeat heartbeat;

    public Service(WorkerConfig config) {
        this.config = config;
    }

    public Service start() throws IOException {
        LOG.info("starting: {}", config.describe());
        for (Path dir : List.of(config.keysDir(), config.tasksDir(), config.replaysDir())) {
            createPrivate(dir);
        }
        Spool spool = new Spool(config.tasksDir());
        Authenticator auth;
        CoreClient core = null;
        if (config.standalone()) {
            auth = new LocalKeyAuthenticator(ensureLocalKeys());
            tasks = new TaskService(config, spool, StorageResolver.fixed(new LocalStorage(config.replaysDir())),
                    SessionReporter.LOG_ONLY);
        } else {
            core = new CoreClient(config.coreHost(), config.ignoreVerifyCerts());
            try {
                new Registration(core, config.name(), config.bootstrapToken(), config.keysDir(), 10, Duration.ofSeconds(5)).ensure();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while registering with core", e);
            }
            auth = new CoreProfileAuthenticator(core.http(), config.coreHost());
            SecretBox secrets = SecretBox.of(config.secretKey(), config.keysDir());
            tasks = new TaskService(config, spool, new TerminalStorageResolver(core, secrets, Storages.EXTERNAL),
                    new CoreReporter(core));
        }
        tasks.start();
        if (core != null) {
            heartbeat = new Heartbeat(core, tasks::busy, config.dataDir(), Duration.ofSeconds(30), Duration.ofSeconds(10)).start();
        }
        api = new ApiServer(tasks, auth).start(config.bindHost(), config.port());
        LOG.info("listening on {}:{}", config.bindHost(), api.port());
        return this;
    }

    public int port() {
        return api.port();
    }

    public TaskService tasks() {
        return tasks;
    }

    public ApiServer api() {
        return api;
    }

    /**
     * Recordings show privileged sessions: the folders holding them (and the keys) are created
     * 0700, so other local users cannot reach a file inside whatever the umask. A folder that
     * exists keeps the mode the operator gave it.
     */
    private static void createPrivate(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir); // not a POSIX filesystem
        } catch (FileAlreadyExistsException e) {
            // created meanwhile by another process: its mode stands
        }
    }

    /** Stand-alone callers need a key: create one on first start and say where it is. */
    private Path ensureLocalKeys() throws IOException {
        Path file = config.keysDir().resolve("access_keys");
        if (!Files.exists(file)) {
            SecureRandom r = new SecureRandom();
            byte[] id = new byte[8];
            byte[] secret = new byte[24];
            r.nextBytes(id);
            r.nextBytes(secret);
            // private from its first byte: created 0600, then written, then renamed into place
            Path tmp = file.resolveSibling(".access_keys.tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp); // not a POSIX filesystem
            }
            Files.writeString(tmp, "# id:secret, one per line; callers sign as Lion does\n"
                    + HexFormat.of().formatHex(id) + ":" + HexFormat.of().formatHex(secret) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("generated an access key for callers in {}", file);
        }
        return file;
    }

    @Override
    public void close() {
        if (heartbeat != null) {
            heartbeat.close();
        }
        if (api != null) {
            api.close();
        }
        if (tasks != null) {
            tasks.close();
        }
    }
}

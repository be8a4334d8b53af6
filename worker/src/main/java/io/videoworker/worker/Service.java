package io.videoworker.worker;

import io.videoworker.worker.admin.AdminToken;
import io.videoworker.worker.admin.StatusPages;
import io.videoworker.worker.api.ApiServer;
import io.videoworker.worker.auth.Authenticator;
import io.videoworker.worker.auth.CoreProfileAuthenticator;
import io.videoworker.worker.auth.KeyFileMode;
import io.videoworker.worker.auth.LocalKeyAuthenticator;
import io.videoworker.worker.auth.PrivateFile;
import io.videoworker.worker.cluster.ClusterNodes;
import io.videoworker.worker.cluster.ClusterSecret;
import io.videoworker.worker.cluster.Database;
import io.videoworker.worker.cluster.Leases;
import io.videoworker.worker.config.ConfigException;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.api.Health;
import io.videoworker.worker.core.CoreClient;
import io.videoworker.worker.core.CoreLink;
import io.videoworker.worker.core.CoreReporter;
import io.videoworker.worker.core.Heartbeat;
import io.videoworker.worker.core.Registration;
import io.videoworker.worker.core.SecretBox;
import io.videoworker.worker.core.TerminalStorageResolver;
import io.videoworker.worker.publish.Storages;
import io.videoworker.worker.metrics.WorkerMetrics;
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
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running worker: spool, task pool and HTTP API, wired from a {@link WorkerConfig}. */
public final class Service implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Service.class);

    private final WorkerConfig config;
    private final long startedAt = System.currentTimeMillis();
    private TaskService tasks;
    private volatile ApiServer api;
    private CoreLink link;
    private WorkerMetrics metrics;
    private volatile Heartbeat heartbeat;
    /** Cluster mode only: the task database and this node's leases. */
    private Database database;
    private Leases leases;
    private ClusterNodes nodes;
    private Runnable onFatal = () -> System.exit(2);
    private volatile boolean closed;
    /** First pause after a failed registration; it doubles up to the cap. */
    private Duration registrationFirstPause = Duration.ofSeconds(1);
    private Duration registrationMaxPause = Duration.ofMinutes(1);

    public Service(WorkerConfig config) {
        this.config = config;
    }

    /** Other registration pauses than 1 s doubling to 1 min (tests: hours of retrying in seconds). */
    public Service registrationBackoff(Duration first, Duration max) {
        this.registrationFirstPause = first;
        this.registrationMaxPause = max;
        return this;
    }

    /**
     * Opens the spool, resumes its tasks and listens, in the first seconds whatever core does:
     * registration with core goes on in the background ({@link CoreLink}).
     */
    public Service start() throws IOException {
        LOG.info("video-worker {} starting: mode {}, data dir {}, listen {}:{}, {} conversions at once",
                Version.current(), config.standalone() ? "stand-alone (local storage)" : "core " + config.coreHost(),
                config.dataDir(), config.bindHost(), config.port(), config.effectiveWorkers());
        LOG.info("configuration: {}", config.describe());
        for (Path dir : List.of(config.keysDir(), config.tasksDir(), config.replaysDir())) {
            createPrivate(dir);
        }
        AdminToken adminToken = AdminToken.load(config); // a bad token file stops the start before any task resumes
        Spool spool = new Spool(config.tasksDir());
        if (config.clustered()) {
            joinCluster();
        }
        Authenticator auth;
        StorageResolver storages;
        SessionReporter reporter;
        java.util.function.Supplier<String> coreNotReady;
        if (config.standalone()) {
            auth = new LocalKeyAuthenticator(ensureLocalKeys());
            storages = StorageResolver.fixed(new LocalStorage(config.replaysDir()));
            reporter = SessionReporter.LOG_ONLY;
            coreNotReady = () -> null;
        } else {
            CoreClient core = new CoreClient(config.coreHost(), config.ignoreVerifyCerts());
            link = new CoreLink(new Registration(core, config.name(), config.bootstrapToken(), config.nodeKeysDir()),
                    config.coreHost(), registrationFirstPause, registrationMaxPause, key -> startHeartbeat(core));
            auth = new CoreProfileAuthenticator(core.http(), config.coreHost());
            SecretBox secrets = SecretBox.of(config.secretKey(), config.keysDir());
            storages = new TerminalStorageResolver(core, secrets, Storages.EXTERNAL, config.sftpDirect());
            reporter = new CoreReporter(core);
            coreNotReady = link::notReady;
        }
        tasks = database == null ? new TaskService(config, spool, storages, reporter, coreNotReady)
                : TaskService.clustered(config, spool, storages, reporter, coreNotReady, database, leases);
        metrics = new WorkerMetrics(new WorkerMetrics.Sources(tasks, config.effectiveWorkers(), this::spoolFreeBytes,
                config.spoolReserveBytes(), this::coreState, () -> link == null ? 0 : link.lastHeartbeatAt(), () -> api == null ? 0 : api.uploadsInProgress()),
                java.time.Clock.systemUTC());
        tasks.start();
        StatusPages status = new StatusPages(tasks, spool, this::health, config.effectiveWorkers(), adminToken, Clock.systemUTC());
        api = new ApiServer(tasks, auth, this::health, status).withMetrics(metrics::scrape, config.metricsToken())
                .start(config.bindHost(), config.port());
        LOG.info("listening on {}:{}", config.bindHost(), api.port());
        if (link != null) {
            link.start();
        }
        return this;
    }

    /**
     * Cluster mode: the database's pool, this node's leases and its beat. With the database up, its
     * schema is migrated and this node's secret key checked before anything else starts (a wrong
     * key stops the start). With it down, the node starts anyway and says so (health, 503 for new
     * work); a thread waits for the database, then migrates and checks the key, and a wrong key
     * then stops the service ({@link #onFatal}).
     */
    private void joinCluster() throws IOException {
        database = Database.pool(config.cluster(), config.effectiveWorkers() + 12);
        if (database.migrate()) {
            verifySecret();
        } else {
            LOG.warn("database {}: unreachable at start ({}); listening anyway: new tasks are refused until it is back",
                    database.describe(), database.problem());
            Thread waiter = new Thread(() -> {
                try {
                    database.awaitReady();
                    verifySecret();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    LOG.error("cannot join the cluster: {}", e.getMessage());
                    onFatal.run();
                }
            }, "db-wait");
            waiter.setDaemon(true);
            waiter.start();
        }
        byte[] life = new byte[4];
        new SecureRandom().nextBytes(life);
        String instance = HexFormat.of().formatHex(life);
        leases = new Leases(database, config.name() + "#" + instance, config.cluster().lease());
        nodes = new ClusterNodes(database, config.name(), instance, Version.current(), config.cluster().lease());
        LOG.info("cluster mode: tasks in {}, this node's leases as {}", database.describe(), leases.owner());
    }

    private void verifySecret() throws IOException {
        try {
            ClusterSecret.verify(database, config.secretKey());
        } catch (ConfigException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** What a fatal condition found after start does (a wrong secret key once the database is back): exit 2 by default. */
    public Service onFatal(Runnable action) {
        this.onFatal = action;
        return this;
    }

    private synchronized void startHeartbeat(CoreClient core) {
        if (!closed) {
            heartbeat = new Heartbeat(core, tasks::busy, config.dataDir(), Duration.ofSeconds(30), Duration.ofSeconds(10))
                    .reportingTo(link::heartbeat).start();
        }
    }

    /** What health reports: the component's state for an operator or an orchestrator. */
    private Health health() {
        long oldest = tasks.oldestQueuedAt();
        return new Health(Version.current(), config.standalone() ? "standalone" : "core", coreState(),
                link == null ? null : link.problem(), database == null ? null : database.problem() == null ? "ok" : "unreachable",
                database == null ? null : database.problem(), nodes == null ? null : nodes.alive(), tasks.queued(),
                oldest == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - oldest) / 1000), tasks.converting(), spoolFreeBytes(),
                (System.currentTimeMillis() - startedAt) / 1000);
    }

    /** standalone, or the worker's standing with core (registering, unreachable, refused, ok). */
    private String coreState() {
        return config.standalone() ? "standalone" : link.state().json();
    }

    /** Free bytes on the spool's filesystem, or -1 when it cannot be read. */
    private long spoolFreeBytes() {
        try {
            return Files.getFileStore(config.tasksDir()).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Waits until core has accepted the worker (stand-alone: at once); false if it has not within
     * {@code timeout}.
     */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (link != null && !link.registered()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
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

    /**
     * Stand-alone callers need a key: create one on first start and say where it is. A key file
     * other local users can read (or a folder they can write) is used, with one warning saying
     * how to close it.
     */
    private Path ensureLocalKeys() throws IOException {
        Path file = config.keysDir().resolve("access_keys");
        if (!Files.exists(file)) {
            SecureRandom r = new SecureRandom();
            byte[] id = new byte[8];
            byte[] secret = new byte[24];
            r.nextBytes(id);
            r.nextBytes(secret);
            PrivateFile.write(file, "# id:secret, one per line; callers sign as Lion does\n"
                    + HexFormat.of().formatHex(id) + ":" + HexFormat.of().formatHex(secret) + "\n");
            LOG.info("generated an access key for callers in {}", file);
        }
        // warned, not refused: the keys still work, and refusing to start would stop a working site
        String exposed = KeyFileMode.problem(file);
        if (exposed != null) {
            LOG.warn("caller keys: {}", exposed);
        }
        return file;
    }

    /** Stops taking requests first, then the pool; unfinished tasks resume at the next start. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (link != null) {
            link.close();
        }
        if (heartbeat != null) {
            heartbeat.close();
        }
        if (api != null) {
            api.close();
        }
        if (tasks != null) {
            tasks.close();
        }
        if (leases != null) {
            leases.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (database != null) {
            database.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}

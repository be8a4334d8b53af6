package io.videoworker.worker.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from Debian's package ({@code /usr/lib/postgresql/<major>/bin}, highest
 * major), in a fresh cluster of its own folder: {@code data/} (PGDATA), {@code socket/} (its unix
 * socket, for the superuser {@code postgres}, trusted there) and {@code postgres.log}. Over TCP
 * (127.0.0.1 only, a free port) every role needs its scram-sha-256 password; the application's role
 * {@code videoworker} owns the database {@code videoworker}.
 *
 * <p>initdb and postgres refuse to run as root: as root the commands run through
 * {@code runuser -u postgres --} and the folder is handed to that user.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Path VERSIONS = Path.of("/usr/lib/postgresql");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final String DATABASE = "videoworker";
    private static final String ROLE = "videoworker";
    private static final String SUPERUSER = "postgres";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path bin;
    private final Path dir;
    private final int port;
    private final String password;
    private final Thread exitHook;

    private PostgresServer(Path bin, Path dir, int port, String password) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.password = password;
        // pg_ctl detaches the server from this JVM: without the hook a crashed test run would leave it behind.
        this.exitHook = new Thread(this::killQuietly, "postgres-exit-hook");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /** Whether the server binaries, psql and (as root) the postgres user to run them are present. */
    public static boolean available() {
        if (binDir().isEmpty()) {
            return false;
        }
        return !ROOT || postgresUserExists();
    }

    /**
     * Initialises a new cluster in {@code dir} (created if needed, must be empty) and starts it. Fails
     * the test under CI=true when PostgreSQL is missing, else skips it. {@link #close()} deletes
     * {@code dir}. As root, {@code dir} is chowned to postgres and its parents get o+x so that postgres
     * can reach it (JUnit's @TempDir is 0700): prefer a folder of its own under /tmp, e.g.
     * {@code Files.createTempDirectory("video-worker-postgres-")}. Keep the path short: the unix socket
     * inside it must fit in 107 bytes.
     */
    public static PostgresServer start(Path dir) throws IOException {
        LocalProcess.require(available(), "PostgreSQL test",
                "no PostgreSQL server under " + VERSIONS + "/<major>/bin (or, as root, no postgres user)", "postgresql");
        Files.createDirectories(dir);
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("not an empty folder for a new cluster: " + dir);
            }
        }
        Files.createDirectories(dir.resolve("socket"));
        if (ROOT) {
            handToPostgres(dir);
        }
        PostgresServer server = new PostgresServer(binDir().orElseThrow(), dir.toAbsolutePath(),
                LocalProcess.freePort(), randomPassword());
        try {
            server.initialise();
            server.start();
            server.superuserSql("postgres", "CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + server.password + "'");
            server.superuserSql("postgres", "CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String user() {
        return ROLE;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /** Starts the server on its folder and port (again, after {@link #stop()} or {@link #kill()}: data kept). */
    public void start() {
        removeStalePidFile();
        pg("pg_ctl start", "pg_ctl", "start", "-w", "-t", "30", "-D", data().toString(), "-l", log().toString());
    }

    /** A clean shutdown (fast: open sessions are ended), as for a planned database outage. */
    public void stop() {
        pg("pg_ctl stop", "pg_ctl", "stop", "-w", "-t", "30", "-m", "fast", "-D", data().toString());
    }

    /**
     * A crash: SIGKILL of the postmaster and of every server process under it at once, so that no
     * backend finishes anything after the postmaster is gone. Only what was committed (and so
     * fsynced) survives; {@link #start()} runs crash recovery.
     */
    public void kill() {
        ProcessHandle postmaster = postmaster().orElseThrow(() -> new IllegalStateException(
                "kill(): the PostgreSQL server is not running\n" + logTail()));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(0, postmaster);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            p.onExit().join();
        }
    }

    /** Whether the postmaster named in {@code postmaster.pid} is alive. */
    public boolean running() {
        return postmaster().isPresent();
    }

    /**
     * Runs {@code sql} with Debian's psql as the superuser in the database videoworker and returns
     * its output, unaligned and without headers (one row a line, columns split by '|'), trimmed.
     */
    public String psql(String sql) {
        return superuserSql(DATABASE, sql);
    }

    /** Stops the server (or kills it if a stop fails) and deletes its folder. */
    @Override
    public void close() {
        try {
            if (running()) {
                try {
                    stop();
                } catch (RuntimeException e) {
                    kill();
                }
            }
        } finally {
            removeExitHook();
            deleteTree(dir);
        }
    }

    private void initialise() {
        Path pwfile = dir.resolve("superuser.pw");
        write(pwfile, randomPassword() + "\n");
        // --no-sync only skips flushing the template files once; the server itself runs with fsync=on.
        pg("initdb", "initdb", "-D", data().toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C",
                "--no-instructions", "--no-sync");
        String overrides = String.join("\n",
                "",
                "# video-worker test cluster (PostgresServer)",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + dir.resolve("socket") + "'",
                "fsync = on",
                "synchronous_commit = on",
                "shared_buffers = 16MB",
                "max_connections = 100",
                "logging_collector = off",
                "log_destination = 'stderr'",
                "");
        // appended by the JVM: the file stays the server user's, only its content grows
        append(data().resolve("postgresql.conf"), overrides);
        delete(pwfile);
    }

    private String superuserSql(String database, String sql) {
        return pg("psql " + sql, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", dir.resolve("socket").toString(), "-p", String.valueOf(port), "-U", SUPERUSER,
                "-d", database, "-c", sql).trim();
    }

    /** Runs a PostgreSQL program as the server's user; a failure names what failed, its output and the server log's tail. */
    private String pg(String what, String program, String... args) {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        LocalProcess.Result r = LocalProcess.run(dir, COMMAND_TIMEOUT, command);
        if (r.exit() != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.exit() + "):\n" + r.output().strip()
                    + "\n--- tail of " + log() + ":\n" + logTail());
        }
        return r.output();
    }

    private Optional<ProcessHandle> postmaster() {
        Path pidFile = data().resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        String first = LocalProcess.read(pidFile).lines().findFirst().orElse("").strip();
        if (first.isEmpty()) {
            return Optional.empty(); // being written right now
        }
        return ProcessHandle.of(Long.parseLong(first)).filter(ProcessHandle::isAlive);
    }

    /** After a kill the pid file stays; postgres would trust it if its pid was reused meanwhile. */
    private void removeStalePidFile() {
        Path pidFile = data().resolve("postmaster.pid");
        if (Files.exists(pidFile) && postmaster().isEmpty()) {
            try {
                Files.delete(pidFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the stale " + pidFile, e);
            }
        }
    }

    private void killQuietly() {
        try {
            if (running()) {
                kill();
            }
        } catch (RuntimeException ignored) {
            // the JVM is ending; nothing better to do
        }
    }

    private void removeExitHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook runs anyway
        }
    }

    private String logTail() {
        return LocalProcess.tail(log(), 30);
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path log() {
        return dir.resolve("postgres.log");
    }

    /** The bin folder of the highest PostgreSQL major installed, if any. */
    private static Optional<Path> binDir() {
        if (!Files.isDirectory(VERSIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> majors = Files.list(VERSIONS)) {
            return majors.filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .map(p -> p.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb"))
                            && Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("psql")))
                    .max(Comparator.comparingDouble(b -> Double.parseDouble(b.getParent().getFileName().toString())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean postgresUserExists() {
        return LocalProcess.run(Path.of("/"), Duration.ofSeconds(10), List.of("id", "-u", "postgres")).exit() == 0;
    }

    /** As root: postgres owns the folder and may traverse every parent on the way to it. */
    private static void handToPostgres(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        LocalProcess.Result chown = LocalProcess.run(Path.of("/"), COMMAND_TIMEOUT,
                List.of("chown", "-R", "postgres:postgres", abs.toString()));
        if (chown.exit() != 0) {
            throw new IllegalStateException("cannot hand " + abs + " to the postgres user: " + chown.output());
        }
        for (Path p = abs.getParent(); p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
                Files.setPosixFilePermissions(p, perms); // search only, not listing
            }
        }
    }

    private static String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Written by root it is root's, but readable by postgres (0644 under the usual umask) in postgres's folder. */
    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the cluster folder " + dir, e);
        }
    }
}

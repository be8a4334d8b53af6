package io.videoworker.worker.spool;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable task spool: {@code tasks/<id>/task.json} (written by atomic rename), {@code in/}
 * (received files), {@code out/} (results of a conversion that succeeded), {@code converting-*}
 * (the output of the conversion running now) and {@code task.log}.
 */
public final class Spool {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static final String STAGING = "converting-";
    /** Not a task id, so {@link #all} and {@link #sweep} pass it by. */
    public static final String BY_SESSION = "by-session";
    /** Newest first: created later, then the larger id (so two tasks of the same millisecond still have an order). */
    private static final Comparator<Task> NEWEST_FIRST =
            Comparator.comparingLong((Task t) -> t.createdAt).thenComparing(t -> t.id).reversed();

    private final Path root;
    private String lastLinkTrouble;

    public Spool(Path tasksDir) throws IOException {
        this.root = Files.createDirectories(tasksDir);
    }

    /** The folder that holds the task folders. */
    public Path root() {
        return root;
    }

    /** Task ids are UUIDs; anything else never reaches the filesystem. */
    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public Path dir(String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException("not a task id: " + Untrusted.quote(id));
        }
        return root.resolve(id);
    }

    public Path in(String id) {
        return dir(id).resolve("in");
    }

    public Path out(String id) {
        return dir(id).resolve("out");
    }

    /** A file in {@code in/}; the name must be a plain base name (it came from a caller once). */
    public Path inFile(String id, String name) {
        return child(in(id), name);
    }

    /** A file in {@code out/}, by base name. */
    public Path outFile(String id, String name) {
        return child(out(id), name);
    }

    /** {@code dir/name}, refusing any name that is not a plain base name, so nothing lands outside dir. */
    public static Path child(Path dir, String name) {
        if (!Untrusted.isBaseName(name)) {
            throw new IllegalArgumentException("not a plain file name: " + Untrusted.quote(name));
        }
        return dir.resolve(name);
    }

    /**
     * A new, empty folder for one conversion run to write into; renamed to {@code out/} only
     * when the run succeeded. Each run gets its own name, so a converter left over from an
     * earlier run (or an earlier life of the worker) can never write into the result.
     */
    public Path newStaging(String id) throws IOException {
        deleteStaging(id);
        Path dir = dir(id).resolve(STAGING + UUID.randomUUID().toString().substring(0, 8));
        return Files.createDirectories(dir);
    }

    /** Replaces {@code out/} with a finished run's folder, durably. */
    public void promote(String id, Path staging) throws IOException {
        deleteTree(out(id));
        moveAtomically(staging, out(id));
        fsyncDir(dir(id));
    }

    /** Removes the output of every unfinished conversion run. */
    public void deleteStaging(String id) throws IOException {
        try (Stream<Path> list = Files.list(dir(id))) {
            for (Path p : list.filter(p -> p.getFileName().toString().startsWith(STAGING)).toList()) {
                deleteTree(p);
            }
        }
    }

    public TaskLog log(Task task) {
        return new TaskLog(dir(task.id).resolve("task.log"), task.id, task.sessionId);
    }

    /** Creates the task's folders and its first task.json, durably; on failure nothing is left. */
    public void create(Task task) throws IOException {
        try {
            Files.createDirectories(in(task.id));
            Files.createDirectories(out(task.id));
            save(task);
        } catch (IOException e) {
            deleteTree(dir(task.id));
            throw e;
        }
        fsyncDir(root);
    }

    /**
     * A cluster's task: its folders only, durably (its record is a database row). Safe to call
     * again: a part may arrive at one node while another made them.
     */
    public void createFolders(String id) throws IOException {
        boolean made = !Files.isDirectory(dir(id));
        Files.createDirectories(in(id));
        Files.createDirectories(out(id));
        if (made) {
            fsyncDir(dir(id));
            fsyncDir(root);
        }
    }

    /** Writes task.json through a temporary file, fsync and an atomic rename. */
    public void save(Task task) throws IOException {
        if (task.slim) { // it would lose meta and config on disk
            throw new IllegalStateException("task " + task.id + " is finished and kept in memory without its meta: not saved");
        }
        Path dir = dir(task.id);
        Path tmp = dir.resolve(".task.json.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(task)));
            ch.force(true);
        }
        moveAtomically(tmp, dir.resolve("task.json"));
        fsyncDir(dir);
    }

    public Task load(String id) throws IOException {
        return JSON.readValue(dir(id).resolve("task.json").toFile(), Task.class);
    }

    public boolean exists(String id) {
        return validId(id) && Files.isRegularFile(root.resolve(id).resolve("task.json"));
    }

    /** Every task on disk; folders without a readable task.json are reported and skipped. */
    public List<Task> all() throws IOException {
        List<Task> tasks = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted().toList()) {
                String id = d.getFileName().toString();
                if (!validId(id)) {
                    continue;
                }
                try {
                    tasks.add(load(id));
                } catch (IOException e) {
                    LOG.warn("spool: {} has no readable task.json ({}); left alone", d, e.getMessage());
                }
            }
        }
        tasks.sort(Comparator.comparingLong(t -> t.createdAt));
        return tasks;
    }

    /**
     * After a crash, removes what nobody will finish: folders whose first task.json was never
     * written (the caller got no task id), half uploads and parts never acknowledged, temporary
     * files, the output of interrupted conversion runs, and the files of finished tasks that
     * were due to be deleted. Returns what it removed, for the log.
     */
    public List<String> sweep(List<Task> tasks) throws IOException {
        List<String> removed = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                if (validId(d.getFileName().toString()) && Files.isDirectory(d) && !Files.exists(d.resolve("task.json"))) {
                    deleteTree(d);
                    removed.add(d.getFileName() + " (never created)");
                }
            }
        }
        for (Task t : tasks) {
            Path d = dir(t.id);
            List<Path> debris = new ArrayList<>();
            debris.add(d.resolve(".task.json.tmp"));
            if (Files.isDirectory(in(t.id))) {
                Set<String> kept = new HashSet<>();
                t.files.stream().filter(f -> f.received).forEach(f -> kept.add(f.name));
                try (Stream<Path> list = Files.list(in(t.id))) {
                    // half uploads, and while receiving also whole ones whose ok was never recorded (nor sent)
                    list.filter(p -> p.getFileName().toString().endsWith(".uploading")
                            || t.state == TaskState.RECEIVING && !kept.contains(p.getFileName().toString())).forEach(debris::add);
                }
            }
            try (Stream<Path> list = Files.list(d)) {
                list.filter(p -> p.getFileName().toString().startsWith(STAGING)).forEach(debris::add);
            }
            if (t.state.finished() && (t.state == TaskState.EXPIRED || t.uploadDone)) {
                debris.add(in(t.id)); // published or expired: the files were about to go
                debris.add(out(t.id));
            }
            for (Path p : debris) {
                if (Files.exists(p)) {
                    deleteTree(p);
                    removed.add(root.relativize(p).toString());
                }
            }
        }
        return removed;
    }

    // ---- by-session/<sid>: a person's way from a session id to its task folder --------------------

    /** {@code tasks/by-session/<session id>}: a link to the session's newest task folder. */
    public Path sessionLink(String sessionId) {
        if (!validId(sessionId)) {
            throw new IllegalArgumentException("not a session id: " + Untrusted.quote(sessionId));
        }
        return root.resolve(BY_SESSION).resolve(sessionId);
    }

    /**
     * Points {@code by-session/<sid>} at this task (call it once the task is durable), unless it
     * already points at a newer task of the session. The link is for people: when it cannot be
     * made (a filesystem without symlinks), that costs one warning line, never the task.
     */
    public synchronized void linkSession(Task task) {
        if (validId(task.sessionId)) {
            link(task, Map.of());
        }
    }

    /**
     * Start-up and cleanup: every session of {@code tasks} gets its link to its newest task
     * (links missing after an upgrade or a crash are made); links to folders that are gone, and
     * temporary links a crash left, are removed. Returns what it changed, for the log.
     */
    public synchronized List<String> relinkSessions(Collection<Task> tasks) {
        Map<String, Task> newest = new HashMap<>();
        Map<String, Task> byId = new HashMap<>();
        for (Task t : tasks) {
            byId.put(t.id, t);
            if (validId(t.sessionId)) {
                newest.merge(t.sessionId, t, (a, b) -> NEWEST_FIRST.compare(a, b) <= 0 ? a : b);
            }
        }
        List<String> changed = new ArrayList<>();
        Path links = root.resolve(BY_SESSION);
        if (Files.isDirectory(links)) {
            try (Stream<Path> list = Files.list(links)) {
                for (Path l : list.toList()) {
                    String name = l.getFileName().toString();
                    boolean leftover = name.startsWith(".") && name.endsWith(".tmp");
                    // a link whose task is listed is re-pointed below; one to a vanished folder goes
                    if (Files.isSymbolicLink(l) && (leftover || !newest.containsKey(name) && !Files.exists(l))) {
                        Files.deleteIfExists(l);
                        changed.add(BY_SESSION + "/" + name + " removed");
                    }
                }
            } catch (IOException e) {
                linkTrouble(e, "cannot tidy " + links + ": " + reason(e));
            }
        }
        for (Task t : newest.values()) {
            if (link(t, byId)) {
                changed.add(BY_SESSION + "/" + t.sessionId + " -> " + t.id);
            }
        }
        return changed;
    }

    /** Makes or replaces the link (temporary link, then rename over); false when nothing changed. */
    private boolean link(Task task, Map<String, Task> known) {
        Path link = sessionLink(task.sessionId);
        Path target = Path.of("..", task.id);
        Path tmp = link.resolveSibling("." + task.sessionId + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        try {
            if (Files.isSymbolicLink(link)) {
                Path current = Files.readSymbolicLink(link);
                if (current.equals(target)) {
                    return false;
                }
                Task other = linkedTask(current, known);
                if (other != null && NEWEST_FIRST.compare(other, task) < 0) {
                    return false; // a newer task of the session was linked meanwhile
                }
            }
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(tmp, target);
            moveAtomically(tmp, link);
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next start-up removes it
            }
            linkTrouble(e, "cannot link " + root.relativize(link) + " to task " + task.id + ": " + reason(e)
                    + "; tasks are unaffected, only the shortcut by session id is missing");
            return false;
        }
    }

    /** The task a link points at, if its folder still holds one. */
    private Task linkedTask(Path target, Map<String, Task> known) {
        String id = target.getFileName() == null ? "" : target.getFileName().toString();
        if (known.containsKey(id)) {
            return known.get(id);
        }
        if (!exists(id)) {
            return null;
        }
        try {
            return load(id);
        } catch (IOException e) {
            return null;
        }
    }

    /** One warning per kind of trouble: a filesystem without symlinks must not repeat it for every task. */
    private void linkTrouble(Exception e, String message) {
        String kind = e.getClass().getName() + (e instanceof FileSystemException f ? ": " + f.getReason() : "");
        if (!kind.equals(lastLinkTrouble)) {
            lastLinkTrouble = kind;
            LOG.warn("spool: {}", message);
        } else {
            LOG.debug("spool: {}", message);
        }
    }

    private static String reason(Exception e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + " (" + e.getClass().getSimpleName() + " on " + f.getFile() + ")";
        }
        return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.toString();
    }

    /** Removes a task folder and everything in it. */
    public void delete(String id) throws IOException {
        deleteTree(dir(id));
    }

    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename or a new file in {@code dir} durable. */
    public static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some filesystems cannot fsync a directory; the data files themselves are synced
        }
    }
}

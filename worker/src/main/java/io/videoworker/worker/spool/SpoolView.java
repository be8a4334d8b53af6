package io.videoworker.worker.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The spool as a tool beside the running service sees it: read only, never a lock. It is safe
 * because the service replaces task.json by atomic rename (a reader gets the old or the new
 * file, whole); a folder whose task.json is not there yet, or that is deleted while we look, is
 * passed by.
 */
public final class SpoolView {
    private final Path root;
    private final Spool spool;

    private SpoolView(Path root, Spool spool) {
        this.root = root;
        this.spool = spool;
    }

    /** The spool in {@code tasksDir}, which must exist: a tool must never create a spool where none was. */
    public static SpoolView open(Path tasksDir) throws IOException {
        if (!Files.isDirectory(tasksDir)) {
            throw new NoSuchFileException(tasksDir.toString());
        }
        return new SpoolView(tasksDir, new Spool(tasksDir));
    }

    public Path root() {
        return root;
    }

    /** A task and where it lives. */
    public record TaskFolder(Task task, Path dir) {
        public Path log() {
            return dir.resolve("task.log");
        }

        /** Bytes received: the files in {@code in/} while they are there, else the sizes in task.json. */
        public long inputBytes() {
            return task.files.stream().filter(f -> f.received).mapToLong(this::partBytes).sum();
        }

        /** A part's size on disk while it is there, else as announced (G3) or measured on arrival (G2). */
        public long partBytes(PartFile f) {
            long onDisk = Untrusted.isBaseName(f.name) ? size(dir.resolve("in").resolve(f.name)) : -1;
            return onDisk >= 0 ? onDisk : f.size;
        }

        /** What was published, else what a finished conversion left in {@code out/} (0 when nothing yet). */
        public long outputBytes() {
            if (task.publishedBytes > 0) {
                return task.publishedBytes;
            }
            try (Stream<Path> files = Files.list(dir.resolve("out"))) {
                return files.mapToLong(SpoolView::size).filter(n -> n > 0).sum();
            } catch (IOException | UncheckedIOException e) {
                return 0; // no out/ (finished tasks), or deleted while we looked
            }
        }
    }

    /** Every task, oldest first. */
    public List<TaskFolder> tasks() throws IOException {
        List<TaskFolder> all = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                read(d.getFileName().toString()).ifPresent(all::add);
            }
        }
        all.sort(Comparator.comparingLong((TaskFolder f) -> f.task.createdAt).thenComparing(f -> f.task.id));
        return all;
    }

    /** A task by its id, or the newest task of a session with the older ones (oldest first). */
    public record Found(TaskFolder task, List<TaskFolder> older) {
    }

    public Optional<Found> find(String idOrSession) throws IOException {
        String key = idOrSession.toLowerCase(Locale.ROOT);
        Optional<TaskFolder> byId = read(key);
        if (byId.isPresent()) {
            return Optional.of(new Found(byId.get(), List.of()));
        }
        // by session: read every task rather than trust by-session/, which a filesystem may refuse
        List<TaskFolder> ofSession = tasks().stream().filter(f -> key.equals(f.task.sessionId)).toList();
        if (ofSession.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Found(ofSession.get(ofSession.size() - 1), ofSession.subList(0, ofSession.size() - 1)));
    }

    private Optional<TaskFolder> read(String id) {
        if (!spool.exists(id)) { // not a task id (by-session/, stray files), or no task.json yet
            return Optional.empty();
        }
        try {
            Task t = spool.load(id);
            return t.id != null && t.state != null ? Optional.of(new TaskFolder(t, spool.dir(id))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // deleted while we looked (cleanup)
        }
    }

    /** The size of a regular file, or -1 when it is not there (any more). */
    private static long size(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}

package io.videoworker.worker.publish;

import io.videoworker.worker.spool.Spool;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Stand-alone storage: {@code DATA_DIR/replays/<key>}, written by copy, fsync and atomic rename. */
public final class LocalStorage implements ReplayStorage {
    private final Path root;

    public LocalStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path resolve(String key) throws IOException {
        Path p = root.resolve(StorageKey.check(key)).normalize();
        if (!p.startsWith(root) || p.equals(root)) { // cannot happen after the check; the file system has the last word
            throw new IOException("refusing storage key outside the replay folder: " + key);
        }
        return p;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Spool.moveAtomically(tmp, target);
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // on a full disk the half copy would only keep it full
            throw e;
        }
        Spool.fsyncDir(target.getParent());
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(resolve(key));
    }

    @Override
    public long sizeOf(String key) throws IOException {
        Path p = resolve(key);
        return Files.isRegularFile(p) ? Files.size(p) : -1;
    }

    @Override
    public String type() {
        return "local";
    }

    @Override
    public String describe() {
        return "local storage " + root;
    }
}

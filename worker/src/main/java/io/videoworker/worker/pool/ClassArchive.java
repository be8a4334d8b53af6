package io.videoworker.worker.pool;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data-sharing archive for the conversion processes: every conversion starts a JVM, and
 * one that maps the classes the last one loaded (picocli, the renderer, the FFmpeg bindings)
 * instead of parsing them again starts about 0.4 s sooner with less CPU (docs/benchmarks.md).
 * The first conversion writes the archive as it exits; later ones use it. Its name carries the
 * JDK and the class path's jars, so an upgrade gets a fresh one and the stale one is removed. A
 * JVM that cannot use an archive simply starts without it.
 */
final class ClassArchive {
    /** One run's JVM options, and what to do once it has exited. */
    record Use(List<String> options, Path writing) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClassArchive.class);
    /** The JVM's own notes about archiving would land on the converter's stdout, which carries its JSON. */
    private static final String QUIET = "-Xlog:cds=off,cds+dynamic=off";
    static final Use NONE = new Use(List.of(), null);

    private final Path dir;
    private final Path file;
    private final AtomicBoolean writing = new AtomicBoolean();

    private ClassArchive(Path dir, Path file) {
        this.dir = dir;
        this.file = file;
    }

    /**
     * The archive for this JDK and class path, kept in {@code dir}; null when the class path has a
     * folder (a development build): the JVM archives classes from jars only.
     */
    static ClassArchive forClassPath(Path dir, String classPath) {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !new File(entry).isFile()) {
                return null;
            }
        }
        return new ClassArchive(dir, dir.resolve("classes-" + key(classPath) + ".jsa"));
    }

    /** Options for the next conversion: use the archive, or write it if nobody is. */
    Use next() {
        if (Files.isRegularFile(file)) {
            return new Use(List.of("-XX:SharedArchiveFile=" + file, QUIET), null);
        }
        if (!writing.compareAndSet(false, true)) {
            return NONE;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            writing.set(false);
            return NONE;
        }
        // a name of its own: the nodes of a cluster share DATA_DIR/cache and may write at the same time
        Path tmp = dir.resolve("." + file.getFileName() + "." + java.util.UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        return new Use(List.of("-XX:ArchiveClassesAtExit=" + tmp, QUIET), tmp);
    }

    /** After a run that was writing the archive: keep it if the JVM finished it, else try again next time. */
    void ended(Use use, int exitCode) {
        if (use.writing() == null) {
            return;
        }
        try {
            // written at a normal exit (0, or 2 for a bad input); a killed JVM leaves nothing usable
            if ((exitCode == 0 || exitCode == 2) && Files.isRegularFile(use.writing()) && Files.size(use.writing()) > 0) {
                Files.move(use.writing(), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                removeStale();
                LOG.info("conversions now start from a class archive ({})", file);
            } else {
                Files.deleteIfExists(use.writing());
            }
        } catch (IOException e) {
            LOG.warn("cannot keep the class archive {}: {}", file, e.toString());
        } finally {
            writing.set(false);
        }
    }

    private void removeStale() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith("classes-") && name.endsWith(".jsa") && !p.equals(file)) {
                    Files.deleteIfExists(p);
                } else if (name.startsWith(".classes-") && name.endsWith(".tmp")
                        && Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - 3_600_000) {
                    Files.deleteIfExists(p); // left by a worker killed while its conversion wrote the archive
                }
            }
        }
    }

    /** The JDK and every class path entry's size and time: an archive is only valid for exactly these. */
    private static String key(String classPath) {
        StringBuilder s = new StringBuilder(System.getProperty("java.home")).append('\n')
                .append(System.getProperty("java.vm.version")).append('\n');
        for (String entry : classPath.split(File.pathSeparator)) {
            File f = new File(entry);
            s.append(f.getAbsolutePath()).append(' ').append(f.length()).append(' ').append(f.lastModified()).append('\n');
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

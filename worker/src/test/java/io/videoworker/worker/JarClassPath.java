package io.videoworker.worker;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The worker's run-time class path as jars only, as the packaged worker has it: the JVM archives
 * classes (class-data sharing) from jars, not from the reactor's folders of classes.
 */
public final class JarClassPath {
    private JarClassPath() {
    }

    /** The test JVM's class path without test classes, each folder packed into a jar in {@code dir}. */
    public static List<String> of(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("test-classes")) {
                continue;
            }
            entries.add(new File(entry).isDirectory() ? pack(Path.of(entry), dir.resolve("module-" + n++ + ".jar"), null).toString() : entry);
        }
        return entries;
    }

    /** A runnable jar holding only a manifest: {@code java -jar} it to run the worker from {@code classPath}. */
    public static Path launcherJar(Path jar, List<String> classPath) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.videoworker.worker.Main");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                String.join(" ", classPath.stream().map(e -> Path.of(e).toUri().toString()).toList()));
        return pack(null, jar, m);
    }

    private static Path pack(Path classes, Path jar, Manifest manifest) throws IOException {
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = manifest == null ? new JarOutputStream(Files.newOutputStream(jar))
                : new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            if (classes == null) {
                return jar;
            }
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                    try (InputStream in = Files.newInputStream(f)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return jar;
    }
}

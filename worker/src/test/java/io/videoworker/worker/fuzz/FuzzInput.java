package io.videoworker.worker.fuzz;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** A generated input and how to make it again ({@code -Dfuzz.case=<generator>:<seed>}). */
record FuzzInput(Generator generator, long seed) {
    String fileName() {
        return generator.name() + "-" + Long.toUnsignedString(seed, 36) + generator.extension();
    }

    /** Writes the input to a file; returns its size. */
    long writeTo(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            generator.maker().write(new Random(seed), out);
        }
        return Files.size(file);
    }

    @Override
    public String toString() {
        return generator.name() + ":" + seed;
    }
}

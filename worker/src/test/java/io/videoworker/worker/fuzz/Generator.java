package io.videoworker.worker.fuzz;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;

/**
 * One way of making hostile input: {@code maker} writes the bytes of a recording file from a
 * seeded random source, so that a name and a seed reproduce an input exactly.
 *
 * @param extension the file name's ending (".guac" raw, ".replay.gz" gzip); the converter sniffs
 *                  the content anyway
 */
record Generator(String name, String extension, Maker maker) {
    interface Maker {
        void write(Random r, OutputStream out) throws IOException;
    }

    FuzzInput input(long seed) {
        return new FuzzInput(this, seed);
    }
}

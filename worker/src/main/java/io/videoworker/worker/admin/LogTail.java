package io.videoworker.worker.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The end of a task's {@code task.log}, for the task page: at most {@link #MAX_BYTES}, starting at
 * a whole line, undecodable bytes replaced. The log is read, never changed, while the task writes it.
 *
 * @param text      the lines shown
 * @param fileBytes the whole file's size (0 when there is no log yet)
 * @param cut       whether earlier lines were left out
 */
record LogTail(String text, long fileBytes, boolean cut) {
    static final int MAX_BYTES = 64 << 10;

    static LogTail read(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            long from = Math.max(0, size - MAX_BYTES);
            ByteBuffer buf = ByteBuffer.allocate((int) (size - from));
            ch.position(from);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // until the size read at the start; lines written meanwhile wait for the next refresh
            }
            buf.flip();
            int start = 0;
            if (from > 0) { // begin after the first line break: no half line
                while (start < buf.limit() && buf.get(start) != '\n') {
                    start++;
                }
                start = Math.min(start + 1, buf.limit());
            }
            buf.position(start);
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(buf).toString();
            return new LogTail(text, size, from > 0);
        } catch (NoSuchFileException e) {
            return new LogTail("", 0, false);
        }
    }
}

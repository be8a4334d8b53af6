package io.videoworker.worker.fuzz;

import io.videoworker.worker.TestRecordings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Writes Guacamole protocol text for the generators, straight to where it goes (a file, so that
 * a recording of many megabytes costs this test's 256 MiB heap nothing), or into memory.
 */
final class Script {
    private final OutputStream out;
    private final StringBuilder scratch = new StringBuilder();

    /** Text kept in memory, for {@link #toString()}. */
    Script() {
        this(new ByteArrayOutputStream());
    }

    Script(OutputStream out) {
        this.out = out;
    }

    Script op(String opcode, Object... args) {
        String[] elements = new String[args.length + 1];
        elements[0] = opcode;
        for (int i = 0; i < args.length; i++) {
            elements[i + 1] = String.valueOf(args[i]);
        }
        scratch.setLength(0);
        TestRecordings.el(scratch, elements);
        return raw(scratch);
    }

    /** Protocol text as is, well-formed or not. */
    Script raw(CharSequence protocol) {
        try {
            out.write(protocol.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Script sync(long ms) {
        return op("sync", ms);
    }

    /** An image stream: img, the data in blobs of at most 6 KiB of base64, end. */
    Script image(int stream, int mask, int layer, String mimetype, int x, int y, byte[] data) {
        op("img", stream, mask, layer, mimetype, x, y);
        blobs(stream, data);
        return op("end", stream);
    }

    Script blobs(int stream, byte[] data) {
        String b64 = Base64.getEncoder().encodeToString(data);
        for (int i = 0; i < b64.length(); i += 6144) {
            op("blob", stream, b64.substring(i, Math.min(b64.length(), i + 6144)));
        }
        return this;
    }

    /** A screen with something drawn and shown, so that a recording that survives makes a video. */
    Script screen(int width, int height) {
        op("size", 0, width, height);
        op("rect", 0, 0, 0, width, height);
        op("cfill", 14, 0, 40, 80, 120, 255);
        return sync(1000);
    }

    /** The text so far, when kept in memory. */
    @Override
    public String toString() {
        return out.toString();
    }
}

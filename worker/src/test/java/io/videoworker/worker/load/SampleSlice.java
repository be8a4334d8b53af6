package io.videoworker.worker.load;

import io.videoworker.guac.protocol.GuacReader;
import io.videoworker.guac.protocol.Instruction;
import io.videoworker.worker.TestRecordings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The opening of a real Lion part from samples/: real guacd output (the full screen a join
 * receives, then updates, WebP, audio) cut after the first sync at least {@code ms} past the
 * first one and closed with {@code disconnect}, as Lion's parts end. A second of it converts in
 * about a second, so fifty tasks fit a CI run.
 *
 * @param gz    the part as Lion uploads it
 * @param start first sync (ms, guacd's monotonic clock), as in files[].start
 * @param end   last sync, as in files[].end
 */
record SampleSlice(byte[] gz, long start, long end) {

    static SampleSlice of(Path part, long ms) throws IOException {
        byte[] raw;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(part))) {
            raw = in.readAllBytes();
        }
        long first = -1;
        long last = -1;
        long cut = -1;
        boolean cutNext = false;
        try (GuacReader r = new GuacReader(new ByteArrayInputStream(raw), part.getFileName().toString())) {
            Instruction ins = new Instruction();
            while (r.next(ins)) {
                if (cutNext) {
                    cut = ins.offset();
                    break;
                }
                if (ins.opcode().equals("sync")) {
                    last = ins.longArg(0);
                    first = first < 0 ? last : first;
                    cutNext = last - first >= ms;
                }
            }
        }
        if (cut < 0) {
            throw new IllegalArgumentException(part + " holds less than " + ms + " ms of syncs");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(raw, 0, (int) cut);
        out.write("10.disconnect;".getBytes(StandardCharsets.US_ASCII));
        return new SampleSlice(TestRecordings.gzip(out.toByteArray()), first, last);
    }

    String sha256() throws Exception {
        return TestRecordings.sha256(gz);
    }
}

package io.videoworker.worker.convert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.encode.Mp4Result;
import io.videoworker.guac.RecordingException;
import io.videoworker.guac.SessionPlayer;
import io.videoworker.guac.Warnings;
import io.videoworker.guac.protocol.GuacFormatException;
import io.videoworker.guac.protocol.GuacReader;
import io.videoworker.guac.protocol.RecordingInput;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole conversion: recording parts → {@link SessionPlayer} → MP4. Outputs appear only
 * complete (written under a temporary name, renamed at the end); on failure nothing is left.
 */
public final class Converter {
    /** Progress of a conversion: input bytes read (compressed, as on disk) and video time reached. */
    public interface Progress {
        Progress NONE = (done, total, videoMs) -> { };

        void update(long bytesDone, long bytesTotal, long videoMs);
    }

    private final ConvertOptions options;
    private final Progress progress;
    private final OutputLimits limits;

    /** With the default output cap for the input's size, writing until the disk is full. */
    public Converter(ConvertOptions options, Progress progress) {
        this(options, progress, OutputLimits.DEFAULT);
    }

    /**
     * @param limits the output cap and the free space to keep; past the cap the recording is refused
     *               ({@link InputException}), at the free-space floor the run stops with a
     *               {@link DiskReserveException}; either way nothing is left behind
     */
    public Converter(ConvertOptions options, Progress progress, OutputLimits limits) {
        this.options = options;
        this.progress = progress;
        this.limits = limits;
    }

    /** All parts stitched onto one timeline in one MP4. */
    public ConversionResult convert(SessionInput input, Path output) throws InputException, IOException {
        long t0 = System.nanoTime();
        Warnings warnings = new Warnings();
        OutputGuard guard = new OutputGuard(limits, input.totalBytes(), output.toAbsolutePath().getParent());
        boolean written = false;
        // the writer renames its file into place only when finished; closing it early deletes it
        try (Mp4Sink sink = new Mp4Sink(output, options, guard.nextFile(output));
             SessionPlayer player = new SessionPlayer(options.playerOptions(), sink, warnings)) {
            guard.checkRoom();
            play(input.parts(), player, input.totalBytes());
            Mp4Result r = finish(player, sink, input.parts().get(0), warnings);
            written = true;
            guard.finished(output, r.bytes());
            return new ConversionResult(output, r.width(), r.height(), r.frames(), r.durationMs(), r.hasAudio(),
                    r.bytes(), (System.nanoTime() - t0) / 1_000_000, warnings.summary(), sink.convertMillis(),
                    sink.encodeMillis());
        } catch (OutputGuard.OutputLimitException e) {
            if (written) { // whole, but over the cap by its index: no output all the same
                Files.deleteIfExists(output);
            }
            throw limitReached(e);
        }
    }

    /**
     * One MP4 per Lion part, {@code <sid>.<n>.part.mp4}, plus {@code <sid>.replay.json} with
     * {@code "type": "mp4"}: what JumpServer's player plays. Returns one result per part.
     */
    public List<ConversionResult> convertPerPart(SessionInput input, Path outDir) throws InputException, IOException {
        for (RecordingPart p : input.parts()) {
            if (!p.isPart()) {
                throw new InputException(p.file() + ": --per-part needs Lion part files named <sid>.<n>.part.gz");
            }
        }
        Files.createDirectories(outDir);
        List<ConversionResult> results = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        ArrayNode files = SessionInput.JSON.createArrayNode();
        long total = input.totalBytes();
        long[] doneBefore = {0};
        OutputGuard guard = new OutputGuard(limits, total, outDir);
        boolean ok = false;
        try {
            guard.checkRoom();
            for (RecordingPart part : input.parts()) {
                long t0 = System.nanoTime();
                Warnings warnings = new Warnings();
                Path out = outDir.resolve(part.mp4Name());
                long partSize = Files.size(part.file());
                Progress inner = (done, t, ms) -> progress.update(doneBefore[0] + done, total, ms);
                try (Mp4Sink sink = new Mp4Sink(out, options, guard.nextFile(out));
                     SessionPlayer player = new SessionPlayer(options.playerOptions(), sink, warnings)) {
                    new Converter(options, inner).play(List.of(part), player, partSize);
                    Mp4Result r = finish(player, sink, part, warnings);
                    written.add(out);
                    guard.finished(out, r.bytes());
                    long start = part.start() >= 0 ? part.start() : player.origin();
                    long end = part.end() >= 0 ? part.end() : player.origin() + player.duration();
                    ObjectNode f = files.addObject();
                    f.put("name", out.getFileName().toString());
                    f.put("start", start);
                    f.put("end", end);
                    f.put("duration", end - start);
                    f.put("size", r.bytes());
                    results.add(new ConversionResult(out, r.width(), r.height(), r.frames(), r.durationMs(),
                            r.hasAudio(), r.bytes(), (System.nanoTime() - t0) / 1_000_000, warnings.summary(),
                            sink.convertMillis(), sink.encodeMillis()));
                }
                doneBefore[0] += partSize;
            }
            Path json = outDir.resolve(input.sessionId() + ".replay.json");
            ReplayJson.writeMp4(input, files, json);
            written.add(json);
            ok = true;
            return results;
        } catch (OutputGuard.OutputLimitException e) {
            throw limitReached(e);
        } finally {
            if (!ok) {
                for (Path p : written) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Past the cap the recording is refused for good; at the free-space floor the run may be tried again. */
    private static IOException limitReached(OutputGuard.OutputLimitException e) throws InputException {
        if (!e.diskFull) {
            throw new InputException(e.getMessage());
        }
        return new DiskReserveException(e.getMessage(), e.written);
    }

    /** Plays the parts in order onto the player's timeline. */
    void play(List<RecordingPart> parts, SessionPlayer player, long totalBytes) throws InputException, IOException {
        long before = 0;
        for (RecordingPart part : parts) {
            long offset = before;
            try (Counting counted = new Counting(Files.newInputStream(part.file()));
                 GuacReader reader = RecordingInput.open(counted, part.name())) {
                counted.onRead = n -> progress.update(offset + n, totalBytes, player.duration());
                player.play(reader);
            } catch (GuacFormatException e) {
                if (!player.started() && e.instruction() == 1) {
                    throw new InputException(part.file() + ": not a Guacamole recording (" + e.getMessage() + ")", e);
                }
                throw new InputException(e.getMessage(), e);
            } catch (RecordingException e) {
                throw new InputException(e.getMessage(), e);
            }
            before += Files.size(part.file());
        }
    }

    /**
     * Ends the video and checks the file written ({@link Mp4Check}): nothing unchecked is ever
     * reported done. A recording with nothing to show is refused, damaged or not.
     */
    private Mp4Result finish(SessionPlayer player, Mp4Sink sink, RecordingPart first, Warnings warnings)
            throws InputException, IOException {
        String damage = warnings.damaged() == 0 ? "" : "; " + warnings.damaged() + " damaged stretch"
                + (warnings.damaged() == 1 ? " was" : "es were") + " skipped, the first: " + warnings.firstDamage();
        if (!player.started()) {
            throw new InputException(first.file() + ": nothing to convert: the recording has no sync instruction" + damage);
        }
        player.finish();
        Mp4Result r = sink.result();
        if (r == null) {
            throw new InputException(first.file() + ": nothing to convert: no picture was ever drawn on a sized screen" + damage);
        }
        try {
            Mp4Check.verify(r.file(), r.durationMs());
        } catch (Mp4Check.Failed e) {
            Files.deleteIfExists(r.file()); // nothing unchecked is left where a finished video would be
            throw e;
        }
        return r;
    }

    /** Counts bytes read from the file, to report progress. */
    private static final class Counting extends FilterInputStream {
        java.util.function.LongConsumer onRead = n -> { };
        private long count;
        private long reported;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                advance(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                advance(n);
            }
            return n;
        }

        private void advance(int n) {
            count += n;
            if (count - reported >= (256 << 10)) {
                reported = count;
                onRead.accept(count);
            }
        }
    }
}

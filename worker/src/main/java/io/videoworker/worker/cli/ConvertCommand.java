package io.videoworker.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.encode.X264Options;
import io.videoworker.guac.Limits;
import io.videoworker.guac.PlayerOptions;
import io.videoworker.worker.convert.ConversionResult;
import io.videoworker.worker.convert.ConvertOptions;
import io.videoworker.worker.convert.Converter;
import io.videoworker.worker.convert.DiskReserveException;
import io.videoworker.worker.convert.Mp4Check;
import io.videoworker.worker.convert.InputException;
import io.videoworker.worker.convert.OutputLimits;
import io.videoworker.worker.convert.SessionInput;
import io.videoworker.worker.convert.Snapshots;
import io.videoworker.worker.spool.DiskSpace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code video-worker convert}: recording(s) → MP4 (or PNG snapshots). */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Converts a Guacamole session recording to H.264 MP4.",
                "INPUT is one recording (raw or gzip), several Lion part files <sid>.<n>.part.gz "
                        + "(played in part-number order), or a directory with a Lion <sid>.replay.json and its parts."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:success", "1:internal error", "2:bad input or usage, or a video past --max-output-bytes",
                "3:not enough disk space for the output (or less free than --min-free-bytes)"})
public final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "recording file(s) or a directory")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "output MP4 (default ./<sid>.replay.mp4); with --per-part a directory (default .); "
                    + "with --snapshot the PNG, or a directory for several times")
    Path output;

    @Option(names = "--per-part", description = "one <sid>.<n>.part.mp4 per part plus <sid>.replay.json (type mp4)")
    boolean perPart;

    @Option(names = "--size", paramLabel = "WxH", description = "output size; the picture is scaled keeping its aspect, with black bars")
    String size;

    @Option(names = "--crf", description = "x264 quality, 0-51, lower is better (default ${DEFAULT-VALUE})")
    int crf = X264Options.DEFAULT.crf();

    @Option(names = "--preset", description = "x264 preset, ultrafast..veryslow (default ${DEFAULT-VALUE})")
    String preset = X264Options.DEFAULT.preset();

    @Option(names = "--tune", description = "x264 tune, e.g. ssim or stillimage (default: none)")
    String tune = X264Options.DEFAULT.tune();

    @Option(names = "--x264-params", paramLabel = "K=V:K=V",
            description = "x264 options over preset and tune, e.g. ref=2:subme=4 (default: ${DEFAULT-VALUE})")
    String x264Params = X264Options.DEFAULT.params();

    @Option(names = "--max-fps", description = "frame-rate cap; faster updates are coalesced (default ${DEFAULT-VALUE})")
    double maxFps = PlayerOptions.DEFAULT_MAX_FPS;

    @Option(names = "--lossless", description = "RGB-exact encode (libx264rgb, qp 0), to verify the default encode")
    boolean lossless;

    @Option(names = "--snapshot", split = ",", paramLabel = "MS",
            description = "write the display at each time MS (ms from the first sync) as PNG instead of a video")
    long[] snapshot;

    @Option(names = "--no-cursor", description = "leave the mouse pointer out")
    boolean noCursor;

    @Option(names = "--max-output-bytes", paramLabel = "N",
            description = "cap on the MP4 bytes written (all parts together); past it the recording is refused "
                    + "(exit 2) and nothing is kept (default: the larger of 2 GiB and 32 x the input's size)")
    Long maxOutputBytes;

    @Option(names = "--min-free-bytes", paramLabel = "N",
            description = "stop (exit 3, nothing kept) before the output's disk keeps less than N bytes free "
                    + "(default ${DEFAULT-VALUE}: until the disk is full)")
    long minFreeBytes;

    @Option(names = "--json", description = "print one JSON object with the result on stdout")
    boolean json;

    @Option(names = "--progress-lines", hidden = true, description = "report progress as 'progress N' lines on stderr (for the service)")
    boolean progressLines;

    @Option(names = "--exit-with-parent", hidden = true,
            description = "stop at once when stdin reaches its end: the service that started this run has gone")
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        ConvertOptions options = options();
        OutputLimits limits = outputLimits();
        PrintWriter err = spec.commandLine().getErr();
        if (exitWithParent) {
            ParentWatch.start();
        }
        try {
            SessionInput input = SessionInput.resolve(inputs);
            checkOutput(input);
            if (snapshot != null) {
                Snapshots.write(Snapshots.take(input, snapshot, options), output);
                return 0;
            }
            Converter.Progress progress = progressLines ? ProgressBar.lines(System.err)
                    : json ? Converter.Progress.NONE : ProgressBar.forStderr();
            Converter converter = new Converter(options, progress, limits);
            List<ConversionResult> results;
            try {
                if (perPart) {
                    results = converter.convertPerPart(input, output != null ? output : Path.of("."));
                } else {
                    Path out = output != null ? output : Path.of(input.sessionId() + ".replay.mp4");
                    results = List.of(converter.convert(input, out));
                }
            } finally {
                if (progress instanceof ProgressBar bar) {
                    bar.done();
                }
            }
            report(results, options);
            return 0;
        } catch (InputException e) {
            err.println("video-worker: " + e.getMessage());
            return 2;
        } catch (DiskReserveException e) { // stopped before the floor: the disk, not the recording
            err.println("video-worker: not enough disk space: " + e.getMessage());
            if (json) { // how much it wrote: the service tells by it whose video filled the disk
                PrintWriter out = spec.commandLine().getOut();
                out.println(new ObjectMapper().createObjectNode().put("stopped", "disk_reserve")
                        .put("written_bytes", e.writtenBytes()));
                out.flush();
            }
            return 3;
        } catch (Mp4Check.Failed e) { // our own output is wrong: a failed conversion, never a published one
            err.println("video-worker: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            if (DiskSpace.isOutOfSpace(e)) { // the disk, not the recording: worth another run once there is space
                err.println("video-worker: not enough disk space: " + e.getMessage());
                return 3;
            }
            throw e;
        }
    }

    /** Refuses an output that cannot be written before the conversion starts, not after it. */
    private void checkOutput(SessionInput input) throws InputException {
        if (snapshot != null) {
            if (output == null) {
                throw new ParameterException(spec.commandLine(), "--snapshot needs -o OUT");
            }
            if (java.util.Arrays.stream(snapshot).distinct().count() == 1) {
                OutputLocation.checkFileCreatingFolders(output); // one picture: the file itself
            } else {
                OutputLocation.checkFolder(output);
            }
        } else if (perPart) {
            OutputLocation.checkFolder(output != null ? output : Path.of("."));
        } else {
            OutputLocation.checkFile(output != null ? output : Path.of(input.sessionId() + ".replay.mp4"));
        }
    }

    private ConvertOptions options() {
        int w = 0;
        int h = 0;
        if (size != null) {
            String[] wh = size.toLowerCase().split("x");
            try {
                w = Integer.parseInt(wh[0]);
                h = Integer.parseInt(wh[1]);
            } catch (RuntimeException e) {
                throw new ParameterException(spec.commandLine(), "--size must look like 1280x720, not '" + size + "'");
            }
            if (w < 16 || h < 16 || w > 8192 || h > 8192) {
                throw new ParameterException(spec.commandLine(), "--size must be between 16x16 and 8192x8192");
            }
        }
        if (crf < 0 || crf > 51) {
            throw new ParameterException(spec.commandLine(), "--crf must be between 0 and 51");
        }
        if (!X264Options.PRESETS.contains(preset)) {
            throw new ParameterException(spec.commandLine(), "--preset must be an x264 preset such as veryfast, not '" + preset + "'");
        }
        if (!X264Options.TUNES.contains(tune)) {
            throw new ParameterException(spec.commandLine(), "--tune must be one of "
                    + String.join(", ", X264Options.TUNES.subList(1, X264Options.TUNES.size())) + ", not '" + tune + "'");
        }
        X264Options x264;
        try {
            x264 = new X264Options(preset, tune, crf, x264Params);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--x264-params: " + e.getMessage());
        }
        if (!(maxFps > 0 && maxFps <= 240)) {
            throw new ParameterException(spec.commandLine(), "--max-fps must be above 0 and at most 240");
        }
        return new ConvertOptions(w, h, x264, maxFps, lossless, !noCursor, Limits.DEFAULT);
    }

    private OutputLimits outputLimits() {
        if (maxOutputBytes != null && maxOutputBytes < 1) {
            throw new ParameterException(spec.commandLine(), "--max-output-bytes must be at least 1");
        }
        if (minFreeBytes < 0) {
            throw new ParameterException(spec.commandLine(), "--min-free-bytes cannot be negative");
        }
        return new OutputLimits(maxOutputBytes != null ? maxOutputBytes : OutputLimits.FOR_INPUT, minFreeBytes);
    }

    private void report(List<ConversionResult> results, ConvertOptions options) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!json) {
            for (ConversionResult r : results) {
                spec.commandLine().getErr().printf("%s: %dx%d, %d frames, %.1f s%s, %,d bytes in %.1f s%n",
                        r.output(), r.width(), r.height(), r.frames(), r.durationMs() / 1000.0,
                        r.audio() ? " with audio" : "", r.bytes(), r.wallMs() / 1000.0);
            }
            return;
        }
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        ConversionResult first = results.get(0);
        o.put("output", results.size() == 1 ? first.output().toString() : first.output().getParent().toString());
        o.put("width", first.width());
        o.put("height", first.height());
        o.put("frames", results.stream().mapToLong(ConversionResult::frames).sum());
        o.put("duration_ms", results.stream().mapToLong(ConversionResult::durationMs).sum());
        o.put("audio", results.stream().anyMatch(ConversionResult::audio));
        o.put("bytes", results.stream().mapToLong(ConversionResult::bytes).sum());
        o.put("wall_ms", results.stream().mapToLong(ConversionResult::wallMs).sum());
        o.put("checked", true); // every file passed Mp4Check: the service publishes nothing else
        o.put("encoder", options.lossless() ? "lossless" : options.x264().toString());
        ObjectNode stages = o.putObject("stage_ms");
        stages.put("render", results.stream().mapToLong(ConversionResult::renderMs).sum());
        stages.put("convert", results.stream().mapToLong(ConversionResult::convertMs).sum());
        stages.put("encode", results.stream().mapToLong(ConversionResult::encodeMs).sum());
        ArrayNode w = o.putArray("warnings");
        results.stream().flatMap(r -> r.warnings().stream()).forEach(w::add);
        if (results.size() > 1) {
            ArrayNode parts = o.putArray("parts");
            for (ConversionResult r : results) {
                parts.addObject().put("output", r.output().getFileName().toString()).put("frames", r.frames())
                        .put("duration_ms", r.durationMs()).put("bytes", r.bytes());
            }
        }
        out.println(m.writeValueAsString(o));
        out.flush();
    }
}

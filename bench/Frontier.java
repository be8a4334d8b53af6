import io.videoworker.encode.Mp4Probe;
import io.videoworker.encode.VideoPacket;
import io.videoworker.encode.X264Options;
import io.videoworker.worker.convert.ConversionResult;
import io.videoworker.worker.convert.ConvertOptions;
import io.videoworker.worker.convert.Converter;
import io.videoworker.worker.convert.SessionInput;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The encoder study: converts each recording with every point of a grid of x264 settings, in one
 * warm JVM, and appends per point: process CPU and wall time of the whole conversion (render,
 * colour conversion, x264, mux), the converter's stage split, video bytes, and quality (SSIM,
 * PSNR) against the lossless render of the same recording (bench/Quality.java).
 *
 * <p>Results go to a TSV, one line per recording and point; points already in the file are skipped,
 * so an interrupted run resumes. bench/frontier.sh compiles and runs it, bench/frontier.py plots.
 *
 * Run: java -cp JAR:CLASSES Frontier [--out FILE.tsv] [--grid NAME]... [--point 'preset,tune,crf,k=v:k=v' | default]...
 *        [--only REGEX] [--reps N] RECORDING...     ("-" for no tune or options; ';' for a ',' inside a value)
 *      java -cp JAR:CLASSES Frontier --default-label | --ffmpeg-args
 */
public class Frontier {

    /** One line per point: preset, tune ("-": none), crf, x264 options ("-": none). */
    static final Map<String, String> GRIDS = new LinkedHashMap<>();

    static {
        // presets along crf: the frame of the study
        StringBuilder presets = new StringBuilder();
        for (String preset : List.of("ultrafast", "superfast", "veryfast", "faster", "fast")) {
            for (int crf : new int[] {24, 27, 30, 33}) {
                presets.append(preset).append(" - ").append(crf).append(" -\n");
            }
        }
        GRIDS.put("presets", presets.toString());
        // one knob at a time around three presets at crf 28: what each buys and costs (a knob that is the
        // preset's own value repeats the base: the spread of those is the measurement's noise)
        StringBuilder knobs = new StringBuilder();
        for (String base : List.of("ultrafast", "superfast", "veryfast")) {
            for (String knob : List.of("-", "cabac=1", "cabac=0", "deblock=0,0", "8x8dct=1", "8x8dct=0",
                    "partitions=none", "partitions=i8x8,i4x4", "partitions=all", "subme=1", "subme=2", "subme=4",
                    "subme=6", "me=dia", "me=hex", "me=umh", "ref=2", "ref=3", "rc-lookahead=0:mbtree=0",
                    "rc-lookahead=10:mbtree=1", "rc-lookahead=20:mbtree=1", "mbtree=0", "psy=0", "aq-mode=0",
                    "aq-mode=1", "aq-mode=2", "aq-mode=3", "aq-strength=0.6", "trellis=0", "trellis=1", "weightp=0",
                    "weightp=1", "scenecut=0", "deblock=-1,-1", "sliced-threads=1", "threads=2", "threads=4",
                    "lookahead-threads=2")) {
                knobs.append(base).append(" - 28 ").append(knob).append('\n');
            }
            for (String tune : List.of("ssim", "stillimage", "animation", "psnr")) {
                knobs.append(base).append(' ').append(tune).append(" 28 -\n");
            }
        }
        GRIDS.put("knobs", knobs.toString());
        // the knobs that paid on busy content, combined, along crf: where the default is picked
        StringBuilder combos = new StringBuilder();
        for (int crf : new int[] {26, 27, 28, 29, 30}) {
            for (String combo : List.of("superfast -", "superfast sliced-threads=1", "superfast partitions=all",
                    "superfast subme=2", "superfast trellis=1", "superfast partitions=all:trellis=1",
                    "superfast deblock=-1,-1:partitions=all", "ultrafast cabac=1:partitions=all:aq-mode=2",
                    "ultrafast cabac=1:partitions=i8x8,i4x4:8x8dct=1:aq-mode=1")) {
                String[] f = combo.split(" ");
                combos.append(f[0]).append(" - ").append(crf).append(' ').append(f[1]).append('\n');
            }
        }
        GRIDS.put("combos", combos.toString());
    }

    record Point(String preset, String tune, int crf, String params) {
        static Point of(X264Options o) {
            return new Point(o.preset(), o.tune(), o.crf(), o.params());
        }

        static Point parse(String line) {
            if (line.trim().equals("default")) {
                return of(X264Options.DEFAULT);
            }
            String[] f = line.trim().split("\\s+");
            return new Point(f[0], f[1].equals("-") ? "" : f[1], Integer.parseInt(f[2]), f[3].equals("-") ? "" : f[3]);
        }

        X264Options options() {
            return new X264Options(preset, tune, crf, params);
        }

        String label() {
            return preset + (tune.isEmpty() ? "" : "/" + tune) + " crf" + crf + (params.isEmpty() ? "" : " " + params);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--default-label")) {
            System.out.println(Point.of(X264Options.DEFAULT).label());
            return;
        }
        if (args.length == 1 && args[0].equals("--ffmpeg-args")) { // the default, as ffmpeg's libx264 takes it
            X264Options d = X264Options.DEFAULT;
            System.out.println("-preset " + d.preset() + (d.tune().isEmpty() ? "" : " -tune " + d.tune()) + " -crf " + d.crf()
                    + (d.params().isEmpty() ? "" : " -x264-params " + d.params()));
            return;
        }
        Path out = Path.of("bench/out/frontier.tsv");
        List<String> grids = new ArrayList<>();
        Pattern only = Pattern.compile(".*");
        int reps = 1;
        List<Path> inputs = new ArrayList<>();
        List<Point> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--grid" -> grids.add(args[++i]);
                case "--point" -> extra.add(Point.parse(args[++i].replace(',', ' ').replace(';', ',')));
                case "--only" -> only = Pattern.compile(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> inputs.add(Path.of(args[i]));
            }
        }
        List<Point> points = new ArrayList<>();
        for (String g : grids) {
            if (!GRIDS.containsKey(g)) {
                throw new IllegalArgumentException("no grid " + g + "; grids: " + GRIDS.keySet());
            }
            GRIDS.get(g).lines().filter(l -> !l.isBlank()).map(Point::parse).forEach(points::add);
        }
        points.addAll(extra);
        final Pattern filter = only;
        points.removeIf(p -> !filter.matcher(p.label()).find());
        if (inputs.isEmpty() || points.isEmpty()) {
            System.err.println("usage: Frontier [--out FILE.tsv] [--grid " + String.join("|", GRIDS.keySet())
                    + "]... [--point 'preset,tune,crf,k=v:k=v' | default]... "
                    + "[--only REGEX] [--reps N] RECORDING...");
            System.exit(2);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        if (!Files.exists(out)) {
            Files.writeString(out, String.join("\t", "recording", "point", "rep", "preset", "tune", "crf", "params",
                    "cpu_ms", "wall_ms", "render_ms", "convert_ms", "encode_ms", "frames", "video_ms", "video_bytes",
                    "file_bytes", "ssim_mean", "ssim_min", "psnr", "samples") + "\n");
        }
        Set<String> done = new HashSet<>();
        for (String line : Files.readAllLines(out)) {
            String[] f = line.split("\t");
            done.add(f[0] + "\t" + f[1] + "\t" + f[2]);
        }
        Path scratch = Files.createTempDirectory("frontier");
        warmUp(inputs.get(0), scratch);
        for (Path in : inputs) {
            String name = Stages.label(in);
            Quality.Reference reference = null;
            for (Point p : points) {
                for (int rep = 1; rep <= reps; rep++) {
                    if (done.contains(name + "\t" + p.label() + "\t" + rep)) {
                        continue;
                    }
                    if (reference == null) {
                        reference = reference(in, scratch);
                    }
                    Files.writeString(out, measure(in, name, p, rep, reference, scratch), StandardOpenOption.APPEND);
                }
            }
        }
        Files.deleteIfExists(scratch.resolve("lossless.mp4"));
        Files.deleteIfExists(scratch);
    }

    /** JIT and native libraries loaded before the first measured conversion. */
    private static void warmUp(Path in, Path scratch) throws Exception {
        Path mp4 = scratch.resolve("warm.mp4");
        for (int i = 0; i < 2; i++) {
            new Converter(ConvertOptions.DEFAULT, Converter.Progress.NONE).convert(SessionInput.resolve(List.of(in)), mp4);
        }
        Files.delete(mp4);
    }

    private static Quality.Reference reference(Path in, Path scratch) throws Exception {
        Path lossless = scratch.resolve("lossless.mp4");
        new Converter(ConvertOptions.DEFAULT.withLossless(true), Converter.Progress.NONE)
                .convert(SessionInput.resolve(List.of(in)), lossless);
        return new Quality.Reference(lossless);
    }

    private static String measure(Path in, String name, Point p, int rep, Quality.Reference reference, Path scratch)
            throws Exception {
        Path mp4 = scratch.resolve("point.mp4");
        System.gc(); // the previous point's garbage is not this point's CPU
        long cpu0 = Stages.cpuMs();
        ConversionResult r = new Converter(ConvertOptions.DEFAULT.withX264(p.options()), Converter.Progress.NONE)
                .convert(SessionInput.resolve(List.of(in)), mp4);
        long cpu = Stages.cpuMs() - cpu0;
        long videoBytes;
        try (Mp4Probe probe = Mp4Probe.open(mp4)) {
            videoBytes = probe.videoPackets().stream().mapToLong(VideoPacket::size).sum();
        }
        Quality.Score q = reference.score(mp4);
        long fileBytes = Files.size(mp4);
        Files.delete(mp4);
        System.err.printf("Frontier: %s | %s: CPU %.1f s, wall %.1f s, %,d B, SSIM %.5f, PSNR %.2f%n", name, p.label(),
                cpu / 1000.0, r.wallMs() / 1000.0, videoBytes, q.ssimMean(), q.psnr());
        return String.join("\t", name, p.label(), Integer.toString(rep), p.preset(), p.tune(), Integer.toString(p.crf()),
                p.params(), Long.toString(cpu), Long.toString(r.wallMs()), Long.toString(r.renderMs()),
                Long.toString(r.convertMs()), Long.toString(r.encodeMs()), Long.toString(r.frames()),
                Long.toString(r.durationMs()), Long.toString(videoBytes), Long.toString(fileBytes),
                String.format("%.5f", q.ssimMean()), String.format("%.5f", q.ssimMin()), String.format("%.2f", q.psnr()),
                Integer.toString(q.frames())) + "\n";
    }
}

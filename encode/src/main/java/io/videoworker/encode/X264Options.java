package io.videoworker.encode;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How x264 trades CPU, bytes and quality: preset, then tune, then single options over both, at a
 * constant rate factor. The default was picked from the measured frontier (docs/benchmarks.md,
 * bench/frontier.sh).
 *
 * @param preset x264 speed preset, "ultrafast" .. "veryslow"
 * @param tune   x264 tune ("ssim", "stillimage", ...), or "" for none
 * @param crf    constant rate factor, 0 (best) to 51 (worst)
 * @param params x264 options over preset and tune, in x264's syntax ("ref=1:subme=2"), or ""
 */
public record X264Options(String preset, String tune, int crf, String params) {

    public static final List<String> PRESETS = List.of("ultrafast", "superfast", "veryfast", "faster", "fast",
            "medium", "slow", "slower", "veryslow");
    /** Tunes for a single-pass 8-bit encode; not "zerolatency", which would undo our frame threads. */
    public static final List<String> TUNES = List.of("", "film", "animation", "grain", "stillimage", "psnr", "ssim",
            "fastdecode");
    private static final String INT = "\\d{1,3}";
    private static final String BOOL = "[01]";
    private static final String DECIMAL = "\\d{1,2}(\\.\\d{1,3})?";
    /**
     * The options one may set, with their values. FFmpeg only warns about a name or value x264 does
     * not know and encodes on, so a typo would pass silently; and some options would break what the
     * writer relies on: keyframe placement (keyint, scenecut is fine), no B-frames (decode times
     * under a variable frame rate, see VideoTrack), the rate factor (crf has its own field).
     */
    private static final Map<String, Pattern> KNOWN = Map.ofEntries(
            known("ref", INT), known("subme", INT), known("me", "dia|hex|umh|esa|tesa"), known("merange", INT),
            known("trellis", "[012]"), known("aq-mode", "[0-3]"), known("aq-strength", DECIMAL),
            known("psy", BOOL), known("psy-rd", DECIMAL + "," + DECIMAL), known("rc-lookahead", INT),
            known("mbtree", BOOL), known("weightp", "[012]"), known("8x8dct", BOOL),
            known("partitions", "none|all|(i4x4|i8x8|p4x4|p8x8|b8x8)(,(i4x4|i8x8|p4x4|p8x8|b8x8))*"),
            known("mixed-refs", BOOL), known("fast-pskip", BOOL), known("chroma-me", BOOL),
            known("dct-decimate", BOOL), known("cabac", BOOL), known("deblock", "-?\\d,-?\\d"),
            known("scenecut", INT), known("threads", INT), known("lookahead-threads", INT),
            known("sliced-threads", BOOL), known("qcomp", DECIMAL), known("nr", "\\d{1,4}"),
            known("deadzone-inter", INT), known("deadzone-intra", INT), known("ipratio", DECIMAL));

    /**
     * Picked from the measured frontier (docs/benchmarks.md, "The encoder frontier"): ultrafast plus
     * the options that paid on screen content — CABAC (-11 % bytes for ~2 % CPU), intra 8x8/4x4
     * partitions with the 8x8 transform (-9 %) and variance AQ (-15 %). superfast adds deblocking,
     * sub-pixel refinement, weighted prediction and scene-cut analysis on top of these: about 20 %
     * more CPU for no fewer bytes on busy screens. At crf 27 this holds SSIM 0.995 on busy 1280x720
     * content; the former default (fast, crf 30) used twice the CPU and fell below it there.
     */
    public static final X264Options DEFAULT = new X264Options("ultrafast", "", 27,
            "cabac=1:partitions=i8x8,i4x4:8x8dct=1:aq-mode=1");

    public X264Options {
        if (preset == null || !PRESETS.contains(preset)) {
            throw new IllegalArgumentException("preset must be one of " + PRESETS + ", got " + preset);
        }
        if (tune == null || !TUNES.contains(tune)) {
            throw new IllegalArgumentException("tune must be one of " + TUNES + ", got " + tune);
        }
        if (crf < 0 || crf > 51) {
            throw new IllegalArgumentException("crf must be 0..51, got " + crf);
        }
        if (params == null) {
            throw new IllegalArgumentException("x264 options are null");
        }
        if (!params.isEmpty()) {
            for (String option : params.split(":", -1)) {
                check(option);
            }
        }
    }

    private static void check(String option) {
        int eq = option.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("x264 options must read key=value:key=value, got '" + option + "'");
        }
        String key = option.substring(0, eq);
        Pattern values = KNOWN.get(key);
        if (values == null) {
            throw new IllegalArgumentException("x264 option '" + key + "' is not one of " + new TreeSet<>(KNOWN.keySet()));
        }
        if (!values.matcher(option.substring(eq + 1)).matches()) {
            throw new IllegalArgumentException("x264 option " + key + " takes " + values.pattern() + ", got '"
                    + option.substring(eq + 1) + "'");
        }
    }

    private static Map.Entry<String, Pattern> known(String key, String values) {
        return Map.entry(key, Pattern.compile(values));
    }

    public X264Options withCrf(int newCrf) {
        return new X264Options(preset, tune, newCrf, params);
    }

    public X264Options withPreset(String newPreset) {
        return new X264Options(newPreset, tune, crf, params);
    }

    /** As x264's command line would say it, e.g. "--preset fast --crf 30 ref=1". */
    @Override
    public String toString() {
        return "--preset " + preset + (tune.isEmpty() ? "" : " --tune " + tune) + " --crf " + crf
                + (params.isEmpty() ? "" : " " + params);
    }
}

package io.videoworker.worker.convert;

import java.nio.file.Path;
import java.util.List;

/**
 * What a conversion produced, as the CLI's --json reports it. Wall time splits into the stages
 * {@code convertMs} (colour conversion/scaling), {@code encodeMs} (x264, AAC, muxing) and the
 * rest: reading, parsing, decoding images and drawing.
 */
public record ConversionResult(Path output, int width, int height, long frames, long durationMs, boolean audio,
                               long bytes, long wallMs, List<String> warnings, long convertMs, long encodeMs) {
    /** Reading, parsing, image decoding and drawing. */
    public long renderMs() {
        return Math.max(0, wallMs - convertMs - encodeMs);
    }
}

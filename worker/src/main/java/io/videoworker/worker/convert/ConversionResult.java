package io.videoworker.worker.convert;

import java.nio.file.Path;
import java.util.List;

/** What a conversion produced, as the CLI's --json reports it. */
public record ConversionResult(Path output, int width, int height, long frames, long durationMs, boolean audio,
                               long bytes, long wallMs, List<String> warnings) {
}

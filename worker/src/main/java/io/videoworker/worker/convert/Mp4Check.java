package io.videoworker.worker.convert;

import io.videoworker.encode.EncodeException;
import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What an MP4 must be before anything is published or deleted for it: a container FFmpeg reads,
 * {@code moov} in front (browsers play while downloading), its length within a tolerance of the
 * recording's, video samples present and the first one decodable. The converter runs it on every
 * file it wrote, in its own process (decoding is native code), before it reports success.
 */
public final class Mp4Check {
    /** Audio priming and the last frame's duration move the container's length a little: at most this, or 1 %. */
    static final long TOLERANCE_MS = 500;

    private Mp4Check() {
    }

    /** A written MP4 that fails its check: the conversion failed (the service publishes the originals). */
    public static final class Failed extends IOException {
        Failed(Path file, String why) {
            super(file.getFileName() + " failed its check: " + why);
        }
    }

    /** Passes, or throws {@link Failed} saying what is wrong. */
    public static void verify(Path mp4, long recordingMs) throws Failed {
        List<String> boxes = Mp4Probe.topLevelBoxes(mp4);
        if (boxes.isEmpty() || !boxes.get(0).equals("ftyp")) {
            throw new Failed(mp4, "not an MP4 (top-level boxes " + boxes + ")");
        }
        Mp4Info info;
        try (Mp4Probe probe = Mp4Probe.open(mp4)) {
            info = probe.info();
            if (!info.moovBeforeMdat()) {
                throw new Failed(mp4, "moov is not in front of the media (boxes " + info.topLevelBoxes() + ")");
            }
            if (!info.hasVideo() || info.videoFrames() < 1) {
                throw new Failed(mp4, "no video samples");
            }
            long tolerance = Math.max(TOLERANCE_MS, recordingMs / 100);
            if (Math.abs(info.durationMs() - recordingMs) > tolerance) {
                throw new Failed(mp4, "it lasts " + info.durationMs() + " ms, the recording " + recordingMs + " ms");
            }
            if (probe.frameAt(0) == null) {
                throw new Failed(mp4, "its first picture does not decode");
            }
        } catch (EncodeException e) {
            throw new Failed(mp4, e.getMessage());
        }
    }
}

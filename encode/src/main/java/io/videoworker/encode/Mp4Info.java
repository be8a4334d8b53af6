package io.videoworker.encode;

import java.util.List;

/**
 * What an MP4 holds, as {@link Mp4Probe} reads it. Audio fields are null/0 without an audio stream,
 * video fields likewise without a video stream.
 *
 * @param bytes          file size
 * @param durationMs     presentation length of the file (movie header / edit lists)
 * @param topLevelBoxes  types of the top-level boxes in file order, e.g. [ftyp, moov, free, mdat]
 * @param streams        number of streams of any kind
 * @param videoCodec     e.g. "h264"
 * @param videoProfile   e.g. "High", or null when unknown
 * @param pixelFormat    e.g. "yuv420p"
 * @param videoFrames    number of video samples in the file
 * @param audioCodec     e.g. "aac"
 */
public record Mp4Info(long bytes, long durationMs, List<String> topLevelBoxes, int streams,
                      String videoCodec, String videoProfile, String pixelFormat, int width, int height,
                      long videoDurationMs, long videoFrames,
                      String audioCodec, int audioSampleRate, int audioChannels, long audioDurationMs) {

    public Mp4Info {
        topLevelBoxes = List.copyOf(topLevelBoxes);
    }

    public boolean hasVideo() {
        return videoCodec != null;
    }

    public boolean hasAudio() {
        return audioCodec != null;
    }

    /** True when the moov box comes before the media data, so playback can start while downloading. */
    public boolean moovBeforeMdat() {
        int moov = topLevelBoxes.indexOf("moov");
        int mdat = topLevelBoxes.indexOf("mdat");
        return moov >= 0 && (mdat < 0 || moov < mdat);
    }
}

import io.videoworker.encode.Mp4Probe;
import io.videoworker.encode.VideoPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How an MP4's video bytes split between keyframes and the rest (explains idle and audio-sample
 * sizes, where the keyframe every 5 s for seeking dominates).
 * Run: java -cp worker/target/video-worker.jar bench/Packets.java FILE.mp4...
 * Prints one line per file: file, bytes, video packets, keyframes, bytes in keyframes (and share
 * of all video packet bytes), largest keyframe.
 */
public class Packets {
    public static void main(String[] args) throws Exception {
        for (String a : args) {
            Path p = Path.of(a);
            try (Mp4Probe probe = Mp4Probe.open(p)) {
                List<VideoPacket> packets = probe.videoPackets();
                long all = 0, key = 0, keys = 0, maxKey = 0;
                for (VideoPacket v : packets) {
                    all += v.size();
                    if (v.key()) {
                        keys++;
                        key += v.size();
                        maxKey = Math.max(maxKey, v.size());
                    }
                }
                System.out.printf("file=%s bytes=%d video_packets=%d video_bytes=%d keyframes=%d keyframe_bytes=%d "
                                + "keyframe_share=%.1f%% max_keyframe=%d%n", p.getFileName(), Files.size(p),
                        packets.size(), all, keys, key, all > 0 ? 100.0 * key / all : 0, maxKey);
            }
        }
    }
}

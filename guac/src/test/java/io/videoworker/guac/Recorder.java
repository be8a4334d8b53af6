package io.videoworker.guac;

import io.videoworker.guac.protocol.GuacReader;
import io.videoworker.guac.protocol.RecordingInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A FrameSink that records what the player did, for assertions. */
public final class Recorder implements FrameSink {
    public final List<String> events = new ArrayList<>();
    public final List<Long> shows = new ArrayList<>();
    public int[] last;
    public int width;
    public int height;
    public int[] lastDirty;
    public long audioFrames;
    public final List<Long> audioTimes = new ArrayList<>();
    public final Warnings warnings = new Warnings();
    public long end = -1;

    @Override
    public void prepare(Frame f) {
        last = f.pixels().clone();
        width = f.width();
        height = f.height();
        lastDirty = f.dirty();
        events.add("prepare");
    }

    @Override
    public void show(long ms) {
        shows.add(ms);
        events.add("show " + ms);
    }

    @Override
    public void audio(long ms, short[] samples, int frames, AudioFormat format) {
        audioFrames += frames;
        audioTimes.add(ms);
    }

    @Override
    public void end(long ms) {
        end = ms;
    }

    /** Plays the recordings as consecutive parts. */
    public static Recorder play(PlayerOptions options, Rec... parts) {
        Recorder r = new Recorder();
        try (SessionPlayer p = new SessionPlayer(options, r, r.warnings)) {
            int i = 0;
            for (Rec part : parts) {
                GuacReader reader = RecordingInput.open(new ByteArrayInputStream(part.bytes()), "part" + i++);
                p.play(reader);
            }
            p.finish();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return r;
    }

    /** Every changed sync shown, pointer drawn. */
    public static Recorder play(Rec... parts) {
        return play(PlayerOptions.DEFAULT.withMaxFps(0), parts);
    }

    public int pixel(int x, int y) {
        return last[y * width + x];
    }
}

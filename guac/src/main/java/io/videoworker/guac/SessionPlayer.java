package io.videoworker.guac;

import io.videoworker.guac.display.Display;
import io.videoworker.guac.display.Pointer;
import io.videoworker.guac.image.ImageDecoder;
import io.videoworker.guac.protocol.GuacReader;
import io.videoworker.guac.protocol.Instruction;
import java.io.IOException;

/**
 * Plays one or more parts of a recording onto one timeline and tells a {@link FrameSink} what a
 * viewer saw and when. Time zero is the first {@code sync}; a picture is produced at a sync only
 * if the screen or pointer changed; timestamps never go backwards (clamped); pictures closer
 * together than the frame-rate cap are coalesced, the latest state winning, without drifting.
 */
public final class SessionPlayer implements AutoCloseable {
    private final PlayerOptions options;
    private final FrameSink sink;
    private final Warnings warnings;
    private final Renderer renderer;
    private final Display display;
    private final ImageDecoder decoder;
    private final double interval;

    /** A sync further ahead than this is a broken clock; guacd syncs about once a second even when idle. */
    public static final long MAX_GAP_MS = 10 * 60_000;
    /**
     * Longest timeline accepted: idle time costs AAC silence when there is sound, so a timeline is
     * work, however small the file.
     */
    public static final long MAX_DURATION_MS = 7 * 24 * 3_600_000L;

    private boolean started; // seen the first sync
    private long origin; // its timestamp
    private long skipped; // forward clock jumps left out of the timeline
    private long jumpedFrom = -1; // the clock before the latest jump left out, until a sync goes on from the jump
    private long skippedBeforeJump;
    private boolean clockBehind; // the latest sync was more than a second behind the clock
    private long lastTimestamp;
    private long now; // effective time of the latest sync, from origin
    private long syncs;

    private double lastShown = Double.NEGATIVE_INFINITY;
    private boolean pending; // a changed picture waits for its slot
    private long pendingAt;
    private boolean prepared; // ...and was handed to the sink because the screen is about to change

    private final java.util.Map<Integer, java.io.ByteArrayOutputStream> nests = new java.util.HashMap<>(); // nest sub-parsers
    private long nestBytes; // held by all of them: together at most one instruction's worth

    private int[] composed = new int[0];
    private int[] underPointer = new int[0];

    public SessionPlayer(PlayerOptions options, FrameSink sink, Warnings warnings) {
        this.options = options;
        this.sink = sink;
        this.warnings = warnings;
        this.decoder = new ImageDecoder(options.limits().maxLayerPixels(), options.limits().maxSide());
        this.renderer = new Renderer(options.limits(), decoder, warnings, this::audio);
        this.display = renderer.display();
        this.interval = options.intervalMs();
    }

    public Display display() {
        return display;
    }

    /** Timestamp of the first sync (the timeline's zero), valid once a sync was seen. */
    public long origin() {
        return origin;
    }

    public boolean started() {
        return started;
    }

    /** Milliseconds from the first sync to the latest. */
    public long duration() {
        return now;
    }

    /**
     * Plays one self-contained part to its end. Its first state becomes visible at its first
     * sync; until then the previous part's last picture holds. Damage after the part's first
     * instruction is skipped with a warning each, keeping the display as it was.
     */
    public void play(GuacReader reader) throws IOException {
        if (syncs > 0 || display.width() > 0) {
            beforeScreenChange();
        }
        renderer.reset(reader.name());
        nests.clear();
        nestBytes = 0;
        reader.onDamage(d -> warnings.damage(d.message()));
        Instruction in = new Instruction();
        long instructionsBefore = 0;
        while (reader.next(in)) {
            instructionsBefore++;
            handle(in, reader.name(), 0);
        }
        if (reader.truncatedAt() >= 0) {
            warnings.add("truncated", reader.name() + " is cut off inside the instruction at byte "
                    + reader.truncatedAt() + " (after " + instructionsBefore + " complete instructions); rendered up to there");
        } else if (reader.streamDamage() != null) {
            warnings.add("truncated", reader.name() + ": compressed data ends early at byte " + reader.position()
                    + " (" + reader.streamDamage() + "); rendered up to there");
        }
    }

    private void handle(Instruction in, String input, int depth) throws IOException {
        switch (in.opcode()) {
            case "sync" -> sync(in, input);
            case "nest" -> nest(in, input, depth);
            default -> {
                if (pending && !prepared && renderer.mayChangeScreen(in)) {
                    beforeScreenChange();
                }
                renderer.apply(in);
            }
        }
    }

    /**
     * Deprecated {@code nest,index,data}: data is protocol text for sub-parser {@code index},
     * parsed like top-level input; an instruction may span several nests.
     */
    private void nest(Instruction in, String input, int depth) throws IOException {
        int index;
        try {
            index = in.intArg(0);
            in.arg(1);
        } catch (IllegalArgumentException e) {
            warnings.add("bad nest", input + " " + reader(in) + ": skipped '" + in + "': " + e.getMessage());
            return;
        }
        int length = in.argEnd(1) - in.argStart(1);
        if (depth > 8 || nestBytes + length > GuacReader.DEFAULT_MAX_INSTRUCTION_BYTES) {
            warnings.add("bad nest", input + " " + reader(in) + ": nested stream " + index + " too deep or too long; dropped");
            dropNest(index);
            return;
        }
        java.io.ByteArrayOutputStream buf = nests.computeIfAbsent(index, k -> new java.io.ByteArrayOutputStream());
        buf.write(in.buffer(), in.argStart(1), length);
        nestBytes += length;
        byte[] bytes = buf.toByteArray();
        String name = input + " (nest " + index + ")";
        GuacReader sub = new GuacReader(new java.io.ByteArrayInputStream(bytes), name);
        Instruction nested = new Instruction();
        long consumed = 0;
        try {
            while (sub.next(nested)) {
                handle(nested, name, depth + 1);
                consumed = sub.position();
            }
        } catch (io.videoworker.guac.protocol.GuacFormatException e) {
            warnings.add("bad nest", e.getMessage() + "; nested stream dropped");
            dropNest(index);
            return;
        }
        // the unparsed rest waits in a buffer of its own size (a drained big one would stay big)
        int left = bytes.length - (int) consumed;
        java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream(Math.max(32, left));
        rest.write(bytes, (int) consumed, left);
        java.io.ByteArrayOutputStream old = nests.put(index, rest); // an inner nest may have replaced buf
        nestBytes += left - (old == null ? 0 : old.size());
    }

    private void dropNest(int index) {
        java.io.ByteArrayOutputStream buf = nests.remove(index);
        if (buf != null) {
            nestBytes -= buf.size();
        }
    }

    private void sync(Instruction in, String input) {
        clockBehind = false;
        long ts;
        try {
            ts = in.longArg(0);
        } catch (IllegalArgumentException e) {
            warnings.add("bad sync", reader(in) + ": skipped '" + in + "': " + e.getMessage());
            return;
        }
        if (!started) {
            started = true;
            origin = ts;
            lastTimestamp = ts;
        } else if (ts < lastTimestamp && jumpedFrom >= 0 && ts >= jumpedFrom && ts <= jumpedFrom + MAX_GAP_MS) {
            // the clock is back where it was before a jump ahead: that one stamp was stray (a damaged
            // digit), and clamping to it would stop the rest of the timeline
            warnings.add("clock", reader(in) + ": sync timestamp comes back " + (lastTimestamp - ts)
                    + " ms after a jump ahead; the stray timestamp is left out");
            skipped = skippedBeforeJump;
            jumpedFrom = -1;
        } else if (ts < lastTimestamp) {
            if (lastTimestamp - ts > 1000) {
                warnings.add("clock", reader(in) + ": sync timestamp goes back "
                        + (lastTimestamp - ts) + " ms; carrying on from the last time");
                clockBehind = true;
            }
            ts = lastTimestamp; // monotonic clamp: never drop a frame for a late stamp
        } else if (ts - lastTimestamp > MAX_GAP_MS) {
            warnings.add("clock", reader(in) + ": sync timestamp jumps ahead " + (ts - lastTimestamp)
                    + " ms; taken as a broken clock, the jump is left out");
            jumpedFrom = lastTimestamp;
            skippedBeforeJump = skipped;
            skipped += ts - lastTimestamp;
        } else {
            jumpedFrom = -1; // the clock goes on from the jump: it was a real one
        }
        lastTimestamp = ts;
        now = ts - origin - skipped;
        if (now > MAX_DURATION_MS) {
            throw new RecordingException(input + " at " + reader(in) + ": the timeline passes "
                    + MAX_DURATION_MS / 3_600_000 + " hours, the longest accepted");
        }
        syncs++;
        onSync(now);
    }

    /**
     * Sound is placed at the latest sync. After a sync more than a second behind the clock (text
     * replayed: a slice copied by damage, a gzip member glued on twice) its time is unknown, and
     * appending it would push all later sound late and past the video's end: it is dropped.
     */
    private void audio(short[] samples, int frames, AudioFormat format) {
        if (clockBehind) {
            warnings.add("audio behind", "audio after a sync timestamp that went back is dropped: its time is unknown");
            return;
        }
        sink.audio(now, samples, frames, format);
    }

    private static String reader(Instruction in) {
        return "byte " + in.offset() + " (instruction " + in.number() + ")";
    }

    private void onSync(long t) {
        if (pending) {
            if (t >= lastShown + interval) {
                if (!prepared) {
                    prepare(); // nothing changed since the waiting picture: it is the current one
                }
                show((long) Math.ceil(Math.max(pendingAt, lastShown + interval)));
                pending = false;
                prepared = false;
            } else {
                if (prepared) {
                    pendingAt = t; // the waiting picture was superseded within its slot
                    prepared = false;
                }
                return;
            }
        }
        if (display.changed() && display.width() > 0 && display.height() > 0) {
            if (t >= lastShown + interval) {
                prepare();
                show(t);
            } else {
                pending = true;
                pendingAt = t;
            }
        }
    }

    /** The waiting picture must be handed over before the screen changes under it. */
    private void beforeScreenChange() {
        if (pending && !prepared) {
            prepare();
            prepared = true;
        }
    }

    private void show(long t) {
        lastShown = t;
        sink.show(t);
    }

    private void prepare() {
        int w = display.width();
        int h = display.height();
        Pointer pointer = display.pointer();
        boolean drawPointer = options.cursor() && pointer.visible();
        if (display.flat()) {
            int[] px = display.root().pixels();
            int[] dirty = display.damage().clipped(w, h);
            int[] saved = drawPointer ? savePointerArea(px, w, h, pointer) : null;
            if (drawPointer) {
                pointer.drawOnto(px, w, h);
            }
            try {
                sink.prepare(new Frame(px, w, h, dirty));
            } finally {
                if (saved != null) {
                    restorePointerArea(px, w, h, pointer, saved);
                }
            }
        } else {
            if (composed.length != w * h) {
                composed = new int[w * h];
            }
            display.compose(composed);
            if (drawPointer) {
                pointer.drawOnto(composed, w, h);
            }
            sink.prepare(new Frame(composed, w, h, new int[] {0, 0, w, h}));
        }
        display.takeChanges();
    }

    private int[] savePointerArea(int[] px, int w, int h, Pointer p) {
        int x0 = Math.max(0, p.left());
        int y0 = Math.max(0, p.top());
        int x1 = Math.min(w, p.left() + p.width());
        int y1 = Math.min(h, p.top() + p.height());
        if (x0 >= x1 || y0 >= y1) {
            return null;
        }
        int cw = x1 - x0;
        int need = cw * (y1 - y0);
        if (underPointer.length < need) {
            underPointer = new int[need];
        }
        for (int row = y0; row < y1; row++) {
            System.arraycopy(px, row * w + x0, underPointer, (row - y0) * cw, cw);
        }
        return underPointer;
    }

    private void restorePointerArea(int[] px, int w, int h, Pointer p, int[] saved) {
        int x0 = Math.max(0, p.left());
        int y0 = Math.max(0, p.top());
        int x1 = Math.min(w, p.left() + p.width());
        int y1 = Math.min(h, p.top() + p.height());
        int cw = x1 - x0;
        for (int row = y0; row < y1; row++) {
            System.arraycopy(saved, (row - y0) * cw, px, row * w + x0, cw);
        }
    }

    /** Ends the timeline at the last sync: a waiting picture is shown, the last one holds. */
    public void finish() {
        if (pending) {
            if (!prepared) {
                prepare();
            }
            show((long) Math.min(now, Math.ceil(Math.max(pendingAt, lastShown + interval))));
            pending = false;
        }
        sink.end(now);
    }

    @Override
    public void close() {
        decoder.close();
    }
}

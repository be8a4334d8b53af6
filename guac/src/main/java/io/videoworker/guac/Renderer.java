package io.videoworker.guac;

import io.videoworker.guac.display.Display;
import io.videoworker.guac.display.DisplayException;
import io.videoworker.guac.image.DecodedImage;
import io.videoworker.guac.image.ImageDecoder;
import io.videoworker.guac.image.ImageFormatException;
import io.videoworker.guac.protocol.Base64Bytes;
import io.videoworker.guac.protocol.Instruction;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Applies instructions to a {@link Display}: drawing, layers, image and audio streams, pointer.
 * Timing ({@code sync}) is the caller's business. Instructions with bad arguments are skipped
 * with a warning; requests past the {@link Limits} throw {@link RecordingException}.
 */
public final class Renderer {
    /** Receives decoded PCM as it arrives; the caller knows the time. */
    public interface AudioListener {
        void pcm(short[] samples, int frames, AudioFormat format);
    }

    private final Limits limits;
    private final Display display;
    private final ImageDecoder decoder;
    private final Warnings warnings;
    private final AudioListener audio;
    private final Map<Integer, Stream> streams = new HashMap<>();
    private long buffered; // bytes all open streams hold: together at most one image's limit
    private String inputName = "input";

    public Renderer(Limits limits, ImageDecoder decoder, Warnings warnings, AudioListener audio) {
        this.limits = limits;
        this.display = new Display(limits);
        this.decoder = decoder;
        this.warnings = warnings;
        this.audio = audio;
    }

    public Display display() {
        return display;
    }

    /** Starts a new self-contained part: layers, buffers, streams and pointer are forgotten. */
    public void reset(String inputName) {
        this.inputName = inputName;
        for (Stream s : streams.values()) {
            release(s);
        }
        streams.clear();
        display.reset();
    }

    /** Applies one instruction. */
    public void apply(Instruction in) {
        try {
            dispatch(in);
        } catch (Instruction.BadArgumentException e) {
            warnings.add("bad " + in.opcode(), where(in) + ": skipped '" + in + "': " + e.getMessage());
        } catch (DisplayException e) {
            throw new RecordingException(where(in) + ": " + e.getMessage() + " ('" + in + "')", e);
        }
    }

    private String where(Instruction in) {
        return inputName + " at byte " + in.offset() + " (instruction " + in.number() + ")";
    }

    private void dispatch(Instruction in) {
        Display d = display;
        switch (in.opcode()) {
            case "blob" -> blob(in);
            case "img" -> openImage(in);
            case "end" -> end(in);
            case "mouse" -> d.mouse(in.intArg(0), in.intArg(1));
            case "size" -> d.size(in.intArg(0), in.intArg(1), in.intArg(2));
            case "copy" -> d.copy(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3), in.intArg(4),
                    in.intArg(5), in.intArg(6), in.intArg(7), in.intArg(8));
            case "transfer" -> d.transfer(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3), in.intArg(4),
                    in.intArg(5), in.intArg(6), in.intArg(7), in.intArg(8));
            case "cursor" -> d.cursor(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3), in.intArg(4),
                    in.intArg(5), in.intArg(6));
            case "rect" -> d.rect(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3), in.intArg(4));
            case "cfill" -> d.fill(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3), in.intArg(4), in.intArg(5));
            case "lfill" -> d.fillPattern(in.intArg(0), in.intArg(1), in.intArg(2));
            case "cstroke" -> d.stroke(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3), in.doubleArg(4),
                    in.intArg(5), in.intArg(6), in.intArg(7), in.intArg(8));
            case "lstroke" -> d.strokePattern(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3),
                    in.doubleArg(4), in.intArg(5));
            case "start" -> d.start(in.intArg(0), in.doubleArg(1), in.doubleArg(2));
            case "line" -> d.line(in.intArg(0), in.doubleArg(1), in.doubleArg(2));
            case "curve" -> d.curve(in.intArg(0), in.doubleArg(1), in.doubleArg(2), in.doubleArg(3),
                    in.doubleArg(4), in.doubleArg(5), in.doubleArg(6));
            case "arc" -> d.arc(in.intArg(0), in.doubleArg(1), in.doubleArg(2), in.doubleArg(3),
                    in.doubleArg(4), in.doubleArg(5), in.intArg(6) != 0);
            case "close" -> d.close(in.intArg(0));
            case "clip" -> d.clip(in.intArg(0));
            case "push" -> d.push(in.intArg(0));
            case "pop" -> d.pop(in.intArg(0));
            case "reset" -> d.reset(in.intArg(0));
            case "identity" -> d.identity(in.intArg(0));
            case "transform" -> d.transform(in.intArg(0), in.doubleArg(1), in.doubleArg(2), in.doubleArg(3),
                    in.doubleArg(4), in.doubleArg(5), in.doubleArg(6));
            case "distort" -> d.distort(in.intArg(0), in.doubleArg(1), in.doubleArg(2), in.doubleArg(3),
                    in.doubleArg(4), in.doubleArg(5), in.doubleArg(6));
            case "move" -> d.move(in.intArg(0), in.intArg(1), in.intArg(2), in.intArg(3), in.intArg(4));
            case "shade" -> d.shade(in.intArg(0), in.intArg(1));
            case "dispose" -> d.dispose(in.intArg(0));
            case "set" -> {
                if ("miter-limit".equals(in.arg(1))) {
                    d.miterLimit(in.intArg(0), in.doubleArg(2));
                }
            }
            case "audio" -> openAudio(in);
            case "clipboard", "file", "pipe", "argv", "body" -> open(in, in.opcode().equals("body") ? 1 : 0, Kind.SKIP);
            case "video" -> {
                warnings.add("video", where(in) + ": video streams are not rendered");
                open(in, 0, Kind.SKIP);
            }
            case "sync", "key", "touch", "disconnect", "nop", "name", "msg", "ack", "error", "log",
                 "required", "filesystem", "undefine", "ready", "args", "nest" -> {
                // timing is the caller's; input and control carry nothing to draw
            }
            default -> warnings.add("opcode " + in.opcode(), where(in) + ": unknown opcode '" + in.opcode() + "' skipped");
        }
    }

    /** True if applying this instruction may change what is on screen (pointer included). */
    public boolean mayChangeScreen(Instruction in) {
        switch (in.opcode()) {
            case "blob", "sync", "key", "nop", "audio", "img", "clipboard", "file", "pipe", "argv", "body",
                 "touch", "ack", "name", "msg", "log", "error", "required", "disconnect", "set", "rect",
                 "start", "line", "curve", "arc", "close", "push", "pop", "identity", "transform", "reset" -> {
                return false;
            }
            case "end" -> {
                Stream s = streams.get(safeInt(in, 0));
                return s != null && s.kind == Kind.IMAGE && s.layer >= 0;
            }
            case "size", "cfill", "lfill", "cstroke", "lstroke", "clip", "move", "shade", "distort", "dispose" -> {
                return safeInt(in, in.opcode().endsWith("fill") || in.opcode().endsWith("stroke") ? 1 : 0) >= 0;
            }
            case "copy", "transfer" -> {
                return safeInt(in, 6) >= 0;
            }
            default -> {
                return true;
            }
        }
    }

    private static int safeInt(Instruction in, int i) {
        try {
            return in.intArg(i);
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    // ---- streams -------------------------------------------------------------------------

    private enum Kind { IMAGE, AUDIO, SKIP }

    private static final class Stream {
        final Kind kind;
        Base64Bytes data = new Base64Bytes();
        int mask;
        int layer;
        int x;
        int y;
        String mimetype;
        AudioFormat format;
        boolean broken;

        Stream(Kind kind) {
            this.kind = kind;
        }
    }

    private Stream open(Instruction in, int indexArg, Kind kind) {
        int index = in.intArg(indexArg);
        Stream old = streams.remove(index); // a new opening instruction on a live index replaces it
        if (old != null) {
            release(old);
        }
        if (streams.size() >= limits.maxStreams()) {
            throw new DisplayException("more than " + limits.maxStreams() + " streams open at once");
        }
        Stream s = new Stream(kind);
        streams.put(index, s);
        return s;
    }

    private void openImage(Instruction in) {
        String mime = in.arg(3).toLowerCase(Locale.ROOT);
        boolean known = mime.startsWith("image/png") || mime.startsWith("image/jpeg") || mime.startsWith("image/webp");
        if (!known) {
            warnings.add("mimetype " + mime, where(in) + ": image type '" + mime + "' is not supported; its images are skipped");
        }
        Stream s = open(in, 0, known ? Kind.IMAGE : Kind.SKIP);
        s.mask = in.intArg(1);
        s.layer = in.intArg(2);
        s.mimetype = mime.length() > 100 ? mime.substring(0, 100) : mime; // only its start matters
        s.x = in.intArg(4);
        s.y = in.intArg(5);
    }

    private void openAudio(Instruction in) {
        AudioFormat f = AudioFormat.parse(in.arg(1));
        if (f == null) {
            warnings.add("audio " + in.arg(1), where(in) + ": audio type '" + in.arg(1) + "' is not supported; skipped");
            open(in, 0, Kind.SKIP);
            return;
        }
        open(in, 0, Kind.AUDIO).format = f;
    }

    private void blob(Instruction in) {
        int index = in.intArg(0);
        Stream s = streams.get(index);
        if (s == null) {
            // guacd files start recording after the audio instruction was sent
            warnings.add("blob without stream", where(in) + ": data on never-opened stream " + index
                    + " taken as audio in the default format " + AudioFormat.DEFAULT);
            if (streams.size() >= limits.maxStreams()) {
                throw new DisplayException("more than " + limits.maxStreams() + " streams open at once");
            }
            s = new Stream(Kind.AUDIO);
            s.format = AudioFormat.DEFAULT;
            streams.put(index, s);
        }
        if (s.kind == Kind.SKIP || s.broken) {
            return;
        }
        int own = s.kind == Kind.IMAGE ? limits.maxImageBytes() : (1 << 20);
        int limit = (int) Math.min(own, limits.maxImageBytes() - buffered + s.data.size());
        int before = s.data.size();
        if (!s.data.append(in.buffer(), in.argStart(1), in.argEnd(1), limit)) {
            s.broken = true;
            release(s);
            warnings.add("bad blob", where(in) + ": stream " + index + " data is not base64 or exceeds "
                    + limit + " bytes (" + limits.maxImageBytes() + " for all open streams); the stream is skipped");
            return;
        }
        buffered += s.data.size() - before;
        if (s.kind == Kind.AUDIO) {
            int usable = s.data.size() - s.data.size() % s.format.bytesPerFrame();
            if (usable > 0) {
                short[] pcm = s.format.toSamples(s.data.data(), usable);
                if (audio != null) {
                    audio.pcm(pcm, usable / s.format.bytesPerFrame(), s.format);
                }
                s.data.dropFirst(usable); // a sample split across blobs waits for its rest
                buffered -= usable;
            }
        }
    }

    private void end(Instruction in) {
        int index = in.intArg(0);
        Stream s = streams.remove(index); // free the index, unlike guacenc
        if (s == null) {
            return;
        }
        try {
            if (s.kind == Kind.IMAGE && !s.broken) {
                DecodedImage img;
                try {
                    img = decoder.decode(s.mimetype, s.data.data(), s.data.size());
                } catch (ImageFormatException e) {
                    warnings.add("bad image", where(in) + ": " + s.mimetype + " image for layer " + s.layer
                            + " at " + s.x + "," + s.y + " could not be decoded (" + e.getMessage() + "); skipped");
                    return;
                }
                display.drawImage(s.layer, s.x, s.y, img, s.mask);
            }
        } finally {
            release(s);
        }
    }

    private void release(Stream s) {
        buffered -= s.data.size();
        s.data.release();
    }
}

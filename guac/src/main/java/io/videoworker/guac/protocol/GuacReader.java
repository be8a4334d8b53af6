package io.videoworker.guac.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Pull parser for Guacamole protocol text: {@code LENGTH.VALUE(,LENGTH.VALUE)*;}, where LENGTH
 * counts Unicode code points. One pass over the bytes; memory is one instruction, capped.
 *
 * <p>{@link #next} returns false at the end. An end inside an instruction is a cut-off recording
 * (a crash, or a file still being written): {@link #truncatedAt()} then tells where. Anything
 * else malformed throws {@link GuacFormatException} naming input, byte offset and instruction,
 * unless a damage listener is set ({@link #onDamage}): then, once the first instruction has
 * parsed, a malformed stretch (or one lost in damaged gzip data) is reported to it and skipped,
 * and reading resynchronises at the next place where two whole instructions of known opcodes with
 * plausible argument counts follow one another. That rescan starts at the damaged instruction's
 * second byte, so a length digit flipped up does not swallow the instructions after it; its work is
 * linear (a failing candidate costs at most {@link #LOOKBACK} bytes, and past a budget of
 * {@value #RESYNC_WORK_PER_BYTE} times the bytes skipped the scan jumps past what it has examined).
 */
public final class GuacReader implements Closeable {
    /** libguac never writes more than 8192 code points per element; others may, within reason. */
    public static final int DEFAULT_MAX_INSTRUCTION_BYTES = 16 << 20;
    /**
     * How far a resynchronisation looks back and ahead: a damaged instruction up to this long is
     * rescanned from its second byte, and a candidate instruction must fit in it.
     */
    static final int LOOKBACK = 1 << 20;
    private static final int BUFFER = 1 << 16;
    private static final long RESYNC_BUDGET = 1 << 20;
    private static final int RESYNC_WORK_PER_BYTE = 16;
    private static final int BEYOND = -2; // at(): past the look-back window

    private final InputStream in;
    private final String name;
    private final int maxInstructionBytes;
    private byte[] io = new byte[BUFFER];
    private int pos;
    private int lim;
    private long base; // offset of io[0] in the uncompressed input
    private long keepFrom = -1; // bytes from here stay buffered: the instruction being read, or a resync candidate
    private long instructionStart;
    private long count;
    private long truncatedAt = -1;
    private LongSupplier compressedBytes;
    private double maxExpansion;
    private final String[] opcodes = new String[512];
    private String streamDamage;
    private Consumer<RecordingDamage> damage;
    private GzipDamage seam; // the text broke off in damaged gzip data at seamAt
    private long seamAt;
    private long reach; // where the furthest-reaching resync candidate failed

    public GuacReader(InputStream in, String name) {
        this(in, name, DEFAULT_MAX_INSTRUCTION_BYTES);
    }

    public GuacReader(InputStream in, String name, int maxInstructionBytes) {
        this.in = in;
        this.name = name;
        this.maxInstructionBytes = maxInstructionBytes;
    }

    /**
     * Refuse input that inflates more than {@code ratio} times its compressed size once past
     * 256 MiB: a recording is never that repetitive, a gzip bomb is.
     */
    public GuacReader limitExpansion(LongSupplier compressedBytes, double ratio) {
        this.compressedBytes = compressedBytes;
        this.maxExpansion = ratio;
        return this;
    }

    /**
     * Skip damage after the first instruction instead of throwing: each damaged stretch goes to
     * {@code listener}, and reading goes on where whole instructions parse again.
     */
    public GuacReader onDamage(Consumer<RecordingDamage> listener) {
        this.damage = listener;
        return this;
    }

    public String name() {
        return name;
    }

    /** Uncompressed bytes consumed so far. */
    public long position() {
        return base + pos;
    }

    /** Offset of the incomplete instruction the input ended in, or -1. */
    public long truncatedAt() {
        return truncatedAt;
    }

    /** Why the compressed stream ended early (cut off or corrupt), or null. */
    public String streamDamage() {
        return streamDamage;
    }

    /** Reads the next instruction into {@code ins}; false at the end of input. */
    public boolean next(Instruction ins) throws IOException {
        while (true) {
            try {
                return parse(ins);
            } catch (GzipBombException e) {
                throw e; // the input as a whole, not a damaged stretch
            } catch (GuacFormatException e) {
                if (damage == null || count == 0) {
                    throw e; // not a recording from its first instruction: refused
                }
                if (!resynchronise(e)) {
                    return false;
                }
            }
        }
    }

    private boolean parse(Instruction ins) throws IOException {
        ins.elements = 0;
        int w = 0;
        int b = read();
        while (isSpace(b)) {
            b = read();
        }
        if (b < 0) {
            return endOfText(-1);
        }
        long startOffset = position() - 1;
        instructionStart = startOffset;
        keepFrom = startOffset;
        while (true) {
            // LENGTH
            if (b < '0' || b > '9') {
                throw error(position() - 1, "expected a length digit but found " + describe(b));
            }
            long len = 0;
            int digits = 0;
            while (b >= '0' && b <= '9') {
                len = len * 10 + (b - '0');
                if (++digits > 10) {
                    throw error(position() - 1, "length has too many digits");
                }
                b = read();
            }
            if (b < 0) {
                return endOfText(startOffset);
            }
            if (b != '.') {
                throw error(position() - 1, "expected '.' after the length but found " + describe(b));
            }
            if (len > maxInstructionBytes) {
                throw error(position(), "element of " + len + " characters exceeds the limit of " + maxInstructionBytes + " bytes");
            }
            // VALUE: len code points
            if (ins.elements == ins.start.length) {
                if (ins.elements >= 4096) {
                    throw error(position(), "instruction has more than 4096 elements");
                }
                ins.start = Arrays.copyOf(ins.start, ins.elements * 2);
                ins.end = Arrays.copyOf(ins.end, ins.elements * 2);
            }
            ins.start[ins.elements] = w;
            long remaining = len;
            while (remaining > 0) {
                if (pos == lim && !fill()) {
                    return endOfText(startOffset);
                }
                int n = (int) Math.min(remaining, lim - pos);
                w = ensure(ins, w, n + 4);
                int i = pos;
                int stop = pos + n;
                byte[] src = io;
                while (i < stop && src[i] >= 0) {
                    i++;
                }
                int ascii = i - pos;
                System.arraycopy(src, pos, ins.buf, w, ascii);
                w += ascii;
                remaining -= ascii;
                pos = i;
                if (remaining > 0 && i < stop) {
                    // a multi-byte UTF-8 sequence counts as one code point
                    int size = utf8Size(src[pos] & 0xFF);
                    for (int k = 0; k < size; k++) {
                        int c = read();
                        if (c < 0) {
                            return endOfText(startOffset);
                        }
                        ins.buf[w++] = (byte) c;
                    }
                    remaining--;
                }
            }
            ins.end[ins.elements] = w;
            ins.elements++;
            b = read();
            if (b == ',') {
                b = read();
                while (isSpace(b)) {
                    b = read();
                }
                if (b < 0) {
                    return endOfText(startOffset);
                }
                continue;
            }
            if (b == ';') {
                break;
            }
            if (b < 0) {
                return endOfText(startOffset);
            }
            throw error(position() - 1, "expected ',' or ';' but found " + describe(b));
        }
        keepFrom = -1;
        ins.opcode = opcode(ins.buf, ins.start[0], ins.end[0]);
        ins.offset = startOffset;
        ins.number = ++count;
        return true;
    }

    /**
     * The text ended inside the instruction that began at {@code start} (-1: between instructions).
     * If it broke off in damaged gzip data and damage is skipped, that is damage; otherwise the end.
     */
    private boolean endOfText(long start) throws GuacFormatException {
        if (seam != null && damage != null) {
            throw new CutByDamage(name, start >= 0 ? start : seamAt, seamAt, count + 1);
        }
        if (seam != null) {
            streamDamage = seam.describe(); // without a listener the text ends at the damage, as it always did
        }
        if (start >= 0) {
            truncatedAt = start;
        }
        return false;
    }

    /** The text broke off in damaged gzip data at {@code seamAt}; the instruction from {@code from} is lost. */
    private static final class CutByDamage extends GuacFormatException {
        final long from;

        CutByDamage(String input, long from, long seamAt, long instruction) {
            super(input, seamAt, instruction, "cut off by the damaged gzip data");
            this.from = from;
        }
    }

    // ---- resynchronisation ---------------------------------------------------------------

    /**
     * Reports the damage {@code e} found and moves to the next place where instructions parse
     * again; false if none does before the end (the damage is then reported up to the end).
     */
    private boolean resynchronise(GuacFormatException e) throws IOException {
        long from;
        long p;
        String problem;
        if (e instanceof CutByDamage cut) {
            from = cut.from;
            p = seamAt;
            problem = cut.problem();
        } else {
            from = instructionStart;
            // the damage may be anywhere in the instruction: rescan it from its second byte if it is still here
            p = from >= base ? from + 1 : Math.max(base, e.offset());
            problem = e.problem() + " at byte " + e.offset();
        }
        long number = ++count; // the damaged stretch keeps the number its instruction had
        GzipDamage cause = null;
        long work = 0;
        while (true) {
            keepFrom = p;
            int c = at(p);
            if (c < 0) {
                if (seam == null) { // the end
                    report(number, from, p, problem, cause, true);
                    pos = lim;
                    return false;
                }
                if (cause != null) { // a second break before anything parsed: report the first on its own
                    report(number, from, p, problem, cause, false);
                    number = ++count;
                    from = p;
                    problem = null;
                }
                cause = seam; // the text goes on after the damaged gzip data
                seam = null;
                continue;
            }
            if (c >= '0' && c <= '9') {
                reach = p;
                long end = instructionEnd(p);
                if (end > 0 && followedByInstruction(end)) {
                    report(number, from, p, problem, cause, false);
                    pos = (int) (p - base);
                    keepFrom = -1;
                    return true;
                }
                work += reach - p;
                if (work > RESYNC_BUDGET + RESYNC_WORK_PER_BYTE * (p - from)) {
                    p = Math.max(p, reach - 1); // over budget: nothing it examined is tried again
                }
            }
            p++;
        }
    }

    private void report(long number, long from, long to, String problem, GzipDamage cause, boolean toTheEnd) {
        damage.accept(new RecordingDamage(name, in instanceof GzipMembers, number, from, to, problem, cause, toTheEnd));
    }

    /** True if what follows {@code end} is another plausible instruction, or nothing to judge by. */
    private boolean followedByInstruction(long end) throws IOException {
        long i = end;
        int c = at(i);
        while (isSpace(c)) {
            c = at(++i);
        }
        return c < 0 || instructionEnd(i) > 0;
    }

    /**
     * The end of a plausible instruction at {@code p}: a known opcode with an argument count it
     * takes, within the look-back window; -1 if there is none. Records how far it looked.
     */
    private long instructionEnd(long p) throws IOException {
        long i = p;
        long len = 0;
        int c = at(i);
        while (c >= '0' && c <= '9' && i - p < 2) {
            len = len * 10 + c - '0';
            c = at(++i);
        }
        if (c != '.' || len == 0 || len > Opcodes.LONGEST) {
            return looked(i);
        }
        char[] opcode = new char[(int) len];
        for (int k = 0; k < len; k++) {
            c = at(++i);
            if (c < 'a' || c > 'z') {
                return looked(i);
            }
            opcode[k] = (char) c;
        }
        int[] arguments = Opcodes.arguments(new String(opcode));
        if (arguments == null) {
            return looked(i);
        }
        int args = 0;
        while ((c = at(++i)) == ',') {
            do {
                c = at(++i);
            } while (isSpace(c));
            len = 0;
            long digitsFrom = i;
            while (c >= '0' && c <= '9' && i - digitsFrom < 10) {
                len = len * 10 + c - '0';
                c = at(++i);
            }
            if (c != '.' || i == digitsFrom || len > maxInstructionBytes || ++args > arguments[1]) {
                return looked(i);
            }
            for (long k = 0; k < len; k++) {
                c = at(i + 1);
                if (c < 0) {
                    return looked(i);
                }
                i += utf8Size(c);
            }
        }
        if (c != ';' || args < arguments[0]) {
            return looked(i);
        }
        return i + 1;
    }

    /** A candidate failed at byte {@code i}: everything before it was examined. */
    private long looked(long i) {
        reach = Math.max(reach, i);
        return -1;
    }

    /** The byte at offset {@code i} (at or after keepFrom); -1 at the end or a break, BEYOND past the window. */
    private int at(long i) throws IOException {
        while (i >= base + lim) {
            if (i - keepFrom >= LOOKBACK) {
                return BEYOND;
            }
            if (!fill()) {
                return -1;
            }
        }
        return io[(int) (i - base)] & 0xFF;
    }

    // ---- bytes ---------------------------------------------------------------------------

    private int ensure(Instruction ins, int w, int more) throws GuacFormatException {
        long need = (long) w + more;
        if (need > ins.buf.length) {
            if (need > maxInstructionBytes + 8L) {
                throw error(position(), "instruction longer than the limit of " + maxInstructionBytes + " bytes");
            }
            ins.buf = Arrays.copyOf(ins.buf, (int) Math.min(Math.max(need, ins.buf.length * 2L), maxInstructionBytes + 8L));
        }
        return w;
    }

    /** Opcodes repeat endlessly; keep one String per distinct opcode. */
    private String opcode(byte[] b, int s, int e) {
        if (e - s > 32) { // no real opcode is this long; caching it would pin hostile megabytes
            return new String(b, s, e - s, StandardCharsets.UTF_8);
        }
        int h = 0;
        for (int i = s; i < e; i++) {
            h = h * 31 + b[i];
        }
        int slot = (h ^ (h >>> 9)) & (opcodes.length - 1);
        String cached = opcodes[slot];
        if (cached != null && cached.length() == e - s) {
            boolean same = true;
            for (int i = s; i < e && same; i++) {
                same = cached.charAt(i - s) == b[i];
            }
            if (same) {
                return cached;
            }
        }
        String op = new String(b, s, e - s, StandardCharsets.UTF_8);
        opcodes[slot] = op;
        return op;
    }

    private int read() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return io[pos++] & 0xFF;
    }

    /**
     * Reads more text after what is buffered, keeping the bytes from keepFrom: the instruction
     * being read (up to the look-back window), so damage in it can be rescanned. False at the end,
     * and at a break in damaged gzip data until a resynchronisation takes it.
     */
    private boolean fill() throws IOException {
        if (seam != null) {
            return false;
        }
        int keep = keepFrom >= base && keepFrom < base + lim ? (int) (keepFrom - base) : lim;
        int kept = lim - keep;
        if (kept == io.length) { // one instruction fills the buffer
            if (io.length < LOOKBACK + BUFFER) {
                io = Arrays.copyOf(io, Math.min(io.length * 2, LOOKBACK + BUFFER));
            } else { // too long to look back over
                keepFrom = -1;
                keep = lim;
                kept = 0;
            }
        } else {
            byte[] to = io.length > BUFFER && kept < BUFFER / 2 ? new byte[BUFFER] : io; // a long one is over: shrink
            System.arraycopy(io, keep, to, 0, kept);
            io = to;
        }
        base += keep;
        pos -= keep;
        lim = kept;
        while (true) {
            int n;
            try {
                n = in.read(io, lim, io.length - lim);
            } catch (DamagedDataException e) {
                GzipDamage d = e.damage();
                if (d.breaksText()) {
                    seam = d;
                    seamAt = base + lim;
                    return false;
                }
                if (d.effect() == GzipDamage.Effect.CUT_OFF) {
                    streamDamage = d.describe();
                    return false;
                }
                if (damage != null) { // whole text, only doubtful or followed by junk: say so and go on
                    damage.accept(new RecordingDamage(name, true, -1, base + lim, base + lim, null, d, false));
                }
                continue;
            }
            if (n <= 0) {
                return false;
            }
            lim += n;
            break;
        }
        if (compressedBytes != null && base + lim > (256L << 20)) {
            long c = Math.max(1, compressedBytes.getAsLong());
            if (base + lim > maxExpansion * c) {
                throw new GzipBombException(name, base + lim, count + 1, (long) maxExpansion);
            }
        }
        return true;
    }

    private GuacFormatException error(long at, String problem) {
        return new GuacFormatException(name, at, count + 1, problem);
    }

    private static int utf8Size(int lead) {
        return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    }

    private static boolean isSpace(int b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static String describe(int b) {
        if (b < 0) {
            return "the end of input";
        }
        if (b >= 0x20 && b < 0x7F) {
            return "'" + (char) b + "'";
        }
        return String.format("byte 0x%02X", b);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

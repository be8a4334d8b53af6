package io.videoworker.guac.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Pull parser for Guacamole protocol text: {@code LENGTH.VALUE(,LENGTH.VALUE)*;}, where LENGTH
 * counts Unicode code points. One pass over the bytes; memory is one instruction, capped.
 *
 * <p>{@link #next} returns false at the end. An end inside an instruction is a cut-off recording
 * (a crash, or a file still being written): {@link #truncatedAt()} then tells where. Anything
 * else malformed throws {@link GuacFormatException} naming input, byte offset and instruction.
 */
public final class GuacReader implements Closeable {
    /** libguac never writes more than 8192 code points per element; others may, within reason. */
    public static final int DEFAULT_MAX_INSTRUCTION_BYTES = 16 << 20;

    private final InputStream in;
    private final String name;
    private final int maxInstructionBytes;
    private final byte[] io = new byte[1 << 16];
    private int pos;
    private int lim;
    private long base; // offset of io[0] in the uncompressed input
    private long count;
    private long truncatedAt = -1;
    private LongSupplier compressedBytes;
    private double maxExpansion;
    private final String[] opcodes = new String[512];
    private String streamDamage;

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
        ins.elements = 0;
        int w = 0;
        int b = read();
        while (isSpace(b)) {
            b = read();
        }
        if (b < 0) {
            return false;
        }
        long startOffset = position() - 1;
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
                return truncated(startOffset);
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
                    return truncated(startOffset);
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
                    int lead = src[pos] & 0xFF;
                    int size = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
                    for (int k = 0; k < size; k++) {
                        int c = read();
                        if (c < 0) {
                            return truncated(startOffset);
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
                    return truncated(startOffset);
                }
                continue;
            }
            if (b == ';') {
                break;
            }
            if (b < 0) {
                return truncated(startOffset);
            }
            throw error(position() - 1, "expected ',' or ';' but found " + describe(b));
        }
        ins.opcode = opcode(ins.buf, ins.start[0], ins.end[0]);
        ins.offset = startOffset;
        ins.number = ++count;
        return true;
    }

    private boolean truncated(long at) {
        truncatedAt = at;
        return false;
    }

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

    private boolean fill() throws IOException {
        base += lim;
        pos = 0;
        lim = 0;
        int n;
        try {
            n = in.read(io, 0, io.length);
        } catch (java.io.EOFException | java.util.zip.ZipException e) {
            // gzip cut off or corrupt: what came before is still good
            streamDamage = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return false;
        }
        if (n <= 0) {
            return false;
        }
        lim = n;
        if (compressedBytes != null && base > (256L << 20)) {
            long c = Math.max(1, compressedBytes.getAsLong());
            if (base > maxExpansion * c) {
                throw error(base, "input inflates more than " + (long) maxExpansion
                        + " times its compressed size; refusing it as a likely gzip bomb");
            }
        }
        return true;
    }

    private GuacFormatException error(long at, String problem) {
        return new GuacFormatException(name, at, count + 1, problem);
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

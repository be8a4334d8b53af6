package io.videoworker.guac.protocol;

import java.nio.charset.StandardCharsets;

/**
 * One parsed instruction: element 0 is the opcode, the rest are arguments. Values stay as UTF-8
 * byte slices of a buffer owned by the {@link GuacReader}; they are valid until the next read, so
 * a consumer copies what it keeps. Numeric accessors parse the bytes directly.
 */
public final class Instruction {
    byte[] buf = new byte[1 << 16];
    int[] start = new int[16];
    int[] end = new int[16];
    int elements;
    String opcode;
    long offset;
    long number;

    /** The opcode, e.g. {@code "sync"}. */
    public String opcode() {
        return opcode;
    }

    public int argCount() {
        return elements - 1;
    }

    /** Uncompressed byte offset of the instruction's first byte in its input. */
    public long offset() {
        return offset;
    }

    /** 1-based number of the instruction in its input. */
    public long number() {
        return number;
    }

    public String arg(int i) {
        check(i);
        return new String(buf, start[i + 1], end[i + 1] - start[i + 1], StandardCharsets.UTF_8);
    }

    /** The raw bytes of argument i live in {@link #buffer()} from argStart(i) to argEnd(i). */
    public byte[] buffer() {
        return buf;
    }

    public int argStart(int i) {
        check(i);
        return start[i + 1];
    }

    public int argEnd(int i) {
        check(i);
        return end[i + 1];
    }

    public int intArg(int i) {
        long v = longArg(i);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new BadArgumentException(this, i, "is out of range");
        }
        return (int) v;
    }

    public long longArg(int i) {
        check(i);
        int p = start[i + 1];
        int e = end[i + 1];
        boolean negative = p < e && buf[p] == '-';
        if (negative || (p < e && buf[p] == '+')) {
            p++;
        }
        if (p == e || e - p > 18) {
            throw new BadArgumentException(this, i, "is not an integer");
        }
        long v = 0;
        for (; p < e; p++) {
            int d = buf[p] - '0';
            if (d < 0 || d > 9) {
                throw new BadArgumentException(this, i, "is not an integer");
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    public double doubleArg(int i) {
        try {
            double v = Double.parseDouble(arg(i));
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadArgumentException(this, i, "is not a number");
        }
    }

    private void check(int i) {
        if (i < 0 || i + 1 >= elements) {
            throw new BadArgumentException(this, i, "is missing");
        }
    }

    /** Short human form for messages: opcode and the first arguments, long values elided. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(opcode == null ? "?" : opcode);
        for (int i = 1; i < elements && i < 8; i++) {
            int len = end[i] - start[i];
            sb.append(',').append(new String(buf, start[i], Math.min(len, 24), StandardCharsets.UTF_8));
            if (len > 24) {
                sb.append('…');
            }
        }
        return sb.toString();
    }

    /** An argument is missing or malformed; the instruction is skipped with a warning. */
    public static final class BadArgumentException extends IllegalArgumentException {
        BadArgumentException(Instruction in, int arg, String problem) {
            super("argument " + (arg + 1) + " of '" + in.opcode + "' " + problem);
        }
    }
}

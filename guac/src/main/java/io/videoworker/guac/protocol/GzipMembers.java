package io.videoworker.guac.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The text of concatenated gzip members, read past damage. {@link #read} returns the text up to a
 * damaged place, throws {@link DamagedDataException} once, then goes on with the next member
 * whose header (1f 8b 08 …) is found and whose data inflates, if there is one.
 *
 * <p>A member cut short where another one starts (an append that failed half way) would make the
 * inflater read the next member as more of its own data and turn it into garbage text. So inside a
 * member every place that looks like a member header is probed before the inflater may read it:
 * a strict header is 10 bytes that deflate output hardly ever holds (about once in 10^11), and a
 * probe reads at most {@value #PROBE_INPUT} bytes. No byte is probed twice, so the work stays
 * linear in the file's size, damaged or not.
 */
final class GzipMembers extends InputStream {
    private static final int BUFFER = 128 << 10;
    private static final int PROBE_INPUT = 32 << 10;
    private static final int PROBE_OUTPUT = 4 << 10;
    private static final int HEADER = 10;
    /** A header longer than this (a name or comment without end) is taken for no header. */
    private static final int MAX_HEADER = 64 << 10;

    private enum State { BOUNDARY, DATA, END }

    private final InputStream src;
    private final byte[] z = new byte[BUFFER];
    private int zpos;
    private int zlim;
    private long zbase; // file offset of z[0]
    private boolean eof;
    private final Inflater inflater = new Inflater(true);
    private int fedEnd; // end of the input last handed to the inflater
    private Inflater prober;
    private byte[] probeOut;
    private final CRC32 crc = new CRC32();
    private State state = State.BOUNDARY;
    private long memberAt;
    private long memberText; // text offset where the member's text starts
    private long text; // text bytes returned
    private long noProbeBefore; // a failed probe read up to here: nothing before it is probed again
    private DamagedDataException pending;

    /** @throws GuacFormatException if the file does not start with a gzip header */
    GzipMembers(InputStream src, String name) throws IOException {
        this.src = src;
        ensure(MAX_HEADER);
        String wrong = headerProblem(zpos);
        if (wrong != null) {
            close();
            throw new GuacFormatException(name, 0, 1, "damaged gzip header (" + wrong + ")");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (pending != null) {
                DamagedDataException e = pending;
                pending = null;
                throw e;
            }
            switch (state) {
                case END -> {
                    return -1;
                }
                case BOUNDARY -> nextMember();
                default -> {
                    int n = inflate(b, off, len);
                    if (n > 0) {
                        return n;
                    }
                }
            }
        }
    }

    /**
     * Output of the current member; 0 when it ended, broke off, or was found cut off. What it
     * inflated before a data error is returned too (the damage is thrown at the next read).
     */
    private int inflate(byte[] b, int off, int len) throws IOException {
        while (true) {
            long before = inflater.getBytesWritten();
            int n;
            String error = null;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                n = (int) (inflater.getBytesWritten() - before); // the JDK counts what it wrote before the error
                error = e.getMessage() == null ? "invalid deflate data" : e.getMessage();
            }
            zpos = fedEnd - inflater.getRemaining();
            crc.update(b, off, n);
            text += n;
            if (error != null) {
                brokenOff(error);
                return n;
            }
            if (n > 0) {
                return n;
            }
            if (inflater.finished()) {
                trailer();
                return 0;
            }
            if (inflater.needsDictionary()) {
                brokenOff("asks for a preset dictionary, which gzip never has");
                return 0;
            }
            if (!feed()) {
                return 0;
            }
        }
    }

    /**
     * Hands the inflater its next input, up to the next place that looks like a member header;
     * one right here is probed first. False if the member ends here: the file ends, or another
     * member really starts.
     */
    private boolean feed() throws IOException {
        if (zlim - zpos < PROBE_INPUT) {
            ensure(PROBE_INPUT);
        }
        if (zpos == zlim) {
            pending = damage(zbase + zpos, zbase + zpos, "the file ends inside it", GzipDamage.Effect.CUT_OFF);
            state = State.END;
            return false;
        }
        if (strictHeaderAt(zpos) && probe()) {
            long at = zbase + zpos;
            pending = damage(at, at, "cut off where another member starts", GzipDamage.Effect.RESUMED);
            startMember();
            return false;
        }
        int limit = eof ? zlim : zlim - (HEADER - 1); // a header in the last bytes is judged once they are all here
        int stop = zpos + 1;
        while (stop < limit && !(z[stop] == 0x1F && strictHeaderAt(stop))) {
            stop++;
        }
        inflater.setInput(z, zpos, stop - zpos);
        fedEnd = stop;
        return true;
    }

    /** The member's data ended: its trailer is checked and the next member may follow. */
    private void trailer() throws IOException {
        ensure(8);
        if (zlim - zpos < 8) {
            pending = damage(zbase + zpos, zbase + zlim, "the file ends inside its trailer", GzipDamage.Effect.CUT_OFF);
            state = State.END;
            return;
        }
        long sum = le32(zpos);
        long size = le32(zpos + 4);
        zpos += 8;
        state = State.BOUNDARY;
        if (sum != crc.getValue() || size != ((text - memberText) & 0xFFFFFFFFL)) {
            pending = damage(zbase + zpos - 8, zbase + zpos, sum != crc.getValue() ? "CRC-32 differs" : "length differs",
                    GzipDamage.Effect.CHECKSUM);
        }
    }

    /** Between members: the next header, the clean end, or bytes that are no member. */
    private void nextMember() throws IOException {
        ensure(MAX_HEADER);
        if (zpos == zlim) {
            state = State.END;
            return;
        }
        if (headerProblem(zpos) == null) {
            startMember();
            return;
        }
        long junk = zbase + zpos;
        zpos++;
        memberAt = -1;
        if (findMember()) {
            pending = damage(junk, zbase + zpos, "no gzip header there", GzipDamage.Effect.RESUMED);
            startMember();
        } else {
            pending = damage(junk, zbase + zlim, "no gzip header there", GzipDamage.Effect.TRAILING); // zlim: the end
            state = State.END;
        }
    }

    /** The member's data cannot be inflated: reading goes on at the next member, if any. */
    private void brokenOff(String problem) throws IOException {
        long at = zbase + zpos;
        if (findMember()) {
            pending = damage(at, zbase + zpos, problem, GzipDamage.Effect.RESUMED);
            startMember();
        } else {
            pending = damage(at, zbase + zlim, problem, GzipDamage.Effect.ENDED);
            state = State.END;
        }
    }

    private DamagedDataException damage(long from, long to, String problem, GzipDamage.Effect effect) {
        return new DamagedDataException(new GzipDamage(memberAt, from, to, memberText, text, problem, effect));
    }

    /** Scans forward from zpos for a member that really starts; leaves zpos on it, or at the end. */
    private boolean findMember() throws IOException {
        while (true) {
            if (zlim - zpos < PROBE_INPUT) {
                ensure(PROBE_INPUT);
            }
            int limit = eof ? zlim : zlim - (HEADER - 1);
            while (zpos < limit && !(z[zpos] == 0x1F && strictHeaderAt(zpos))) {
                zpos++;
            }
            if (zpos < limit) {
                if (probe()) {
                    return true;
                }
                zpos++;
            } else if (eof) {
                zpos = zlim;
                return false;
            }
        }
    }

    /**
     * Whether a member really starts at zpos: its header is whole and its data inflates without
     * error for {@value #PROBE_OUTPUT} bytes of text, its input window or to its end (then its
     * trailer must match). A failed probe moves {@link #noProbeBefore} past what it read.
     */
    private boolean probe() throws IOException {
        ensure(PROBE_INPUT);
        int h = headerLength(zpos);
        if (h <= 0) {
            noProbeBefore = zbase + zpos + 1;
            return false;
        }
        if (prober == null) {
            prober = new Inflater(true);
            probeOut = new byte[PROBE_OUTPUT];
        }
        prober.reset();
        int fed = Math.min(zlim - zpos - h, PROBE_INPUT);
        prober.setInput(z, zpos + h, fed);
        int produced = 0;
        boolean ok = true;
        try {
            while (produced < PROBE_OUTPUT) {
                int n = prober.inflate(probeOut, produced, PROBE_OUTPUT - produced);
                if (n == 0) {
                    break;
                }
                produced += n;
            }
        } catch (DataFormatException e) {
            ok = false;
        }
        int read = fed - prober.getRemaining();
        ok &= !prober.needsDictionary();
        if (ok && prober.finished()) {
            int t = zpos + h + read;
            if (t + 8 <= zlim) {
                CRC32 sum = new CRC32();
                sum.update(probeOut, 0, produced);
                ok = le32(t) == sum.getValue() && le32(t + 4) == produced;
            }
        }
        if (!ok) {
            noProbeBefore = Math.max(noProbeBefore, zbase + zpos + h + read);
        }
        return ok;
    }

    private void startMember() {
        int h = headerLength(zpos);
        memberAt = zbase + zpos;
        memberText = text;
        zpos += h;
        fedEnd = zpos;
        inflater.reset();
        crc.reset();
        state = State.DATA;
    }

    /** A header RFC 1952 allows, with the values real writers put there, not yet probed past. */
    private boolean strictHeaderAt(int at) {
        if (zlim - at < HEADER || zbase + at < noProbeBefore) {
            return false;
        }
        int xfl = z[at + 8] & 0xFF;
        int os = z[at + 9] & 0xFF;
        return (z[at] & 0xFF) == 0x1F && (z[at + 1] & 0xFF) == 0x8B && z[at + 2] == 8 && (z[at + 3] & 0xE0) == 0
                && (xfl == 0 || xfl == 2 || xfl == 4) && (os <= 13 || os == 255);
    }

    /** Why there is no gzip header at {@code at}, or null if there is one (as lenient as java.util.zip). */
    private String headerProblem(int at) {
        if (zlim - at < 2 || (z[at] & 0xFF) != 0x1F || (z[at + 1] & 0xFF) != 0x8B) {
            return "not in gzip format";
        }
        if (zlim - at < 3 || z[at + 2] != 8) {
            return zlim - at < 3 ? "cut off" : "compression method " + (z[at + 2] & 0xFF) + ", not deflate";
        }
        return headerLength(at) > 0 ? null : "cut off or longer than " + MAX_HEADER + " bytes";
    }

    /** Length of the header at {@code at} (fixed part, extra field, name, comment, CRC); 0 if not all here. */
    private int headerLength(int at) {
        if (zlim - at < HEADER) {
            return 0;
        }
        int flags = z[at + 3] & 0xFF;
        int p = at + HEADER;
        if ((flags & 4) != 0) {
            if (zlim - p < 2) {
                return 0;
            }
            p += 2 + ((z[p] & 0xFF) | (z[p + 1] & 0xFF) << 8);
        }
        for (int bit : new int[] {8, 16}) { // file name, comment: zero-terminated
            if ((flags & bit) != 0) {
                while (p < zlim && z[p] != 0) {
                    p++;
                }
                p++;
            }
        }
        if ((flags & 2) != 0) {
            p += 2;
        }
        return p <= zlim && p - at <= MAX_HEADER ? p - at : 0;
    }

    /** Makes at least {@code need} bytes from zpos available, if the file has them. */
    private void ensure(int need) throws IOException {
        if (zpos + need > z.length && zpos > 0) {
            System.arraycopy(z, zpos, z, 0, zlim - zpos);
            zbase += zpos;
            zlim -= zpos;
            fedEnd -= zpos;
            zpos = 0;
        }
        while (!eof && zlim - zpos < need && zlim < z.length) {
            int n = src.read(z, zlim, z.length - zlim);
            if (n < 0) {
                eof = true;
            } else {
                zlim += n;
            }
        }
    }

    private long le32(int at) {
        return (z[at] & 0xFFL) | (z[at + 1] & 0xFFL) << 8 | (z[at + 2] & 0xFFL) << 16 | (z[at + 3] & 0xFFL) << 24;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        if (prober != null) {
            prober.end();
        }
        src.close();
    }
}

package io.videoworker.worker.convert;

/**
 * Bounds on what one conversion may write, so that no recording, however small, can make its
 * output unbounded or fill the disk it is written to.
 *
 * @param maxBytes     cap on the MP4s of the conversion together; {@link #FOR_INPUT} for the
 *                     default computed from the input's size ({@link #capFor})
 * @param minFreeBytes free space that must stay on the output's filesystem while it is written
 *                     (0: write until the disk is full)
 */
public record OutputLimits(long maxBytes, long minFreeBytes) {
    /** {@code maxBytes}: the default cap for the input's size. */
    public static final long FOR_INPUT = -1;
    /**
     * Every conversion may write this much: 37 h of a detailed idle 1024×768 desktop, ≈ 14 h at
     * 1920×1080, under the 5 s keyframe rule (docs/architecture.md, limits).
     */
    public static final long CAP_FLOOR_BYTES = 2L << 30;
    /** Beyond the floor, this many output bytes per input byte: busy sessions measure 1.2–2.2. */
    public static final int CAP_PER_INPUT_BYTE = 32;
    public static final OutputLimits DEFAULT = new OutputLimits(FOR_INPUT, 0);

    public OutputLimits {
        if (maxBytes < 1 && maxBytes != FOR_INPUT) {
            throw new IllegalArgumentException("the output cap must be at least 1 byte, got " + maxBytes);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("the free space to keep cannot be negative, got " + minFreeBytes);
        }
    }

    /** The cap for a conversion of {@code inputBytes} (the recording files as stored, compressed). */
    public long capFor(long inputBytes) {
        return maxBytes == FOR_INPUT ? defaultCap(inputBytes) : maxBytes;
    }

    /**
     * The larger of {@link #CAP_FLOOR_BYTES} and {@link #CAP_PER_INPUT_BYTE} × the input: what
     * comes out stays in proportion to what was sent (saturating, never negative).
     */
    public static long defaultCap(long inputBytes) {
        long perInput = inputBytes > Long.MAX_VALUE / CAP_PER_INPUT_BYTE ? Long.MAX_VALUE
                : Math.max(0, inputBytes) * CAP_PER_INPUT_BYTE;
        return Math.max(CAP_FLOOR_BYTES, perInput);
    }
}

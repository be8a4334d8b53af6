package io.videoworker.guac.protocol;

import java.io.IOException;

/**
 * The input is not well-formed Guacamole protocol. The message names the input, the uncompressed
 * byte offset and the 1-based instruction number where the problem is.
 */
public class GuacFormatException extends IOException {
    private final String input;
    private final long offset;
    private final long instruction;
    private final String problem;

    public GuacFormatException(String input, long offset, long instruction, String problem) {
        super(input + ": " + problem + " at byte " + offset + " (instruction " + instruction + ")");
        this.input = input;
        this.offset = offset;
        this.instruction = instruction;
        this.problem = problem;
    }

    public String input() {
        return input;
    }

    public long offset() {
        return offset;
    }

    public long instruction() {
        return instruction;
    }

    /** What is wrong, without the place. */
    public String problem() {
        return problem;
    }
}

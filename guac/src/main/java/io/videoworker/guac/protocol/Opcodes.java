package io.videoworker.guac.protocol;

import java.util.Map;

/**
 * The instructions of the Guacamole protocol and how many arguments each takes (the protocol
 * reference's count, one more for an argument a later version may add): what a resynchronisation
 * after damage accepts as a real instruction.
 */
final class Opcodes {
    /** The longest opcode ("disconnect", "filesystem"). */
    static final int LONGEST = 10;
    private static final int ANY = 64;

    private static final Map<String, int[]> ARGUMENTS = Map.ofEntries(
            // drawing and layers
            args("size", 3), args("move", 5), args("shade", 2), args("dispose", 1), args("copy", 9),
            args("transfer", 9), args("rect", 5), args("start", 3), args("line", 3), args("curve", 7),
            args("arc", 7), args("close", 1), args("cfill", 6), args("lfill", 3), args("cstroke", 9),
            args("lstroke", 6), args("clip", 1), args("push", 1), args("pop", 1), args("reset", 1),
            args("identity", 1), args("transform", 7), args("distort", 7), args("set", 3), args("cursor", 7),
            // streams
            args("img", 6), args("blob", 2), args("end", 1), args("audio", 2, 4), args("video", 3),
            args("clipboard", 2), args("file", 3), args("pipe", 3), args("argv", 3), args("body", 4),
            args("nest", 2), args("ack", 3), args("filesystem", 2), args("undefine", 1),
            // timing, input, control
            args("sync", 1, 2), args("mouse", 2, 5), args("key", 2, 3), args("touch", 7, 8),
            args("disconnect", 0), args("nop", 0), args("name", 1), args("msg", 1, ANY), args("error", 2),
            args("log", 1), args("required", 0, ANY), args("ready", 1), args("args", 0, ANY));

    private Opcodes() {
    }

    private static Map.Entry<String, int[]> args(String opcode, int count) {
        return args(opcode, count, count + 1);
    }

    private static Map.Entry<String, int[]> args(String opcode, int min, int max) {
        return Map.entry(opcode, new int[] {min, max});
    }

    /** The fewest and most arguments the opcode takes, or null for an unknown opcode. */
    static int[] arguments(String opcode) {
        return ARGUMENTS.get(opcode);
    }
}

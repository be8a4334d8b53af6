package io.videoworker.worker.spool;

/**
 * Text that came from a caller (ids, names, dates): which of it may name a file, and how to show
 * it in an error or a log line. Quoting bounds the length and escapes control characters, so a
 * 10 000-character id cannot flood a reply and a newline cannot forge a log line.
 */
public final class Untrusted {
    /** Longest base name a caller may give (Lion's are 50 to 60 characters). */
    public static final int MAX_NAME = 255;
    private static final int SHOWN = 80;

    private Untrusted() {
    }

    /** {@code 'text'}, cut at 80 characters with the full length noted, control characters as {@code \\uXXXX}. */
    public static String quote(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder("'");
        int n = Math.min(s.length(), SHOWN);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('\'');
        if (s.length() > SHOWN) {
            sb.append("… (").append(s.length()).append(" characters)");
        }
        return sb.toString();
    }

    /**
     * A plain file name: 1 to 255 characters, no path separator of either kind, no control
     * character, not {@code .} or {@code ..}. Anything else could leave its folder.
     */
    public static boolean isBaseName(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_NAME || s.equals(".") || s.equals("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '\\' || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }
}

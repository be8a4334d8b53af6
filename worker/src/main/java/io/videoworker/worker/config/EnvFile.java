package io.videoworker.worker.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads {@code config.txt} as Docker Compose reads an {@code env_file}, because JumpServer's guide
 * uses the same file for both: blank lines and {@code #} lines are skipped, {@code export} is
 * dropped, an unquoted value ends at a {@code #} that follows white space (an inline comment) and is
 * trimmed, {@code '…'} is literal, {@code "…"} takes {@code \n \t \\ \" \$} escapes and may span
 * lines, and {@code ${VAR}}, {@code ${VAR:-default}}, {@code $VAR} and {@code $$} are expanded in
 * unquoted and double-quoted values from the keys above and then the environment. A line with a
 * key and no {@code =} takes the key's value from the environment, as Compose does.
 */
public final class EnvFile {
    private final String source;
    private final UnaryOperator<String> environment;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final String text;
    private int pos;
    private int line = 1;

    private EnvFile(String source, String text, UnaryOperator<String> environment) {
        this.source = source;
        this.text = text.replace("\r\n", "\n");
        this.environment = environment;
    }

    /**
     * The file's keys and values in order.
     *
     * @param source      how errors name the file
     * @param environment looks up variables a value refers to that the file does not set
     */
    public static Map<String, String> parse(String source, String text, UnaryOperator<String> environment)
            throws ConfigException {
        EnvFile f = new EnvFile(source, text.startsWith("\uFEFF") ? text.substring(1) : text, environment);
        f.parseAll();
        return f.values;
    }

    private void parseAll() throws ConfigException {
        while (pos < text.length()) {
            skip(" \t");
            if (pos >= text.length()) {
                return;
            }
            char c = text.charAt(pos);
            if (c == '\n') {
                newLine();
            } else if (c == '#') {
                skipToEndOfLine();
            } else {
                assignment();
            }
        }
    }

    private void assignment() throws ConfigException {
        int at = line;
        String key = key();
        if (key.equals("export") && pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            skip(" \t");
            key = key();
        }
        if (key.isEmpty() || !key.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) {
            throw error(at, "expected KEY=VALUE, got '" + currentLine(at) + "'");
        }
        skip(" \t");
        if (pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '#') {
            String inherited = environment.apply(key); // "KEY" alone: Compose passes the caller's value on
            if (inherited != null) {
                values.put(key, inherited);
            }
            skipToEndOfLine();
            return;
        }
        if (text.charAt(pos) != '=') {
            throw error(at, "expected KEY=VALUE, got '" + currentLine(at) + "'");
        }
        pos++;
        skip(" \t");
        char q = pos < text.length() ? text.charAt(pos) : '\n';
        String value;
        if (q == '\'' || q == '"') {
            value = quoted(q, at);
            skipToEndOfLine(); // after the closing quote only a comment may follow
        } else {
            value = expand(unquoted(), at);
        }
        values.put(key, value);
    }

    private String key() {
        int start = pos;
        while (pos < text.length() && " \t=\n#".indexOf(text.charAt(pos)) < 0) {
            pos++;
        }
        return text.substring(start, pos);
    }

    /** To the end of the line or to an inline comment (a {@code #} after white space), trimmed. */
    private String unquoted() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) != '\n') {
            char c = text.charAt(pos);
            if (c == '#' && Character.isWhitespace(text.charAt(pos - 1))) { // "KEY=  # note" is empty
                String v = text.substring(start, pos).strip();
                skipToEndOfLine();
                return v;
            }
            pos++;
        }
        return text.substring(start, pos).strip();
    }

    private String quoted(char q, int at) throws ConfigException {
        pos++; // the opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error(at, "the value's " + (q == '"' ? "double" : "single") + " quote is never closed");
            }
            char c = text.charAt(pos++);
            if (c == q) {
                return q == '"' ? expand(sb.toString(), at) : sb.toString();
            }
            if (c == '\n') {
                line++;
            }
            if (c == '\\' && q == '"' && pos < text.length()) {
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '"', '\\' -> sb.append(e);
                    case '$' -> sb.append("$$"); // kept literal through expansion
                    default -> sb.append('\\').append(e);
                }
            } else {
                sb.append(c);
            }
        }
    }

    /** {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code $VAR}; {@code $$} is one {@code $}. */
    private String expand(String v, int at) throws ConfigException {
        if (v.indexOf('$') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != '$' || i + 1 >= v.length()) {
                sb.append(c);
                continue;
            }
            char n = v.charAt(i + 1);
            if (n == '$') {
                sb.append('$');
                i++;
            } else if (n == '{') {
                int end = v.indexOf('}', i + 2);
                if (end < 0) {
                    throw error(at, "'${' without a closing '}' in the value");
                }
                String body = v.substring(i + 2, end);
                int colon = body.indexOf(":-");
                int dash = body.indexOf('-');
                String name = colon >= 0 ? body.substring(0, colon) : dash >= 0 ? body.substring(0, dash) : body;
                String val = lookup(name);
                if (colon >= 0 && (val == null || val.isEmpty())) {
                    val = body.substring(colon + 2);
                } else if (colon < 0 && dash >= 0 && val == null) {
                    val = body.substring(dash + 1);
                }
                sb.append(val == null ? "" : val);
                i = end;
            } else if (Character.isLetter(n) || n == '_') {
                int end = i + 1;
                while (end < v.length() && (Character.isLetterOrDigit(v.charAt(end)) || v.charAt(end) == '_')) {
                    end++;
                }
                String val = lookup(v.substring(i + 1, end));
                sb.append(val == null ? "" : val);
                i = end - 1;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private String lookup(String name) {
        String v = values.get(name);
        return v != null ? v : environment.apply(name);
    }

    private void skip(String chars) {
        while (pos < text.length() && chars.indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private void skipToEndOfLine() {
        while (pos < text.length() && text.charAt(pos) != '\n') {
            pos++;
        }
    }

    private void newLine() {
        pos++;
        line++;
    }

    private String currentLine(int at) {
        String[] lines = text.split("\n", -1);
        return at - 1 < lines.length ? lines[at - 1].strip() : "";
    }

    private ConfigException error(int at, String message) {
        return new ConfigException(source + " line " + at + ": " + message);
    }
}

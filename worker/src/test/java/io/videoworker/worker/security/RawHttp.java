package io.videoworker.worker.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for request targets java.net.URI will not build (a raw
 * backslash, 10 000 characters, exotic encodings) and headers HttpClient will not send. One
 * request per connection.
 */
public final class RawHttp {
    static final ObjectMapper JSON = new ObjectMapper();

    public record Reply(int status, String contentType, String body, long contentLength) {

        /** The body as JSON, or an AssertionError showing what came instead. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + ", " + contentType + "): " + body);
            }
        }

        public String error() {
            JsonNode j = json();
            return j.has("error") ? j.path("error").asText() : j.path("error_message").asText();
        }
    }

    private RawHttp() {
    }

    public static Reply send(int port, String method, String target, Map<String, String> headers, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            return parse(s.getInputStream());
        }
    }

    /** Bytes exactly as given (a chunked body, a HEAD), then the reply until the server closes. */
    public static Reply exchange(int port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return parse(s.getInputStream());
        }
    }

    /** The request line and headers of a request with the given headers and Connection: close. */
    public static String head(String method, String target, Map<String, String> headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        return head.append("Connection: close\r\n\r\n").toString();
    }

    static Reply parse(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        String text = new String(all, StandardCharsets.ISO_8859_1); // byte offsets = char offsets
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no HTTP reply: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        String type = "";
        long length = -1;
        boolean chunked = false;
        for (String l : lines) {
            String lower = l.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                type = l.substring(13).trim();
            } else if (lower.startsWith("content-length:")) {
                length = Long.parseLong(l.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int i = end + 4;
        if (!chunked) {
            body.write(all, i, all.length - i);
        } else {
            while (i < all.length) {
                int nl = text.indexOf("\r\n", i);
                int n = Integer.parseInt(text.substring(i, nl).split(";")[0].trim(), 16);
                if (n == 0) {
                    break;
                }
                body.write(all, nl + 2, n);
                i = nl + 2 + n + 2;
            }
        }
        return new Reply(status, type, body.toString(StandardCharsets.UTF_8), length);
    }
}

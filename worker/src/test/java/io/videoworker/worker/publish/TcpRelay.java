package io.videoworker.worker.publish;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A TCP relay in front of a real storage server, on a fixed local port: {@link #down()} makes the
 * storage unreachable (connection refused, open connections cut) and {@link #up()} brings it back,
 * which is how an outage looks to the worker.
 *
 * <p>With an HTTP request check, each HTTP/1.1 request head is read first and either relayed or
 * answered by the check (then the connection is closed), for server rules the real server behind
 * does not enforce. Request bodies must carry a Content-Length (what the storages send).
 */
public final class TcpRelay implements AutoCloseable {
    private final int target;
    private final Function<String, String> requestCheck;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile ServerSocket listener;

    /** @param requestCheck the request head → null to relay it, or a full HTTP response to answer with */
    TcpRelay(int targetPort, Function<String, String> requestCheck) throws IOException {
        this.target = targetPort;
        this.requestCheck = requestCheck;
        ServerSocket s = listen(0);
        this.port = s.getLocalPort();
        accept(s);
    }

    public TcpRelay(int targetPort) throws IOException {
        this(targetPort, null);
    }

    public int port() {
        return port;
    }

    public synchronized void down() throws IOException {
        if (listener != null) {
            listener.close();
            listener = null;
        }
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    public synchronized void up() throws IOException {
        if (listener == null) {
            accept(listen(port));
        }
    }

    @Override
    public void close() throws IOException {
        down();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void accept(ServerSocket s) {
        listener = s;
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    // registered under the lock down() takes, so that no connection outlives an outage
                    synchronized (this) {
                        if (listener != s) {
                            client.close();
                            continue;
                        }
                        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                        open.add(client);
                        open.add(server);
                        pump(server.getInputStream(), client.getOutputStream(), client, server);
                        if (requestCheck == null) {
                            pump(client.getInputStream(), server.getOutputStream(), client, server);
                        } else {
                            daemon(() -> relayRequests(client, server));
                        }
                    }
                } catch (IOException e) {
                    // closed by down(), or the server behind refused: the client sees a cut connection
                }
            }
        }, "tcp-relay-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void pump(InputStream in, OutputStream out, Socket a, Socket b) {
        daemon(() -> {
            try {
                in.transferTo(out);
            } finally {
                a.close();
                b.close();
            }
        });
    }

    private void relayRequests(Socket client, Socket server) throws IOException {
        try (client; server) {
            InputStream in = client.getInputStream();
            OutputStream out = server.getOutputStream();
            String head;
            while ((head = readHead(in)) != null) {
                String answer = requestCheck.apply(head);
                if (answer != null) {
                    client.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                    client.getOutputStream().flush();
                    return;
                }
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                long length = contentLength(head);
                copy(in, out, length);
                out.flush();
            }
        }
    }

    /** The request line and headers up to the blank line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return matched == 4 ? head.toString(StandardCharsets.ISO_8859_1) : null;
    }

    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        String v = header(head, "content-length");
        return v == null ? 0 : Long.parseLong(v);
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buf = new byte[64 * 1024];
        for (long left = length; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("request body cut short");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private interface IoRunnable {
        void run() throws IOException;
    }

    private static void daemon(IoRunnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (IOException e) {
                // a connection went away: nothing to relay any more
            }
        });
        t.setDaemon(true);
        t.start();
    }
}

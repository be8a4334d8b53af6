package io.videoworker.worker.security;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Many callers that send their request headers and then their body as slowly as they like: every
 * other one a byte every {@code every}, the rest nothing at all. One thread drives them all
 * (non-blocking sockets), so the test's own threads do not blur the worker's thread count, which
 * it samples as it goes. Bounded: a fixed count, and at {@code deadline} every socket is closed.
 */
final class SlowClients implements AutoCloseable {
    /** How one connection ended: the reply's status (0: none before the deadline, -1: reset) and when. */
    record Outcome(boolean trickle, int status, String body, long millis) {
    }

    private static final class Conn {
        final SocketChannel ch;
        final boolean trickle;
        final long opened = System.nanoTime();
        final ByteBuffer in = ByteBuffer.allocate(4096);
        Outcome outcome;

        Conn(SocketChannel ch, boolean trickle) {
            this.ch = ch;
            this.trickle = trickle;
        }
    }

    private final List<Conn> conns = new ArrayList<>();
    private final Thread driver;
    private volatile int maxPoolThreads;
    private volatile int maxThreads;
    private volatile boolean stop;

    SlowClients(int port, byte[] head, int count, Duration every, Duration deadline) {
        driver = new Thread(() -> drive(port, head, count, every, deadline), "slow-clients");
        driver.setDaemon(true);
    }

    SlowClients start() {
        driver.start();
        return this;
    }

    /** Waits until every connection has ended (or the deadline passed) and says how each did. */
    List<Outcome> outcomes() throws InterruptedException {
        driver.join();
        return conns.stream().map(c -> c.outcome != null ? c.outcome : new Outcome(c.trickle, 0, "", -1)).toList();
    }

    /** Connections still open now. */
    synchronized long open() {
        return conns.stream().filter(c -> c.outcome == null).count();
    }

    int maxPoolThreads() {
        return maxPoolThreads;
    }

    int maxThreads() {
        return maxThreads;
    }

    private void drive(int port, byte[] head, int count, Duration every, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                ch.configureBlocking(false);
                ByteBuffer b = ByteBuffer.wrap(head);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                Conn c = new Conn(ch, i % 2 == 0);
                synchronized (this) {
                    conns.add(c);
                }
                ch.register(selector, SelectionKey.OP_READ, c);
                sample();
            }
            long nextByte = System.nanoTime();
            while (open() > 0 && System.nanoTime() < end && !stop) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    read((Conn) k.attachment());
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextByte) {
                    for (Conn c : conns) {
                        if (c.trickle && c.outcome == null) {
                            try {
                                c.ch.write(ByteBuffer.wrap(new byte[] {'-'}));
                            } catch (IOException e) {
                                finish(c, -1);
                            }
                        }
                    }
                    nextByte += every.toNanos();
                }
                sample();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (Conn c : conns) {
                try {
                    c.ch.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    private void read(Conn c) {
        try {
            if (c.ch.read(c.in) < 0 || complete(c)) {
                finish(c, status(c));
            }
        } catch (IOException e) {
            finish(c, c.in.position() > 0 ? status(c) : -1);
        }
    }

    /** The reply's headers and as many body bytes as Content-Length says. */
    private static boolean complete(Conn c) {
        String text = new String(c.in.array(), 0, c.in.position(), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        for (String line : text.substring(0, end).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return text.length() - end - 4 >= Integer.parseInt(line.substring(15).trim());
            }
        }
        return false;
    }

    private static int status(Conn c) {
        String text = new String(c.in.array(), 0, c.in.position(), StandardCharsets.ISO_8859_1);
        return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }

    private synchronized void finish(Conn c, int status) {
        String text = new String(c.in.array(), 0, c.in.position(), StandardCharsets.UTF_8);
        int body = text.indexOf("\r\n\r\n");
        c.outcome = new Outcome(c.trickle, status, body < 0 ? "" : text.substring(body + 4), (System.nanoTime() - c.opened) / 1_000_000);
        try {
            c.ch.close();
        } catch (IOException e) {
            // done with it either way
        }
    }

    private void sample() {
        maxThreads = Math.max(maxThreads, ManagementFactory.getThreadMXBean().getThreadCount());
        int pool = (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(io.videoworker.worker.api.ServerLimits.THREAD_NAME)).count();
        maxPoolThreads = Math.max(maxPoolThreads, pool);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        driver.join(10_000);
    }
}

#!/usr/bin/env python3
"""Synthetic Guacamole recordings for the benchmarks (Python 3 standard library only).

    python3 bench/gen.py [OUTDIR]          (default: bench/out/rec)

writes, gzip-compressed, deterministic (fixed seeds):

  idle-10min.guac.gz   1024x768: one full-screen PNG, then a `sync` every ~1000 ms for 600 s and
                       a `mouse` move every ~30 s (like guacd's recording of an idle VNC desktop).
  busy-1min.guac.gz    1440x900 desktop, ~25 syncs/s, each sync 1-3 small PNG updates (text-like
  busy-10min.guac.gz   stripes, gradient rectangles, now and then a noisy "photo" block), a ticking
                       clock and a wandering mouse; 60 s and 600 s of the same process.
  busy720-1min.guac.gz the same process at 1280x720 for 60 s.

Each file is written under a temporary name and renamed, so a file that exists is complete.
Wire format: LENGTH.VALUE,...; (LENGTH in code points, all ASCII here).
"""
import base64
import gzip
import os
import random
import struct
import sys
import time
import zlib

T0 = 5_000_000          # guacd's monotonic clock, ms
BLOB_CHUNK = 8064       # base64 characters per blob, as guacd sends them


# ---------------------------------------------------------------------------------------------
# PNG and protocol

def png(width, height, rows, alpha=False):
    """Minimal PNG: 8-bit RGB (or RGBA), filter 0 on every row; rows = list of bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def ins(op, *args):
    parts = [op] + [str(a) for a in args]
    return (",".join(f"{len(p)}.{p}" for p in parts) + ";").encode("ascii")


def img(out, layer, x, y, data, mask=14, stream=1):
    out.append(ins("img", stream, mask, layer, "image/png", x, y))
    b64 = base64.b64encode(data).decode("ascii")
    for i in range(0, len(b64), BLOB_CHUNK):
        out.append(ins("blob", stream, b64[i:i + BLOB_CHUNK]))
    out.append(ins("end", stream))


def pointer(out):
    """A 16x16 arrow into buffer -1 and the cursor instruction, as guacd sends it."""
    rows = []
    for y in range(16):
        r = bytearray()
        for x in range(16):
            if x <= y and x < 11 and y < 15:
                edge = x == 0 or x == y or y == 14
                r += b"\x00\x00\x00\xff" if edge else b"\xff\xff\xff\xff"
            else:
                r += b"\x00\x00\x00\x00"
        rows.append(bytes(r))
    out.append(ins("size", -1, 16, 16))
    img(out, -1, 0, 0, png(16, 16, rows, alpha=True), mask=12)
    out.append(ins("cursor", 0, 0, -1, 0, 0, 16, 16))


class Writer:
    """Buffers instructions and writes them gzip-compressed under a temporary name."""

    def __init__(self, path):
        self.path = path
        self.tmp = path + ".tmp"
        self.f = gzip.open(self.tmp, "wb", compresslevel=6)
        self.buf = []
        self.size = 0

    def flush(self):
        data = b"".join(self.buf)
        self.size += len(data)
        self.f.write(data)
        self.buf.clear()

    def close(self):
        self.flush()
        self.f.close()
        os.replace(self.tmp, self.path)


# ---------------------------------------------------------------------------------------------
# Pictures

class Art:
    """Precomputed pieces (glyphs, gradient rows) so that each update is cheap to build."""

    SCHEMES = [((250, 250, 250), (30, 30, 30)), ((0, 0, 0), (200, 200, 200)), ((0, 0, 0), (80, 220, 80)),
               ((255, 255, 255), (20, 60, 160)), ((48, 10, 36), (230, 230, 230)), ((240, 240, 220), (120, 30, 30))]

    def __init__(self, rnd):
        self.rnd = rnd
        # 96 glyphs, 8x16 cells: random strokes in a 6x11 box (looks like text once scaled down)
        self.glyphs = []
        for _ in range(96):
            bits = [[0] * 8 for _ in range(16)]
            for _ in range(rnd.randint(2, 4)):
                if rnd.random() < 0.5:
                    x = rnd.randint(1, 6)
                    y0, y1 = sorted(rnd.sample(range(3, 14), 2))
                    for y in range(y0, y1 + 1):
                        bits[y][x] = 1
                else:
                    y = rnd.randint(3, 13)
                    x0, x1 = sorted(rnd.sample(range(1, 7), 2))
                    for x in range(x0, x1 + 1):
                        bits[y][x] = 1
            self.glyphs.append(bits)
        # glyph rows per colour scheme: glyph_rows[scheme][glyph][y] = 24 bytes
        self.glyph_rows = []
        for bg, fg in self.SCHEMES:
            pb, pf = bytes(bg), bytes(fg)
            self.glyph_rows.append([[b"".join(pf if v else pb for v in row) for row in g] for g in self.glyphs])
        # long gradient rows to slice from (diagonal gradients = row offset shifts with y)
        self.gradients = []
        for _ in range(8):
            c0 = [rnd.randint(0, 255) for _ in range(3)]
            c1 = [rnd.randint(0, 255) for _ in range(3)]
            n = 3000
            self.gradients.append(bytes(int(c0[k] + (c1[k] - c0[k]) * i / n) for i in range(n) for k in range(3)))

    def text(self, chars, scheme, height=16):
        rows = self.glyph_rows[scheme]
        picks = [self.rnd.randrange(96) if self.rnd.random() > 0.15 else 0 for _ in range(chars)]
        return [b"".join(rows[g][y] for g in picks) for y in range(height)]

    def gradient(self, w, h, which, slope):
        g = self.gradients[which]
        return [g[3 * ((y * slope) % 1000):3 * ((y * slope) % 1000 + w)] for y in range(h)]

    def window(self, w, h, which):
        """Gradient body with a title bar and a one-pixel frame."""
        rows = self.gradient(w, h, which, 1)
        title = bytes((60, 90, 140)) * w
        frame = bytes((20, 20, 20))
        out = []
        for y, r in enumerate(rows):
            r = title if y < 20 else r
            out.append(frame + r[3:-3] + frame if y not in (0, h - 1) else frame * w)
        return out

    def noise(self, w, h):
        """Photo-like block: a gradient with random noise (poorly compressible, like a picture)."""
        base = self.gradient(w, h, self.rnd.randrange(8), 2)
        out = []
        for r in base:
            n = self.rnd.randbytes(len(r))
            out.append(bytes((a & 0xC0) | (b & 0x3F) for a, b in zip(r, n)))
        return out


def desktop(art, w, h):
    """A full-screen picture: gradient background, a few windows full of text."""
    canvas = [bytearray(r) for r in art.gradient(w, h, 0, 1)]
    for _ in range(4):
        ww, wh = art.rnd.randint(w // 4, w // 2), art.rnd.randint(h // 4, h // 2)
        x0, y0 = art.rnd.randint(0, w - ww), art.rnd.randint(0, h - wh)
        win = art.window(ww, wh, art.rnd.randrange(8))
        for y in range(0, wh - 24, 18):
            chars = art.rnd.randint(5, (ww - 8) // 8)
            for dy, r in enumerate(art.text(chars, art.rnd.randrange(6))):
                if 22 + y + dy < wh - 1:
                    row = bytearray(win[22 + y + dy])
                    n = min(len(r), len(row) - 15)
                    row[12:12 + n] = r[:n]
                    win[22 + y + dy] = bytes(row)
        for y in range(wh):
            canvas[y0 + y][3 * x0:3 * (x0 + ww)] = win[y]
    return [bytes(r) for r in canvas]


# ---------------------------------------------------------------------------------------------
# Recordings

def idle(path, seconds=600):
    rnd = random.Random(1)
    art = Art(rnd)
    w, h = 1024, 768
    out = Writer(path)
    b = out.buf
    b.append(ins("size", 0, w, h))
    pointer(b)
    t = T0
    b.append(ins("sync", t))
    img(b, 0, 0, 0, png(w, h, desktop(art, w, h)))
    t += 30
    b.append(ins("sync", t))
    mx, my, next_mouse = 500, 400, T0 + 30_000
    while t < T0 + seconds * 1000:
        t += rnd.randint(950, 1050)
        if t >= next_mouse:
            mx, my = rnd.randint(0, w - 1), rnd.randint(0, h - 1)
            b.append(ins("mouse", mx, my, 0, t - rnd.randint(1, 40)))
            next_mouse += rnd.randint(28_000, 32_000)
        b.append(ins("sync", t))
    out.close()


def busy(path, seconds, seed=2, w=1440, h=900):
    rnd = random.Random(seed)
    art = Art(rnd)
    out = Writer(path)
    b = out.buf
    b.append(ins("size", 0, w, h))
    pointer(b)
    t = T0
    b.append(ins("sync", t))
    img(b, 0, 0, 0, png(w, h, desktop(art, w, h)))
    t += 40
    b.append(ins("sync", t))
    # a few "terminals" that text is typed and scrolled into, a clock, a mouse drifting around
    terms = [(rnd.randint(0, w - 640), rnd.randint(0, h - 400), rnd.randrange(6)) for _ in range(3)]
    cursor_line = [0, 0, 0]
    mx, my, vx, vy = 700.0, 450.0, 3.0, 2.0
    end = T0 + seconds * 1000
    next_clock, next_photo, next_window = T0 + 1000, T0 + 2500, T0 + 700
    while t < end:
        t += rnd.randint(36, 44)                      # ~25 syncs/s
        for _ in range(rnd.randint(1, 3)):            # typed/printed text in a terminal
            k = rnd.randrange(3)
            tx, ty, sc = terms[k]
            line = cursor_line[k]
            cursor_line[k] = (line + 1) % 24
            chars = rnd.randint(6, 78)
            img(b, 0, tx + 4, ty + 4 + 16 * line, png(8 * chars, 16, art.text(chars, sc)))
        if rnd.random() < 0.3:                        # a highlighted or redrawn rectangle
            rw, rh = rnd.randint(20, 320), rnd.randint(12, 200)
            img(b, 0, rnd.randint(0, w - rw), rnd.randint(0, h - rh),
                png(rw, rh, art.gradient(rw, rh, rnd.randrange(8), rnd.randint(0, 3))))
        if t >= next_window:                          # a window appears / is redrawn
            ww, wh = rnd.randint(200, 600), rnd.randint(120, 400)
            img(b, 0, rnd.randint(0, w - ww), rnd.randint(0, h - wh), png(ww, wh, art.window(ww, wh, rnd.randrange(8))))
            next_window += rnd.randint(1500, 4000)
        if t >= next_photo:                           # a picture shown (image viewer, web page)
            pw, ph = rnd.randint(96, 200), rnd.randint(64, 150)
            img(b, 0, rnd.randint(0, w - pw), rnd.randint(0, h - ph), png(pw, ph, art.noise(pw, ph)))
            next_photo += rnd.randint(2000, 5000)
        if t >= next_clock:                           # the panel clock
            img(b, 0, w - 80, 4, png(64, 16, art.text(8, 1)))
            next_clock += 1000
        if rnd.random() < 0.6:                        # the mouse wanders
            if rnd.random() < 0.05:
                vx, vy = rnd.uniform(-8, 8), rnd.uniform(-6, 6)
            mx = min(max(mx + vx, 0), w - 1)
            my = min(max(my + vy, 0), h - 1)
            if mx in (0, w - 1):
                vx = -vx
            if my in (0, h - 1):
                vy = -vy
            b.append(ins("mouse", int(mx), int(my), 0, t - rnd.randint(1, 30)))
        b.append(ins("sync", t))
        if len(b) > 2000:
            out.flush()
    out.close()


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "rec")
    os.makedirs(outdir, exist_ok=True)
    jobs = [("idle-10min.guac.gz", lambda p: idle(p)),
            ("busy-1min.guac.gz", lambda p: busy(p, 60)),
            ("busy720-1min.guac.gz", lambda p: busy(p, 60, w=1280, h=720)),
            ("busy-10min.guac.gz", lambda p: busy(p, 600))]
    for name, fn in jobs:
        p = os.path.join(outdir, name)
        t = time.time()
        fn(p)
        print(f"gen.py: {p}: {os.path.getsize(p):,} B gzip in {time.time() - t:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

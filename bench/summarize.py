#!/usr/bin/env python3
"""Turns the raw results of bench/run.sh (bench/out/) into the Markdown tables of docs/benchmarks.md.

    python3 bench/summarize.py [OUTDIR]
"""
import json
import os
import re
import statistics
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")

# guacenc 1.5.5 + ffmpeg/x264 veryfast crf 23, docs/guacamole-rendering.md §9 (same machine type, single runs)
BASELINE = {
    "vnc-desktop-30s": (6.7, 1_076_586, "guacd file, 1024x768: 2.95 + 3.74 s"),
    "vnc-desktop-30s-guacd160": (5.7, 1_340_064, "guacd file, 1024x768: 3.24 + 2.49 s"),
    "vnc-audio-60s-part": (4.95 + 6.19, 598_912, "Lion part: 4.95 + 6.19 s; video only"),
    "idle-10min": (58.8, 1_012_923, "vnc-idle-10min (real idle VNC desktop, 1024x768): 19.02 + 39.80 s"),
}
BASELINE_SPEED = [  # (recording, screen, sync span s, total s) for the busy comparison (real time factor)
    ("rdp-desktop-90s", "1440x900", 88.475, 31.5),
    ("vnc-churn-3min", "1280x720", 180.304, (52.9 + 57.7) / 2),
]
# guacenc-like emulation (lossless render -> mpeg4 2 Mb/s 25 fps gop 10 -> x264 veryfast crf 23), video only
EMULATED = {
    "vnc-audio-60s-part": (675_065, 0.99878, 43.76),
    "vnc-desktop-30s": (1_153_925, 0.99561, 38.51),
    "vnc-desktop-30s-guacd160": (1_123_269, 0.99537, 38.13),
}
NAMES = {
    "vnc-desktop-30s": "vnc-desktop-30s (guacd file)",
    "vnc-desktop-30s-guacd160": "vnc-desktop-30s-guacd160 (guacd file)",
    "vnc-audio-60s-part": "vnc-audio-60s (Lion part, with audio)",
    "idle-10min": "idle-10min (synthetic)",
    "busy-1min": "busy-1min (synthetic)",
    "busy-10min": "busy-10min (synthetic)",
}


def kv(path):
    d = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v
    return d


def load_run(label, tag):
    base = os.path.join(out, "runs", f"{label}.{tag}")
    if not os.path.exists(base + ".json") or not os.path.exists(base + ".time"):
        return None
    j = json.load(open(base + ".json"))
    el, rss, user, sys_ = open(base + ".time").read().split()[-4:]
    j["proc_s"] = float(el)
    j["rss_mb"] = int(rss) / 1024
    j["cpu_s"] = float(user) + float(sys_)
    return j


def med(v):
    return statistics.median(v)


def spread(v, fmt):
    return f"{fmt(min(v))}–{fmt(max(v))}"


def mb(x):
    return f"{x:.0f}"


machine = kv(os.path.join(out, "machine.txt"))
labels = [line.split("\t")[0] for line in open(os.path.join(out, "manifest.tsv")) if line.strip()]
runs = {}
for label in labels:
    rs = []
    tag = 1
    while True:
        r = load_run(label, tag)
        if r is None:
            break
        rs.append(r)
        tag += 1
    runs[label] = rs
packets = {}
for line in open(os.path.join(out, "packets.txt")):
    d = dict(re.findall(r"(\w+)=(\S+)", line))
    packets[d["file"][:-4]] = d
quality = {}
for line in open(os.path.join(out, "quality.txt")):
    label, rest = line.split(" ", 1)
    quality[label] = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)}
stages_md = open(os.path.join(out, "stages.md")).read().strip()
stages = {}
for line in stages_md.splitlines()[2:]:
    cells = [c.strip() for c in line.strip("|").split("|")]
    stages[cells[0]] = cells

p = print
p("### Machine\n")
p(f"- CPU: {machine.get('cpu')}, {machine.get('cores')} cores ({machine.get('threads_per_core')} thread per core), "
  f"memory {machine.get('mem')}")
p(f"- OS: {machine.get('os')}; JDK: {machine.get('jdk')}; FFmpeg/x264: bytedeco ffmpeg {machine.get('ffmpeg')}")
p(f"- Commit {machine.get('commit')}; run {machine.get('date')}; load average before "
  f"{machine.get('load_before')}, after {machine.get('load_after')}; bench/run.sh took "
  f"{int(machine.get('bench_seconds', 0)) / 60:.1f} min")
if "cpu_busy_jiffies" in machine:
    def secs(t):  # bash `times`: 1m2.345s
        m, sec = re.match(r"(\d+)m([\d.]+)s", t).groups()
        return int(m) * 60 + float(sec)
    busy_s = int(machine["cpu_busy_jiffies"]) / int(machine.get("clk_tck", 100))
    ours_s = sum(secs(t) for t in machine["children_times"].split())
    avail = int(machine["bench_seconds"]) * int(machine["cores"])
    p(f"- CPU during the run: {avail:,} core-s available, {busy_s:,.0f} busy, of which this benchmark "
      f"{ours_s:,.0f} and other processes {max(0, busy_s - ours_s):,.0f} "
      f"({100 * max(0, busy_s - ours_s) / avail:.0f} % of the machine)")
n = max(len(v) for v in runs.values())
p(f"\n### End to end, fresh JVM per run (CLI, defaults: preset fast, crf 30, AAC 48 kb/s; {n} runs each)\n")
p("Wall = the whole process (`/usr/bin/time`), JVM start-up included; RSS = peak resident set. "
  "Stages = the converter's own split of its wall time (`--json` `stage_ms`, median per stage): "
  "render includes JVM warm-up and native library loading.\n")
p("| recording | screen | video s | frames | wall s: median (min–max) | CPU s (user + sys) | video s / wall s "
  "| frames / wall s | output bytes | peak RSS MB: median (min–max) | stages ms: render / convert / encode "
  "| (render + convert) / encode |")
p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
summary = {}
for label in labels:
    rs = runs[label]
    if not rs:
        continue
    r0 = rs[0]
    wall = [r["proc_s"] for r in rs]
    rss = [r["rss_mb"] for r in rs]
    st = {k: med([r["stage_ms"][k] for r in rs]) for k in ("render", "convert", "encode")}
    w = med(wall)
    summary[label] = dict(wall=w, rss=med(rss), rss_all=rss, bytes=r0["bytes"], frames=r0["frames"],
                          video_s=r0["duration_ms"] / 1000, stages=st)
    p(f"| {NAMES.get(label, label)} | {r0['width']}×{r0['height']} | {r0['duration_ms'] / 1000:.1f} | {r0['frames']} "
      f"| {w:.2f} ({spread(wall, lambda x: f'{x:.2f}')}) | {med([r['cpu_s'] for r in rs]):.1f} "
      f"| {r0['duration_ms'] / 1000 / w:.1f} | {r0['frames'] / w:.0f} "
      f"| {r0['bytes']:,} | {mb(med(rss))} ({spread(rss, mb)}) "
      f"| {st['render']:.0f} / {st['convert']:.0f} / {st['encode']:.0f} "
      f"| {(st['render'] + st['convert']) / st['encode']:.2f} |")

capped = [(label, load_run(label, "capped")) for label in ("busy-1min", "busy-10min")]
capped = [(label, r) for label, r in capped if r]
if capped:
    opts = open(os.path.join(out, "runs", "capped.opts")).read().strip()
    p(f"\nDiagnostic, one run each with the Java heap capped (`java {opts} -jar ...`): "
      + "; ".join(f"{label} {r['proc_s']:.2f} s, peak RSS {r['rss_mb']:.0f} MB" for label, r in capped) + ".")

p("\n### Warm, in one JVM (bench/Stages.java: 5 conversions per input, median of runs 3–5)\n")
p(stages_md)

p("\n### Against the guacenc + ffmpeg baseline (docs/guacamole-rendering.md §9)\n")
p("| recording | baseline total s | ours wall s (median) | ours faster by | baseline .mp4 bytes (x264 veryfast crf 23) "
  "| ours bytes | ours / baseline | ours video track only | baseline source |")
p("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for label, (bt, bb, note) in BASELINE.items():
    s = summary.get(label)
    if s:
        vb = int(packets[label]["video_bytes"]) if label in packets else 0
        p(f"| {NAMES[label]} | {bt:.1f} | {s['wall']:.2f} | {bt / s['wall']:.1f}× | {bb:,} | {s['bytes']:,} "
          f"| {s['bytes'] / bb:.2f} | {vb:,} ({vb / bb:.2f}) | {note} |")
p("")
for name, screen, span, total in BASELINE_SPEED:
    p(f"- Baseline busy speed, {name} ({screen}): {span / total:.1f}× real time ({span:.0f} s in {total:.1f} s).")
for label in ("busy-1min", "busy-10min"):
    s = summary.get(label)
    if s:
        p(f"- Ours, {label} (1440×900): {s['video_s'] / s['wall']:.1f}× real time ({s['video_s']:.0f} s in {s['wall']:.1f} s).")

p("\n### Quality of the default encode (preset fast, crf 30) against the lossless render\n")
p("Luma SSIM (8×8 windows) and PSNR midway between the lossless render's changes (bench/Quality.java); "
  "bytes = video packets only (the audio sample's file also holds its AAC track). Emulated baseline: "
  "our lossless render → mpeg4 2 Mb/s 25 fps gop 10 → x264 veryfast crf 23.\n")
p("| recording | frames compared | ours video bytes | SSIM mean | SSIM min | PSNR dB | emulated baseline bytes "
  "| baseline SSIM | baseline PSNR dB | ours smaller by | PSNR gain dB |")
p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for label in labels:
    q = quality.get(label)
    if not q:
        continue
    vb = int(packets[label]["video_bytes"])
    eb, es, ep = EMULATED[label]
    p(f"| {NAMES[label]} | {q['frames']:.0f} | {vb:,} | {q['ssim_mean']:.5f} | {q['ssim_min']:.5f} | {q['psnr']:.2f} "
      f"| {eb:,} | {es:.5f} | {ep:.2f} | {100 * (1 - vb / eb):.0f} % | {q['psnr'] - ep:+.2f} |")

p("\n### Keyframes (one at least every 5 s, for seeking)\n")
p("| output | file bytes | video packets | keyframes | bytes in keyframes | share of video bytes | largest keyframe |")
p("|---|---:|---:|---:|---:|---:|---:|")
for label in labels:
    d = packets.get(label)
    if d:
        p(f"| {label} | {int(d['bytes']):,} | {d['video_packets']} | {d['keyframes']} | {int(d['keyframe_bytes']):,} "
          f"| {d['keyframe_share']} | {int(d['max_keyframe']):,} |")

p("\n### Target checks (computed)\n")


def verdict(ok):
    return "**met**" if ok else "**not met**"


s = summary.get("idle-10min")
if s:
    p(f"- idle-10min converts in under 3 s: {verdict(s['wall'] < 3)} (median {s['wall']:.2f} s, whole process).")
b1, b10 = summary.get("busy-1min"), summary.get("busy-10min")
if b1 and b10:
    peak = max(b1["rss_all"] + b10["rss_all"])
    p(f"- Peak RSS < 400 MB on busy content: {verdict(peak < 400)} (medians {b1['rss']:.0f} MB for 1 min, "
      f"{b10['rss']:.0f} MB for 10 min; highest run {peak:.0f} MB).")
    ratio = b10["rss"] / b1["rss"]
    p(f"- Peak RSS flat in recording length: {verdict(ratio <= 1.10)} (10 min / 1 min = {ratio:.2f}).")
for key in ("busy-1min", "vnc-desktop-30s", "vnc-desktop-30s-guacd160", "vnc-audio-60s (Lion part)"):
    c = stages.get(key)
    if c:
        r = float(c[7])
        p(f"- Warm decode + draw + colour-convert < 1/3 of the encoder's time, {key}: {verdict(r < 1 / 3)} "
          f"(render {c[4]} + convert {c[5]} ms vs encode {c[6]} ms = {r:.2f}).")
for label, (bt, bb, _) in BASELINE.items():
    s = summary.get(label)
    if s and label != "idle-10min":
        line = (f"- {label}: faster than the baseline total {verdict(s['wall'] < bt)} ({s['wall']:.2f} s vs {bt:.1f} s); "
                f"MP4 at or below the baseline's bytes {verdict(s['bytes'] <= bb)} ({s['bytes']:,} B vs {bb:,} B)")
        if runs[label][0].get("audio"):
            vb = int(packets[label]["video_bytes"])
            line += (f"; the baseline has no audio track: our video track alone is {vb:,} B "
                     f"({verdict(vb <= bb)} on video alone)")
        p(line + ".")

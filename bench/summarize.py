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
encoder = next((r[0]["encoder"] for r in runs.values() if r and "encoder" in r[0]), "?")
p(f"\n### End to end, fresh JVM per run (CLI, defaults: {encoder}, AAC 48 kb/s; {n} runs each)\n")
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

p("\nAgainst the anchor (guacenc 1.5.5 + ffmpeg x264 veryfast crf 23), side by side in one run: bench/sidebyside.sh "
  "(docs/benchmarks.md, \"The encoder frontier\").")
p(f"\n### Quality of the default encode ({encoder}) against the lossless render\n")
p("Luma SSIM (8×8 windows) and PSNR midway between the lossless render's changes (bench/Quality.java); "
  "bytes = video packets only (the audio sample's file also holds its AAC track).\n")
p("| recording | frames compared | ours video bytes | SSIM mean | SSIM min | PSNR dB |")
p("|---|---:|---:|---:|---:|---:|")
for label in labels:
    q = quality.get(label)
    if not q:
        continue
    vb = int(packets[label]["video_bytes"])
    p(f"| {NAMES[label]} | {q['frames']:.0f} | {vb:,} | {q['ssim_mean']:.5f} | {q['ssim_min']:.5f} | {q['psnr']:.2f} |")

p("\n### Keyframes (one every 150 frames at most, for seeking; none repeated over a still picture)\n")
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

#!/usr/bin/env python3
"""Tables and plot of the encoder study (bench/Frontier.java's TSV).

    python3 bench/frontier.py STUDY.tsv... [--side SIDE_DIR] [--default 'LABEL'] [--png FILE]

A point measured in a later file replaces the same point of an earlier one.

Prints Markdown: per recording the preset x crf grid, then every knob's effect against its base
point (CPU and bytes in per cent, SSIM). With --png (needs Debian's python3-matplotlib) it draws
bytes against CPU per video minute, one panel per recording: filled markers reach SSIM 0.995
against the lossless render, the line is the frontier of those (nothing both cheaper and
smaller), the star is --default, the cross the anchor of --side (bench/sidebyside.sh).
"""
import argparse
import csv
import statistics
from collections import defaultdict

QUALITY = 0.995

ap = argparse.ArgumentParser()
ap.add_argument("tsv", nargs="+")
ap.add_argument("--side")
ap.add_argument("--default")
ap.add_argument("--png")
ap.add_argument("--panels", default="busy-1min,busy720-1min,vnc-desktop-30s")
args = ap.parse_args()

# repeated points: medians of CPU and wall; bytes and quality are deterministic
by = {}
rows = []
for path in args.tsv:
    mine = defaultdict(list)
    for r in csv.DictReader(open(path), delimiter="\t"):
        mine[(r["recording"], r["point"])].append(r)
        rows.append(r)
    by.update(mine)
points = {}
for key, rs in by.items():
    r = dict(rs[0])
    for f in ("cpu_ms", "wall_ms", "render_ms", "convert_ms", "encode_ms"):
        r[f] = statistics.median(float(x[f]) for x in rs)
    r["reps"] = len(rs)
    points[key] = r
recordings = list(dict.fromkeys(r["recording"] for r in rows))


def per_min(r, field):
    return float(r[field]) * 60_000 / float(r["video_ms"])


def fmt(r):
    return (f"{per_min(r, 'cpu_ms') / 1000:.2f} | {float(r['wall_ms']) / 1000:.1f} | {int(r['video_bytes']):,} "
            f"| {float(r['ssim_mean']):.5f} | {float(r['psnr']):.2f}")


def frontier(rs):
    """Points with SSIM >= QUALITY that no other such point beats on both CPU and bytes."""
    good = sorted((r for r in rs if float(r["ssim_mean"]) >= QUALITY), key=lambda r: (r["cpu_ms"], int(r["video_bytes"])))
    out, best = [], None
    for r in good:
        if best is None or int(r["video_bytes"]) < best:
            out.append(r)
            best = int(r["video_bytes"])
    return out


for rec in recordings:
    rs = [r for (k, _), r in points.items() if k == rec]
    print(f"\n#### {rec}\n")
    grid = [r for r in rs if not r["params"] and not r["tune"]]
    if grid:
        print("| preset | crf | CPU s per video min | wall s | video bytes | SSIM | PSNR dB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in sorted(grid, key=lambda r: (["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"].index(r["preset"]), int(r["crf"]))):
            print(f"| {r['preset']} | {r['crf']} | {fmt(r)} |")
    knobs = [r for r in rs if r["params"] or r["tune"]]
    if knobs:
        print("\n| base | knob | CPU | bytes | SSIM (base) | PSNR dB (base) |")
        print("|---|---|---:|---:|---:|---:|")
        for r in knobs:
            base = points.get((rec, f"{r['preset']} crf{r['crf']}"))
            knob = (f"tune {r['tune']} " if r["tune"] else "") + r["params"]
            if base is None:
                print(f"| {r['preset']} crf {r['crf']} | {knob} | {per_min(r, 'cpu_ms') / 1000:.2f} s/min | {int(r['video_bytes']):,} "
                      f"| {float(r['ssim_mean']):.5f} | {float(r['psnr']):.2f} |")
                continue
            dc = 100 * (r["cpu_ms"] / base["cpu_ms"] - 1)
            db = 100 * (int(r["video_bytes"]) / int(base["video_bytes"]) - 1)
            print(f"| {r['preset']} crf {r['crf']} | {knob} | {dc:+.0f} % | {db:+.1f} % | {float(r['ssim_mean']):.5f} "
                  f"({float(base['ssim_mean']):.5f}) | {float(r['psnr']):.2f} ({float(base['psnr']):.2f}) |")
    f = frontier(rs)
    if f:
        print(f"\nFrontier at SSIM ≥ {QUALITY} (cheapest first): " + "; ".join(
            f"{r['point']} ({per_min(r, 'cpu_ms') / 1000:.2f} CPU s/min, {int(r['video_bytes']):,} B)" for r in f))

anchor = {}
if args.side:
    side = list(csv.DictReader(open(f"{args.side}/side.tsv"), delimiter="\t"))
    for rec in recordings:
        a = [r for r in side if r["recording"] == rec and r["who"] == "anchor"]
        if a:
            anchor[rec] = (statistics.median(float(r["cpu_s"]) for r in a) * 60 / float(a[0]["video_s"]),
                           statistics.median(float(r["bytes"]) for r in a) * 60 / float(a[0]["video_s"]))

if args.png:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    panels = [p for p in args.panels.split(",") if p in recordings]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 5.2))
    axes = axes if len(panels) > 1 else [axes]
    colours = {"ultrafast": "tab:red", "superfast": "tab:orange", "veryfast": "tab:green", "faster": "tab:blue",
               "fast": "tab:purple", "medium": "tab:brown"}
    for ax, rec in zip(axes, panels):
        rs = [r for (k, _), r in points.items() if k == rec]
        for r in rs:
            x, y = per_min(r, "cpu_ms") / 1000, per_min(r, "video_bytes") / 1e6
            good = float(r["ssim_mean"]) >= QUALITY
            c = colours.get(r["preset"], "grey")
            plain = not r["params"] and not r["tune"]
            ax.scatter([x], [y], s=36 if plain else 14, marker="o" if plain else "s",
                       facecolors=c if good else "none", edgecolors=c, linewidths=1, alpha=0.9 if plain else 0.6)
        for preset, c in colours.items():
            line = sorted((r for r in rs if r["preset"] == preset and not r["params"] and not r["tune"]),
                          key=lambda r: int(r["crf"]))
            if line:
                ax.plot([per_min(r, "cpu_ms") / 1000 for r in line], [per_min(r, "video_bytes") / 1e6 for r in line],
                        color=c, linewidth=0.8, label=f"{preset} (crf {line[0]['crf']}–{line[-1]['crf']})")
        f = frontier(rs)
        if f:
            ax.step([per_min(r, "cpu_ms") / 1000 for r in f], [per_min(r, "video_bytes") / 1e6 for r in f],
                    where="post", color="black", linewidth=1.5, label=f"frontier at SSIM ≥ {QUALITY}")
        d = points.get((rec, args.default)) if args.default else None
        if d:
            ax.scatter([per_min(d, "cpu_ms") / 1000], [per_min(d, "video_bytes") / 1e6], marker="*", s=260,
                       color="gold", edgecolors="black", zorder=5, label=f"default: {args.default}")
        if rec in anchor:
            ax.scatter([anchor[rec][0]], [anchor[rec][1] / 1e6], marker="X", s=120, color="black", zorder=5,
                       label="anchor: guacenc + x264 veryfast crf 23 (fresh processes)")
        ax.set_title(rec)
        ax.set_xlabel("CPU s per video minute (warm conversion: render + colour + x264 + mux)")
        ax.set_ylabel("MB of video per video minute")
        ax.grid(alpha=0.3)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("x264 settings: bytes against CPU; filled = SSIM ≥ 0.995 against the lossless render; "
                 "circles = preset × crf, squares = one knob changed", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.png, dpi=110)

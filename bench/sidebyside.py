#!/usr/bin/env python3
"""Markdown table of bench/sidebyside.sh's run: python3 bench/sidebyside.py bench/out/side"""
import csv
import statistics
import sys

out = sys.argv[1]
runs = list(csv.DictReader(open(f"{out}/side.tsv"), delimiter="\t"))
quality = {(q["recording"], q["who"]): q for q in csv.DictReader(open(f"{out}/quality.tsv"), delimiter="\t")}
machine = dict(l.rstrip("\n").split("=", 1) for l in open(f"{out}/machine.txt") if "=" in l)
labels = list(dict.fromkeys(r["recording"] for r in runs))


def med(label, who, field):
    return statistics.median(float(r[field]) for r in runs if r["recording"] == label and r["who"] == who)


print(f"Machine: {machine['machine']}. Anchor: {machine['anchor']}. Ours: {machine['ours']}, "
      f"`convert` {machine.get('ours_args', '(defaults)')}, JVM options as the launcher's. "
      f"Run {machine['date']}; load average before {machine['load_before']}, after {machine.get('load_after', '?')}. "
      f"Medians of {max(int(r['round']) for r in runs)} alternating rounds; fresh processes every run.\n")
print("| recording | video s | anchor CPU s | ours CPU s | ours / anchor CPU | anchor CPU s per video min | ours CPU s per video min "
      "| anchor wall s | ours wall s | ours × real time | anchor bytes | ours bytes | ours / anchor bytes "
      "| anchor SSIM | ours SSIM | ours PSNR dB (anchor) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
checks = []
for label in labels:
    video = med(label, "ours", "video_s")
    ac, oc = med(label, "anchor", "cpu_s"), med(label, "ours", "cpu_s")
    aw, ow = med(label, "anchor", "wall_s"), med(label, "ours", "wall_s")
    ab, ob = med(label, "anchor", "bytes"), med(label, "ours", "bytes")
    qa, qo = quality.get((label, "anchor"), {}), quality.get((label, "ours"), {})
    print(f"| {label} | {video:.1f} | {ac:.1f} | {oc:.1f} | {oc / ac:.2f} | {ac * 60 / video:.1f} | {oc * 60 / video:.1f} "
          f"| {aw:.1f} | {ow:.1f} | {video / ow:.1f} | {ab:,.0f} | {ob:,.0f} | {ob / ab:.2f} "
          f"| {qa.get('ssim_mean', '?')} | {qo.get('ssim_mean', '?')} | {qo.get('psnr', '?')} ({qa.get('psnr', '?')}) |")
    if label.startswith("busy"):
        checks.append(f"- {label}: CPU ≤ 1/3 of the anchor's: **{'met' if oc <= ac / 3 else 'not met'}** ({oc / ac:.2f}); "
                      f"bytes ≤ 0.7×: **{'met' if ob <= 0.7 * ab else 'not met'}** ({ob / ab:.2f}); "
                      f"SSIM ≥ 0.995 and above the anchor's: **{'met' if qo and float(qo['ssim_mean']) >= 0.995 and float(qo['ssim_mean']) > float(qa['ssim_mean']) else 'not met'}** "
                      f"({qo.get('ssim_mean')} vs {qa.get('ssim_mean')})"
                      + (f"; ≥ 15× real time: **{'met' if video / ow >= 15 else 'not met'}** ({video / ow:.1f}×)"
                         if label in ("busy-1min", "busy-10min") else ""))
    elif qa and qo:
        checks.append(f"- {label}: SSIM above the anchor's: **{'met' if float(qo['ssim_mean']) > float(qa['ssim_mean']) else 'not met'}** "
                      f"({qo['ssim_mean']} vs {qa['ssim_mean']}); bytes {ob / ab:.2f}× the anchor's")
print("\nTargets (issue 14):\n")
print("\n".join(checks))

#!/usr/bin/env bash
# The anchor and ours, side by side in one run: bench/sidebyside.sh [JAR]
#
# Anchor: Apache guacenc 1.5.5 then Debian's ffmpeg (x264 veryfast crf 23), as JumpServer's
# documentation and docs/guacamole-rendering.md §9 run it (built by bench/anchor.sh; set
# ANCHOR_GUACENC if it is not in ~/anchors). Ours: `java $JOPTS -jar JAR convert IN -o OUT`, the
# CLI with its defaults, a fresh JVM per run as the service's conversion processes have. Each
# recording is converted by both, alternately, SIDE_REPS rounds (default 2); CPU = user + sys of
# every process of the chain (GNU time), guacenc's gunzip left out (ours reads gzip itself).
# Quality of both against our lossless render (bench/Quality.java).
#
# Writes bench/out/side/side.tsv (one line per run) and prints the Markdown table
# (bench/sidebyside.py). Environment: SIDE_REPS, SIDE_OUT, SIDE_INPUTS ("all": adds busy-10min;
# "busy": only the busy recordings), SIDE_OURS_ARGS (extra `convert` options, to try a candidate).
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="${SIDE_OUT:-$bench/out/side}"
reps="${SIDE_REPS:-2}"
guacenc="${ANCHOR_GUACENC:-$HOME/anchors/guac-1.5.5/bin/guacenc}"
J="${1:-$bench/out/video-worker.jar}"
JOPTS=${VIDEO_WORKER_JAVA_OPTS:--Xms32m -Xmx512m -XX:+UseSerialGC}
log() { echo "sidebyside.sh: $*" >&2; }

[ -x "$guacenc" ] || { log "no anchor at $guacenc: build it with bench/anchor.sh"; exit 1; }
command -v ffmpeg >/dev/null || { log "no ffmpeg: bench/anchor.sh installs Debian's"; exit 1; }
[ -f "$J" ] || { log "no jar at $J"; exit 1; }
rec="$bench/out/rec"
[ -f "$rec/busy720-1min.guac.gz" ] || timeout 600 python3 "$bench/gen.py" "$rec"

mkdir -p "$out/work"
# as the launcher and the service's conversion processes run after their first conversion: with a
# class archive of what a conversion loads (SIDE_NO_CDS=1: without)
if [ "${SIDE_NO_CDS:-0}" != 1 ]; then
  rm -f "$out/work/vw.jsa"
  timeout 300 java $JOPTS -XX:ArchiveClassesAtExit="$out/work/vw.jsa" -Xlog:cds=off,cds+dynamic=off -jar "$J" convert \
    "$root/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz" -o "$out/work/cds.mp4" < /dev/null > /dev/null
  rm -f "$out/work/cds.mp4"
  JOPTS="$JOPTS -XX:SharedArchiveFile=$out/work/vw.jsa -Xlog:cds=off,cds+dynamic=off"
fi
inputs="$out/inputs.tsv"
cat > "$inputs" <<EOF
busy-1min	1440x900	$rec/busy-1min.guac.gz
busy720-1min	1280x720	$rec/busy720-1min.guac.gz
vnc-desktop-30s	1024x768	$root/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz
vnc-desktop-30s-guacd160	1024x768	$root/samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz
vnc-audio-60s-part	1024x768	$(ls "$root"/samples/vnc-audio-60s/lion/*.0.part.gz)
idle-10min	1024x768	$rec/idle-10min.guac.gz
EOF
[ "${SIDE_INPUTS:-}" = busy ] && sed -i '/^busy/!d' "$inputs"
[ "${SIDE_INPUTS:-}" = all ] && printf 'busy-10min\t1440x900\t%s\n' "$rec/busy-10min.guac.gz" >> "$inputs"

{
  echo "machine=$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "anchor=guacenc 1.5.5 + $(ffmpeg -version | head -1 | cut -d' ' -f1-3) (Debian), libx264 $(dpkg-query -W -f '${Version}' 'libx264-1*' 2>/dev/null | head -1)"
  echo "ours_args=${SIDE_OURS_ARGS:-(defaults)}"
  echo "ours=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null)$( (cd "$root" && [ -n "$(git status --porcelain -- guac encode worker 2>/dev/null)" ]) && echo ' + uncommitted changes' || true), $(java -version 2>&1 | sed -n 2p)"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

echo -e "recording\twho\tround\twall_s\tcpu_s\tpeak_rss_kb\tbytes\tvideo_s" > "$out/side.tsv"
tsec() { awk '{printf "%.2f\t%.2f\t%d", $1, $2 + $3, $4}' "$1"; }   # wall, user + sys, RSS

anchor_once() {  # label size input round
  local label=$1 size=$2 in=$3 r=$4 w="$out/work"
  gunzip -c "$in" > "$w/$label.guac"
  rm -f "$w/$label.guac.m4v"
  timeout 1800 /usr/bin/time -f "%e %U %S %M" -o "$w/guacenc.time" "$guacenc" -s "$size" -r 2000000 -f "$w/$label.guac" > /dev/null 2>&1
  timeout 1800 /usr/bin/time -f "%e %U %S %M" -o "$w/ffmpeg.time" ffmpeg -loglevel error -y -i "$w/$label.guac.m4v" \
    -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -movflags +faststart "$w/$label.anchor.mp4" < /dev/null
  local line
  line=$(paste -d' ' "$w/guacenc.time" "$w/ffmpeg.time" | awk '{printf "%.2f\t%.2f\t%d", $1 + $5, $2 + $3 + $6 + $7, ($4 > $8 ? $4 : $8)}')
  echo -e "$label\tanchor\t$r\t$line\t$(stat -c %s "$w/$label.anchor.mp4")\t$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$w/$label.anchor.mp4")" >> "$out/side.tsv"
  log "$label anchor round $r: $(tail -1 "$out/side.tsv" | cut -f4-7)"
  rm -f "$w/$label.guac" "$w/$label.guac.m4v"
}

ours_once() {  # label input round
  local label=$1 in=$2 r=$3 w="$out/work"
  timeout 1800 /usr/bin/time -f "%e %U %S %M" -o "$w/ours.time" java $JOPTS -jar "$J" convert "$in" ${SIDE_OURS_ARGS:-} -o "$w/$label.ours.mp4" --json \
    < /dev/null > "$w/$label.ours.json"
  local line
  line=$(awk '{printf "%.2f\t%.2f\t%d", $1, $2 + $3, $4}' "$w/ours.time")
  echo -e "$label\tours\t$r\t$line\t$(stat -c %s "$w/$label.ours.mp4")\t$(sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p' "$w/$label.ours.json" | awk '{print $1 / 1000}')" >> "$out/side.tsv"
  log "$label ours round $r: $(tail -1 "$out/side.tsv" | cut -f4-7)"
}

for r in $(seq 1 "$reps"); do
  while IFS=$'\t' read -r label size in; do
    if [ $((r % 2)) = 1 ]; then anchor_once "$label" "$size" "$in" "$r"; ours_once "$label" "$in" "$r"
    else ours_once "$label" "$in" "$r"; anchor_once "$label" "$size" "$in" "$r"; fi
  done < "$inputs"
done
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

# quality of the last round's outputs against our lossless render
echo -e "recording\twho\tssim_mean\tssim_min\tpsnr\tsamples" > "$out/quality.tsv"
while IFS=$'\t' read -r label size in; do
  w="$out/work"
  timeout 1800 java -jar "$J" convert "$in" --lossless -o "$w/$label.lossless.mp4" < /dev/null > /dev/null
  for who in anchor ours; do
    q=$(timeout 1800 java -cp "$J" "$bench/Quality.java" "$w/$label.$who.mp4" "$w/$label.lossless.mp4" < /dev/null)
    echo -e "$label\t$who\t$(echo "$q" | sed -E 's/ssim_mean=([^ ]*) ssim_min=([^ ]*) psnr=([^ ]*) frames=([^ ]*)/\1\t\2\t\3\t\4/')" >> "$out/quality.tsv"
  done
  rm -f "$w/$label.lossless.mp4"
  log "$label quality: $(grep "^$label" "$out/quality.tsv" | cut -f2-5 | tr '\n' ' ')"
done < "$inputs"

python3 "$bench/sidebyside.py" "$out" | tee "$out/side.md"

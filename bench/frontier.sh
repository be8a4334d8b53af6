#!/usr/bin/env bash
# The encoder study of docs/benchmarks.md ("The encoder frontier"): bench/frontier.sh
#
#  1. a private copy of worker/target/video-worker.jar (build it first: ./mvnw -o -q -pl worker -am
#     package -DskipTests) and the bench classes compiled against it;
#  2. the synthetic recordings (bench/gen.py) if missing;
#  3. the grids of bench/Frontier.java in one warm JVM: "presets" (ultrafast … fast × crf 24–33) on
#     the busy recordings and the three samples, "knobs" (one x264 option at a time around three
#     presets) on busy-1min, "combos" (the knobs that paid, together, along crf) on the busy
#     recordings and vnc-desktop-30s; every point: CPU, wall, bytes, SSIM and PSNR
#     against the lossless render. Results accumulate in bench/out/study/frontier.tsv (a rerun
#     skips the points already there: delete the file to measure afresh);
#  4. the x264 floor: x264 alone (Debian's ffmpeg) on the same frames as the default encodes;
#  5. tables and the plot (docs/images/encoder-frontier.png; needs Debian's python3-matplotlib).
#
# About 60 minutes on the 2-core machine of docs/benchmarks.md when it is otherwise idle.
# Environment: STUDY_GRIDS ("presets knobs combos"; "none" to measure only the default and the floor).
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="$bench/out/study"
rec="$bench/out/rec"
mkdir -p "$out"
[ -f "$root/worker/target/video-worker.jar" ] || { echo "frontier.sh: build the jar first" >&2; exit 1; }
cp "$root/worker/target/video-worker.jar" "$out/vw.jar"
rm -rf "$out/classes" && javac -nowarn -cp "$out/vw.jar" -d "$out/classes" "$bench"/{Frontier,Quality,Stages}.java
[ -f "$rec/busy720-1min.guac.gz" ] || timeout 600 python3 "$bench/gen.py" "$rec"
samples=("$root/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz"
  "$root/samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz"
  "$(ls "$root"/samples/vnc-audio-60s/lion/*.0.part.gz)")
study() { timeout 14400 java -Xmx3g -XX:+UseSerialGC -cp "$out/vw.jar:$out/classes" Frontier --out "$out/frontier.tsv" "$@"; }
for grid in ${STUDY_GRIDS:-presets knobs combos}; do
  case $grid in
    presets) study --grid presets "$rec/busy-1min.guac.gz" "$rec/busy720-1min.guac.gz" "${samples[@]}" ;;
    knobs) study --grid knobs "$rec/busy-1min.guac.gz" ;;
    combos) study --grid combos "$rec/busy-1min.guac.gz" "$rec/busy720-1min.guac.gz" "${samples[0]}" ;;
  esac
done
# the default, three times, on every input, into its own file (its spread shows the noise of
# one-rep points; it stands for the default wherever the grids hold the same point)
rm -f "$out/default.tsv"
study --out "$out/default.tsv" --reps 3 --point default "$rec/busy-1min.guac.gz" "$rec/busy720-1min.guac.gz" "${samples[@]}"

# ---- x264 floor: the default's x264 settings alone on the frames of the lossless render --------
floor="$out/floor.tsv"
echo -e "recording\tframes\tcpu_s\twall_s" > "$floor"
for in in "$rec/busy-1min.guac.gz" "$rec/busy720-1min.guac.gz"; do
  label=$(basename "$in" .guac.gz)
  java -jar "$out/vw.jar" convert "$in" --lossless -o "$out/floor.lossless.mp4" > /dev/null
  ffmpeg -loglevel error -y -i "$out/floor.lossless.mp4" -fps_mode passthrough -pix_fmt yuv420p -f rawvideo "$out/floor.yuv"
  size=$(ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0:s=x "$out/floor.lossless.mp4")
  frames=$(( $(stat -c %s "$out/floor.yuv") * 2 / 3 / $(echo "$size" | awk -Fx '{print $1 * $2}') ))
  # the default's options as ffmpeg passes them; 25 fps, the busy recordings' rate
  /usr/bin/time -f "%e %U %S" -o "$out/floor.time" ffmpeg -loglevel error -y -f rawvideo -pix_fmt yuv420p -s "$size" -r 25 \
    -i "$out/floor.yuv" -c:v libx264 $(java -cp "$out/vw.jar:$out/classes" Frontier --ffmpeg-args) -f null - < /dev/null
  echo -e "$label\t$frames\t$(awk '{printf "%.2f\t%.2f", $2 + $3, $1}' "$out/floor.time")" >> "$floor"
  rm -f "$out/floor.yuv" "$out/floor.lossless.mp4"
done
cat "$floor"

side=()
[ -f "$bench/out/side/side.tsv" ] && side=(--side "$bench/out/side")
/usr/bin/python3 "$bench/frontier.py" "$out/frontier.tsv" "$out/default.tsv" "${side[@]}" --default "$(java -cp "$out/vw.jar:$out/classes" Frontier --default-label)" \
  --png "$root/docs/images/encoder-frontier.png" | tee "$out/frontier.md"

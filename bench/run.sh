#!/usr/bin/env bash
# Every figure of docs/benchmarks.md in one command:  bench/run.sh
#
#  1. builds worker/target/video-worker.jar if it is missing or older than a source or pom
#     (bench/jar.sh: ./mvnw -o -q -pl worker -am package -DskipTests; offline: nothing touches the network) and
#     runs a private copy of it, so a rebuild by someone else during the run changes nothing;
#  2. generates the synthetic recordings (bench/gen.py) into bench/out/rec/ unless up to date;
#  3. converts every input REPS times (default 3) with a fresh JVM each time, as the CLI ships
#     (`java $JOPTS -jar video-worker.jar convert IN -o OUT --json`, the launcher's JVM options), round-robin over
#     the inputs, under GNU time for wall time and peak RSS;
#  4. keyframe share of every output (bench/Packets.java);
#  5. quality of the default encode of the three samples against their lossless renders
#     (bench/Quality.java);
#  6. warm in-JVM stage split (bench/Stages.java: 5 conversions per input in one JVM, median of
#     the last 3);
#  7. prints the Markdown tables (bench/summarize.py), also saved as bench/out/results.md.
#
# Environment: BENCH_REPS (3), BENCH_OUT (bench/out), BENCH_SKIP_BUILD=1 (use the jar as it is),
# BENCH_NO_CDS=1 (no class archive; by default one training conversion writes it, as the launcher's
# first conversion does),
# BENCH_CAPPED_HEAP (JVM option for one extra diagnostic run of busy-1min, default -Xmx128m;
# empty to skip), BENCH_CAPPED_LONG=1 (that run for busy-10min too, ~2 more minutes).
# Every step runs under `timeout`. On this 2-core machine the whole run takes about 8 minutes
# when nothing else runs; other work on the machine stretches it (the report says how much CPU
# other processes took during the run).
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="${BENCH_OUT:-$bench/out}"
reps="${BENCH_REPS:-3}"
capped="${BENCH_CAPPED_HEAP--Xmx128m}"
t_start=$(date +%s)
cpu_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }  # jiffies, all cores
busy_start=$(cpu_busy)

log() { echo "run.sh: $*" >&2; }

mkdir -p "$out"
# ---- 1. the jar -------------------------------------------------------------------------------
source "$bench/jar.sh"
cp "$jar" "$out/video-worker.jar.tmp" && mv "$out/video-worker.jar.tmp" "$out/video-worker.jar"
J="$out/video-worker.jar"

# ---- 2. synthetic recordings ------------------------------------------------------------------
rec="$out/rec"
if [ ! -f "$rec/busy-10min.guac.gz" ] || [ "$bench/gen.py" -nt "$rec/busy-10min.guac.gz" ]; then
  log "generating synthetic recordings into $rec"
  timeout 600 python3 "$bench/gen.py" "$rec"
fi

# ---- machine and version ----------------------------------------------------------------------
{
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$(nproc)"
  echo "threads_per_core=$(lscpu | sed -n 's/^Thread(s) per core: *//p')"
  echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "jdk=$(java -version 2>&1 | sed -n 2p)"
  jcpp=$(sed -n 's:.*<javacpp.version>\(.*\)</javacpp.version>.*:\1:p' "$root/pom.xml")
  echo "ffmpeg=$(sed -n 's:.*<ffmpeg.version>\(.*\)</ffmpeg.version>.*:\1:p' "$root/pom.xml" | sed "s/\${javacpp.version}/$jcpp/")"
  echo "commit=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')$( (cd "$root" && [ -n "$(git status --porcelain -- guac encode worker pom.xml 2>/dev/null)" ]) && echo ' + uncommitted changes' || true)"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

# ---- inputs -----------------------------------------------------------------------------------
audio_part=$(ls "$root"/samples/vnc-audio-60s/lion/*.0.part.gz)
cat > "$out/manifest.tsv" <<EOF
vnc-desktop-30s	$root/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz
vnc-desktop-30s-guacd160	$root/samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz
vnc-audio-60s-part	$audio_part
idle-10min	$rec/idle-10min.guac.gz
busy-1min	$rec/busy-1min.guac.gz
busy-10min	$rec/busy-10min.guac.gz
EOF

# the JVM options ./video-worker uses (override with VIDEO_WORKER_JAVA_OPTS, as for the launcher)
JOPTS=${VIDEO_WORKER_JAVA_OPTS:--Xms32m -Xmx512m -XX:+UseSerialGC}
# and, as the launcher has after its first conversion, a class archive (BENCH_NO_CDS=1: without)
if [ "${BENCH_NO_CDS:-0}" != 1 ]; then
  rm -f "$out/video-worker.jsa"
  timeout 300 java ${JOPTS} -XX:ArchiveClassesAtExit="$out/video-worker.jsa" -Xlog:cds=off,cds+dynamic=off \
    -jar "$J" convert "$root/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz" -o "$out/cds-training.mp4" < /dev/null > /dev/null
  rm -f "$out/cds-training.mp4"
  JOPTS="$JOPTS -XX:SharedArchiveFile=$out/video-worker.jsa -Xlog:cds=off,cds+dynamic=off"
fi
runs="$out/runs"; mp4="$out/mp4"
rm -rf "$runs"; mkdir -p "$runs" "$mp4"

convert_once() {  # label input tag [jvm options...]
  local label=$1 in=$2 tag=$3; shift 3
  local o="$mp4/$label.mp4"
  [ "$tag" = 1 ] || o="$mp4/$label.$tag.mp4"
  if ! timeout 900 /usr/bin/time -f "%e %M %U %S" -o "$runs/$label.$tag.time" \
       java ${JOPTS} "$@" -jar "$J" convert "$in" -o "$o" --json < /dev/null > "$runs/$label.$tag.json" 2> "$runs/$label.$tag.err"; then
    log "FAILED: $label run $tag (see $runs/$label.$tag.err)"; return 1
  fi
  log "$label run $tag: $(cat "$runs/$label.$tag.time") (wall s, peak RSS KB, user s, sys s)"
  [ "$tag" = 1 ] || rm -f "$o"
}

# ---- 3. fresh-JVM CLI runs, round-robin -------------------------------------------------------
for r in $(seq 1 "$reps"); do
  while IFS=$'\t' read -r label in; do
    convert_once "$label" "$in" "$r"
  done < "$out/manifest.tsv"
done
if [ -n "$capped" ]; then
  capped_labels=busy-1min
  [ "${BENCH_CAPPED_LONG:-0}" = 1 ] && capped_labels="busy-1min busy-10min"
  for label in $capped_labels; do
    convert_once "$label" "$rec/$label.guac.gz" capped "$capped"
  done
  echo "$capped" > "$runs/capped.opts"
fi

# ---- 4. keyframes -----------------------------------------------------------------------------
timeout 300 java -cp "$J" "$bench/Packets.java" "$mp4"/{vnc-desktop-30s,vnc-desktop-30s-guacd160,vnc-audio-60s-part,idle-10min,busy-1min,busy-10min}.mp4 \
  > "$out/packets.txt"

# ---- 5. quality of the default encode against the lossless render ------------------------------
: > "$out/quality.txt"
while IFS=$'\t' read -r label in; do
  case "$label" in vnc-*) ;; *) continue ;; esac
  timeout 600 java -jar "$J" convert "$in" --lossless -o "$mp4/$label.lossless.mp4" --json < /dev/null > "$runs/$label.lossless.json"
  echo "$label $(timeout 600 java -cp "$J" "$bench/Quality.java" "$mp4/$label.mp4" "$mp4/$label.lossless.mp4" < /dev/null)" >> "$out/quality.txt"
  log "quality $(tail -1 "$out/quality.txt")"
done < "$out/manifest.tsv"

# ---- 6. warm in-JVM stage split ---------------------------------------------------------------
timeout 1200 java -cp "$J" "$bench/Stages.java" "$root/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz" \
  "$root/samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz" "$audio_part" \
  "$rec/idle-10min.guac.gz" "$rec/busy-1min.guac.gz" > "$out/stages.md"

echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
times > "$out/times.txt"   # in this shell (a subshell would report zero): CPU of everything it ran
{
  echo "bench_seconds=$(( $(date +%s) - t_start ))"
  echo "clk_tck=$(getconf CLK_TCK)"
  echo "cpu_busy_jiffies=$(( $(cpu_busy) - busy_start ))"
  echo "children_times=$(tail -1 "$out/times.txt")"
} >> "$out/machine.txt"

# ---- 7. tables --------------------------------------------------------------------------------
python3 "$bench/summarize.py" "$out" | tee "$out/results.md"

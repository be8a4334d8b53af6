#!/usr/bin/env bash
# The upload benchmark of docs/benchmarks.md ("The service") against disks of several speeds:
#   bench/upload-disk-limits.sh [LIMIT_MiB_s ...]      (default: none 800 400 200 100)
#
# A fast VM disk (this one takes writes at memory speed, into its host's cache) says little about
# the disks workers run on, so the same ServiceBench upload-only run is repeated with the disk's
# write bandwidth capped by the kernel (cgroup v1 blkio throttling on the whole device, as root).
# Both the plain-write reference and the upload are capped alike. The cap is removed on exit,
# however the script ends. Needs root, cgroup v1 blkio and a built worker/target/video-worker.jar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
limits=("$@")
[ ${#limits[@]} -gt 0 ] || limits=(none 800 400 200 100)
knob=/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device
jar=worker/target/video-worker.jar
[ -w "$knob" ] || { echo "upload-disk-limits.sh: needs root and cgroup v1 blkio ($knob not writable)" >&2; exit 2; }
[ -f "$jar" ] || { echo "upload-disk-limits.sh: build first: ./mvnw -B -ntp package -DskipTests" >&2; exit 2; }

# the whole disk under java.io.tmpdir (throttling applies to disks, not partitions)
tmp="${TMPDIR:-/tmp}"
dev="$(df --output=source "$tmp" | tail -1)"
parent="$(lsblk -no PKNAME "$dev" 2>/dev/null | head -1)"
[ -n "$parent" ] && dev="/dev/$parent"
majmin="$(lsblk -dno MAJ:MIN "$dev" | tr -d ' ')"
trap 'echo "$majmin 0" > "$knob"' EXIT

echo "disk $dev ($majmin) under $tmp; $(nproc) cores; $(date -u '+%F %H:%M UTC')"
for limit in "${limits[@]}"; do
  if [ "$limit" = none ]; then
    echo "$majmin 0" > "$knob"
    echo "== no write limit"
  else
    echo "$majmin $((limit << 20))" > "$knob"
    echo "== writes limited to $limit MiB/s"
  fi
  java -cp "$jar" bench/ServiceBench.java 300 x upload-only 2>&1 | grep -E '^(run|warm|heap)'
done

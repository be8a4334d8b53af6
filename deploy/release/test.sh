#!/usr/bin/env bash
# Smoke test of the release archive (the deployment without Docker): unpacks
# worker/target/video-worker-<version>.tar.gz, checks its files, and runs the launcher from the
# unpacked folder as an administrator would: --version, convert on a sample, serve and its health
# check, SIGTERM. Needs the archive (./mvnw -B -ntp -DskipTests package) and curl.
# Prints PASS/FAIL per check and "release: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
archive="$(ls "$root"/worker/target/video-worker-*.tar.gz 2>/dev/null | head -1)"
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { local name="$1"; shift; if "$@" >"$work/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -3 "$work/out" | tr '\n' ' ')"; fi; }

if [ -z "$archive" ]; then
  fail archive "no worker/target/video-worker-*.tar.gz: run ./mvnw -B -ntp -DskipTests package"
  echo "release: $passed passed, $failed failed"; exit 1
fi
tar -xzf "$archive" -C "$work"
dir="$(ls -d "$work"/video-worker-*/)"
dir="${dir%/}"
for f in video-worker.jar video-worker config.txt.example video-worker.service README.md LICENSE docs/architecture.md; do
  check "has $f" test -f "$dir/$f"
done
check "launcher is executable" test -x "$dir/video-worker"
check "systemd unit runs serve from its working directory" \
  grep -q '^ExecStart=/opt/video-worker/video-worker serve' "$dir/video-worker.service"
check "systemd unit sets WorkingDirectory and EnvironmentFile" \
  bash -c "grep -q '^WorkingDirectory=/opt/video-worker$' '$dir/video-worker.service' && grep -q '^EnvironmentFile=' '$dir/video-worker.service'"
if command -v systemd-analyze >/dev/null 2>&1; then
  check "systemd-analyze verify" bash -c "systemd-analyze verify '$dir/video-worker.service' 2>&1 | grep -v 'video-worker serve\|User=\|Documentation' | { ! grep -qi error; }"
fi
# No Maven or sources here: the launcher must run the jar beside it, never try to build.
version="$(cd "$dir" && ./video-worker --version 2>&1)"
if [[ "$version" =~ ^video-worker\ [0-9] ]]; then pass "--version ($version)"; else fail "--version" "$version"; fi
sample="$root/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz"
if (cd "$dir" && ./video-worker convert "$sample" -o "$work/out.mp4" --json >"$work/convert.json" 2>"$work/convert.err") \
   && grep -q '"frames":[1-9]' "$work/convert.json" && [ "$(head -c 8 "$work/out.mp4" | tail -c 4)" = ftyp ]; then
  pass "convert a sample from the release ($(grep -o '"frames":[0-9]*' "$work/convert.json"))"
else
  fail "convert a sample from the release" "$(tail -3 "$work/convert.err" | tr '\n' ' ')"
fi
while :; do # a port nothing listens on
  port=$((20000 + RANDOM % 20000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
cp "$dir/config.txt.example" "$dir/config.txt"
(cd "$dir" && HTTPD_PORT="$port" BIND_HOST=127.0.0.1 VIDEO_WORKER_SPOOL_RESERVE_MB=0 exec ./video-worker serve >"$work/serve.log" 2>&1) &
server=$!
ok=""
for _ in $(seq 1 150); do
  if curl -fsL "http://127.0.0.1:$port/video-worker/health/" >"$work/health.json" 2>/dev/null; then ok=1; break; fi
  sleep 0.2
done
if [ -n "$ok" ] && grep -q '"core":"standalone"' "$work/health.json"; then pass "serve answers the health check"; else fail "serve answers the health check" "$(tail -3 "$work/serve.log" | tr '\n' ' ')"; fi
check "serve keeps its data in ./data beside config.txt" test -d "$dir/data/tasks"
kill -TERM "$server"
for _ in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$server" 2>/dev/null; then fail "SIGTERM stops serve" "still running after 20 s"
elif grep -q 'ServeCommand: stopped' "$work/serve.log"; then pass "SIGTERM stops serve with a word"
else fail "SIGTERM stops serve with a word" "$(tail -2 "$work/serve.log" | tr '\n' ' ')"; fi
server=""
echo "release: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

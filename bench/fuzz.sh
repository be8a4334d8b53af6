#!/usr/bin/env bash
# The long fuzz run of docs/reliability.md §1:  bench/fuzz.sh
#
# Runs the fuzz suite (worker/src/test/.../fuzz/ConverterFuzzTest) in its fixed 256 MiB heap with
# many tries instead of the CI round, then prints the per-generator summary (videos, refusals,
# failures, time) and keeps it in bench/out/fuzz-<seed>.txt. A failure names its input as
# <generator>:<seed>; replay it with
#   ./mvnw -pl worker -am test -Dtest=ConverterFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
#          -Dfuzz.case=<generator>:<seed>
#
# Environment: FUZZ_MINUTES (20: stop starting new tries after this), FUZZ_TRIES (100000: or after
# this many), FUZZ_SEED (random), FUZZ_BOUND (60: seconds one input may take).
set -uo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
minutes="${FUZZ_MINUTES:-20}"
tries="${FUZZ_TRIES:-100000}"
seed="${FUZZ_SEED:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}"
bound="${FUZZ_BOUND:-60}"
out="$bench/out"
mkdir -p "$out"
log="$out/fuzz-$seed.log"

echo "fuzz.sh: seed $seed, up to $tries tries or $minutes minutes, $bound s per input; log $log" >&2
start=$(date +%s)
cd "$root"
./mvnw -B -ntp -pl worker -am test -Dtest=ConverterFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfuzz.seed="$seed" -Dfuzz.tries="$tries" -Dfuzz.minutes="$minutes" -Dfuzz.bound="$bound" > "$log" 2>&1
status=$?
end=$(date +%s)

summary="$out/fuzz-$seed.txt"
{
  echo "seed $seed, $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s wall (build included), maven exit $status"
  grep -E "Tests run: [0-9]+, Failures" "$log" | grep -v "in io" | tail -1
  cat worker/target/fuzz-summary.txt 2>/dev/null || echo "no summary: the test JVM died (see $log)"
} > "$summary"
cat "$summary"
exit $status

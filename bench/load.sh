#!/usr/bin/env bash
# The load test of docs/reliability.md §4 in one command:  bench/load.sh
#
# Runs worker/src/test/java/io/videoworker/worker/load/LoadTest.java through Maven (it builds what
# it needs): the worker as a child process with its real pool and the launcher's JVM options, 50
# Lion-like clients at once each uploading a 3-part recording, one more uploading a 300 MiB part,
# task creation timed while every conversion slot is busy. Then prints the figures it wrote to
# worker/target/load-report.md (also when the test fails: the rows measured until then, and where
# the worker's log and data were kept).
#
# Needs about 1 GB of free disk under java.io.tmpdir and 1 GB of RAM. On 2 free cores it takes
# about 3 minutes; other work on the machine stretches it (the report gives the load average and the
# CPU time used, so a run on a busy machine can be judged). The test stops itself after 15 minutes.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
report="$root/worker/target/load-report.md"
cd "$root"
rm -f "$report"
./mvnw -B -ntp -q -pl worker -am test -Dtest=LoadTest -Dsurefire.failIfNoSpecifiedTests=false
status=$?
if [ -f "$report" ]; then
  cat "$report"
else
  echo "bench/load.sh: no report written; see worker/target/surefire-reports/" >&2
fi
exit $status

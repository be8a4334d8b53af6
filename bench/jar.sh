# Sourced by the bench scripts: builds worker/target/video-worker.jar when it is missing or older
# than a source or pom (the Maven wrapper, offline: nothing touches the network), unless BENCH_SKIP_BUILD=1.
# Needs $root (the repository) and a log function; sets $jar.
jar="$root/worker/target/video-worker.jar"
jar_stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$root"/guac "$root"/encode "$root"/worker -path '*/src/main/*' -newer "$jar" -print -quit 2>/dev/null)" ] && return 0
  for p in "$root"/pom.xml "$root"/*/pom.xml; do [ "$p" -nt "$jar" ] && return 0; done
  return 1
}
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] && jar_stale; then
  log "building $jar"
  (cd "$root" && timeout 900 ./mvnw -o -q -B -ntp -pl worker -am package -DskipTests >&2)
fi
[ -f "$jar" ] || { log "no jar at $jar"; exit 1; }

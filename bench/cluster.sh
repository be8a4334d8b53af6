#!/usr/bin/env bash
# Cluster-mode coordination bench (docs/cluster-bench.md):  bench/cluster.sh
#
#  1. builds worker/target/video-worker.jar if it is missing or older than a source or pom
#     (bench/jar.sh: ./mvnw -o -q -pl worker -am package -DskipTests, offline) and runs a private copy of it;
#  2. starts a throw-away PostgreSQL 15 on 127.0.0.1 (a free port, a folder under /tmp; as root
#     initdb and the server run as the postgres user), with pg_stat_statements when the contrib
#     module is installed (else the load is counted in transactions from pg_stat_database);
#  3. for N in CLUSTER_NODES: drops and recreates the database and DATA_DIR, starts N stand-alone
#     `video-worker serve` nodes sharing both (VIDEO_WORKER_COUNT=1 each), runs bench/ClusterLoad.java
#     (T tiny two-part tasks from C clients, requests round robin over the nodes), stops the nodes;
#  4. prints the Markdown table, also saved as $BENCH_OUT/cluster.md; the JSON of each run is in
#     $BENCH_OUT/cluster-N.json and the node logs in $BENCH_OUT/cluster-logs/.
#
# Environment: CLUSTER_NODES ("1 2 3"), CLUSTER_TASKS (60), CLUSTER_CLIENTS (4),
# BENCH_OUT (bench/out), BENCH_SKIP_BUILD=1 (use the jar as it is),
# VIDEO_WORKER_JAVA_OPTS (node JVM options, default the launcher's -Xms32m -Xmx512m -XX:+UseSerialGC).
# Everything (nodes, PostgreSQL, temporary folders) is removed on exit, failure included.
# On a 2-core machine the default run takes about 2-3 minutes.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="${BENCH_OUT:-$bench/out}"
counts="${CLUSTER_NODES:-1 2 3}"
tasks="${CLUSTER_TASKS:-60}"
clients="${CLUSTER_CLIENTS:-4}"
pgbin=/usr/lib/postgresql/15/bin
pglib=/usr/lib/postgresql/15/lib
JOPTS=${VIDEO_WORKER_JAVA_OPTS:--Xms32m -Xmx512m -XX:+UseSerialGC}

log() { echo "cluster.sh: $*" >&2; }
die() { log "$*"; exit 1; }

[ -x "$pgbin/initdb" ] || die "no PostgreSQL 15 server binaries in $pgbin (apt-get install postgresql-15)"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id -u postgres > /dev/null 2>&1 || die "running as root needs a postgres user to run the server as"
  as_pg=(runuser -u postgres --)
fi
mkdir -p "$out"

# ---- clean-up: whatever has started by the time anything fails ---------------------------------
tmp=""; pgdata=""; node_pids=(); load_pid=""
stop_nodes() {
  local p
  for p in "${node_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${node_pids[@]}"; do
    # a node gets 30 s to finish its shutdown, then it is killed
    for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  node_pids=()
}
cleanup() {
  if [ -n "$load_pid" ]; then kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; fi
  stop_nodes
  if [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" stop -w -t 30 -m fast -D "$pgdata" > /dev/null 2>&1 \
      || "${as_pg[@]}" "$pgbin/pg_ctl" stop -w -t 10 -m immediate -D "$pgdata" > /dev/null 2>&1 || true
  fi
  [ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. the jar -------------------------------------------------------------------------------
source "$bench/jar.sh"
tmp=$(mktemp -d /tmp/vw-cluster-bench.XXXXXX)
chmod 755 "$tmp"   # the postgres user has to reach its folder inside
cp "$jar" "$tmp/video-worker.jar"
J="$tmp/video-worker.jar"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- 2. PostgreSQL ----------------------------------------------------------------------------
pgdir="$tmp/pg"; pgdata="$pgdir/data"; pgport=$(free_port)
mkdir -p "$pgdir/socket"
su_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
app_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
echo "$su_pw" > "$pgdir/su.pw"
if [ -n "${as_pg[*]}" ]; then chown -R postgres:postgres "$pgdir"; fi
"${as_pg[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres --pwfile="$pgdir/su.pw" --auth-local=trust \
  --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-instructions --no-sync > "$pgdir/initdb.log" 2>&1 \
  || { cat "$pgdir/initdb.log" >&2; die "initdb failed"; }
rm -f "$pgdir/su.pw"
pgss=0
[ -f "$pglib/pg_stat_statements.so" ] && pgss=1
{
  echo "# bench/cluster.sh"
  echo "listen_addresses = '127.0.0.1'"
  echo "port = $pgport"
  echo "unix_socket_directories = '$pgdir/socket'"
  echo "fsync = on"                 # as a real site runs: commits cost what they cost
  echo "synchronous_commit = on"
  echo "max_connections = 100"
  if [ "$pgss" = 1 ]; then
    echo "shared_preload_libraries = 'pg_stat_statements'"
    echo "pg_stat_statements.track = all"
  fi
} | "${as_pg[@]}" tee -a "$pgdata/postgresql.conf" > /dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" start -w -t 30 -D "$pgdata" -l "$pgdir/postgres.log" > /dev/null \
  || { tail -20 "$pgdir/postgres.log" >&2; die "PostgreSQL did not start"; }
psql_su() { (cd / && "${as_pg[@]}" "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$pgdir/socket" -p "$pgport" -U postgres "$@"); }
psql_su -d postgres -c "CREATE ROLE vw LOGIN PASSWORD '$app_pw'"
log "PostgreSQL on 127.0.0.1:$pgport, pg_stat_statements: $([ "$pgss" = 1 ] && echo yes || echo 'no (transactions counted instead)')"

key_id=bench
key_secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
cluster_key=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')   # 32 hex characters, the same on every node
logs="$out/cluster-logs"
rm -rf "$logs"; mkdir -p "$logs"

# ---- 3. one run per cluster size ----------------------------------------------------------------
for n in $counts; do
  psql_su -d postgres -c "DROP DATABASE IF EXISTS vw WITH (FORCE)" -c "CREATE DATABASE vw OWNER vw"
  if [ "$pgss" = 1 ]; then psql_su -d vw -c "CREATE EXTENSION pg_stat_statements" > /dev/null; fi
  data="$tmp/data"
  rm -rf "$data"; mkdir -p "$data/keys"
  echo "$key_id:$key_secret" > "$data/keys/access_keys"
  chmod 700 "$data/keys"; chmod 600 "$data/keys/access_keys"   # else every node warns that others could read it
  urls=()
  for i in $(seq 1 "$n"); do
    port=$(free_port)
    env NAME="node-$i" HTTPD_PORT="$port" BIND_HOST=127.0.0.1 DATA_DIR="$data" VIDEO_WORKER_COUNT=1 \
      VIDEO_WORKER_SPOOL_RESERVE_MB=0 VIDEO_WORKER_SECRET_KEY="$cluster_key" \
      VIDEO_WORKER_DB_URL="jdbc:postgresql://127.0.0.1:$pgport/vw" VIDEO_WORKER_DB_USER=vw VIDEO_WORKER_DB_PASSWORD="$app_pw" \
      java $JOPTS -jar "$J" serve < /dev/null > "$logs/$n-node-$i.log" 2>&1 &
    node_pids+=($!)
    urls+=("http://127.0.0.1:$port")
  done
  for i in "${!urls[@]}"; do
    ok=0
    for _ in $(seq 1 600); do
      kill -0 "${node_pids[$i]}" 2>/dev/null || { tail -30 "$logs/$n-node-$((i + 1)).log" >&2; die "node-$((i + 1)) of $n exited at start"; }
      if curl -fsS -o /dev/null "${urls[$i]}/video-worker/health/" 2>/dev/null; then ok=1; break; fi
      sleep 0.1
    done
    [ "$ok" = 1 ] || die "node-$((i + 1)) of $n not healthy within 60 s (see $logs)"
  done
  log "$n node(s) up: ${urls[*]}; $tasks tasks from $clients clients"
  timeout 900 java -cp "$J" "$bench/ClusterLoad.java" --nodes "$(IFS=,; echo "${urls[*]}")" \
    --db "jdbc:postgresql://127.0.0.1:$pgport/vw" --db-user postgres --db-password "$su_pw" --app-user vw \
    --key "$key_id:$key_secret" --tasks "$tasks" --clients "$clients" > "$out/cluster-$n.json" &
  load_pid=$!   # in the background: bash runs a trap only once its foreground command ends, wait it can interrupt
  wait "$load_pid" || die "ClusterLoad failed with $n node(s) (node logs in $logs)"
  load_pid=""
  cat "$out/cluster-$n.json" >&2
  stop_nodes
  # the nodes' complaints, for the report: a clean run has none
  for f in "$logs/$n"-node-*.log; do
    c=$(grep -cE 'WARN|ERROR|Exception' "$f" || true)
    [ "$c" = 0 ] || log "$(basename "$f"): $c lines with WARN/ERROR/Exception"
  done
done

# ---- 4. the table -------------------------------------------------------------------------------
{
  echo "| nodes | tasks | wall s | tasks/s | claim p50 / p95 / max ms | converting→done p50 ms | done→next claim p50 / p95 ms | end to end p50 / p95 ms | claims per task | $([ "$pgss" = 1 ] && echo 'statements' || echo 'transactions') per task | rows ins / upd / del per task | WAL KiB per task | table+index KiB per task | idle $([ "$pgss" = 1 ] && echo 'statements' || echo 'transactions')/s |"
  echo "|---:|---:|---:|---:|---|---:|---|---|---:|---:|---|---:|---:|---:|"
  ctr=$([ "$pgss" = 1 ] && echo statements || echo transactions)
  for n in $counts; do
    jq -r --arg c "$ctr" '"| \(.nodes) | \(.tasks) | \(.wall_seconds) | \(.tasks_per_second) | \(.claim_ms.p50) / \(.claim_ms.p95) / \(.claim_ms.max) | \(.converting_to_done_ms.p50) | \(.done_to_next_claim_ms.p50) / \(.done_to_next_claim_ms.p95) | \(.end_to_end_ms.p50) / \(.end_to_end_ms.p95) | \(.claims_per_task) | \(.db_per_task[$c]) | \(.db_per_task.rows_inserted) / \(.db_per_task.rows_updated) / \(.db_per_task.rows_deleted) | \(.db_per_task.wal_bytes / 1024 * 10 | round / 10) | \(.db_per_task.table_index_bytes / 1024 * 10 | round / 10) | \(.db_idle_per_second[$c]) |"' "$out/cluster-$n.json"
  done
} | tee "$out/cluster.md"

#!/usr/bin/env bash
# Horizontal scaling on one many-core host (docs/BENCHMARKS.md, "Scaling out"): NODES nodes, each
# pinned to CORES_PER_NODE cores of its own, the load generator and the shared journal (an H2
# server, cluster-config/h2-server.conf: no PostgreSQL needed) on the cores left. Through a round
# robin over every node (the load tool's --url list, as a balancer would send), it measures uncached
# queries (the model's work) and cached ones, first with one node, then with all of them (each node
# embedding with its own batcher lane, placement = local, the default); then uncached queries again
# with one lane shared by the cluster (placement = spread, the default before 2026-12-04) and with
# one spread lane per node. Limits measured in the same run: one node's figure times NODES (linear
# scaling), and a bare Pekko HTTP endpoint on one node's cores.
#
# Usage: scripts/bench-scaling.sh            needs NODES * CORES_PER_NODE + 2 cores or more
# Environment: NODES=3 CORES_PER_NODE=4 DOCS=1000 DURATION=10s WARMUP=3s ROUNDS=2 HEAP=4g
#   JAVA=java RAGMILL_CP=http/target/ragmill.jar LOADTEST_CP=loadtest/target/ragmill-loadtest.jar
#   OUT=target/bench-scaling/<time> JAVA_LOG=<dir> (each JVM's -Xlog:class+load into that folder)
#   ORDER="local onelane spread" (the multi-node phases, in the order they run)
#   QUICK=1: one node, then all nodes on local lanes and on one shared lane; no bare endpoint, no
#   spread lanes, nothing sent through node 1 alone
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
NODES=${NODES:-3}
CPN=${CORES_PER_NODE:-4}
DOCS=${DOCS:-1000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-2}
HEAP=${HEAP:-4g}
JAVA=${JAVA:-java}
RAGMILL_CP=${RAGMILL_CP:-http/target/ragmill.jar}
LOADTEST_CP=${LOADTEST_CP:-loadtest/target/ragmill-loadtest.jar}
OUT=${OUT:-target/bench-scaling/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
exec > >(tee "$OUT/bench.log") 2>&1
CORES=$(nproc)
LAST=$((CORES - 1))
if [ $((NODES * CPN + 2)) -gt "$CORES" ]; then
  echo "bench-scaling: $NODES nodes of $CPN cores need $((NODES * CPN + 2)) cores, this machine has $CORES;" \
    "the nodes and the load generator will share cores (a smoke run, not a measurement)" >&2
fi
node_cores() { # node number (1..) -> its cores, e.g. 0-3
  local first=$(((($1 - 1) * CPN) % CORES))
  local last=$((first + CPN - 1))
  [ "$last" -le "$LAST" ] || last=$LAST
  echo "$first-$last"
}
CLIENT_CORES="$(((NODES * CPN) % CORES))-$LAST"
[ $((NODES * CPN)) -lt "$CORES" ] || CLIENT_CORES="0-$LAST"

pin() { # cores command... : run pinned (taskset, or Python's sched_setaffinity where it is missing).
  # It execs, so call it only in a subshell (with & or in a pipeline): the process that a background
  # call leaves in $! is then the JVM itself, which stop_nodes and cleanup can stop. Without the exec,
  # $! was a subshell whose JVM outlived its kill, and the next phase's node 1 could not bind its port
  local cores=$1
  shift
  if command -v taskset > /dev/null; then
    exec taskset -c "$cores" "$@"
  else
    exec python3 -c 'import os, sys
lo, _, hi = sys.argv[1].partition("-")
os.sched_setaffinity(0, range(int(lo), int(hi or lo) + 1))
os.execvp(sys.argv[2], sys.argv[2:])' "$cores" "$@"
  fi
}
http_status() { # url -> HTTP status, or 000
  python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")' "$1"
}
jlog() { # the class-loading log of one JVM, when asked for
  [ -z "${JAVA_LOG:-}" ] || echo "-Xlog:class+load=info:file=$JAVA_LOG/$1.log::filecount=0" # one file, never rotated
}

H2_PORT=${H2_PORT:-19092}
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
}
trap cleanup EXIT
[ -z "${JAVA_LOG:-}" ] || mkdir -p "$JAVA_LOG"

echo "== $(date -u +%FT%TZ) machine: $CORES cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))," \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $("$JAVA" -version 2>&1 | head -1)"
echo "== $NODES nodes x $CPN cores ($(for n in $(seq 1 "$NODES"); do printf '%s ' "$(node_cores "$n")"; done)), load generator and H2 on $CLIENT_CORES"

rm -rf "$OUT/h2" && mkdir -p "$OUT/h2"
pin "$CLIENT_CORES" "$JAVA" -Xmx1g $(jlog h2) -cp "$RAGMILL_CP" org.h2.tools.Server \
  -tcp -tcpPort "$H2_PORT" -ifNotExists -baseDir "$OUT/h2" > "$OUT/h2.log" 2>&1 &
PIDS+=($!)

NODE_PID=()
start_node() { # n placement lanes
  local n=$1
  [ "$(http_status "http://127.0.0.1:$((18080 + n))/health/alive")" = 000 ] \
    || { echo "node $n: port $((18080 + n)) still answers; an earlier node is alive"; exit 1; }
  mkdir -p "$OUT/data-$n"
  RAGMILL_HTTP_PORT=$((18080 + n)) RAGMILL_REMOTE_PORT=$((25520 + n)) RAGMILL_DATA_DIR="$OUT/data-$n" \
    RAGMILL_H2_URL="jdbc:h2:tcp://127.0.0.1:$H2_PORT/ragmill;WRITE_DELAY=0" RAGMILL_ADMIN_KEY=bench \
    pin "$(node_cores "$n")" "$JAVA" "-Xmx$HEAP" --add-modules jdk.incubator.vector $(jlog "node-$n-$2-$3-$SECONDS") \
    -Dconfig.file=cluster-config/h2-server.conf \
    -Dragmill.embedding.batcher.placement="$2" -Dragmill.embedding.batcher.lanes="$3" \
    -cp "$RAGMILL_CP" io.ragmill.http.Main serve >> "$OUT/node-$n.log" 2>&1 &
  NODE_PID[$n]=$!
  PIDS+=($!)
}
await_ready() { # n
  local deadline=$((SECONDS + 90))
  until [ "$(http_status "http://127.0.0.1:$((18080 + $1))/health/ready")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || { echo "node $1 not ready after 90 s:"; tail -20 "$OUT/node-$1.log"; exit 1; }
    sleep 0.5
  done
}
await_members() { # count: node 1 sees this many members up
  local deadline=$((SECONDS + 120))
  until python3 -c 'import json, sys, urllib.request
r = urllib.request.Request("http://127.0.0.1:18081/admin/cluster", headers={"X-Api-Key": "bench"})
members = json.load(urllib.request.urlopen(r, timeout=2))["members"]
sys.exit(0 if sum(1 for m in members if m["status"].lower() == "up") >= int(sys.argv[1]) else 1)' "$1" 2> /dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "the cluster did not reach $1 members up"; exit 1; }
    sleep 0.5
  done
}
stop_nodes() {
  for n in $(seq 1 "$NODES"); do
    [ -n "${NODE_PID[$n]:-}" ] && kill "${NODE_PID[$n]}" 2> /dev/null || true
  done
  for n in $(seq 1 "$NODES"); do
    [ -n "${NODE_PID[$n]:-}" ] && { wait "${NODE_PID[$n]}" 2> /dev/null || true; }
    NODE_PID[$n]=""
  done
}
cluster() { # count placement lanes: start nodes 1..count and wait for all of them
  start_node 1 "$2" "$3"
  await_ready 1
  for n in $(seq 2 "$1"); do start_node "$n" "$2" "$3"; done
  for n in $(seq 2 "$1"); do await_ready "$n"; done
  await_members "$1"
  [ "$1" -eq 1 ] || sleep 10 # shards moving to the nodes that joined (rebalance-interval 2 s) settle
}
settle() { # count: an unmeasured uncached run through the fresh nodes, so that no phase measures
  # JVMs that have not compiled their hot paths yet (every phase starts new ones)
  [ "$1" -eq 1 ] || lt "settle-$1-$SECONDS" uncached "$(urls "$1")" $((32 * $1)) --duration "${SETTLE:-10s}" > /dev/null \
    || echo "(the settle run measured nothing; it only warms the nodes)"
}
urls() { # count -> the URL list of nodes 1..count
  local list=""
  for n in $(seq 1 "$1"); do list="$list${list:+,}http://127.0.0.1:$((18080 + n))"; done
  echo "$list"
}
LT=(pin "$CLIENT_CORES" "$JAVA" -Xmx2g)
COLLECTION="scale$(date +%s)"
lt() { # label scenario urls concurrency [more options]
  local label=$1 scenario=$2 url=$3 conc=$4
  shift 4
  "${LT[@]}" $(jlog "loadtest-$label") -cp "$LOADTEST_CP" io.ragmill.loadtest.LoadTest "$scenario" --url "$url" \
    --collection "$COLLECTION" --documents "$DOCS" --seed 7 --no-ingest --concurrency "$conc" \
    --duration "$DURATION" --warmup "$WARMUP" --json "$OUT/$label.json" "$@" 2> "$OUT/$label.err" | tail -1
}
measure() { # label nodes: uncached and cached rounds through every node in turn
  local url
  url=$(urls "$2")
  for r in $(seq 1 "$ROUNDS"); do
    lt "uncached-$1-$r" uncached "$url" $((32 * $2))
    lt "cached-$1-$r" cached "$url" $((32 * $2))
  done
}

QUICK=${QUICK:-0}
if [ "$QUICK" != 1 ]; then
echo "== the limit: a bare Pekko HTTP JSON endpoint on one node's cores ($(node_cores 1))"
pin "$(node_cores 1)" "$JAVA" -Xmx1g $(jlog baseline-server) -cp "$LOADTEST_CP" io.ragmill.loadtest.LoadTest \
  baseline-server --port 18090 > "$OUT/baseline-server.log" 2>&1 &
BASE_PID=$!
PIDS+=($BASE_PID)
deadline=$((SECONDS + 60))
until [ "$(http_status http://127.0.0.1:18090/)" != 000 ]; do
  [ $SECONDS -lt $deadline ] || { echo "the baseline server did not start:"; tail -20 "$OUT/baseline-server.log"; exit 1; }
  sleep 0.3
done
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" $(jlog "loadtest-baseline-$r") -cp "$LOADTEST_CP" io.ragmill.loadtest.LoadTest baseline --external \
    --url http://127.0.0.1:18090 --concurrency 32 --duration "$DURATION" --warmup "$WARMUP" \
    --json "$OUT/baseline-$r.json" 2> "$OUT/baseline-$r.err" | tail -1
done
kill "$BASE_PID"
fi

echo "== one node"
cluster 1 local 1
"${LT[@]}" $(jlog loadtest-ingest) -cp "$LOADTEST_CP" io.ragmill.loadtest.LoadTest ingest --url "$(urls 1)" \
  --collection "$COLLECTION" --documents "$DOCS" --seed 7 --parallel 2 2> "$OUT/ingest.err" | tail -1
measure 1node 1

fresh_cluster() { # description placement lanes: every node restarted with this placement, warmed
  echo "== $NODES nodes, $1"
  stop_nodes
  cluster "$NODES" "$2" "$3"
  settle "$NODES"
}
uncached_rounds() { # label: uncached rounds through every node in turn
  for r in $(seq 1 "$ROUNDS"); do lt "uncached-${NODES}nodes-$1-$r" uncached "$(urls "$NODES")" $((32 * NODES)); done
}
phase_onelane() {
  fresh_cluster "one batcher lane shared by the cluster (placement = spread, lanes = 1)" spread 1
  uncached_rounds onelane
  [ "$QUICK" = 1 ] || lt "uncached-${NODES}nodes-onelane-via1" uncached "$(urls 1)" $((32 * NODES))
}
phase_local() {
  fresh_cluster "local lanes (the default, placement = local: each node embeds its own requests' texts)" local 1
  measure "${NODES}nodes-local" "$NODES"
}
phase_spread() {
  fresh_cluster "$NODES lanes spread over the cluster (placement = spread, lanes = $NODES)" spread "$NODES"
  uncached_rounds spread
}
# ORDER: the multi-node phases in the order they run (QUICK=1 leaves out spread)
for phase in ${ORDER:-local onelane spread}; do
  [ "$QUICK" = 1 ] && [ "$phase" = spread ] && continue
  "phase_$phase"
done
stop_nodes

python3 scripts/bench-scaling-summary.py "$OUT" "$NODES" "$CPN" | tee "$OUT/summary.md"
echo "reports in $OUT"

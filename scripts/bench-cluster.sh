#!/usr/bin/env bash
# The cluster benchmarks behind docs/BENCHMARKS.md ("Cluster"): the local cluster profile
# (PostgreSQL journal, Redis L2) with one node, then with three, on this one machine, measured
# through node 1: cached and uncached query throughput (closed loop), and session queries (open loop,
# p50/p99). ROUNDS rounds each; medians printed at the end. The kill -9 failover figures come from
# LocalClusterIT (mvn -pl http verify), which prints them.
# Usage: scripts/bench-cluster.sh [rounds]   environment: DOCS=1000 DURATION=10s SESSION_RATE=100
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
DOCS=${DOCS:-1000}
DURATION=${DURATION:-10s}
SESSION_RATE=${SESSION_RATE:-100}
OUT="target/bench-cluster/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/bench.log") 2>&1
mvn -B -q -DskipTests package
LT=(java -jar loadtest/target/ragmill-loadtest.jar)
LC=cluster-config/local-cluster.sh
export RAGMILL_JAVA_OPTS="${RAGMILL_JAVA_OPTS:--Xmx1g}"
trap '$LC stop > /dev/null' EXIT
COLLECTION="bench$(date +%s)"
URL=http://127.0.0.1:8081
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"

measure() { # label
  "${LT[@]}" cached --url $URL --collection "$COLLECTION" --documents "$DOCS" --seed 7 --no-ingest --duration 5s --warmup 3s > /dev/null
  for r in $(seq 1 "$ROUNDS"); do
    "${LT[@]}" cached --url $URL --collection "$COLLECTION" --documents "$DOCS" --seed 7 --no-ingest \
      --concurrency 32 --duration "$DURATION" --warmup 3s --json "$OUT/cached-$1-$r.json" | tail -1
    "${LT[@]}" uncached --url $URL --collection "$COLLECTION" --documents "$DOCS" --seed 7 --no-ingest \
      --concurrency 16 --duration "$DURATION" --warmup 3s --json "$OUT/uncached-$1-$r.json" | tail -1
    "${LT[@]}" session --url $URL --collection "$COLLECTION" --documents "$DOCS" --seed 7 --no-ingest --sessions 50 \
      --rate "$SESSION_RATE" --concurrency 16 --duration "$DURATION" --warmup 3s --json "$OUT/session-$1-$r.json" | tail -1
  done
}

$LC stop > /dev/null
echo "== one node"
# the profile's bootstrap waits for 2 of the 3 contact points; alone, node 1 must form the cluster
# by itself (nodes 2 and 3 then join it through the same contact points)
BOOTSTRAP=-Dpekko.management.cluster.bootstrap.contact-point-discovery
RAGMILL_JAVA_OPTS="$RAGMILL_JAVA_OPTS $BOOTSTRAP.required-contact-point-nr=1 $BOOTSTRAP.contact-with-all-contact-points=false" \
  $LC start 1
"${LT[@]}" ingest --url $URL --collection "$COLLECTION" --documents "$DOCS" --seed 7 | tail -1
measure 1node
echo "== three nodes"
$LC start 2
$LC start 3
sleep 5
measure 3nodes
curl -s -H "X-Api-Key: ${RAGMILL_ADMIN_KEY:-local-admin}" $URL/admin/cluster > "$OUT/cluster.json"

python3 - "$OUT" <<'PY'
import glob, json, statistics, sys
out = sys.argv[1]
def runs(name):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{name}-[0-9]*.json"))]
def med(rs, f):
    return statistics.median(f(r) for r in rs)
for kind in ["cached", "uncached"]:
    one, three = runs(f"{kind}-1node"), runs(f"{kind}-3nodes")
    a, b = med(one, lambda r: r["throughput"]), med(three, lambda r: r["throughput"])
    print(f"{kind:8}: 1 node {a:,.0f} req/s, 3 nodes {b:,.0f} req/s (through node 1), 3/1 = {b/a:.2f}")
for label in ["1node", "3nodes"]:
    rs = runs(f"session-{label}")
    print(f"session {label}: p50 {med(rs, lambda r: r['latencyMs']['p50']):.2f} ms, "
          f"p99 {med(rs, lambda r: r['latencyMs']['p99']):.2f} ms, errors {med(rs, lambda r: r['errors'])}")
PY
echo "reports in $OUT"

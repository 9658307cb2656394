#!/usr/bin/env bash
# The cached query path against the limit of the HTTP stack, on this machine:
#   1. closed-loop throughput of cached queries vs the bare Pekko HTTP JSON endpoint (its own JVM),
#      alternating, ROUNDS times (medians);
#   2. the server-side time of a cached hit (the node's X-Response-Time header: request parsed to
#      response written) over 2,000 sequential requests on one keep-alive connection, unloaded.
# A node with the hashing embedder (the model does not run on a hit) holds a 1,000-document corpus.
# Usage: scripts/bench-cached.sh [rounds]   (DURATION=15s WARMUP=5s CONCURRENCY=32; JAR=another ragmill.jar)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-5}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONCURRENCY=${CONCURRENCY:-32}
JAR=${JAR:-http/target/ragmill.jar}
OUT="target/bench-cached/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/bench.log") 2>&1
[ -f "$JAR" ] && [ -f loadtest/target/ragmill-loadtest.jar ] || mvn -B -q -DskipTests package
LT=(java -jar loadtest/target/ragmill-loadtest.jar)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
RAGMILL_DATA_DIR="$(pwd)/$OUT/data" RAGMILL_HTTP_PORT=8380 RAGMILL_REMOTE_PORT=25380 RAGMILL_EMBEDDING_MODEL=hashing \
  java -Xmx1g --add-modules jdk.incubator.vector -jar "$JAR" serve > "$OUT/node.log" 2>&1 &
pids+=($!)
"${LT[@]}" baseline-server --port 8381 > "$OUT/baseline-server.log" 2>&1 &
pids+=($!)
until curl -sf http://127.0.0.1:8380/health/ready > /dev/null; do sleep 0.2; done
until curl -s -o /dev/null http://127.0.0.1:8381/; do sleep 0.1; done
"${LT[@]}" ingest --url http://127.0.0.1:8380 --documents 1000 --seed 7 | tail -1
# fresh JVMs are still compiling: one unmeasured round of each first
"${LT[@]}" baseline --external --url http://127.0.0.1:8381 --duration 10s --warmup 5s > /dev/null
"${LT[@]}" cached --url http://127.0.0.1:8380 --documents 1000 --seed 7 --no-ingest --duration 10s --warmup 5s > /dev/null
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" baseline --external --url http://127.0.0.1:8381 --concurrency "$CONCURRENCY" --duration "$DURATION" \
    --warmup "$WARMUP" --json "$OUT/baseline-$r.json" | tail -1
  "${LT[@]}" cached --url http://127.0.0.1:8380 --documents 1000 --seed 7 --no-ingest \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --json "$OUT/cached-$r.json" | tail -1
done

echo "== server-side time of a cached hit, unloaded"
"${LT[@]}" questions --documents 1000 --seed 7 --questions 1 --out "$OUT/q.txt" > /dev/null
python3 - "$OUT" <<'PY'
import glob, http.client, json, statistics, sys
out = sys.argv[1]
question = open(f"{out}/q.txt").read().strip()
body = json.dumps({"query": question})
conn = http.client.HTTPConnection("127.0.0.1", 8380)
times, tiers = [], {}
for i in range(2200):
    conn.request("POST", "/v1/collections/bench/query", body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = json.loads(r.read())
    if i >= 200:  # the first ones fill the caches and warm the path
        times.append(float(r.getheader("X-Response-Time").rstrip("ms")))
        tiers[data.get("cacheTier", "miss")] = tiers.get(data.get("cacheTier", "miss"), 0) + 1
times.sort()
q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
print(f"cached hit, server side over {len(times)} sequential requests: p50 {q(0.5):.3f} ms  p90 {q(0.9):.3f} ms"
      f"  p99 {q(0.99):.3f} ms  (tiers {tiers})")
def runs(name):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{name}-*.json"))]
base, cached = runs("baseline"), runs("cached")
b = statistics.median(r["throughput"] for r in base)
c = statistics.median(r["throughput"] for r in cached)
ratios = [c_["throughput"] / b_["throughput"] for b_, c_ in zip(base, cached)]
print(f"== medians of {len(base)} rounds")
print(f"baseline (bare Pekko HTTP): {b:,.0f} req/s")
print(f"cached: {c:,.0f} req/s, p50 {statistics.median(r['latencyMs']['p50'] for r in cached):.2f} ms,"
      f" p99 {statistics.median(r['latencyMs']['p99'] for r in cached):.2f} ms = {c / b:.2f} x baseline"
      f" (per-round ratios {', '.join(f'{x:.2f}' for x in ratios)})")
PY
echo "reports in $OUT"

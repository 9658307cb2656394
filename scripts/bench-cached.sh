#!/usr/bin/env bash
# The cached query path against the limit of the HTTP stack, on this machine:
#   1. closed-loop throughput of cached queries vs the bare Pekko HTTP JSON endpoint (its own JVM),
#      alternating, ROUNDS times (medians);
#   2. the server-side time of a cached hit (the node's X-Response-Time header: request parsed to
#      response written) over 2,000 sequential requests on one keep-alive connection, unloaded,
#      after 2,000 unmeasured ones.
# A node with the hashing embedder (the model does not run on a hit) holds a 1,000-document corpus.
# Given several jars (builds to compare), each gets a node and is measured in every round.
# Usage: scripts/bench-cached.sh [rounds] [jar ...]   (DURATION=15s WARMUP=5s CONCURRENCY=32)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONCURRENCY=${CONCURRENCY:-32}
. scripts/bench-builds.sh bench-cached 5 "$@"
"${LT[@]}" baseline-server --port 8379 > "$OUT/baseline-server.log" 2>&1 &
pids+=($!)
for j in "${!JARS[@]}"; do
  RAGMILL_DATA_DIR="$(pwd)/$OUT/data-$j" RAGMILL_HTTP_PORT=$((8380 + j)) RAGMILL_REMOTE_PORT=$((25380 + j)) \
    RAGMILL_EMBEDDING_MODEL=hashing java -Xmx1g --add-modules jdk.incubator.vector -jar "${JARS[$j]}" serve \
    > "$OUT/node-$j.log" 2>&1 &
  pids+=($!)
  until curl -sf "http://127.0.0.1:$((8380 + j))/health/ready" > /dev/null; do sleep 0.2; done
  "${LT[@]}" ingest --url "http://127.0.0.1:$((8380 + j))" --documents 1000 --seed 7 | tail -1
done
until curl -s -o /dev/null http://127.0.0.1:8379/; do sleep 0.1; done
# fresh JVMs are still compiling: one unmeasured round of each first
"${LT[@]}" baseline --external --url http://127.0.0.1:8379 --duration 10s --warmup 5s > /dev/null
for j in "${!JARS[@]}"; do
  "${LT[@]}" cached --url "http://127.0.0.1:$((8380 + j))" --documents 1000 --seed 7 --no-ingest --duration 10s \
    --warmup 5s > /dev/null
done
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" baseline --external --url http://127.0.0.1:8379 --concurrency "$CONCURRENCY" --duration "$DURATION" \
    --warmup "$WARMUP" --json "$OUT/baseline-$r.json" | tail -1
  for j in "${!JARS[@]}"; do
    "${LT[@]}" cached --url "http://127.0.0.1:$((8380 + j))" --documents 1000 --seed 7 --no-ingest \
      --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --json "$OUT/cached$j-$r.json" | tail -1
  done
done

"${LT[@]}" questions --documents 1000 --seed 7 --questions 1 --out "$OUT/q.txt" > /dev/null
python3 - "$OUT" "${JARS[@]}" <<'PY'
import glob, http.client, json, statistics, sys
out, jars = sys.argv[1], sys.argv[2:]
question = open(f"{out}/q.txt").read().strip()
def runs(name):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{name}-*.json"))]
base = runs("baseline")
b = statistics.median(r["throughput"] for r in base)
print(f"== medians of {len(base)} rounds; baseline (bare Pekko HTTP): {b:,.0f} req/s")
for j, jar in enumerate(jars):
    conn = http.client.HTTPConnection("127.0.0.1", 8380 + j)
    times, tiers = [], {}
    for i in range(4000):
        conn.request("POST", "/v1/collections/bench/query", json.dumps({"query": question}), {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = json.loads(r.read())
        # the first pass fills the caches and runs while the JIT recompiles for one connection
        # instead of 32 (a hit's p90 read 1-2 ms in it and 0.02-0.04 ms after: docs/BENCHMARKS.md)
        if i >= 2000:
            times.append(float(r.getheader("X-Response-Time").rstrip("ms")))
            tier = data.get("cacheTier", "miss")
            tiers[tier] = tiers.get(tier, 0) + 1
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    cached = runs(f"cached{j}")
    c = statistics.median(r["throughput"] for r in cached)
    ratios = [c_["throughput"] / b_["throughput"] for b_, c_ in zip(base, cached)]
    print(f"{jar}: cached {c:,.0f} req/s, p50 {statistics.median(r['latencyMs']['p50'] for r in cached):.2f} ms,"
          f" p99 {statistics.median(r['latencyMs']['p99'] for r in cached):.2f} ms = {c / b:.2f} x baseline"
          f" (per round {', '.join(f'{x:.2f}' for x in ratios)}; median of the rounds' ratios {statistics.median(ratios):.2f}); server side of a cached hit over {len(times)}"
          f" sequential requests: p50 {q(0.5):.3f} ms, p90 {q(0.9):.3f} ms, p99 {q(0.99):.3f} ms (tiers {tiers})")
PY
echo "reports in $OUT"

#!/usr/bin/env bash
# Overload: one node (MiniLM) whose query pool is fixed at 2 workers x 8 queries in flight. First its
# uncached capacity (closed loop, 16 connections); then open loop at 1x and at 3x that rate: what is
# refused must be refused at once (429), and what is accepted must keep its latency.
# Usage: scripts/bench-overload.sh [rounds]   environment: DOCS=1000 DURATION=10s
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
DOCS=${DOCS:-1000}
DURATION=${DURATION:-10s}
OUT="target/bench-overload/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/bench.log") 2>&1
mvn -B -q -DskipTests package
LT=(java -jar loadtest/target/ragmill-loadtest.jar)
URL=http://127.0.0.1:8080
POOL="-Dragmill.query.router.min-workers=2 -Dragmill.query.router.initial-workers=2 -Dragmill.query.router.max-workers=2"
POOL="$POOL -Dragmill.query.router.max-in-flight-per-worker=8"
RAGMILL_DATA_DIR="$(pwd)/$OUT/data" RAGMILL_JAVA_OPTS="-Xmx2g $POOL" bin/ragmill serve > "$OUT/node.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf $URL/health/ready > /dev/null; do sleep 0.2; done
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
"${LT[@]}" ingest --url $URL --documents "$DOCS" --seed 7 | tail -1
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" uncached --url $URL --documents "$DOCS" --seed 7 --no-ingest --concurrency 16 --duration "$DURATION" \
    --warmup 3s --json "$OUT/capacity-$r.json" | tail -1
  capacity=$(python3 -c "import json; print(int(json.load(open('$OUT/capacity-$r.json'))['throughput']))")
  "${LT[@]}" uncached --url $URL --documents "$DOCS" --seed 7 --no-ingest --rate "$capacity" --concurrency 64 \
    --duration "$DURATION" --warmup 2s --json "$OUT/at1x-$r.json" | tail -1
  "${LT[@]}" uncached --url $URL --documents "$DOCS" --seed 7 --no-ingest --rate $((capacity * 3)) --concurrency 64 \
    --duration "$DURATION" --warmup 2s --json "$OUT/at3x-$r.json" | tail -1
done
python3 - "$OUT" <<'PY'
import glob, json, statistics, sys
out = sys.argv[1]
def runs(name):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{name}-[0-9]*.json"))]
def med(rs, f):
    return statistics.median(f(r) for r in rs)
cap, one, three = runs("capacity"), runs("at1x"), runs("at3x")
print(f"capacity (closed loop, 16 connections): {med(cap, lambda r: r['throughput']):,.0f} req/s")
print(f"at 1x: answered p50 {med(one, lambda r: r['latencyMs']['p50']):.1f} ms, p99 {med(one, lambda r: r['latencyMs']['p99']):.1f} ms, "
      f"429s {med(one, lambda r: r['statusCounts'].get('429', 0))}")
a = [r for r in three if r.get('refusedLatencyMs')]
print(f"at 3x: answered {med(three, lambda r: r['statusCounts'].get('200', 0)):,.0f}, refused (429) {med(three, lambda r: r['statusCounts'].get('429', 0)):,.0f}")
if a:
    print(f"       answered p50 {med(a, lambda r: r['answeredLatencyMs']['p50']):.1f} ms, p99 {med(a, lambda r: r['answeredLatencyMs']['p99']):.1f} ms; "
          f"refused p50 {med(a, lambda r: r['refusedLatencyMs']['p50']):.2f} ms, p99 {med(a, lambda r: r['refusedLatencyMs']['p99']):.2f} ms, "
          f"max {med(a, lambda r: r['refusedLatencyMs']['max']):.1f} ms")
PY
echo "reports in $OUT"

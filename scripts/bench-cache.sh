#!/usr/bin/env bash
# The cache benchmarks behind docs/BENCHMARKS.md ("Cache"). Builds the jars, then, one node at a time
# with the MiniLM model:
#   1. hit ratio: Zipf(s=1.0) over MIXED_DOCS distinct questions, 30% of repeats reworded; exact +
#      semantic hits against the attainable ratio (the share of requests that repeat a question);
#   2. latency of a hit from each tier: the near cache, L1 (near cache off), L2 Redis (near cache off,
#      no L1 room for answers), and of a miss; open loop at RATE req/s, ROUNDS times;
#   3. cached throughput (closed loop) with Redis on and off, ROUNDS times after as many unmeasured.
# Reports (JSON) and the log go to target/bench-cache/<time>/; medians are printed at the end.
# Usage: scripts/bench-cache.sh [rounds]
#   environment: MIXED_DOCS=10000 MIXED_DURATION=90s DOCS=1000 DURATION=10s RATE=200 MISS_RATE=50
#                PARTS="mixed tiers throughput" (run only some parts)
# Needs Redis on 127.0.0.1:6379 (scripts/services.sh starts it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
MIXED_DOCS=${MIXED_DOCS:-10000}
MIXED_DURATION=${MIXED_DURATION:-90s}
DOCS=${DOCS:-1000}
DURATION=${DURATION:-10s}
RATE=${RATE:-200}
MISS_RATE=${MISS_RATE:-50}
PARTS=${PARTS:-mixed tiers throughput}
OUT="target/bench-cache/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/bench.log") 2>&1

mvn -B -q -DskipTests package
LT=(java -jar loadtest/target/ragmill-loadtest.jar)
URL=http://127.0.0.1:8080
pid=""
stop_node() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap stop_node EXIT

start_node() { # name, then extra java options
  local name=$1; shift
  local data="$(pwd)/$OUT/data-$name"
  rm -rf "$data"
  RAGMILL_ADMIN_KEY=bench RAGMILL_DATA_DIR="$data" RAGMILL_HTTP_PORT=8080 RAGMILL_REMOTE_PORT=25520 RAGMILL_JAVA_OPTS="-Xmx3g $*" \
    bin/ragmill serve > "$OUT/node-$name.log" 2>&1 &
  pid=$!
  local deadline=$((SECONDS + 90))
  until curl -sf "$URL/health/ready" >/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "bench: node $name not ready in 90 s" >&2; exit 1; }
    sleep 0.2
  done
}

redis-cli -h 127.0.0.1 -p 6379 ping > /dev/null || { echo "bench: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"

if [[ " $PARTS " == *" mixed "* ]]; then
echo "== 1. hit ratio: Zipf(1.0) over $MIXED_DOCS questions, 30% of repeats reworded"
start_node mixed
"${LT[@]}" ingest --url $URL --collection mixed --documents "$MIXED_DOCS" --seed 11 --json "$OUT/ingest-mixed.json" | tail -1
"${LT[@]}" mixed --url $URL --collection mixed --documents "$MIXED_DOCS" --questions "$MIXED_DOCS" --seed 11 \
  --no-ingest --concurrency 8 --warmup 0s --duration "$MIXED_DURATION" --json "$OUT/mixed.json" | tail -1
curl -s -H 'X-Api-Key: bench' $URL/admin/cache/stats > "$OUT/mixed-stats.json" || true
stop_node
fi

cached() { # the cached scenario on the ingested "bench" collection, with the options given
  "${LT[@]}" cached --url $URL --collection bench --documents "$DOCS" --seed 7 --no-ingest --questions 100 "$@"
}

tier_run() { # tier name; the node is up with the collection ingested
  cached --duration 5s --warmup 3s > /dev/null
  for r in $(seq 1 "$ROUNDS"); do
    cached --rate "$RATE" --concurrency 8 --duration "$DURATION" --warmup 2s --json "$OUT/latency-$1-$r.json" | tail -1
  done
}

if [[ " $PARTS " == *" tiers "* ]]; then
echo "== 2. tiers: near cache (Redis on)"
redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'ragmill:default:*' | xargs -r redis-cli -h 127.0.0.1 -p 6379 unlink > /dev/null
start_node near "-Dragmill.cache.redis.enabled=on"
"${LT[@]}" ingest --url $URL --collection bench --documents "$DOCS" --seed 7 | tail -1
tier_run near
echo "== miss latency (every question distinct), open loop at $MISS_RATE req/s"
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" uncached --url $URL --collection bench --documents "$DOCS" --seed 7 --no-ingest \
    --rate "$MISS_RATE" --concurrency 8 --duration "$DURATION" --warmup 2s --json "$OUT/latency-miss-$r.json" | tail -1
done
stop_node

echo "== L1 (near cache off)"
start_node l1 "-Dragmill.cache.redis.enabled=on -Dragmill.cache.near.enabled=off"
"${LT[@]}" ingest --url $URL --collection bench --documents "$DOCS" --seed 7 | tail -1
tier_run l1
stop_node

echo "== L2 (near cache off, no L1 room for answers: every answer hit is read from Redis)"
start_node l2 "-Dragmill.cache.redis.enabled=on -Dragmill.cache.near.enabled=off -Dragmill.cache.answer.max-bytes=0"
"${LT[@]}" ingest --url $URL --collection bench --documents "$DOCS" --seed 7 | tail -1
tier_run l2
curl -s -H 'X-Api-Key: bench' $URL/admin/cache/stats > "$OUT/l2-stats.json" || true
stop_node

fi

throughput_run() { # name; the node is up with the collection ingested. Each node gets ROUNDS
  # unmeasured closed-loop rounds first, so that neither is measured while its JIT still compiles
  for r in $(seq $((1 - ROUNDS)) "$ROUNDS"); do
    if [ "$r" -le 0 ]; then out=/dev/null; else out="$OUT/throughput-$1-$r.json"; fi
    cached --concurrency 32 --duration "$DURATION" --warmup 3s --json "$out" | tail -1
  done
}

if [[ " $PARTS " == *" throughput "* ]]; then
for redis in on off; do
  echo "== cached throughput, Redis $redis"
  start_node "redis-$redis" "-Dragmill.cache.redis.enabled=$redis"
  "${LT[@]}" ingest --url $URL --collection bench --documents "$DOCS" --seed 7 | tail -1
  throughput_run "redis-$redis"
  stop_node
done
fi

echo "== medians"
python3 - "$OUT" <<'PY'
import glob, json, statistics, sys
out = sys.argv[1]
def runs(name):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{name}-[0-9]*.json"))]
def med(rs, f):
    return statistics.median(f(r) for r in rs)
import os
if os.path.exists(f"{out}/mixed.json"):
    m = json.load(open(f"{out}/mixed.json"))
    h = m["hitRatio"]
    print(f"hit ratio: {h['achieved']:.3f} of attainable {h['attainable']:.3f} = {h['ofAttainable']:.3f} "
          f"({m['requests']} requests: {m['cacheHits']} exact, {m['semanticHits']} semantic, {m['cacheMisses']} misses)")
for tier in ["near", "l1", "l2", "miss"]:
    rs = runs(f"latency-{tier}")
    if rs:
        print(f"latency {tier:4}: p50 {med(rs, lambda r: r['latencyMs']['p50']):.3f} ms  "
              f"p99 {med(rs, lambda r: r['latencyMs']['p99']):.3f} ms  (open loop, {len(rs)} runs)")
on, off = runs("throughput-redis-on"), runs("throughput-redis-off")
if on and off:
    t_on, t_off = med(on, lambda r: r["throughput"]), med(off, lambda r: r["throughput"])
    rounds = lambda rs: ", ".join(f"{r['throughput']:,.0f}" for r in rs)
    print(f"cached throughput: Redis on {t_on:,.0f} req/s ({rounds(on)}), off {t_off:,.0f} req/s ({rounds(off)}), "
          f"on/off {t_on/t_off:.2f}")
PY
echo "reports in $OUT"

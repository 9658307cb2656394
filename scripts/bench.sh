#!/usr/bin/env bash
# The benchmark suite behind docs/BENCHMARKS.md. Builds the jars, then on this machine:
#   1. the model's own throughput (batch 1, batch 32, langchain4j per text), on query-like, chunk-like (8-40
#      words) and chunk-length (85-95 words, within the 128 tokens langchain4j truncates to) texts;
#      vector search on 100k vectors (exact scans, HNSW with and without the prefetch; 1M: docs/BENCHMARKS.md);
#   2. node startup: process start to /health/alive and to /health/ready (five starts, the median);
#   3. ingestion chunks/s with the MiniLM model and with the hashing embedder (fresh corpora);
#   4. cached query throughput against the bare Pekko HTTP endpoint (the limit), alternating, ROUNDS times;
#   5. uncached query throughput (every question distinct), ROUNDS times.
# Reports (JSON) and the log go to target/bench/<time>/; the summary is printed at the end.
# Usage: scripts/bench.sh [rounds]   (environment: DURATION=15s WARMUP=5s CONCURRENCY=32 DOCS=1000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONCURRENCY=${CONCURRENCY:-32}
DOCS=${DOCS:-1000}
OUT="target/bench/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/bench.log") 2>&1

mvn -B -q -DskipTests package
LT=(java -jar loadtest/target/ragmill-loadtest.jar)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_for() { # url, timeout seconds
  local deadline=$((SECONDS + $2))
  until curl -sf "$1" >/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "bench: $1 did not answer in $2 s" >&2; exit 1; }
    sleep 0.05
  done
}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
echo "== model throughput on the uncached scenario's own question texts"
"${LT[@]}" questions --documents "$DOCS" --seed 7 --questions 256 --out "$OUT/questions.txt"
java -jar http/target/ragmill.jar bench-model "$OUT/questions.txt" 5 32 2>/dev/null | tee "$OUT/model-questions.txt"
echo "== model throughput, chunk-like texts (8-40 words)"
java -jar http/target/ragmill.jar bench-model 256 5 32 8 40 2>/dev/null
echo "== model throughput, chunk-length texts (85-95 words)"
java -jar http/target/ragmill.jar bench-model 128 5 32 85 95 2>/dev/null
echo "== vector search, 100,000 vectors"
RAGMILL_JAVA_OPTS=-Xmx4g bin/ragmill bench-index 100000 1000 64,96,128 int8 2>/dev/null

start_node() { # name http-port remote-port model
  local data="$OUT/data-$1"
  rm -rf "$data"; data="$(pwd)/$data"
  local t0; t0=$(date +%s%N)
  RAGMILL_DATA_DIR="$data" RAGMILL_HTTP_PORT=$2 RAGMILL_REMOTE_PORT=$3 RAGMILL_EMBEDDING_MODEL=$4 \
    bin/ragmill serve > "$OUT/node-$1.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$2/health/alive" 60
  local t1; t1=$(date +%s%N)
  wait_for "http://127.0.0.1:$2/health/ready" 60
  local t2; t2=$(date +%s%N)
  echo "startup $1: alive after $(( (t1 - t0) / 1000000 )) ms, ready (model loaded) after $(( (t2 - t0) / 1000000 )) ms"
}

echo "== class-data-sharing archive for bin/ragmill (start-up)"
bin/ragmill cds
echo "== startup: five starts of a MiniLM node on a fresh data folder, each stopped once ready"
for i in 1 2 3 4 5; do
  start_node "start$i" 8080 25520 all-minilm-l6-v2-q >> "$OUT/starts.txt"
  tail -1 "$OUT/starts.txt"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  unset 'pids[-1]'
done
echo "== startup and ingestion"
start_node minilm 8080 25520 all-minilm-l6-v2-q
start_node hashing 8082 25522 hashing
"${LT[@]}" ingest --url http://127.0.0.1:8080 --collection bench --documents "$DOCS" --seed 7 --json "$OUT/ingest-minilm.json" | tail -1
"${LT[@]}" ingest --url http://127.0.0.1:8082 --collection bench --documents "$DOCS" --seed 7 --json "$OUT/ingest-hashing.json" | tail -1
kill "${pids[1]}"

echo "== cached queries vs the bare HTTP endpoint (alternating)"
"${LT[@]}" baseline-server --port 8081 > "$OUT/baseline-server.log" 2>&1 &
pids+=($!)
until curl -s -o /dev/null http://127.0.0.1:8081/; do sleep 0.1; done
# a fresh JVM needs more than one warm-up to reach steady state: one unmeasured round of each first
"${LT[@]}" baseline --external --url http://127.0.0.1:8081 --duration 10s --warmup 5s > /dev/null
"${LT[@]}" cached --url http://127.0.0.1:8080 --collection bench --documents "$DOCS" --seed 7 --no-ingest \
  --duration 10s --warmup 5s > /dev/null
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" baseline --external --url http://127.0.0.1:8081 --concurrency "$CONCURRENCY" --duration "$DURATION" \
    --warmup "$WARMUP" --json "$OUT/baseline-$r.json" | tail -1
  "${LT[@]}" cached --url http://127.0.0.1:8080 --collection bench --documents "$DOCS" --seed 7 --no-ingest \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --json "$OUT/cached-$r.json" | tail -1
done

echo "== uncached queries (every question distinct)"
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" uncached --url http://127.0.0.1:8080 --collection bench --documents "$DOCS" --seed 7 --no-ingest \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --json "$OUT/uncached-$r.json" | tail -1
done

echo "== medians"
python3 - "$OUT" <<'PY'
import glob, json, re, statistics, sys
out = sys.argv[1]
def runs(name):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{name}-*.json"))]
def med(rs, key):
    return statistics.median(r[key] for r in rs)
def lat(rs, p):
    return statistics.median(r["latencyMs"][p] for r in rs)
base, cached, uncached = runs("baseline"), runs("cached"), runs("uncached")
b, c, u = med(base, "throughput"), med(cached, "throughput"), med(uncached, "throughput")
print(f"baseline (bare Pekko HTTP): {b:,.0f} req/s")
ratios = [c_["throughput"] / b_["throughput"] for b_, c_ in zip(base, cached)]
print(f"cached:   {c:,.0f} req/s  p50 {lat(cached,'p50'):.2f} ms  p99 {lat(cached,'p99'):.2f} ms  = {c/b:.2f} x baseline"
      f" (per round {', '.join(f'{x:.2f}' for x in ratios)})")
starts = [re.search(r"alive after (\d+) ms, .* after (\d+) ms", l).groups() for l in open(f"{out}/starts.txt")]
alive = [int(a) for a, _ in starts]
ready = [int(r) for _, r in starts]
print(f"startup (five starts, MiniLM): alive after {statistics.median(alive):,.0f} ms (median; {min(alive):,}-{max(alive):,}),"
      f" ready after {statistics.median(ready):,.0f} ms")
model = float(re.search(r"ragmill batch 32\s*:\s*([0-9.]+)", open(f"{out}/model-questions.txt").read()).group(1))
print(f"uncached: {u:,.0f} req/s  p50 {lat(uncached,'p50'):.2f} ms  p99 {lat(uncached,'p99'):.2f} ms"
      f"  = {u/model:.2f} x the model alone at batch 32 on the same texts ({model:,.0f}/s)")
PY
echo "reports in $OUT"

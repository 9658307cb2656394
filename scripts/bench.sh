#!/usr/bin/env bash
# The benchmark suite behind docs/BENCHMARKS.md. Builds the jars, then on this machine:
#   1. the model's own throughput (batch 1, batch 32, langchain4j per text), on query-like, chunk-like (8-40
#      words) and chunk-length (85-95 words, within the 128 tokens langchain4j truncates to) texts;
#      vector search on 100k vectors (exact scans, HNSW with and without the prefetch; 1M: docs/BENCHMARKS.md);
#   2. node startup: process start to /health/alive and to /health/ready (five starts, the median),
#      and five starts of the bare Pekko HTTP server, the limit start-up is set against;
#   3. ingestion chunks/s with the MiniLM model and with the hashing embedder (fresh corpora);
#   4. cached query throughput against the bare Pekko HTTP endpoint (the limit), alternating, ROUNDS times;
#   5. the server side of a cached hit (the node's X-Response-Time over 2,000 sequential hits);
#   6. uncached query throughput (every question distinct), ROUNDS times, and an open-loop rate sweep
#      of them at 30-115% of the closed loop's median (latency against rate: sweep-uncached/sweep.md, .png);
#   7. with FULL=1 also memory (scripts/bench-memory.sh: 100k chunks + cached queries in a 1 GB heap)
#      and vector search on 1M vectors (about 20 minutes more).
# Reports (JSON, Markdown, the sweep's PNG) and the log go to target/bench/<time>/; the summary of
# every figure against its target and limit is printed at the end and written to summary.md there.
# Usage: scripts/bench.sh [rounds]   (environment: DURATION=15s WARMUP=5s CONCURRENCY=32 DOCS=1000
#        SWEEP=<rates, req/s; default from the closed loop> P99_BOUND=250ms FULL=0
#        MODEL_ROUNDS=11)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONCURRENCY=${CONCURRENCY:-32}
DOCS=${DOCS:-1000}
SWEEP=${SWEEP:-}
P99_BOUND=${P99_BOUND:-250ms}
FULL=${FULL:-0}
MODEL_ROUNDS=${MODEL_ROUNDS:-11}
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

# the model's speed depends on the CPU's instruction sets far more than on its clock: ONNX Runtime's
# int8 kernels use AVX-512 VNNI where the CPU has it (docs/BENCHMARKS.md, The model)
cpu="$(awk -F': ' '/^model name/ {m=$2} /^cpu family/ {f=$2} /^model\t/ {n=$2} END {printf "%s, family %s model %s", m, f, n}' /proc/cpuinfo)"
isa="$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|avx512f|avx512_vnni|avx_vnni' | sort | paste -sd+ -)"
echo "== machine: $(nproc) cores of ${cpu} (${isa:-no AVX2}), $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
echo "== model throughput on the uncached scenario's own question texts"
"${LT[@]}" questions --documents "$DOCS" --seed 7 --questions 256 --out "$OUT/questions.txt"
java -jar http/target/ragmill.jar bench-model "$OUT/questions.txt" "$MODEL_ROUNDS" 32 2>/dev/null | tee "$OUT/model-questions.txt"
echo "== model throughput, chunk-like texts (8-40 words)"
java -jar http/target/ragmill.jar bench-model 256 "$MODEL_ROUNDS" 32 8 40 2>/dev/null | tee "$OUT/model-chunklike.txt"
echo "== model throughput, chunk-length texts (85-95 words)"
java -jar http/target/ragmill.jar bench-model 128 "$MODEL_ROUNDS" 32 85 95 2>/dev/null | tee "$OUT/model-chunklength.txt"
echo "== vector search, 100,000 vectors"
RAGMILL_JAVA_OPTS=-Xmx4g bin/ragmill bench-index 100000 1000 64,96,128 int8 2>/dev/null | tee "$OUT/index-100k.txt"

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
echo "== the limit for start-up: five starts of the bare Pekko HTTP server (own JVM, no archive), each to its first answer"
for i in 1 2 3 4 5; do
  t0=$(date +%s%N)
  "${LT[@]}" baseline-server --port 8083 > "$OUT/baseline-start$i.log" 2>&1 &
  bpid=$!
  until curl -s -o /dev/null http://127.0.0.1:8083/; do sleep 0.05; done
  t1=$(date +%s%N)
  echo "baseline start$i: answered after $(( (t1 - t0) / 1000000 )) ms" | tee -a "$OUT/baseline-starts.txt"
  kill "$bpid"; wait "$bpid" 2>/dev/null || true
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

echo "== the server side of a cached hit (X-Response-Time, 2,000 sequential hits after 2,000 unmeasured)"
"${LT[@]}" questions --documents "$DOCS" --seed 7 --questions 1 --out "$OUT/hit-question.txt" > /dev/null
python3 - "$OUT" <<'PY'
import http.client, json, sys
out = sys.argv[1]
question = open(f"{out}/hit-question.txt").read().strip()
conn = http.client.HTTPConnection("127.0.0.1", 8080)
times = []
for i in range(4000):
    conn.request("POST", "/v1/collections/bench/query", json.dumps({"query": question}), {"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    # the first pass fills the caches while the JIT recompiles for one connection (docs/BENCHMARKS.md)
    if i >= 2000:
        times.append(float(r.getheader("X-Response-Time").rstrip("ms")))
times.sort()
q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
json.dump({"p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "count": len(times)}, open(f"{out}/hit-server-side.json", "w"))
print(f"server side of a cached hit: p50 {q(0.5):.3f} ms, p90 {q(0.9):.3f} ms, p99 {q(0.99):.3f} ms over {len(times)}")
PY
echo "== uncached queries (every question distinct)"
for r in $(seq 1 "$ROUNDS"); do
  "${LT[@]}" uncached --url http://127.0.0.1:8080 --collection bench --documents "$DOCS" --seed 7 --no-ingest \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --json "$OUT/uncached-$r.json" | tail -1
done

if [ -z "$SWEEP" ]; then
  # the model's speed differs fourfold between the CPUs this VM boots on: the rates follow the
  # capacity the closed loop just measured, so the sweep brackets its knee on any of them
  SWEEP="$(python3 - "$OUT" <<'PY'
import glob, json, statistics, sys
peak = statistics.median(json.load(open(f))["throughput"] for f in glob.glob(f"{sys.argv[1]}/uncached-*.json"))
print(",".join(str(max(1, round(peak * f / 10) * 10)) for f in (0.3, 0.5, 0.7, 0.85, 1.0, 1.15)))
PY
)"
fi
echo "== uncached queries, open-loop rate sweep ($SWEEP req/s, p99 bound $P99_BOUND)"
"${LT[@]}" uncached --url http://127.0.0.1:8080 --collection bench --documents "$DOCS" --seed 7 --no-ingest \
  --concurrency 64 --sweep "$SWEEP" --p99-bound "$P99_BOUND" --duration 8s --warmup 2s \
  --json "$OUT/sweep-uncached.json" --report "$OUT/sweep-uncached" 2>/dev/null | grep -v '^report in'

cleanup
pids=()

if [ "$FULL" = 1 ]; then
  echo "== memory (scripts/bench-memory.sh)"
  QUERY_SECONDS=${QUERY_SECONDS:-360} scripts/bench-memory.sh | tee "$OUT/memory.txt"
  echo "== vector search, 1,000,000 vectors"
  RAGMILL_JAVA_OPTS=-Xmx8g bin/ragmill bench-index 1000000 500 128,192,256 int8 2>/dev/null | tee "$OUT/index-1m.txt"
fi

echo "== summary (also in $OUT/summary.md)"
python3 scripts/bench-summary.py "$OUT" | tee "$OUT/summary.md"
echo "reports in $OUT"

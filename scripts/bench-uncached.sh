#!/usr/bin/env bash
# Uncached queries (every question distinct, the MiniLM model) against the model alone, on this
# machine. Each jar (a build to compare) gets its own node holding the same 1,000-document corpus;
# after one unmeasured round each, the nodes are measured in turn, ROUNDS times, closed loop.
# Then the model alone embeds the scenario's question texts at batch 32 (bench-model), the limit
# the uncached path is compared with. Medians are printed; the reports stay in the output folder.
# Usage: scripts/bench-uncached.sh [rounds] [jar ...]   (DURATION=15s WARMUP=5s CONCURRENCY=32)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONCURRENCY=${CONCURRENCY:-32}
. scripts/bench-builds.sh bench-uncached 3 "$@"
for j in "${!JARS[@]}"; do
  RAGMILL_DATA_DIR="$(pwd)/$OUT/data-$j" RAGMILL_HTTP_PORT=$((8480 + j)) RAGMILL_REMOTE_PORT=$((25480 + j)) \
    java -Xmx2g --add-modules jdk.incubator.vector -jar "${JARS[$j]}" serve > "$OUT/node-$j.log" 2>&1 &
  pids+=($!)
  until curl -sf "http://127.0.0.1:$((8480 + j))/health/ready" > /dev/null; do sleep 0.2; done
  "${LT[@]}" ingest --url "http://127.0.0.1:$((8480 + j))" --documents 1000 --seed 7 | tail -1
done
for j in "${!JARS[@]}"; do
  "${LT[@]}" uncached --url "http://127.0.0.1:$((8480 + j))" --documents 1000 --seed 7 --no-ingest --duration 10s \
    --warmup 5s --concurrency "$CONCURRENCY" > /dev/null
done
for r in $(seq 1 "$ROUNDS"); do
  for j in "${!JARS[@]}"; do
    echo "round $r, ${JARS[$j]} (load $(cut -d' ' -f1 /proc/loadavg))"
    "${LT[@]}" uncached --url "http://127.0.0.1:$((8480 + j))" --documents 1000 --seed 7 --no-ingest \
      --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --json "$OUT/uncached$j-$r.json" | tail -1
  done
done
cleanup
pids=()
echo "== the model alone on the scenario's question texts"
"${LT[@]}" questions --documents 1000 --seed 7 --questions 256 --out "$OUT/questions.txt" > /dev/null
java --add-modules jdk.incubator.vector -jar "${JARS[-1]}" bench-model "$OUT/questions.txt" 5 32 2>/dev/null \
  | tee "$OUT/model-questions.txt"

python3 - "$OUT" "${JARS[@]}" <<'PY'
import glob, json, re, statistics, sys
out, jars = sys.argv[1], sys.argv[2:]
model = float(re.search(r"ragmill batch 32\s*:\s*([0-9.]+)", open(f"{out}/model-questions.txt").read()).group(1))
print(f"== medians; the model alone at batch 32 on the same texts: {model:,.0f}/s")
first = None
for j, jar in enumerate(jars):
    rs = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/uncached{j}-*.json"))]
    u = statistics.median(r["throughput"] for r in rs)
    first = first or u
    p = lambda k: statistics.median(r["latencyMs"][k] for r in rs)
    rounds = ", ".join(f"{r['throughput']:.1f}" for r in rs)
    print(f"{jar}: uncached {u:,.1f} req/s (rounds {rounds}), p50 {p('p50'):.1f} ms, p99 {p('p99'):.1f} ms"
          f" = {u / model:.2f} x the model alone, {u / first:.2f} x the first jar")
PY
echo "reports in $OUT"

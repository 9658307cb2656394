#!/usr/bin/env bash
# Queries while documents are ingested: the load tool's ingest-query scenario against a node with
# the MiniLM model holding a 1,000-document corpus. Open loop at RATE: the same mixed questions
# alone, then with ingestion of fresh documents into another collection at the same time.
# Each JAR given is measured in turn, ROUNDS times, alternating (to compare two builds in one run).
# Usage: scripts/bench-ingest-query.sh [rounds] [jar ...]   (RATE=50 DURATION=20s BATCH=100 PARALLEL=1)
# Every answer goes to answers-<round>-<jar>.jsonl (question, cache tier, semantic match, cited
# documents, correct or not); EXTRA="--control" runs the second phase without the ingestion.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RATE=${RATE:-50}; DURATION=${DURATION:-20s}; BATCH=${BATCH:-100}; PARALLEL=${PARALLEL:-1}
. scripts/bench-builds.sh bench-ingest-query 3 "$@"
for r in $(seq 1 "$ROUNDS"); do
  for j in "${!JARS[@]}"; do
    jar=${JARS[$j]}; port=$((8480 + j)); data="$(pwd)/$OUT/data-$r-$j"
    RAGMILL_DATA_DIR="$data" RAGMILL_HTTP_PORT=$port RAGMILL_REMOTE_PORT=$((25480 + j)) \
      java -Xmx2g --add-modules jdk.incubator.vector -jar "$jar" serve > "$OUT/node-$r-$j.log" 2>&1 &
    pid=$!; pids+=($pid)
    until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do sleep 0.3; done
    "${LT[@]}" ingest --url "http://127.0.0.1:$port" --documents 1000 --seed 7 | tail -1
    echo "-- round $r, $jar"
    "${LT[@]}" ingest-query --url "http://127.0.0.1:$port" --documents 1000 --seed 7 --no-ingest --questions 2000 \
      --rate "$RATE" --duration "$DURATION" --warmup 5s --batch "$BATCH" --parallel "$PARALLEL" \
      --json "$OUT/ingest-query-$r-$j.json" --answers "$OUT/answers-$r-$j.jsonl" ${EXTRA:-} | grep -v '^wrong answers' | tail -4
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
echo "reports in $OUT"

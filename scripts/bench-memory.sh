#!/usr/bin/env bash
# Memory: one node with a 1 GB heap (hashing embedder, 384 dimensions, so ingestion is fast) takes
# DOCS one-chunk documents, then DISTINCT distinct queries (each leaves a cached answer, retrieval
# and query embedding); the live heap is read after a full GC before, between and after.
# Usage: scripts/bench-memory.sh   environment: DOCS=100000 QUERY_SECONDS=120 (about 360 fills 100k
# distinct cached queries here, and the live heap is then measured, not projected). The class
# histograms of the live heap after the chunks and after the queries are kept in the output folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DOCS=${DOCS:-100000}
QUERY_SECONDS=${QUERY_SECONDS:-120}
OUT="target/bench-memory/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/bench.log") 2>&1
mvn -B -q -DskipTests package
LT=(java -jar loadtest/target/ragmill-loadtest.jar)
URL=http://127.0.0.1:8080
CACHE="-Dragmill.cache.answer.max-bytes=384m -Dragmill.cache.retrieval.max-bytes=256m -Dragmill.cache.embedding.max-bytes=128m"
RAGMILL_ADMIN_KEY=bench RAGMILL_EMBEDDING_MODEL=hashing RAGMILL_DATA_DIR="$(pwd)/$OUT/data" \
  RAGMILL_JAVA_OPTS="-Xmx1g -Xms1g $CACHE" bin/ragmill serve > "$OUT/node.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf $URL/health/ready > /dev/null; do sleep 0.2; done
jpid=$(pgrep -f "ragmill.jar serve" | head -1)
live() { jcmd "$jpid" GC.run > /dev/null; sleep 1; jcmd "$jpid" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,?","",v); print v*1024; exit}}'; }
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
h0=$(live); echo "live heap, empty node: $((h0 / 1048576)) MiB"
"${LT[@]}" ingest --url $URL --documents "$DOCS" --seed 5 --batch 500 --parallel 1 | tail -1
h1=$(live); echo "live heap after $DOCS chunks: $((h1 / 1048576)) MiB"
jcmd "$jpid" GC.class_histogram | head -40 > "$OUT/histogram-chunks.txt"
"${LT[@]}" uncached --url $URL --documents "$DOCS" --seed 5 --no-ingest --concurrency 16 --duration "${QUERY_SECONDS}s" \
  --warmup 0s --no-verify | tail -1
h2=$(live)
jcmd "$jpid" GC.class_histogram | head -40 > "$OUT/histogram-queries.txt"
stats=$(curl -s -H 'X-Api-Key: bench' $URL/admin/cache/stats)
answers=$(echo "$stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['kinds']['answer']['entries'])")
echo "live heap after $answers cached answers: $((h2 / 1048576)) MiB"
echo "$stats" > "$OUT/cache-stats.json"
python3 - <<PY
h0, h1, h2, docs, answers = $h0, $h1, $h2, $DOCS, $answers
print(f"per indexed chunk (384 dims, ~60 words, in memory and journal state): {(h1 - h0) / docs:,.0f} bytes")
print(f"per cached query (answer + retrieval + query embedding entries): {(h2 - h1) / max(answers, 1):,.0f} bytes")
print(f"projected for 100k chunks + 100k cached queries: {(h0 + (h1 - h0) / docs * 100000 + (h2 - h1) / max(answers, 1) * 100000) / 2**20:,.0f} MiB of a 1,024 MiB heap")
if docs >= 100000 and answers >= 100000:
    print(f"measured with {docs:,} chunks and {answers:,} cached queries: {h2 / 2**20:,.0f} MiB live of a 1,024 MiB heap")
PY
echo "reports in $OUT"

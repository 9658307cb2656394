#!/usr/bin/env bash
# Ingestion throughput of one or more builds, alternating: per round and jar, a fresh node (hashing
# embedder by default, so the journal and the index are what is measured, not the model; a new
# embedded H2 folder) ingests DOCUMENTS synthetic one-chunk documents. Prints chunks/s per round
# and medians.
# Usage: scripts/bench-ingest.sh [rounds] [jar ...]   (DOCUMENTS=2000 MODEL=hashing; MODEL=all-minilm-l6-v2-q
#        for the model's share)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DOCUMENTS=${DOCUMENTS:-2000}
MODEL=${MODEL:-hashing}
. scripts/bench-builds.sh bench-ingest 3 "$@"
for r in $(seq 1 "$ROUNDS"); do
  for j in "${!JARS[@]}"; do
    data="$(pwd)/$OUT/data-$r-$j"
    RAGMILL_DATA_DIR="$data" RAGMILL_HTTP_PORT=$((8480 + j)) RAGMILL_REMOTE_PORT=$((25480 + j)) \
      RAGMILL_EMBEDDING_MODEL="$MODEL" java -Xmx1g --add-modules jdk.incubator.vector -jar "${JARS[$j]}" serve \
      > "$OUT/node-$r-$j.log" 2>&1 &
    node=$!
    pids+=($node)
    until curl -sf "http://127.0.0.1:$((8480 + j))/health/ready" > /dev/null; do sleep 0.2; done
    line=$("${LT[@]}" ingest --url "http://127.0.0.1:$((8480 + j))" --documents "$DOCUMENTS" --seed 7 | tail -1)
    echo "round $r ${JARS[$j]}: $line"
    echo "$j $(grep -o '[0-9.]* chunks/s' <<< "$line" | cut -d' ' -f1)" >> "$OUT/rates.txt"
    kill "$node"; wait "$node" 2>/dev/null || true
    rm -rf "$data"
  done
done
echo "== medians of $ROUNDS rounds"
for j in "${!JARS[@]}"; do
  median=$(awk -v j="$j" '$1 == j {print $2}' "$OUT/rates.txt" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')
  echo "${JARS[$j]}: $median chunks/s"
done

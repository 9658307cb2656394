#!/usr/bin/env bash
# A local 3-node Ragmill cluster on 127.0.0.1 against PostgreSQL and Redis on localhost.
#   cluster-config/local-cluster.sh start          start nodes 1-3 (HTTP 8081-8083, remoting 25521-25523,
#                                                  Pekko Management 8551-8553: curl 127.0.0.1:8551/cluster/members)
#   cluster-config/local-cluster.sh start N        start node N only
#   cluster-config/local-cluster.sh stop [N]       graceful stop (SIGTERM: the node leaves, shards hand off)
#   cluster-config/local-cluster.sh kill N         kill -9 node N (a crash: SBR downs it, shards move)
#   cluster-config/local-cluster.sh status         which nodes run, and the cluster as node 1..3 sees it
# Logs and data under target/local-cluster/. Environment: RAGMILL_EMBEDDING_MODEL (default the MiniLM
# model; "hashing" starts faster), RAGMILL_JAVA_OPTS (default -Xmx1g), RAGMILL_ADMIN_KEY (default
# local-admin: curl -H 'X-Api-Key: local-admin' http://127.0.0.1:8081/admin/cluster).
set -euo pipefail
export RAGMILL_ADMIN_KEY="${RAGMILL_ADMIN_KEY:-local-admin}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$here/target/local-cluster"
mkdir -p "$dir"
jar="$here/http/target/ragmill.jar"

pid_of() { [ -f "$dir/node-$1.pid" ] && kill -0 "$(cat "$dir/node-$1.pid")" 2>/dev/null && cat "$dir/node-$1.pid"; }

start_one() {
  local n=$1
  if pid_of "$n" > /dev/null; then echo "node $n runs already (pid $(pid_of "$n"))"; return; fi
  [ -f "$jar" ] || { echo "local-cluster: $jar is missing; build it first: mvn -q -DskipTests package" >&2; exit 1; }
  RAGMILL_HTTP_PORT=$((8080 + n)) RAGMILL_REMOTE_PORT=$((25520 + n)) RAGMILL_MANAGEMENT_PORT=$((8550 + n)) \
    RAGMILL_DATA_DIR="$dir/data-$n" \
    RAGMILL_CONFIG="$here/cluster-config/local-cluster.conf" RAGMILL_JAVA_OPTS="${RAGMILL_JAVA_OPTS:--Xmx1g}" \
    nohup "$here/bin/ragmill" serve > "$dir/node-$n.log" 2>&1 &
  echo $! > "$dir/node-$n.pid"
  echo "node $n: pid $!, http://127.0.0.1:$((8080 + n)), log $dir/node-$n.log"
}

wait_ready() {
  local n=$1 deadline=$((SECONDS + 120))
  until curl -sf "http://127.0.0.1:$((8080 + n))/health/ready" > /dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "node $n not ready after 120 s; see $dir/node-$n.log" >&2; return 1; }
    sleep 0.5
  done
  echo "node $n ready"
}

nodes() { if [ $# -gt 0 ]; then echo "$1"; else echo 1 2 3; fi; }

case "${1:-status}" in
  start)
    for n in $(nodes "${@:2}"); do start_one "$n"; done
    for n in $(nodes "${@:2}"); do wait_ready "$n"; done ;;
  stop)
    for n in $(nodes "${@:2}"); do
      if p=$(pid_of "$n"); then kill "$p"; while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; echo "node $n stopped"; fi
      rm -f "$dir/node-$n.pid"
    done ;;
  kill)
    [ $# -eq 2 ] || { echo "usage: $0 kill N" >&2; exit 2; }
    if p=$(pid_of "$2"); then kill -9 "$p"; echo "node $2 killed (pid $p)"; else echo "node $2 is not running"; fi
    rm -f "$dir/node-$2.pid" ;;
  status)
    for n in 1 2 3; do
      if p=$(pid_of "$n"); then echo "node $n: running (pid $p), http://127.0.0.1:$((8080 + n))"; else echo "node $n: stopped"; fi
    done
    for n in 1 2 3; do
      if pid_of "$n" > /dev/null; then
        curl -s -H "X-Api-Key: $RAGMILL_ADMIN_KEY" "http://127.0.0.1:$((8080 + n))/admin/cluster" && echo && break
      fi
    done ;;
  *) echo "usage: $0 start [N] | stop [N] | kill N | status" >&2; exit 2 ;;
esac

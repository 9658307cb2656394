# The shared start of the benchmarks that measure one or more builds in turn, sourced as
#   . scripts/bench-builds.sh NAME DEFAULT_ROUNDS "$@"
# from the repository root. Sets ROUNDS (the first argument, else DEFAULT_ROUNDS), JARS (the other
# arguments, else this tree's jar), OUT (target/NAME/<time>, where the log is copied), LT (the load
# tool) and pids (processes killed on exit); builds the jars if one is missing, and prints the
# machine.
BENCH_NAME=$1
ROUNDS=${3:-$2}
shift 2
shift || true
JARS=("$@"); [ ${#JARS[@]} -gt 0 ] || JARS=(http/target/ragmill.jar)
OUT="target/$BENCH_NAME/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/bench.log") 2>&1
[ -f "${JARS[0]}" ] && [ -f loadtest/target/ragmill-loadtest.jar ] || mvn -B -q -DskipTests package
LT=(java -jar loadtest/target/ragmill-loadtest.jar)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Runs a benchmark scenario against Switchboard and the raw baseline in the same run, then
# writes bench/results/results.md and the charts. Servers run on cpu 0, the load generator on
# cpu 1 (taskset); everything talks over 127.0.0.1 and every step is bounded in time.
#   bench/run.sh fanout|rooms|idle|cluster|publish|jmh|report|all
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
HEAP=${HEAP:-2g}
SECRET=bench-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
SERVER_JVM="-Xms$HEAP -Xmx$HEAP -XX:+UseG1GC -XX:+AlwaysPreTouch"

build() {
  mvn -B -q package -DskipTests   # the jar of this checkout, never a stale one
  mvn -B -q -f bench/pom.xml package -DskipTests
  CP="$ROOT/bench/target/classes:$(cat bench/target/classpath.txt):$ROOT/target/switchboard.jar"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

await_http() { # port path
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$1$2" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "server on $1 did not come up" >&2; return 1
}

PIDS=()
stop_servers() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap stop_servers EXIT INT TERM

# start_switchboard <count> [jfr-name]: <count> clustered nodes on cpu 0; sets PORTS and PIDLIST
start_switchboard() {
  local count=$1 jfr=${2:-} cluster=bench-$RANDOM$RANDOM ports=() pids=()
  for n in $(seq 1 "$count"); do
    local port; port=$(free_port)
    local extra=""
    [ -n "$jfr" ] && [ "$n" = 1 ] && extra="-XX:StartFlightRecording=filename=$RESULTS/$jfr.jfr,settings=profile,dumponexit=true"
    # limits raised for load: one publisher sends thousands a second, and 10 000 users connect at once
    SWITCHBOARD_HTTP_PORT=$port SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_CLUSTER_NAME=$cluster \
    SWITCHBOARD_AUTH_JWT_SECRET=$SECRET SWITCHBOARD_LIMITS_RATE=1000000 SWITCHBOARD_LIMITS_BURST=1000000 \
    SWITCHBOARD_LIMITS_MAX_CONNECTIONS=1000000 SWITCHBOARD_LOG_FORMAT=text \
      taskset -c "$SERVER_CPU" java $SERVER_JVM $extra -jar target/switchboard.jar > "$RESULTS/node-$n.log" 2>&1 &
    pids+=($!); PIDS+=($!); ports+=("$port")
  done
  for port in "${ports[@]}"; do await_http "$port" /ready; done
  PORTS=$(IFS=,; echo "${ports[*]}"); PIDLIST=$(IFS=,; echo "${pids[*]}")
}

start_baseline() {
  local port; port=$(free_port)
  taskset -c "$SERVER_CPU" java $SERVER_JVM -cp "$CP" io.switchboard.bench.BaselineServer "$port" > "$RESULTS/baseline.log" 2>&1 &
  PIDS+=($!); PIDLIST=$!; PORTS=$port
  await_http "$port" /
}

load() { # scenario kind out [options…]
  local scenario=$1 kind=$2 out=$3; shift 3
  taskset -c "$LOAD_CPU" java -Xmx4g -XX:+UseParallelGC -cp "$CP" io.switchboard.bench.LoadGen \
    --scenario "$scenario" --kind "$kind" --ports "$PORTS" --pids "$PIDLIST" --secret "$SECRET" \
    --out "$RESULTS/$out.json" "$@"
}

jfr_top() { # name
  [ -f "$RESULTS/$1.jfr" ] && java -cp "$CP" io.switchboard.bench.JfrTop "$RESULTS/$1.jfr" > "$RESULTS/$1-profile.txt" && rm -f "$RESULTS/$1.jfr"
  return 0
}

against_both() { # scenario [options…]
  local scenario=$1; shift
  echo "== $scenario: baseline"
  start_baseline; load "$scenario" baseline "$scenario-baseline" "$@"; stop_servers
  echo "== $scenario: switchboard"
  start_switchboard 1 "$scenario-switchboard"; load "$scenario" switchboard "$scenario-switchboard" "$@"; stop_servers
  jfr_top "$scenario-switchboard"
}

cluster() {
  echo "== cluster: switchboard, 1 node"
  start_switchboard 1; load fanout switchboard cluster-1-node; stop_servers
  echo "== cluster: switchboard, 3 nodes"
  start_switchboard 3; load fanout switchboard cluster-3-nodes; stop_servers
}

jmh() {
  java -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff "$RESULTS/jmh.json" \
    -jvmArgs "-Xmx1g" 2>&1 | tee "$RESULTS/jmh.txt" | grep -E "^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)" || true
}

report() {
  java -Djava.awt.headless=true -cp "$CP" io.switchboard.bench.Report "$RESULTS"
}

build
case "${1:-all}" in
  fanout|rooms|idle|publish) against_both "$1"; report ;;
  cluster) cluster; report ;;
  jmh) jmh; report ;;
  report) report ;;
  all) for s in fanout rooms idle publish; do against_both "$s"; done; cluster; jmh; report ;;
  *) echo "usage: bench/run.sh fanout|rooms|idle|cluster|publish|jmh|report|all" >&2; exit 2 ;;
esac

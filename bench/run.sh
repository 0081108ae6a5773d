#!/usr/bin/env bash
# Runs a benchmark scenario against Switchboard and the raw baseline in the same run, then
# writes bench/results/results.md and the charts. Servers run on cpu 0, the load generator on
# cpu 1 (taskset); everything talks over 127.0.0.1 and every step is bounded in time.
#   bench/run.sh fanout|rooms|idle|cluster|publish|jmh|report|all [--duration SECONDS-PER-STEP]
# Switchboard nodes get bench/bench-node.json: the connection and publish-rate limits raised for
# load (see bench/README.md). Their JFR recording covers the load only, not the node's start.
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
SCENARIO=${1:-all}
shift || true
LOAD_OPTS=("$@")   # passed to every load generator run, e.g. --duration 5

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
trap 'stop_servers; damon_restore' EXIT INT TERM

# start_switchboard <count>: <count> clustered nodes (a cluster name of their own) on cpu 0;
# sets PORTS and PIDLIST. Limits come from bench/bench-node.json; port, cluster and secret from env.
start_switchboard() {
  local count=$1 cluster=bench-$RANDOM$RANDOM ports=() pids=()
  for n in $(seq 1 "$count"); do
    local port; port=$(free_port)
    SWITCHBOARD_HTTP_PORT=$port SWITCHBOARD_CLUSTER_NAME=$cluster SWITCHBOARD_AUTH_JWT_SECRET=$SECRET \
      taskset -c "$SERVER_CPU" java $SERVER_JVM -jar target/switchboard.jar --conf bench/bench-node.json \
      > "$RESULTS/node-$n.log" 2>&1 &
    pids+=($!); PIDS+=($!); ports+=("$port")
  done
  for port in "${ports[@]}"; do await_http "$port" /ready; done
  PORTS=$(IFS=,; echo "${ports[*]}"); PIDLIST=$(IFS=,; echo "${pids[*]}")
}

jfr_start() { # pid name: profile from now on (the node's start stays out of the profile)
  jcmd "$1" JFR.start name=bench settings=profile filename="$RESULTS/$2.jfr" >/dev/null
}

jfr_stop() { # pid
  jcmd "$1" JFR.stop name=bench >/dev/null
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
    --out "$RESULTS/$out.json" "$@" ${LOAD_OPTS[@]+"${LOAD_OPTS[@]}"}
}

jfr_top() { # name
  [ -f "$RESULTS/$1.jfr" ] && java -cp "$CP" io.switchboard.bench.JfrTop "$RESULTS/$1.jfr" > "$RESULTS/$1-profile.txt" && rm -f "$RESULTS/$1.jfr"
  return 0
}

# host_check <scenario>: a short JMH run of one codec benchmark on the servers' cpu before the
# scenario. This VM's host is sometimes contended; the figure (about 350 ns/op on a quiet host
# since session 42's decoder) tells a slow run from a slow change.
host_check() {
  taskset -c "$SERVER_CPU" java -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 2 -w 1s -i 3 -r 1s -jvmArgs "-Xmx256m" \
    -rf json -rff "$RESULTS/host-$1.json" "CodecBenchmark.decodePublish" > /dev/null 2>&1 || true
  host_stalls "$1"
}

# host_stalls <scenario>: a thread that only reads the clock on the servers' cpu for 5 s, and the
# time it lost in stalls over 0.5 ms: 1 % of the time (50 ms) is
# already the whole budget of a 10 ms p99, whatever the server does. About 1 ms on a quiet host.
host_stalls() {
  taskset -c "$SERVER_CPU" python3 - "$RESULTS/host-$1-stalls.json" <<'PY' || true
import json, sys, time
end = time.perf_counter() + 5; last = time.perf_counter(); gaps = []
while last < end:
    now = time.perf_counter()
    if now - last > 0.0005:
        gaps.append(now - last)
    last = now
json.dump({"seconds": 5, "stalls": len(gaps), "stalledMs": round(sum(gaps) * 1000, 1),
           "longestMs": round(max(gaps, default=0) * 1000, 1)}, open(sys.argv[1], "w"))
PY
}

# The VM's own memory reclaim: DAMON kernel threads (kdamond.N) that every 500 ms (their
# aggregation interval here) page out cold memory, holding a cpu for 5 to 20 ms each time. A
# server whose cpu is idle in between has it scheduled there and its event loops wait it out
# (session 43: both loops read frames 12 to 20 ms late every half second at 500 publishes/s). The
# stall check above spins, keeps its cpu busy and never sees them. Each scenario records the
# kdamond threads' CPU time; DAMON_OFF=1 turns them off for the run (root; restored at exit).
DAMON_STATES=()
damon_on() { # the state files of the kdamonds running now, one a line
  for state in /sys/kernel/mm/damon/admin/kdamonds/*/state; do
    [ -f "$state" ] && [ "$(cat "$state")" = on ] && echo "$state"
  done
  return 0
}
damon_off() {
  [ "${DAMON_OFF:-0}" = 1 ] || return 0
  for state in $(damon_on); do
    [ -w "$state" ] && echo off > "$state" && DAMON_STATES+=("$state")
  done
  echo "DAMON_OFF=1: ${#DAMON_STATES[@]} kdamond(s) off for this run"
}
damon_restore() {
  for state in "${DAMON_STATES[@]:-}"; do [ -n "$state" ] && echo on > "$state" 2>/dev/null || true; done
  DAMON_STATES=()
}
kdamond_ms() { # the kdamond threads' CPU time so far, ms
  local total=0 ms
  for pid in $(pgrep -x 'kdamond\..*' 2>/dev/null); do
    ms=$(awk '/se.sum_exec_runtime/ {printf "%d", $3}' "/proc/$pid/sched" 2>/dev/null || echo 0)
    total=$((total + ${ms:-0}))
  done
  echo "$total"
}
kdamond_record() { # scenario start-ms start-epoch: what the kdamond threads took during the scenario
  local active; active=$(damon_on | wc -l)
  echo "{\"active\": $active, \"turnedOff\": ${#DAMON_STATES[@]}, \"cpuMs\": $(( $(kdamond_ms) - $2 )), \"seconds\": $(( $(date +%s) - $3 ))}" \
    > "$RESULTS/host-$1-kdamond.json"
}

against_both() { # scenario [options…]
  local scenario=$1; shift
  host_check "$scenario"
  local kd_ms kd_at; kd_ms=$(kdamond_ms); kd_at=$(date +%s)
  echo "== $scenario: baseline"
  start_baseline; jfr_start "$PIDLIST" "$scenario-baseline"   # the same recording cost as Switchboard's
  load "$scenario" baseline "$scenario-baseline" "$@"
  jfr_stop "$PIDLIST"; stop_servers
  jfr_top "$scenario-baseline"
  echo "== $scenario: switchboard"
  start_switchboard 1; jfr_start "$PIDLIST" "$scenario-switchboard"
  load "$scenario" switchboard "$scenario-switchboard" "$@"
  jfr_stop "$PIDLIST"; stop_servers
  jfr_top "$scenario-switchboard"
  kdamond_record "$scenario" "$kd_ms" "$kd_at"
}

cluster() {
  host_check cluster
  local kd_ms kd_at; kd_ms=$(kdamond_ms); kd_at=$(date +%s)
  echo "== cluster: switchboard, 1 node"
  start_switchboard 1; load fanout switchboard cluster-1-node; stop_servers
  echo "== cluster: switchboard, 3 nodes"
  start_switchboard 3; jfr_start "${PIDLIST%%,*}" cluster-3-nodes-node1
  load fanout switchboard cluster-3-nodes
  jfr_stop "${PIDLIST%%,*}"; stop_servers
  jfr_top cluster-3-nodes-node1
  kdamond_record cluster "$kd_ms" "$kd_at"
}

jmh() {
  java -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff "$RESULTS/jmh.json" \
    -jvmArgs "-Xmx1g" 2>&1 | tee "$RESULTS/jmh.txt" | grep -E "^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)" || true
}

report() {
  java -Djava.awt.headless=true -cp "$CP" io.switchboard.bench.Report "$RESULTS"
}

build
damon_off
case "$SCENARIO" in
  fanout|rooms|idle|publish) against_both "$SCENARIO"; report ;;
  cluster) cluster; report ;;
  jmh) jmh; report ;;
  report) report ;;
  all) for s in fanout rooms idle publish; do against_both "$s"; done; cluster; jmh; report ;;
  *) echo "usage: bench/run.sh fanout|rooms|idle|cluster|publish|jmh|report|all" >&2; exit 2 ;;
esac

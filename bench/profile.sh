#!/usr/bin/env bash
# Profiles one Switchboard node under one scenario with async-profiler (its linux-x64 jar from
# Maven Central), the way the fixes in bench/README.md were found. Not part of run.sh: no
# baseline, no report; the node on cpu 0, the load generator on cpu 1, all on 127.0.0.1.
#   bench/profile.sh SCENARIO RATES [DELAY_S] [SECONDS]
#   e.g. bench/profile.sh publish 2000,4000,8000,8000,8000 50 10
# EVENT=cpu|itimer|alloc|wall (default cpu where perf_events are open to us, else itimer:
# itimer ticks with the kernel's clock, every 4 ms here whatever the interval; 572 samples in 2 s
# of one spinning core, where cpu took 2 265). Writes
# bench/results/profile-SCENARIO.collapsed (one stack per line, "frame;frame;… count") and
# prints the busiest threads and frames. The profile starts DELAY_S after the load starts, past
# the warm-up (publish: 30 s) and the JIT's first compilations; for idle, DELAY_S after the
# generator's mark "measured connects start" (RATES is then unused, give "-"). GENARGS adds
# generator arguments: for idle, GENARGS="--startPause 3 --joinPause 6" gives the profiler time
# to start before the connects and keeps the joins out of the profile. NODE_JVM adds node JVM
# options, e.g. NODE_JVM="-Xlog:gc:file=bench/results/profile-gc.log" for its collections.
# The agent is loaded when the node starts and only started later: loaded late (jcmd
# JVMTI.agent_load into a running JVM), it makes HotSpot throw away and recompile compiled code,
# and C2 took a third of a connects profile that way (session 10; -XX:+PrintCompilation over
# the same window, with the agent loaded at start: one compilation).
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIO=$1 RATES=$2 DELAY=${3:-50} SECONDS_ON=${4:-10}
[ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)" -le 2 ] && EVENT=${EVENT:-cpu} || EVENT=${EVENT:-itimer}
RESULTS=bench/results; mkdir -p "$RESULTS"
ulimit -n 65536 2>/dev/null || true
mvn -B -q package -DskipTests && mvn -B -q -f bench/pom.xml package -DskipTests
mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 -DoutputDirectory=bench/target
rm -rf bench/target/ap && mkdir -p bench/target/ap && (cd bench/target/ap && unzip -q ../async-profiler-4.1-linux-x64.jar)
AGENT=$(pwd)/bench/target/ap/linux-x64/libasyncProfiler.so
OUT=$(pwd)/$RESULTS/profile-$SCENARIO.collapsed
CP="bench/target/classes:$(cat bench/target/classpath.txt):target/switchboard.jar"
SECRET=profile-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')  # 40 bytes: the node takes no HS256 key under 32
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
SWITCHBOARD_HTTP_PORT=$PORT SWITCHBOARD_CLUSTER_NAME=profile-$RANDOM$RANDOM SWITCHBOARD_AUTH_JWT_SECRET=$SECRET \
  taskset -c 0 java -agentpath:"$AGENT" -Xms2g -Xmx2g -XX:+UseG1GC -XX:+AlwaysPreTouch ${NODE_JVM:-} -jar target/switchboard.jar --conf bench/bench-node.json \
  > "$RESULTS/profile-node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.5; done
GENLOG=$RESULTS/profile-$SCENARIO-loadgen.log; : > "$GENLOG"
MARK=""; [ "$SCENARIO" = idle ] && MARK="measured connects start"
# jcmd parses '=' in its arguments: the agent's options go in as one quoted string
( if [ -n "$MARK" ]; then until grep -q "$MARK" "$GENLOG"; do sleep 0.2; done; fi
  sleep "$DELAY"; jcmd $NODE JVMTI.agent_load "$AGENT" "\"start,event=$EVENT,interval=1ms,threads\"" >/dev/null
  sleep "$SECONDS_ON"; jcmd $NODE JVMTI.agent_load "$AGENT" "\"stop,file=$OUT,collapsed\"" >/dev/null ) &
PROFILER=$!
taskset -c 1 java -Xmx4g -XX:+UseParallelGC -cp "$CP" io.switchboard.bench.LoadGen --scenario "$SCENARIO" \
  --kind switchboard --ports "$PORT" --pids "$NODE" --secret "$SECRET" --out "$RESULTS/profile-$SCENARIO.json" \
  --rates "$RATES" ${GENARGS:-} | tee "$GENLOG"
wait $PROFILER || true
[ -s "$OUT" ] || { echo "no profile: the load ended before DELAY_S + SECONDS ($DELAY + $SECONDS_ON s)" >&2; exit 1; }
python3 - "$OUT" <<'PY'
import collections, re, sys
stacks = [(l.rsplit(' ', 1)[0].split(';'), int(l.rsplit(' ', 1)[1])) for l in open(sys.argv[1])]
total = sum(n for _, n in stacks)
threads, tops = collections.Counter(), collections.Counter()
for frames, n in stacks:
    threads[re.sub(r'[-#]?\d*( tid=\d+)?\]?$', '', frames[0].lstrip('['))] += n
    tops[frames[-1]] += n
print(f'{total} samples\n-- threads')
for name, n in threads.most_common(10): print(f'{100 * n / total:6.1f}%  {name}')
print('-- frames on top')
for name, n in tops.most_common(25): print(f'{100 * n / total:6.1f}%  {name}')
PY

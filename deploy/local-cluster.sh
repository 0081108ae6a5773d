#!/usr/bin/env bash
# Three Switchboard nodes and HAProxy on this host (loopback only); Ctrl-C stops everything.
#   deploy/local-cluster.sh        then open http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian puts it in /usr/sbin, which is not on an ordinary user's PATH
haproxy=$(command -v haproxy || true)
[ -n "$haproxy" ] || { [ -x /usr/sbin/haproxy ] && haproxy=/usr/sbin/haproxy; }
[ -n "$haproxy" ] || { echo "needs haproxy (sudo apt-get update && sudo apt-get install -y haproxy)" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl (sudo apt-get update && sudo apt-get install -y curl)" >&2; exit 1; }
for port in 8000 8081 8082 8083; do
  # a node already there (the README's own, say) would answer /ready for another cluster
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is taken" >&2; exit 1; fi
done
# always: a jar left from before a pull would run old code
mvn -B -q package -DskipTests

logs=$(mktemp -d)
pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "logs kept in $logs"
}
trap stop INT TERM EXIT

secret=${SWITCHBOARD_AUTH_JWT_SECRET:-$(head -c 48 /dev/urandom | base64)}
for n in 1 2 3; do
  SWITCHBOARD_HTTP_PORT=808$n SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_DRAIN_DELAY=3000 SWITCHBOARD_CLUSTER_NAME=${SWITCHBOARD_CLUSTER_NAME:-local} \
    SWITCHBOARD_AUTH_JWT_SECRET=$secret java -jar target/switchboard.jar > "$logs/node$n.log" 2>&1 &
  pids+=($!)
done
# await_ready PORT PID NAME LOG TRIES: /ready answers 200 on PORT while PID lives, within TRIES half-seconds
await_ready() {
  for _ in $(seq 1 "$5"); do
    curl -sf --max-time 2 "http://127.0.0.1:$1/ready" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 stopped: see $4" >&2; exit 1; }
    sleep 0.5
  done
  echo "$3 not ready on port $1 in $(($5 / 2)) s: see $4" >&2
  exit 1
}
for n in 1 2 3; do
  await_ready "808$n" "${pids[$((n - 1))]}" "node $n" "$logs/node$n.log" 120
done
"$haproxy" -f deploy/haproxy/haproxy.cfg > "$logs/haproxy.log" 2>&1 &
pids+=($!)
# through the proxy, as a browser will come: a proxy that did not start is said so here
await_ready 8000 "${pids[3]}" haproxy "$logs/haproxy.log" 20

echo "Switchboard: http://127.0.0.1:8000/  (nodes on 8081-8083, logs in $logs; Ctrl-C stops)"
wait

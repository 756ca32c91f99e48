#!/usr/bin/env bash
# The cost of conversation escalation on the ingest path: the same generated calls are sent to
# `yardstick serve` without escalation rules and with rules of every kind (score, human request,
# and the conversation rules failed_calls / max_turns / max_duration, which read each touched
# conversation from the store on every batch). Prints records/s and ack latency of both runs.
#
#   bench/escalation_bench.sh [CALLS] [BATCH] [CONCURRENCY]     (defaults 200000 1000 4)
#
# Uses the binary in $YS (default build/release/src/cli/yardstick; build it first).
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-200000}
batch=${2:-1000}
concurrency=${3:-4}
ys=${YS:-build/release/src/cli/yardstick}

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/escalations.yaml" <<'YAML'
notifiers:
  - {name: crm, type: webhook, url: "http://127.0.0.1:9/tickets", backoff_base: 1s}
escalations:
  - {name: thumbs_down, notifier: crm, score: {name: thumbs, equals: 0}}
  - name: wants_human
    notifier: crm
    human_request: {phrases: [talk to a human], regex: '(?i)\b(agent|operator)\b'}
  - {name: failing, notifier: crm, failed_calls: 3}
  - {name: long, notifier: crm, max_turns: 50}
  - {name: slow, notifier: crm, max_duration: 2h}
YAML
"$ys" replay --generate "$calls" --span-days 0.04 --output "$work/calls.ndjson" >/dev/null
export YARDSTICK_ADMIN_KEY="bench-admin-key-$(date +%s%N)"

run() {  # $1: label, $2...: extra serve arguments
  local label=$1
  shift
  rm -rf "$work/data" "$work/server.log"
  "$ys" serve --listen 127.0.0.1:0 --data-dir "$work/data" "$@" 2>"$work/server.log" &
  server_pid=$!
  local port=""
  for _ in $(seq 1 400); do
    port=$(grep -o '"address":"127.0.0.1:[0-9]*"' "$work/server.log" 2>/dev/null | grep -o '[0-9]*"$' | tr -d '"' || true)
    if [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.005
  done
  local url="http://127.0.0.1:$port"
  local key
  key=$(curl -fs -X POST "$url/v1/projects" -H "Authorization: Bearer $YARDSTICK_ADMIN_KEY" \
    -d '{"name":"bench"}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
  echo "== $label"
  YARDSTICK_API_KEY="$key" "$ys" replay "$work/calls.ndjson" --url "$url" --batch "$batch" \
    --concurrency "$concurrency" --format json
  echo
  echo "escalations: $(curl -fs "$url/metrics" | grep -c '^yardstick_escalations_total' || true) rules fired"
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

run "no escalation rules"
run "5 escalation rules" --config "$work/escalations.yaml"

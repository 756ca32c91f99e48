#!/usr/bin/env bash
# Ingest benchmark of the full path (HTTP, parse, validate, redact, price, rollup, durable ack)
# into the SQLite store, plus the server's footprint. Records what docs/benchmarks.md reports.
#
#   bench/ingest_bench.sh [CALLS] [BATCH] [CONCURRENCY]     (defaults 2000000 1000 4)
#
# Builds the release binary, starts `yardstick serve` on a free loopback port with a fresh data
# directory, measures start-to-ready time and idle RSS, generates CALLS realistic call records
# (`yardstick replay --generate`, spread over the last minutes), sends them with `yardstick replay`
# (BATCH records per request, CONCURRENCY connections), then a second run at half the measured
# rate for acknowledgement latency, and prints RSS after the load. YS=<binary> skips the build
# and runs that binary (to compare builds on the same machine at the same time). SPAN_DAYS sets
# how far back the calls' times go: the default 0.003 (the last ~4 minutes) is the shape of
# live traffic; 0.04 (the last ~58 minutes, the default before 2026-11-27) replays recent
# history, partly into hours whose rollups the store has built already, which costs more.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-2000000}
batch=${2:-1000}
concurrency=${3:-4}
span_days=${SPAN_DAYS:-0.003}
build=${BUILD:-build/release}
# YS=<binary> runs a given yardstick binary instead (to compare builds).
if [ -n "${YS:-}" ]; then
  ys=$YS
else
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DYARDSTICK_BUILD_TESTS=OFF \
    -DYARDSTICK_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build "$build" --target yardstick >/dev/null
  ys="$build/src/cli/yardstick"
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export YARDSTICK_ADMIN_KEY="bench-admin-key-$(date +%s%N)"
t0=$(date +%s%N)
"$ys" serve --listen 127.0.0.1:0 --data-dir "$work/data" 2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 1 400); do
  port=$(grep -o '"address":"127.0.0.1:[0-9]*"' "$work/server.log" 2>/dev/null | grep -o '[0-9]*"$' | tr -d '"' || true)
  if [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.005
done
t1=$(date +%s%N)
url="http://127.0.0.1:$port"
echo "start to ready: $(( (t1 - t0) / 1000000 )) ms (including process start and the first /readyz)"
sleep 1
echo "idle RSS: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$server_pid/status)"

key=$(curl -fs -X POST "$url/v1/projects" -H "Authorization: Bearer $YARDSTICK_ADMIN_KEY" \
  -d '{"name":"bench"}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
"$ys" replay --generate "$calls" --span-days "$span_days" --output "$work/calls.ndjson" >/dev/null
echo "records: $calls ($(du -h "$work/calls.ndjson" | cut -f1) of NDJSON)"

echo "== full speed: batch $batch, concurrency $concurrency"
YARDSTICK_API_KEY="$key" "$ys" replay "$work/calls.ndjson" --url "$url" --batch "$batch" \
  --concurrency "$concurrency" --format json | tee "$work/full.json"
rate=$(grep -o '"records_per_s": *[0-9.]*' "$work/full.json" | grep -o '[0-9.]*$')
half=$(awk -v r="$rate" 'BEGIN { printf "%d", r / 2 }')
echo "RSS after load: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$server_pid/status)"

echo "== half rate ($half records/s): acknowledgement latency"
"$ys" replay --generate "$calls" --seed 2 --span-days "$span_days" --output "$work/calls2.ndjson" >/dev/null
YARDSTICK_API_KEY="$key" "$ys" replay "$work/calls2.ndjson" --url "$url" --batch "$batch" \
  --concurrency "$concurrency" --rate "$half" --format json

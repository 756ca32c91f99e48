#!/usr/bin/env bash
# Store append rate and KPI query latency: SQLite vs ClickHouse (one node) vs ClickHouse (two
# shards behind Distributed tables), with kpi_bench's load (see docs/benchmarks.md).
#
#   bench/clickhouse_bench.sh [CALLS] [DAYS] [BUILD_DIR]
#
# Starts three clickhouse-server processes on free loopback ports with every path under a
# temporary directory, and stops them (by pid) at the end.
set -euo pipefail

calls=${1:-10000000}
days=${2:-30}
build=${3:-build/release}
bench="$build/bench/kpi_bench"
[ -x "$bench" ] || { echo "no $bench (build the kpi_bench target)" >&2; exit 1; }
server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
[ -x "$server" ] || { echo "clickhouse-server is not installed (scripts/install-deps)" >&2; exit 1; }

root=$(mktemp -d /tmp/yardstick-ch-bench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME HTTP TCP SHARD_TCP_PORTS...
start() {
  local dir="$root/$1" http=$2 tcp=$3; shift 3
  mkdir -p "$dir"/{data,tmp,log,user_files,format_schemas}
  local shards=""
  for p in "$@"; do shards+="<shard><replica><host>127.0.0.1</host><port>$p</port></replica></shard>"; done
  cat > "$dir/users.xml" <<EOF
<yandex><profiles><default></default></profiles><users><default><password></password>
<networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
</users><quotas><default></default></quotas></yandex>
EOF
  cat > "$dir/config.xml" <<EOF
<yandex><logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog></logger>
<http_port>$http</http_port><tcp_port>$tcp</tcp_port><listen_host>127.0.0.1</listen_host>
<path>$dir/data/</path><tmp_path>$dir/tmp/</tmp_path><user_files_path>$dir/user_files/</user_files_path>
<format_schema_path>$dir/format_schemas/</format_schema_path><users_config>$dir/users.xml</users_config>
<default_profile>default</default_profile><default_database>default</default_database>
<mark_cache_size>1073741824</mark_cache_size>
<remote_servers><bench>$shards</bench></remote_servers></yandex>
EOF
  "$server" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    [ "$(curl -s "http://127.0.0.1:$http/?query=SELECT%201" || true)" = "1" ] && return 0
    sleep 0.1
  done
  echo "clickhouse-server $1 did not start" >&2; exit 1
}

h1=$(free_port); t1=$(free_port); h2=$(free_port); t2=$(free_port); h3=$(free_port); t3=$(free_port)
start single "$h1" "$t1" "$t1"
start shard1 "$h2" "$t2" "$t2" "$t3"
start shard2 "$h3" "$t3" "$t2" "$t3"

echo "== SQLite"
"$bench" --calls "$calls" --days "$days" --dir "$root/sqlite"
echo "== ClickHouse, one node"
"$bench" --calls "$calls" --days "$days" --dir "$root/spool1" --batch 100000 \
  --clickhouse "http://127.0.0.1:$h1"
echo "== ClickHouse, two shards"
"$bench" --calls "$calls" --days "$days" --dir "$root/spool2" --batch 100000 \
  --clickhouse "http://127.0.0.1:$h2,http://127.0.0.1:$h3" --cluster bench

#pragma once
// The ClickHouse backend's schema and its migrations (internal to the store; see
// docs/clickhouse.md). Raw tables are MergeTree partitioned by month and ordered by (project,
// time, id); every inserted group gets minute, hour and day rollup rows (counts, sums, min/max
// and DDSketch bucket counts as sumMap-able arrays), which queries merge with sum() and sumMap().
// The writer computes them in the client (clickhouse_rollups.h); RollupInsert derives the same
// rows on the server for the repair. With a cluster, every table exists per shard as <name>_local
// and a Distributed table <name> spans the shards.

#include <cstdint>
#include <string>
#include <vector>

namespace yardstick::store::clickhouse {

inline constexpr int kSchemaVersion = 1;

// Table names as queries and inserts use them (Distributed tables with a cluster).
struct TableNames {
  std::string calls, scores, outcomes, call_rollups, record_rollups;
  // Local (per shard) names; equal to the above without a cluster.
  std::string calls_local, scores_local, outcomes_local, call_rollups_local, record_rollups_local;
};
TableNames MakeTableNames(bool cluster);

// The statements of migration `version` (1 .. kSchemaVersion) for one server; every statement
// is idempotent (IF NOT EXISTS), so a migration interrupted half-way is simply run again.
std::vector<std::string> MigrationStatements(int version, const std::string& database,
                                             const std::string& cluster);

// Columns the backend adds to each raw insert after the record's own fields.
inline constexpr const char* kCallDerivedColumns =
    "model, latency_s, latency_key, ttft_ok, ttft_key, insert_id";
inline constexpr const char* kScoreDerivedColumns =
    "model, route, prompt_version, variant, environment, valued, labeled, insert_id";
inline constexpr const char* kOutcomeDerivedColumns =
    "model, route, prompt_version, variant, environment, valued, insert_id";

// Every raw row and every rollup row carries the insert_id of the INSERT that wrote it (one per
// written group). After inserting a group's raw rows the writer inserts the rollup rows it
// computed from them. A failure between the raw insert and the rollup inserts leaves raw rows
// without (some) rollups; a retry finds the raw rows stored (and does not insert them again) and
// derives the missing rollups on the server with this statement, once per resolution: INSERT
// INTO <rollups> SELECT <aggregation> FROM <raw table> WHERE `where` (the group's insert_id and
// the retention cut). kind 0 calls, 1 scores, 2 outcomes; resolution 0 minute, 1 hour, 2 day.
std::string RollupInsert(int kind, int resolution, const std::string& database, bool cluster,
                         const std::string& where);

// DDSketch keys as stored: positive-store keys as themselves, negative-store keys shifted by
// kNegativeKeyOffset, the zero bucket as kZeroKey.
inline constexpr int kNegativeKeyOffset = 1 << 24;
inline constexpr int kZeroKey = 1 << 26;

}  // namespace yardstick::store::clickhouse

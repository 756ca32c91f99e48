#include "store/clickhouse_schema.h"

namespace yardstick::store::clickhouse {
namespace {

constexpr const char* kCallTable =
    "(project String, id String, trace_id String, span_id String, parent_span_id String, "
    "conversation_id String, session_id String, user_id String, start_ns Int64, end_ns Int64, "
    "ttft_present UInt8, ttft_s Float64, operation String, provider String, request_model "
    "String, response_model String, service String, environment String, route String, "
    "prompt_name String, prompt_version String, release String, variant String, input_tokens "
    "Int64, output_tokens Int64, cache_read_tokens Int64, cache_creation_tokens Int64, "
    "reasoning_tokens Int64, cost_present UInt8, cost_usd Float64, cost_computed UInt8, status "
    "UInt8, error_type String, finish_reason String, input_text String, output_text String, "
    "attr_keys Array(String), attr_values Array(String), model String, latency_s Float64, "
    "latency_key Int32, ttft_ok UInt8, ttft_key Int32, insert_id UInt64) ENGINE = MergeTree "
    "PARTITION BY "
    "toYYYYMM(toDateTime(intDiv(start_ns, 1000000000))) ORDER BY (project, start_ns, id)";

constexpr const char* kScoreTable =
    "(project String, id String, call_id String, trace_id String, conversation_id String, "
    "user_id String, name String, value_present UInt8, value Float64, label String, source "
    "String, author String, comment String, time_ns Int64, attr_keys Array(String), "
    "attr_values Array(String), model String, route String, prompt_version String, variant "
    "String, environment String, valued UInt8, labeled UInt8, insert_id UInt64) ENGINE = MergeTree "
    "PARTITION BY "
    "toYYYYMM(toDateTime(intDiv(time_ns, 1000000000))) ORDER BY (project, time_ns, id)";

constexpr const char* kOutcomeTable =
    "(project String, id String, conversation_id String, session_id String, user_id String, "
    "name String, value Float64, time_ns Int64, attr_keys Array(String), attr_values "
    "Array(String), model String, route String, prompt_version String, variant String, "
    "environment String, valued UInt8, insert_id UInt64) ENGINE = MergeTree PARTITION BY "
    "toYYYYMM(toDateTime(intDiv(time_ns, 1000000000))) ORDER BY (project, time_ns, id)";

constexpr const char* kCallRollupTable =
    "(project String, resolution UInt8, ts Int64, model String, route String, prompt_version "
    "String, variant String, environment String, n_calls UInt64, n_errors UInt64, lat_sum "
    "Float64, lat_sumsq Float64, lat_min Float64, lat_max Float64, lat_map "
    "Tuple(Array(Int32), Array(UInt64)), tt_count UInt64, tt_sum Float64, tt_min Float64, "
    "tt_max Float64, tt_map Tuple(Array(Int32), Array(UInt64)), in_tokens UInt64, out_tokens "
    "UInt64, cr_tokens UInt64, rs_tokens UInt64, token_calls UInt64, priced_calls UInt64, "
    "cost_sum Float64, cost_sumsq Float64, insert_id UInt64) ENGINE = MergeTree PARTITION BY "
    "(resolution, "
    "toYYYYMM(toDateTime(intDiv(ts, 1000000000)))) ORDER BY (project, resolution, ts, model, "
    "route, prompt_version, variant, environment)";

constexpr const char* kRecordRollupTable =
    "(kind UInt8, project String, resolution UInt8, ts Int64, name String, source String, "
    "model String, route String, prompt_version String, variant String, environment String, "
    "n_count UInt64, v_sum Float64, v_sumsq Float64, n_positive UInt64, n_at_least_4 UInt64, "
    "n_promoters UInt64, n_detractors UInt64, n_labeled UInt64, insert_id UInt64) ENGINE = "
    "MergeTree PARTITION "
    "BY (resolution, toYYYYMM(toDateTime(intDiv(ts, 1000000000)))) ORDER BY (project, kind, "
    "name, resolution, ts, source, model, route, prompt_version, variant, environment)";

struct Resolution {
  int id;
  const char* name;
  const char* unit;  // nanoseconds
};
constexpr Resolution kResolutions[] = {
    {0, "minute", "60000000000"}, {1, "hour", "3600000000000"}, {2, "day", "86400000000000"}};

std::string CallSelect(const std::string& source, const std::string& db, const Resolution& r,
                       const std::string& where) {
  const std::string ts = std::string("intDiv(start_ns, ") + r.unit + ") * " + r.unit;
  return "SELECT project, toUInt8(" + std::to_string(r.id) + ") AS resolution, " + ts +
         " AS ts, model, route, prompt_version, variant, environment, count() AS n_calls, "
         "countIf(status = 2) AS n_errors, sum(latency_s) AS lat_sum, sum(latency_s * "
         "latency_s) AS lat_sumsq, min(latency_s) AS lat_min, max(latency_s) AS lat_max, "
         "sumMap([latency_key], [toUInt64(1)]) AS lat_map, countIf(ttft_ok = 1) AS tt_count, "
         "sumIf(ttft_s, ttft_ok = 1) AS tt_sum, minIf(ttft_s, ttft_ok = 1) AS tt_min, "
         "maxIf(ttft_s, ttft_ok = 1) AS tt_max, sumMapIf([ttft_key], [toUInt64(1)], ttft_ok = "
         "1) AS tt_map, sumIf(toUInt64(input_tokens), input_tokens > 0) AS in_tokens, "
         "sumIf(toUInt64(output_tokens), output_tokens > 0) AS out_tokens, "
         "sumIf(toUInt64(cache_read_tokens), cache_read_tokens > 0) AS cr_tokens, "
         "sumIf(toUInt64(reasoning_tokens), reasoning_tokens > 0) AS rs_tokens, "
         "countIf(input_tokens >= 0 OR output_tokens >= 0) AS token_calls, countIf(cost_present "
         "= 1 AND isFinite(cost_usd)) AS priced_calls, sumIf(cost_usd, cost_present = 1 AND "
         "isFinite(cost_usd)) AS cost_sum, sumIf(cost_usd * cost_usd, cost_present = 1 AND "
         "isFinite(cost_usd)) AS cost_sumsq, insert_id FROM " +
         db + "." + source + where +
         " GROUP BY project, ts, model, route, prompt_version, variant, environment, insert_id";
}

std::string RecordSelect(const std::string& from_table, const std::string& db, const Resolution& r,
                         bool scores, const std::string& where) {
  const std::string ts = std::string("intDiv(time_ns, ") + r.unit + ") * " + r.unit;
  const std::string source = scores ? "source" : "'' AS source";
  const std::string labeled = scores ? "sum(labeled)" : "toUInt64(0)";
  return std::string("SELECT toUInt8(") + (scores ? "1" : "2") + ") AS kind, project, toUInt8(" +
         std::to_string(r.id) + ") AS resolution, " + ts + " AS ts, name, " + source +
         ", model, route, prompt_version, variant, environment, toUInt64(sum(valued)) AS "
         "n_count, sumIf(value, valued = 1) AS v_sum, sumIf(value * value, valued = 1) AS "
         "v_sumsq, countIf(valued = 1 AND value > 0) AS n_positive, countIf(valued = 1 AND "
         "value >= 4) AS n_at_least_4, countIf(valued = 1 AND value >= 9 AND value <= 10) AS "
         "n_promoters, countIf(valued = 1 AND value >= 0 AND value <= 6) AS n_detractors, " +
         labeled + " AS n_labeled, insert_id FROM " + db + "." + from_table + where +
         " GROUP BY project, ts, name, source, model, route, prompt_version, variant, "
         "environment, insert_id";
}

}  // namespace

std::string RollupInsert(int kind, int resolution, const std::string& database, bool cluster,
                         const std::string& where) {
  const TableNames t = MakeTableNames(cluster);
  const Resolution& r = kResolutions[resolution];
  const std::string target = kind == 0 ? t.call_rollups : t.record_rollups;
  const std::string source = kind == 0 ? t.calls : kind == 1 ? t.scores : t.outcomes;
  return "INSERT INTO " + database + "." + target + " " +
         (kind == 0 ? CallSelect(source, database, r, " WHERE " + where)
                    : RecordSelect(source, database, r, kind == 1, " WHERE " + where));
}

TableNames MakeTableNames(bool cluster) {
  TableNames t{"calls", "scores", "outcomes", "call_rollups", "record_rollups", "", "", "", "", ""};
  const std::string suffix = cluster ? "_local" : "";
  t.calls_local = t.calls + suffix;
  t.scores_local = t.scores + suffix;
  t.outcomes_local = t.outcomes + suffix;
  t.call_rollups_local = t.call_rollups + suffix;
  t.record_rollups_local = t.record_rollups + suffix;
  return t;
}

std::vector<std::string> MigrationStatements(int version, const std::string& db,
                                             const std::string& cluster) {
  std::vector<std::string> out;
  if (version != 1) return out;
  const TableNames t = MakeTableNames(!cluster.empty());
  auto create = [&](const std::string& name, const char* body) {
    out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + name + " " + body);
  };
  create(t.calls_local, kCallTable);
  create(t.scores_local, kScoreTable);
  create(t.outcomes_local, kOutcomeTable);
  create(t.call_rollups_local, kCallRollupTable);
  create(t.record_rollups_local, kRecordRollupTable);
  create("projects", "(name String, created_ns Int64) ENGINE = MergeTree ORDER BY name");
  create("api_keys",
         "(hash String, project String, role String, name String, created_ns Int64, version "
         "Int64) ENGINE = MergeTree ORDER BY hash");
  if (!cluster.empty()) {
    // Records of one conversation live on one shard (its calls, scores and outcomes).
    const std::string conv_key =
        "cityHash64(project, if(conversation_id = '', id, conversation_id))";
    auto distributed = [&](const std::string& name, const std::string& local,
                           const std::string& key) {
      out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + name + " AS " + db + "." + local +
                    " ENGINE = Distributed(" + cluster + ", " + db + ", " + local + ", " + key +
                    ")");
    };
    distributed(t.calls, t.calls_local, conv_key);
    distributed(t.scores, t.scores_local, conv_key);
    distributed(t.outcomes, t.outcomes_local, conv_key);
    // The rollup rows of one insert live on one shard (so they arrive all or none).
    distributed(t.call_rollups, t.call_rollups_local, "insert_id");
    distributed(t.record_rollups, t.record_rollups_local, "insert_id");
  }
  return out;
}

}  // namespace yardstick::store::clickhouse

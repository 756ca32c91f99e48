#pragma once
// The store: where accepted records live. One interface, several backends (SQLite, the embedded
// default; ClickHouse for scale-out). Nothing here names a backend's types.
//
// Contract every backend honours (checked by tests/store/conformance.h, run against each backend):
// - Append() returns only after the batch is durable: once it returns OK the records survive a
//   crash (kill -9) of the process. Records whose (project, id) already exists are ignored, so a
//   client retrying a batch does not duplicate it.
// - Rollups are maintained with the records, in the same durable step, at minute, hour and day
//   resolution (a backend may build an hour or day from finer rollups once it is over, if its
//   queries read the unbuilt periods from the finer ones); RollupQuery answers merge them so
//   that the result equals aggregating the raw records of the range (to the sketch's relative
//   accuracy for quantiles, exactly otherwise).
// - QueryRaw groups by dimensions and record attributes (attributes.<key>, "" when missing) and
//   returns per cell the same CallAggregate / ScoreAggregate the rollups would hold for it;
//   QueryConversations groups by the attributes of a conversation's first call too. Neither
//   answers more than RawQuery::max_groups (kMaxRawGroups) groups: beyond, kInvalidArgument.
// - Queries see every record whose Append() has returned.
// - All methods are safe to call from many threads at once.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "model/records.h"
#include "store/aggregates.h"

namespace yardstick::store {

inline constexpr int64_t kNanosPerMinute = 60'000'000'000;
inline constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr int64_t kNanosPerDay = 24 * kNanosPerHour;

struct AppendResult {
  size_t stored = 0;      // records newly stored
  size_t duplicates = 0;  // records ignored because their (project, id) existed
  // The conversations (project, conversation id) this append stored the first records of:
  // nothing of them was stored before it. Only when new_conversations_known (the SQLite store,
  // once it has read its stored conversation keys after an open); a conversation may be left
  // out (then it is treated as possibly stored), never listed wrongly.
  bool new_conversations_known = false;
  std::vector<std::pair<std::string, std::string>> new_conversations;
};

// A dimension filter: every listed dimension must equal its value.
using DimensionFilter = std::vector<std::pair<std::string, std::string>>;

struct RollupQuery {
  std::string project;
  int64_t from_ns = 0;  // inclusive; rounded down to a minute
  int64_t to_ns = 0;    // exclusive; rounded up to a minute
  int64_t step_ns = 0;  // 0: one bucket for the whole range; else a multiple of a minute
  std::vector<std::string> group_by;  // dimension names (kDimensionNames)
  DimensionFilter filter;
  // Scores only: the score name and (optionally) source to aggregate.
  std::string score_name;
  std::string score_source;
};

// One cell of a rollup answer: a time bucket and a group.
template <typename Aggregate>
struct RollupCell {
  int64_t bucket_ns = 0;           // start of the bucket
  std::vector<std::string> group;  // values of RollupQuery::group_by, in that order
  Aggregate aggregate;
};
using CallRollupCell = RollupCell<CallAggregate>;
using ScoreRollupCell = RollupCell<ScoreAggregate>;

// Filters for raw-record listings.
struct RecordQuery {
  std::string project;
  int64_t from_ns = 0;
  int64_t to_ns = INT64_MAX;
  DimensionFilter filter;  // calls: dimensions plus conversation_id, user_id, status, provider,
                           // operation, trace_id; scores: name, source; outcomes: name
  size_t limit = 100;
  std::string after;  // opaque cursor from the previous page ("" = first page)
  bool newest_first = true;
};

template <typename Record>
struct Page {
  std::vector<Record> records;
  std::string next;  // cursor of the next page, "" when this is the last
};

struct Conversation {
  std::string id;
  std::vector<model::Call> calls;        // in start-time order
  std::vector<model::Score> scores;      // in time order
  std::vector<model::Outcome> outcomes;  // in time order
};

// Conversation-level facts for the conversation KPIs (deflection, first-contact resolution,
// handling time, cost per conversation): computed from raw records, because distinct
// conversations do not add across minutes. A conversation belongs to the bucket and group of
// its first call in the range.
struct ConversationStats {
  uint64_t conversations = 0;           // distinct conversation ids
  uint64_t escalated = 0;               // ... with an `escalated` outcome
  uint64_t resolved = 0;                // ... with a `resolved` outcome
  uint64_t resolved_first_contact = 0;  // ... resolved, with no `repeat_contact` outcome
  uint64_t with_feedback = 0;           // ... with a score from source user or survey
  double duration_sum = 0;              // seconds from first call start to last call end
  double duration_sumsq = 0;
  double cost_sum = 0;  // USD, calls of the conversation in the range
  double cost_sumsq = 0;
  double resolved_cost_sum = 0;  // cost of the resolved conversations
  uint64_t sessions = 0;         // distinct session ids of the calls
};
using ConversationCell = RollupCell<ConversationStats>;

// Per subject (conversation id, else session id, else user id): the largest value of each
// named outcome; for per-subject KPIs (fraud detection).
using OutcomeSubjects = std::map<std::string, std::map<std::string, double>>;

// The prefix of a record attribute in group_by and filters: "attributes.<key>".
inline constexpr std::string_view kAttributePrefix = "attributes.";
// The most groups a raw query answers (QueryRaw fails with kInvalidArgument beyond it).
inline constexpr size_t kMaxRawGroups = 1000;

inline bool IsAttributeName(std::string_view name) { return name.starts_with(kAttributePrefix); }

// Checks "attributes.<key>": the key is 1 to 256 bytes without quotes, backslashes or control
// characters.
inline Result<void> CheckAttributeName(std::string_view name) {
  const std::string_view key = name.substr(std::min(name.size(), kAttributePrefix.size()));
  bool ok = IsAttributeName(name) && !key.empty() && key.size() <= 256;
  for (const char c : key) {
    if (c == '"' || c == '\\' || c == '\'' || static_cast<unsigned char>(c) < 0x20) ok = false;
  }
  if (ok) return {};
  return MakeError(ErrorCode::kInvalidArgument,
                   "'" + std::string(name) +
                       "' is not an attribute name (attributes.<key>, a key of 1 to 256 bytes "
                       "without quotes, backslashes or control characters)");
}

// An aggregate computed from raw records (for user-defined KPIs whose filters go beyond the
// rollup dimensions, and for KPIs grouped by a record attribute).
//
// group_by takes dimension names and attributes.<key> (the record's own attribute; a record
// without it is in the group ""). Filters take attributes.<key> for every source. Each cell
// carries, besides the field's count, sum and sketch, the aggregate the rollups keep for the
// source (`calls` for calls, `scores` for scores and outcomes), built from the same records, so
// a KPI computed from a cell equals the KPI computed from rollups had the attribute been a
// dimension. More than `max_groups` distinct groups fail with kInvalidArgument.
struct RawQuery {
  std::string project;
  std::string source;  // calls | scores | outcomes
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  int64_t step_ns = 0;
  std::vector<std::string> group_by;  // dimension names and attributes.<key>
  DimensionFilter filter;             // record fields (as RecordQuery) and attributes.<key>
  std::string field;  // "" counts records; calls: latency, ttft, input_tokens, output_tokens,
                      // cost; scores and outcomes: value
  size_t max_groups = kMaxRawGroups;
};
struct RawAggregate {
  uint64_t count = 0;   // records matching
  uint64_t valued = 0;  // records with a value of the field
  double sum = 0;
  double sumsq = 0;
  stats::DDSketch sketch;
  CallAggregate calls;    // source calls: the rollup aggregate of the records
  ScoreAggregate scores;  // source scores or outcomes: the rollup aggregate of the records
};
using RawCell = RollupCell<RawAggregate>;

struct ApiKey {
  std::string hash;     // hex SHA-256 of the key
  std::string project;  // "" for admin keys
  std::string role;     // "admin" or "project"
  std::string name;     // a label for humans
  int64_t created_ns = 0;
};

struct RecordCounts {
  uint64_t calls = 0, scores = 0, outcomes = 0;
};

// What every backend's Append() checks before anything is written: each record has a project
// and an id (kInvalidArgument naming the kind of record otherwise).
Result<void> CheckRecordIds(const model::Batch& batch);

class Store {
 public:
  virtual ~Store() = default;

  // Durably stores the batch (see the contract above). Records must carry their project.
  virtual Result<AppendResult> Append(const model::Batch& batch) = 0;

  virtual Result<std::vector<CallRollupCell>> QueryCallRollups(const RollupQuery& query) = 0;
  virtual Result<std::vector<ScoreRollupCell>> QueryScoreRollups(const RollupQuery& query) = 0;
  // Outcomes roll up like scores (count and sum of values) by name; RollupQuery::score_name
  // names the outcome.
  virtual Result<std::vector<ScoreRollupCell>> QueryOutcomeRollups(const RollupQuery& query) = 0;
  // RollupQuery::group_by may name attributes.<key> here too: the attribute of the
  // conversation's first call in the range ("" when it has none); at most kMaxRawGroups groups.
  // The filter may name attributes.<key> as well (on the calls, like the dimensions).
  virtual Result<std::vector<ConversationCell>> QueryConversations(const RollupQuery& query) = 0;

  virtual Result<Page<model::Call>> ListCalls(const RecordQuery& query) = 0;
  virtual Result<Page<model::Score>> ListScores(const RecordQuery& query) = 0;
  virtual Result<Page<model::Outcome>> ListOutcomes(const RecordQuery& query) = 0;
  // kNotFound when the project has no record of the conversation.
  virtual Result<Conversation> GetConversation(const std::string& project,
                                               const std::string& conversation_id) = 0;

  virtual Result<std::vector<RawCell>> QueryRaw(const RawQuery& query) = 0;

  // Outcomes of the given names in [from, to), by subject.
  virtual Result<OutcomeSubjects> QueryOutcomeSubjects(const RecordQuery& query,
                                                       const std::vector<std::string>& names) = 0;

  // Projects and API keys.
  virtual Result<void> PutApiKey(const ApiKey& key) = 0;
  virtual Result<std::optional<ApiKey>> FindApiKey(const std::string& hash) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeys() = 0;
  virtual Result<void> PutProject(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> ListProjects() = 0;

  // Deletes raw records older than `raw_before_ns` and rollups older than the given limits.
  virtual Result<void> ApplyRetention(int64_t raw_before_ns, int64_t minute_before_ns,
                                      int64_t hour_before_ns, int64_t day_before_ns) = 0;

  virtual Result<RecordCounts> CountRecords(const std::string& project) = 0;

  // Flushes and closes; further calls fail. Called on shutdown.
  virtual void Close() = 0;
};

struct SqliteOptions {
  std::string path;                // database file; its directory must exist
  bool synchronous_full = true;    // PRAGMA synchronous=FULL (durable acks) or NORMAL
  int64_t cache_bytes = 64 << 20;  // page cache
  // Calls per generation of the id and conversation key indexes (docs/sqlite-store.md): fewer
  // make a group's index writes smaller and a lookup probe more generations. Tests make it small.
  int64_t calls_per_generation = 1 << 14;
  // Page size of a new database file (a power of two, 512..65536); an existing file keeps its
  // own (docs/sqlite-store.md).
  int page_size = 16384;
  // The hour rollups of calls in an hour are built this long after the hour ends (day rollups
  // with a day's last hour); until then queries read that time from minute (or hour) rollups,
  // and the writer does not rewrite hour and day rows with every group. Later calls for a built
  // hour update its rows as they arrive (docs/sqlite-store.md).
  int64_t coarse_rollup_delay_ns = 10 * kNanosPerMinute;
  // The wall clock, in ns since the epoch (tests set their own); empty: the system clock.
  std::function<int64_t()> clock = {};
};

// Opens (creating or migrating) a SQLite store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

struct ClickHouseOptions {
  std::vector<std::string> endpoints;  // http://host:port; with a cluster, one per shard
  std::string database = "yardstick";
  std::string user;  // "" = ClickHouse's default user
  std::string password;
  std::string cluster;    // remote_servers name for Distributed tables ("" = one server)
  std::string spool_dir;  // local spool for batches ClickHouse cannot take; created if missing
  size_t max_batch_records = 200'000;  // records per INSERT group (and per spool replay)
};

// Opens a ClickHouse store (creating or migrating the schema; ClickHouse must be reachable).
// Append() acknowledges a batch once ClickHouse accepted it, or, while ClickHouse is down, once
// it is durable in the spool (AppendResult then counts every record as stored); the spool is
// replayed in order, without duplicates, when ClickHouse is back (docs/clickhouse.md).
Result<std::unique_ptr<Store>> OpenClickHouseStore(const ClickHouseOptions& options);

}  // namespace yardstick::store

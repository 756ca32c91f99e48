// The SQLite backend of the store: WAL journal, one writer thread that commits every batch
// waiting at that moment in one transaction (group commit), and a small pool of read
// connections. Rollups are updated in the same transaction as the raw records they summarize,
// so an acknowledged batch and its rollups are durable together.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ranges>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "sqlite/sqlite.h"
#include "store/checkpointer.h"
#include "store/filters.h"
#include "store/id_filter.h"
#include "store/record_key.h"
#include "store/store.h"
#include "store/time_plan.h"
#include "store/wal_syncer.h"

namespace yardstick::store {
namespace {

using sqlite::Database;
using sqlite::Statement;

// Version 1 indexed calls by (project, id) and (project, conversation_id, start_ns); version 2
// indexes 64-bit keys of them instead (id_key, conversation_key; see record_key.h); version 3
// prefixes both key indexes with the call's generation (key_gen; see Writer); version 4 builds
// the hour and day rollups of calls when their period is over (rollup_state; see Writer).
constexpr int kSchemaVersion = 4;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS projects(name TEXT PRIMARY KEY, created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys(
  hash TEXT PRIMARY KEY, project TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
  created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS calls(
  project TEXT NOT NULL, id TEXT NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
  parent_span_id TEXT NOT NULL, conversation_id TEXT NOT NULL, session_id TEXT NOT NULL,
  user_id TEXT NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, ttft_s REAL,
  operation TEXT NOT NULL, provider TEXT NOT NULL, request_model TEXT NOT NULL,
  response_model TEXT NOT NULL, model TEXT NOT NULL, service TEXT NOT NULL,
  environment TEXT NOT NULL, route TEXT NOT NULL, prompt_name TEXT NOT NULL,
  prompt_version TEXT NOT NULL, release TEXT NOT NULL, variant TEXT NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL, cost_usd REAL, cost_computed INTEGER NOT NULL,
  status INTEGER NOT NULL, error_type TEXT NOT NULL, finish_reason TEXT NOT NULL,
  input_text TEXT NOT NULL, output_text TEXT NOT NULL, attributes TEXT NOT NULL,
  id_key INTEGER NOT NULL DEFAULT 0, conversation_key INTEGER,
  key_gen INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS calls_by_generation_key ON calls(key_gen, id_key);
CREATE INDEX IF NOT EXISTS calls_by_time ON calls(project, start_ns);
CREATE INDEX IF NOT EXISTS calls_by_generation_conversation ON calls(key_gen, conversation_key)
  WHERE conversation_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS scores(
  project TEXT NOT NULL, id TEXT NOT NULL, call_id TEXT NOT NULL, trace_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, value REAL,
  label TEXT NOT NULL, source TEXT NOT NULL, author TEXT NOT NULL, comment TEXT NOT NULL,
  time_ns INTEGER NOT NULL, attributes TEXT NOT NULL, model TEXT NOT NULL, route TEXT NOT NULL,
  prompt_version TEXT NOT NULL, variant TEXT NOT NULL, environment TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS scores_by_id ON scores(project, id);
CREATE INDEX IF NOT EXISTS scores_by_time ON scores(project, time_ns);
CREATE INDEX IF NOT EXISTS scores_by_conversation ON scores(project, conversation_id)
  WHERE conversation_id <> '';
CREATE TABLE IF NOT EXISTS outcomes(
  project TEXT NOT NULL, id TEXT NOT NULL, conversation_id TEXT NOT NULL,
  session_id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL,
  time_ns INTEGER NOT NULL, attributes TEXT NOT NULL, model TEXT NOT NULL, route TEXT NOT NULL,
  prompt_version TEXT NOT NULL, variant TEXT NOT NULL, environment TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS outcomes_by_id ON outcomes(project, id);
CREATE INDEX IF NOT EXISTS outcomes_by_time ON outcomes(project, time_ns);
CREATE INDEX IF NOT EXISTS outcomes_by_conversation ON outcomes(project, conversation_id, name)
  WHERE conversation_id <> '';
CREATE TABLE IF NOT EXISTS call_rollups(
  project TEXT NOT NULL, resolution INTEGER NOT NULL, ts INTEGER NOT NULL, model TEXT NOT NULL,
  route TEXT NOT NULL, prompt_version TEXT NOT NULL, variant TEXT NOT NULL,
  environment TEXT NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(project, resolution, ts, model, route, prompt_version, variant, environment))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS record_rollups(
  kind TEXT NOT NULL, project TEXT NOT NULL, resolution INTEGER NOT NULL, ts INTEGER NOT NULL,
  name TEXT NOT NULL, source TEXT NOT NULL, model TEXT NOT NULL, route TEXT NOT NULL,
  prompt_version TEXT NOT NULL, variant TEXT NOT NULL, environment TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(kind, project, name, resolution, ts, source, model, route, prompt_version, variant,
              environment)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_state(name TEXT PRIMARY KEY, value INTEGER NOT NULL)
  WITHOUT ROWID;
)sql";

// rollup_state row: hour rollups of calls exist for every hour before its value (ns).
constexpr std::string_view kHoursBuiltBefore = "call_hours_built_before";

// From version 1 to 2: key columns, filled from the ids (kSchema then creates their indexes).
constexpr std::string_view kMigrateV1ToV2 = R"sql(
ALTER TABLE calls ADD COLUMN id_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN conversation_key INTEGER;
UPDATE calls SET id_key = yardstick_record_key(project, id),
  conversation_key = CASE WHEN conversation_id <> ''
                     THEN yardstick_record_key(project, conversation_id) END;
DROP INDEX IF EXISTS calls_by_id;
DROP INDEX IF EXISTS calls_by_conversation;
)sql";

// From version 2 to 3: every call stored before is in generation 0 (kSchema then creates the
// generation-prefixed indexes).
constexpr std::string_view kMigrateV2ToV3 = R"sql(
ALTER TABLE calls ADD COLUMN key_gen INTEGER NOT NULL DEFAULT 0;
DROP INDEX IF EXISTS calls_by_key;
DROP INDEX IF EXISTS calls_by_conversation_key;
)sql";

// yardstick_record_key(project, text) in SQL, for the migration.
void RecordKeyFunction(sqlite3_context* context, int, sqlite3_value** args) {
  auto text = [&](int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(args[i]));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(args[i])))
             : std::string_view();
  };
  sqlite3_result_int64(context, RecordKey(text(0), text(1)));
}

// Dimension columns, in Dimensions' field order (identical names in every table).
constexpr std::string_view kDimColumns = "model, route, prompt_version, variant, environment";

void AppendJsonString(std::string& out, std::string_view v) {
  out.push_back('"');
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

// Attributes as a JSON object of strings (ingest has validated the text as UTF-8); the last
// value wins for a repeated key, as when the object is read back.
std::string EncodeAttributes(const model::Attributes& attributes) {
  if (attributes.empty()) return "{}";
  std::string out = "{";
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, attributes[i].first);
    out.push_back(':');
    AppendJsonString(out, attributes[i].second);
  }
  out.push_back('}');
  return out;
}

model::Attributes DecodeAttributes(std::string_view text) {
  model::Attributes out;
  if (text.empty() || text == "{}") return out;
  // ordered_json keeps the order the attributes were received in.
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    out.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
  }
  return out;
}

Dimensions ReadDims(const Statement& s, int first) {
  return Dimensions{std::string(s.Text(first)), std::string(s.Text(first + 1)),
                    std::string(s.Text(first + 2)), std::string(s.Text(first + 3)),
                    std::string(s.Text(first + 4))};
}

void BindDims(Statement& s, int first, const Dimensions& d) {
  s.Bind(first, d.model);
  s.Bind(first + 1, d.route);
  s.Bind(first + 2, d.prompt_version);
  s.Bind(first + 3, d.variant);
  s.Bind(first + 4, d.environment);
}

// Key of one rollup row.
struct RollupKey {
  char kind;  // 'c' call, 's' score, 'o' outcome
  std::string project;
  int resolution;
  int64_t ts;
  std::string name;
  std::string source;
  Dimensions dims;
  friend auto operator<=>(const RollupKey&, const RollupKey&) = default;
};

constexpr std::array<Resolution, 3> kResolutions = {Resolution::kMinute, Resolution::kHour,
                                                    Resolution::kDay};

// The part of writing a batch's calls that depends on the batch alone, worked out by the
// appending thread so that the writer thread (which every append waits for) does less.
struct PreparedCalls {
  std::vector<std::pair<int64_t, int64_t>> keys;  // RecordKey of id and conversation (0: none)
  std::vector<std::string> attributes;            // EncodeAttributes of each call
  // The calls' minute rollups, as if every call were new (the writer recomputes them for a
  // batch that turns out to hold duplicates).
  std::map<RollupKey, CallAggregate> minutes;
};

RollupKey MinuteKey(const model::Call& call) {
  return RollupKey{'c',
                   call.project,
                   static_cast<int>(Resolution::kMinute),
                   FloorTo(call.start_ns, kNanosPerMinute),
                   "",
                   "",
                   DimensionsOf(call)};
}

PreparedCalls PrepareCalls(const std::vector<model::Call>& calls) {
  PreparedCalls p;
  p.keys.reserve(calls.size());
  p.attributes.reserve(calls.size());
  for (const auto& call : calls) {
    p.keys.emplace_back(
        RecordKey(call.project, call.id),
        call.conversation_id.empty() ? 0 : RecordKey(call.project, call.conversation_id));
    p.attributes.push_back(EncodeAttributes(call.attributes));
    p.minutes[MinuteKey(call)].Add(call);
  }
  return p;
}

// Appends " AND col = ?" for each filter; collects the values to bind.
Result<void> AddFilters(const DimensionFilter& filter, const FilterColumns& columns,
                        std::string& sql, std::vector<std::string>& values,
                        const std::string& prefix = "") {
  for (const auto& [field, value] : filter) {
    auto column = FilterColumn(columns, field);
    if (!column) return std::unexpected(column.error());
    sql += " AND " + prefix + *column + " = ?";
    if (field == "status") {
      auto s = StatusValue(value);
      if (!s) return std::unexpected(s.error());
      values.push_back(*s);
    } else {
      values.push_back(value);
    }
  }
  return {};
}

// The SQL of a group_by entry: the column of a dimension, or the attribute's text ("" when the
// record lacks it). Attribute names are checked by CheckGroupBy (no quotes), so the JSON path is
// a safe literal.
std::string GroupExpression(const std::string& name) {
  if (!IsAttributeName(name)) return name;
  return "COALESCE(json_extract(attributes, '$.\"" + name.substr(kAttributePrefix.size()) +
         "\"'), '')";
}

std::unexpected<Error> TooManyGroups(size_t limit) {
  return MakeError(ErrorCode::kInvalidArgument, "the query has more than " + std::to_string(limit) +
                                                    " groups; filter it or group by fewer fields");
}

model::Call ReadCall(const Statement& s) {
  model::Call c;
  int i = 0;
  c.project = s.Text(i++);
  c.id = s.Text(i++);
  c.trace_id = s.Text(i++);
  c.span_id = s.Text(i++);
  c.parent_span_id = s.Text(i++);
  c.conversation_id = s.Text(i++);
  c.session_id = s.Text(i++);
  c.user_id = s.Text(i++);
  c.start_ns = s.Int(i++);
  c.end_ns = s.Int(i++);
  if (!s.IsNull(i)) c.ttft_s = s.Double(i);
  ++i;
  c.operation = s.Text(i++);
  c.provider = s.Text(i++);
  c.request_model = s.Text(i++);
  c.response_model = s.Text(i++);
  c.service = s.Text(i++);
  c.environment = s.Text(i++);
  c.route = s.Text(i++);
  c.prompt_name = s.Text(i++);
  c.prompt_version = s.Text(i++);
  c.release = s.Text(i++);
  c.variant = s.Text(i++);
  c.input_tokens = s.Int(i++);
  c.output_tokens = s.Int(i++);
  c.cache_read_tokens = s.Int(i++);
  c.cache_creation_tokens = s.Int(i++);
  c.reasoning_tokens = s.Int(i++);
  if (!s.IsNull(i)) c.cost_usd = s.Double(i);
  ++i;
  c.cost_computed = s.Int(i++) != 0;
  c.status = static_cast<model::CallStatus>(s.Int(i++));
  c.error_type = s.Text(i++);
  c.finish_reason = s.Text(i++);
  c.input_text = s.Text(i++);
  c.output_text = s.Text(i++);
  c.attributes = DecodeAttributes(s.Text(i++));
  return c;
}
constexpr std::string_view kCallColumns =
    "project, id, trace_id, span_id, parent_span_id, conversation_id, session_id, user_id, "
    "start_ns, end_ns, ttft_s, operation, provider, request_model, response_model, service, "
    "environment, route, prompt_name, prompt_version, release, variant, input_tokens, "
    "output_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost_usd, "
    "cost_computed, status, error_type, finish_reason, input_text, output_text, attributes";
constexpr int kCallColumnCount = 35;

model::Score ReadScore(const Statement& s) {
  model::Score r;
  int i = 0;
  r.project = s.Text(i++);
  r.id = s.Text(i++);
  r.call_id = s.Text(i++);
  r.trace_id = s.Text(i++);
  r.conversation_id = s.Text(i++);
  r.user_id = s.Text(i++);
  r.name = s.Text(i++);
  if (!s.IsNull(i)) r.value = s.Double(i);
  ++i;
  r.label = s.Text(i++);
  r.source = s.Text(i++);
  r.author = s.Text(i++);
  r.comment = s.Text(i++);
  r.time_ns = s.Int(i++);
  r.attributes = DecodeAttributes(s.Text(i++));
  return r;
}
constexpr std::string_view kScoreColumns =
    "project, id, call_id, trace_id, conversation_id, user_id, name, value, label, source, "
    "author, comment, time_ns, attributes";
constexpr int kScoreColumnCount = 14;

model::Outcome ReadOutcome(const Statement& s) {
  model::Outcome r;
  int i = 0;
  r.project = s.Text(i++);
  r.id = s.Text(i++);
  r.conversation_id = s.Text(i++);
  r.session_id = s.Text(i++);
  r.user_id = s.Text(i++);
  r.name = s.Text(i++);
  r.value = s.Double(i++);
  r.time_ns = s.Int(i++);
  r.attributes = DecodeAttributes(s.Text(i++));
  return r;
}
constexpr std::string_view kOutcomeColumns =
    "project, id, conversation_id, session_id, user_id, name, value, time_ns, attributes";
constexpr int kOutcomeColumnCount = 9;

std::string Placeholders(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The store's clock: the options' (tests) or the system's.
int64_t NowNs(const SqliteOptions& options) { return options.clock ? options.clock() : NowNs(); }

// The watermark of built hours (rollup_state), nullopt when the database has none yet.
Result<std::optional<int64_t>> ReadHoursBuiltBefore(Database& db) {
  auto cached = db.Cached("SELECT value FROM rollup_state WHERE name = ?");
  if (!cached) return std::unexpected(cached.error());
  Statement& s = **cached;
  s.Bind(1, std::string(kHoursBuiltBefore));
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<int64_t>(s.Int(0));
  if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, "rollup state: " + db.ErrorMessage());
  return std::optional<int64_t>();
}

// The writer's prepared statements and rollup cache; used only by the writer thread.
class Writer {
 public:
  // now_ns: the clock's time at the open (sets where hour rollups start being built, for a new
  // or migrated database).
  static Result<std::unique_ptr<Writer>> Create(Database db, int64_t calls_per_generation,
                                                int64_t coarse_rollup_delay_ns, int64_t now_ns) {
    auto w = std::unique_ptr<Writer>(new Writer(std::move(db)));
    w->calls_per_generation_ = std::max<int64_t>(1, calls_per_generation);
    w->coarse_rollup_delay_ns_ = std::max<int64_t>(0, coarse_rollup_delay_ns);
    auto& d = w->db_;
    auto prep = [&](Statement& s, const std::string& sql) -> Result<void> {
      auto r = d.Prepare(sql);
      if (!r) return std::unexpected(r.error());
      s = std::move(*r);
      return {};
    };
    const std::string ins_call = "INSERT INTO calls(" + std::string(kCallColumns) +
                                 ", model, id_key, conversation_key, key_gen) VALUES(" +
                                 Placeholders(kCallColumnCount + 4) + ")";
    const std::string ins_score = "INSERT OR IGNORE INTO scores(" + std::string(kScoreColumns) +
                                  ", " + std::string(kDimColumns) + ") VALUES(" +
                                  Placeholders(kScoreColumnCount + 5) + ")";
    const std::string ins_outcome = "INSERT OR IGNORE INTO outcomes(" +
                                    std::string(kOutcomeColumns) + ", " + std::string(kDimColumns) +
                                    ") VALUES(" + Placeholders(kOutcomeColumnCount + 5) + ")";
    for (auto r : {
             prep(w->insert_call_, ins_call),
             prep(w->insert_score_, ins_score),
             prep(w->insert_outcome_, ins_outcome),
             prep(w->find_call_,
                  "SELECT 1 FROM calls INDEXED BY calls_by_generation_key WHERE key_gen = ?4 AND "
                  "id_key = ?1 AND project = ?2 AND id = ?3"),
             prep(w->call_dims_, "SELECT conversation_id, " + std::string(kDimColumns) +
                                     " FROM calls INDEXED BY calls_by_generation_key WHERE "
                                     "key_gen = ?4 AND id_key = ?1 AND project = ?2 AND id = ?3"),
             prep(w->conversation_dims_,
                  "SELECT " + std::string(kDimColumns) +
                      " FROM calls INDEXED BY calls_by_generation_conversation WHERE key_gen = ?4 "
                      "AND conversation_key = ?1 AND project = ?2 AND conversation_id = ?3 ORDER "
                      "BY start_ns DESC LIMIT 1"),
             prep(w->generation_bounds_,
                  "SELECT (SELECT MIN(key_gen) FROM calls), (SELECT MAX(key_gen) FROM calls)"),
             prep(w->get_call_rollup_,
                  "SELECT data FROM call_rollups WHERE project = ? AND resolution = ? AND ts = "
                  "? AND model = ? AND route = ? AND prompt_version = ? AND variant = ? AND "
                  "environment = ?"),
             prep(w->put_call_rollup_,
                  "INSERT OR REPLACE INTO call_rollups(project, resolution, ts, " +
                      std::string(kDimColumns) + ", data) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"),
             prep(w->get_record_rollup_,
                  "SELECT data FROM record_rollups WHERE kind = ? AND project = ? AND name = ? "
                  "AND resolution = ? AND ts = ? AND source = ? AND model = ? AND route = ? AND "
                  "prompt_version = ? AND variant = ? AND environment = ?"),
             prep(w->put_record_rollup_,
                  "INSERT OR REPLACE INTO record_rollups(kind, project, name, resolution, ts, "
                  "source, " +
                      std::string(kDimColumns) +
                      ", data) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
             prep(w->put_project_, "INSERT OR IGNORE INTO projects(name, created_ns) VALUES(?, ?)"),
             prep(w->put_state_, "INSERT OR REPLACE INTO rollup_state(name, value) VALUES(?, ?)"),
             prep(w->list_projects_, "SELECT name FROM projects"),
             prep(w->next_minute_,
                  "SELECT MIN(ts) FROM call_rollups WHERE project = ? AND resolution = 0 AND ts "
                  ">= ? AND ts < ?"),
             prep(w->finer_rollups_, "SELECT " + std::string(kDimColumns) +
                                         ", data FROM call_rollups WHERE project = ? AND "
                                         "resolution = ? AND ts >= ? AND ts < ?"),
         }) {
      if (!r) return std::unexpected(r.error());
    }
    if (auto r = w->LoadGenerations(); !r) return std::unexpected(r.error());
    if (auto r = w->LoadHoursBuiltBefore(now_ns); !r) return std::unexpected(r.error());
    return w;
  }

  // Hour rollups of calls exist for every hour before this (hour-aligned) time, day rollups for
  // every day before FloorTo(it, day); later calls have minute rollups only, until
  // BuildCoarseRollups.
  int64_t hours_built_before() const { return hours_built_before_; }
  // When BuildCoarseRollups next has an hour to build.
  int64_t next_build_ns() const {
    return hours_built_before_ + kNanosPerHour + coarse_rollup_delay_ns_;
  }

  // Builds the hour rollups of every hour that ended at least the delay before now_ns from its
  // minute rollups, and the day rollups of each day whose last hour that builds from its hours,
  // then moves the watermark, in one transaction (so a crash keeps rows and watermark in step).
  Result<void> BuildCoarseRollups(int64_t now_ns) {
    const int64_t target = FloorTo(now_ns - coarse_rollup_delay_ns_, kNanosPerHour);
    if (target <= hours_built_before_) return {};
    if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return r;
    auto fail = [&](const Error& e) -> Result<void> {
      (void)db_.Exec("ROLLBACK");
      call_cache_.clear();
      return std::unexpected(e);
    };
    std::vector<std::string> projects;
    int rc;
    while ((rc = list_projects_.Step()) == SQLITE_ROW)
      projects.emplace_back(list_projects_.Text(0));
    list_projects_.Reset();
    if (rc != SQLITE_DONE) return fail(Error(ErrorCode::kIo, db_.ErrorMessage()));
    int64_t w = hours_built_before_;
    while (w < target) {
      // Hours without minute rollups are skipped at once (after a long stop, say).
      auto next = NextMinuteRollup(projects, w, target);
      if (!next) return fail(next.error());
      const int64_t hour = std::min(target, FloorTo(*next, kNanosPerHour));
      if (hour == w) {
        if (auto r = BuildFromFiner(projects, Resolution::kHour, w); !r) return fail(r.error());
        w += kNanosPerHour;
        if (w % kNanosPerDay == 0) {
          if (auto r = BuildFromFiner(projects, Resolution::kDay, w - kNanosPerDay); !r) {
            return fail(r.error());
          }
        }
        continue;
      }
      // Days that end within the skipped hours may hold hours built before.
      for (int64_t end = FloorTo(w, kNanosPerDay) + kNanosPerDay; end <= hour;
           end += kNanosPerDay) {
        if (auto r = BuildFromFiner(projects, Resolution::kDay, end - kNanosPerDay); !r) {
          return fail(r.error());
        }
      }
      w = hour;
    }
    put_state_.Bind(1, std::string(kHoursBuiltBefore));
    put_state_.Bind(2, w);
    rc = put_state_.Step();
    put_state_.Reset();
    if (rc != SQLITE_DONE) return fail(Error(ErrorCode::kIo, db_.ErrorMessage()));
    if (auto r = db_.Exec("COMMIT"); !r) return fail(r.error());
    hours_built_before_ = w;
    // The cache may hold rows the build replaced.
    call_cache_.clear();
    return {};
  }

  Database& db() { return db_; }
  // The filters of stored call ids and of stored conversations (set before the writer thread
  // starts; may be null).
  void set_filters(IdFilter* ids, IdFilter* conversations, GenerationFilters* generations) {
    id_filter_ = ids;
    conversation_filter_ = conversations;
    generation_conversations_ = generations;
  }

  // Writes a group of batches in one transaction; prepared[i] is PrepareCalls of group[i]'s calls.
  Result<std::vector<AppendResult>> WriteGroup(const std::vector<const model::Batch*>& group,
                                               const std::vector<const PreparedCalls*>& prepared) {
    if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
    std::vector<AppendResult> results(group.size());
    std::map<RollupKey, CallAggregate> call_deltas;
    std::map<RollupKey, ScoreAggregate> record_deltas;
    auto fail = [&](const Error& e) -> Result<std::vector<AppendResult>> {
      (void)db_.Exec("ROLLBACK");
      call_cache_.clear();
      record_cache_.clear();
      return std::unexpected(e);
    };
    for (size_t b = 0; b < group.size(); ++b) {
      const model::Batch& batch = *group[b];
      // Decided once per batch: the filter only ever becomes complete.
      results[b].new_conversations_known =
          conversation_filter_ != nullptr && conversation_filter_->complete();
      batch_new_conversations_ =
          results[b].new_conversations_known ? &results[b].new_conversations : nullptr;
      const PreparedCalls& prep = *prepared[b];
      // The filters' cache lines of the batch's calls, requested all at once.
      for (const auto& [id, conversation] : prep.keys) {
        if (id_filter_ != nullptr) id_filter_->Prefetch(static_cast<uint64_t>(id));
        if (conversation_filter_ != nullptr && conversation != 0) {
          conversation_filter_->Prefetch(static_cast<uint64_t>(conversation));
        }
      }
      const uint64_t duplicates_before = results[b].duplicates;
      stored_.assign(batch.calls.size(), false);
      for (size_t c = 0; c < batch.calls.size(); ++c) {
        const model::Call& call = batch.calls[c];
        auto r = InsertCall(call, prep.keys[c].first, prep.keys[c].second, prep.attributes[c]);
        if (!r) return fail(r.error());
        if (!*r) {
          ++results[b].duplicates;
          continue;
        }
        ++results[b].stored;
        stored_[c] = true;
        NoteProject(call.project);
      }
      // Minutes first; hours and days are merged from the minutes below.
      if (results[b].duplicates == duplicates_before) {
        for (const auto& [key, delta] : prep.minutes) {
          if (auto r = call_deltas[key].Merge(delta); !r) return fail(r.error());
        }
      } else {
        for (size_t c = 0; c < batch.calls.size(); ++c) {
          if (stored_[c]) call_deltas[MinuteKey(batch.calls[c])].Add(batch.calls[c]);
        }
      }
      for (const auto& score : batch.scores) {
        auto r = InsertScore(score);
        if (!r) return fail(r.error());
        if (!r->has_value()) {
          ++results[b].duplicates;
          continue;
        }
        ++results[b].stored;
        NoteProject(score.project);
        for (Resolution res : kResolutions) {
          RollupKey key{'s',
                        score.project,
                        static_cast<int>(res),
                        FloorTo(score.time_ns, ResolutionNanos(res)),
                        score.name,
                        score.source,
                        **r};
          record_deltas[std::move(key)].Add(score);
        }
      }
      for (const auto& outcome : batch.outcomes) {
        auto r = InsertOutcome(outcome);
        if (!r) return fail(r.error());
        if (!r->has_value()) {
          ++results[b].duplicates;
          continue;
        }
        ++results[b].stored;
        NoteProject(outcome.project);
        for (Resolution res : kResolutions) {
          RollupKey key{'o',
                        outcome.project,
                        static_cast<int>(res),
                        FloorTo(outcome.time_ns, ResolutionNanos(res)),
                        outcome.name,
                        "",
                        **r};
          record_deltas[std::move(key)].Add(outcome);
        }
      }
    }
    // Hours and days that are built already (late calls) get the calls now; the others are built
    // from the minutes when they are over (BuildCoarseRollups).
    std::map<RollupKey, CallAggregate> coarse;
    const int64_t days_built_before = FloorTo(hours_built_before_, kNanosPerDay);
    for (const auto& [key, delta] : call_deltas) {
      for (Resolution res : {Resolution::kHour, Resolution::kDay}) {
        if (key.ts >= (res == Resolution::kHour ? hours_built_before_ : days_built_before)) {
          continue;
        }
        RollupKey k = key;
        k.resolution = static_cast<int>(res);
        k.ts = FloorTo(key.ts, ResolutionNanos(res));
        if (auto r = coarse[std::move(k)].Merge(delta); !r) return fail(r.error());
      }
    }
    for (const auto* deltas : {&call_deltas, &coarse}) {
      for (const auto& [key, delta] : *deltas) {
        if (auto r = UpsertCallRollup(key, delta); !r) return fail(r.error());
      }
    }
    for (auto& [key, delta] : record_deltas) {
      if (auto r = UpsertRecordRollup(key, delta); !r) return fail(r.error());
    }
    for (const auto& p : new_projects_) {
      put_project_.Bind(1, p);
      put_project_.Bind(2, NowNs());
      const int rc = put_project_.Step();
      put_project_.Reset();
      if (rc != SQLITE_DONE) return fail(Error(ErrorCode::kIo, db_.ErrorMessage()));
    }
    if (auto r = db_.Exec("COMMIT"); !r) return fail(r.error());
    for (auto& p : new_projects_) known_projects_.insert(std::move(p));
    new_projects_.clear();
    if (call_cache_.size() > kMaxCacheEntries) call_cache_.clear();
    if (record_cache_.size() > kMaxCacheEntries) record_cache_.clear();
    return results;
  }

  void ClearCaches() {
    call_cache_.clear();
    record_cache_.clear();
  }

 private:
  static constexpr size_t kMaxCacheEntries = 50'000;

  explicit Writer(Database db) : db_(std::move(db)) {}

  // A record of (project, conversation) was stored: the conversation is new to the store when
  // the complete filter has never seen it (AppendResult::new_conversations).
  void NoteConversation(const std::string& project, const std::string& conversation_id,
                        int64_t conversation_key = 0) {
    if (conversation_id.empty() || conversation_filter_ == nullptr) return;
    const auto key = static_cast<uint64_t>(
        conversation_key != 0 ? conversation_key : RecordKey(project, conversation_id));
    if (batch_new_conversations_ != nullptr && !conversation_filter_->MayContain(key)) {
      batch_new_conversations_->emplace_back(project, conversation_id);
    }
    conversation_filter_->Add(key);
  }

  void NoteProject(const std::string& p) {
    if (!known_projects_.contains(p)) new_projects_.insert(p);
  }

  // Whether a call with this id key, or a conversation with this key, may be stored (false only
  // when the complete filter says no).
  static bool MayHave(const IdFilter* filter, uint64_t key) {
    return filter == nullptr || !filter->complete() || filter->MayContain(key);
  }
  bool MayHaveCall(uint64_t id_key) const { return MayHave(id_filter_, id_key); }
  bool MayHaveConversation(uint64_t key) const { return MayHave(conversation_filter_, key); }

  // The stored watermark of built hours; a database without one gets the hour that ended the
  // delay before now.
  Result<void> LoadHoursBuiltBefore(int64_t now_ns) {
    auto stored = ReadHoursBuiltBefore(db_);
    if (!stored) return std::unexpected(stored.error());
    if (stored->has_value()) {
      hours_built_before_ = **stored;
      return {};
    }
    // A new database, or one whose every hour and day rollup was written with its calls: hours
    // from here on are built when they end (rows an older build wrote for them are replaced).
    hours_built_before_ = FloorTo(now_ns - coarse_rollup_delay_ns_, kNanosPerHour);
    put_state_.Bind(1, std::string(kHoursBuiltBefore));
    put_state_.Bind(2, hours_built_before_);
    const int put = put_state_.Step();
    put_state_.Reset();
    if (put != SQLITE_DONE) return MakeError(ErrorCode::kIo, "rollup state: " + db_.ErrorMessage());
    return {};
  }

  // The earliest minute rollup in [from, to) of any project, or `to`.
  Result<int64_t> NextMinuteRollup(const std::vector<std::string>& projects, int64_t from,
                                   int64_t to) {
    int64_t next = to;
    for (const auto& p : projects) {
      next_minute_.Bind(1, p);
      next_minute_.Bind(2, from);
      next_minute_.Bind(3, next);
      const int rc = next_minute_.Step();
      if (rc == SQLITE_ROW && !next_minute_.IsNull(0)) next = next_minute_.Int(0);
      next_minute_.Reset();
      if (rc != SQLITE_ROW) return MakeError(ErrorCode::kIo, db_.ErrorMessage());
    }
    return next;
  }

  // Writes the `res` (hour or day) rollup rows of the period starting at ts, each the merge of
  // the finer rows inside it, over whatever row was there.
  Result<void> BuildFromFiner(const std::vector<std::string>& projects, Resolution res,
                              int64_t ts) {
    const Resolution finer = res == Resolution::kDay ? Resolution::kHour : Resolution::kMinute;
    for (const auto& p : projects) {
      std::map<Dimensions, CallAggregate> merged;
      finer_rollups_.Bind(1, p);
      finer_rollups_.Bind(2, static_cast<int64_t>(finer));
      finer_rollups_.Bind(3, ts);
      finer_rollups_.Bind(4, ts + ResolutionNanos(res));
      auto merge_rows = [&]() -> Result<void> {
        int rc;
        while ((rc = finer_rollups_.Step()) == SQLITE_ROW) {
          auto a = CallAggregate::Deserialize(finer_rollups_.Blob(5));
          if (!a) return std::unexpected(a.error());
          if (auto r = merged[ReadDims(finer_rollups_, 0)].Merge(*a); !r) return r;
        }
        if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, db_.ErrorMessage());
        return {};
      };
      auto merged_rows = merge_rows();
      finer_rollups_.Reset();
      if (!merged_rows) return merged_rows;
      for (const auto& [dims, agg] : merged) {
        if (auto r = PutCallRollup(p, static_cast<int>(res), ts, dims, agg); !r) return r;
      }
    }
    return {};
  }

  Result<void> PutCallRollup(const std::string& project, int resolution, int64_t ts,
                             const Dimensions& dims, const CallAggregate& agg) {
    Statement& p = put_call_rollup_;
    p.Bind(1, project);
    p.Bind(2, static_cast<int64_t>(resolution));
    p.Bind(3, ts);
    BindDims(p, 4, dims);
    p.BindBlob(9, agg.Serialize());
    const int rc = p.Step();
    p.Reset();
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, "rollup: " + db_.ErrorMessage());
    return {};
  }

  // The generations stored so far; new calls start a generation of their own.
  Result<void> LoadGenerations() {
    const int rc = generation_bounds_.Step();
    if (rc == SQLITE_ROW && !generation_bounds_.IsNull(1)) {
      oldest_generation_ = generation_bounds_.Int(0);
      generation_ = generation_bounds_.Int(1) + 1;
    }
    generation_bounds_.Reset();
    if (rc != SQLITE_ROW) return MakeError(ErrorCode::kIo, "generations: " + db_.ErrorMessage());
    return {};
  }

  // Every generation stored, newest first.
  auto AllGenerations() const {
    return std::views::iota(oldest_generation_, generation_ + 1) | std::views::reverse;
  }

  // Steps `s`, whose parameter 4 is a generation, in each of `generations` (newest first) until
  // one gives a row. Returns SQLITE_ROW with `s` on that row, SQLITE_DONE when no generation has
  // one, or SQLite's error code; the caller resets `s`.
  template <typename Generations>
  int StepNewestFirst(Statement& s, Generations&& generations) {
    for (int64_t g : generations) {
      s.Bind(4, g);
      const int rc = s.Step();
      if (rc != SQLITE_DONE) return rc;
      s.Rewind();
    }
    return SQLITE_DONE;
  }

  // Returns whether the call was new.
  // `id_key` and `conversation_key` are RecordKey of the call's id and conversation (0 without
  // one).
  Result<bool> InsertCall(const model::Call& c, int64_t id_key, int64_t conversation_key,
                          const std::string& attributes) {
    // Deduplication: the key finds the candidates, project and id decide (keys may collide).
    // The id filter skips the lookup for ids that are certainly new.
    const auto filter_key = static_cast<uint64_t>(id_key);
    if (MayHaveCall(filter_key)) {
      find_call_.Bind(1, id_key);
      find_call_.BindStatic(2, c.project);
      find_call_.BindStatic(3, c.id);
      const int found = StepNewestFirst(find_call_, AllGenerations());
      find_call_.Reset();
      if (found == SQLITE_ROW) return false;
      if (found != SQLITE_DONE) {
        return MakeError(ErrorCode::kIo, "find call: " + db_.ErrorMessage());
      }
    }
    Statement& s = insert_call_;
    int i = 1;
    s.BindStatic(i++, c.project);
    s.BindStatic(i++, c.id);
    s.BindStatic(i++, c.trace_id);
    s.BindStatic(i++, c.span_id);
    s.BindStatic(i++, c.parent_span_id);
    s.BindStatic(i++, c.conversation_id);
    s.BindStatic(i++, c.session_id);
    s.BindStatic(i++, c.user_id);
    s.Bind(i++, c.start_ns);
    s.Bind(i++, c.end_ns);
    s.Bind(i++, c.ttft_s);
    s.BindStatic(i++, c.operation);
    s.BindStatic(i++, c.provider);
    s.BindStatic(i++, c.request_model);
    s.BindStatic(i++, c.response_model);
    s.BindStatic(i++, c.service);
    s.BindStatic(i++, c.environment);
    s.BindStatic(i++, c.route);
    s.BindStatic(i++, c.prompt_name);
    s.BindStatic(i++, c.prompt_version);
    s.BindStatic(i++, c.release);
    s.BindStatic(i++, c.variant);
    s.Bind(i++, c.input_tokens);
    s.Bind(i++, c.output_tokens);
    s.Bind(i++, c.cache_read_tokens);
    s.Bind(i++, c.cache_creation_tokens);
    s.Bind(i++, c.reasoning_tokens);
    s.Bind(i++, c.cost_usd);
    s.Bind(i++, static_cast<int64_t>(c.cost_computed));
    s.Bind(i++, static_cast<int64_t>(c.status));
    s.BindStatic(i++, c.error_type);
    s.BindStatic(i++, c.finish_reason);
    s.BindStatic(i++, c.input_text);
    s.BindStatic(i++, c.output_text);
    s.BindStatic(i++, attributes);
    s.BindStatic(i++, c.model());
    s.Bind(i++, id_key);
    if (c.conversation_id.empty()) {
      s.BindNull(i++);
    } else {
      s.Bind(i++, conversation_key);
    }
    s.Bind(i++, generation_);
    const int rc = s.Step();
    s.Reset();
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, "insert call: " + db_.ErrorMessage());
    if (generation_conversations_ != nullptr && !c.conversation_id.empty()) {
      generation_conversations_->Add(generation_, static_cast<uint64_t>(conversation_key));
    }
    if (++generation_calls_ == calls_per_generation_) {
      ++generation_;
      generation_calls_ = 0;
    }
    // Added before the commit: a rolled-back call stays in the filter, which only costs a lookup.
    if (id_filter_ != nullptr) id_filter_->Add(filter_key);
    NoteConversation(c.project, c.conversation_id, conversation_key);
    return true;
  }

  // Dimensions (and conversation) of the call a score or outcome refers to.
  Result<std::pair<std::string, Dimensions>> LinkedDims(const std::string& project,
                                                        const std::string& call_id,
                                                        const std::string& conversation_id) {
    const int64_t call_key = call_id.empty() ? 0 : RecordKey(project, call_id);
    if (!call_id.empty() && MayHaveCall(static_cast<uint64_t>(call_key))) {
      call_dims_.Bind(1, call_key);
      call_dims_.Bind(2, project);
      call_dims_.Bind(3, call_id);
      const int rc = StepNewestFirst(call_dims_, AllGenerations());
      std::pair<std::string, Dimensions> out;
      if (rc == SQLITE_ROW) out = {std::string(call_dims_.Text(0)), ReadDims(call_dims_, 1)};
      call_dims_.Reset();
      if (rc == SQLITE_ROW) {
        if (!conversation_id.empty()) out.first = conversation_id;
        return out;
      }
      if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, db_.ErrorMessage());
    }
    std::pair<std::string, Dimensions> out{conversation_id, {}};
    const int64_t conversation_key =
        conversation_id.empty() ? 0 : RecordKey(project, conversation_id);
    if (!conversation_id.empty() && MayHaveConversation(static_cast<uint64_t>(conversation_key))) {
      conversation_dims_.Bind(1, conversation_key);
      conversation_dims_.Bind(2, project);
      conversation_dims_.Bind(3, conversation_id);
      const bool known =
          generation_conversations_ != nullptr && generation_conversations_->complete();
      const int rc =
          known ? StepNewestFirst(conversation_dims_, generation_conversations_->Candidates(
                                                          static_cast<uint64_t>(conversation_key)))
                : StepNewestFirst(conversation_dims_, AllGenerations());
      if (rc == SQLITE_ROW) out.second = ReadDims(conversation_dims_, 0);
      conversation_dims_.Reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return MakeError(ErrorCode::kIo, db_.ErrorMessage());
      }
    }
    return out;
  }

  // Returns the dimensions used for the rollup when the score was new, nullopt for a duplicate.
  Result<std::optional<Dimensions>> InsertScore(const model::Score& r) {
    auto linked = LinkedDims(r.project, r.call_id, r.conversation_id);
    if (!linked) return std::unexpected(linked.error());
    Statement& s = insert_score_;
    int i = 1;
    s.Bind(i++, r.project);
    s.Bind(i++, r.id);
    s.Bind(i++, r.call_id);
    s.Bind(i++, r.trace_id);
    s.Bind(i++, linked->first);
    s.Bind(i++, r.user_id);
    s.Bind(i++, r.name);
    s.Bind(i++, r.value);
    s.Bind(i++, r.label);
    s.Bind(i++, r.source);
    s.Bind(i++, r.author);
    s.Bind(i++, r.comment);
    s.Bind(i++, r.time_ns);
    s.Bind(i++, EncodeAttributes(r.attributes));
    BindDims(s, i, linked->second);
    const int rc = s.Step();
    s.Reset();
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, "insert score: " + db_.ErrorMessage());
    if (db_.Changes() == 0) return std::optional<Dimensions>();
    NoteConversation(r.project, linked->first);
    return std::optional<Dimensions>(std::move(linked->second));
  }

  Result<std::optional<Dimensions>> InsertOutcome(const model::Outcome& r) {
    auto linked = LinkedDims(r.project, "", r.conversation_id);
    if (!linked) return std::unexpected(linked.error());
    Statement& s = insert_outcome_;
    int i = 1;
    s.Bind(i++, r.project);
    s.Bind(i++, r.id);
    s.Bind(i++, r.conversation_id);
    s.Bind(i++, r.session_id);
    s.Bind(i++, r.user_id);
    s.Bind(i++, r.name);
    s.Bind(i++, r.value);
    s.Bind(i++, r.time_ns);
    s.Bind(i++, EncodeAttributes(r.attributes));
    BindDims(s, i, linked->second);
    const int rc = s.Step();
    s.Reset();
    if (rc != SQLITE_DONE) {
      return MakeError(ErrorCode::kIo, "insert outcome: " + db_.ErrorMessage());
    }
    if (db_.Changes() == 0) return std::optional<Dimensions>();
    NoteConversation(r.project, r.conversation_id);
    return std::optional<Dimensions>(std::move(linked->second));
  }

  Result<void> UpsertCallRollup(const RollupKey& key, const CallAggregate& delta) {
    auto it = call_cache_.find(key);
    if (it == call_cache_.end()) {
      CallAggregate current;
      Statement& g = get_call_rollup_;
      g.Bind(1, key.project);
      g.Bind(2, static_cast<int64_t>(key.resolution));
      g.Bind(3, key.ts);
      BindDims(g, 4, key.dims);
      const int rc = g.Step();
      if (rc == SQLITE_ROW) {
        auto a = CallAggregate::Deserialize(g.Blob(0));
        if (!a) {
          g.Reset();
          return std::unexpected(a.error());
        }
        current = std::move(*a);
      }
      g.Reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return MakeError(ErrorCode::kIo, db_.ErrorMessage());
      }
      it = call_cache_.emplace(key, std::move(current)).first;
    }
    if (auto r = it->second.Merge(delta); !r) return r;
    return PutCallRollup(key.project, key.resolution, key.ts, key.dims, it->second);
  }

  Result<void> UpsertRecordRollup(const RollupKey& key, const ScoreAggregate& delta) {
    auto it = record_cache_.find(key);
    const std::string kind(1, key.kind);
    if (it == record_cache_.end()) {
      ScoreAggregate current;
      Statement& g = get_record_rollup_;
      g.Bind(1, kind);
      g.Bind(2, key.project);
      g.Bind(3, key.name);
      g.Bind(4, static_cast<int64_t>(key.resolution));
      g.Bind(5, key.ts);
      g.Bind(6, key.source);
      BindDims(g, 7, key.dims);
      const int rc = g.Step();
      if (rc == SQLITE_ROW) {
        auto a = ScoreAggregate::Deserialize(g.Blob(0));
        if (!a) {
          g.Reset();
          return std::unexpected(a.error());
        }
        current = *a;
      }
      g.Reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return MakeError(ErrorCode::kIo, db_.ErrorMessage());
      }
      it = record_cache_.emplace(key, current).first;
    }
    it->second.Merge(delta);
    Statement& p = put_record_rollup_;
    p.Bind(1, kind);
    p.Bind(2, key.project);
    p.Bind(3, key.name);
    p.Bind(4, static_cast<int64_t>(key.resolution));
    p.Bind(5, key.ts);
    p.Bind(6, key.source);
    BindDims(p, 7, key.dims);
    p.BindBlob(12, it->second.Serialize());
    const int rc = p.Step();
    p.Reset();
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, "rollup: " + db_.ErrorMessage());
    return {};
  }

  Database db_;
  Statement insert_call_, insert_score_, insert_outcome_, find_call_, call_dims_,
      conversation_dims_, generation_bounds_;
  // Calls are stored in generations of calls_per_generation_ calls in the order they arrive,
  // and the id and conversation key indexes are ordered by generation first: a group's inserts
  // then fall into the few pages of the newest generation instead of random pages of the whole
  // index. A lookup probes the generations newest first. Every open starts a new generation.
  int64_t calls_per_generation_ = 1;
  int64_t generation_ = 0, oldest_generation_ = 0, generation_calls_ = 0;
  Statement get_call_rollup_, put_call_rollup_, get_record_rollup_, put_record_rollup_;
  Statement put_project_, put_state_, list_projects_, next_minute_, finer_rollups_;
  // Hour and day rollups of calls are built once their period is over (BuildCoarseRollups),
  // not rewritten with every group.
  int64_t coarse_rollup_delay_ns_ = 0;
  int64_t hours_built_before_ = 0;
  // Current values of recently written rollup rows (the writer is the only one who changes
  // them, so the cache equals the database; cleared on rollback).
  std::map<RollupKey, CallAggregate> call_cache_;
  std::map<RollupKey, ScoreAggregate> record_cache_;
  std::set<std::string> known_projects_;
  std::set<std::string> new_projects_;
  IdFilter* id_filter_ = nullptr;
  IdFilter* conversation_filter_ = nullptr;
  GenerationFilters* generation_conversations_ = nullptr;
  std::vector<bool> stored_;  // of the batch being written: which calls were new
  std::vector<std::pair<std::string, std::string>>* batch_new_conversations_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const SqliteOptions& options) {
    const int ps = options.page_size;
    if (ps < 512 || ps > 65536 || (ps & (ps - 1)) != 0) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "page size must be a power of two from 512 to 65536, not " + std::to_string(ps));
    }
    auto db = Database::Open(options.path, false);
    if (!db) return std::unexpected(db.error());
    // The page size applies when the file is created (by the first statement that writes).
    const std::string pragmas =
        "PRAGMA page_size=" + std::to_string(ps) +
        "; PRAGMA journal_mode=WAL; PRAGMA synchronous=" +
        std::string(options.synchronous_full ? "FULL" : "NORMAL") +
        "; PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
        std::to_string(options.cache_bytes / 1024) +
        // Read pages through a memory map instead of a read() per page.
        "; PRAGMA mmap_size=1073741824;";
    if (auto r = db->Exec(pragmas); !r) return std::unexpected(r.error());
    if (auto r = Migrate(*db); !r) return std::unexpected(r.error());
    // Durable acknowledgements come from the syncer from here on (wal_syncer.h): the writer's
    // commits only write the WAL.
    std::unique_ptr<WalSyncer> syncer;
    if (options.synchronous_full) {
      if (auto r = db->Exec("PRAGMA synchronous=NORMAL"); !r) return std::unexpected(r.error());
      syncer = std::make_unique<WalSyncer>(options.path + "-wal");
    }
    // Planned for the calls stored now (rowids only grow) and half as many again.
    int64_t stored_calls = 0;
    if (auto m = db->Prepare("SELECT coalesce(max(rowid), 0) FROM calls");
        m && m->Step() == SQLITE_ROW) {
      stored_calls = m->Int(0);
    }
    // At least a million keys (2 MB of address space each; pages cost memory once keys arrive),
    // so a growing store's filters have few segments to ask.
    constexpr int64_t kMinPlannedKeys = 1 << 20;
    auto id_filter = std::make_unique<IdFilter>(
        static_cast<size_t>(std::max(kMinPlannedKeys, stored_calls + stored_calls / 2)));
    // Conversations are fewer than calls; planned for half as many, it grows when needed.
    auto conversation_filter = std::make_unique<IdFilter>(
        static_cast<size_t>(std::max(kMinPlannedKeys, stored_calls / 2)));
    auto writer = Writer::Create(std::move(*db), options.calls_per_generation,
                                 options.coarse_rollup_delay_ns, NowNs(options));
    if (!writer) return std::unexpected(writer.error());
    auto generation_conversations = std::make_unique<GenerationFilters>(
        static_cast<size_t>(std::max<int64_t>(1, options.calls_per_generation)));
    (*writer)->set_filters(id_filter.get(), conversation_filter.get(),
                           generation_conversations.get());
    int page_size = 4096;
    if (auto p = (*writer)->db().Prepare("PRAGMA page_size"); p && p->Step() == SQLITE_ROW) {
      page_size = static_cast<int>(p->Int(0));
    }
    auto checkpointer = Checkpointer::Start((*writer)->db(), options.path, options.synchronous_full,
                                            CheckpointPages(page_size));
    if (!checkpointer) return std::unexpected(checkpointer.error());
    auto store = std::unique_ptr<SqliteStore>(new SqliteStore(
        options, std::move(*writer), std::move(*checkpointer), std::move(id_filter),
        std::move(conversation_filter), std::move(generation_conversations), std::move(syncer)));
    return std::unique_ptr<Store>(std::move(store));
  }

  ~SqliteStore() override { Close(); }

  Result<AppendResult> Append(const model::Batch& batch) override {
    if (auto r = CheckRecordIds(batch); !r) return std::unexpected(r.error());
    if (batch.empty()) return AppendResult{};
    Pending pending{&batch, PrepareCalls(batch.calls), {}};
    auto future = pending.done.get_future();
    {
      std::lock_guard lock(queue_mutex_);
      if (closed_) return MakeError(ErrorCode::kUnsupported, "the store is closed");
      queue_.push_back(&pending);
    }
    queue_cv_.notify_one();
    return future.get();
  }

  Result<std::vector<CallRollupCell>> QueryCallRollups(const RollupQuery& q) override {
    return QueryRollups<CallAggregate>(q, 'c');
  }
  Result<std::vector<ScoreRollupCell>> QueryScoreRollups(const RollupQuery& q) override {
    return QueryRollups<ScoreAggregate>(q, 's');
  }
  Result<std::vector<ScoreRollupCell>> QueryOutcomeRollups(const RollupQuery& q) override {
    return QueryRollups<ScoreAggregate>(q, 'o');
  }

  Result<std::vector<ConversationCell>> QueryConversations(const RollupQuery& q) override {
    if (auto r = CheckGroupBy(q.group_by, true); !r) return std::unexpected(r.error());
    if (q.step_ns < 0) return MakeError(ErrorCode::kInvalidArgument, "negative step");
    const int64_t from = FloorTo(q.from_ns, kNanosPerMinute);
    const int64_t to = CeilTo(q.to_ns, kNanosPerMinute);
    // Named parameters first (:project = 1, :from = 2, :to = 3); the filters' anonymous
    // parameters follow, then :step.
    std::string where =
        "project = :project AND conversation_id <> '' AND start_ns >= :from AND start_ns < :to";
    std::vector<std::string> values;
    DimensionFilter plain, attribute_filters;
    for (const auto& f : q.filter)
      (IsAttributeName(f.first) ? attribute_filters : plain).push_back(f);
    if (auto r = AddFilters(plain, CallFilterColumns(), where, values); !r) {
      return std::unexpected(r.error());
    }
    for (const auto& [name, value] : attribute_filters) {
      if (auto r = CheckAttributeName(name); !r) return std::unexpected(r.error());
      where +=
          " AND json_extract(attributes, '$.\"" + name.substr(kAttributePrefix.size()) + "\"') = ?";
      values.push_back(value);
    }
    std::string groups, group_columns;
    for (size_t k = 0; k < q.group_by.size(); ++k) {
      groups += ", g" + std::to_string(k);
      // A bare column: its value comes from the conversation's first call (see below).
      group_columns += ", " + GroupExpression(q.group_by[k]) + " AS g" + std::to_string(k);
    }
    auto exists = [](const char* name) {
      return std::string(
                 "EXISTS(SELECT 1 FROM outcomes o WHERE o.project = conv.project AND "
                 "o.conversation_id = conv.cid AND o.name = '") +
             name + "')";
    };
    const std::string bucket = q.step_ns > 0 ? "(t0 - :from) / :step" : "0";
    // The bare columns (session, dimensions) come from the row of the conversation's first
    // call: SQLite takes them from the row of the query's only MIN(); the end and the cost are
    // aggregated separately.
    const std::string sql =
        "WITH first AS (SELECT project, conversation_id AS cid, MIN(start_ns) AS t0, session_id" +
        group_columns + " FROM calls WHERE " + where +
        " GROUP BY conversation_id), totals AS (SELECT conversation_id AS cid, MAX(end_ns) AS "
        "t1, SUM(COALESCE(cost_usd, 0)) AS cost FROM calls WHERE " +
        where +
        " GROUP BY conversation_id), conv AS (SELECT * FROM first JOIN totals USING (cid)) "
        "SELECT " +
        bucket + " AS bucket" + groups + ", COUNT(*), SUM(" + exists("escalated") + "), SUM(" +
        exists("resolved") + "), SUM(" + exists("resolved") + " AND NOT " +
        exists("repeat_contact") +
        "), SUM(EXISTS(SELECT 1 FROM scores s WHERE s.project = conv.project AND "
        "s.conversation_id = conv.cid AND s.source IN ('user', 'survey'))), "
        "SUM((t1 - t0) / 1e9), SUM(((t1 - t0) / 1e9) * ((t1 - t0) / 1e9)), SUM(cost), "
        "SUM(cost * cost), SUM(CASE WHEN " +
        exists("resolved") +
        " THEN cost ELSE 0 END), COUNT(DISTINCT NULLIF(session_id, '')) FROM conv GROUP BY "
        "bucket" +
        groups + " ORDER BY bucket" + groups;
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    auto cached_stmt = lease->db().Cached(sql);
    if (!cached_stmt) return std::unexpected(cached_stmt.error());
    Statement* stmt = &**cached_stmt;
    stmt->Bind(stmt->ParameterIndex(":project"), q.project);
    stmt->Bind(stmt->ParameterIndex(":from"), from);
    stmt->Bind(stmt->ParameterIndex(":to"), to);
    int i = 4;
    for (int copy = 0; copy < 2; ++copy) {  // the filters appear in both CTEs
      for (const auto& v : values) stmt->Bind(i++, v);
    }
    if (q.step_ns > 0) stmt->Bind(stmt->ParameterIndex(":step"), q.step_ns);
    std::vector<ConversationCell> out;
    std::set<std::vector<std::string>> distinct_groups;
    int rc;
    const int g = static_cast<int>(q.group_by.size());
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      ConversationCell cell;
      cell.bucket_ns = from + stmt->Int(0) * q.step_ns;
      for (int k = 0; k < g; ++k) cell.group.emplace_back(stmt->Text(1 + k));
      if (distinct_groups.insert(cell.group).second && distinct_groups.size() > kMaxRawGroups) {
        return TooManyGroups(kMaxRawGroups);
      }
      int c = 1 + g;
      auto& a = cell.aggregate;
      a.conversations = static_cast<uint64_t>(stmt->Int(c++));
      a.escalated = static_cast<uint64_t>(stmt->Int(c++));
      a.resolved = static_cast<uint64_t>(stmt->Int(c++));
      a.resolved_first_contact = static_cast<uint64_t>(stmt->Int(c++));
      a.with_feedback = static_cast<uint64_t>(stmt->Int(c++));
      a.duration_sum = stmt->Double(c++);
      a.duration_sumsq = stmt->Double(c++);
      a.cost_sum = stmt->Double(c++);
      a.cost_sumsq = stmt->Double(c++);
      a.resolved_cost_sum = stmt->Double(c++);
      a.sessions = static_cast<uint64_t>(stmt->Int(c++));
      out.push_back(std::move(cell));
    }
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, lease->db().ErrorMessage());
    return out;
  }

  Result<std::vector<RawCell>> QueryRaw(const RawQuery& q) override {
    if (auto r = CheckGroupBy(q.group_by, true); !r) return std::unexpected(r.error());
    if (q.step_ns < 0) return MakeError(ErrorCode::kInvalidArgument, "negative step");
    const std::map<std::string, std::string, std::less<>>* columns;
    std::string table, time_column, value;
    if (q.source == "calls") {
      columns = &CallFilterColumns();
      table = "calls";
      time_column = "start_ns";
      if (q.field == "latency") {
        value = "(end_ns - start_ns) / 1e9";
      } else if (q.field == "ttft") {
        value = "ttft_s";
      } else if (q.field == "input_tokens") {
        value = "NULLIF(input_tokens, -1)";
      } else if (q.field == "output_tokens") {
        value = "NULLIF(output_tokens, -1)";
      } else if (q.field == "cost") {
        value = "cost_usd";
      } else if (q.field.empty()) {
        value = "NULL";
      } else {
        return MakeError(ErrorCode::kInvalidArgument,
                         "calls have no field '" + q.field +
                             "' (allowed: latency, ttft, input_tokens, output_tokens, cost)");
      }
    } else if (q.source == "scores" || q.source == "outcomes") {
      columns = q.source == "scores" ? &ScoreFilterColumns() : &OutcomeFilterColumns();
      table = q.source;
      time_column = "time_ns";
      if (q.field == "value") {
        value = "value";
      } else if (q.field.empty()) {
        value = "NULL";
      } else {
        return MakeError(ErrorCode::kInvalidArgument,
                         q.source + " have no field '" + q.field + "' (allowed: value)");
      }
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       "source must be calls, scores or outcomes, not '" + q.source + "'");
    }
    const int64_t from = FloorTo(q.from_ns, kNanosPerMinute);
    const int64_t to = CeilTo(q.to_ns, kNanosPerMinute);
    // Columns 2.. feed the source's rollup aggregate.
    const std::string aggregate_columns =
        q.source == "calls"    ? "end_ns, ttft_s, input_tokens, output_tokens, cache_read_tokens, "
                                 "reasoning_tokens, cost_usd, status"
        : q.source == "scores" ? "value, label"
                               : "value";
    const int first_group = q.source == "calls" ? 10 : q.source == "scores" ? 4 : 3;
    std::string sql = "SELECT " + time_column + ", " + value + ", " + aggregate_columns;
    for (const auto& g : q.group_by) sql += ", " + GroupExpression(g);
    sql += " FROM " + table + " WHERE project = ? AND " + time_column + " >= ? AND " + time_column +
           " < ?";
    // attributes.<key> filters go through json_extract on the attribute object.
    DimensionFilter plain;
    std::vector<std::pair<std::string, std::string>> attribute_filters;
    for (const auto& f : q.filter) {
      if (IsAttributeName(f.first)) {
        attribute_filters.emplace_back("$.\"" + f.first.substr(11) + "\"", f.second);
      } else {
        plain.push_back(f);
      }
    }
    std::vector<std::string> values;
    if (auto r = AddFilters(plain, *columns, sql, values); !r) return std::unexpected(r.error());
    for (size_t k = 0; k < attribute_filters.size(); ++k) {
      sql += " AND json_extract(attributes, ?) = ?";
    }
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    auto cached_stmt = lease->db().Cached(sql);
    if (!cached_stmt) return std::unexpected(cached_stmt.error());
    Statement* stmt = &**cached_stmt;
    int i = 1;
    stmt->Bind(i++, q.project);
    stmt->Bind(i++, from);
    stmt->Bind(i++, to);
    for (const auto& v : values) stmt->Bind(i++, v);
    for (const auto& [path, v] : attribute_filters) {
      stmt->Bind(i++, path);
      stmt->Bind(i++, v);
    }
    // Cells are found by a byte key (bucket, then each group value with its length), built in
    // a reused buffer: no allocation per record once the cells exist.
    std::vector<RawCell> out;
    std::unordered_map<std::string, size_t> cell_index;
    std::unordered_set<std::string> distinct_groups;
    std::string key;
    int rc;
    const int g = static_cast<int>(q.group_by.size());
    const bool calls = q.source == "calls";
    const bool scores = q.source == "scores";
    model::Call call;
    model::Score score;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      const int64_t t = stmt->Int(0);
      const int64_t bucket = q.step_ns > 0 ? from + (t - from) / q.step_ns * q.step_ns : from;
      key.assign(reinterpret_cast<const char*>(&bucket), sizeof bucket);
      for (int k = 0; k < g; ++k) {
        const std::string_view v = stmt->Text(first_group + k);
        const auto n = static_cast<uint32_t>(v.size());
        key.append(reinterpret_cast<const char*>(&n), sizeof n);
        key.append(v);
      }
      auto [found, inserted] = cell_index.try_emplace(key, out.size());
      if (inserted) {
        RawCell cell;
        cell.bucket_ns = bucket;
        for (int k = 0; k < g; ++k) cell.group.emplace_back(stmt->Text(first_group + k));
        out.push_back(std::move(cell));
        if (q.max_groups > 0 && distinct_groups.insert(key.substr(sizeof bucket)).second &&
            distinct_groups.size() > q.max_groups) {
          return TooManyGroups(q.max_groups);
        }
      }
      RawAggregate& a = out[found->second].aggregate;
      if (calls) {
        call.start_ns = t;
        call.end_ns = stmt->Int(2);
        call.ttft_s = stmt->IsNull(3) ? std::nullopt : std::optional<double>(stmt->Double(3));
        call.input_tokens = stmt->Int(4);
        call.output_tokens = stmt->Int(5);
        call.cache_read_tokens = stmt->Int(6);
        call.reasoning_tokens = stmt->Int(7);
        call.cost_usd = stmt->IsNull(8) ? std::nullopt : std::optional<double>(stmt->Double(8));
        call.status = static_cast<model::CallStatus>(stmt->Int(9));
        a.calls.Add(call);
      } else if (scores) {
        score.value = stmt->IsNull(2) ? std::nullopt : std::optional<double>(stmt->Double(2));
        score.label = stmt->Text(3);
        a.scores.Add(score);
      } else {
        a.scores.AddValue(stmt->Double(2));
      }
      ++a.count;
      if (!stmt->IsNull(1)) {
        const double v = stmt->Double(1);
        ++a.valued;
        a.sum += v;
        a.sumsq += v * v;
        a.sketch.Add(v);
      }
    }
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, lease->db().ErrorMessage());
    std::sort(out.begin(), out.end(), [](const RawCell& x, const RawCell& y) {
      return std::tie(x.bucket_ns, x.group) < std::tie(y.bucket_ns, y.group);
    });
    return out;
  }

  Result<OutcomeSubjects> QueryOutcomeSubjects(const RecordQuery& q,
                                               const std::vector<std::string>& names) override {
    std::string sql =
        "SELECT name, COALESCE(NULLIF(conversation_id, ''), NULLIF(session_id, ''), user_id), "
        "MAX(value) FROM outcomes WHERE project = ? AND time_ns >= ? AND time_ns < ? AND name IN "
        "(" +
        Placeholders(static_cast<int>(names.size())) + ")";
    std::vector<std::string> values;
    if (auto r = AddFilters(q.filter, OutcomeFilterColumns(), sql, values); !r) {
      return std::unexpected(r.error());
    }
    sql += " GROUP BY 1, 2";
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    auto cached_stmt = lease->db().Cached(sql);
    if (!cached_stmt) return std::unexpected(cached_stmt.error());
    Statement* stmt = &**cached_stmt;
    int i = 1;
    stmt->Bind(i++, q.project);
    stmt->Bind(i++, q.from_ns);
    stmt->Bind(i++, q.to_ns);
    for (const auto& n : names) stmt->Bind(i++, n);
    for (const auto& v : values) stmt->Bind(i++, v);
    OutcomeSubjects out;
    int rc;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      out[std::string(stmt->Text(1))][std::string(stmt->Text(0))] = stmt->Double(2);
    }
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, stmt->ErrorMessage());
    return out;
  }

  Result<Page<model::Call>> ListCalls(const RecordQuery& q) override {
    return ListRecords<model::Call>(q, "calls", kCallColumns, "start_ns", CallFilterColumns(),
                                    ReadCall, kCallColumnCount);
  }
  Result<Page<model::Score>> ListScores(const RecordQuery& q) override {
    return ListRecords<model::Score>(q, "scores", kScoreColumns, "time_ns", ScoreFilterColumns(),
                                     ReadScore, kScoreColumnCount);
  }
  Result<Page<model::Outcome>> ListOutcomes(const RecordQuery& q) override {
    return ListRecords<model::Outcome>(q, "outcomes", kOutcomeColumns, "time_ns",
                                       OutcomeFilterColumns(), ReadOutcome, kOutcomeColumnCount);
  }

  Result<Conversation> GetConversation(const std::string& project,
                                       const std::string& conversation_id) override {
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    Conversation conv;
    conv.id = conversation_id;
    const int64_t key = RecordKey(project, conversation_id);
    // The generations to read the conversation's calls from: those whose filter may hold it,
    // or, until the filters are loaded after an open, every generation stored (see Writer).
    std::vector<int64_t> generations;
    if (generation_conversations_->complete()) {
      generations = generation_conversations_->Candidates(static_cast<uint64_t>(key));
    } else {
      auto bounds = lease->db().Cached(
          "SELECT (SELECT MIN(key_gen) FROM calls), (SELECT MAX(key_gen) FROM calls)");
      if (!bounds) return std::unexpected(bounds.error());
      if ((*bounds)->Step() == SQLITE_ROW && !(*bounds)->IsNull(0)) {
        for (int64_t g = (*bounds)->Int(1); g >= (*bounds)->Int(0); --g) generations.push_back(g);
      }
    }
    std::string generation_list;  // JSON, for :generations
    for (int64_t g : generations) {
      generation_list += (generation_list.empty() ? "[" : ",") + std::to_string(g);
    }
    generation_list += "]";
    auto run = [&](const std::string& sql, auto&& read) -> Result<void> {
      auto cached_stmt = lease->db().Cached(sql);
      if (!cached_stmt) return std::unexpected(cached_stmt.error());
      Statement* stmt = &**cached_stmt;
      stmt->Bind(1, project);
      stmt->Bind(2, conversation_id);
      if (const int i = stmt->ParameterIndex(":key"); i > 0) stmt->Bind(i, key);
      if (const int i = stmt->ParameterIndex(":generations"); i > 0) {
        stmt->Bind(i, generation_list);
      }
      int rc;
      while ((rc = stmt->Step()) == SQLITE_ROW) read(*stmt);
      if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, stmt->ErrorMessage());
      return {};
    };
    if (!generations.empty()) {
      if (auto r = run("SELECT " + std::string(kCallColumns) +
                           " FROM calls INDEXED BY calls_by_generation_conversation WHERE "
                           "project = ?1 AND conversation_id = ?2 AND conversation_key = :key AND "
                           "key_gen IN (SELECT value FROM json_each(:generations)) ORDER BY "
                           "start_ns, rowid",
                       [&](const Statement& s) { conv.calls.push_back(ReadCall(s)); });
          !r) {
        return std::unexpected(r.error());
      }
    }
    if (auto r = run("SELECT " + std::string(kScoreColumns) +
                         " FROM scores WHERE project = ? AND conversation_id = ? AND "
                         "conversation_id <> '' ORDER BY time_ns, rowid",
                     [&](const Statement& s) { conv.scores.push_back(ReadScore(s)); });
        !r) {
      return std::unexpected(r.error());
    }
    if (auto r = run("SELECT " + std::string(kOutcomeColumns) +
                         " FROM outcomes WHERE project = ? AND conversation_id = ? AND "
                         "conversation_id <> '' ORDER BY time_ns, rowid",
                     [&](const Statement& s) { conv.outcomes.push_back(ReadOutcome(s)); });
        !r) {
      return std::unexpected(r.error());
    }
    if (conv.calls.empty() && conv.scores.empty() && conv.outcomes.empty()) {
      return MakeError(ErrorCode::kNotFound, "no conversation '" + conversation_id + "'");
    }
    return conv;
  }

  Result<void> PutApiKey(const ApiKey& key) override {
    return RunWrite([&](Database& db) -> Result<void> {
      auto s = db.Prepare(
          "INSERT OR REPLACE INTO api_keys(hash, project, role, name, created_ns) VALUES(?, ?, "
          "?, ?, ?)");
      if (!s) return std::unexpected(s.error());
      s->Bind(1, key.hash);
      s->Bind(2, key.project);
      s->Bind(3, key.role);
      s->Bind(4, key.name);
      s->Bind(5, key.created_ns);
      if (s->Step() != SQLITE_DONE) return MakeError(ErrorCode::kIo, db.ErrorMessage());
      return {};
    });
  }

  Result<std::optional<ApiKey>> FindApiKey(const std::string& hash) override {
    auto keys = QueryKeys("WHERE hash = ?", hash);
    if (!keys) return std::unexpected(keys.error());
    if (keys->empty()) return std::optional<ApiKey>();
    return std::optional<ApiKey>(keys->front());
  }

  Result<std::vector<ApiKey>> ListApiKeys() override { return QueryKeys("", ""); }

  Result<void> PutProject(const std::string& name) override {
    return RunWrite([&](Database& db) -> Result<void> {
      auto s = db.Prepare("INSERT OR IGNORE INTO projects(name, created_ns) VALUES(?, ?)");
      if (!s) return std::unexpected(s.error());
      s->Bind(1, name);
      s->Bind(2, NowNs());
      if (s->Step() != SQLITE_DONE) return MakeError(ErrorCode::kIo, db.ErrorMessage());
      return {};
    });
  }

  Result<std::vector<std::string>> ListProjects() override {
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    auto cached_s = lease->db().Cached("SELECT name FROM projects ORDER BY name");
    if (!cached_s) return std::unexpected(cached_s.error());
    Statement* s = &**cached_s;
    std::vector<std::string> out;
    while (s->Step() == SQLITE_ROW) out.emplace_back(s->Text(0));
    return out;
  }

  Result<void> ApplyRetention(int64_t raw_before, int64_t minute_before, int64_t hour_before,
                              int64_t day_before) override {
    return RunWrite([&](Database& db) -> Result<void> {
      // Hours are built from minutes and days from hours: the finer rows of what is not built
      // yet are kept whatever the limits say.
      auto built = writer_->BuildCoarseRollups(NowNs(options_));
      const int64_t hours = writer_->hours_built_before();
      minute_before = std::min(minute_before, hours);
      hour_before = std::min(hour_before, FloorTo(hours, kNanosPerDay));
      const std::string sql = "DELETE FROM calls WHERE start_ns < " + std::to_string(raw_before) +
                              "; DELETE FROM scores WHERE time_ns < " + std::to_string(raw_before) +
                              "; DELETE FROM outcomes WHERE time_ns < " +
                              std::to_string(raw_before) +
                              "; DELETE FROM call_rollups WHERE (resolution = 0 AND ts < " +
                              std::to_string(minute_before) + ") OR (resolution = 1 AND ts < " +
                              std::to_string(hour_before) + ") OR (resolution = 2 AND ts < " +
                              std::to_string(day_before) +
                              "); DELETE FROM record_rollups WHERE (resolution = 0 AND ts < " +
                              std::to_string(minute_before) + ") OR (resolution = 1 AND ts < " +
                              std::to_string(hour_before) + ") OR (resolution = 2 AND ts < " +
                              std::to_string(day_before) + ");";
      if (auto r = db.Exec(sql); !r) return r;
      if (!built) {
        return MakeError(built.error().code(), "building hour rollups: " + built.error().message());
      }
      return {};
    });
  }

  Result<RecordCounts> CountRecords(const std::string& project) override {
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    RecordCounts c;
    for (auto [table, out] : {std::pair{"calls", &c.calls}, std::pair{"scores", &c.scores},
                              std::pair{"outcomes", &c.outcomes}}) {
      auto cached_s = lease->db().Cached(std::string("SELECT COUNT(*) FROM ") + table +
                                         (project.empty() ? "" : " WHERE project = ?"));
      if (!cached_s) return std::unexpected(cached_s.error());
      Statement* s = &**cached_s;
      if (!project.empty()) s->Bind(1, project);
      if (s->Step() != SQLITE_ROW) return MakeError(ErrorCode::kIo, s->ErrorMessage());
      *out = static_cast<uint64_t>(s->Int(0));
    }
    return c;
  }

  void Close() override {
    {
      std::lock_guard lock(queue_mutex_);
      if (closed_) return;
      closed_ = true;
    }
    queue_cv_.notify_all();
    stop_loading_ = true;
    if (filter_loader_.joinable()) filter_loader_.join();
    if (writer_thread_.joinable()) writer_thread_.join();
    syncer_.reset();  // answers what it still holds
    checkpointer_.reset();
    std::lock_guard lock(readers_mutex_);
    readers_.clear();
  }

 private:
  struct Pending {
    const model::Batch* batch;
    PreparedCalls prepared;
    std::promise<Result<AppendResult>> done;
  };
  struct Job {  // a write that is not a batch (keys, projects, retention)
    std::function<Result<void>(Database&)> fn;
    std::promise<Result<void>> done;
  };

  class ReaderLease {
   public:
    ReaderLease(SqliteStore* store, std::unique_ptr<Database> db)
        : store_(store), db_(std::move(db)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease() {
      if (db_) store_->ReleaseReader(std::move(db_));
    }
    Database& db() { return *db_; }

   private:
    SqliteStore* store_;
    std::unique_ptr<Database> db_;
  };

  SqliteStore(const SqliteOptions& options, std::unique_ptr<Writer> writer,
              std::unique_ptr<Checkpointer> checkpointer, std::unique_ptr<IdFilter> id_filter,
              std::unique_ptr<IdFilter> conversation_filter,
              std::unique_ptr<GenerationFilters> generation_conversations,
              std::unique_ptr<WalSyncer> syncer)
      : options_(options),
        id_filter_(std::move(id_filter)),
        conversation_filter_(std::move(conversation_filter)),
        generation_conversations_(std::move(generation_conversations)),
        syncer_(std::move(syncer)),
        writer_(std::move(writer)),
        checkpointer_(std::move(checkpointer)) {
    writer_thread_ = std::thread([this] { WriterLoop(); });
    filter_loader_ = std::thread([this] { LoadIdFilter(); });
  }

  // Adds the id key of every stored call, then the key of every stored conversation, to the
  // filters, from a read snapshot, while the writer adds the keys it stores; then each filter may
  // answer. On a read error a filter is never complete, and the store works as without it (every
  // id looked up, no new conversations reported).
  void LoadIdFilter() {
    auto db = Database::Open(options_.path, true);
    if (!db) return;
    // Rows of `sql` (one integer key, or project and conversation id) into `filter`.
    auto load = [&](const char* sql, IdFilter& filter, bool pairs) {
      auto s = db->Prepare(sql);
      if (!s) return false;
      int rc;
      uint64_t n = 0;
      while ((rc = s->Step()) == SQLITE_ROW) {
        filter.Add(static_cast<uint64_t>(pairs ? RecordKey(s->Text(0), s->Text(1)) : s->Int(0)));
        if ((++n & 0xffff) == 0 && stop_loading_.load(std::memory_order_relaxed)) return false;
      }
      return rc == SQLITE_DONE;
    };
    if (!load("SELECT id_key FROM calls INDEXED BY calls_by_generation_key", *id_filter_, false))
      return;
    id_filter_->MarkComplete();
    // Calls' conversations go into both the filter of all conversations and the filter of their
    // generation.
    auto load_calls = [&]() {
      auto s = db->Prepare(
          "SELECT key_gen, conversation_key FROM calls INDEXED BY "
          "calls_by_generation_conversation WHERE conversation_key IS NOT NULL");
      if (!s) return false;
      int rc;
      uint64_t n = 0;
      while ((rc = s->Step()) == SQLITE_ROW) {
        const auto key = static_cast<uint64_t>(s->Int(1));
        conversation_filter_->Add(key);
        generation_conversations_->Add(s->Int(0), key);
        if ((++n & 0xffff) == 0 && stop_loading_.load(std::memory_order_relaxed)) return false;
      }
      if (rc != SQLITE_DONE) return false;
      generation_conversations_->MarkComplete();
      return true;
    };
    if (load_calls() &&
        load("SELECT DISTINCT project, conversation_id FROM scores WHERE conversation_id <> ''",
             *conversation_filter_, true) &&
        load("SELECT DISTINCT project, conversation_id FROM outcomes WHERE conversation_id <> ''",
             *conversation_filter_, true)) {
      conversation_filter_->MarkComplete();
    }
  }

  static Result<void> Migrate(Database& db) {
    auto s = db.Prepare("PRAGMA user_version");
    if (!s) return std::unexpected(s.error());
    int64_t version = 0;
    if (s->Step() == SQLITE_ROW) version = s->Int(0);
    s->Reset();
    if (version > kSchemaVersion) {
      return MakeError(ErrorCode::kUnsupported,
                       "the database has schema version " + std::to_string(version) +
                           ", newer than this build's " + std::to_string(kSchemaVersion));
    }
    if (version == kSchemaVersion) return db.Exec(kSchema);
    if (auto r = db.Exec("BEGIN IMMEDIATE"); !r) return r;
    auto migrate = [&]() -> Result<void> {
      if (version == 1) {
        if (sqlite3_create_function_v2(db.get(), "yardstick_record_key", 2,
                                       SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                       RecordKeyFunction, nullptr, nullptr, nullptr) != SQLITE_OK) {
          return MakeError(ErrorCode::kInternal, db.ErrorMessage());
        }
        if (auto r = db.Exec(kMigrateV1ToV2); !r) return r;
      }
      if (version == 1 || version == 2) {
        if (auto r = db.Exec(kMigrateV2ToV3); !r) return r;
      }
      if (auto r = db.Exec(kSchema); !r) return r;
      return db.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    };
    if (auto r = migrate(); !r) {
      (void)db.Exec("ROLLBACK");
      return MakeError(ErrorCode::kIo, "cannot migrate the database from schema version " +
                                           std::to_string(version) + " to " +
                                           std::to_string(kSchemaVersion) + ": " +
                                           r.error().message());
    }
    return db.Exec("COMMIT");
  }

  // Builds the hours that are due (the writer's watermark; after a failure, a minute later).
  void BuildDueRollups() {
    const int64_t now = NowNs(options_);
    if (now < writer_->next_build_ns() || now < retry_build_after_) return;
    if (!writer_->BuildCoarseRollups(now)) retry_build_after_ = now + kNanosPerMinute;
  }

  void WriterLoop() {
    for (;;) {
      std::vector<Pending*> group;
      std::vector<Job*> jobs;
      {
        std::unique_lock lock(queue_mutex_);
        // Woken for the next hour to build, too (checked at least every hour).
        const int64_t until =
            std::max(writer_->next_build_ns(), retry_build_after_) - NowNs(options_);
        const auto wait = std::chrono::nanoseconds(std::clamp<int64_t>(until, 0, kNanosPerHour));
        queue_cv_.wait_for(lock, wait,
                           [&] { return closed_ || !queue_.empty() || !jobs_.empty(); });
        if (queue_.empty() && jobs_.empty() && closed_) break;
        group.assign(queue_.begin(), queue_.end());
        queue_.clear();
        jobs.assign(jobs_.begin(), jobs_.end());
        jobs_.clear();
      }
      for (Job* job : jobs) {
        writer_->ClearCaches();
        Result<void> r = job->fn(writer_->db());
        if (r && syncer_) r = syncer_->SyncNow();
        job->done.set_value(std::move(r));
      }
      BuildDueRollups();
      if (group.empty()) continue;
      std::vector<const model::Batch*> batches;
      batches.reserve(group.size());
      std::vector<const PreparedCalls*> prepared;
      prepared.reserve(group.size());
      for (Pending* p : group) {
        batches.push_back(p->batch);
        prepared.push_back(&p->prepared);
      }
      auto results = writer_->WriteGroup(batches, prepared);
      // Each batch's answer, or the group's error for all of them.
      auto answer = [](const std::vector<Pending*>& pending,
                       const Result<std::vector<AppendResult>>& answers) {
        for (size_t i = 0; i < pending.size(); ++i) {
          pending[i]->done.set_value(answers ? Result<AppendResult>((*answers)[i])
                                             : std::unexpected(answers.error()));
        }
      };
      if (results && syncer_) {
        // Answered once the WAL holding the commit is synced; meanwhile the next group.
        syncer_->Submit([group, answer, answers = std::move(*results)](const Result<void>& synced) {
          answer(group, synced ? Result<std::vector<AppendResult>>(answers)
                               : std::unexpected(synced.error()));
        });
      } else {
        answer(group, results);
      }
      // After the answers: a catch-up copy delays the next group, not this one.
      if (checkpointer_) checkpointer_->CatchUp();
    }
  }

  Result<void> RunWrite(std::function<Result<void>(Database&)> fn) {
    Job job{std::move(fn), {}};
    auto future = job.done.get_future();
    {
      std::lock_guard lock(queue_mutex_);
      if (closed_) return MakeError(ErrorCode::kUnsupported, "the store is closed");
      jobs_.push_back(&job);
    }
    queue_cv_.notify_one();
    return future.get();
  }

  Result<ReaderLease> AcquireReader() {
    {
      std::lock_guard lock(readers_mutex_);
      if (!readers_.empty()) {
        auto db = std::move(readers_.back());
        readers_.pop_back();
        return ReaderLease(this, std::move(db));
      }
    }
    auto db = Database::Open(options_.path, true);
    if (!db) return std::unexpected(db.error());
    (void)db->Exec("PRAGMA cache_size=-" + std::to_string(options_.cache_bytes / 1024) +
                   "; PRAGMA mmap_size=1073741824;");
    return ReaderLease(this, std::make_unique<Database>(std::move(*db)));
  }

  void ReleaseReader(std::unique_ptr<Database> db) {
    std::lock_guard lock(readers_mutex_);
    if (readers_.size() < 8 && !closed_) readers_.push_back(std::move(db));
  }

  Result<std::vector<ApiKey>> QueryKeys(const std::string& where, const std::string& arg) {
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    auto cached_s =
        lease->db().Cached("SELECT hash, project, role, name, created_ns FROM api_keys " + where +
                           " ORDER BY created_ns");
    if (!cached_s) return std::unexpected(cached_s.error());
    Statement* s = &**cached_s;
    if (!where.empty()) s->Bind(1, arg);
    std::vector<ApiKey> out;
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) {
      out.push_back(ApiKey{std::string(s->Text(0)), std::string(s->Text(1)),
                           std::string(s->Text(2)), std::string(s->Text(3)), s->Int(4)});
    }
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, s->ErrorMessage());
    return out;
  }

  template <typename Aggregate>
  Result<std::vector<RollupCell<Aggregate>>> QueryRollups(const RollupQuery& q, char kind) {
    if (auto r = CheckGroupBy(q.group_by); !r) return std::unexpected(r.error());
    if (q.step_ns < 0 || (q.step_ns > 0 && q.step_ns % kNanosPerMinute != 0)) {
      return MakeError(ErrorCode::kInvalidArgument, "step must be a whole number of minutes");
    }
    const int64_t from = FloorTo(q.from_ns, kNanosPerMinute);
    const int64_t to = CeilTo(q.to_ns, kNanosPerMinute);
    if (q.step_ns > 0 && (to - from) / q.step_ns > 100'000) {
      return MakeError(ErrorCode::kInvalidArgument, "more than 100000 buckets; use a larger step");
    }
    std::string sql;
    if (kind == 'c') {
      sql = "SELECT ts, " + std::string(kDimColumns) +
            ", data FROM call_rollups WHERE project = ? AND resolution = ? AND ts >= ? AND ts < ?";
    } else {
      sql = "SELECT ts, " + std::string(kDimColumns) +
            ", data FROM record_rollups WHERE kind = ? AND project = ? AND name = ? AND "
            "resolution = ? AND ts >= ? AND ts < ?";
      if (!q.score_source.empty()) sql += " AND source = ?";
    }
    std::vector<std::string> values;
    DimensionFilter dim_filter;
    for (const auto& f : q.filter) {
      if (std::find(kDimensionNames.begin(), kDimensionNames.end(), f.first) ==
          kDimensionNames.end()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "cannot filter rollups by '" + f.first +
                             "' (allowed: model, route, prompt_version, variant, environment)");
      }
      dim_filter.push_back(f);
    }
    if (auto r = AddFilters(dim_filter, CallFilterColumns(), sql, values); !r) {
      return std::unexpected(r.error());
    }
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    auto cached_stmt = lease->db().Cached(sql);
    if (!cached_stmt) return std::unexpected(cached_stmt.error());
    Statement* stmt = &**cached_stmt;
    // Calls' hours and days not built yet are read from finer rollups: the watermark and the
    // rows come from one read transaction.
    int64_t hours_built_before = kAllRollupsBuilt;
    struct ReadTransaction {
      Database* db = nullptr;
      ~ReadTransaction() {
        if (db != nullptr && !db->Exec("COMMIT")) (void)db->Exec("ROLLBACK");
      }
    } transaction;
    if (kind == 'c') {
      if (auto r = lease->db().Exec("BEGIN"); !r) return std::unexpected(r.error());
      transaction.db = &lease->db();
      auto stored = ReadHoursBuiltBefore(lease->db());
      if (!stored) return std::unexpected(stored.error());
      hours_built_before = stored->value_or(kAllRollupsBuilt);
    }

    std::map<std::pair<int64_t, std::vector<std::string>>, Aggregate> cells;
    for (const TimeSegment& seg : PlanRollupRead(from, to, q.step_ns, hours_built_before)) {
      int i = 1;
      if (kind == 'c') {
        stmt->Bind(i++, q.project);
      } else {
        stmt->Bind(i++, std::string(1, kind));
        stmt->Bind(i++, q.project);
        stmt->Bind(i++, q.score_name);
      }
      stmt->Bind(i++, static_cast<int64_t>(seg.resolution));
      stmt->Bind(i++, seg.from_ns);
      stmt->Bind(i++, seg.to_ns);
      if (kind != 'c' && !q.score_source.empty()) stmt->Bind(i++, q.score_source);
      for (const auto& v : values) stmt->Bind(i++, v);
      int rc;
      while ((rc = stmt->Step()) == SQLITE_ROW) {
        const int64_t ts = stmt->Int(0);
        const Dimensions dims = ReadDims(*stmt, 1);
        const int64_t bucket = q.step_ns > 0 ? from + (ts - from) / q.step_ns * q.step_ns : from;
        std::vector<std::string> group;
        group.reserve(q.group_by.size());
        for (const auto& g : q.group_by) group.push_back(*DimensionValue(dims, g));
        auto agg = Aggregate::Deserialize(stmt->Blob(6));
        if (!agg) {
          stmt->Reset();
          return std::unexpected(agg.error());
        }
        auto& cell = cells[{bucket, std::move(group)}];
        if constexpr (std::is_same_v<Aggregate, CallAggregate>) {
          if (auto r = cell.Merge(*agg); !r) {
            stmt->Reset();
            return std::unexpected(r.error());
          }
        } else {
          cell.Merge(*agg);
        }
      }
      stmt->Reset();
      if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, lease->db().ErrorMessage());
    }
    std::vector<RollupCell<Aggregate>> out;
    out.reserve(cells.size());
    for (auto& [key, agg] : cells) {
      out.push_back(RollupCell<Aggregate>{key.first, key.second, std::move(agg)});
    }
    return out;
  }

  template <typename Record, typename ReadFn>
  Result<Page<Record>> ListRecords(const RecordQuery& q, const char* table,
                                   std::string_view columns, const char* time_column,
                                   const FilterColumns& filters, ReadFn read, int column_count) {
    std::string sql = "SELECT " + std::string(columns) + ", rowid FROM " + table +
                      " WHERE project = ? AND " + time_column + " >= ? AND " + time_column + " < ?";
    std::vector<std::string> values;
    if (auto r = AddFilters(q.filter, filters, sql, values); !r) return std::unexpected(r.error());
    int64_t cursor_time = 0, cursor_row = 0;
    const bool has_cursor = !q.after.empty();
    if (has_cursor) {
      const auto colon = q.after.find(':');
      try {
        if (colon == std::string::npos) throw std::invalid_argument("cursor");
        cursor_time = std::stoll(q.after.substr(0, colon));
        cursor_row = std::stoll(q.after.substr(colon + 1));
      } catch (const std::exception&) {
        return MakeError(ErrorCode::kInvalidArgument, "invalid page cursor '" + q.after + "'");
      }
      sql += std::string(" AND (") + time_column + ", rowid) " + (q.newest_first ? "<" : ">") +
             " (?, ?)";
    }
    const char* dir = q.newest_first ? "DESC" : "ASC";
    sql += std::string(" ORDER BY ") + time_column + " " + dir + ", rowid " + dir + " LIMIT ?";
    auto lease = AcquireReader();
    if (!lease) return std::unexpected(lease.error());
    auto cached_stmt = lease->db().Cached(sql);
    if (!cached_stmt) return std::unexpected(cached_stmt.error());
    Statement* stmt = &**cached_stmt;
    int i = 1;
    stmt->Bind(i++, q.project);
    stmt->Bind(i++, q.from_ns);
    stmt->Bind(i++, q.to_ns);
    for (const auto& v : values) stmt->Bind(i++, v);
    if (has_cursor) {
      stmt->Bind(i++, cursor_time);
      stmt->Bind(i++, cursor_row);
    }
    const size_t limit = std::clamp<size_t>(q.limit, 1, 10'000);
    stmt->Bind(i++, static_cast<int64_t>(limit + 1));
    Page<Record> page;
    int rc;
    int64_t last_time = 0, last_row = 0;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      if (page.records.size() == limit) {
        page.next = std::to_string(last_time) + ":" + std::to_string(last_row);
        break;
      }
      page.records.push_back(read(*stmt));
      last_row = stmt->Int(column_count);
      last_time = stmt->Int(std::string_view(table) == "calls" ? 8 : column_count - 2);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      return MakeError(ErrorCode::kIo, lease->db().ErrorMessage());
    }
    return page;
  }

  SqliteOptions options_;
  int64_t retry_build_after_ = 0;        // of BuildDueRollups, on the writer thread
  std::unique_ptr<IdFilter> id_filter_;  // before writer_, which points to both
  std::unique_ptr<IdFilter> conversation_filter_;
  // The conversation keys of each generation's calls (GetConversation and the writer's lookups
  // probe only the generations that may hold a conversation).
  std::unique_ptr<GenerationFilters> generation_conversations_;
  std::unique_ptr<WalSyncer> syncer_;  // with synchronous_full (null: commits are not synced)
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::thread writer_thread_;
  std::thread filter_loader_;
  std::atomic<bool> stop_loading_{false};
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;
  std::deque<Job*> jobs_;
  bool closed_ = false;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Database>> readers_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  return SqliteStore::Open(options);
}

}  // namespace yardstick::store

// The ClickHouse backend of the store (docs/clickhouse.md). One writer thread takes every batch
// waiting at that moment (group commit), drops records whose (project, id) is already stored,
// links scores and outcomes to the dimensions of their call or conversation, and inserts the
// rest in RowBinary; materialized views derive the rollups from the same insert. A batch is
// acknowledged once ClickHouse accepted it, or, while ClickHouse cannot take it, once it is
// durable in the local spool, which the writer replays in order when ClickHouse is back.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "store/clickhouse_codec.h"
#include "store/clickhouse_http.h"
#include "store/clickhouse_rollups.h"
#include "store/clickhouse_schema.h"
#include "store/filters.h"
#include "store/store.h"
#include "store/time_plan.h"

namespace yardstick::store {
namespace {

using namespace clickhouse;  // NOLINT(build/namespaces): the backend's own internals

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- Sketches ------------------------------------------------------------------------------

const stats::DDSketch& ReferenceSketch() {
  static const stats::DDSketch sketch;
  return sketch;
}

// The stored key of a value that the sketch counts (finite).
int32_t StoredKey(double v) {
  if (v > stats::DDSketch::kMinIndexable) return ReferenceSketch().Key(v);
  if (v < -stats::DDSketch::kMinIndexable) return ReferenceSketch().Key(-v) + kNegativeKeyOffset;
  return kZeroKey;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void PutDouble(std::string& out, double v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  out.append(buf, 8);
}

// Rebuilds a default-accuracy DDSketch from summed bucket counts, in the sketch's serialized
// form (stats/ddsketch.h): version, alpha, bound, zero count, sum, min, max, then per sign the
// zigzag first key and the dense counts, folding keys below the bound as the sketch does.
Result<stats::DDSketch> BuildSketch(uint64_t count, double sum, double min, double max,
                                    const std::vector<int32_t>& keys,
                                    const std::vector<uint64_t>& counts) {
  if (count == 0) return stats::DDSketch();
  const stats::DDSketch& ref = ReferenceSketch();
  std::map<int, uint64_t> pos, neg;
  uint64_t zero = 0;
  for (size_t i = 0; i < keys.size() && i < counts.size(); ++i) {
    if (keys[i] == kZeroKey) {
      zero += counts[i];
    } else if (keys[i] >= kNegativeKeyOffset / 2) {
      neg[keys[i] - kNegativeKeyOffset] += counts[i];
    } else {
      pos[keys[i]] += counts[i];
    }
  }
  std::string out;
  out.push_back(1);  // format version
  PutDouble(out, ref.relative_accuracy());
  PutVarint(out, static_cast<uint64_t>(ref.max_buckets()));
  PutVarint(out, zero);
  PutDouble(out, sum);
  PutDouble(out, min);
  PutDouble(out, max);
  for (auto* store : {&pos, &neg}) {
    if (store->empty()) {
      PutVarint(out, 0);
      PutVarint(out, 0);
      continue;
    }
    const int hi = store->rbegin()->first;
    int lo = store->begin()->first;
    const int floor = hi - ref.max_buckets() + 1;
    if (lo < floor) {
      uint64_t folded = 0;
      for (auto it = store->begin(); it != store->end() && it->first < floor;) {
        folded += it->second;
        it = store->erase(it);
      }
      (*store)[floor] += folded;
      lo = floor;
    }
    const auto first = static_cast<int64_t>(lo);
    PutVarint(out, (static_cast<uint64_t>(first) << 1) ^ static_cast<uint64_t>(first >> 63));
    PutVarint(out, static_cast<uint64_t>(hi - lo + 1));
    for (int k = lo; k <= hi; ++k) {
      const auto it = store->find(k);
      PutVarint(out, it == store->end() ? 0 : it->second);
    }
  }
  return stats::DDSketch::Deserialize(out);
}

// --- Filters -------------------------------------------------------------------------------

using Columns = FilterColumns;

Result<void> AddFilters(const DimensionFilter& filter, const Columns& columns, std::string& sql) {
  for (const auto& [field, value] : filter) {
    auto column = FilterColumn(columns, field);
    if (!column) return std::unexpected(column.error());
    if (field == "status") {
      auto v = StatusValue(value);
      if (!v) return std::unexpected(v.error());
      sql += " AND status = " + *v;
    } else {
      sql += " AND " + *column + " = " + Quote(value);
    }
  }
  return {};
}

// The SQL of a group_by entry: the column of a dimension, or the attribute's value ("" when the
// record lacks it: indexOf gives 0, and index 0 of an array its default value).
std::string GroupExpression(const std::string& name) {
  if (!IsAttributeName(name)) return name;
  return "attr_values[indexOf(attr_keys, " + Quote(name.substr(kAttributePrefix.size())) + ")]";
}

std::unexpected<Error> TooManyGroups(size_t limit) {
  return MakeError(ErrorCode::kInvalidArgument, "the query has more than " + std::to_string(limit) +
                                                    " groups; filter it or group by fewer fields");
}

std::string Hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}
bool Unhex(std::string_view s, std::string& out) {
  if (s.size() % 2) return false;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out.clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    const int a = val(s[i]), b = val(s[i + 1]);
    if (a < 0 || b < 0) return false;
    out.push_back(static_cast<char>(a * 16 + b));
  }
  return true;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Start of the month after YYYYMM, in Unix nanoseconds.
int64_t MonthEndNs(int yyyymm) {
  int y = yyyymm / 100, m = yyyymm % 100 + 1;
  if (m > 12) {
    m = 1;
    ++y;
  }
  return DaysFromCivil(y, static_cast<unsigned>(m), 1) * kNanosPerDay;
}

// --- Spool ---------------------------------------------------------------------------------

// Batches waiting for ClickHouse: one file per acknowledged group, named by a sequence number,
// written to a temporary name, fsynced and renamed (then the directory fsynced).
class Spool {
 public:
  Result<void> Open(const std::string& dir) {
    dir_ = dir;
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      return MakeError(ErrorCode::kIo,
                       "cannot create spool directory " + dir + ": " + ec.message());
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
      const std::string name = e.path().filename().string();
      if (name.ends_with(".tmp")) {
        std::filesystem::remove(e.path(), ec);
      } else if (name.ends_with(".batch")) {
        const std::string digits = name.substr(0, name.size() - 6);
        if (!digits.empty() && digits.size() <= 20 &&
            digits.find_first_not_of("0123456789") == std::string::npos) {
          files_.push_back(std::stoull(digits));
        }
      }
    }
    if (ec)
      return MakeError(ErrorCode::kIo, "cannot list spool directory " + dir + ": " + ec.message());
    std::sort(files_.begin(), files_.end());
    next_ = files_.empty() ? 1 : files_.back() + 1;
    return {};
  }

  bool empty() const { return files_.empty(); }
  size_t size() const { return files_.size(); }

  Result<void> Write(const model::Batch& batch) {
    const std::string bytes = EncodeBatch(batch);
    const uint64_t seq = next_++;
    const std::string path = Path(seq);
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return MakeError(ErrorCode::kIo, "cannot create spool file " + tmp);
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) {
        ::close(fd);
        return MakeError(ErrorCode::kIo, "cannot write spool file " + tmp);
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      return MakeError(ErrorCode::kIo, "cannot sync spool file " + tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return MakeError(ErrorCode::kIo, "cannot rename spool file " + tmp);
    }
    SyncDir();
    files_.push_back(seq);
    return {};
  }

  // The oldest files holding together at least `max_records` records (or all of them).
  std::vector<uint64_t> Oldest(size_t max_files) const {
    return {files_.begin(), files_.begin() + static_cast<long>(std::min(max_files, files_.size()))};
  }

  Result<model::Batch> Read(uint64_t seq) const {
    std::ifstream in(Path(seq), std::ios::binary);
    if (!in) return MakeError(ErrorCode::kIo, "cannot read spool file " + Path(seq));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto b = DecodeBatch(bytes);
    if (!b) return std::unexpected(b.error().WithContext(Path(seq)));
    return b;
  }

  // Removes the oldest `n` files (after they were stored).
  void Remove(size_t n) {
    for (size_t i = 0; i < n && !files_.empty(); ++i) {
      std::error_code ec;
      std::filesystem::remove(Path(files_.front()), ec);
      files_.erase(files_.begin());
    }
    SyncDir();
  }

  // Moves a file aside (kept for inspection, no longer replayed): `.corrupt` when it cannot be
  // decoded, `.rejected` when ClickHouse refuses its records.
  void Quarantine(uint64_t seq, const char* suffix) {
    std::error_code ec;
    std::filesystem::rename(Path(seq), Path(seq) + suffix, ec);
    files_.erase(std::remove(files_.begin(), files_.end(), seq), files_.end());
    SyncDir();
  }

 private:
  std::string Path(uint64_t seq) const {
    char name[32];
    std::snprintf(name, sizeof(name), "%020llu.batch", static_cast<unsigned long long>(seq));
    return dir_ + "/" + name;
  }
  void SyncDir() const {
    const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }

  std::string dir_;
  std::vector<uint64_t> files_;
  uint64_t next_ = 1;
};

// --- The store -----------------------------------------------------------------------------

struct LinkedCall {
  std::string conversation_id;
  Dimensions dims;
  int64_t start_ns = 0;
};

class ClickHouseStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const ClickHouseOptions& options) {
    if (options.endpoints.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "ClickHouse: no endpoint configured");
    }
    auto s = std::unique_ptr<ClickHouseStore>(new ClickHouseStore(options));
    if (auto r = s->Migrate(); !r) return std::unexpected(r.error());
    if (auto r = s->spool_.Open(options.spool_dir); !r) return std::unexpected(r.error());
    auto projects = s->ListProjects();
    if (!projects) return std::unexpected(projects.error());
    s->known_projects_.insert(projects->begin(), projects->end());
    s->writer_thread_ = std::thread([p = s.get()] { p->WriterLoop(); });
    return std::unique_ptr<Store>(std::move(s));
  }

  ~ClickHouseStore() override { Close(); }

  Result<AppendResult> Append(const model::Batch& batch) override {
    if (auto r = CheckRecordIds(batch); !r) return std::unexpected(r.error());
    if (batch.empty()) return AppendResult{};
    Pending pending{&batch, {}};
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
    std::string sql;
    auto head = RollupHead(q, false, sql);
    if (!head) return std::unexpected(head.error());
    const std::string select =
        "SELECT " + head->bucket + " AS b" + head->groups +
        ", sum(n_calls), sum(n_errors), sum(lat_sum), sum(lat_sumsq), min(lat_min), "
        "max(lat_max), sumMap(lat_map.1, lat_map.2), sum(tt_count), sum(tt_sum), minIf(tt_min, "
        "tt_count > 0), maxIf(tt_max, tt_count > 0), sumMap(tt_map.1, tt_map.2), "
        "sum(in_tokens), sum(out_tokens), sum(cr_tokens), sum(rs_tokens), sum(token_calls), "
        "sum(priced_calls), sum(cost_sum), sum(cost_sumsq) FROM " +
        tables_.call_rollups + " WHERE " + sql + " GROUP BY b" + head->groups +
        " HAVING count() > 0 ORDER BY b" + head->groups + " FORMAT RowBinary";
    auto body = Read(select);
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    std::vector<CallRollupCell> out;
    while (!r.done() && r.ok()) {
      CallRollupCell cell;
      cell.bucket_ns = r.I64();
      for (size_t k = 0; k < q.group_by.size(); ++k) cell.group.push_back(r.String());
      auto& a = cell.aggregate;
      a.calls = r.U64();
      a.errors = r.U64();
      a.latency_sum = r.F64();
      a.latency_sumsq = r.F64();
      const double lat_min = r.F64(), lat_max = r.F64();
      auto lat_map = ReadMap(r);
      const uint64_t tt_count = r.U64();
      const double tt_sum = r.F64(), tt_min = r.F64(), tt_max = r.F64();
      auto tt_map = ReadMap(r);
      a.input_tokens = r.U64();
      a.output_tokens = r.U64();
      a.cache_read_tokens = r.U64();
      a.reasoning_tokens = r.U64();
      a.token_calls = r.U64();
      a.priced_calls = r.U64();
      a.cost_sum = r.F64();
      a.cost_sumsq = r.F64();
      if (!r.ok()) break;
      auto lat =
          BuildSketch(a.calls, a.latency_sum, lat_min, lat_max, lat_map.first, lat_map.second);
      if (!lat) return std::unexpected(lat.error());
      a.latency = std::move(*lat);
      auto tt = BuildSketch(tt_count, tt_sum, tt_min, tt_max, tt_map.first, tt_map.second);
      if (!tt) return std::unexpected(tt.error());
      a.ttft = std::move(*tt);
      out.push_back(std::move(cell));
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed rollup rows");
    return out;
  }

  Result<std::vector<ScoreRollupCell>> QueryScoreRollups(const RollupQuery& q) override {
    return RecordRollups(q, 1);
  }
  Result<std::vector<ScoreRollupCell>> QueryOutcomeRollups(const RollupQuery& q) override {
    return RecordRollups(q, 2);
  }

  Result<std::vector<ConversationCell>> QueryConversations(const RollupQuery& q) override {
    if (auto r = CheckGroupBy(q.group_by, true); !r) return std::unexpected(r.error());
    if (q.step_ns < 0) return MakeError(ErrorCode::kInvalidArgument, "negative step");
    const int64_t from = FloorTo(q.from_ns, kNanosPerMinute);
    const int64_t to = CeilTo(q.to_ns, kNanosPerMinute);
    std::string where = "project = " + Quote(q.project) +
                        " AND conversation_id != '' AND start_ns >= " + std::to_string(from) +
                        " AND start_ns < " + std::to_string(to);
    DimensionFilter plain;
    for (const auto& f : q.filter) {
      if (IsAttributeName(f.first)) {
        if (auto r = CheckAttributeName(f.first); !r) return std::unexpected(r.error());
        const std::string key = Quote(f.first.substr(kAttributePrefix.size()));
        where += " AND has(attr_keys, " + key + ") AND attr_values[indexOf(attr_keys, " + key +
                 ")] = " + Quote(f.second);
      } else {
        plain.push_back(f);
      }
    }
    if (auto r = AddFilters(plain, CallFilterColumns(), where); !r) {
      return std::unexpected(r.error());
    }
    std::string inner_groups, outer_groups;
    for (size_t k = 0; k < q.group_by.size(); ++k) {
      inner_groups +=
          ", argMin(" + GroupExpression(q.group_by[k]) + ", start_ns) AS g" + std::to_string(k);
      outer_groups += ", g" + std::to_string(k);
    }
    const std::string bucket = q.step_ns > 0
                                   ? "toInt64(" + std::to_string(from) + " + intDiv(t0 - " +
                                         std::to_string(from) + ", " + std::to_string(q.step_ns) +
                                         ") * " + std::to_string(q.step_ns) + ")"
                                   : "toInt64(" + std::to_string(from) + ")";
    const std::string p = Quote(q.project);
    const std::string sql =
        "SELECT " + bucket + " AS b" + outer_groups +
        ", count(), sum(esc), sum(res), sum(res AND NOT rep), sum(fb), sum(dur), sum(dur * dur), "
        "sum(cost), sum(cost * cost), sum(if(res = 1, cost, 0)), uniqExactIf(sess, sess != '') "
        "FROM (SELECT conversation_id, min(start_ns) AS t0, max(end_ns) AS t1, (t1 - t0) / 1e9 "
        "AS dur, sum(if(cost_present = 1, cost_usd, 0)) AS cost, argMin(session_id, start_ns) AS "
        "sess" +
        inner_groups + " FROM " + tables_.calls + " WHERE " + where +
        " GROUP BY conversation_id) ANY LEFT JOIN (SELECT conversation_id, max(e) AS esc, max(r) "
        "AS res, max(x) AS rep, max(f) AS fb FROM (SELECT conversation_id, toUInt8(name = "
        "'escalated') AS e, toUInt8(name = 'resolved') AS r, toUInt8(name = 'repeat_contact') "
        "AS x, toUInt8(length(name) < 0) AS f FROM " +
        tables_.outcomes + " WHERE project = " + p +
        " AND conversation_id != '' UNION ALL SELECT conversation_id, toUInt8(0) AS e, "
        "toUInt8(0) AS r, toUInt8(0) AS x, toUInt8(source IN ('user', 'survey')) AS f FROM " +
        tables_.scores + " WHERE project = " + p +
        " AND conversation_id != '') GROUP BY conversation_id) USING conversation_id GROUP BY b" +
        outer_groups + " HAVING count() > 0 ORDER BY b" + outer_groups + " FORMAT RowBinary";
    auto body = Read(sql);
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    std::vector<ConversationCell> out;
    std::set<std::vector<std::string>> distinct_groups;
    while (!r.done() && r.ok()) {
      ConversationCell cell;
      cell.bucket_ns = r.I64();
      for (size_t k = 0; k < q.group_by.size(); ++k) cell.group.push_back(r.String());
      if (distinct_groups.insert(cell.group).second && distinct_groups.size() > kMaxRawGroups) {
        return TooManyGroups(kMaxRawGroups);
      }
      auto& a = cell.aggregate;
      a.conversations = r.U64();
      a.escalated = r.U64();
      a.resolved = r.U64();
      a.resolved_first_contact = r.U64();
      a.with_feedback = r.U64();
      a.duration_sum = r.F64();
      a.duration_sumsq = r.F64();
      a.cost_sum = r.F64();
      a.cost_sumsq = r.F64();
      a.resolved_cost_sum = r.F64();
      a.sessions = r.U64();
      if (r.ok()) out.push_back(std::move(cell));
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed conversation rows");
    return out;
  }

  Result<Page<model::Call>> ListCalls(const RecordQuery& q) override {
    return List<model::Call>(q, tables_.calls, kCallColumns, "start_ns", CallFilterColumns(),
                             [](RowReader& r) { return ReadCall(r); });
  }
  Result<Page<model::Score>> ListScores(const RecordQuery& q) override {
    return List<model::Score>(q, tables_.scores, kScoreColumns, "time_ns", ScoreFilterColumns(),
                              [](RowReader& r) { return ReadScore(r); });
  }
  Result<Page<model::Outcome>> ListOutcomes(const RecordQuery& q) override {
    return List<model::Outcome>(q, tables_.outcomes, kOutcomeColumns, "time_ns",
                                OutcomeFilterColumns(),
                                [](RowReader& r) { return ReadOutcome(r); });
  }

  Result<Conversation> GetConversation(const std::string& project,
                                       const std::string& conversation_id) override {
    Conversation conv;
    conv.id = conversation_id;
    if (conversation_id.empty()) {
      return MakeError(ErrorCode::kNotFound, "no conversation ''");
    }
    const std::string where =
        " WHERE project = " + Quote(project) + " AND conversation_id = " + Quote(conversation_id);
    auto calls = Read(std::string("SELECT ") + kCallColumns + " FROM " + tables_.calls + where +
                      " ORDER BY start_ns, id FORMAT RowBinary");
    if (!calls) return std::unexpected(calls.error());
    auto scores = Read(std::string("SELECT ") + kScoreColumns + " FROM " + tables_.scores + where +
                       " ORDER BY time_ns, id FORMAT RowBinary");
    if (!scores) return std::unexpected(scores.error());
    auto outcomes = Read(std::string("SELECT ") + kOutcomeColumns + " FROM " + tables_.outcomes +
                         where + " ORDER BY time_ns, id FORMAT RowBinary");
    if (!outcomes) return std::unexpected(outcomes.error());
    RowReader rc(*calls), rs(*scores), ro(*outcomes);
    while (!rc.done() && rc.ok()) conv.calls.push_back(ReadCall(rc));
    while (!rs.done() && rs.ok()) conv.scores.push_back(ReadScore(rs));
    while (!ro.done() && ro.ok()) conv.outcomes.push_back(ReadOutcome(ro));
    if (!rc.ok() || !rs.ok() || !ro.ok()) {
      return MakeError(ErrorCode::kIo, "ClickHouse: malformed conversation records");
    }
    if (conv.calls.empty() && conv.scores.empty() && conv.outcomes.empty()) {
      return MakeError(ErrorCode::kNotFound, "no conversation '" + conversation_id + "'");
    }
    return conv;
  }

  Result<std::vector<RawCell>> QueryRaw(const RawQuery& q) override {
    if (auto r = CheckGroupBy(q.group_by, true); !r) return std::unexpected(r.error());
    if (q.step_ns < 0) return MakeError(ErrorCode::kInvalidArgument, "negative step");
    const Columns* columns;
    std::string table, time_column, present, value;
    if (q.source == "calls") {
      columns = &CallFilterColumns();
      table = tables_.calls;
      time_column = "start_ns";
      if (q.field == "latency") {
        present = "toUInt8(1)";
        value = "latency_s";
      } else if (q.field == "ttft") {
        present = "ttft_present";
        value = "ttft_s";
      } else if (q.field == "input_tokens" || q.field == "output_tokens") {
        present = "toUInt8(" + q.field + " != -1)";
        value = "toFloat64(" + q.field + ")";
      } else if (q.field == "cost") {
        present = "cost_present";
        value = "cost_usd";
      } else if (q.field.empty()) {
        present = "toUInt8(0)";
        value = "toFloat64(0)";
      } else {
        return MakeError(ErrorCode::kInvalidArgument,
                         "calls have no field '" + q.field +
                             "' (allowed: latency, ttft, input_tokens, output_tokens, cost)");
      }
    } else if (q.source == "scores" || q.source == "outcomes") {
      const bool scores = q.source == "scores";
      columns = scores ? &ScoreFilterColumns() : &OutcomeFilterColumns();
      table = scores ? tables_.scores : tables_.outcomes;
      time_column = "time_ns";
      if (q.field == "value") {
        present = scores ? "value_present" : "toUInt8(1)";
        value = "value";
      } else if (q.field.empty()) {
        present = "toUInt8(0)";
        value = "toFloat64(0)";
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
    std::string where = "project = " + Quote(q.project) + " AND " + time_column +
                        " >= " + std::to_string(from) + " AND " + time_column + " < " +
                        std::to_string(to);
    DimensionFilter plain;
    for (const auto& f : q.filter) {
      if (IsAttributeName(f.first)) {
        const std::string key = Quote(f.first.substr(kAttributePrefix.size()));
        where += " AND has(attr_keys, " + key + ") AND attr_values[indexOf(attr_keys, " + key +
                 ")] = " + Quote(f.second);
      } else {
        plain.push_back(f);
      }
    }
    if (auto r = AddFilters(plain, *columns, where); !r) return std::unexpected(r.error());
    // Then the columns of the source's rollup aggregate.
    const bool calls = q.source == "calls";
    const bool scores = q.source == "scores";
    std::string sql = "SELECT " + time_column + ", " + present + ", " + value + ", " +
                      (calls    ? "end_ns, ttft_present, ttft_s, input_tokens, output_tokens, "
                                  "cache_read_tokens, reasoning_tokens, cost_present, cost_usd, status"
                       : scores ? "value_present, value, label"
                                : "value");
    for (const auto& g : q.group_by) sql += ", " + GroupExpression(g);
    sql += " FROM " + table + " WHERE " + where + " FORMAT RowBinary";
    auto body = Read(sql);
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    std::map<std::pair<int64_t, std::vector<std::string>>, RawAggregate> cells;
    std::set<std::vector<std::string>> distinct_groups;
    model::Call call;
    model::Score score;
    double outcome_value = 0;
    while (!r.done() && r.ok()) {
      const int64_t t = r.I64();
      const bool has = r.U8() != 0;
      const double v = r.F64();
      if (calls) {
        call.start_ns = t;
        call.end_ns = r.I64();
        const bool ttft = r.U8() != 0;
        const double ttft_s = r.F64();
        call.ttft_s = ttft ? std::optional<double>(ttft_s) : std::nullopt;
        call.input_tokens = r.I64();
        call.output_tokens = r.I64();
        call.cache_read_tokens = r.I64();
        call.reasoning_tokens = r.I64();
        const bool cost = r.U8() != 0;
        const double cost_usd = r.F64();
        call.cost_usd = cost ? std::optional<double>(cost_usd) : std::nullopt;
        call.status = static_cast<model::CallStatus>(r.U8());
      } else if (scores) {
        const bool valued = r.U8() != 0;
        const double score_value = r.F64();
        score.value = valued ? std::optional<double>(score_value) : std::nullopt;
        score.label = r.String();
      } else {
        outcome_value = r.F64();
      }
      std::vector<std::string> group;
      for (size_t k = 0; k < q.group_by.size(); ++k) group.push_back(r.String());
      if (!r.ok()) break;
      const int64_t bucket = q.step_ns > 0 ? from + (t - from) / q.step_ns * q.step_ns : from;
      auto [cell, inserted] = cells.try_emplace({bucket, std::move(group)});
      if (inserted && q.max_groups > 0 && distinct_groups.insert(cell->first.second).second &&
          distinct_groups.size() > q.max_groups) {
        return TooManyGroups(q.max_groups);
      }
      RawAggregate& a = cell->second;
      if (calls) {
        a.calls.Add(call);
      } else if (scores) {
        a.scores.Add(score);
      } else {
        a.scores.AddValue(outcome_value);
      }
      ++a.count;
      if (has) {
        ++a.valued;
        a.sum += v;
        a.sumsq += v * v;
        a.sketch.Add(v);
      }
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed raw rows");
    std::vector<RawCell> out;
    for (auto& [key, agg] : cells) out.push_back(RawCell{key.first, key.second, std::move(agg)});
    return out;
  }

  Result<OutcomeSubjects> QueryOutcomeSubjects(const RecordQuery& q,
                                               const std::vector<std::string>& names) override {
    OutcomeSubjects out;
    if (names.empty()) return out;
    std::string in;
    for (const auto& n : names) in += (in.empty() ? "" : ", ") + Quote(n);
    std::string where = "project = " + Quote(q.project) +
                        " AND time_ns >= " + std::to_string(q.from_ns) + " AND time_ns < " +
                        std::to_string(q.to_ns) + " AND name IN (" + in + ")";
    if (auto r = AddFilters(q.filter, OutcomeFilterColumns(), where); !r) {
      return std::unexpected(r.error());
    }
    auto body = Read(
        "SELECT name, multiIf(conversation_id != '', conversation_id, session_id != '', "
        "session_id, user_id) AS subject, max(value) FROM " +
        tables_.outcomes + " WHERE " + where + " GROUP BY name, subject FORMAT RowBinary");
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    while (!r.done() && r.ok()) {
      std::string name = r.String();
      std::string subject = r.String();
      const double v = r.F64();
      if (r.ok()) out[subject][name] = v;
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed outcome rows");
    return out;
  }

  Result<void> PutApiKey(const ApiKey& key) override {
    std::string rows;
    RowWriter w(rows);
    w.String(key.hash);
    w.String(key.project);
    w.String(key.role);
    w.String(key.name);
    w.I64(key.created_ns);
    w.I64(NowNs());
    return InsertEverywhere("api_keys", "hash, project, role, name, created_ns, version", rows);
  }

  Result<std::optional<ApiKey>> FindApiKey(const std::string& hash) override {
    auto keys = QueryKeys(" WHERE hash = " + Quote(hash));
    if (!keys) return std::unexpected(keys.error());
    if (keys->empty()) return std::optional<ApiKey>();
    return std::optional<ApiKey>(keys->front());
  }

  Result<std::vector<ApiKey>> ListApiKeys() override { return QueryKeys(""); }

  Result<void> PutProject(const std::string& name) override {
    std::string rows;
    RowWriter w(rows);
    w.String(name);
    w.I64(NowNs());
    auto r = InsertEverywhere("projects", "name, created_ns", rows);
    if (r) {
      std::lock_guard lock(projects_mutex_);
      known_projects_.insert(name);
    }
    return r;
  }

  Result<std::vector<std::string>> ListProjects() override {
    auto body = Read("SELECT DISTINCT name FROM projects ORDER BY name FORMAT RowBinary");
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    std::vector<std::string> out;
    while (!r.done() && r.ok()) out.push_back(r.String());
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed project rows");
    return out;
  }

  Result<void> ApplyRetention(int64_t raw_before, int64_t minute_before, int64_t hour_before,
                              int64_t day_before) override {
    std::lock_guard lock(retention_mutex_);
    retention_cuts_[0] = minute_before;
    retention_cuts_[1] = hour_before;
    retention_cuts_[2] = day_before;
    for (const auto& endpoint : endpoints_) {
      for (const auto& [table, column] :
           {std::pair{tables_.calls_local, "start_ns"}, std::pair{tables_.scores_local, "time_ns"},
            std::pair{tables_.outcomes_local, "time_ns"}}) {
        if (auto r = Expire(endpoint, table, column, {{-1, raw_before}}); !r) return r;
      }
      const std::vector<std::pair<int, int64_t>> cuts = {
          {0, minute_before}, {1, hour_before}, {2, day_before}};
      for (const auto& table : {tables_.call_rollups_local, tables_.record_rollups_local}) {
        if (auto r = Expire(endpoint, table, "ts", cuts); !r) return r;
      }
    }
    return {};
  }

  Result<RecordCounts> CountRecords(const std::string& project) override {
    RecordCounts c;
    const std::string where = project.empty() ? "" : " WHERE project = " + Quote(project);
    for (auto [table, out] :
         {std::pair{&tables_.calls, &c.calls}, std::pair{&tables_.scores, &c.scores},
          std::pair{&tables_.outcomes, &c.outcomes}}) {
      auto body = Read("SELECT count() FROM " + *table + where + " FORMAT RowBinary");
      if (!body) return std::unexpected(body.error());
      RowReader r(*body);
      *out = r.U64();
      if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed count");
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
    if (writer_thread_.joinable()) writer_thread_.join();
  }

 private:
  struct Pending {
    const model::Batch* batch;
    std::promise<Result<AppendResult>> done;
  };

  explicit ClickHouseStore(const ClickHouseOptions& options)
      : options_(options),
        http_(options.database, options.user, options.password),
        tables_(MakeTableNames(!options.cluster.empty())) {
    for (const auto& e : options.endpoints) {
      std::string url = e;
      while (url.ends_with("/")) url.pop_back();
      endpoints_.push_back(Endpoint{url});
    }
  }

  // --- Plumbing ----------------------------------------------------------------------------

  // A random id for the rows of one INSERT (never 0, the default of rows written before).
  uint64_t NewInsertId() {
    uint64_t id = 0;
    while (id == 0) id = insert_ids_();
    return id;
  }

  // Runs a read at the first endpoint that answers.
  Result<std::string> Read(const std::string& sql) {
    Response last;
    for (const auto& e : endpoints_) {
      last = http_.Run(e, sql);
      if (last.failure == Failure::kNone) return std::move(last.body);
      if (last.failure == Failure::kRejected) return std::unexpected(ToError(e, last));
    }
    return std::unexpected(ToError(endpoints_.back(), last));
  }

  Result<void> RunAt(const Endpoint& e, const std::string& sql, bool use_database = true) {
    auto r = http_.Run(e, sql, use_database);
    if (r.failure != Failure::kNone) return std::unexpected(ToError(e, r));
    return {};
  }

  // Inserts rows into a table at the first endpoint that accepts them.
  Result<void> Insert(const std::string& table, const std::string& columns, std::string rows) {
    Response last;
    for (const auto& e : endpoints_) {
      last = http_.Insert(e, table, columns, rows, !options_.cluster.empty());
      if (last.failure == Failure::kNone) return {};
      if (last.failure == Failure::kRejected) return std::unexpected(ToError(e, last));
    }
    return std::unexpected(ToError(endpoints_.back(), last));
  }

  // Inserts a group's rollup rows. With a cluster they go straight into the local table of one
  // shard (the endpoint the insert_id selects, else the next one that answers): all rows of the
  // insert on one shard, as the Distributed table's insert_id sharding places them, without its
  // extra hop. Reads and the repair go through the Distributed table.
  Result<void> InsertRollupRows(const std::string& table, const std::string& local,
                                const char* columns, std::string rows, uint64_t insert_id) {
    if (options_.cluster.empty()) return Insert(table, columns, std::move(rows));
    Response last;
    const size_t n = endpoints_.size();
    for (size_t k = 0; k < n; ++k) {
      const Endpoint& e = endpoints_[(insert_id + k) % n];
      last = http_.Insert(e, local, columns, k + 1 == n ? std::move(rows) : rows, false);
      if (last.failure == Failure::kNone) return {};
      if (last.failure == Failure::kRejected) return std::unexpected(ToError(e, last));
    }
    return std::unexpected(ToError(endpoints_[(insert_id + n - 1) % n], last));
  }

  // Small metadata tables (projects, keys) live on every server.
  Result<void> InsertEverywhere(const std::string& table, const std::string& columns,
                                const std::string& rows) {
    const size_t targets = options_.cluster.empty() ? 1 : endpoints_.size();
    for (size_t i = 0; i < targets; ++i) {
      auto r = http_.Insert(endpoints_[i], table, columns, rows, false);
      if (r.failure != Failure::kNone) return std::unexpected(ToError(endpoints_[i], r));
    }
    return {};
  }

  static std::pair<std::vector<int32_t>, std::vector<uint64_t>> ReadMap(RowReader& r) {
    std::pair<std::vector<int32_t>, std::vector<uint64_t>> m;
    const uint64_t n = r.Varint();
    for (uint64_t i = 0; i < n && r.ok(); ++i) m.first.push_back(r.I32());
    const uint64_t k = r.Varint();
    for (uint64_t i = 0; i < k && r.ok(); ++i) m.second.push_back(r.U64());
    return m;
  }

  Result<void> Migrate() {
    const std::string& db = options_.database;
    const size_t targets = options_.cluster.empty() ? 1 : endpoints_.size();
    for (size_t i = 0; i < targets; ++i) {
      const Endpoint& e = endpoints_[i];
      if (auto r = RunAt(e, "CREATE DATABASE IF NOT EXISTS " + db, false); !r) return r;
      if (auto r = RunAt(e, "CREATE TABLE IF NOT EXISTS " + db +
                                ".schema_version (version UInt32, applied_ns Int64) ENGINE = "
                                "MergeTree ORDER BY version");
          !r) {
        return r;
      }
      auto v = http_.Run(e, "SELECT toUInt32(max(version)) FROM schema_version FORMAT RowBinary");
      if (v.failure != Failure::kNone) return std::unexpected(ToError(e, v));
      RowReader rd(v.body);
      const uint32_t current = rd.Fixed<uint32_t>();
      if (static_cast<int>(current) > kSchemaVersion) {
        return MakeError(ErrorCode::kUnsupported,
                         "ClickHouse database " + db + " at " + e.url + " has schema version " +
                             std::to_string(current) + ", newer than this build's " +
                             std::to_string(kSchemaVersion));
      }
      for (int version = static_cast<int>(current) + 1; version <= kSchemaVersion; ++version) {
        for (const auto& stmt : MigrationStatements(version, db, options_.cluster)) {
          if (auto r = RunAt(e, stmt); !r) return r;
        }
        if (auto r = RunAt(e, "INSERT INTO schema_version VALUES (" + std::to_string(version) +
                                  ", " + std::to_string(NowNs()) + ")");
            !r) {
          return r;
        }
      }
    }
    return {};
  }

  struct RollupHeadParts {
    std::string bucket, groups;
  };

  // The bucket expression, group columns and WHERE clause of a rollup read.
  Result<RollupHeadParts> RollupHead(const RollupQuery& q, bool records, std::string& where) {
    if (auto r = CheckGroupBy(q.group_by); !r) return std::unexpected(r.error());
    if (q.step_ns < 0 || (q.step_ns > 0 && q.step_ns % kNanosPerMinute != 0)) {
      return MakeError(ErrorCode::kInvalidArgument, "step must be a whole number of minutes");
    }
    const int64_t from = FloorTo(q.from_ns, kNanosPerMinute);
    const int64_t to = CeilTo(q.to_ns, kNanosPerMinute);
    if (q.step_ns > 0 && (to - from) / q.step_ns > 100'000) {
      return MakeError(ErrorCode::kInvalidArgument, "more than 100000 buckets; use a larger step");
    }
    for (const auto& f : q.filter) {
      if (std::find(kDimensionNames.begin(), kDimensionNames.end(), f.first) ==
          kDimensionNames.end()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "cannot filter rollups by '" + f.first +
                             "' (allowed: model, route, prompt_version, variant, environment)");
      }
    }
    where = "project = " + Quote(q.project);
    if (records) {
      where += " AND name = " + Quote(q.score_name);
      if (!q.score_source.empty()) where += " AND source = " + Quote(q.score_source);
    }
    if (auto r = AddFilters(q.filter, CallFilterColumns(), where); !r) {
      return std::unexpected(r.error());
    }
    std::string segments;
    for (const TimeSegment& seg : PlanRollupRead(from, to, q.step_ns)) {
      segments += std::string(segments.empty() ? "" : " OR ") +
                  "(resolution = " + std::to_string(static_cast<int>(seg.resolution)) +
                  " AND ts >= " + std::to_string(seg.from_ns) + " AND ts < " +
                  std::to_string(seg.to_ns) + ")";
    }
    if (segments.empty()) segments = "0";
    where += " AND (" + segments + ")";
    RollupHeadParts parts;
    parts.bucket = q.step_ns > 0 ? "toInt64(" + std::to_string(from) + " + intDiv(ts - " +
                                       std::to_string(from) + ", " + std::to_string(q.step_ns) +
                                       ") * " + std::to_string(q.step_ns) + ")"
                                 : "toInt64(" + std::to_string(from) + ")";
    for (const auto& g : q.group_by) parts.groups += ", " + g;
    return parts;
  }

  Result<std::vector<ScoreRollupCell>> RecordRollups(const RollupQuery& q, int kind) {
    std::string where;
    auto head = RollupHead(q, true, where);
    if (!head) return std::unexpected(head.error());
    auto body = Read("SELECT " + head->bucket + " AS b" + head->groups +
                     ", sum(n_count), sum(v_sum), sum(v_sumsq), sum(n_positive), "
                     "sum(n_at_least_4), sum(n_promoters), sum(n_detractors), sum(n_labeled) "
                     "FROM " +
                     tables_.record_rollups + " WHERE kind = " + std::to_string(kind) + " AND " +
                     where + " GROUP BY b" + head->groups + " HAVING count() > 0 ORDER BY b" +
                     head->groups + " FORMAT RowBinary");
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    std::vector<ScoreRollupCell> out;
    while (!r.done() && r.ok()) {
      ScoreRollupCell cell;
      cell.bucket_ns = r.I64();
      for (size_t k = 0; k < q.group_by.size(); ++k) cell.group.push_back(r.String());
      auto& a = cell.aggregate;
      a.count = r.U64();
      a.sum = r.F64();
      a.sumsq = r.F64();
      a.positive = r.U64();
      a.at_least_4 = r.U64();
      a.promoters = r.U64();
      a.detractors = r.U64();
      a.labeled = r.U64();
      if (r.ok()) out.push_back(std::move(cell));
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed rollup rows");
    return out;
  }

  template <typename Record, typename ReadFn>
  Result<Page<Record>> List(const RecordQuery& q, const std::string& table, const char* columns,
                            const char* time_column, const Columns& filters, ReadFn read) {
    std::string where = "project = " + Quote(q.project) + " AND " + time_column +
                        " >= " + std::to_string(q.from_ns) + " AND " + time_column + " < " +
                        std::to_string(q.to_ns);
    if (auto r = AddFilters(q.filter, filters, where); !r) return std::unexpected(r.error());
    if (!q.after.empty()) {
      const auto colon = q.after.find(':');
      int64_t t = 0;
      std::string id;
      bool ok = colon != std::string::npos && Unhex(q.after.substr(colon + 1), id);
      if (ok) {
        try {
          size_t used = 0;
          t = std::stoll(q.after.substr(0, colon), &used);
          ok = used == colon;
        } catch (const std::exception&) {
          ok = false;
        }
      }
      if (!ok)
        return MakeError(ErrorCode::kInvalidArgument, "invalid page cursor '" + q.after + "'");
      const char* cmp = q.newest_first ? " < " : " > ";
      where += std::string(" AND (") + time_column + cmp + std::to_string(t) + " OR (" +
               time_column + " = " + std::to_string(t) + " AND id" + cmp + Quote(id) + "))";
    }
    const size_t limit = std::clamp<size_t>(q.limit, 1, 10'000);
    const char* dir = q.newest_first ? " DESC" : " ASC";
    auto body = Read(std::string("SELECT ") + columns + ", " + time_column + ", id FROM " + table +
                     " WHERE " + where + " ORDER BY " + time_column + dir + ", id" + dir +
                     " LIMIT " + std::to_string(limit + 1) + " FORMAT RowBinary");
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    Page<Record> page;
    int64_t last_time = 0;
    std::string last_id;
    while (!r.done() && r.ok()) {
      Record rec = read(r);
      const int64_t t = r.I64();
      std::string id = r.String();
      if (!r.ok()) break;
      if (page.records.size() == limit) {
        page.next = std::to_string(last_time) + ":" + Hex(last_id);
        break;
      }
      page.records.push_back(std::move(rec));
      last_time = t;
      last_id = std::move(id);
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed records");
    return page;
  }

  Result<std::vector<ApiKey>> QueryKeys(const std::string& where) {
    auto body = Read(
        "SELECT hash, argMax(project, version), argMax(role, version), argMax(name, version), "
        "argMax(created_ns, version) AS created FROM api_keys" +
        where + " GROUP BY hash ORDER BY created, hash FORMAT RowBinary");
    if (!body) return std::unexpected(body.error());
    RowReader r(*body);
    std::vector<ApiKey> out;
    while (!r.done() && r.ok()) {
      ApiKey k;
      k.hash = r.String();
      k.project = r.String();
      k.role = r.String();
      k.name = r.String();
      k.created_ns = r.I64();
      if (r.ok()) out.push_back(std::move(k));
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed key rows");
    return out;
  }

  // Deletes rows of a local table older than the cut of their resolution (-1: no resolution
  // column): whole months by dropping partitions, the rest by a mutation awaited to the end.
  Result<void> Expire(const Endpoint& e, const std::string& table, const char* column,
                      const std::vector<std::pair<int, int64_t>>& cuts) {
    const std::string& db = options_.database;
    auto parts =
        http_.Run(e, "SELECT DISTINCT partition FROM system.parts WHERE database = " + Quote(db) +
                         " AND table = " + Quote(table) + " AND active FORMAT RowBinary");
    if (parts.failure != Failure::kNone) return std::unexpected(ToError(e, parts));
    RowReader pr(parts.body);
    while (!pr.done() && pr.ok()) {
      const std::string partition = pr.String();
      if (!pr.ok()) break;
      int resolution = -1, month = 0;
      if (partition.starts_with("(")) {
        if (std::sscanf(partition.c_str(), "(%d,%d)", &resolution, &month) != 2) continue;
      } else {
        month = std::atoi(partition.c_str());
      }
      for (const auto& [res, cut] : cuts) {
        if (res == resolution && month > 0 && MonthEndNs(month) <= cut) {
          if (auto r = RunAt(e, "ALTER TABLE " + table + " DROP PARTITION " + partition); !r) {
            return r;
          }
        }
      }
    }
    std::string condition;
    for (const auto& [res, cut] : cuts) {
      condition += std::string(condition.empty() ? "" : " OR ") + "(" +
                   (res >= 0 ? "resolution = " + std::to_string(res) + " AND " : "") + column +
                   " < " + std::to_string(cut) + ")";
    }
    auto count =
        http_.Run(e, "SELECT count() FROM " + table + " WHERE " + condition + " FORMAT RowBinary");
    if (count.failure != Failure::kNone) return std::unexpected(ToError(e, count));
    RowReader cr(count.body);
    if (cr.U64() == 0) return {};
    if (auto r = RunAt(e, "ALTER TABLE " + table + " DELETE WHERE " + condition); !r) return r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto pending =
          http_.Run(e, "SELECT count() FROM system.mutations WHERE database = " + Quote(db) +
                           " AND table = " + Quote(table) + " AND is_done = 0 FORMAT RowBinary");
      if (pending.failure != Failure::kNone) return std::unexpected(ToError(e, pending));
      RowReader mr(pending.body);
      if (mr.U64() == 0) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return MakeError(ErrorCode::kIo, "ClickHouse at " + e.url + ": deleting old rows of " + table +
                                         " did not finish within 10 minutes");
  }

  // --- The write path ----------------------------------------------------------------------

  // Ids among `ids` already stored in `table` for the project, looking in [lo, hi] of time.
  // The time range of a group usually holds few stored records (none for data arriving in time
  // order, the tail of the previous group for live traffic): then it is cheaper to read the ids
  // stored in the range than to send every id of the group in an IN list.
  Result<std::unordered_map<std::string, uint64_t>> ExistingIds(
      const std::string& table, const char* time_column, const std::string& project, int64_t lo,
      int64_t hi, const std::vector<std::string>& ids) {
    const std::string where = " WHERE project = " + Quote(project) + " AND " + time_column +
                              " >= " + std::to_string(lo) + " AND " + time_column +
                              " <= " + std::to_string(hi);
    auto count = Read("SELECT count() FROM " + table + where + " FORMAT RowBinary");
    if (!count) return std::unexpected(count.error());
    RowReader cr(*count);
    const uint64_t stored = cr.U64();
    if (!cr.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed count");
    std::unordered_map<std::string, uint64_t> out;
    if (stored == 0) return out;
    std::string sql = "SELECT id, insert_id FROM " + table + where;
    const bool read_range = stored <= std::max<uint64_t>(4 * ids.size(), 100'000);
    if (!read_range) {
      sql += " AND id IN (";
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i) sql += ", ";
        sql += Quote(ids[i]);
      }
      sql += ")";
    }
    auto body = Read(sql + " FORMAT RowBinary");
    if (!body) return std::unexpected(body.error());
    std::unordered_set<std::string> wanted;
    if (read_range) wanted.insert(ids.begin(), ids.end());
    RowReader r(*body);
    while (!r.done() && r.ok()) {
      std::string id = r.String();
      const uint64_t insert_id = r.U64();
      if (r.ok() && (!read_range || wanted.contains(id))) out.emplace(std::move(id), insert_id);
    }
    if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed id rows");
    return out;
  }

  // Runs the rollup inserts of `insert_id` for `kind` at the given resolutions.
  Result<void> InsertRollups(int kind, uint64_t insert_id, const std::string& where,
                             const std::vector<int>& resolutions) {
    const std::vector<std::pair<std::string, std::string>> sync = {
        {"insert_distributed_sync", "1"}};
    for (int resolution : resolutions) {
      const std::string sql =
          RollupInsert(kind, resolution, options_.database, !options_.cluster.empty(),
                       "insert_id = " + std::to_string(insert_id) + " AND " + where);
      Response last;
      bool done = false;
      for (const auto& e : endpoints_) {
        last = http_.Run(e, sql, true, options_.cluster.empty() ? decltype(sync){} : sync);
        if (last.failure == Failure::kNone) {
          done = true;
          break;
        }
        if (last.failure == Failure::kRejected) return std::unexpected(ToError(e, last));
      }
      if (!done) return std::unexpected(ToError(endpoints_.back(), last));
    }
    return {};
  }

  // Completes the rollups of earlier inserts whose raw rows were stored but whose rollup
  // inserts were not (all rollup rows of one insert and resolution arrive together). Raw rows
  // older than a resolution's last retention cut are left out, so expired rollups stay gone.
  Result<void> RepairRollups(int kind, const std::set<uint64_t>& inserts) {
    if (inserts.empty()) return {};
    std::string in;
    for (uint64_t id : inserts) in += (in.empty() ? "" : ", ") + std::to_string(id);
    const std::string& rollups = kind == 0 ? tables_.call_rollups : tables_.record_rollups;
    const std::string of_kind = kind == 0 ? "" : " AND kind = " + std::to_string(kind);
    auto done = Read("SELECT DISTINCT insert_id, resolution FROM " + rollups +
                     " WHERE insert_id IN (" + in + ")" + of_kind + " FORMAT RowBinary");
    if (!done) return std::unexpected(done.error());
    std::set<std::pair<uint64_t, int>> complete;
    RowReader dr(*done);
    while (!dr.done() && dr.ok()) {
      const uint64_t id = dr.U64();
      const int resolution = dr.U8();
      if (dr.ok()) complete.emplace(id, resolution);
    }
    if (!dr.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed rollup ids");
    const char* time_column = kind == 0 ? "start_ns" : "time_ns";
    for (uint64_t id : inserts) {
      for (int resolution = 0; resolution < 3; ++resolution) {
        if (complete.contains({id, resolution})) continue;
        const std::string where =
            std::string(time_column) + " >= " + std::to_string(retention_cuts_[resolution].load());
        if (auto r = InsertRollups(kind, id, where, {resolution}); !r) return r;
      }
    }
    return {};
  }

  // Marks records of kind `Record` that are new: not earlier in the group and not stored.
  template <typename Record, typename TimeFn>
  Result<std::vector<std::vector<bool>>> SelectNew(const std::vector<const model::Batch*>& group,
                                                   const std::vector<Record> model::Batch::*member,
                                                   const std::string& table,
                                                   const char* time_column, TimeFn time,
                                                   std::vector<AppendResult>& results, int kind) {
    struct Span {
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      std::vector<std::string> ids;
    };
    std::map<std::string, Span> by_project;
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<std::vector<bool>> fresh(group.size());
    for (size_t b = 0; b < group.size(); ++b) {
      const auto& records = group[b]->*member;
      fresh[b].assign(records.size(), false);
      for (size_t i = 0; i < records.size(); ++i) {
        const Record& rec = records[i];
        if (!seen.emplace(rec.project, rec.id).second) continue;
        fresh[b][i] = true;
        Span& s = by_project[rec.project];
        s.lo = std::min(s.lo, time(rec));
        s.hi = std::max(s.hi, time(rec));
        s.ids.push_back(rec.id);
      }
    }
    std::map<std::string, std::unordered_map<std::string, uint64_t>> existing;
    for (auto& [project, span] : by_project) {
      auto ids = ExistingIds(table, time_column, project, span.lo, span.hi, span.ids);
      if (!ids) return std::unexpected(ids.error());
      existing[project] = std::move(*ids);
    }
    std::set<uint64_t> earlier_inserts;
    for (const auto& [project, ids] : existing) {
      for (const auto& [id, insert_id] : ids) earlier_inserts.insert(insert_id);
    }
    if (auto r = RepairRollups(kind, earlier_inserts); !r) return std::unexpected(r.error());
    for (size_t b = 0; b < group.size(); ++b) {
      const auto& records = group[b]->*member;
      for (size_t i = 0; i < records.size(); ++i) {
        if (fresh[b][i] && existing[records[i].project].contains(records[i].id)) {
          fresh[b][i] = false;
        }
        if (fresh[b][i]) {
          ++results[b].stored;
        } else {
          ++results[b].duplicates;
        }
      }
    }
    return fresh;
  }

  static Dimensions ReadDims(RowReader& r) {
    Dimensions d;
    d.model = r.String();
    d.route = r.String();
    d.prompt_version = r.String();
    d.variant = r.String();
    d.environment = r.String();
    return d;
  }

  static std::string InList(const std::set<std::string>& values) {
    std::string s;
    for (const auto& v : values) s += (s.empty() ? "" : ", ") + Quote(v);
    return s;
  }

  // Writes a group of batches; returns per-batch results or the first failure.
  Result<std::vector<AppendResult>> WriteGroup(const std::vector<const model::Batch*>& group) {
    std::vector<AppendResult> results(group.size());
    const uint64_t insert_id = NewInsertId();
    auto new_calls = SelectNew<model::Call>(
        group, &model::Batch::calls, tables_.calls, "start_ns",
        [](const model::Call& c) { return c.start_ns; }, results, 0);
    if (!new_calls) return std::unexpected(new_calls.error());
    auto new_scores = SelectNew<model::Score>(
        group, &model::Batch::scores, tables_.scores, "time_ns",
        [](const model::Score& s) { return s.time_ns; }, results, 1);
    if (!new_scores) return std::unexpected(new_scores.error());
    auto new_outcomes = SelectNew<model::Outcome>(
        group, &model::Batch::outcomes, tables_.outcomes, "time_ns",
        [](const model::Outcome& o) { return o.time_ns; }, results, 2);
    if (!new_outcomes) return std::unexpected(new_outcomes.error());

    // Calls of this group by (project, id) and the latest call of each conversation, for the
    // dimensions of the scores and outcomes that refer to them.
    std::map<std::pair<std::string, std::string>, LinkedCall> calls_by_id;
    std::map<std::pair<std::string, std::string>, LinkedCall> latest_by_conversation;
    std::set<std::string> projects;
    std::string call_rows;
    size_t call_count = 0;
    // The group's rollup rows, computed from the rows it writes (see clickhouse_rollups.h).
    CallRollupBuilder call_rollups;
    RecordRollupBuilder record_rollups;
    {
      RowWriter w(call_rows);
      for (size_t b = 0; b < group.size(); ++b) {
        for (size_t i = 0; i < group[b]->calls.size(); ++i) {
          if (!(*new_calls)[b][i]) continue;
          const model::Call& c = group[b]->calls[i];
          ++call_count;
          projects.insert(c.project);
          WriteCall(w, c);
          w.String(c.model());
          const double latency = c.latency_s();
          w.F64(latency);
          const bool ttft_ok = c.ttft_s && std::isfinite(*c.ttft_s) && *c.ttft_s >= 0;
          const int32_t latency_key = StoredKey(latency);
          w.I32(latency_key);
          const int32_t ttft_key = ttft_ok ? StoredKey(*c.ttft_s) : 0;
          w.U8(ttft_ok);
          w.I32(ttft_key);
          w.Fixed(insert_id);
          LinkedCall link{c.conversation_id, DimensionsOf(c), c.start_ns};
          call_rollups.Add(c, link.dims, latency, latency_key, ttft_ok, ttft_key);
          if (!c.conversation_id.empty()) {
            auto& latest = latest_by_conversation[{c.project, c.conversation_id}];
            if (latest.conversation_id.empty() || c.start_ns >= latest.start_ns) latest = link;
          }
          calls_by_id[{c.project, c.id}] = std::move(link);
        }
      }
    }
    // Look up the calls and conversations not in this group.
    std::map<std::string, std::set<std::string>> want_calls, want_conversations;
    for (size_t b = 0; b < group.size(); ++b) {
      for (size_t i = 0; i < group[b]->scores.size(); ++i) {
        if (!(*new_scores)[b][i]) continue;
        const model::Score& s = group[b]->scores[i];
        if (!s.call_id.empty() && !calls_by_id.contains({s.project, s.call_id})) {
          want_calls[s.project].insert(s.call_id);
        }
        if (!s.conversation_id.empty()) want_conversations[s.project].insert(s.conversation_id);
      }
      for (size_t i = 0; i < group[b]->outcomes.size(); ++i) {
        if (!(*new_outcomes)[b][i]) continue;
        const model::Outcome& o = group[b]->outcomes[i];
        if (!o.conversation_id.empty()) want_conversations[o.project].insert(o.conversation_id);
      }
    }
    for (const auto& [project, ids] : want_calls) {
      auto body = Read(
          "SELECT id, conversation_id, model, route, prompt_version, variant, "
          "environment FROM " +
          tables_.calls + " WHERE project = " + Quote(project) + " AND id IN (" + InList(ids) +
          ") FORMAT RowBinary");
      if (!body) return std::unexpected(body.error());
      RowReader r(*body);
      while (!r.done() && r.ok()) {
        std::string id = r.String();
        LinkedCall link;
        link.conversation_id = r.String();
        link.dims = ReadDims(r);
        if (r.ok()) calls_by_id[{project, std::move(id)}] = std::move(link);
      }
      if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed call rows");
    }
    for (const auto& [project, ids] : want_conversations) {
      auto body = Read(
          "SELECT conversation_id, max(start_ns), argMax(model, start_ns), argMax(route, "
          "start_ns), argMax(prompt_version, start_ns), argMax(variant, start_ns), "
          "argMax(environment, start_ns) FROM " +
          tables_.calls + " WHERE project = " + Quote(project) + " AND conversation_id IN (" +
          InList(ids) + ") GROUP BY conversation_id FORMAT RowBinary");
      if (!body) return std::unexpected(body.error());
      RowReader r(*body);
      while (!r.done() && r.ok()) {
        LinkedCall link;
        link.conversation_id = r.String();
        link.start_ns = r.I64();
        link.dims = ReadDims(r);
        if (!r.ok()) break;
        auto& latest = latest_by_conversation[{project, link.conversation_id}];
        if (latest.conversation_id.empty() || link.start_ns > latest.start_ns) {
          latest = std::move(link);
        }
      }
      if (!r.ok()) return MakeError(ErrorCode::kIo, "ClickHouse: malformed conversation rows");
    }
    auto conversation_dims = [&](const std::string& project, const std::string& conversation) {
      if (conversation.empty()) return Dimensions{};
      const auto it = latest_by_conversation.find({project, conversation});
      return it == latest_by_conversation.end() ? Dimensions{} : it->second.dims;
    };

    std::string score_rows, outcome_rows;
    size_t score_count = 0, outcome_count = 0;
    {
      RowWriter w(score_rows);
      for (size_t b = 0; b < group.size(); ++b) {
        for (size_t i = 0; i < group[b]->scores.size(); ++i) {
          if (!(*new_scores)[b][i]) continue;
          model::Score s = group[b]->scores[i];
          ++score_count;
          projects.insert(s.project);
          Dimensions dims;
          const auto call =
              s.call_id.empty() ? calls_by_id.end() : calls_by_id.find({s.project, s.call_id});
          if (call != calls_by_id.end()) {
            if (s.conversation_id.empty()) s.conversation_id = call->second.conversation_id;
            dims = call->second.dims;
          } else {
            dims = conversation_dims(s.project, s.conversation_id);
          }
          WriteScore(w, s);
          for (const std::string* d :
               {&dims.model, &dims.route, &dims.prompt_version, &dims.variant, &dims.environment}) {
            w.String(*d);
          }
          const bool valued = s.value && std::isfinite(*s.value);
          const bool labeled = !valued && !s.label.empty();
          w.U8(valued);
          w.U8(labeled);
          w.Fixed(insert_id);
          record_rollups.AddScore(s, dims, valued, labeled);
        }
      }
    }
    {
      RowWriter w(outcome_rows);
      for (size_t b = 0; b < group.size(); ++b) {
        for (size_t i = 0; i < group[b]->outcomes.size(); ++i) {
          if (!(*new_outcomes)[b][i]) continue;
          const model::Outcome& o = group[b]->outcomes[i];
          ++outcome_count;
          projects.insert(o.project);
          const Dimensions dims = conversation_dims(o.project, o.conversation_id);
          WriteOutcome(w, o);
          for (const std::string* d :
               {&dims.model, &dims.route, &dims.prompt_version, &dims.variant, &dims.environment}) {
            w.String(*d);
          }
          w.U8(std::isfinite(o.value));
          w.Fixed(insert_id);
          record_rollups.AddOutcome(o, dims);
        }
      }
    }
    if (call_count > 0) {
      if (auto r = Insert(tables_.calls, std::string(kCallColumns) + ", " + kCallDerivedColumns,
                          std::move(call_rows));
          !r) {
        return std::unexpected(r.error());
      }
    }
    if (score_count > 0) {
      if (auto r = Insert(tables_.scores, std::string(kScoreColumns) + ", " + kScoreDerivedColumns,
                          std::move(score_rows));
          !r) {
        return std::unexpected(r.error());
      }
    }
    if (outcome_count > 0) {
      if (auto r =
              Insert(tables_.outcomes, std::string(kOutcomeColumns) + ", " + kOutcomeDerivedColumns,
                     std::move(outcome_rows));
          !r) {
        return std::unexpected(r.error());
      }
    }
    // Then their rollups: one insert per rollup table. A failure here leaves raw rows without
    // rollups, which the retry of the group repairs (RepairRollups).
    if (!call_rollups.empty()) {
      std::string rows;
      RowWriter w(rows);
      call_rollups.Write(w, insert_id);
      if (auto r = InsertRollupRows(tables_.call_rollups, tables_.call_rollups_local,
                                    kCallRollupColumns, std::move(rows), insert_id);
          !r) {
        return std::unexpected(r.error());
      }
    }
    if (!record_rollups.empty()) {
      std::string rows;
      RowWriter w(rows);
      record_rollups.Write(w, insert_id);
      if (auto r = InsertRollupRows(tables_.record_rollups, tables_.record_rollups_local,
                                    kRecordRollupColumns, std::move(rows), insert_id);
          !r) {
        return std::unexpected(r.error());
      }
    }
    for (const auto& p : projects) {
      bool known;
      {
        std::lock_guard lock(projects_mutex_);
        known = known_projects_.contains(p);
      }
      if (!known) {
        if (auto r = PutProject(p); !r) return std::unexpected(r.error());
      }
    }
    return results;
  }

  // Replays spooled batches, oldest first, in groups; stops at the first failure.
  void DrainSpool() {
    while (!spool_.empty()) {
      std::vector<model::Batch> batches;
      std::vector<uint64_t> files = spool_.Oldest(64);
      size_t records = 0, used = 0;
      for (uint64_t seq : files) {
        auto b = spool_.Read(seq);
        if (!b) {
          if (used == 0) spool_.Quarantine(seq, ".corrupt");
          break;
        }
        records += b->size();
        batches.push_back(std::move(*b));
        ++used;
        if (records >= options_.max_batch_records) break;
      }
      if (used == 0) continue;
      std::vector<const model::Batch*> group;
      for (const auto& b : batches) group.push_back(&b);
      auto r = WriteGroup(group);
      if (!r && r.error().code() == ErrorCode::kIo) {
        retry_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
        return;
      }
      if (!r) {
        // ClickHouse refuses these records for good: set them aside rather than block the rest.
        for (uint64_t seq : spool_.Oldest(used)) spool_.Quarantine(seq, ".rejected");
        continue;
      }
      spool_.Remove(used);
    }
  }

  void WriterLoop() {
    for (;;) {
      std::vector<Pending*> group;
      {
        std::unique_lock lock(queue_mutex_);
        auto ready = [&] { return closed_ || !queue_.empty(); };
        if (spool_.empty()) {
          queue_cv_.wait(lock, ready);
        } else {
          queue_cv_.wait_until(lock, retry_at_, ready);
        }
        if (queue_.empty() && closed_) break;
        size_t records = 0;
        while (!queue_.empty() && (group.empty() || records < options_.max_batch_records)) {
          records += queue_.front()->batch->size();
          group.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      if (!spool_.empty() && std::chrono::steady_clock::now() >= retry_at_) DrainSpool();
      if (group.empty()) continue;
      std::vector<const model::Batch*> batches;
      for (Pending* p : group) batches.push_back(p->batch);
      if (spool_.empty()) {
        auto results = WriteGroup(batches);
        if (results) {
          for (size_t i = 0; i < group.size(); ++i) group[i]->done.set_value((*results)[i]);
          continue;
        }
        if (results.error().code() != ErrorCode::kIo) {
          // Refused (not a passing outage): the clients get the error, nothing is spooled.
          for (Pending* p : group) p->done.set_value(std::unexpected(results.error()));
          continue;
        }
        retry_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
      }
      // ClickHouse cannot take the group now (or older batches wait): spool it.
      model::Batch merged;
      for (const auto* b : batches) {
        merged.calls.insert(merged.calls.end(), b->calls.begin(), b->calls.end());
        merged.scores.insert(merged.scores.end(), b->scores.begin(), b->scores.end());
        merged.outcomes.insert(merged.outcomes.end(), b->outcomes.begin(), b->outcomes.end());
      }
      auto written = spool_.Write(merged);
      for (Pending* p : group) {
        if (written) {
          AppendResult spooled;
          spooled.stored = p->batch->size();
          p->done.set_value(std::move(spooled));
        } else {
          p->done.set_value(std::unexpected(written.error()));
        }
      }
    }
    // Closing: one last attempt to hand the spool over; what remains is replayed next time.
    if (!spool_.empty()) DrainSpool();
  }

  ClickHouseOptions options_;
  HttpClient http_;
  TableNames tables_;
  std::vector<Endpoint> endpoints_;
  Spool spool_;  // used by the writer thread only (after Open)
  std::chrono::steady_clock::time_point retry_at_{};
  std::thread writer_thread_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;
  bool closed_ = false;
  std::mutex projects_mutex_;
  std::set<std::string> known_projects_;
  std::mutex retention_mutex_;
  // The cuts of the last ApplyRetention per resolution (rollup repairs leave older rows out).
  std::atomic<int64_t> retention_cuts_[3] = {INT64_MIN, INT64_MIN, INT64_MIN};
  std::mt19937_64 insert_ids_{std::random_device{}()};  // writer thread only
};

}  // namespace

Result<std::unique_ptr<Store>> OpenClickHouseStore(const ClickHouseOptions& options) {
  return ClickHouseStore::Open(options);
}

}  // namespace yardstick::store

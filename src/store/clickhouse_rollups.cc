#include "store/clickhouse_rollups.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace yardstick::store::clickhouse {

const char* const kCallRollupColumns =
    "project, resolution, ts, model, route, prompt_version, variant, environment, n_calls, "
    "n_errors, lat_sum, lat_sumsq, lat_min, lat_max, lat_map, tt_count, tt_sum, tt_min, tt_max, "
    "tt_map, in_tokens, out_tokens, cr_tokens, rs_tokens, token_calls, priced_calls, cost_sum, "
    "cost_sumsq, insert_id";
const char* const kRecordRollupColumns =
    "kind, project, resolution, ts, name, source, model, route, prompt_version, variant, "
    "environment, n_count, v_sum, v_sumsq, n_positive, n_at_least_4, n_promoters, n_detractors, "
    "n_labeled, insert_id";

namespace {

// Bucket widths of the resolutions (minute, hour, day) in nanoseconds.
constexpr int64_t kUnits[3] = {60'000'000'000, 3'600'000'000'000, 86'400'000'000'000};

// The bucket start as the SQL computes it: intDiv(t, unit) * unit (truncating toward zero, as
// C++ division does).
int64_t BucketStart(int64_t t, int resolution) {
  return t / kUnits[resolution] * kUnits[resolution];
}

size_t HashKey(uint32_t group, uint8_t resolution, int64_t ts) {
  size_t h = std::hash<int64_t>{}(ts);
  h ^= (static_cast<size_t>(group) << 2 | resolution) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

void WriteDims(RowWriter& w, const Dimensions& d) {
  w.String(d.model);
  w.String(d.route);
  w.String(d.prompt_version);
  w.String(d.variant);
  w.String(d.environment);
}

// Tuple(Array(Int32), Array(UInt64)): the keys ascending, then their counts (sumMap's form).
void WriteMap(RowWriter& w, const BucketCounts& m) {
  w.Varint(m.buckets().size());
  for (const auto& [key, count] : m.buckets()) w.I32(key);
  w.Varint(m.buckets().size());
  for (const auto& [key, count] : m.buckets()) w.Fixed(count);
}

}  // namespace

void BucketCounts::Add(int32_t key) {
  if (!buckets_.empty() && buckets_.back().first == key) {
    ++buckets_.back().second;
    return;
  }
  const auto it = std::lower_bound(buckets_.begin(), buckets_.end(), key,
                                   [](const auto& b, int32_t k) { return b.first < k; });
  if (it != buckets_.end() && it->first == key) {
    ++it->second;
  } else {
    buckets_.emplace(it, key, 1);
  }
}

size_t CallRollupBuilder::KeyHash::operator()(const Key& k) const {
  return HashKey(k.group, k.resolution, k.ts);
}
size_t RecordRollupBuilder::KeyHash::operator()(const Key& k) const {
  return HashKey(k.group, k.resolution, k.ts);
}

uint32_t CallRollupBuilder::GroupOf(const std::string& project, const Dimensions& dims) {
  scratch_.clear();
  RowWriter w(scratch_);
  w.String(project);
  WriteDims(w, dims);
  if (const auto it = group_index_.find(scratch_); it != group_index_.end()) return it->second;
  const auto index = static_cast<uint32_t>(groups_.size());
  group_index_.emplace(scratch_, index);
  groups_.emplace_back(project, dims);
  return index;
}

CallRollupBuilder::Cell& CallRollupBuilder::CellOf(const Key& key) {
  const auto [it, inserted] = cell_index_.try_emplace(key, static_cast<uint32_t>(cells_.size()));
  if (inserted) cells_.emplace_back(key, Cell{});
  return cells_[it->second].second;
}

void CallRollupBuilder::Add(const model::Call& c, const Dimensions& dims, double latency_s,
                            int32_t latency_key, bool ttft_ok, int32_t ttft_key) {
  const uint32_t group = GroupOf(c.project, dims);
  const bool priced = c.cost_usd.has_value() && std::isfinite(*c.cost_usd);
  const double ttft = c.ttft_s.value_or(0);
  for (uint8_t resolution = 0; resolution < 3; ++resolution) {
    Cell& cell = CellOf(Key{group, resolution, BucketStart(c.start_ns, resolution)});
    // min/max start from the first row, as ClickHouse's min() and max() do.
    if (cell.calls == 0 || latency_s < cell.lat_min) cell.lat_min = latency_s;
    if (cell.calls == 0 || latency_s > cell.lat_max) cell.lat_max = latency_s;
    ++cell.calls;
    if (c.status == model::CallStatus::kError) ++cell.errors;
    cell.lat_sum += latency_s;
    cell.lat_sumsq += latency_s * latency_s;
    cell.lat_map.Add(latency_key);
    if (ttft_ok) {
      if (cell.tt_count == 0 || ttft < cell.tt_min) cell.tt_min = ttft;
      if (cell.tt_count == 0 || ttft > cell.tt_max) cell.tt_max = ttft;
      ++cell.tt_count;
      cell.tt_sum += ttft;
      cell.tt_map.Add(ttft_key);
    }
    if (c.input_tokens > 0) cell.in_tokens += static_cast<uint64_t>(c.input_tokens);
    if (c.output_tokens > 0) cell.out_tokens += static_cast<uint64_t>(c.output_tokens);
    if (c.cache_read_tokens > 0) cell.cr_tokens += static_cast<uint64_t>(c.cache_read_tokens);
    if (c.reasoning_tokens > 0) cell.rs_tokens += static_cast<uint64_t>(c.reasoning_tokens);
    if (c.input_tokens >= 0 || c.output_tokens >= 0) ++cell.token_calls;
    if (priced) {
      ++cell.priced_calls;
      cell.cost_sum += *c.cost_usd;
      cell.cost_sumsq += *c.cost_usd * *c.cost_usd;
    }
  }
}

size_t CallRollupBuilder::Write(RowWriter& w, uint64_t insert_id) const {
  for (const auto& [key, cell] : cells_) {
    const auto& [project, dims] = groups_[key.group];
    w.String(project);
    w.U8(key.resolution);
    w.I64(key.ts);
    WriteDims(w, dims);
    w.Fixed(cell.calls);
    w.Fixed(cell.errors);
    w.F64(cell.lat_sum);
    w.F64(cell.lat_sumsq);
    w.F64(cell.lat_min);
    w.F64(cell.lat_max);
    WriteMap(w, cell.lat_map);
    w.Fixed(cell.tt_count);
    w.F64(cell.tt_sum);
    w.F64(cell.tt_min);  // 0 without a TTFT, as minIf over no rows gives
    w.F64(cell.tt_max);
    WriteMap(w, cell.tt_map);
    w.Fixed(cell.in_tokens);
    w.Fixed(cell.out_tokens);
    w.Fixed(cell.cr_tokens);
    w.Fixed(cell.rs_tokens);
    w.Fixed(cell.token_calls);
    w.Fixed(cell.priced_calls);
    w.F64(cell.cost_sum);
    w.F64(cell.cost_sumsq);
    w.Fixed(insert_id);
  }
  return cells_.size();
}

void RecordRollupBuilder::Add(uint8_t kind, const std::string& project, const std::string& name,
                              const std::string& source, const Dimensions& dims, int64_t time_ns,
                              bool valued, double value, bool labeled) {
  scratch_.clear();
  RowWriter w(scratch_);
  w.U8(kind);
  w.String(project);
  w.String(name);
  w.String(source);
  WriteDims(w, dims);
  uint32_t group;
  if (const auto it = group_index_.find(scratch_); it != group_index_.end()) {
    group = it->second;
  } else {
    group = static_cast<uint32_t>(groups_.size());
    group_index_.emplace(scratch_, group);
    groups_.push_back(Group{kind, project, name, source, dims});
  }
  for (uint8_t resolution = 0; resolution < 3; ++resolution) {
    const Key key{group, resolution, BucketStart(time_ns, resolution)};
    const auto [it, inserted] = cell_index_.try_emplace(key, static_cast<uint32_t>(cells_.size()));
    if (inserted) cells_.emplace_back(key, Cell{});
    Cell& cell = cells_[it->second].second;
    if (labeled) ++cell.labeled;
    if (!valued) continue;
    ++cell.count;
    cell.sum += value;
    cell.sumsq += value * value;
    if (value > 0) ++cell.positive;
    if (value >= 4) ++cell.at_least_4;
    if (value >= 9 && value <= 10) ++cell.promoters;
    if (value >= 0 && value <= 6) ++cell.detractors;
  }
}

void RecordRollupBuilder::AddScore(const model::Score& s, const Dimensions& dims, bool valued,
                                   bool labeled) {
  Add(1, s.project, s.name, s.source, dims, s.time_ns, valued, s.value.value_or(0), labeled);
}

void RecordRollupBuilder::AddOutcome(const model::Outcome& o, const Dimensions& dims) {
  static const std::string kNoSource;
  Add(2, o.project, o.name, kNoSource, dims, o.time_ns, std::isfinite(o.value), o.value, false);
}

size_t RecordRollupBuilder::Write(RowWriter& w, uint64_t insert_id) const {
  for (const auto& [key, cell] : cells_) {
    const Group& g = groups_[key.group];
    w.U8(g.kind);
    w.String(g.project);
    w.U8(key.resolution);
    w.I64(key.ts);
    w.String(g.name);
    w.String(g.source);
    WriteDims(w, g.dims);
    w.Fixed(cell.count);
    w.F64(cell.sum);
    w.F64(cell.sumsq);
    w.Fixed(cell.positive);
    w.Fixed(cell.at_least_4);
    w.Fixed(cell.promoters);
    w.Fixed(cell.detractors);
    w.Fixed(cell.labeled);
    w.Fixed(insert_id);
  }
  return cells_.size();
}

}  // namespace yardstick::store::clickhouse

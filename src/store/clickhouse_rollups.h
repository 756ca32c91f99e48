#pragma once
// The rollup rows of one written group, computed in the client (internal to the ClickHouse
// backend; see docs/clickhouse.md). The writer feeds every new raw row of a group with the
// derived values it writes to the raw tables, then sends the rows of each builder with one
// INSERT ... FORMAT RowBinary per rollup table. The rows are those RollupInsert's
// INSERT ... SELECT derives on the server from the same raw rows (the repair path): one row per
// (project, resolution, bucket start, dimensions[, kind, name, source]) with the same counts,
// sums, minima, maxima and sketch bucket counts (keys ascending, as sumMap gives them). Floating
// sums are added in the raw rows' order here, in ClickHouse's read order there: they agree to
// rounding; everything else is equal.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/records.h"
#include "store/aggregates.h"
#include "store/clickhouse_codec.h"

namespace yardstick::store::clickhouse {

// DDSketch bucket counts of one rollup row: keys ascending with their counts.
class BucketCounts {
 public:
  void Add(int32_t key);
  const std::vector<std::pair<int32_t, uint64_t>>& buckets() const { return buckets_; }

 private:
  std::vector<std::pair<int32_t, uint64_t>> buckets_;
};

// Column lists of the rollup tables, in the order Write emits them.
extern const char* const kCallRollupColumns;
extern const char* const kRecordRollupColumns;

class CallRollupBuilder {
 public:
  // One new call with the derived values written to its raw row.
  void Add(const model::Call& c, const Dimensions& dims, double latency_s, int32_t latency_key,
           bool ttft_ok, int32_t ttft_key);
  // Appends the rows of every resolution (minute, hour, day) in RowBinary; returns their number.
  size_t Write(RowWriter& w, uint64_t insert_id) const;
  bool empty() const { return cells_.empty(); }

 private:
  struct Cell {
    uint64_t calls = 0, errors = 0;
    double lat_sum = 0, lat_sumsq = 0, lat_min = 0, lat_max = 0;
    BucketCounts lat_map;
    uint64_t tt_count = 0;
    double tt_sum = 0, tt_min = 0, tt_max = 0;
    BucketCounts tt_map;
    uint64_t in_tokens = 0, out_tokens = 0, cr_tokens = 0, rs_tokens = 0;
    uint64_t token_calls = 0, priced_calls = 0;
    double cost_sum = 0, cost_sumsq = 0;
  };
  struct Key {
    uint32_t group;  // index into groups_ (project and dimensions)
    uint8_t resolution;
    int64_t ts;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  uint32_t GroupOf(const std::string& project, const Dimensions& dims);

  Cell& CellOf(const Key& key);

  std::string scratch_;  // the encoded group key being looked up
  std::unordered_map<std::string, uint32_t> group_index_;
  std::vector<std::pair<std::string, Dimensions>> groups_;
  std::unordered_map<Key, uint32_t, KeyHash> cell_index_;  // into cells_
  std::vector<std::pair<Key, Cell>> cells_;                // in order of first appearance
};

class RecordRollupBuilder {
 public:
  // A new score with the dimensions, `valued` and `labeled` flags written to its raw row.
  void AddScore(const model::Score& s, const Dimensions& dims, bool valued, bool labeled);
  // A new outcome with the dimensions written to its raw row.
  void AddOutcome(const model::Outcome& o, const Dimensions& dims);
  size_t Write(RowWriter& w, uint64_t insert_id) const;
  bool empty() const { return cells_.empty(); }

 private:
  struct Cell {
    uint64_t count = 0;
    double sum = 0, sumsq = 0;
    uint64_t positive = 0, at_least_4 = 0, promoters = 0, detractors = 0, labeled = 0;
  };
  struct Key {
    uint32_t group;  // index into groups_ (kind, project, name, source, dimensions)
    uint8_t resolution;
    int64_t ts;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Group {
    uint8_t kind;
    std::string project, name, source;
    Dimensions dims;
  };
  void Add(uint8_t kind, const std::string& project, const std::string& name,
           const std::string& source, const Dimensions& dims, int64_t time_ns, bool valued,
           double value, bool labeled);

  std::string scratch_;
  std::unordered_map<std::string, uint32_t> group_index_;
  std::vector<Group> groups_;
  std::unordered_map<Key, uint32_t, KeyHash> cell_index_;
  std::vector<std::pair<Key, Cell>> cells_;
};

}  // namespace yardstick::store::clickhouse

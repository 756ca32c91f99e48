#pragma once
// KPIs: the built-in catalog (the brief's KPI table) and user-defined KPIs, answered from the
// store's rollups (or, for conversation-level and user-defined KPIs with filters beyond the
// rollup dimensions, from raw records), as a series per group with a confidence interval where
// the KPI has one.
//
// Interval methods, stated in each result's `ci.method`:
//   wilson      - proportions (error rate, thumbs-up rate, deflection, CTR, ...)
//   t           - means (latency mean, CSAT, cost per call, score means)
//   order-stat  - quantiles: the sketch's values at the binomial ranks n q -/+ z sqrt(n q (1-q))
//   nps-normal  - NPS: normal approximation of the difference of two multinomial shares
// Totals and rates of counts (calls, cost total, throughput) are exact and carry no interval.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "store/store.h"

namespace yardstick::kpi {

enum class Direction { kHigher, kLower, kNone };
const char* DirectionName(Direction d);

struct Info {
  std::string name;
  std::string description;
  std::string unit;  // "s", "ratio", "USD", "calls/s", "score", "nps", ...
  Direction direction = Direction::kNone;
  std::string source;  // calls | scores | outcomes | conversations | user-defined
  bool has_ci = false;
  std::vector<std::string> params;  // query parameters it takes (e.g. "name" for score_mean)
  bool user_defined = false;
};

// A user-defined KPI (from yardstick.yaml's `kpis:`).
struct Definition {
  std::string name, description, unit;
  Direction direction = Direction::kHigher;
  std::string type;    // ratio | mean | quantile | sum | count | rate
  std::string source;  // calls | scores | outcomes
  std::string field;
  double quantile = 0.5;
  store::DimensionFilter filter;
  std::string numerator_source, denominator_source;
  store::DimensionFilter numerator_filter, denominator_filter;
};

struct Request {
  std::string project;
  std::string name;
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  int64_t step_ns = 0;  // 0: one value for the range
  std::vector<std::string> group_by;
  store::DimensionFilter filter;
  std::map<std::string, std::string> params;  // e.g. {"name": "helpfulness"}
  double confidence = 0.95;
};

struct Ci {
  double low = 0;
  double high = 0;
  double level = 0.95;
  std::string method;
};

// The sufficient statistics behind a point, for comparing a KPI between two periods (baselines)
// and for goal burn rates. Which fields are set depends on `kind`:
//   kMean        n, sum, sumsq (of the values averaged)
//   kProportion  successes (the numerator), trials (the denominator)
//   kQuantile    quantile and sketch (the sketch the quantile was read from)
//   kNps         promoters, detractors, n (respondents)
//   kExact       nothing: the value is an exact count, sum or rate with no sampling distribution
struct Distribution {
  enum class Kind { kExact, kMean, kProportion, kQuantile, kNps };
  Kind kind = Kind::kExact;
  uint64_t n = 0;
  double sum = 0, sumsq = 0;
  uint64_t successes = 0, trials = 0;
  uint64_t promoters = 0, detractors = 0;
  double quantile = 0;
  std::shared_ptr<const stats::DDSketch> sketch;
};
const char* DistributionKindName(Distribution::Kind kind);

struct Point {
  int64_t bucket_ns = 0;
  std::optional<double> value;  // nullopt: no data in the bucket
  std::optional<Ci> ci;
  uint64_t n = 0;  // observations behind the value
  Distribution distribution;
};

struct Series {
  std::vector<std::string> group;  // values of group_by
  std::vector<Point> points;       // one per bucket, in time order, empty buckets included
};

struct Result {
  Info info;
  Request request;
  std::vector<Series> series;
};

class Engine {
 public:
  // `store` must outlive the engine. Errors when a definition is invalid or clashes with a
  // built-in name.
  static yardstick::Result<Engine> Create(store::Store* store, std::vector<Definition> user);

  std::vector<Info> Catalog() const;
  std::optional<Info> Find(const std::string& name) const;
  yardstick::Result<Result> Query(const Request& request) const;

 private:
  store::Store* store_ = nullptr;
  std::vector<Definition> user_;
};

// The names of the built-in KPIs (for configuration validation).
std::vector<std::string> BuiltinNames();

}  // namespace yardstick::kpi

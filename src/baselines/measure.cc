// Measuring a KPI or a record field over a range into a Distribution.
#include <algorithm>

#include "baselines/baselines.h"

namespace yardstick::baselines {
namespace {

const std::vector<std::string>& Numeric() {
  static const std::vector<std::string> k = {
      "calls.latency", "calls.ttft",   "calls.input_tokens", "calls.output_tokens",
      "calls.cost",    "scores.value", "outcomes.value"};
  return k;
}

const std::vector<std::string>& Categorical() {
  static const std::vector<std::string> k = {
      "calls.finish_reason", "calls.status",         "calls.error_type", "calls.model",
      "calls.route",         "calls.prompt_version", "calls.variant",    "calls.environment",
      "calls.provider",      "calls.operation",      "scores.label",     "outcomes.name"};
  return k;
}

constexpr uint64_t kMaxCategoricalRecords = 2'000'000;

const char* StatusText(model::CallStatus s) {
  switch (s) {
    case model::CallStatus::kOk:
      return "ok";
    case model::CallStatus::kError:
      return "error";
    default:
      return "unset";
  }
}

std::string CallValue(const model::Call& c, const std::string& f) {
  if (f == "finish_reason") return c.finish_reason;
  if (f == "status") return StatusText(c.status);
  if (f == "error_type") return c.error_type;
  if (f == "model") return c.model();
  if (f == "route") return c.route;
  if (f == "prompt_version") return c.prompt_version;
  if (f == "variant") return c.variant;
  if (f == "environment") return c.environment;
  if (f == "provider") return c.provider;
  return c.operation;
}

// Pages through the records of [from, to) and counts the values of one field.
template <typename Record, typename ListFn, typename ValueFn>
Result<std::map<std::string, uint64_t>> CountCategories(const store::RecordQuery& base, ListFn list,
                                                        ValueFn value) {
  std::map<std::string, uint64_t> counts;
  store::RecordQuery q = base;
  q.limit = 10'000;
  uint64_t seen = 0;
  while (true) {
    Result<store::Page<Record>> page = list(q);
    if (!page) return std::unexpected(page.error());
    for (const auto& r : page->records) ++counts[value(r)];
    seen += page->records.size();
    if (seen > kMaxCategoricalRecords) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "more than 2000000 records in the range; choose a shorter range");
    }
    if (page->next.empty()) break;
    q.after = page->next;
  }
  return counts;
}

}  // namespace

std::vector<std::string> NumericFields() { return Numeric(); }
std::vector<std::string> CategoricalFields() { return Categorical(); }

Result<Distribution> Measure(const kpi::Engine& kpis, store::Store& store, const Spec& spec,
                             int64_t from_ns, int64_t to_ns) {
  if (to_ns <= from_ns) return MakeError(ErrorCode::kInvalidArgument, "`to` must be after `from`");
  Distribution d;
  if (!spec.kpi.empty()) {
    kpi::Request r;
    r.project = spec.project;
    r.name = spec.kpi;
    r.from_ns = from_ns;
    r.to_ns = to_ns;
    r.filter = spec.filter;
    r.params = spec.params;
    auto result = kpis.Query(r);
    if (!result) return std::unexpected(result.error());
    d.unit = result->info.unit;
    d.direction = result->info.direction;
    if (!result->series.empty() && !result->series.front().points.empty()) {
      const kpi::Point& p = result->series.front().points.front();
      d.stats = p.distribution;
      d.value = p.value;
      d.n = p.n;
    }
    d.kind = kpi::DistributionKindName(d.stats.kind);
    return d;
  }
  const auto dot = spec.field.find('.');
  const std::string source = dot == std::string::npos ? "" : spec.field.substr(0, dot);
  const std::string field = dot == std::string::npos ? "" : spec.field.substr(dot + 1);
  if (std::find(Numeric().begin(), Numeric().end(), spec.field) != Numeric().end()) {
    store::RawQuery q;
    q.project = spec.project;
    q.source = source;
    q.from_ns = from_ns;
    q.to_ns = to_ns;
    q.filter = spec.filter;
    q.field = field;
    auto cells = store.QueryRaw(q);
    if (!cells) return std::unexpected(cells.error());
    store::RawAggregate agg;
    for (const auto& c : *cells) {
      agg.valued += c.aggregate.valued;
      agg.sum += c.aggregate.sum;
      agg.sumsq += c.aggregate.sumsq;
      if (auto m = agg.sketch.Merge(c.aggregate.sketch); !m) return std::unexpected(m.error());
    }
    d.kind = "mean";
    d.stats.kind = kpi::Distribution::Kind::kMean;
    d.stats.n = agg.valued;
    d.stats.sum = agg.sum;
    d.stats.sumsq = agg.sumsq;
    d.stats.sketch = std::make_shared<const stats::DDSketch>(agg.sketch);
    d.n = agg.valued;
    if (agg.valued > 0) d.value = agg.sum / static_cast<double>(agg.valued);
    d.unit = field == "latency" || field == "ttft" ? "s"
             : field == "cost"                     ? "USD"
             : source == "calls"                   ? "tokens"
                                                   : "";
    return d;
  }
  if (std::find(Categorical().begin(), Categorical().end(), spec.field) == Categorical().end()) {
    std::string all;
    for (const auto& f : Numeric()) all += (all.empty() ? "" : ", ") + f;
    for (const auto& f : Categorical()) all += ", " + f;
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown field '" + spec.field + "'; expected one of " + all);
  }
  store::RecordQuery q;
  q.project = spec.project;
  q.from_ns = from_ns;
  q.to_ns = to_ns;
  q.filter = spec.filter;
  q.newest_first = false;
  Result<std::map<std::string, uint64_t>> counts;
  if (source == "calls") {
    counts = CountCategories<model::Call>(
        q, [&](const store::RecordQuery& rq) { return store.ListCalls(rq); },
        [&](const model::Call& c) { return CallValue(c, field); });
  } else if (source == "scores") {
    counts = CountCategories<model::Score>(
        q, [&](const store::RecordQuery& rq) { return store.ListScores(rq); },
        [](const model::Score& s) { return s.label; });
  } else {
    counts = CountCategories<model::Outcome>(
        q, [&](const store::RecordQuery& rq) { return store.ListOutcomes(rq); },
        [](const model::Outcome& o) { return o.name; });
  }
  if (!counts) return std::unexpected(counts.error());
  d.kind = "categorical";
  d.categories = std::move(*counts);
  for (const auto& [name, n] : d.categories) d.n += n;
  return d;
}

}  // namespace yardstick::baselines

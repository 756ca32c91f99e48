// Change detection conditions: a KPI's series, one value per `step`, fed bucket by bucket into
// a CUSUM, Page-Hinkley or EWMA detector (stats/change_detection.h) whose state is kept in
// alert_detectors, so a restart continues where it stopped and no bucket is fed twice.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "alerts/conditions.h"
#include "kpi/kpi.h"
#include "stats/change_detection.h"

namespace yardstick::alerts {
namespace {

using nlohmann::json;

// What is kept per series between evaluations (as JSON in alert_detectors.state).
struct SeriesState {
  std::vector<double> warmup;  // values collected to estimate mean and sigma
  std::optional<double> mean, sigma;
  json detector = json::object();  // the detector's own state
  std::optional<double> last_value, statistic, limit;
  std::string last_direction;
};

json ToJson(const SeriesState& s) {
  json j = {{"warmup", s.warmup}, {"detector", s.detector}};
  if (s.mean) j["mean"] = *s.mean;
  if (s.sigma) j["sigma"] = *s.sigma;
  if (s.last_value) j["last_value"] = *s.last_value;
  if (s.statistic) j["statistic"] = *s.statistic;
  if (s.limit) j["limit"] = *s.limit;
  j["last_direction"] = s.last_direction;
  return j;
}

SeriesState FromJson(std::string_view text) {
  SeriesState s;
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return s;
  s.warmup = j.value("warmup", std::vector<double>{});
  if (j.contains("mean")) s.mean = j["mean"].get<double>();
  if (j.contains("sigma")) s.sigma = j["sigma"].get<double>();
  if (j.contains("detector") && j["detector"].is_object()) s.detector = j["detector"];
  if (j.contains("last_value")) s.last_value = j["last_value"].get<double>();
  if (j.contains("statistic")) s.statistic = j["statistic"].get<double>();
  if (j.contains("limit")) s.limit = j["limit"].get<double>();
  s.last_direction = j.value("last_direction", "");
  return s;
}

bool Wanted(stats::ShiftDirection d, const std::string& direction) {
  if (d == stats::ShiftDirection::kNone) return false;
  if (direction == "both") return true;
  return (direction == "up") == (d == stats::ShiftDirection::kUp);
}

// Feeds one value; returns whether it raised a wanted alarm.
Result<bool> Feed(const config::AlertConditionConfig& c, SeriesState& s, double x) {
  s.last_value = x;
  if (!s.mean && c.mean) s.mean = c.mean;
  if (!s.sigma && c.sigma) s.sigma = c.sigma;
  const bool needs_reference = c.detector != "page_hinkley";
  if (needs_reference && (!s.mean || !s.sigma)) {
    s.warmup.push_back(x);
    if (static_cast<int64_t>(s.warmup.size()) < c.warmup) return false;
    double sum = 0;
    for (double v : s.warmup) sum += v;
    const double mean = sum / static_cast<double>(s.warmup.size());
    double ss = 0;
    for (double v : s.warmup) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / static_cast<double>(s.warmup.size() - 1));
    if (!s.mean) s.mean = c.mean ? *c.mean : mean;
    // A constant in-control series: any departure is a change (a tiny positive sigma).
    if (!s.sigma)
      s.sigma = c.sigma ? *c.sigma : std::max(sd, 1e-9 * std::max(1.0, std::fabs(mean)));
    s.warmup.clear();
    return false;
  }
  if (c.detector == "cusum") {
    stats::CusumParams p{*s.mean, *s.sigma, c.k, c.h};
    stats::CusumState st;
    st.upper = s.detector.value("upper", 0.0);
    st.lower = s.detector.value("lower", 0.0);
    st.count = s.detector.value("count", int64_t{0});
    st.alarm = s.detector.value("alarm", false);
    auto d = stats::Cusum::Create(p, st);
    if (!d) return std::unexpected(d.error());
    auto step = d->Update(x);
    if (!step) return std::unexpected(step.error());
    const auto& n = d->state();
    s.detector = {{"upper", n.upper}, {"lower", n.lower}, {"count", n.count}, {"alarm", n.alarm}};
    s.statistic = std::max(step->upper, step->lower);
    s.limit = c.h * *s.sigma;
    if (step->alarm) s.last_direction = stats::ShiftDirectionName(step->direction);
    return step->alarm && Wanted(step->direction, c.direction);
  }
  if (c.detector == "ewma") {
    stats::EwmaParams p{*s.mean, *s.sigma, c.lambda, c.l};
    std::optional<stats::EwmaState> st;
    if (s.detector.contains("z")) {
      st = stats::EwmaState{s.detector.value("z", 0.0), s.detector.value("count", int64_t{0}),
                            s.detector.value("alarm", false)};
    }
    auto d = stats::Ewma::Create(p, st);
    if (!d) return std::unexpected(d.error());
    auto step = d->Update(x);
    if (!step) return std::unexpected(step.error());
    const auto& n = d->state();
    s.detector = {{"z", n.z}, {"count", n.count}, {"alarm", n.alarm}};
    s.statistic = step->z;
    s.limit = step->z >= *s.mean ? step->upper : step->lower;
    if (step->alarm) s.last_direction = stats::ShiftDirectionName(step->direction);
    return step->alarm && Wanted(step->direction, c.direction);
  }
  stats::PageHinkleyParams p;
  p.delta = c.delta;
  p.lambda = c.threshold;
  p.alpha = c.alpha;
  p.min_instances = c.min_instances;
  p.mode = c.direction == "up"     ? stats::PageHinkleyMode::kUp
           : c.direction == "down" ? stats::PageHinkleyMode::kDown
                                   : stats::PageHinkleyMode::kBoth;
  stats::PageHinkleyState st;
  st.mean = s.detector.value("mean", 0.0);
  st.up = s.detector.value("up", 0.0);
  st.down = s.detector.value("down", 0.0);
  st.count = s.detector.value("count", int64_t{0});
  st.alarm = s.detector.value("alarm", false);
  auto d = stats::PageHinkley::Create(p, st);
  if (!d) return std::unexpected(d.error());
  auto step = d->Update(x);
  if (!step) return std::unexpected(step.error());
  const auto& n = d->state();
  s.detector = {
      {"mean", n.mean}, {"up", n.up}, {"down", n.down}, {"count", n.count}, {"alarm", n.alarm}};
  s.statistic = std::max(step->up, step->down);
  s.limit = c.threshold;
  if (step->alarm) s.last_direction = stats::ShiftDirectionName(step->direction);
  return step->alarm && Wanted(step->direction, c.direction);
}

}  // namespace

Result<std::vector<Observation>> ChangeDetection(const ConditionInput& in) {
  const auto& rule = in.rule;
  const auto& c = rule.condition;
  const int64_t step = c.step_ns;
  const int64_t to = in.now_ns / step * step;  // complete buckets only
  // The first evaluation of a series reads enough history to warm the detector up.
  const int64_t history =
      std::max(rule.window_ns, step * (std::max(c.warmup, c.min_instances) + 1));
  auto result = in.sources.kpis->Query(KpiRequest(in, to - history, to, step));
  if (!result) return std::unexpected(result.error());
  std::vector<Observation> out;
  for (const auto& series : result->series) {
    std::string key = in.project;
    for (const auto& g : series.group) key += '\x1f' + g;
    auto row = in.db.Detector(rule.name, key);
    if (!row) return std::unexpected(row.error());
    DetectorRow state = row->value_or(DetectorRow{"{}", 0, 0});
    SeriesState s = FromJson(state.state);
    bool fed = false;
    for (const auto& p : series.points) {
      if (p.bucket_ns <= state.last_bucket_ns && state.last_bucket_ns != 0) continue;
      state.last_bucket_ns = p.bucket_ns;
      fed = true;
      if (!p.value || static_cast<int64_t>(p.n) < c.min_samples) continue;  // no data: skipped
      auto alarm = Feed(c, s, *p.value);
      if (!alarm) return std::unexpected(alarm.error());
      if (*alarm) state.last_alarm_ns = p.bucket_ns + step;
    }
    if (fed) {
      state.state = ToJson(s).dump();
      if (auto r = in.db.PutDetector(rule.name, key, state); !r) return std::unexpected(r.error());
    }
    Observation o;
    o.group = series.group;
    o.value = s.last_value;
    o.active = state.last_alarm_ns > 0 && in.now_ns < state.last_alarm_ns + rule.window_ns;
    if (s.statistic) o.numbers["statistic"] = *s.statistic;
    if (s.limit) o.numbers["threshold"] = *s.limit;
    o.strings["detector"] = c.detector;
    if (!s.last_direction.empty()) o.strings["change"] = s.last_direction;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace yardstick::alerts

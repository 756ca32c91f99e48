#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "kpi/kpi.h"
#include "stats/intervals.h"
#include "store/time_plan.h"

namespace yardstick::kpi {
namespace {

using store::CallAggregate;
using store::ConversationStats;
using store::ScoreAggregate;

// How a built-in KPI is computed.
enum class Family {
  kCalls,
  kScores,
  kOutcomeRatio,
  kOutcomeMean,
  kConversations,
  kConversion,
  kFraud
};

using CallFn = std::function<Point(const CallAggregate&, double seconds, double level)>;
using ScoreFn = std::function<Point(const ScoreAggregate&, double level)>;
using ConvFn = std::function<Point(const ConversationStats&, double level)>;

struct Builtin {
  Info info;
  Family family;
  CallFn call_fn;
  ScoreFn score_fn;
  ConvFn conv_fn;
  std::string score_name;        // fixed score / outcome name ("" = from the `name` parameter)
  std::string denominator_name;  // outcome ratio: the denominator outcome
  std::string fraud_kind;        // detection | false_positive | precision
};

Point Ratio(uint64_t num, uint64_t den, double level) {
  Point p;
  p.n = den;
  p.distribution.kind = Distribution::Kind::kProportion;
  p.distribution.successes = num;
  p.distribution.trials = den;
  if (den == 0) return p;
  p.value = static_cast<double>(num) / static_cast<double>(den);
  if (num <= den) {
    if (auto ci = stats::WilsonInterval(num, den, level)) {
      p.ci = Ci{ci->low, ci->high, level, "wilson"};
    }
  }
  return p;
}

Point Mean(uint64_t n, double sum, double sumsq, double level) {
  Point p;
  p.n = n;
  p.distribution.kind = Distribution::Kind::kMean;
  p.distribution.n = n;
  p.distribution.sum = sum;
  p.distribution.sumsq = sumsq;
  if (n == 0) return p;
  p.value = sum / static_cast<double>(n);
  if (auto ci = stats::MeanInterval(n, sum, sumsq, level)) {
    p.ci = Ci{ci->low, ci->high, level, "t"};
  }
  return p;
}

Point Exact(double value, uint64_t n) {
  Point p;
  p.n = n;
  p.value = value;
  return p;
}

Point SketchQuantile(const stats::DDSketch& sketch, double q, double level) {
  Point p;
  p.n = sketch.count();
  p.distribution.kind = Distribution::Kind::kQuantile;
  p.distribution.quantile = q;
  if (sketch.empty()) return p;
  p.distribution.sketch = std::make_shared<const stats::DDSketch>(sketch);
  p.value = sketch.Quantile(q);
  auto ci = stats::QuantileInterval(sketch.count(), q, level,
                                    [&](double rank) { return sketch.ValueAtRank(rank); });
  if (ci) p.ci = Ci{ci->low, ci->high, level, "order-stat"};
  return p;
}

Info MakeInfo(std::string name, std::string description, std::string unit, Direction direction,
              std::string source, bool has_ci, std::vector<std::string> params = {}) {
  return Info{std::move(name),   std::move(description),
              std::move(unit),   direction,
              std::move(source), has_ci,
              std::move(params), false};
}

const std::vector<Builtin>& Builtins() {
  static const std::vector<Builtin> kBuiltins = [] {
    std::vector<Builtin> b;
    auto call = [&](Info info, CallFn fn) {
      b.push_back(Builtin{std::move(info), Family::kCalls, std::move(fn), {}, {}, "", "", ""});
    };
    auto score = [&](Info info, std::string name, ScoreFn fn) {
      b.push_back(Builtin{
          std::move(info), Family::kScores, {}, std::move(fn), {}, std::move(name), "", ""});
    };
    auto conv = [&](Info info, ConvFn fn) {
      b.push_back(
          Builtin{std::move(info), Family::kConversations, {}, {}, std::move(fn), "", "", ""});
    };
    const auto H = Direction::kHigher;
    const auto L = Direction::kLower;
    const auto N = Direction::kNone;

    call(MakeInfo("calls", "Number of LLM calls", "calls", N, "calls", false),
         [](const CallAggregate& a, double, double) {
           return Exact(static_cast<double>(a.calls), a.calls);
         });
    call(MakeInfo("throughput", "Calls per second over the bucket", "calls/s", H, "calls", false),
         [](const CallAggregate& a, double seconds, double) {
           return Exact(static_cast<double>(a.calls) / seconds, a.calls);
         });
    call(MakeInfo("output_tokens_per_second", "Output tokens per second over the bucket",
                  "tokens/s", H, "calls", false),
         [](const CallAggregate& a, double seconds, double) {
           return Exact(static_cast<double>(a.output_tokens) / seconds, a.calls);
         });
    call(MakeInfo("error_rate", "Calls with status error / calls", "ratio", L, "calls", true),
         [](const CallAggregate& a, double, double level) {
           return Ratio(a.errors, a.calls, level);
         });
    call(MakeInfo("latency_mean", "Mean call duration", "s", L, "calls", true),
         [](const CallAggregate& a, double, double level) {
           return Mean(a.calls, a.latency_sum, a.latency_sumsq, level);
         });
    for (const auto& [name, q] :
         std::vector<std::pair<std::string, double>>{{"latency_p50", 0.5},
                                                     {"latency_p90", 0.9},
                                                     {"latency_p95", 0.95},
                                                     {"latency_p99", 0.99}}) {
      const double qq = q;
      call(MakeInfo(name, "Quantile of call duration (DDSketch, 1% relative error)", "s", L,
                    "calls", true),
           [qq](const CallAggregate& a, double, double level) {
             return SketchQuantile(a.latency, qq, level);
           });
    }
    for (const auto& [name, q] : std::vector<std::pair<std::string, double>>{
             {"ttft_p50", 0.5}, {"ttft_p95", 0.95}, {"ttft_p99", 0.99}}) {
      const double qq = q;
      call(MakeInfo(name, "Quantile of time to first token (DDSketch, 1% relative error)", "s", L,
                    "calls", true),
           [qq](const CallAggregate& a, double, double level) {
             return SketchQuantile(a.ttft, qq, level);
           });
    }
    call(MakeInfo("input_tokens", "Total input tokens", "tokens", N, "calls", false),
         [](const CallAggregate& a, double, double) {
           return Exact(static_cast<double>(a.input_tokens), a.token_calls);
         });
    call(MakeInfo("output_tokens", "Total output tokens", "tokens", N, "calls", false),
         [](const CallAggregate& a, double, double) {
           return Exact(static_cast<double>(a.output_tokens), a.token_calls);
         });
    call(MakeInfo("tokens_per_call", "Mean input + output tokens per call that reported them",
                  "tokens", L, "calls", false),
         [](const CallAggregate& a, double, double) {
           Point p;
           p.n = a.token_calls;
           if (a.token_calls > 0) {
             p.value = static_cast<double>(a.input_tokens + a.output_tokens) /
                       static_cast<double>(a.token_calls);
           }
           return p;
         });
    call(MakeInfo("cost_total", "Total cost", "USD", L, "calls", false),
         [](const CallAggregate& a, double, double) { return Exact(a.cost_sum, a.priced_calls); });
    call(MakeInfo("cost_per_call", "Mean cost of the calls that have a cost", "USD", L, "calls",
                  true),
         [](const CallAggregate& a, double, double level) {
           return Mean(a.priced_calls, a.cost_sum, a.cost_sumsq, level);
         });

    score(MakeInfo("score_mean", "Mean of a named score (e.g. a judge's helpfulness)", "score", H,
                   "scores", true, {"name", "source"}),
          "", [](const ScoreAggregate& a, double level) {
            return Mean(a.count, a.sum, a.sumsq, level);
          });
    score(MakeInfo("score_pass_rate", "Share of a named score's values that are > 0", "ratio", H,
                   "scores", true, {"name", "source"}),
          "",
          [](const ScoreAggregate& a, double level) { return Ratio(a.positive, a.count, level); });
    score(MakeInfo("csat", "Mean survey rating (score `csat`, 1-5)", "score", H, "scores", true),
          "csat", [](const ScoreAggregate& a, double level) {
            return Mean(a.count, a.sum, a.sumsq, level);
          });
    score(MakeInfo("csat_satisfied_rate", "Share of `csat` ratings >= 4 of 5", "ratio", H, "scores",
                   true),
          "csat", [](const ScoreAggregate& a, double level) {
            return Ratio(a.at_least_4, a.count, level);
          });
    score(MakeInfo("nps", "% promoters (9-10) - % detractors (0-6) of score `nps`", "nps", H,
                   "scores", true),
          "nps", [](const ScoreAggregate& a, double level) {
            Point p;
            p.n = a.count;
            p.distribution.kind = Distribution::Kind::kNps;
            p.distribution.n = a.count;
            p.distribution.promoters = a.promoters;
            p.distribution.detractors = a.detractors;
            if (a.count == 0) return p;
            p.value = 100.0 *
                      (static_cast<double>(a.promoters) - static_cast<double>(a.detractors)) /
                      static_cast<double>(a.count);
            if (auto ci = stats::NpsInterval(a.promoters, a.detractors, a.count, level)) {
              p.ci = Ci{ci->low, ci->high, level, "nps-normal"};
            }
            return p;
          });
    score(MakeInfo("thumbs_up_rate", "Positive / all feedback of score `thumbs`", "ratio", H,
                   "scores", true),
          "thumbs",
          [](const ScoreAggregate& a, double level) { return Ratio(a.positive, a.count, level); });

    b.push_back(Builtin{
        MakeInfo("ctr", "Outcomes `click` / outcomes `impression`", "ratio", H, "outcomes", true),
        Family::kOutcomeRatio,
        {},
        {},
        {},
        "click",
        "impression",
        ""});
    b.push_back(
        Builtin{MakeInfo("conversion_rate", "Outcomes `conversion` / distinct sessions with calls",
                         "ratio", H, "outcomes", true),
                Family::kConversion,
                {},
                {},
                {},
                "conversion",
                "",
                ""});
    b.push_back(Builtin{
        MakeInfo("average_handling_time", "Mean value of `handling_time` outcomes (seconds)", "s",
                 L, "outcomes", true),
        Family::kOutcomeMean,
        {},
        {},
        {},
        "handling_time",
        "",
        ""});

    conv(MakeInfo("conversations", "Distinct conversations with calls", "conversations", N,
                  "conversations", false),
         [](const ConversationStats& c, double) {
           return Exact(static_cast<double>(c.conversations), c.conversations);
         });
    conv(MakeInfo("deflection_rate", "Conversations without an `escalated` outcome / conversations",
                  "ratio", H, "conversations", true),
         [](const ConversationStats& c, double level) {
           return Ratio(c.conversations - c.escalated, c.conversations, level);
         });
    conv(MakeInfo("escalation_rate", "Conversations with an `escalated` outcome / conversations",
                  "ratio", L, "conversations", true),
         [](const ConversationStats& c, double level) {
           return Ratio(c.escalated, c.conversations, level);
         });
    conv(MakeInfo("resolution_rate", "Conversations with a `resolved` outcome / conversations",
                  "ratio", H, "conversations", true),
         [](const ConversationStats& c, double level) {
           return Ratio(c.resolved, c.conversations, level);
         });
    conv(MakeInfo("first_contact_resolution",
                  "Conversations resolved with no `repeat_contact` outcome / conversations",
                  "ratio", H, "conversations", true),
         [](const ConversationStats& c, double level) {
           return Ratio(c.resolved_first_contact, c.conversations, level);
         });
    conv(MakeInfo("survey_response_rate",
                  "Conversations with a score from source user or survey / conversations", "ratio",
                  H, "conversations", true),
         [](const ConversationStats& c, double level) {
           return Ratio(c.with_feedback, c.conversations, level);
         });
    conv(MakeInfo("conversation_duration", "Mean time from first call start to last call end", "s",
                  L, "conversations", true),
         [](const ConversationStats& c, double level) {
           return Mean(c.conversations, c.duration_sum, c.duration_sumsq, level);
         });
    conv(MakeInfo("cost_per_conversation", "Mean cost of a conversation's calls", "USD", L,
                  "conversations", true),
         [](const ConversationStats& c, double level) {
           return Mean(c.conversations, c.cost_sum, c.cost_sumsq, level);
         });
    conv(MakeInfo("cost_per_resolved_conversation",
                  "Total cost of the conversations / resolved conversations", "USD", L,
                  "conversations", false),
         [](const ConversationStats& c, double) {
           Point p;
           p.n = c.resolved;
           if (c.resolved > 0) p.value = c.cost_sum / static_cast<double>(c.resolved);
           return p;
         });
    for (const auto& [name, kind, desc, dir] :
         std::vector<std::tuple<std::string, std::string, std::string, Direction>>{
             {"fraud_detection_rate", "detection",
              "Confirmed-fraud subjects that were flagged / confirmed-fraud subjects", H},
             {"fraud_false_positive_rate", "false_positive",
              "Flagged subjects not confirmed as fraud / subjects not confirmed as fraud", L},
             {"fraud_precision", "precision",
              "Flagged subjects confirmed as fraud / flagged subjects", H}}) {
      b.push_back(Builtin{MakeInfo(name, desc, "ratio", dir, "outcomes", true),
                          Family::kFraud,
                          {},
                          {},
                          {},
                          "",
                          "",
                          kind});
    }
    return b;
  }();
  return kBuiltins;
}

const Builtin* FindBuiltin(const std::string& name) {
  for (const auto& b : Builtins()) {
    if (b.info.name == name) return &b;
  }
  return nullptr;
}

// The bucket starts of a request and each bucket's length in seconds.
std::vector<std::pair<int64_t, double>> Buckets(int64_t from, int64_t to, int64_t step) {
  std::vector<std::pair<int64_t, double>> out;
  if (step <= 0) {
    out.emplace_back(from, static_cast<double>(to - from) * 1e-9);
    return out;
  }
  for (int64_t b = from; b < to; b += step) {
    out.emplace_back(b, static_cast<double>(std::min(to, b + step) - b) * 1e-9);
  }
  return out;
}

// Turns cells (bucket, group) -> aggregate into series with every bucket present.
template <typename Agg, typename Fn>
std::vector<Series> Assemble(
    const std::vector<std::pair<int64_t, double>>& buckets,
    const std::map<std::pair<int64_t, std::vector<std::string>>, Agg>& cells, size_t group_size,
    Fn point) {
  std::set<std::vector<std::string>> groups;
  for (const auto& [key, unused] : cells) groups.insert(key.second);
  if (groups.empty() && group_size == 0) groups.insert(std::vector<std::string>());
  std::vector<Series> out;
  for (const auto& g : groups) {
    Series s;
    s.group = g;
    for (const auto& [bucket, seconds] : buckets) {
      auto it = cells.find({bucket, g});
      Point p;
      if (it != cells.end()) {
        p = point(it->second, seconds);
      } else {
        const Agg empty;
        p = point(empty, seconds);
        if (p.n == 0) {
          p.value = p.value && *p.value == 0 ? p.value : std::nullopt;
          p.ci.reset();
        }
      }
      p.bucket_ns = bucket;
      s.points.push_back(std::move(p));
    }
    out.push_back(std::move(s));
  }
  return out;
}

template <typename Cell>
auto ToMap(std::vector<Cell> cells) {
  std::map<std::pair<int64_t, std::vector<std::string>>, decltype(cells[0].aggregate)> m;
  for (auto& c : cells)
    m.emplace(std::make_pair(c.bucket_ns, std::move(c.group)), std::move(c.aggregate));
  return m;
}

store::RollupQuery RollupOf(const Request& r) {
  store::RollupQuery q;
  q.project = r.project;
  q.from_ns = r.from_ns;
  q.to_ns = r.to_ns;
  q.step_ns = r.step_ns;
  q.group_by = r.group_by;
  q.filter = r.filter;
  return q;
}

std::string Param(const Request& r, const std::string& key) {
  auto it = r.params.find(key);
  return it == r.params.end() ? std::string() : it->second;
}

}  // namespace

const char* DistributionKindName(Distribution::Kind kind) {
  switch (kind) {
    case Distribution::Kind::kExact:
      return "exact";
    case Distribution::Kind::kMean:
      return "mean";
    case Distribution::Kind::kProportion:
      return "proportion";
    case Distribution::Kind::kQuantile:
      return "quantile";
    case Distribution::Kind::kNps:
      return "nps";
  }
  return "exact";
}

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kHigher:
      return "higher";
    case Direction::kLower:
      return "lower";
    case Direction::kNone:
      return "none";
  }
  return "none";
}

std::vector<std::string> BuiltinNames() {
  std::vector<std::string> out;
  for (const auto& b : Builtins()) out.push_back(b.info.name);
  return out;
}

yardstick::Result<Engine> Engine::Create(store::Store* store, std::vector<Definition> user) {
  static const std::set<std::string> kTypes = {"ratio", "mean", "quantile", "sum", "count", "rate"};
  std::set<std::string> names;
  for (const auto& d : user) {
    if (FindBuiltin(d.name)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "KPI '" + d.name + "' has the name of a built-in KPI");
    }
    if (!names.insert(d.name).second) {
      return MakeError(ErrorCode::kInvalidArgument, "KPI '" + d.name + "' is defined twice");
    }
    if (!kTypes.contains(d.type)) {
      return MakeError(ErrorCode::kInvalidArgument, "KPI '" + d.name + "': unknown type '" +
                                                        d.type +
                                                        "' (ratio, mean, quantile, sum, count, "
                                                        "rate)");
    }
    if ((d.type == "mean" || d.type == "quantile" || d.type == "sum") && d.field.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "KPI '" + d.name + "': type " + d.type + " needs a field");
    }
  }
  Engine e;
  e.store_ = store;
  e.user_ = std::move(user);
  return e;
}

std::vector<Info> Engine::Catalog() const {
  std::vector<Info> out;
  for (const auto& b : Builtins()) out.push_back(b.info);
  for (const auto& d : user_) {
    Info info;
    info.name = d.name;
    info.description = d.description;
    info.unit = d.unit;
    info.direction = d.direction;
    info.source = d.type == "ratio" ? d.numerator_source : d.source;
    info.has_ci = d.type == "ratio" || d.type == "mean" || d.type == "quantile";
    info.user_defined = true;
    out.push_back(std::move(info));
  }
  return out;
}

std::optional<Info> Engine::Find(const std::string& name) const {
  for (auto& info : Catalog()) {
    if (info.name == name) return info;
  }
  return std::nullopt;
}

yardstick::Result<Result> Engine::Query(const Request& req) const {
  if (req.to_ns <= req.from_ns) {
    return MakeError(ErrorCode::kInvalidArgument, "`to` must be after `from`");
  }
  if (req.step_ns < 0 || (req.step_ns > 0 && req.step_ns % store::kNanosPerMinute != 0)) {
    return MakeError(ErrorCode::kInvalidArgument, "step must be a whole number of minutes");
  }
  if (!(req.confidence > 0 && req.confidence < 1)) {
    return MakeError(ErrorCode::kInvalidArgument, "confidence must be in (0, 1)");
  }
  Result result;
  result.request = req;
  result.request.from_ns = store::FloorTo(req.from_ns, store::kNanosPerMinute);
  result.request.to_ns = store::CeilTo(req.to_ns, store::kNanosPerMinute);
  const Request& r = result.request;
  if (r.step_ns > 0 && (r.to_ns - r.from_ns) / r.step_ns > 100'000) {
    return MakeError(ErrorCode::kInvalidArgument, "more than 100000 buckets; use a larger step");
  }
  const auto buckets = Buckets(r.from_ns, r.to_ns, r.step_ns);
  const double level = r.confidence;
  const size_t gs = r.group_by.size();

  if (const Builtin* b = FindBuiltin(r.name)) {
    result.info = b->info;
    switch (b->family) {
      case Family::kCalls: {
        auto cells = store_->QueryCallRollups(RollupOf(r));
        if (!cells) return std::unexpected(cells.error());
        result.series = Assemble(
            buckets, ToMap(std::move(*cells)), gs,
            [&](const CallAggregate& a, double seconds) { return b->call_fn(a, seconds, level); });
        return result;
      }
      case Family::kScores: {
        auto q = RollupOf(r);
        q.score_name = b->score_name.empty() ? Param(r, "name") : b->score_name;
        q.score_source = Param(r, "source");
        if (q.score_name.empty()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "KPI " + r.name + " needs the parameter `name` (the score's name)");
        }
        auto cells = store_->QueryScoreRollups(q);
        if (!cells) return std::unexpected(cells.error());
        result.series =
            Assemble(buckets, ToMap(std::move(*cells)), gs,
                     [&](const ScoreAggregate& a, double) { return b->score_fn(a, level); });
        return result;
      }
      case Family::kOutcomeMean: {
        auto q = RollupOf(r);
        q.score_name = b->score_name;
        auto cells = store_->QueryOutcomeRollups(q);
        if (!cells) return std::unexpected(cells.error());
        result.series = Assemble(
            buckets, ToMap(std::move(*cells)), gs,
            [&](const ScoreAggregate& a, double) { return Mean(a.count, a.sum, a.sumsq, level); });
        return result;
      }
      case Family::kOutcomeRatio:
      case Family::kConversion: {
        auto q = RollupOf(r);
        q.score_name = b->score_name;
        auto num = store_->QueryOutcomeRollups(q);
        if (!num) return std::unexpected(num.error());
        std::map<std::pair<int64_t, std::vector<std::string>>, std::pair<uint64_t, uint64_t>>
            joined;
        for (const auto& c : *num) joined[{c.bucket_ns, c.group}].first += c.aggregate.count;
        if (b->family == Family::kOutcomeRatio) {
          q.score_name = b->denominator_name;
          auto den = store_->QueryOutcomeRollups(q);
          if (!den) return std::unexpected(den.error());
          for (const auto& c : *den) joined[{c.bucket_ns, c.group}].second += c.aggregate.count;
        } else {
          auto conv = store_->QueryConversations(RollupOf(r));
          if (!conv) return std::unexpected(conv.error());
          for (const auto& c : *conv) {
            joined[{c.bucket_ns, c.group}].second += c.aggregate.sessions;
          }
        }
        result.series =
            Assemble(buckets, joined, gs, [&](const std::pair<uint64_t, uint64_t>& a, double) {
              return Ratio(a.first, a.second, level);
            });
        return result;
      }
      case Family::kConversations: {
        auto cells = store_->QueryConversations(RollupOf(r));
        if (!cells) return std::unexpected(cells.error());
        result.series =
            Assemble(buckets, ToMap(std::move(*cells)), gs,
                     [&](const ConversationStats& c, double) { return b->conv_fn(c, level); });
        return result;
      }
      case Family::kFraud: {
        if (!r.group_by.empty()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "KPI " + r.name + " is computed per subject and cannot be grouped");
        }
        std::map<std::pair<int64_t, std::vector<std::string>>, std::pair<uint64_t, uint64_t>> cells;
        for (const auto& [bucket, seconds] : buckets) {
          store::RecordQuery q;
          q.project = r.project;
          q.from_ns = bucket;
          q.to_ns = bucket + static_cast<int64_t>(std::llround(seconds * 1e9));
          q.filter = r.filter;
          auto subjects = store_->QueryOutcomeSubjects(q, {"fraud_flagged", "fraud_confirmed"});
          if (!subjects) return std::unexpected(subjects.error());
          uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
          for (const auto& [subject, outcomes] : *subjects) {
            const auto f = outcomes.find("fraud_flagged");
            const auto c = outcomes.find("fraud_confirmed");
            const bool flagged = f != outcomes.end() && f->second > 0;
            const bool fraud = c != outcomes.end() && c->second > 0;
            if (flagged && fraud) ++tp;
            if (flagged && !fraud) ++fp;
            if (!flagged && fraud) ++fn;
            if (!flagged && !fraud) ++tn;
          }
          std::pair<uint64_t, uint64_t> v;
          if (b->fraud_kind == "detection") v = {tp, tp + fn};
          if (b->fraud_kind == "false_positive") v = {fp, fp + tn};
          if (b->fraud_kind == "precision") v = {tp, tp + fp};
          if (v.second > 0) cells[{bucket, {}}] = v;
        }
        result.series =
            Assemble(buckets, cells, gs, [&](const std::pair<uint64_t, uint64_t>& a, double) {
              return Ratio(a.first, a.second, level);
            });
        return result;
      }
    }
  }

  const auto it = std::find_if(user_.begin(), user_.end(),
                               [&](const Definition& d) { return d.name == r.name; });
  if (it == user_.end()) {
    return MakeError(ErrorCode::kNotFound, "no KPI named '" + r.name + "'");
  }
  const Definition& d = *it;
  for (const auto& info : Catalog()) {
    if (info.name == d.name) result.info = info;
  }
  auto raw = [&](const std::string& source, const store::DimensionFilter& filter,
                 const std::string& field) {
    store::RawQuery q;
    q.project = r.project;
    q.source = source;
    q.from_ns = r.from_ns;
    q.to_ns = r.to_ns;
    q.step_ns = r.step_ns;
    q.group_by = r.group_by;
    q.filter = filter;
    q.filter.insert(q.filter.end(), r.filter.begin(), r.filter.end());
    q.field = field;
    return store_->QueryRaw(q);
  };
  if (d.type == "ratio") {
    auto num = raw(d.numerator_source, d.numerator_filter, "");
    if (!num) return std::unexpected(num.error());
    auto den = raw(d.denominator_source, d.denominator_filter, "");
    if (!den) return std::unexpected(den.error());
    std::map<std::pair<int64_t, std::vector<std::string>>, std::pair<uint64_t, uint64_t>> joined;
    for (const auto& c : *num) joined[{c.bucket_ns, c.group}].first += c.aggregate.count;
    for (const auto& c : *den) joined[{c.bucket_ns, c.group}].second += c.aggregate.count;
    result.series =
        Assemble(buckets, joined, gs, [&](const std::pair<uint64_t, uint64_t>& a, double) {
          return Ratio(a.first, a.second, level);
        });
    return result;
  }
  auto cells = raw(d.source, d.filter, d.type == "count" || d.type == "rate" ? "" : d.field);
  if (!cells) return std::unexpected(cells.error());
  result.series = Assemble(buckets, ToMap(std::move(*cells)), gs,
                           [&](const store::RawAggregate& a, double seconds) {
                             if (d.type == "count") {
                               return Exact(static_cast<double>(a.count), a.count);
                             }
                             if (d.type == "rate") {
                               return Exact(static_cast<double>(a.count) / seconds, a.count);
                             }
                             if (d.type == "sum") return Exact(a.sum, a.valued);
                             if (d.type == "mean") return Mean(a.valued, a.sum, a.sumsq, level);
                             return SketchQuantile(a.sketch, d.quantile, level);
                           });
  return result;
}

}  // namespace yardstick::kpi

#include "eval/scoring.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "eval/classification_scoring.h"
#include "eval/ranking_scoring.h"
#include "metrics/registry.h"
#include "stats/bootstrap.h"

namespace yardstick::eval {
namespace {

const nlohmann::json* Option(const MetricSpec& spec, const char* key) {
  const auto it = spec.options.find(key);
  return it == spec.options.end() ? nullptr : &*it;
}

struct MeanInfo {
  const char* name;
  const char* unit;
  bool higher_is_better;
  bool binary;
};

constexpr MeanInfo kMeanMetrics[] = {
    {"json_valid", "share", true, true},      {"latency", "ms", false, false},
    {"input_tokens", "tokens", false, false}, {"output_tokens", "tokens", false, false},
    {"tokens", "tokens", false, false},       {"cost", "usd", false, false},
};

const MeanInfo* FindMean(const std::string& name) {
  for (const auto& m : kMeanMetrics) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

// Allowed option keys per metric family, and their translation into the library's options.
Result<metrics::TextMetricOptions> TextOptions(const MetricSpec& spec) {
  metrics::TextMetricOptions o;
  for (const auto& item : spec.options.items()) {
    const std::string& key = item.key();
    const nlohmann::json& v = item.value();
    auto want_bool = [&](bool& out) -> std::optional<Error> {
      if (!v.is_boolean()) {
        return Error(ErrorCode::kInvalidArgument, "option '" + key + "': expected true or false");
      }
      out = v.get<bool>();
      return std::nullopt;
    };
    auto want_int = [&](int& out) -> std::optional<Error> {
      if (!v.is_number_integer()) {
        return Error(ErrorCode::kInvalidArgument, "option '" + key + "': expected an integer");
      }
      out = v.get<int>();
      return std::nullopt;
    };
    std::optional<Error> error;
    if (key == "tokenize" && v.is_string()) {
      o.bleu.tokenize = v.get<std::string>();
    } else if (key == "smooth_method" && v.is_string()) {
      o.bleu.smooth_method = v.get<std::string>();
    } else if (key == "lowercase") {
      error = want_bool(o.bleu.lowercase);
      o.chrf.lowercase = o.bleu.lowercase;
    } else if (key == "effective_order") {
      error = want_bool(o.bleu.effective_order);
    } else if (key == "char_order") {
      error = want_int(o.chrf.char_order);
    } else if (key == "word_order") {
      error = want_int(o.chrf.word_order);
    } else if (key == "beta" && v.is_number()) {
      o.chrf.beta = v.get<double>();
    } else if (key == "case_sensitive") {
      error = want_bool(o.ter.case_sensitive);
    } else if (key == "normalized") {
      error = want_bool(o.ter.normalized);
    } else if (key == "no_punct") {
      error = want_bool(o.ter.no_punct);
    } else if (key == "use_stemmer") {
      error = want_bool(o.rouge.use_stemmer);
    } else if (key == "ignore_case") {
      error = want_bool(o.string_match.ignore_case);
    } else if (key == "ignore_punctuation") {
      error = want_bool(o.string_match.ignore_punctuation);
    } else if (key == "ignore_whitespace") {
      error = want_bool(o.string_match.ignore_whitespace);
    } else if (key == "full_match") {
      error = want_bool(o.string_match.regex_full_match);
    } else if (key == "pattern" && spec.name == "regex" && v.is_string()) {
      // used by ScoreLocalMetric
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       "metric '" + spec.name + "': unknown or mistyped option '" + key + "'");
    }
    if (error) return std::unexpected(error->WithContext("metric '" + spec.name + "'"));
  }
  return o;
}

std::string LibraryName(const MetricSpec& spec) {
  return spec.name == "regex" ? "regex_match" : spec.name;
}

}  // namespace

const char* MetricKindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCorpus:
      return "corpus";
    case MetricKind::kMean:
      return "mean";
    case MetricKind::kPerplexity:
      return "perplexity";
    case MetricKind::kRanking:
      return "ranking";
  }
  return "mean";
}

bool IsAdditive(MetricKind kind) { return kind != MetricKind::kRanking; }

Result<MetricKind> ParseMetricKind(std::string_view name) {
  if (name == "corpus") return MetricKind::kCorpus;
  if (name == "mean") return MetricKind::kMean;
  if (name == "perplexity") return MetricKind::kPerplexity;
  if (name == "ranking") return MetricKind::kRanking;
  return MakeError(ErrorCode::kParse, "unknown metric kind '" + std::string(name) + "'");
}

bool IsRemoteMetric(const std::string& name) {
  return name == "judge" || name == "perplexity" || name == "semantic_similarity";
}

std::optional<Error> CheckRemoteMetricSpec(const MetricSpec& spec);  // remote_metrics.cc

std::optional<Error> CheckMetricSpec(const MetricSpec& spec) {
  if (IsRemoteMetric(spec.name)) return CheckRemoteMetricSpec(spec);
  if (IsClassificationMetric(spec.name)) return CheckClassificationSpec(spec);
  if (IsRankingMetric(spec.name)) return CheckRankingSpec(spec);
  if (FindMean(spec.name) != nullptr) {
    if (!spec.options.empty()) {
      return Error(
          ErrorCode::kInvalidArgument,
          "metric '" + spec.name + "' takes no options, got '" + spec.options.begin().key() + "'");
    }
    return std::nullopt;
  }
  if (spec.name == "regex") {
    const auto* pattern = Option(spec, "pattern");
    if (pattern == nullptr || !pattern->is_string()) {
      return Error(ErrorCode::kInvalidArgument,
                   "metric 'regex' needs 'pattern: <PCRE2 regular expression>'");
    }
  }
  if (spec.name == "regex" || metrics::IsTextMetric(spec.name)) {
    auto options = TextOptions(spec);
    if (!options) return options.error();
    auto metric = metrics::CreateTextMetric(LibraryName(spec), *options);
    if (!metric) return metric.error();
    return std::nullopt;
  }
  return Error(ErrorCode::kNotFound,
               "unknown metric '" + spec.name +
                   "': expected a metric of the library (bleu, chrf, ter, rouge1, rougeL, "
                   "squad_f1, exact_match, contains, ...), accuracy, precision, recall, f1, mcc, "
                   "cohen_kappa, ece, roc_auc, average_precision, regex, json_valid, latency, "
                   "input_tokens, output_tokens, tokens, cost, judge, perplexity or "
                   "semantic_similarity");
}

Result<ValueFn> MakeValueFn(const MetricSpec& spec, MetricKind kind) {
  if (kind == MetricKind::kMean) {
    return ValueFn([](std::span<const double> s) {
      return s[1] > 0 ? s[0] / s[1] : std::numeric_limits<double>::quiet_NaN();
    });
  }
  if (kind == MetricKind::kRanking) {
    if (!IsRankingMetric(spec.name)) {
      return MakeError(ErrorCode::kInvalidArgument, "metric '" + spec.id +
                                                        "': kind 'ranking' is only for roc_auc and "
                                                        "average_precision");
    }
    return RankingValueFn(spec);
  }
  if (IsRankingMetric(spec.name)) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "metric '" + spec.id + "': expected kind 'ranking', got '" + MetricKindName(kind) + "'");
  }
  if (kind == MetricKind::kPerplexity) {
    return ValueFn([](std::span<const double> s) {
      return s[1] > 0 ? std::exp(-s[0] / s[1]) : std::numeric_limits<double>::quiet_NaN();
    });
  }
  if (IsClassificationMetric(spec.name)) return ClassificationValueFn(spec);
  auto options = TextOptions(spec);
  if (!options) return std::unexpected(options.error());
  auto metric = metrics::CreateTextMetric(LibraryName(spec), *options);
  if (!metric) return std::unexpected(metric.error());
  std::shared_ptr<metrics::CorpusMetric> shared(std::move(*metric));
  return ValueFn([shared](std::span<const double> s) { return shared->ValueFromStats(s); });
}

MetricColumn MeanColumn(const MetricSpec& spec, std::string display, bool higher_is_better,
                        std::string signature, const std::vector<std::optional<double>>& values,
                        const std::vector<std::string>& reasons) {
  MetricColumn col;
  col.spec = spec;
  col.display = std::move(display);
  col.signature = std::move(signature);
  col.kind = MetricKind::kMean;
  col.higher_is_better = higher_is_better;
  col.width = 2;
  col.binary = true;
  bool any = false;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] && std::isfinite(*values[i])) {
      col.rows.push_back(std::vector<double>{*values[i], 1.0});
      col.values.push_back(*values[i]);
      col.failures.emplace_back();
      any = true;
      if (*values[i] != 0.0 && *values[i] != 1.0) col.binary = false;
    } else {
      col.rows.emplace_back();
      col.values.push_back(std::numeric_limits<double>::quiet_NaN());
      col.failures.push_back(i < reasons.size() && !reasons[i].empty() ? reasons[i] : "no value");
    }
  }
  if (!any) col.binary = false;
  return col;
}

Result<MetricColumn> ScoreLocalMetric(const MetricSpec& spec,
                                      std::span<const ExampleResult> examples) {
  const std::size_t n = examples.size();
  if (IsClassificationMetric(spec.name)) return ScoreClassification(spec, examples);
  if (IsRankingMetric(spec.name)) return ScoreRanking(spec, examples);
  if (const MeanInfo* info = FindMean(spec.name)) {
    std::vector<std::optional<double>> values(n);
    std::vector<std::string> reasons(n);
    for (std::size_t i = 0; i < n; ++i) {
      const ExampleResult& ex = examples[i];
      if (!ex.output) {
        reasons[i] = "target failed: " + ex.error;
        continue;
      }
      const std::string name = spec.name;
      if (name == "json_valid") {
        values[i] = nlohmann::json::accept(*ex.output) ? 1.0 : 0.0;
      } else if (name == "latency") {
        if (std::isfinite(ex.latency_ms)) values[i] = ex.latency_ms;
      } else if (name == "input_tokens") {
        if (ex.input_tokens >= 0) values[i] = static_cast<double>(ex.input_tokens);
      } else if (name == "output_tokens") {
        if (ex.output_tokens >= 0) values[i] = static_cast<double>(ex.output_tokens);
      } else if (name == "tokens") {
        if (ex.input_tokens >= 0 && ex.output_tokens >= 0) {
          values[i] = static_cast<double>(ex.input_tokens + ex.output_tokens);
        }
      } else if (name == "cost") {
        if (ex.cost_usd) values[i] = *ex.cost_usd;
      }
      if (!values[i]) reasons[i] = "the target reported no " + name;
    }
    MetricColumn col = MeanColumn(spec, spec.name, info->higher_is_better,
                                  std::string("kind:mean|unit:") + info->unit, values, reasons);
    if (spec.name != "json_valid") col.binary = false;
    return col;
  }
  auto options = TextOptions(spec);
  if (!options) return std::unexpected(options.error());
  auto made = metrics::CreateTextMetric(LibraryName(spec), *options);
  if (!made) return std::unexpected(made.error());
  const metrics::CorpusMetric& metric = **made;
  // Score the answered examples that have references (regex: the pattern).
  std::vector<std::size_t> scored;
  std::vector<std::string> hyps;
  std::size_t streams = 0;
  MetricColumn col;
  col.spec = spec;
  col.kind = MetricKind::kCorpus;
  col.display = metric.name();
  col.higher_is_better = metric.higher_is_better();
  col.rows.assign(n, std::nullopt);
  col.values.assign(n, std::numeric_limits<double>::quiet_NaN());
  col.failures.assign(n, "");
  const auto* pattern = Option(spec, "pattern");
  for (std::size_t i = 0; i < n; ++i) {
    const ExampleResult& ex = examples[i];
    if (!ex.output) {
      col.failures[i] = "target failed: " + ex.error;
      continue;
    }
    if (pattern == nullptr && ex.references.empty()) {
      col.failures[i] = "no reference";
      continue;
    }
    scored.push_back(i);
    hyps.push_back(*ex.output);
    streams = std::max(streams, pattern != nullptr ? std::size_t{1} : ex.references.size());
  }
  metrics::ReferenceStreams refs(streams);
  for (std::size_t k = 0; k < streams; ++k) refs[k].resize(scored.size());
  for (std::size_t j = 0; j < scored.size(); ++j) {
    const ExampleResult& ex = examples[scored[j]];
    if (pattern != nullptr) {
      refs[0][j] = pattern->get<std::string>();
      continue;
    }
    for (std::size_t k = 0; k < ex.references.size(); ++k) refs[k][j] = ex.references[k];
  }
  col.signature = metric.signature(metrics::SignatureNumRefs(refs)).Format(false);
  if (scored.empty()) {
    col.width = 1;
    return col;
  }
  auto seg = metric.ComputeSegmentStats(hyps, refs);
  if (!seg) return std::unexpected(seg.error().WithContext("metric '" + spec.id + "'"));
  col.width = seg->width();
  col.binary = true;
  for (std::size_t j = 0; j < scored.size(); ++j) {
    const auto row = seg->row(j);
    col.rows[scored[j]] = std::vector<double>(row.begin(), row.end());
    col.values[scored[j]] = metric.ValueFromStats(row);
  }
  // Binary: rows [0|1, 1] (exact_match, contains, regex_match, squad_em).
  if (col.width != 2) col.binary = false;
  for (std::size_t j = 0; j < scored.size() && col.binary; ++j) {
    const auto row = seg->row(j);
    if (row[1] != 1.0 || (row[0] != 0.0 && row[0] != 1.0)) col.binary = false;
  }
  if (spec.name == "squad_f1" || spec.name == "levenshtein" || spec.name == "edit_similarity") {
    col.binary = false;
  }
  return col;
}

std::vector<double> SumRows(const MetricColumn& column, std::span<const bool> include) {
  std::vector<double> total(column.width, 0.0);
  for (std::size_t i = 0; i < column.rows.size(); ++i) {
    if (!column.rows[i] || (!include.empty() && !include[i])) continue;
    for (std::size_t c = 0; c < column.width; ++c) total[c] += (*column.rows[i])[c];
  }
  return total;
}

double ValueOfRows(const MetricColumn& column, const ValueFn& value,
                   std::span<const std::size_t> indices) {
  thread_local std::vector<double> buffer;
  if (IsAdditive(column.kind)) {
    buffer.assign(column.width, 0.0);
    for (const std::size_t i : indices) {
      const auto& row = *column.rows[i];
      for (std::size_t c = 0; c < column.width; ++c) buffer[c] += row[c];
    }
  } else {
    buffer.clear();
    for (const std::size_t i : indices) {
      const auto& row = *column.rows[i];
      buffer.insert(buffer.end(), row.begin(), row.end());
    }
  }
  // Value functions keep thread_local buffers of their own, never this one.
  return value(buffer);
}

namespace {

// numpy's percentile with linear interpolation of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// The percentile bootstrap of a non-additive metric: resamples of the scored examples, each
// evaluated on its multiset of rows; undefined resamples are left out.
Aggregate RankingAggregate(const MetricColumn& column, const ValueFn& value,
                           const BootstrapSpec& bootstrap, std::span<const bool> include) {
  Aggregate agg;
  agg.level = bootstrap.confidence;
  std::vector<std::size_t> scored;
  for (std::size_t i = 0; i < column.rows.size(); ++i) {
    if (!include.empty() && !include[i]) continue;
    if (!column.rows[i]) {
      ++agg.missing;
      continue;
    }
    scored.push_back(i);
  }
  agg.n = scored.size();
  if (agg.n == 0) return agg;
  agg.value = ValueOfRows(column, value, scored);
  if (agg.n < 2 || bootstrap.resamples < 1) return agg;
  std::mt19937_64 rng(bootstrap.seed);
  std::uniform_int_distribution<std::size_t> pick(0, scored.size() - 1);
  std::vector<std::size_t> resample(scored.size());
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(bootstrap.resamples));
  for (int b = 0; b < bootstrap.resamples; ++b) {
    for (auto& i : resample) i = scored[pick(rng)];
    const double v = ValueOfRows(column, value, resample);
    if (std::isfinite(v)) values.push_back(v);
  }
  if (values.empty() || 2 * values.size() < static_cast<std::size_t>(bootstrap.resamples)) {
    return agg;
  }
  std::sort(values.begin(), values.end());
  const double alpha = (1 - bootstrap.confidence) / 2;
  agg.ci_low = Quantile(values, alpha);
  agg.ci_high = Quantile(values, 1 - alpha);
  return agg;
}

}  // namespace

Result<Aggregate> AggregateColumn(const MetricColumn& column, const ValueFn& value,
                                  const BootstrapSpec& bootstrap, std::span<const bool> include) {
  if (!IsAdditive(column.kind)) return RankingAggregate(column, value, bootstrap, include);
  Aggregate agg;
  agg.level = bootstrap.confidence;
  stats::SegmentStats stats(column.width);
  for (std::size_t i = 0; i < column.rows.size(); ++i) {
    if (!include.empty() && !include[i]) continue;
    if (!column.rows[i]) {
      ++agg.missing;
      continue;
    }
    stats.AddRow(*column.rows[i]);
  }
  agg.n = stats.rows();
  if (agg.n == 0) return agg;
  agg.value = value(stats.Sum());
  if (agg.n < 2) return agg;
  stats::BootstrapOptions options;
  options.resamples = bootstrap.resamples;
  options.seed = bootstrap.seed;
  options.method = stats::CiMethod::kPercentile;
  options.confidence_level = bootstrap.confidence;
  auto ci = stats::BootstrapCorpus(stats, value, options);
  if (!ci) return std::unexpected(ci.error().WithContext("metric '" + column.spec.id + "'"));
  agg.ci_low = ci->low;
  agg.ci_high = ci->high;
  return agg;
}

}  // namespace yardstick::eval

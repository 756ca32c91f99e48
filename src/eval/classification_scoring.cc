#include "eval/classification_scoring.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "metrics/calibration.h"
#include "metrics/classification.h"

namespace yardstick::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr const char* kConfusionMetrics[] = {"accuracy", "precision", "recall",
                                             "f1",       "mcc",       "cohen_kappa"};

bool IsConfusionMetric(const std::string& name) {
  return std::find(std::begin(kConfusionMetrics), std::end(kConfusionMetrics), name) !=
         std::end(kConfusionMetrics);
}

bool IsPrf(const std::string& name) {
  return name == "precision" || name == "recall" || name == "f1";
}

// The class set of the spec's `labels` option (normalized), when given.
Result<std::optional<std::vector<std::string>>> LabelsOption(const MetricSpec& spec) {
  const auto it = spec.options.find("labels");
  if (it == spec.options.end()) return std::optional<std::vector<std::string>>{};
  if (!it->is_array() || it->empty()) {
    return std::unexpected(MetricOptionError(spec, "option 'labels': expected a non-empty list"));
  }
  std::vector<std::string> labels;
  for (const auto& v : *it) {
    const std::string label = NormalizeLabel(v.is_string() ? v.get<std::string>() : v.dump());
    if (std::find(labels.begin(), labels.end(), label) != labels.end()) {
      return std::unexpected(
          MetricOptionError(spec, "option 'labels': duplicate label '" + label + "'"));
    }
    labels.push_back(label);
  }
  return std::optional<std::vector<std::string>>(std::move(labels));
}

struct PrfSettings {
  metrics::Average average = metrics::Average::kMacro;
  metrics::ZeroDivision zero_division = metrics::ZeroDivision::kWarn;
  std::optional<std::string> positive;
};

Result<PrfSettings> ParsePrf(const MetricSpec& spec) {
  PrfSettings s;
  if (auto a = MetricStringOption(spec, "average")) {
    if (*a == "none")
      return std::unexpected(MetricOptionError(spec, "average 'none' is not a metric"));
    auto parsed = metrics::ParseAverage(*a);
    if (!parsed) return std::unexpected(MetricOptionError(spec, parsed.error().message()));
    s.average = *parsed;
  }
  if (auto z = MetricStringOption(spec, "zero_division")) {
    auto parsed = metrics::ParseZeroDivision(*z);
    if (!parsed) return std::unexpected(MetricOptionError(spec, parsed.error().message()));
    s.zero_division = *parsed;
  }
  if (auto p = MetricStringOption(spec, "positive")) s.positive = NormalizeLabel(*p);
  if (s.average == metrics::Average::kBinary && !s.positive) {
    return std::unexpected(MetricOptionError(spec, "average 'binary' needs 'positive: <label>'"));
  }
  return s;
}

struct EceSettings {
  std::string score_field;
  std::string positive;
  std::size_t bins = 15;
};

Result<EceSettings> ParseEce(const MetricSpec& spec) {
  EceSettings s;
  auto field = MetricStringOption(spec, "score_field");
  auto positive = MetricStringOption(spec, "positive");
  if (!field || !positive) {
    return std::unexpected(MetricOptionError(spec,
                                             "needs 'score_field: <field holding p(positive)>' and "
                                             "'positive: <label>'"));
  }
  s.score_field = *field;
  s.positive = NormalizeLabel(*positive);
  const auto it = spec.options.find("bins");
  if (it != spec.options.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 1000) {
      return std::unexpected(
          MetricOptionError(spec, "option 'bins': expected an integer in [1, 1000]"));
    }
    s.bins = it->get<std::size_t>();
  }
  return s;
}

std::optional<Error> CheckKeys(const MetricSpec& spec, std::initializer_list<const char*> allowed) {
  for (const auto& item : spec.options.items()) {
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](const char* k) { return item.key() == k; })) {
      std::string list;
      for (const char* k : allowed) list += (list.empty() ? "" : ", ") + std::string(k);
      return MetricOptionError(spec, "unknown option '" + item.key() + "' (expected " +
                                         (list.empty() ? std::string("none") : list) + ")");
    }
  }
  return std::nullopt;
}

// The label vectors of a summed K x K confusion matrix (row = true, column = predicted).
void Expand(std::span<const double> s, std::size_t k, std::vector<metrics::Label>& y_true,
            std::vector<metrics::Label>& y_pred) {
  y_true.clear();
  y_pred.clear();
  for (std::size_t t = 0; t < k; ++t) {
    for (std::size_t p = 0; p < k; ++p) {
      const auto count = static_cast<std::int64_t>(std::llround(s[t * k + p]));
      for (std::int64_t c = 0; c < count; ++c) {
        y_true.emplace_back(static_cast<std::int64_t>(t));
        y_pred.emplace_back(static_cast<std::int64_t>(p));
      }
    }
  }
}

// The metric over label indices; an error where the library refuses the data.
Result<double> ConfusionValue(const std::string& name, const PrfSettings& prf,
                              std::optional<std::int64_t> positive,
                              std::span<const metrics::Label> y_true,
                              std::span<const metrics::Label> y_pred) {
  if (y_true.empty()) return kNaN;
  if (name == "accuracy") return metrics::AccuracyScore(y_true, y_pred);
  if (name == "mcc") return metrics::MatthewsCorrcoef(y_true, y_pred);
  if (name == "cohen_kappa") return metrics::CohenKappaScore(y_true, y_pred);
  metrics::PrfOptions options;
  options.average = prf.average;
  options.zero_division = prf.zero_division;
  if (positive) options.pos_label = *positive;
  Result<metrics::AveragedScore> score =
      name == "precision" ? metrics::PrecisionScore(y_true, y_pred, options)
      : name == "recall"  ? metrics::RecallScore(y_true, y_pred, options)
                          : metrics::F1Score(y_true, y_pred, options);
  if (!score) return std::unexpected(score.error());
  return score->value;
}

std::size_t EceBin(double p, std::size_t bins) {
  // np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], p): inner edges strictly below p.
  const double step = 1.0 / static_cast<double>(bins);
  std::size_t bin = 0;
  for (std::size_t i = 1; i < bins; ++i) {
    if (static_cast<double>(i) * step < p) bin = i;
  }
  return bin;
}

Result<ValueFn> EceValueFn(const EceSettings& s) {
  const std::size_t bins = s.bins;
  return ValueFn([bins](std::span<const double> sums) {
    double n = 0;
    for (std::size_t b = 0; b < bins; ++b) n += sums[3 * b];
    if (n <= 0) return kNaN;
    double ece = 0;
    for (std::size_t b = 0; b < bins; ++b) {
      if (sums[3 * b] > 0) ece += std::fabs(sums[3 * b + 2] - sums[3 * b + 1]) / n;
    }
    return ece;
  });
}

std::string ReferenceLabel(const MetricSpec& spec, const ExampleResult& ex, bool& found) {
  found = false;
  if (auto field = MetricStringOption(spec, "label_field")) {
    const auto it = ex.fields.find(*field);
    if (it == ex.fields.end() || it->is_null()) return "";
    found = true;
    return NormalizeLabel(it->is_string() ? it->get<std::string>() : it->dump());
  }
  if (ex.references.empty()) return "";
  found = true;
  return NormalizeLabel(ex.references.front());
}

}  // namespace

std::string NormalizeLabel(std::string s) {
  const auto start = s.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  s = s.substr(start, s.find_last_not_of(" \t\r\n") - start + 1);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsClassificationMetric(const std::string& name) {
  return IsConfusionMetric(name) || name == "ece";
}

std::optional<Error> CheckClassificationSpec(const MetricSpec& spec) {
  if (spec.name == "ece") {
    if (auto e = CheckKeys(spec, {"score_field", "positive", "bins", "label_field"})) return e;
    auto s = ParseEce(spec);
    if (!s) return s.error();
    return std::nullopt;
  }
  if (IsPrf(spec.name)) {
    if (auto e =
            CheckKeys(spec, {"average", "positive", "zero_division", "labels", "label_field"})) {
      return e;
    }
    auto s = ParsePrf(spec);
    if (!s) return s.error();
  } else if (auto e = CheckKeys(spec, {"labels", "label_field"})) {
    return e;
  }
  auto labels = LabelsOption(spec);
  if (!labels) return labels.error();
  return std::nullopt;
}

Result<ValueFn> ClassificationValueFn(const MetricSpec& spec) {
  if (spec.name == "ece") {
    auto s = ParseEce(spec);
    if (!s) return std::unexpected(s.error());
    return EceValueFn(*s);
  }
  auto labels = LabelsOption(spec);
  if (!labels) return std::unexpected(labels.error());
  if (!*labels) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "metric '" + spec.id + "': the run holds no 'labels' for this metric");
  }
  PrfSettings prf;
  if (IsPrf(spec.name)) {
    auto parsed = ParsePrf(spec);
    if (!parsed) return std::unexpected(parsed.error());
    prf = *parsed;
  }
  const std::size_t k = (*labels)->size();
  std::optional<std::int64_t> positive;
  if (prf.positive) {
    const auto& l = **labels;
    const auto it = std::find(l.begin(), l.end(), *prf.positive);
    if (it == l.end()) {
      return MakeError(ErrorCode::kInvalidArgument, "metric '" + spec.id + "': positive label '" +
                                                        *prf.positive +
                                                        "' is not one of the run's labels");
    }
    positive = it - l.begin();
  }
  const std::string name = spec.name;
  return ValueFn([name, prf, positive, k](std::span<const double> s) {
    thread_local std::vector<metrics::Label> y_true, y_pred;
    Expand(s, k, y_true, y_pred);
    auto v = ConfusionValue(name, prf, positive, y_true, y_pred);
    return v ? *v : kNaN;
  });
}

Result<MetricColumn> ScoreClassification(const MetricSpec& spec,
                                         std::span<const ExampleResult> examples) {
  if (auto error = CheckClassificationSpec(spec)) return std::unexpected(*error);
  const std::size_t n = examples.size();
  MetricColumn col;
  col.spec = spec;
  col.kind = MetricKind::kCorpus;
  col.display = spec.name;
  col.higher_is_better = spec.name != "ece";
  col.rows.assign(n, std::nullopt);
  col.values.assign(n, kNaN);
  col.failures.assign(n, "");
  std::vector<bool> has_reference(n, false);
  std::vector<std::string> truth(n);
  for (std::size_t i = 0; i < n; ++i) {
    const ExampleResult& ex = examples[i];
    bool found = false;
    truth[i] = ReferenceLabel(spec, ex, found);
    has_reference[i] = found;
  }

  if (spec.name == "ece") {
    auto s = ParseEce(spec);
    if (!s) return std::unexpected(s.error());
    col.width = 3 * s->bins;
    col.signature = "kind:calibration|metric:ece|bins:" + std::to_string(s->bins) +
                    "|strategy:uniform|edges:(lo,hi]|positive:" + s->positive;
    for (std::size_t i = 0; i < n; ++i) {
      const ExampleResult& ex = examples[i];
      if (!ex.output) {
        col.failures[i] = "target failed: " + ex.error;
        continue;
      }
      if (!has_reference[i]) {
        col.failures[i] = "no reference label";
        continue;
      }
      const auto it = ex.fields.find(s->score_field);
      std::optional<double> p;
      if (it != ex.fields.end() && it->is_number()) p = it->get<double>();
      if (it != ex.fields.end() && it->is_string()) {
        const std::string& text = it->get_ref<const std::string&>();
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (!text.empty() && *end == '\0') p = v;
      }
      if (!p || !std::isfinite(*p) || *p < 0 || *p > 1) {
        col.failures[i] = "no score in [0, 1] in field '" + s->score_field + "'";
        continue;
      }
      std::vector<double> row(col.width, 0.0);
      const std::size_t b = EceBin(*p, s->bins);
      const double positive = truth[i] == s->positive ? 1.0 : 0.0;
      row[3 * b] = 1;
      row[3 * b + 1] = *p;
      row[3 * b + 2] = positive;
      col.values[i] = std::fabs(positive - *p);
      col.rows[i] = std::move(row);
    }
    return col;
  }

  auto given = LabelsOption(spec);
  if (!given) return std::unexpected(given.error());
  std::vector<std::string> labels;
  if (*given) {
    labels = **given;
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (!examples[i].output || !has_reference[i]) continue;
      labels.push_back(truth[i]);
      labels.push_back(NormalizeLabel(*examples[i].output));
    }
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    col.spec.options["labels"] = labels;
  }
  const std::size_t k = labels.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t j = 0; j < k; ++j) index.emplace(labels[j], j);
  col.width = std::max<std::size_t>(k * k, 1);
  std::string label_list;
  for (const auto& l : labels) label_list += (label_list.empty() ? "" : ",") + l;
  col.signature = "kind:classification|metric:" + spec.name;
  if (IsPrf(spec.name)) {
    auto prf = ParsePrf(spec);
    if (!prf) return std::unexpected(prf.error());
    col.signature += std::string("|average:") + metrics::AverageName(prf->average) +
                     "|zero_div:" + metrics::ZeroDivisionName(prf->zero_division);
    if (prf->positive) col.signature += "|positive:" + *prf->positive;
  }
  col.signature += "|labels:" + label_list;
  std::size_t scored = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const ExampleResult& ex = examples[i];
    if (!ex.output) {
      col.failures[i] = "target failed: " + ex.error;
      continue;
    }
    if (!has_reference[i]) {
      col.failures[i] = "no reference label";
      continue;
    }
    const std::string predicted = NormalizeLabel(*ex.output);
    const auto t = index.find(truth[i]);
    const auto p = index.find(predicted);
    if (t == index.end() || p == index.end()) {
      col.failures[i] = "label '" + (t == index.end() ? truth[i] : predicted) +
                        "' is not one of the metric's labels";
      continue;
    }
    std::vector<double> row(col.width, 0.0);
    row[t->second * k + p->second] = 1;
    col.rows[i] = std::move(row);
    col.values[i] = t->second == p->second ? 1.0 : 0.0;  // per example: correct or not
    ++scored;
  }
  if (scored == 0) return col;
  // The whole run must be a valid input for the library (e.g. average 'binary' needs at most
  // two labels); report the library's message otherwise.
  auto fn = ClassificationValueFn(col.spec);
  if (!fn) return std::unexpected(fn.error());
  std::vector<double> sums(col.width, 0.0);
  for (const auto& row : col.rows) {
    if (!row) continue;
    for (std::size_t c = 0; c < col.width; ++c) sums[c] += (*row)[c];
  }
  std::vector<metrics::Label> y_true, y_pred;
  Expand(sums, k, y_true, y_pred);
  PrfSettings prf;
  std::optional<std::int64_t> positive;
  if (IsPrf(spec.name)) {
    prf = *ParsePrf(spec);
    if (prf.positive) {
      const auto it = index.find(*prf.positive);
      if (it != index.end()) positive = static_cast<std::int64_t>(it->second);
    }
  }
  auto check = ConfusionValue(spec.name, prf, positive, y_true, y_pred);
  if (!check) return std::unexpected(check.error().WithContext("metric '" + spec.id + "'"));
  return col;
}

}  // namespace yardstick::eval

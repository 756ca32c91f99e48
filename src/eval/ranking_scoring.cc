#include "eval/ranking_scoring.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "eval/classification_scoring.h"
#include "metrics/classification.h"

namespace yardstick::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A finite number: a JSON number, or text that is one number (white space trimmed).
std::optional<double> ParseScore(const nlohmann::json& value) {
  if (value.is_number()) {
    const double v = value.get<double>();
    return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
  }
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::nullopt;
  const std::string trimmed = text.substr(start, text.find_last_not_of(" \t\r\n") - start + 1);
  char* end = nullptr;
  const double v = std::strtod(trimmed.c_str(), &end);
  if (end != trimmed.c_str() + trimmed.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

double RankingValue(bool roc, std::span<const double> rows) {
  thread_local std::vector<metrics::Label> y_true;
  thread_local std::vector<double> y_score;
  y_true.clear();
  y_score.clear();
  std::size_t positives = 0;
  for (std::size_t i = 0; i + 1 < rows.size(); i += 2) {
    y_score.push_back(rows[i]);
    const bool positive = rows[i + 1] > 0.5;
    positives += positive ? 1 : 0;
    y_true.emplace_back(static_cast<std::int64_t>(positive ? 1 : 0));
  }
  // Undefined without a positive (either metric) or without a negative (ROC AUC).
  if (positives == 0 || (roc && positives == y_true.size())) return kNaN;
  if (roc) {
    auto v = metrics::RocAucScore(y_true, y_score);
    return v ? *v : kNaN;
  }
  auto v = metrics::AveragePrecisionScore(y_true, y_score, metrics::Label(std::int64_t{1}));
  return v ? v->value : kNaN;
}

}  // namespace

bool IsRankingMetric(const std::string& name) {
  return name == "roc_auc" || name == "average_precision";
}

std::optional<Error> CheckRankingSpec(const MetricSpec& spec) {
  for (const auto& item : spec.options.items()) {
    const std::string& key = item.key();
    if (key != "positive" && key != "score_field" && key != "label_field") {
      return MetricOptionError(
          spec, "unknown option '" + key + "' (expected positive, score_field, label_field)");
    }
    if (!item.value().is_string() && key != "positive") {
      return MetricOptionError(spec, "option '" + key + "': expected a field name");
    }
  }
  if (!MetricStringOption(spec, "positive")) {
    return MetricOptionError(spec,
                             "needs 'positive: <label>' (the reference label that counts as "
                             "positive)");
  }
  return std::nullopt;
}

Result<ValueFn> RankingValueFn(const MetricSpec& spec) {
  if (auto error = CheckRankingSpec(spec)) return std::unexpected(*error);
  const bool roc = spec.name == "roc_auc";
  return ValueFn([roc](std::span<const double> rows) { return RankingValue(roc, rows); });
}

Result<MetricColumn> ScoreRanking(const MetricSpec& spec, std::span<const ExampleResult> examples) {
  if (auto error = CheckRankingSpec(spec)) return std::unexpected(*error);
  const std::string positive = NormalizeLabel(*MetricStringOption(spec, "positive"));
  const auto score_field = MetricStringOption(spec, "score_field");
  const auto label_field = MetricStringOption(spec, "label_field");
  const std::size_t n = examples.size();
  MetricColumn col;
  col.spec = spec;
  col.kind = MetricKind::kRanking;
  col.display = spec.name;
  col.higher_is_better = true;
  col.binary = false;
  col.width = 2;
  col.signature = "kind:ranking|metric:" + spec.name + "|positive:" + positive;
  col.rows.assign(n, std::nullopt);
  col.values.assign(n, kNaN);
  col.failures.assign(n, "");
  for (std::size_t i = 0; i < n; ++i) {
    const ExampleResult& ex = examples[i];
    if (!ex.output) {
      col.failures[i] = "target failed: " + ex.error;
      continue;
    }
    std::optional<std::string> truth;
    if (label_field) {
      const auto it = ex.fields.find(*label_field);
      if (it != ex.fields.end() && !it->is_null()) {
        truth = NormalizeLabel(it->is_string() ? it->get<std::string>() : it->dump());
      }
    } else if (!ex.references.empty()) {
      truth = NormalizeLabel(ex.references.front());
    }
    if (!truth) {
      col.failures[i] = "no reference label";
      continue;
    }
    std::optional<double> score;
    if (score_field) {
      const auto it = ex.fields.find(*score_field);
      if (it != ex.fields.end()) score = ParseScore(*it);
      if (!score) {
        col.failures[i] = "no finite number in field '" + *score_field + "'";
        continue;
      }
    } else {
      score = ParseScore(nlohmann::json(*ex.output));
      if (!score) {
        col.failures[i] = "the output is not a number";
        continue;
      }
    }
    col.rows[i] = std::vector<double>{*score, *truth == positive ? 1.0 : 0.0};
    col.values[i] = *score;
  }
  return col;
}

}  // namespace yardstick::eval

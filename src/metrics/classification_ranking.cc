// Ranking metrics of classification.h: ROC AUC, average precision, multiclass ROC AUC.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "metrics/classification.h"
#include "metrics/classification_internal.h"

namespace yardstick::metrics {

using internal::AddWarning;
using internal::AverageRepr;
using internal::CheckLabelKinds;
using internal::CheckLengths;
using internal::EncodeSequences;
using internal::KindOf;
using internal::kUserWarning;
using internal::NumpyMean;
using internal::NumpyWeightedAverage;
using internal::ReprList;

// ---------------------------------------------------------------------------------------------
// Ranking metrics

namespace {

// A (score, is positive) pair; the score is stored as a key whose unsigned order is the
// DESCENDING order of the scores (equal scores, 0.0 and -0.0 included, get equal keys).
struct ScoredSample {
  std::uint64_t key;
  bool positive;
};

ScoredSample MakeSample(double score, bool positive) {
  if (score == 0) score = 0.0;  // -0.0 ties with 0.0, as in np.diff(y_score) == 0
  std::uint64_t bits;
  std::memcpy(&bits, &score, sizeof bits);
  // Increasing-order key (flip all bits of negatives, the sign bit of positives), inverted.
  const std::uint64_t ascending = (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
  return {~ascending, positive};
}

// Sorts by key: LSD radix sort (11-bit digits) for large inputs, std::sort for small ones.
void SortByKey(std::vector<ScoredSample>& samples) {
  if (samples.size() < 4096) {
    std::sort(samples.begin(), samples.end(),
              [](const ScoredSample& a, const ScoredSample& b) { return a.key < b.key; });
    return;
  }
  constexpr int kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<ScoredSample> buffer(samples.size());
  std::vector<std::size_t> count(kBuckets);
  for (int shift = 0; shift < 64; shift += kBits) {
    std::fill(count.begin(), count.end(), 0);
    for (const auto& s : samples) ++count[(s.key >> shift) & (kBuckets - 1)];
    if (count[(samples.front().key >> shift) & (kBuckets - 1)] == samples.size()) continue;
    std::size_t total = 0;
    for (auto& c : count) total += std::exchange(c, total);
    for (const auto& s : samples) buffer[count[(s.key >> shift) & (kBuckets - 1)]++] = s;
    samples.swap(buffer);
  }
}

Result<void> CheckFinite(std::span<const double> scores, const char* name) {
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i])) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(name) + "[" + std::to_string(i) +
                           "]: Input contains NaN, infinity or a value too large");
    }
  }
  return {};
}

// sklearn's _binary_clf_curve: (fps, tps) at each distinct score, descending. Sorts `samples`.
void BinaryClfCurve(std::vector<ScoredSample>& samples, std::vector<double>& fps,
                    std::vector<double>& tps) {
  SortByKey(samples);
  fps.clear();
  tps.clear();
  double tp = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    tp += samples[i].positive ? 1.0 : 0.0;
    if (i + 1 == samples.size() || samples[i + 1].key != samples[i].key) {
      tps.push_back(tp);
      fps.push_back(static_cast<double>(i + 1) - tp);
    }
  }
}

// sklearn's _binary_roc_auc_score (roc_curve with drop_intermediate, then np.trapz).
Result<double> BinaryRocAuc(std::vector<ScoredSample>& samples) {
  bool has_pos = false, has_neg = false;
  for (const auto& s : samples) (s.positive ? has_pos : has_neg) = true;
  if (!has_pos || !has_neg) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Only one class present in y_true. ROC AUC score is not defined in that "
                     "case.");
  }
  std::vector<double> fps, tps;
  BinaryClfCurve(samples, fps, tps);
  // drop_intermediate: keep the ends and every point where either curve bends.
  std::vector<double> x{0.0}, y{0.0};
  x.reserve(fps.size() + 1);
  y.reserve(fps.size() + 1);
  const std::size_t m = fps.size();
  for (std::size_t i = 0; i < m; ++i) {
    bool keep = m <= 2 || i == 0 || i + 1 == m;
    if (!keep) {
      const double dfps = (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]);
      const double dtps = (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]);
      keep = dfps != 0 || dtps != 0;
    }
    if (keep) {
      x.push_back(fps[i]);
      y.push_back(tps[i]);
    }
  }
  const double fp_total = x.back();
  const double tp_total = y.back();
  for (auto& v : x) v /= fp_total;
  for (auto& v : y) v /= tp_total;
  // np.trapz(tpr, fpr): sum of d * (y[i+1] + y[i]) / 2.0 (fpr never decreases).
  std::vector<double> terms(x.size() - 1);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
  }
  return NumpySum(terms);
}

std::vector<ScoredSample> Scored(std::span<const double> scores,
                                 std::span<const std::uint32_t> codes, std::uint32_t positive) {
  std::vector<ScoredSample> samples(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i)
    samples[i] = MakeSample(scores[i], codes[i] == positive);
  return samples;
}

// y_true alone, as codes into its sorted unique labels.
struct EncodedTrue {
  std::vector<Label> classes;
  std::vector<std::uint32_t> codes;
  bool integer = true;
};

Result<EncodedTrue> EncodeTrue(std::span<const Label> y_true, std::size_t n_scores,
                               const char* score_name) {
  if (auto ok = CheckLengths(y_true.size(), n_scores, score_name); !ok) {
    return std::unexpected(ok.error());
  }
  auto kind = KindOf(y_true, "y_true");
  if (!kind) return std::unexpected(kind.error());
  EncodedTrue e;
  e.integer = *kind;
  std::vector<std::uint32_t> unused;
  EncodeSequences(y_true, {}, e.integer, e.classes, e.codes, unused);
  return e;
}

}  // namespace

Result<double> RocAucScore(std::span<const Label> y_true, std::span<const double> y_score) {
  auto e = EncodeTrue(y_true, y_score.size(), "y_score");
  if (!e) return std::unexpected(e.error());
  if (e->classes.size() > 2) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "y_true has " + std::to_string(e->classes.size()) +
                         " classes: multi_class must be in ('ovo', 'ovr') (pass probability rows "
                         "to the multiclass ROC AUC)");
  }
  if (auto ok = CheckFinite(y_score, "y_score"); !ok) return std::unexpected(ok.error());
  // label_binarize: the positive class is the greater label.
  auto samples = Scored(y_score, e->codes, 1);
  return BinaryRocAuc(samples);
}

Result<AveragedScore> AveragePrecisionScore(std::span<const Label> y_true,
                                            std::span<const double> y_score,
                                            const Label& pos_label) {
  auto e = EncodeTrue(y_true, y_score.size(), "y_score");
  if (!e) return std::unexpected(e.error());
  if (e->classes.size() > 2)
    return MakeError(ErrorCode::kInvalidArgument, "multiclass format is not supported");
  const auto it = std::find(e->classes.begin(), e->classes.end(), pos_label);
  if (e->classes.size() == 2 && it == e->classes.end()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "pos_label=" + pos_label.ToString() +
                         " is not a valid label. It should be one of " + ReprList(e->classes));
  }
  if (auto ok = CheckFinite(y_score, "y_score"); !ok) return std::unexpected(ok.error());
  const auto positive = it == e->classes.end()
                            ? std::numeric_limits<std::uint32_t>::max()
                            : static_cast<std::uint32_t>(it - e->classes.begin());
  auto samples = Scored(y_score, e->codes, positive);
  std::vector<double> fps, tps;
  BinaryClfCurve(samples, fps, tps);
  AveragedScore result;
  const std::size_t m = tps.size();
  const double tp_total = tps.back();
  if (tp_total == 0) {
    AddWarning(result.warnings, kUserWarning,
               "No positive class found in y_true, recall is set to one for all thresholds.");
  }
  // precision_recall_curve reversed (increasing threshold), then -sum(diff(recall) * precision).
  auto recall_at = [&](std::size_t k) { return tp_total == 0 ? 1.0 : tps[k] / tp_total; };
  std::vector<double> terms(m);
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t k = m - 1 - i;  // threshold index of reversed position i
    const double recall_i = recall_at(k);
    const double recall_next = i + 1 < m ? recall_at(k - 1) : 0.0;
    const double precision_i = tps[k] / (tps[k] + fps[k]);
    terms[i] = (recall_next - recall_i) * precision_i;
  }
  result.value = -NumpySum(terms);
  result.labels.push_back(pos_label);
  result.per_class.push_back(result.value);
  return result;
}

Result<AveragedScore> MulticlassRocAucScore(std::span<const Label> y_true,
                                            std::span<const double> probabilities,
                                            std::size_t num_classes, MultiClass multi_class,
                                            Average average,
                                            const std::optional<std::vector<Label>>& labels) {
  if (num_classes < 3) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "multiclass ROC AUC needs at least 3 probability columns, got " +
                         std::to_string(num_classes) +
                         "; for two classes use the binary ROC AUC with the positive column");
  }
  if (probabilities.size() != y_true.size() * num_classes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "probabilities: expected " + std::to_string(y_true.size()) + " rows of " +
                         std::to_string(num_classes) + " values, got " +
                         std::to_string(probabilities.size()) + " values");
  }
  auto e = EncodeTrue(y_true, y_true.size(), "probabilities");
  if (!e) return std::unexpected(e.error());
  if (auto ok = CheckFinite(probabilities, "probabilities"); !ok) {
    return std::unexpected(ok.error());
  }
  const std::size_t n = y_true.size();
  const std::size_t k = num_classes;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = NumpySum(probabilities.subspan(i * k, k));
    if (!(std::fabs(1.0 - s) <= 1e-8 + 1e-5 * std::fabs(s))) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "probabilities row " + std::to_string(i) +
                           ": Target scores need to be probabilities for multiclass roc_auc, i.e. "
                           "they should sum up to 1.0 over classes");
    }
  }
  const bool ovr = multi_class == MultiClass::kOvr;
  const bool average_ok = ovr ? average != Average::kBinary
                              : (average == Average::kMacro || average == Average::kWeighted);
  if (!average_ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("average must be one of ") +
                         (ovr ? "('micro', 'macro', 'weighted', None)" : "('macro', 'weighted')") +
                         " for multiclass problems (got " + AverageRepr(average) + ")");
  }
  // Column index of each sample's true class.
  std::vector<std::uint32_t> column(n);
  std::vector<Label> classes;
  if (labels) {
    if (auto ok = CheckLabelKinds(*labels, e->integer, "labels"); !ok) {
      return std::unexpected(ok.error());
    }
    for (std::size_t j = 1; j < labels->size(); ++j) {
      if ((*labels)[j] == (*labels)[j - 1]) {
        return MakeError(ErrorCode::kInvalidArgument, "Parameter 'labels' must be unique");
      }
      if ((*labels)[j] < (*labels)[j - 1]) {
        return MakeError(ErrorCode::kInvalidArgument, "Parameter 'labels' must be ordered");
      }
    }
    if (labels->size() != k) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Number of given labels, " + std::to_string(labels->size()) +
                           ", not equal to the number of columns in 'y_score', " +
                           std::to_string(k));
    }
    std::vector<std::uint32_t> code_to_column(e->classes.size());
    for (std::size_t c = 0; c < e->classes.size(); ++c) {
      auto it = std::lower_bound(labels->begin(), labels->end(), e->classes[c]);
      if (it == labels->end() || !(*it == e->classes[c])) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "'y_true' contains labels not in parameter 'labels'");
      }
      code_to_column[c] = static_cast<std::uint32_t>(it - labels->begin());
    }
    for (std::size_t i = 0; i < n; ++i) column[i] = code_to_column[e->codes[i]];
    classes = *labels;
  } else {
    if (e->classes.size() != k) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Number of classes in y_true not equal to the number of columns in "
                       "'y_score' (" +
                           std::to_string(e->classes.size()) + " vs " + std::to_string(k) + ")");
    }
    column = e->codes;
    classes = e->classes;
  }

  AveragedScore result;
  std::vector<ScoredSample> samples;
  samples.reserve(n);
  if (ovr) {
    if (average == Average::kMicro) {
      samples.reserve(n * k);
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < k; ++c) {
          samples.push_back(MakeSample(probabilities[i * k + c], column[i] == c));
        }
      }
      auto auc = BinaryRocAuc(samples);
      if (!auc) return std::unexpected(auc.error());
      result.value = *auc;
      return result;
    }
    std::vector<double> scores(k);
    std::vector<double> support(k, 0.0);
    for (std::size_t i = 0; i < n; ++i) support[column[i]] += 1.0;
    for (std::size_t c = 0; c < k; ++c) {
      samples.clear();
      for (std::size_t i = 0; i < n; ++i) {
        samples.push_back(MakeSample(probabilities[i * k + c], column[i] == c));
      }
      auto auc = BinaryRocAuc(samples);
      if (!auc) return std::unexpected(auc.error().WithContext("class " + classes[c].ToString()));
      scores[c] = *auc;
    }
    if (average == Average::kMacro) {
      result.value = NumpyMean(scores);
    } else if (average == Average::kWeighted) {
      result.value = NumpyWeightedAverage(scores, support);
    } else {
      result.value = std::numeric_limits<double>::quiet_NaN();
    }
    result.per_class = std::move(scores);
    result.labels = std::move(classes);
    return result;
  }
  // One-vs-one (Hand & Till) over the classes present in y_true, in sorted order.
  std::vector<bool> present(k, false);
  for (std::uint32_t c : column) present[c] = true;
  std::vector<std::uint32_t> present_columns;
  for (std::uint32_t c = 0; c < k; ++c) {
    if (present[c]) present_columns.push_back(c);
  }
  if (present_columns.size() < 2) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "one-vs-one ROC AUC needs at least two classes in y_true");
  }
  std::vector<double> pair_scores, prevalence;
  for (std::size_t ia = 0; ia < present_columns.size(); ++ia) {
    for (std::size_t ib = ia + 1; ib < present_columns.size(); ++ib) {
      const std::uint32_t a = present_columns[ia], b = present_columns[ib];
      double auc_sum = 0;
      std::size_t count = 0;
      for (const std::uint32_t positive : {a, b}) {
        samples.clear();
        for (std::size_t i = 0; i < n; ++i) {
          if (column[i] == a || column[i] == b) {
            samples.push_back(MakeSample(probabilities[i * k + positive], column[i] == positive));
          }
        }
        auto auc = BinaryRocAuc(samples);
        if (!auc) return std::unexpected(auc.error());
        auc_sum += *auc;
        count = samples.size();
      }
      pair_scores.push_back(auc_sum / 2);
      prevalence.push_back(static_cast<double>(count) / static_cast<double>(n));
    }
  }
  result.value = average == Average::kWeighted ? NumpyWeightedAverage(pair_scores, prevalence)
                                               : NumpyMean(pair_scores);
  return result;
}

}  // namespace yardstick::metrics

#include "metrics/classification.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "metrics/classification_internal.h"
#include "metrics/signature.h"
#include "stats/numeric.h"

namespace yardstick::metrics {

// Shared helpers, declared in classification_internal.h.
using internal::AddWarning;
using internal::AverageRepr;
using internal::CheckLabelKinds;
using internal::CheckLengths;
using internal::EncodeSequences;
using internal::KindName;
using internal::KindOf;
using internal::kUndefinedMetricWarning;
using internal::kUserWarning;
using internal::NumpyMean;
using internal::NumpyWeightedAverage;
using internal::Repr;
using internal::ReprList;

// ---------------------------------------------------------------------------------------------
// numpy summation

double NumpySum(std::span<const double> values) {
  constexpr std::size_t kBufferSize = 8192;  // numpy's default ufunc buffer
  double sum = 0.0;
  for (std::size_t lo = 0; lo < values.size(); lo += kBufferSize) {
    sum += stats::PairwiseSum(values.subspan(lo, std::min(kBufferSize, values.size() - lo)));
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Labels

std::string Label::ToString() const { return is_integer() ? std::to_string(integer()) : text(); }

std::strong_ordering operator<=>(const Label& a, const Label& b) {
  if (a.value_.index() != b.value_.index()) return a.value_.index() <=> b.value_.index();
  if (a.is_integer()) return a.integer() <=> b.integer();
  return a.text().compare(b.text()) <=> 0;
}

namespace {

std::optional<std::int64_t> ParseInteger(std::string_view token) {
  std::size_t i = 0;
  bool negative = false;
  if (!token.empty() && (token[0] == '+' || token[0] == '-')) {
    negative = token[0] == '-';
    i = 1;
  }
  if (i == token.size()) return std::nullopt;
  // Accumulate as a negative number so INT64_MIN parses.
  std::int64_t value = 0;
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  for (; i < token.size(); ++i) {
    const char c = token[i];
    if (c < '0' || c > '9') return std::nullopt;
    const std::int64_t digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == kMin) return std::nullopt;
    value = -value;
  }
  return value;
}

}  // namespace

LabelKind DetectLabelKind(std::span<const std::span<const std::string>> columns) {
  for (const auto& column : columns) {
    for (const auto& token : column) {
      if (!ParseInteger(token)) return LabelKind::kString;
    }
  }
  return LabelKind::kInteger;
}

Label ParseLabel(std::string_view token, LabelKind kind) {
  if (kind == LabelKind::kInteger) {
    if (auto value = ParseInteger(token)) return Label(*value);
  }
  return Label(std::string(token));
}

std::vector<Label> ParseLabels(std::span<const std::string> tokens, LabelKind kind) {
  std::vector<Label> labels;
  labels.reserve(tokens.size());
  for (const auto& token : tokens) labels.push_back(ParseLabel(token, kind));
  return labels;
}

std::vector<Label> ParseLabels(std::span<const std::string> tokens) {
  const std::span<const std::string> columns[] = {tokens};
  return ParseLabels(tokens, DetectLabelKind(columns));
}

// ---------------------------------------------------------------------------------------------
// Option names

Result<Average> ParseAverage(std::string_view text) {
  if (text == "binary") return Average::kBinary;
  if (text == "micro") return Average::kMicro;
  if (text == "macro") return Average::kMacro;
  if (text == "weighted") return Average::kWeighted;
  if (text == "none" || text == "None") return Average::kNone;
  return MakeError(ErrorCode::kInvalidArgument,
                   "average: got '" + std::string(text) +
                       "', expected one of binary, micro, macro, weighted, none");
}

Result<ZeroDivision> ParseZeroDivision(std::string_view text) {
  if (text == "warn") return ZeroDivision::kWarn;
  if (text == "0") return ZeroDivision::kZero;
  if (text == "1") return ZeroDivision::kOne;
  return MakeError(ErrorCode::kInvalidArgument,
                   "zero_division: got '" + std::string(text) + "', expected one of warn, 0, 1");
}

const char* AverageName(Average average) {
  switch (average) {
    case Average::kBinary:
      return "binary";
    case Average::kMicro:
      return "micro";
    case Average::kMacro:
      return "macro";
    case Average::kWeighted:
      return "weighted";
    case Average::kNone:
      return "none";
  }
  return "none";
}

const char* ZeroDivisionName(ZeroDivision zero_division) {
  switch (zero_division) {
    case ZeroDivision::kWarn:
      return "warn";
    case ZeroDivision::kZero:
      return "0";
    case ZeroDivision::kOne:
      return "1";
  }
  return "warn";
}

namespace {

// Codes by first appearance through a hash map, then renumbered in sorted label order.
template <typename Key, typename KeyOf>
void EncodeByHash(std::span<const Label> a, std::span<const Label> b, KeyOf key_of,
                  std::vector<Label>& classes, std::vector<std::uint32_t>& codes_a,
                  std::vector<std::uint32_t>& codes_b) {
  std::unordered_map<Key, std::uint32_t> first_code;
  std::vector<const Label*> uniques;
  auto code_of = [&](const Label& label) {
    auto [it, inserted] =
        first_code.try_emplace(key_of(label), static_cast<std::uint32_t>(uniques.size()));
    if (inserted) uniques.push_back(&label);
    return it->second;
  };
  codes_a.resize(a.size());
  codes_b.resize(b.size());
  for (std::size_t i = 0; i < a.size(); ++i) codes_a[i] = code_of(a[i]);
  for (std::size_t i = 0; i < b.size(); ++i) codes_b[i] = code_of(b[i]);
  std::vector<std::uint32_t> order(uniques.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t x, std::uint32_t y) { return *uniques[x] < *uniques[y]; });
  std::vector<std::uint32_t> rank(uniques.size());
  classes.clear();
  classes.reserve(uniques.size());
  for (std::size_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = static_cast<std::uint32_t>(r);
    classes.push_back(*uniques[order[r]]);
  }
  for (auto& c : codes_a) c = rank[c];
  for (auto& c : codes_b) c = rank[c];
}

}  // namespace

namespace internal {

// ---------------------------------------------------------------------------------------------
// Shared machinery

// Python repr() of a label, for messages.
std::string Repr(const Label& label) {
  return label.is_integer() ? label.ToString() : "'" + label.text() + "'";
}

std::string ReprList(std::span<const Label> labels) {
  std::string out = "[";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += Repr(labels[i]);
  }
  return out + "]";
}

std::string KindName(bool integer) { return integer ? "integer" : "string"; }

// Checks that all labels of a sequence have one kind; returns it (true = integer).
Result<bool> KindOf(std::span<const Label> labels, const char* name) {
  const bool integer = labels.front().is_integer();
  for (std::size_t i = 1; i < labels.size(); ++i) {
    if (labels[i].is_integer() != integer) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(name) + "[" + std::to_string(i) + "]: mixes " +
                           KindName(labels[i].is_integer()) + " and " + KindName(integer) +
                           " labels; use one kind per call");
    }
  }
  return integer;
}

Result<void> CheckLengths(std::size_t n_true, std::size_t n_other, const char* other) {
  if (n_true != n_other) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Found input variables with inconsistent numbers of samples: [" +
                         std::to_string(n_true) + ", " + std::to_string(n_other) + "] (y_true, " +
                         other + ")");
  }
  if (n_true == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "y_true is empty: at least one sample is needed");
  }
  if (n_true >= std::numeric_limits<std::uint32_t>::max() / 2) {
    return MakeError(ErrorCode::kInvalidArgument, "too many samples (limit 2^31)");
  }
  return {};
}

// Sorted unique labels of one or two sequences (numpy's np.unique order: integers numerically,
// strings by code point), and each element's index among them. O(n): integers in a small range
// use a direct table, other labels a hash map; only the distinct labels are sorted.
void EncodeSequences(std::span<const Label> a, std::span<const Label> b, bool integer,
                     std::vector<Label>& classes, std::vector<std::uint32_t>& codes_a,
                     std::vector<std::uint32_t>& codes_b) {
  if (!integer) {
    EncodeByHash<std::string_view>(
        a, b, [](const Label& l) { return std::string_view(l.text()); }, classes, codes_a, codes_b);
    return;
  }
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  for (const auto* seq : {&a, &b}) {
    for (const Label& l : *seq) {
      lo = std::min(lo, l.integer());
      hi = std::max(hi, l.integer());
    }
  }
  const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t n = a.size() + b.size();
  if (range >= std::max<std::uint64_t>(4 * n, 4096) || range >= (std::uint64_t{1} << 24)) {
    EncodeByHash<std::int64_t>(
        a, b, [](const Label& l) { return l.integer(); }, classes, codes_a, codes_b);
    return;
  }
  auto offset = [lo](const Label& l) {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(l.integer()) -
                                    static_cast<std::uint64_t>(lo));
  };
  constexpr std::uint32_t kUnseen = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> table(static_cast<std::size_t>(range) + 1, kUnseen);
  for (const auto* seq : {&a, &b}) {
    for (const Label& l : *seq) table[offset(l)] = 0;
  }
  classes.clear();
  for (std::size_t v = 0; v < table.size(); ++v) {
    if (table[v] == kUnseen) continue;
    table[v] = static_cast<std::uint32_t>(classes.size());
    classes.emplace_back(static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + v));
  }
  codes_a.resize(a.size());
  codes_b.resize(b.size());
  for (std::size_t i = 0; i < a.size(); ++i) codes_a[i] = table[offset(a[i])];
  for (std::size_t i = 0; i < b.size(); ++i) codes_b[i] = table[offset(b[i])];
}

// Checks that user-given labels have the data's kind.
Result<void> CheckLabelKinds(std::span<const Label> labels, bool integer, const char* option) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].is_integer() != integer) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(option) + "[" + std::to_string(i) + "] = " + Repr(labels[i]) +
                           " is a " + KindName(labels[i].is_integer()) +
                           " label but the data has " + KindName(integer) + " labels");
    }
  }
  return {};
}

void AddWarning(std::vector<MetricWarning>& warnings, const char* category, std::string message) {
  for (const auto& w : warnings) {
    if (w.category == category && w.message == message) return;
  }
  warnings.push_back({category, std::move(message)});
}

std::string AverageRepr(Average average) {
  return average == Average::kNone ? "None" : "'" + std::string(AverageName(average)) + "'";
}

// Mean of a float64 array (np.mean / np.average without weights).
double NumpyMean(std::span<const double> values) {
  return NumpySum(values) / static_cast<double>(values.size());
}

// np.average(values, weights=integer weights).
double NumpyWeightedAverage(std::span<const double> values, std::span<const std::int64_t> weights) {
  std::vector<double> products(values.size());
  std::vector<double> w(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    w[i] = static_cast<double>(weights[i]);
    products[i] = values[i] * w[i];
  }
  return NumpySum(products) / NumpySum(w);
}

double NumpyWeightedAverage(std::span<const double> values, std::span<const double> weights) {
  std::vector<double> products(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) products[i] = values[i] * weights[i];
  return NumpySum(products) / NumpySum(weights);
}

}  // namespace internal

namespace {

// y_true and y_pred as indices into the sorted union of their labels.
struct Encoded {
  std::vector<Label> classes;
  std::vector<std::uint32_t> y_true;
  std::vector<std::uint32_t> y_pred;
  bool integer = true;

  std::size_t num_classes() const { return classes.size(); }
  std::size_t num_samples() const { return y_true.size(); }
  // Index of `label` in classes, if present.
  std::optional<std::size_t> Find(const Label& label) const {
    auto it = std::lower_bound(classes.begin(), classes.end(), label);
    if (it == classes.end() || !(*it == label)) return std::nullopt;
    return static_cast<std::size_t>(it - classes.begin());
  }
};

// Validates a (y_true, other) pair: equal non-zero lengths, one label kind. Returns the kind
// (true = integer).
Result<bool> CheckPair(std::span<const Label> y_true, std::span<const Label> other,
                       const char* other_name) {
  if (auto ok = CheckLengths(y_true.size(), other.size(), other_name); !ok) {
    return std::unexpected(ok.error());
  }
  auto kind_true = KindOf(y_true, "y_true");
  if (!kind_true) return std::unexpected(kind_true.error());
  auto kind_other = KindOf(other, other_name);
  if (!kind_other) return std::unexpected(kind_other.error());
  if (*kind_true != *kind_other) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Labels in y_true and " + std::string(other_name) +
                         " should be of the same type: y_true has " + KindName(*kind_true) +
                         " labels, " + other_name + " " + KindName(*kind_other) + " labels");
  }
  return *kind_true;
}

Result<Encoded> Encode(std::span<const Label> y_true, std::span<const Label> y_pred,
                       const char* pred_name = "y_pred") {
  auto integer = CheckPair(y_true, y_pred, pred_name);
  if (!integer) return std::unexpected(integer.error());
  Encoded e;
  e.integer = *integer;
  EncodeSequences(y_true, y_pred, e.integer, e.classes, e.y_true, e.y_pred);
  return e;
}

// Per-class counts of an encoded pair (sklearn's multilabel_confusion_matrix sums).
struct ClassCounts {
  std::vector<std::int64_t> tp;
  std::vector<std::int64_t> pred;
  std::vector<std::int64_t> truth;
};

ClassCounts CountClasses(const Encoded& e) {
  ClassCounts c;
  c.tp.assign(e.num_classes(), 0);
  c.pred.assign(e.num_classes(), 0);
  c.truth.assign(e.num_classes(), 0);
  for (std::size_t i = 0; i < e.num_samples(); ++i) {
    ++c.truth[e.y_true[i]];
    ++c.pred[e.y_pred[i]];
    if (e.y_true[i] == e.y_pred[i]) ++c.tp[e.y_true[i]];
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Precision / recall / F-beta

struct WarnFor {
  bool precision = false;
  bool recall = false;
  bool fscore = false;
};

// The counts of the labels a PRF call reports.
struct Selected {
  std::vector<Label> labels;
  std::vector<std::int64_t> tp;
  std::vector<std::int64_t> pred;
  std::vector<std::int64_t> truth;
};

// sklearn's _check_set_wise_labels + the label selection of multilabel_confusion_matrix.
Result<Selected> SelectLabels(const Encoded& e, const ClassCounts& counts, Average average,
                              const Label& pos_label,
                              const std::optional<std::vector<Label>>& labels,
                              std::vector<MetricWarning>& warnings) {
  std::vector<Label> chosen;
  if (average == Average::kBinary) {
    if (e.num_classes() > 2) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Target is multiclass but average='binary'. Please choose another average "
                       "setting, one of [None, 'micro', 'macro', 'weighted'].");
    }
    if (!e.Find(pos_label) && e.num_classes() >= 2) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "pos_label=" + pos_label.ToString() +
                           " is not a valid label. It should be one of " + ReprList(e.classes));
    }
    chosen.push_back(pos_label);
  } else {
    if (!(pos_label == Label(1))) {
      AddWarning(warnings, kUserWarning,
                 "Note that pos_label (set to " + Repr(pos_label) +
                     ") is ignored when average != 'binary' (got " +
                     (average == Average::kNone ? std::string("None")
                                                : "'" + std::string(AverageName(average)) + "'") +
                     "). You may use labels=[pos_label] to specify a single positive class.");
    }
    if (labels) {
      if (labels->empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "labels: at least one label is needed");
      }
      if (auto ok = CheckLabelKinds(*labels, e.integer, "labels"); !ok) {
        return std::unexpected(ok.error());
      }
      chosen = *labels;
    } else {
      chosen = e.classes;
    }
  }
  Selected s;
  s.tp.reserve(chosen.size());
  s.pred.reserve(chosen.size());
  s.truth.reserve(chosen.size());
  for (const auto& label : chosen) {
    if (auto k = e.Find(label)) {
      s.tp.push_back(counts.tp[*k]);
      s.pred.push_back(counts.pred[*k]);
      s.truth.push_back(counts.truth[*k]);
    } else {
      s.tp.push_back(0);
      s.pred.push_back(0);
      s.truth.push_back(0);
    }
  }
  s.labels = std::move(chosen);
  return s;
}

// sklearn's _warn_prf message.
std::string PrfWarningMessage(const std::string& msg_start, const std::string& modifier,
                              std::size_t result_size) {
  return msg_start + " ill-defined and being set to 0.0 " +
         (result_size == 1 ? "due to" : "in labels with") + " no " + modifier +
         " samples. Use `zero_division` parameter to control this behavior.";
}

// sklearn's _prf_divide.
std::vector<double> PrfDivide(std::span<const std::int64_t> numerator,
                              std::span<const std::int64_t> denominator, const char* metric,
                              const char* modifier, bool metric_warned, const WarnFor& warn_for,
                              ZeroDivision zero_division, std::vector<MetricWarning>& warnings) {
  std::vector<double> result(numerator.size());
  bool any_zero = false;
  for (std::size_t i = 0; i < numerator.size(); ++i) {
    if (denominator[i] == 0) {
      any_zero = true;
      result[i] = zero_division == ZeroDivision::kOne ? 1.0 : 0.0;
    } else {
      result[i] = static_cast<double>(numerator[i]) / static_cast<double>(denominator[i]);
    }
  }
  if (any_zero && zero_division == ZeroDivision::kWarn && metric_warned) {
    std::string title = metric;
    title[0] = static_cast<char>(title[0] - 'a' + 'A');
    const std::string msg_start = warn_for.fscore ? title + " and F-score are" : title + " is";
    AddWarning(warnings, kUndefinedMetricWarning,
               PrfWarningMessage(msg_start, modifier, result.size()));
  }
  return result;
}

// sklearn's precision_recall_fscore_support on selected counts.
PrecisionRecallFscore ComputePrf(Selected s, Average average, ZeroDivision zero_division,
                                 double beta, const WarnFor& warn_for,
                                 std::vector<MetricWarning> warnings) {
  PrecisionRecallFscore r;
  if (average == Average::kMicro) {
    std::int64_t tp = 0, pred = 0, truth = 0;
    for (std::size_t i = 0; i < s.tp.size(); ++i) {
      tp += s.tp[i];
      pred += s.pred[i];
      truth += s.truth[i];
    }
    r.per_class_precision =
        PrfDivide(s.tp, s.pred, "precision", "predicted", false, warn_for, zero_division, warnings);
    r.per_class_recall =
        PrfDivide(s.tp, s.truth, "recall", "true", false, warn_for, zero_division, warnings);
    s.tp.assign(1, tp);
    s.pred.assign(1, pred);
    s.truth.assign(1, truth);
  }
  const double beta2 = beta * beta;
  std::vector<double> precision = PrfDivide(s.tp, s.pred, "precision", "predicted",
                                            warn_for.precision, warn_for, zero_division, warnings);
  std::vector<double> recall = PrfDivide(s.tp, s.truth, "recall", "true", warn_for.recall, warn_for,
                                         zero_division, warnings);
  if (zero_division == ZeroDivision::kWarn && warn_for.fscore && !warn_for.precision &&
      !warn_for.recall) {
    for (std::size_t i = 0; i < s.truth.size(); ++i) {
      if (s.truth[i] == 0 && s.pred[i] == 0) {
        AddWarning(warnings, kUndefinedMetricWarning,
                   PrfWarningMessage("F-score is", "true nor predicted", s.truth.size()));
        break;
      }
    }
  }
  auto fscore_of = [&](double p, double rec) {
    if (std::isinf(beta)) return rec;
    double denom = beta2 * p + rec;
    if (denom == 0.0) denom = 1;
    return (1 + beta2) * p * rec / denom;
  };
  std::vector<double> fscore(precision.size());
  for (std::size_t i = 0; i < precision.size(); ++i) fscore[i] = fscore_of(precision[i], recall[i]);

  if (average == Average::kMicro) {
    // Per-class values are reported alongside the micro average for convenience.
    r.per_class_fscore.resize(r.per_class_precision.size());
    for (std::size_t i = 0; i < r.per_class_fscore.size(); ++i) {
      r.per_class_fscore[i] = fscore_of(r.per_class_precision[i], r.per_class_recall[i]);
    }
  } else {
    r.per_class_precision = precision;
    r.per_class_recall = recall;
    r.per_class_fscore = fscore;
  }

  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (average) {
    case Average::kNone:
      r.precision = r.recall = r.fscore = nan;
      break;
    case Average::kBinary:
    case Average::kMicro:
      r.precision = precision[0];
      r.recall = recall[0];
      r.fscore = fscore[0];
      break;
    case Average::kMacro:
      r.precision = NumpyMean(precision);
      r.recall = NumpyMean(recall);
      r.fscore = NumpyMean(fscore);
      break;
    case Average::kWeighted: {
      std::int64_t truth_sum = 0, pred_sum = 0;
      for (std::size_t i = 0; i < s.truth.size(); ++i) {
        truth_sum += s.truth[i];
        pred_sum += s.pred[i];
      }
      if (truth_sum == 0) {
        const double zdv = zero_division == ZeroDivision::kOne ? 1.0 : 0.0;
        if (pred_sum == 0) {
          r.precision = r.recall = r.fscore = zdv;
        } else {
          r.precision = 0.0;
          r.recall = zdv;
          r.fscore = 0.0;
        }
      } else {
        r.precision = NumpyWeightedAverage(precision, s.truth);
        r.recall = NumpyWeightedAverage(recall, s.truth);
        r.fscore = NumpyWeightedAverage(fscore, s.truth);
      }
      break;
    }
  }
  r.labels = std::move(s.labels);
  r.warnings = std::move(warnings);
  return r;
}

Result<PrecisionRecallFscore> Prf(std::span<const Label> y_true, std::span<const Label> y_pred,
                                  const PrfOptions& options, double beta, const WarnFor& warn_for) {
  if (!(beta >= 0)) {
    return MakeError(ErrorCode::kInvalidArgument, "beta should be >=0 in the F-beta score");
  }
  auto e = Encode(y_true, y_pred);
  if (!e) return std::unexpected(e.error());
  const ClassCounts counts = CountClasses(*e);
  std::vector<MetricWarning> warnings;
  auto selected =
      SelectLabels(*e, counts, options.average, options.pos_label, options.labels, warnings);
  if (!selected) return std::unexpected(selected.error());
  std::vector<std::int64_t> support = selected->truth;
  PrecisionRecallFscore r = ComputePrf(std::move(*selected), options.average, options.zero_division,
                                       beta, warn_for, std::move(warnings));
  r.support = std::move(support);
  return r;
}

AveragedScore Pick(PrecisionRecallFscore r, double PrecisionRecallFscore::*value,
                   std::vector<double> PrecisionRecallFscore::*per_class) {
  AveragedScore s;
  s.value = r.*value;
  s.per_class = std::move(r.*per_class);
  s.labels = std::move(r.labels);
  s.warnings = std::move(r.warnings);
  return s;
}

}  // namespace

Result<PrecisionRecallFscore> PrecisionRecallFscoreSupport(std::span<const Label> y_true,
                                                           std::span<const Label> y_pred,
                                                           const PrfOptions& options, double beta) {
  return Prf(y_true, y_pred, options, beta, WarnFor{true, true, true});
}

Result<AveragedScore> PrecisionScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                                     const PrfOptions& options) {
  auto r = Prf(y_true, y_pred, options, 1.0, WarnFor{true, false, false});
  if (!r) return std::unexpected(r.error());
  return Pick(std::move(*r), &PrecisionRecallFscore::precision,
              &PrecisionRecallFscore::per_class_precision);
}

Result<AveragedScore> RecallScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                                  const PrfOptions& options) {
  auto r = Prf(y_true, y_pred, options, 1.0, WarnFor{false, true, false});
  if (!r) return std::unexpected(r.error());
  return Pick(std::move(*r), &PrecisionRecallFscore::recall,
              &PrecisionRecallFscore::per_class_recall);
}

Result<AveragedScore> FBetaScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                                 double beta, const PrfOptions& options) {
  auto r = Prf(y_true, y_pred, options, beta, WarnFor{false, false, true});
  if (!r) return std::unexpected(r.error());
  return Pick(std::move(*r), &PrecisionRecallFscore::fscore,
              &PrecisionRecallFscore::per_class_fscore);
}

Result<AveragedScore> F1Score(std::span<const Label> y_true, std::span<const Label> y_pred,
                              const PrfOptions& options) {
  return FBetaScore(y_true, y_pred, 1.0, options);
}

// ---------------------------------------------------------------------------------------------
// Accuracy, confusion matrix, MCC, kappa

Result<double> AccuracyScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                             bool normalize) {
  if (auto ok = CheckPair(y_true, y_pred, "y_pred"); !ok) return std::unexpected(ok.error());
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) correct += y_true[i] == y_pred[i];
  const auto count = static_cast<double>(correct);
  return normalize ? count / static_cast<double>(y_true.size()) : count;
}

namespace {

// Dense confusion counts over the classes of an encoding (rows true, columns predicted).
std::vector<std::int64_t> DenseConfusion(const Encoded& e) {
  const std::size_t k = e.num_classes();
  std::vector<std::int64_t> counts(k * k, 0);
  for (std::size_t i = 0; i < e.num_samples(); ++i) {
    ++counts[std::size_t{e.y_true[i]} * k + e.y_pred[i]];
  }
  return counts;
}

Result<ConfusionMatrix> ConfusionFromEncoded(const Encoded& e,
                                             const std::optional<std::vector<Label>>& labels) {
  ConfusionMatrix m;
  if (!labels) {
    m.labels = e.classes;
    m.counts = DenseConfusion(e);
    return m;
  }
  if (labels->empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "'labels' should contains at least one label.");
  }
  if (auto ok = CheckLabelKinds(*labels, e.integer, "labels"); !ok) {
    return std::unexpected(ok.error());
  }
  // Class code -> position in `labels` (the last one for duplicates, as sklearn's dict does).
  constexpr std::size_t kAbsent = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> position(e.num_classes(), kAbsent);
  for (std::size_t j = 0; j < labels->size(); ++j) {
    if (auto k = e.Find((*labels)[j])) position[*k] = j;
  }
  bool any_in_true = false;
  for (std::uint32_t t : e.y_true) {
    if (position[t] != kAbsent) {
      any_in_true = true;
      break;
    }
  }
  if (!any_in_true) {
    return MakeError(ErrorCode::kInvalidArgument, "At least one label specified must be in y_true");
  }
  const std::size_t k = labels->size();
  m.labels = *labels;
  m.counts.assign(k * k, 0);
  for (std::size_t i = 0; i < e.num_samples(); ++i) {
    const std::size_t t = position[e.y_true[i]];
    const std::size_t p = position[e.y_pred[i]];
    if (t != kAbsent && p != kAbsent) ++m.counts[t * k + p];
  }
  return m;
}

}  // namespace

Result<ConfusionMatrix> ComputeConfusionMatrix(std::span<const Label> y_true,
                                               std::span<const Label> y_pred,
                                               const std::optional<std::vector<Label>>& labels) {
  auto e = Encode(y_true, y_pred);
  if (!e) return std::unexpected(e.error());
  return ConfusionFromEncoded(*e, labels);
}

std::vector<double> NormalizeConfusionMatrix(const ConfusionMatrix& matrix,
                                             ConfusionNormalize normalize) {
  const std::size_t k = matrix.size();
  std::vector<double> out(matrix.counts.size());
  std::vector<std::int64_t> divisor;
  std::int64_t total = 0;
  if (normalize == ConfusionNormalize::kTrue || normalize == ConfusionNormalize::kPred) {
    divisor.assign(k, 0);
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < k; ++j) {
        divisor[normalize == ConfusionNormalize::kTrue ? i : j] += matrix.at(i, j);
      }
    }
  } else {
    for (std::int64_t c : matrix.counts) total += c;
  }
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      const auto c = static_cast<double>(matrix.at(i, j));
      double value = c;
      switch (normalize) {
        case ConfusionNormalize::kNone:
          break;
        case ConfusionNormalize::kTrue:
          value = c / static_cast<double>(divisor[i]);
          break;
        case ConfusionNormalize::kPred:
          value = c / static_cast<double>(divisor[j]);
          break;
        case ConfusionNormalize::kAll:
          value = c / static_cast<double>(total);
          break;
      }
      out[i * k + j] = std::isnan(value) ? 0.0 : value;  // np.nan_to_num of 0/0
    }
  }
  return out;
}

namespace {

double MccFromCounts(const ClassCounts& c) {
  double n_correct = 0;
  std::vector<double> t_sum(c.truth.size());
  std::vector<double> p_sum(c.pred.size());
  double dot_tp = 0, dot_pp = 0, dot_tt = 0;
  for (std::size_t k = 0; k < c.tp.size(); ++k) {
    n_correct += static_cast<double>(c.tp[k]);
    t_sum[k] = static_cast<double>(c.truth[k]);
    p_sum[k] = static_cast<double>(c.pred[k]);
    // Integer-valued products: exact in any order below 2^53.
    dot_tp += t_sum[k] * p_sum[k];
    dot_pp += p_sum[k] * p_sum[k];
    dot_tt += t_sum[k] * t_sum[k];
  }
  const double n_samples = NumpySum(p_sum);
  const double cov_ytyp = n_correct * n_samples - dot_tp;
  const double cov_ypyp = n_samples * n_samples - dot_pp;
  const double cov_ytyt = n_samples * n_samples - dot_tt;
  if (cov_ypyp * cov_ytyt == 0) return 0.0;
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

double KappaFromConfusion(const ConfusionMatrix& m, KappaWeights weights) {
  const std::size_t k = m.size();
  std::vector<std::int64_t> sum0(k, 0), sum1(k, 0);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      sum0[j] += m.at(i, j);
      sum1[i] += m.at(i, j);
    }
  }
  std::int64_t total = 0;
  for (std::int64_t s : sum0) total += s;
  auto weight = [&](std::size_t i, std::size_t j) -> std::int64_t {
    const auto d = static_cast<std::int64_t>(i) - static_cast<std::int64_t>(j);
    switch (weights) {
      case KappaWeights::kNone:
        return i == j ? 0 : 1;
      case KappaWeights::kLinear:
        return d < 0 ? -d : d;
      case KappaWeights::kQuadratic:
        return d * d;
    }
    return 0;
  };
  std::int64_t observed = 0;
  std::vector<double> expected(k * k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      observed += weight(i, j) * m.at(i, j);
      const double e = static_cast<double>(sum0[i] * sum1[j]) / static_cast<double>(total);
      expected[i * k + j] = static_cast<double>(weight(i, j)) * e;
    }
  }
  const double ratio = static_cast<double>(observed) / NumpySum(expected);
  return 1 - ratio;
}

}  // namespace

Result<double> MatthewsCorrcoef(std::span<const Label> y_true, std::span<const Label> y_pred) {
  auto e = Encode(y_true, y_pred);
  if (!e) return std::unexpected(e.error());
  return MccFromCounts(CountClasses(*e));
}

Result<double> CohenKappaScore(std::span<const Label> y1, std::span<const Label> y2,
                               KappaWeights weights,
                               const std::optional<std::vector<Label>>& labels) {
  auto e = Encode(y1, y2, "y2");
  if (!e) return std::unexpected(e.error());
  auto m = ConfusionFromEncoded(*e, labels);
  if (!m) return std::unexpected(m.error());
  return KappaFromConfusion(*m, weights);
}

namespace {

AveragedScore BalancedAccuracyFromCounts(const Encoded& e, const ClassCounts& c, bool adjusted) {
  AveragedScore s;
  std::vector<double> per_class;
  per_class.reserve(c.tp.size());
  for (std::size_t k = 0; k < c.tp.size(); ++k) {
    if (c.truth[k] == 0) continue;  // NaN in sklearn, then removed
    per_class.push_back(static_cast<double>(c.tp[k]) / static_cast<double>(c.truth[k]));
    s.labels.push_back(e.classes[k]);
  }
  if (per_class.size() != c.tp.size()) {
    AddWarning(s.warnings, kUserWarning, "y_pred contains classes not in y_true");
  }
  double score = NumpyMean(per_class);
  if (adjusted) {
    const double chance = 1 / static_cast<double>(per_class.size());
    score -= chance;
    score /= 1 - chance;
  }
  s.value = score;
  s.per_class = std::move(per_class);
  return s;
}

}  // namespace

Result<AveragedScore> BalancedAccuracyScore(std::span<const Label> y_true,
                                            std::span<const Label> y_pred, bool adjusted) {
  auto e = Encode(y_true, y_pred);
  if (!e) return std::unexpected(e.error());
  return BalancedAccuracyFromCounts(*e, CountClasses(*e), adjusted);
}

// ---------------------------------------------------------------------------------------------
// Report

Result<ClassificationReport> ComputeClassificationReport(
    std::span<const Label> y_true, std::span<const Label> y_pred,
    const ClassificationReportOptions& options) {
  auto e = Encode(y_true, y_pred);
  if (!e) return std::unexpected(e.error());
  const ClassCounts counts = CountClasses(*e);
  ClassificationReport report;
  report.num_samples = static_cast<std::int64_t>(e->num_samples());
  std::int64_t correct = 0;
  for (std::int64_t tp : counts.tp) correct += tp;
  report.accuracy = static_cast<double>(correct) / static_cast<double>(report.num_samples);

  const WarnFor all{true, true, true};
  auto prf = [&](Average average, const Label& pos_label) -> Result<PrecisionRecallFscore> {
    std::vector<MetricWarning> warnings;
    auto selected = SelectLabels(*e, counts, average, pos_label, options.labels, warnings);
    if (!selected) return std::unexpected(selected.error());
    std::vector<std::int64_t> support = selected->truth;
    auto r = ComputePrf(std::move(*selected), average, options.zero_division, 1.0, all,
                        std::move(warnings));
    r.support = std::move(support);
    return r;
  };
  auto add_warnings = [&](const std::vector<MetricWarning>& warnings) {
    for (const auto& w : warnings) AddWarning(report.warnings, w.category.c_str(), w.message);
  };
  auto per_class = prf(Average::kNone, Label(1));
  if (!per_class) return std::unexpected(per_class.error());
  add_warnings(per_class->warnings);
  std::int64_t total_support = 0;
  for (std::size_t i = 0; i < per_class->labels.size(); ++i) {
    report.per_class.push_back({per_class->labels[i], per_class->per_class_precision[i],
                                per_class->per_class_recall[i], per_class->per_class_fscore[i],
                                per_class->support[i]});
    total_support += per_class->support[i];
  }
  const std::pair<Average, AverageReportRow*> averages[] = {{Average::kMicro, &report.micro},
                                                            {Average::kMacro, &report.macro},
                                                            {Average::kWeighted, &report.weighted}};
  for (const auto& [average, row] : averages) {
    auto r = prf(average, Label(1));
    if (!r) return std::unexpected(r.error());
    add_warnings(r->warnings);
    *row = {r->precision, r->recall, r->fscore, total_support};
  }
  if (e->num_classes() <= 2 && e->Find(options.pos_label)) {
    auto r = prf(Average::kBinary, options.pos_label);
    if (!r) return std::unexpected(r.error());
    add_warnings(r->warnings);
    report.binary =
        ClassReportRow{options.pos_label, r->precision, r->recall, r->fscore, r->support.front()};
  }
  auto confusion = ConfusionFromEncoded(*e, options.labels);
  if (!confusion) return std::unexpected(confusion.error());
  report.confusion = std::move(*confusion);
  const AveragedScore balanced = BalancedAccuracyFromCounts(*e, counts, false);
  add_warnings(balanced.warnings);
  report.balanced_accuracy = balanced.value;
  report.mcc = MccFromCounts(counts);
  report.kappa = KappaFromConfusion(report.confusion, KappaWeights::kNone);
  report.signature = "nlabels:" + std::to_string(report.per_class.size()) +
                     "|pos:" + options.pos_label.ToString() +
                     "|zero_div:" + ZeroDivisionName(options.zero_division) +
                     "|version:" + SignatureVersion();
  return report;
}

}  // namespace yardstick::metrics

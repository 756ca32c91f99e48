#include "metrics/classification.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "metrics/signature.h"
#include "stats/numeric.h"

namespace yardstick::metrics {

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

// ---------------------------------------------------------------------------------------------
// Shared machinery

constexpr char kUndefinedMetricWarning[] = "UndefinedMetricWarning";
constexpr char kUserWarning[] = "UserWarning";

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

void AddWarning(std::vector<MetricWarning>& warnings, const char* category, std::string message) {
  for (const auto& w : warnings) {
    if (w.category == category && w.message == message) return;
  }
  warnings.push_back({category, std::move(message)});
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

std::string AverageRepr(Average average) {
  return average == Average::kNone ? "None" : "'" + std::string(AverageName(average)) + "'";
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

#pragma once
// Classification metrics computed exactly as scikit-learn 1.2.1 computes them: accuracy,
// precision / recall / F-beta with every averaging mode and zero_division convention, confusion
// matrices, balanced accuracy, Matthews correlation, Cohen's kappa, ROC AUC (binary, one-vs-rest,
// one-vs-one) and average precision, plus a ClassificationReport that bundles the usual set.
//
// Labels are integers or strings (see Label). Like sklearn, every function works on the sorted
// union of the labels it sees: integers ordered numerically, strings by code point (numpy's
// np.unique order). Where sklearn raises, these functions return an Error with sklearn's message;
// where sklearn emits an UndefinedMetricWarning (or a UserWarning that changes the meaning of a
// number), the result carries a MetricWarning with the same category and message.
//
// Floating-point reductions follow numpy's order of operations (NumpySum reproduces numpy's
// pairwise summation), so the values match sklearn bit for bit on the golden vectors.
//
// Thread safety: every function is pure (no shared state); call them concurrently freely.

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/error.h"

namespace yardstick::metrics {

// Sum of doubles in numpy's order for a contiguous float64 array (np.sum / ndarray.sum):
// chunks of 8192 elements (the ufunc buffer) added left to right, each chunk summed pairwise
// (blocks of 128 with 8 interleaved accumulators, recursive halving above that).
double NumpySum(std::span<const double> values);

// A class label: an integer or a string. Value type; integers order before strings (mixing the
// two kinds in one call is an error, so that order is only a tie-breaker for containers).
class Label {
 public:
  Label() : value_(std::int64_t{0}) {}
  Label(std::int64_t value) : value_(value) {}       // NOLINT: implicit, labels behave like values
  Label(int value) : value_(std::int64_t{value}) {}  // NOLINT
  Label(std::string value) : value_(std::move(value)) {}    // NOLINT
  Label(const char* value) : value_(std::string(value)) {}  // NOLINT

  bool is_integer() const { return std::holds_alternative<std::int64_t>(value_); }
  // Precondition: is_integer().
  std::int64_t integer() const { return std::get<std::int64_t>(value_); }
  // Precondition: !is_integer().
  const std::string& text() const { return std::get<std::string>(value_); }

  // The label as text: "-1", "cat".
  std::string ToString() const;

  friend bool operator==(const Label& a, const Label& b) = default;
  friend std::strong_ordering operator<=>(const Label& a, const Label& b);

 private:
  std::variant<std::int64_t, std::string> value_;
};

enum class LabelKind { kInteger, kString };

// Parsing labels from text tokens (CLI columns). A token is an integer when it is an optional
// '+'/'-' followed by ASCII digits and fits in int64 (so "007" and "7" are the same label).
// The kind is decided for a whole set of columns: integer labels when EVERY token of every column
// is an integer, string labels otherwise (then "7" is the string "7"). Decide the kind over
// y_true and y_pred together so both columns get the same kind.
LabelKind DetectLabelKind(std::span<const std::span<const std::string>> columns);
Label ParseLabel(std::string_view token, LabelKind kind);
std::vector<Label> ParseLabels(std::span<const std::string> tokens, LabelKind kind);
// Kind detected from these tokens alone.
std::vector<Label> ParseLabels(std::span<const std::string> tokens);

// A warning sklearn would emit for the same call. `category` is the Python warning class
// ("UndefinedMetricWarning", "UserWarning"); `message` is sklearn's text.
struct MetricWarning {
  std::string category;
  std::string message;
};

// sklearn's `average`. kBinary reports the pos_label class only (needs <= 2 labels); kNone
// reports one value per label.
enum class Average { kBinary, kMicro, kMacro, kWeighted, kNone };
// sklearn's `zero_division`: kWarn gives 0 and a warning, kZero gives 0, kOne gives 1.
enum class ZeroDivision { kWarn, kZero, kOne };

// Parses "binary", "micro", "macro", "weighted", "none" and zero_division "warn", "0", "1".
Result<Average> ParseAverage(std::string_view text);
Result<ZeroDivision> ParseZeroDivision(std::string_view text);
const char* AverageName(Average average);
const char* ZeroDivisionName(ZeroDivision zero_division);

// Options shared by precision, recall, F-beta (sklearn defaults).
struct PrfOptions {
  Average average = Average::kBinary;
  Label pos_label = 1;  // the positive class for Average::kBinary
  // Labels to report, in this order (sklearn `labels`); default: the sorted union of the data.
  // Labels absent from the data get zero counts; data labels absent from the list are ignored.
  std::optional<std::vector<Label>> labels;
  ZeroDivision zero_division = ZeroDivision::kWarn;
};

// A score with sklearn's averaging. `value` is the averaged score (NaN for Average::kNone);
// `per_class[i]` is the score of `labels[i]` (always filled: the averaged classes, or the one
// pos_label class for kBinary).
struct AveragedScore {
  double value = 0;
  std::vector<double> per_class;
  std::vector<Label> labels;
  std::vector<MetricWarning> warnings;
};

// All of precision_recall_fscore_support: averaged values (NaN for kNone), per-label values and
// supports (true counts). Warnings as sklearn's precision_recall_fscore_support (all three).
struct PrecisionRecallFscore {
  double precision = 0;
  double recall = 0;
  double fscore = 0;
  std::vector<Label> labels;
  std::vector<double> per_class_precision;
  std::vector<double> per_class_recall;
  std::vector<double> per_class_fscore;
  std::vector<std::int64_t> support;
  std::vector<MetricWarning> warnings;
};

// y_true and y_pred must have the same non-zero length and the same label kind.
Result<PrecisionRecallFscore> PrecisionRecallFscoreSupport(std::span<const Label> y_true,
                                                           std::span<const Label> y_pred,
                                                           const PrfOptions& options,
                                                           double beta = 1.0);
Result<AveragedScore> PrecisionScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                                     const PrfOptions& options = {});
Result<AveragedScore> RecallScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                                  const PrfOptions& options = {});
// beta >= 0; beta = +infinity gives recall.
Result<AveragedScore> FBetaScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                                 double beta, const PrfOptions& options = {});
Result<AveragedScore> F1Score(std::span<const Label> y_true, std::span<const Label> y_pred,
                              const PrfOptions& options = {});

// Fraction (normalize) or number of exact matches.
Result<double> AccuracyScore(std::span<const Label> y_true, std::span<const Label> y_pred,
                             bool normalize = true);

// Mean per-class recall over the classes present in y_true (sklearn balanced_accuracy_score);
// adjusted rescales so chance is 0. Warns (UserWarning) when y_pred has classes not in y_true.
Result<AveragedScore> BalancedAccuracyScore(std::span<const Label> y_true,
                                            std::span<const Label> y_pred, bool adjusted = false);

// counts[i * size + j] = number of samples with true label labels[i] predicted as labels[j].
struct ConfusionMatrix {
  std::vector<Label> labels;
  std::vector<std::int64_t> counts;

  std::size_t size() const { return labels.size(); }
  std::int64_t at(std::size_t true_index, std::size_t pred_index) const {
    return counts[true_index * labels.size() + pred_index];
  }
};

// sklearn confusion_matrix; `labels` selects and orders the rows/columns (samples whose true or
// predicted label is not listed are dropped). Errors as sklearn: empty `labels`, or none of them
// in y_true.
Result<ConfusionMatrix> ComputeConfusionMatrix(
    std::span<const Label> y_true, std::span<const Label> y_pred,
    const std::optional<std::vector<Label>>& labels = std::nullopt);

// sklearn's `normalize` of confusion_matrix: over rows (true), columns (pred) or everything; 0/0
// becomes 0. Row-major like ConfusionMatrix::counts.
enum class ConfusionNormalize { kNone, kTrue, kPred, kAll };
std::vector<double> NormalizeConfusionMatrix(const ConfusionMatrix& matrix,
                                             ConfusionNormalize normalize);

// Matthews correlation coefficient (multiclass R_K form); 0 when undefined, as sklearn.
Result<double> MatthewsCorrcoef(std::span<const Label> y_true, std::span<const Label> y_pred);

// Cohen's kappa. Weights use the label index positions (sorted labels, or the `labels` order),
// as sklearn does. NaN when the expected disagreement is 0 (e.g. a single label).
enum class KappaWeights { kNone, kLinear, kQuadratic };
Result<double> CohenKappaScore(std::span<const Label> y1, std::span<const Label> y2,
                               KappaWeights weights = KappaWeights::kNone,
                               const std::optional<std::vector<Label>>& labels = std::nullopt);

// Binary ROC AUC from scores (sklearn roc_auc_score for a binary y_true): the positive class is
// the greater of the two labels; the ROC curve uses sklearn's threshold grouping and
// drop_intermediate, the area np.trapz. Errors when y_true has one class or a score is not finite.
Result<double> RocAucScore(std::span<const Label> y_true, std::span<const double> y_score);

// Average precision (sklearn's step-function sum over the precision-recall curve) of pos_label.
// Warns (UserWarning) when y_true has no positive sample.
Result<AveragedScore> AveragePrecisionScore(std::span<const Label> y_true,
                                            std::span<const double> y_score,
                                            const Label& pos_label = 1);

// Multiclass ROC AUC from probability rows: `probabilities` is row-major n x num_classes, column j
// being the probability of the j-th label (sorted labels of y_true, or `labels`). kOvr supports
// average micro/macro/weighted/none, kOvo (Hand & Till) macro/weighted. Rows must sum to 1
// (np.allclose), as sklearn requires. per_class holds the one-vs-rest AUC of each column (empty
// for micro and one-vs-one). Errors where sklearn raises: a class of `labels` absent from y_true
// under ovr, unsorted or duplicate `labels`, a column count that does not match the classes.
enum class MultiClass { kOvr, kOvo };
Result<AveragedScore> MulticlassRocAucScore(
    std::span<const Label> y_true, std::span<const double> probabilities, std::size_t num_classes,
    MultiClass multi_class, Average average = Average::kMacro,
    const std::optional<std::vector<Label>>& labels = std::nullopt);

// The usual set of classification numbers, for reports and the CLI.
struct ClassificationReportOptions {
  Label pos_label = 1;  // used for the binary row when there are <= 2 labels
  ZeroDivision zero_division = ZeroDivision::kWarn;
  std::optional<std::vector<Label>> labels;  // as PrfOptions::labels
};

struct ClassReportRow {
  Label label;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::int64_t support = 0;
};

struct AverageReportRow {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::int64_t support = 0;  // total support of the reported labels
};

struct ClassificationReport {
  std::int64_t num_samples = 0;
  double accuracy = 0;
  std::vector<ClassReportRow> per_class;  // one row per reported label
  AverageReportRow micro;
  AverageReportRow macro;
  AverageReportRow weighted;
  // precision/recall/F1 of pos_label when the data has at most two labels (average="binary").
  std::optional<ClassReportRow> binary;
  ConfusionMatrix confusion;
  double balanced_accuracy = 0;
  double mcc = 0;
  double kappa = 0;
  std::vector<MetricWarning> warnings;  // deduplicated, in order of first occurrence
  // "nlabels:K|pos:X|zero_div:warn|version:yardstick-V": K = number of reported labels, X = the
  // positive label (used only by the binary row), zero_div = warn|0|1.
  std::string signature;
};

Result<ClassificationReport> ComputeClassificationReport(
    std::span<const Label> y_true, std::span<const Label> y_pred,
    const ClassificationReportOptions& options = {});

}  // namespace yardstick::metrics

// Classification metrics against scikit-learn 1.2.1 (tests/golden/sklearn_classification.jsonl)
// plus unit tests for options the golden file does not exercise (labels, pos_label, errors).
//
// Exactness: every golden value is compared BIT-EXACT (SameDouble), floats included: the
// implementation reproduces numpy's pairwise summation, np.trapz and sklearn's operation order.
// Integer outputs (counts, confusion matrices) are compared as integers.

#include "metrics/classification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "metrics/signature.h"
#include "support/golden.h"

namespace yardstick::metrics {
namespace {

using nlohmann::json;
using testing::GoldenDouble;
using testing::SameDouble;

std::vector<Label> LabelsOf(const json& values) {
  std::vector<Label> out;
  for (const auto& v : values) {
    if (v.is_string()) {
      out.emplace_back(v.get<std::string>());
    } else {
      out.emplace_back(v.get<std::int64_t>());
    }
  }
  return out;
}

std::vector<double> DoublesOf(const json& values) {
  std::vector<double> out;
  for (const auto& v : values) out.push_back(GoldenDouble(v));
  return out;
}

Average AverageOf(const json& options) {
  if (!options.contains("average") || options["average"].is_null()) return Average::kNone;
  auto average = ParseAverage(options["average"].get<std::string>());
  EXPECT_TRUE(average.has_value());
  return average.value_or(Average::kNone);
}

ZeroDivision ZeroDivisionOf(const json& options) {
  if (!options.contains("zero_division")) return ZeroDivision::kWarn;
  const json& z = options["zero_division"];
  if (z.is_string()) return ZeroDivision::kWarn;
  return z.get<int>() == 1 ? ZeroDivision::kOne : ZeroDivision::kZero;
}

// Compares a scalar or list expectation with an AveragedScore, and its warnings.
void ExpectAveraged(const AveragedScore& got, const json& call, const std::string& where) {
  const json& expected = call["expected"];
  if (expected.is_array()) {
    ASSERT_EQ(got.per_class.size(), expected.size()) << where;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_TRUE(SameDouble(got.per_class[i], GoldenDouble(expected[i])))
          << where << " [" << i << "]: got " << got.per_class[i] << " expected " << expected[i];
    }
  } else {
    EXPECT_TRUE(SameDouble(got.value, GoldenDouble(expected)))
        << where << ": got " << got.value << " expected " << expected;
  }
  std::set<std::string> want, have;
  if (call.contains("warnings")) {
    for (const auto& w : call["warnings"]) want.insert(w.get<std::string>());
  }
  for (const auto& w : got.warnings) have.insert(w.category);
  EXPECT_EQ(have, want) << where << ": warnings differ";
}

TEST(ClassificationGolden, EveryCallMatchesSklearn) {
  const auto cases = testing::ReadGoldenJsonl("sklearn_classification.jsonl");
  int checked = 0;
  for (const auto& c : cases) {
    const std::string id = c["id"].get<std::string>();
    const json& in = c["inputs"];
    const std::vector<Label> y_true = LabelsOf(in["y_true"]);
    const std::vector<Label> y_pred = LabelsOf(in["y_pred"]);
    for (const auto& call : c["calls"]) {
      const std::string fn = call["fn"].get<std::string>();
      const json options = call.value("options", json::object());
      const std::string where = id + " " + fn + " " + options.dump();
      const bool want_error = call.contains("error");
      ++checked;
      if (fn == "accuracy_score") {
        const bool normalize =
            !options.contains("normalize") || options["normalize"].dump() == "true";
        auto got = AccuracyScore(y_true, y_pred, normalize);
        ASSERT_EQ(got.has_value(), !want_error) << where;
        if (!got) continue;
        if (normalize) {
          EXPECT_TRUE(SameDouble(*got, GoldenDouble(call["expected"]))) << where;
        } else {
          EXPECT_EQ(static_cast<std::int64_t>(*got), call["expected"].get<std::int64_t>()) << where;
        }
      } else if (fn == "confusion_matrix") {
        auto got = ComputeConfusionMatrix(y_true, y_pred);
        ASSERT_EQ(got.has_value(), !want_error) << where;
        if (!got) continue;
        const json& expected = call["expected"];
        ASSERT_EQ(got->size(), expected.size()) << where;
        const json& normalize = options.contains("normalize") ? options["normalize"] : json();
        if (normalize.is_null()) {
          for (std::size_t i = 0; i < got->size(); ++i) {
            for (std::size_t j = 0; j < got->size(); ++j) {
              EXPECT_EQ(got->at(i, j), expected[i][j].get<std::int64_t>()) << where;
            }
          }
        } else {
          const std::string mode = normalize.get<std::string>();
          const auto which = mode == "true"   ? ConfusionNormalize::kTrue
                             : mode == "pred" ? ConfusionNormalize::kPred
                                              : ConfusionNormalize::kAll;
          const auto values = NormalizeConfusionMatrix(*got, which);
          for (std::size_t i = 0; i < got->size(); ++i) {
            for (std::size_t j = 0; j < got->size(); ++j) {
              EXPECT_TRUE(SameDouble(values[i * got->size() + j], GoldenDouble(expected[i][j])))
                  << where << " [" << i << "][" << j << "]";
            }
          }
        }
      } else if (fn == "cohen_kappa_score") {
        const json& w = options["weights"];
        const KappaWeights weights = w.is_null()                        ? KappaWeights::kNone
                                     : w.get<std::string>() == "linear" ? KappaWeights::kLinear
                                                                        : KappaWeights::kQuadratic;
        auto got = CohenKappaScore(y_true, y_pred, weights);
        ASSERT_EQ(got.has_value(), !want_error) << where;
        if (got) {
          EXPECT_TRUE(SameDouble(*got, GoldenDouble(call["expected"]))) << where;
        }
      } else if (fn == "matthews_corrcoef") {
        auto got = MatthewsCorrcoef(y_true, y_pred);
        ASSERT_EQ(got.has_value(), !want_error) << where;
        if (got) {
          EXPECT_TRUE(SameDouble(*got, GoldenDouble(call["expected"]))) << where;
        }
      } else if (fn == "precision_score" || fn == "recall_score" || fn == "f1_score" ||
                 fn == "fbeta_score") {
        PrfOptions o;
        o.average = AverageOf(options);
        o.zero_division = ZeroDivisionOf(options);
        Result<AveragedScore> got =
            fn == "precision_score" ? PrecisionScore(y_true, y_pred, o)
            : fn == "recall_score"  ? RecallScore(y_true, y_pred, o)
            : fn == "f1_score"      ? F1Score(y_true, y_pred, o)
                                    : FBetaScore(y_true, y_pred, options["beta"].get<double>(), o);
        ASSERT_EQ(got.has_value(), !want_error) << where;
        if (got) ExpectAveraged(*got, call, where);
      } else if (fn == "balanced_accuracy_score") {
        auto got = BalancedAccuracyScore(y_true, y_pred);
        ASSERT_EQ(got.has_value(), !want_error) << where;
        if (got) ExpectAveraged(*got, call, where);
      } else if (fn == "roc_auc_score") {
        if (options.contains("multi_class")) {
          const std::vector<double> proba = [&] {
            std::vector<double> flat;
            for (const auto& row : in["y_proba"]) {
              for (const auto& v : row) flat.push_back(GoldenDouble(v));
            }
            return flat;
          }();
          const std::size_t k = in["y_proba"][0].size();
          const MultiClass mc =
              options["multi_class"] == "ovr" ? MultiClass::kOvr : MultiClass::kOvo;
          auto got = MulticlassRocAucScore(y_true, proba, k, mc, AverageOf(options));
          ASSERT_EQ(got.has_value(), !want_error) << where << (got ? "" : got.error().message());
          if (got) ExpectAveraged(*got, call, where);
        } else {
          auto got = RocAucScore(y_true, DoublesOf(in["y_score"]));
          ASSERT_EQ(got.has_value(), !want_error) << where << (got ? "" : got.error().message());
          if (got) {
            EXPECT_TRUE(SameDouble(*got, GoldenDouble(call["expected"]))) << where;
          }
        }
      } else if (fn == "average_precision_score") {
        auto got = AveragePrecisionScore(y_true, DoublesOf(in["y_score"]));
        ASSERT_EQ(got.has_value(), !want_error) << where;
        if (got) ExpectAveraged(*got, call, where);
      } else {
        --checked;
        ADD_FAILURE() << "unhandled golden call " << where;
      }
    }
  }
  EXPECT_EQ(checked, 294);  // every call of the file (README: 294 calls)
}

// ---------------------------------------------------------------------------------------------
// Labels

TEST(ClassificationLabels, OrderLikeNumpyUnique) {
  EXPECT_LT(Label(-3), Label(2));
  EXPECT_LT(Label(2), Label(10));
  EXPECT_LT(Label("B"), Label("a"));
  EXPECT_LT(Label("a"), Label("ab"));
  EXPECT_LT(Label("z"), Label("\xC3\xA9"));  // é after ASCII (code point order)
  // numpy compares unicode strings by code point: U+FFFD before U+20000 (UTF-8 byte order agrees,
  // UTF-16 order would not); np.unique(['猫', '犬', 'a', '']) is ['', 'a', '犬', '猫'].
  EXPECT_LT(Label("\uFFFD"), Label("\U00020000"));
  EXPECT_LT(Label(""), Label("a"));
  EXPECT_LT(Label("\u72AC"), Label("\u732B"));
  EXPECT_EQ(Label(7).ToString(), "7");
  EXPECT_EQ(Label("cat").ToString(), "cat");
}

TEST(ClassificationLabels, ParseTokensIntegersOnlyWhenAllAre) {
  const std::vector<std::string> ints = {"1", "-1", "+2", "007"};
  const auto parsed = ParseLabels(ints);
  ASSERT_EQ(parsed.size(), 4u);
  EXPECT_TRUE(parsed[0].is_integer());
  EXPECT_EQ(parsed[1].integer(), -1);
  EXPECT_EQ(parsed[2].integer(), 2);
  EXPECT_EQ(parsed[3].integer(), 7);

  const std::vector<std::string> mixed = {"1", "cat", "2"};
  const auto strings = ParseLabels(mixed);
  EXPECT_FALSE(strings[0].is_integer());
  EXPECT_EQ(strings[0].text(), "1");

  const std::vector<std::string> weird = {"", "-", "1.0", "99999999999999999999", " 1"};
  for (const auto& token : weird) {
    const std::span<const std::string> one(&token, 1);
    const std::span<const std::string> cols[] = {one};
    EXPECT_EQ(DetectLabelKind(cols), LabelKind::kString) << "'" << token << "'";
  }
  const std::vector<std::string> extremes = {"-9223372036854775808", "9223372036854775807"};
  const auto ext = ParseLabels(extremes);
  EXPECT_EQ(ext[0].integer(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(ext[1].integer(), std::numeric_limits<std::int64_t>::max());

  // Kind decided jointly over both columns.
  const std::vector<std::string> t = {"1", "2"}, p = {"1", "x"};
  const std::span<const std::string> cols[] = {t, p};
  EXPECT_EQ(DetectLabelKind(cols), LabelKind::kString);
}

// ---------------------------------------------------------------------------------------------
// Options the golden file does not cover; expected values from scikit-learn 1.2.1.

const std::vector<Label> kTrue = {0, 1, 2, 2, 1, 0, 3, 3};
const std::vector<Label> kPred = {0, 2, 2, 2, 1, 1, 3, 0};

TEST(ClassificationOptions, LabelsSelectAndOrder) {
  PrfOptions o;
  o.labels = std::vector<Label>{3, 1, 5};
  o.average = Average::kMacro;
  auto p = PrecisionScore(kTrue, kPred, o);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value, 0.5);
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_EQ(p->warnings[0].message,
            "Precision is ill-defined and being set to 0.0 in labels with no predicted samples. "
            "Use `zero_division` parameter to control this behavior.");

  o.average = Average::kNone;
  auto all = PrecisionRecallFscoreSupport(kTrue, kPred, o);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->per_class_precision, (std::vector<double>{1.0, 0.5, 0.0}));
  EXPECT_EQ(all->per_class_recall, (std::vector<double>{0.5, 0.5, 0.0}));
  EXPECT_EQ(all->support, (std::vector<std::int64_t>{2, 2, 0}));
  ASSERT_EQ(all->warnings.size(), 2u);
  EXPECT_EQ(all->warnings[0].message.substr(0, 38), "Precision and F-score are ill-defined ");
  EXPECT_EQ(all->warnings[1].message.substr(0, 35), "Recall and F-score are ill-defined ");

  o.average = Average::kMicro;
  auto r = RecallScore(kTrue, kPred, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, 0.5);
  EXPECT_TRUE(r->warnings.empty());

  o.average = Average::kWeighted;
  auto f = F1Score(kTrue, kPred, o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value, 0.5833333333333333);
  ASSERT_EQ(f->warnings.size(), 1u);
  EXPECT_EQ(f->warnings[0].message,
            "F-score is ill-defined and being set to 0.0 in labels with no true nor predicted "
            "samples. Use `zero_division` parameter to control this behavior.");

  o.labels = std::vector<Label>{5};
  auto f5 = F1Score(kTrue, kPred, o);
  ASSERT_TRUE(f5);
  EXPECT_EQ(f5->value, 0.0);
  EXPECT_EQ(f5->warnings.size(), 1u);
  o.average = Average::kMacro;
  o.zero_division = ZeroDivision::kOne;
  auto f5one = F1Score(kTrue, kPred, o);
  ASSERT_TRUE(f5one);
  EXPECT_EQ(f5one->value, 1.0);
  EXPECT_TRUE(f5one->warnings.empty());
}

TEST(ClassificationOptions, FBetaVariants) {
  PrfOptions o;
  o.average = Average::kMacro;
  auto inf = FBetaScore(kTrue, kPred, std::numeric_limits<double>::infinity(), o);
  ASSERT_TRUE(inf);
  EXPECT_EQ(inf->value, 0.625);
  o.average = Average::kWeighted;
  auto two = FBetaScore(kTrue, kPred, 2.0, o);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->value, 0.6161616161616161);
  EXPECT_FALSE(FBetaScore(kTrue, kPred, -1.0, o));
}

TEST(ClassificationOptions, PosLabel) {
  const std::vector<Label> t = {0, 1}, p = {1, 1};
  PrfOptions o;
  o.pos_label = 2;
  auto bad = PrecisionScore(t, p, o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "pos_label=2 is not a valid label. It should be one of [0, 1]");

  o.average = Average::kMacro;
  auto ignored = PrecisionScore(kTrue, kPred, o);
  ASSERT_TRUE(ignored);
  EXPECT_EQ(ignored->value, 0.6666666666666666);
  ASSERT_EQ(ignored->warnings.size(), 1u);
  EXPECT_EQ(ignored->warnings[0].category, "UserWarning");

  auto multiclass = PrecisionScore(kTrue, kPred);  // average=binary on 4 labels
  ASSERT_FALSE(multiclass);
  EXPECT_NE(multiclass.error().message().find("Target is multiclass"), std::string::npos);

  const std::vector<Label> st = {"a", "b"}, sp = {"a", "a"};
  EXPECT_FALSE(PrecisionScore(st, sp));  // pos_label=1 is not a string label
  PrfOptions sa;
  sa.pos_label = "a";
  auto a = PrecisionScore(st, sp, sa);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, 0.5);

  // pos_label absent but only one label present: allowed, ill-defined precision.
  const std::vector<Label> ones = {1, 1};
  PrfOptions zero;
  zero.pos_label = 0;
  auto z = PrecisionScore(ones, ones, zero);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->value, 0.0);
  EXPECT_EQ(z->warnings.size(), 1u);
}

TEST(ClassificationOptions, ConfusionMatrixLabels) {
  auto m = ComputeConfusionMatrix(kTrue, kPred, std::vector<Label>{3, 0, 9});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->counts, (std::vector<std::int64_t>{1, 1, 0, 0, 1, 0, 0, 0, 0}));
  auto none = ComputeConfusionMatrix(kTrue, kPred, std::vector<Label>{9});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "At least one label specified must be in y_true");
  EXPECT_FALSE(ComputeConfusionMatrix(kTrue, kPred, std::vector<Label>{}));
  EXPECT_FALSE(ComputeConfusionMatrix(kTrue, kPred, std::vector<Label>{"x"}));

  auto pred_norm = NormalizeConfusionMatrix(*m, ConfusionNormalize::kPred);
  EXPECT_EQ(pred_norm, (std::vector<double>{1.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0}));
}

TEST(ClassificationOptions, KappaWithLabelsAndDegenerate) {
  auto k = CohenKappaScore(kTrue, kPred, KappaWeights::kQuadratic, std::vector<Label>{3, 0, 1});
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, 0.6875);
  const std::vector<Label> same = {1, 1};
  auto nan = CohenKappaScore(same, same);
  ASSERT_TRUE(nan);
  EXPECT_TRUE(std::isnan(*nan));
  auto mcc = MatthewsCorrcoef(same, same);
  ASSERT_TRUE(mcc);
  EXPECT_EQ(*mcc, 0.0);
}

TEST(ClassificationOptions, BalancedAccuracyAdjusted) {
  auto b = BalancedAccuracyScore(kTrue, kPred, true);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, 0.5);
}

TEST(ClassificationRanking, BinaryErrorsAndWarnings) {
  const std::vector<Label> one_class = {1, 1, 1};
  const std::vector<double> s3 = {0.1, 0.2, 0.3};
  auto auc = RocAucScore(one_class, s3);
  ASSERT_FALSE(auc);
  EXPECT_EQ(auc.error().message(),
            "Only one class present in y_true. ROC AUC score is not defined in that case.");

  const std::vector<Label> negatives = {0, 0, 0};
  auto ap = AveragePrecisionScore(negatives, s3);
  ASSERT_TRUE(ap);
  EXPECT_EQ(ap->value, 0.0);
  ASSERT_EQ(ap->warnings.size(), 1u);
  EXPECT_EQ(ap->warnings[0].category, "UserWarning");

  const std::vector<Label> two_three = {2, 3, 3};
  EXPECT_FALSE(AveragePrecisionScore(two_three, s3));  // pos_label=1 not a label
  const std::vector<Label> three = {0, 1, 2};
  EXPECT_FALSE(AveragePrecisionScore(three, s3));  // multiclass
  EXPECT_FALSE(RocAucScore(three, s3));

  const std::vector<Label> strings = {"a", "b", "a", "b"};
  auto s = RocAucScore(strings, std::vector<double>{0.1, 0.4, 0.35, 0.8});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, 1.0);

  const std::vector<Label> t4 = {0, 0, 1, 1};
  EXPECT_FALSE(RocAucScore(t4, std::vector<double>{0.1, 0.4, std::nan(""), 0.8}));
  EXPECT_FALSE(RocAucScore(t4, s3));  // length mismatch
}

TEST(ClassificationRanking, LargeInputWithTiesMatchesSklearn) {
  // Large enough for the radix-sort path; ties, negative scores and -0.0 == 0.0.
  // Expected values from scikit-learn 1.2.1 on the same generated data.
  std::vector<Label> y;
  std::vector<double> s;
  for (int i = 0; i < 20000; ++i) {
    double v = static_cast<double>((i * 7919) % 10007) / 10007.0 - 0.25;
    if (i % 1000 == 0) v = -0.0;
    if (i % 1000 == 500) v = 0.0;
    s.push_back(v);
    y.emplace_back((i * 31) % 17 < 8 ? 1 : 0);
  }
  auto auc = RocAucScore(y, s);
  ASSERT_TRUE(auc);
  EXPECT_TRUE(SameDouble(*auc, 0.49974683170602285)) << *auc;
  auto ap = AveragePrecisionScore(y, s);
  ASSERT_TRUE(ap);
  EXPECT_TRUE(SameDouble(ap->value, 0.4702069865387366)) << ap->value;
}

TEST(ClassificationRanking, MulticlassOptions) {
  const std::vector<Label> y = {0, 1, 2, 0, 1, 2, 0};
  const std::vector<double> proba = {.6, .3, .1, .2, .5, .3, .1, .2, .7, .3, .4,
                                     .3, .5, .4, .1, .2, .2, .6, .4, .4, .2};
  auto per = MulticlassRocAucScore(y, proba, 3, MultiClass::kOvr, Average::kNone);
  ASSERT_TRUE(per);
  ASSERT_EQ(per->per_class.size(), 3u);
  EXPECT_TRUE(SameDouble(per->per_class[0], 0.8333333333333334));
  EXPECT_EQ(per->per_class[1], 0.9);
  EXPECT_EQ(per->per_class[2], 1.0);
  auto micro = MulticlassRocAucScore(y, proba, 3, MultiClass::kOvr, Average::kMicro);
  ASSERT_TRUE(micro);
  EXPECT_EQ(micro->value, 0.9081632653061225);
  auto ovo = MulticlassRocAucScore(y, proba, 3, MultiClass::kOvo, Average::kWeighted);
  ASSERT_TRUE(ovo);
  EXPECT_EQ(ovo->value, 0.9107142857142857);
  EXPECT_FALSE(MulticlassRocAucScore(y, proba, 3, MultiClass::kOvo, Average::kNone));

  // Labels option: class 2 absent from y_true. ovo skips it, ovr cannot score it.
  const std::vector<Label> y01 = {0, 1, 0, 1, 0, 1, 0};
  const std::vector<Label> labels = {0, 1, 2};
  auto ovo_labels = MulticlassRocAucScore(y01, proba, 3, MultiClass::kOvo, Average::kMacro, labels);
  ASSERT_TRUE(ovo_labels);
  EXPECT_EQ(ovo_labels->value, 0.6875);
  EXPECT_FALSE(MulticlassRocAucScore(y01, proba, 3, MultiClass::kOvr, Average::kMacro, labels));
  EXPECT_FALSE(MulticlassRocAucScore(y01, proba, 3, MultiClass::kOvo, Average::kMacro,
                                     std::vector<Label>{1, 0, 2}));  // not ordered

  std::vector<double> scaled = proba;
  for (double& v : scaled) v *= 1.1;
  EXPECT_FALSE(MulticlassRocAucScore(y, scaled, 3, MultiClass::kOvr));  // rows do not sum to 1
  EXPECT_FALSE(MulticlassRocAucScore(y, proba, 7, MultiClass::kOvr));   // wrong shape
}

TEST(ClassificationErrors, BadInputsAreErrors) {
  const std::vector<Label> empty;
  EXPECT_FALSE(AccuracyScore(empty, empty));
  const std::vector<Label> a = {1, 2}, b = {1};
  auto mismatch = AccuracyScore(a, b);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message().find("inconsistent numbers of samples: [2, 1]"),
            std::string::npos);
  const std::vector<Label> ints = {1, 2}, strs = {"1", "2"};
  EXPECT_FALSE(AccuracyScore(ints, strs));
  const std::vector<Label> mixed = {1, "2"};
  EXPECT_FALSE(MatthewsCorrcoef(mixed, mixed));
  EXPECT_FALSE(ParseAverage("samples"));
  EXPECT_FALSE(ParseZeroDivision("2"));
}

TEST(ClassificationReportTest, BinaryReport) {
  const std::vector<Label> t = {0, 1, 1, 0, 1, 1};
  const std::vector<Label> p = {1, 1, 1, 1, 1, 1};
  auto r = ComputeClassificationReport(t, p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->num_samples, 6);
  EXPECT_EQ(r->accuracy, 0.6666666666666666);
  ASSERT_EQ(r->per_class.size(), 2u);
  EXPECT_EQ(r->per_class[1].precision, 0.6666666666666666);
  EXPECT_EQ(r->per_class[0].support, 2);
  EXPECT_EQ(r->macro.precision, 0.3333333333333333);
  EXPECT_EQ(r->weighted.precision, 0.4444444444444444);
  EXPECT_EQ(r->micro.f1, 0.6666666666666666);
  ASSERT_TRUE(r->binary.has_value());
  EXPECT_EQ(r->binary->f1, 0.8);
  EXPECT_EQ(r->confusion.counts, (std::vector<std::int64_t>{0, 2, 0, 4}));
  EXPECT_EQ(r->mcc, 0.0);
  EXPECT_EQ(r->kappa, 0.0);
  EXPECT_EQ(r->balanced_accuracy, 0.5);
  EXPECT_FALSE(r->warnings.empty());  // precision of class 0 is undefined
  EXPECT_EQ(r->signature, "nlabels:2|pos:1|zero_div:warn|version:" + SignatureVersion());
}

TEST(ClassificationReportTest, StringMulticlassReport) {
  const std::vector<std::string> tt = {"cat", "dog", "fish", "dog"};
  const std::vector<std::string> pp = {"cat", "fish", "fish", "dog"};
  const std::span<const std::string> cols[] = {tt, pp};
  const LabelKind kind = DetectLabelKind(cols);
  ClassificationReportOptions o;
  o.zero_division = ZeroDivision::kOne;
  o.pos_label = "dog";
  auto r = ComputeClassificationReport(ParseLabels(tt, kind), ParseLabels(pp, kind), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->per_class.size(), 3u);
  EXPECT_EQ(r->per_class[2].label, Label("fish"));
  EXPECT_FALSE(r->binary.has_value());
  EXPECT_EQ(r->accuracy, 0.75);
  EXPECT_EQ(r->signature, "nlabels:3|pos:dog|zero_div:1|version:" + SignatureVersion());
}

TEST(ClassificationReportTest, OpaqueByteLabelsNeverCrash) {
  // Labels are compared as bytes; invalid UTF-8 and empty strings are ordinary labels.
  const std::vector<Label> t = {"\xff", "", "\xe7\x8a\xac", "", "\xff"};
  const std::vector<Label> p = {"\xff", "\xe7\x8a\xac", "\xe7\x8a\xac", "", ""};
  ClassificationReportOptions o;
  o.pos_label = "";
  auto r = ComputeClassificationReport(t, p, o);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->per_class.size(), 3u);
  EXPECT_EQ(r->per_class[0].label, Label(""));
  EXPECT_EQ(r->per_class[2].label, Label("\xff"));
  EXPECT_EQ(r->accuracy, 0.6);
}

TEST(NumpySumTest, MatchesNumpyBitForBit) {
  // Expected values printed by numpy 1.24.2's np.sum; the order of additions matters here.
  std::vector<double> v;
  for (int i = 0; i < 300; ++i) v.push_back(i % 2 == 0 ? 1e16 : 1.0 + i);
  EXPECT_EQ(NumpySum(v), 1.5000000000000225e+18);  // a left-to-right sum gives ...22e+18
  std::vector<double> w;                           // longer than numpy's 8192-element buffer
  for (int i = 0; i < 20000; ++i) w.push_back(std::fmod(std::pow(i * 0.1, 3), 7.3));
  EXPECT_EQ(NumpySum(w), 72742.10735343758);
  EXPECT_EQ(NumpySum(std::vector<double>{}), 0.0);
  EXPECT_EQ(NumpySum(std::vector<double>{1.5, 2.5}), 4.0);
}

}  // namespace
}  // namespace yardstick::metrics

// `yardstick score` for metrics over labels, scores and log-probabilities (classification,
// calibration, perplexity): inputs are columns of labels or numbers rather than text segments.

#include <cmath>
#include <iostream>

#include "cli/inputs.h"
#include "cli/output.h"
#include "cli/resampling.h"
#include "cli/score_command.h"
#include "metrics/calibration.h"
#include "metrics/classification.h"
#include "metrics/perplexity.h"

namespace yardstick::cli {
namespace {

using metrics::Label;

void PrintError(const Error& error) {
  std::cerr << "yardstick score: error: " << error.message() << "\n";
}

std::string Display(const std::string& path) { return path == "-" ? "<stdin>" : path; }

// Reads one column of tokens: a text file (one token per line, surrounding spaces trimmed) or a
// JSONL field.
Result<std::vector<std::string>> ReadColumn(const std::string& path, const std::string& field) {
  if (LooksLikeJsonl(path)) {
    auto column = ReadJsonlStrings(path, field);
    if (!column) return std::unexpected(column.error());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < column->values.size(); ++i) {
      if (column->values[i].size() != 1) {
        return MakeError(ErrorCode::kParse, Display(path) + ":" + std::to_string(i + 1) +
                                                ": field '" + field +
                                                "': expected one label, got a list");
      }
      out.push_back(column->values[i][0]);
    }
    return out;
  }
  auto text = ReadTextLines(path);
  if (!text) return std::unexpected(text.error());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text->lines.size(); ++i) {
    const std::string& line = text->lines[i];
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) {
      return MakeError(ErrorCode::kParse, Display(path) + ":" + std::to_string(i + 1) +
                                              ": empty line: expected a label");
    }
    const auto last = line.find_last_not_of(" \t");
    out.push_back(line.substr(first, last - first + 1));
  }
  return out;
}

// Reads number rows: text (whitespace-separated per line) or a JSONL field holding a number or
// an array of numbers.
Result<std::vector<std::vector<double>>> ReadNumbers(const std::string& path,
                                                     const std::string& field) {
  if (!LooksLikeJsonl(path)) return ReadNumberLines(path);
  auto column = ReadJsonlStrings(path, field);  // numbers come back as their JSON text
  if (column) {
    std::vector<std::vector<double>> out;
    for (std::size_t i = 0; i < column->values.size(); ++i) {
      std::vector<double> row;
      for (const auto& token : column->values[i]) {
        char* end = nullptr;
        const double v = std::strtod(token.c_str(), &end);
        if (end == token.c_str() || *end != '\0') {
          return MakeError(ErrorCode::kParse, Display(path) + ":" + std::to_string(i + 1) +
                                                  ": field '" + field + "': expected a number");
        }
        row.push_back(v);
      }
      out.push_back(std::move(row));
    }
    return out;
  }
  return ReadJsonlNumbers(path, field);
}

struct LabelInputs {
  std::vector<std::string> truth;           // from -r
  std::vector<std::string> predicted;       // from -i, when labels
  std::vector<std::vector<double>> scores;  // from -i, when numbers
};

Result<std::string> SingleFile(const std::vector<std::string>& files, const char* what) {
  if (files.size() != 1) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("expected exactly one ") + what +
                                                      " file, got " + std::to_string(files.size()));
  }
  return files.front();
}

Error LengthMismatch(const std::string& a, std::size_t na, const std::string& b, std::size_t nb) {
  return Error(ErrorCode::kParse, Display(a) + " has " + std::to_string(na) + " rows but " +
                                      Display(b) + " has " + std::to_string(nb) +
                                      ": expected the same number of lines");
}

metrics::Signature ClassificationSignature(std::size_t num_labels, const ScoreArgs& args,
                                           bool averaged) {
  metrics::Signature sig(1);
  sig.Set("nlabels", std::to_string(num_labels), "k");
  if (averaged) {
    sig.Set("avg", args.average, "a");
    if (args.average == "binary") sig.Set("pos", args.pos_label, "p");
    sig.Set("zero_div", args.zero_division, "z");
  }
  return sig;
}

nlohmann::json LabelsJson(const std::vector<Label>& labels) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& l : labels) {
    if (l.is_integer()) {
      out.push_back(l.integer());
    } else {
      out.push_back(l.text());
    }
  }
  return out;
}

nlohmann::json WarningsJson(const std::vector<metrics::MetricWarning>& warnings) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : warnings) out.push_back({{"category", w.category}, {"message", w.message}});
  return out;
}

int Width(const ScoreArgs& args) { return args.width >= 0 ? args.width : 4; }

// The classification report as a table, like scikit-learn's classification_report.
void PrintReportTable(const nlohmann::json& details) {
  auto cell = [](const nlohmann::json& v) {
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    return text.size() >= 13 ? text + " " : std::string(13 - text.size(), ' ') + text;
  };
  auto number = [&](const nlohmann::json& v) { return cell(FormatFixed(v.get<double>(), 4)); };
  std::cout << cell("") << cell("precision") << cell("recall") << cell("f1") << cell("support")
            << "\n";
  for (const auto& row : details["per_class"]) {
    std::cout << cell(row["label"]) << number(row["precision"]) << number(row["recall"])
              << number(row["f1"]) << cell(row["support"]) << "\n";
  }
  for (const char* avg : {"micro", "macro", "weighted"}) {
    const auto& row = details[avg];
    std::cout << cell(std::string(avg) + " avg") << number(row["precision"])
              << number(row["recall"]) << number(row["f1"]) << cell(row["support"]) << "\n";
  }
  std::cout << cell("accuracy") << number(details["accuracy"]) << "\n"
            << cell("balanced") << number(details["balanced_accuracy"]) << "\n"
            << cell("mcc") << number(details["mcc"]) << "\n"
            << cell("kappa") << number(details["kappa"]) << "\n";
}

void Emit(const ScoreArgs& args, const nlohmann::json& json) {
  if (args.format == "json") {
    std::cout << json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  const std::string name = json["name"];
  std::string line = name + "|" + json["signature"].get<std::string>() + " = ";
  if (json["score"].is_number()) {
    line += FormatFixed(json["score"].get<double>(), Width(args));
  } else {
    line += json["score"].dump();
  }
  if (json.contains("ci")) {
    line += " (95% CI " + FormatFixed(json["ci"]["low"].get<double>(), Width(args)) + " .. " +
            FormatFixed(json["ci"]["high"].get<double>(), Width(args)) + ")";
  }
  if (args.score_only)
    line = json["score"].is_number() ? FormatFixed(json["score"].get<double>(), Width(args))
                                     : json["score"].dump();
  std::cout << line << "\n";
  if (!args.score_only && name == "classification") {
    PrintReportTable(json["details"]);
  } else if (!args.score_only && json.contains("details")) {
    for (const auto& [key, value] : json["details"].items()) {
      std::cout << "  " << key << ": " << value.dump() << "\n";
    }
  }
  if (json.contains("warnings")) {
    for (const auto& w : json["warnings"]) {
      std::cerr << "warning: " << w["category"].get<std::string>() << ": "
                << w["message"].get<std::string>() << "\n";
    }
  }
}

// A statistic of resampled rows (indices into the inputs); used for bootstrap intervals.
using IndexStatistic = std::function<Result<double>(std::span<const std::size_t>)>;

Result<std::optional<metrics::ConfidenceInterval>> MaybeInterval(const ScoreArgs& args,
                                                                 std::size_t n,
                                                                 const IndexStatistic& statistic) {
  if (!args.confidence) return std::optional<metrics::ConfidenceInterval>();
  ResamplingOptions options{args.confidence_n, args.paired_bs_n, args.paired_ar_n, args.seed,
                            args.ci_method};
  auto ci = ConfidenceForIndices(n, statistic, options);
  if (!ci) return std::unexpected(ci.error());
  return std::optional<metrics::ConfidenceInterval>(*ci);
}

void AddCi(nlohmann::json& json, const std::optional<metrics::ConfidenceInterval>& ci) {
  if (!ci) return;
  json["ci"] = {{"estimate", ci->estimate}, {"low", ci->low},       {"high", ci->high},
                {"level", ci->level},       {"method", ci->method}, {"resamples", ci->resamples}};
}

template <typename T>
std::vector<T> Pick(const std::vector<T>& values, std::span<const std::size_t> indices) {
  std::vector<T> out;
  out.reserve(indices.size());
  for (std::size_t i : indices) out.push_back(values[i]);
  return out;
}

int RunPerplexity(const ScoreArgs& args) {
  auto path = SingleFile(args.inputs, "-i log-probability");
  if (!path) {
    PrintError(path.error());
    return 2;
  }
  auto fields = ParseFieldMap(args.fields);
  if (!fields) {
    PrintError(fields.error());
    return 2;
  }
  const std::string field = fields->Get("logprobs").value_or("logprobs");
  auto rows = LooksLikeJsonl(*path) ? ReadJsonlNumbers(*path, field) : ReadNumberLines(*path);
  if (!rows) {
    PrintError(rows.error());
    return 2;
  }
  metrics::Perplexity metric;
  auto seg = metric.ComputeSegmentStats(*rows);
  if (!seg) {
    PrintError(seg.error().WithContext(Display(*path)));
    return 2;
  }
  metrics::Signature sig = metric.signature();
  ResamplingOptions options{args.confidence_n, args.paired_bs_n, args.paired_ar_n, args.seed,
                            args.ci_method};
  if (args.sentence_level) {
    for (std::size_t i = 0; i < seg->rows(); ++i) {
      metrics::Score score = metric.ScoreFromStats(seg->row(i));
      nlohmann::json json = ScoreToJson(score, sig.Format(args.short_signature));
      json["segment"] = i + 1;
      Emit(args, json);
    }
    return 0;
  }
  metrics::Score score = metric.ScoreFromStats(seg->Sum());
  if (args.confidence) {
    AddResamplingSignature(sig, "bs", options);
    auto ci = ConfidenceFor([&](std::span<const double> s) { return metric.ValueFromStats(s); },
                            *seg, options);
    if (!ci) {
      PrintError(ci.error());
      return 2;
    }
    score.ci = *ci;
  }
  nlohmann::json json = ScoreToJson(score, sig.Format(args.short_signature));
  if (args.format == "json") {
    Emit(args, json);
  } else {
    std::cout << ScoreToText(score, sig.Format(args.short_signature), Width(args)) << "\n";
  }
  return 0;
}

}  // namespace

int RunNonTextMetrics(const ScoreArgs& args, const std::vector<std::string>& names) {
  static const std::vector<std::string> kLabelMetrics = {"accuracy",
                                                         "precision",
                                                         "recall",
                                                         "f1",
                                                         "classification",
                                                         "confusion_matrix",
                                                         "mcc",
                                                         "kappa",
                                                         "balanced_accuracy",
                                                         "roc_auc",
                                                         "average_precision",
                                                         "ece"};
  for (const auto& name : names) {
    if (name == "perplexity") continue;
    if (std::find(kLabelMetrics.begin(), kLabelMetrics.end(), name) == kLabelMetrics.end()) {
      PrintError(Error(
          ErrorCode::kNotFound,
          "unknown metric '" + name + "': run 'yardstick score --help' for the list of metrics"));
      return 2;
    }
  }
  bool has_perplexity = false;
  std::vector<std::string> label_names;
  for (const auto& name : names) {
    if (name == "perplexity") {
      has_perplexity = true;
    } else {
      label_names.push_back(name);
    }
  }
  if (has_perplexity) {
    if (!label_names.empty()) {
      PrintError(Error(ErrorCode::kInvalidArgument,
                       "perplexity takes log-probabilities, not labels: score it in its own run"));
      return 2;
    }
    return RunPerplexity(args);
  }

  // Validate options before reading input.
  auto average = metrics::ParseAverage(args.average);
  if (!average) {
    PrintError(average.error());
    return 2;
  }
  auto zero_division = metrics::ParseZeroDivision(args.zero_division);
  if (!zero_division) {
    PrintError(zero_division.error());
    return 2;
  }
  metrics::KappaWeights weights;
  if (args.kappa_weights == "none") {
    weights = metrics::KappaWeights::kNone;
  } else if (args.kappa_weights == "linear") {
    weights = metrics::KappaWeights::kLinear;
  } else if (args.kappa_weights == "quadratic") {
    weights = metrics::KappaWeights::kQuadratic;
  } else {
    PrintError(Error(ErrorCode::kInvalidArgument, "--kappa-weights '" + args.kappa_weights +
                                                      "': expected none, linear or quadratic"));
    return 2;
  }
  auto strategy = metrics::ParseBinStrategy(args.ece_strategy);
  if (!strategy) {
    PrintError(strategy.error());
    return 2;
  }
  if (args.ece_bins < 1) {
    PrintError(Error(ErrorCode::kInvalidArgument, "--ece-bins must be at least 1"));
    return 2;
  }

  auto fields = ParseFieldMap(args.fields);
  if (!fields) {
    PrintError(fields.error());
    return 2;
  }
  auto ref_path = SingleFile(args.references, "-r (true labels)");
  auto hyp_path = SingleFile(args.inputs, "-i (predictions or scores)");
  if (!ref_path || !hyp_path) {
    PrintError(!ref_path ? ref_path.error() : hyp_path.error());
    return 2;
  }
  auto truth_tokens = ReadColumn(*ref_path, fields->Get("ref").value_or("ref"));
  if (!truth_tokens) {
    PrintError(truth_tokens.error());
    return 2;
  }
  const std::string hyp_field = fields->Get("hyp").value_or("hyp");
  // The -i file is read once, as numbers or as labels, whichever the metrics need first.
  std::optional<Result<std::vector<std::vector<double>>>> numbers_read;
  std::optional<Result<std::vector<std::string>>> labels_read;

  for (const auto& name : label_names) {
    const bool takes_scores = name == "roc_auc" || name == "average_precision" || name == "ece";
    nlohmann::json json = {{"name", name}};
    if (takes_scores) {
      if (!numbers_read) numbers_read = ReadNumbers(*hyp_path, hyp_field);
      const auto& scores = *numbers_read;
      if (!scores) {
        PrintError(scores.error());
        return 2;
      }
      if (scores->size() != truth_tokens->size()) {
        PrintError(LengthMismatch(*hyp_path, scores->size(), *ref_path, truth_tokens->size()));
        return 2;
      }
      for (std::size_t i = 0; i < scores->size(); ++i) {
        if ((*scores)[i].size() != 1 && name != "ece") {
          PrintError(Error(ErrorCode::kParse, Display(*hyp_path) + ":" + std::to_string(i + 1) +
                                                  ": expected one score per line"));
          return 2;
        }
      }
      const std::vector<Label> y_true = metrics::ParseLabels(*truth_tokens);
      std::vector<double> flat;
      for (const auto& row : *scores) flat.insert(flat.end(), row.begin(), row.end());
      metrics::Signature sig(1);
      if (name == "roc_auc") {
        auto value = metrics::RocAucScore(y_true, flat);
        if (!value) {
          PrintError(value.error());
          return 2;
        }
        json["score"] = *value;
        auto ci = MaybeInterval(args, y_true.size(), [&](std::span<const std::size_t> idx) {
          return metrics::RocAucScore(Pick(y_true, idx), Pick(flat, idx));
        });
        if (!ci) {
          PrintError(ci.error());
          return 2;
        }
        AddCi(json, *ci);
      } else if (name == "average_precision") {
        const Label pos = metrics::ParseLabels(std::vector<std::string>{args.pos_label},
                                               y_true.empty() || y_true[0].is_integer()
                                                   ? metrics::LabelKind::kInteger
                                                   : metrics::LabelKind::kString)[0];
        sig.Set("pos", args.pos_label, "p");
        auto value = metrics::AveragePrecisionScore(y_true, flat, pos);
        if (!value) {
          PrintError(value.error());
          return 2;
        }
        json["score"] = value->value;
        if (!value->warnings.empty()) json["warnings"] = WarningsJson(value->warnings);
        auto ci = MaybeInterval(
            args, y_true.size(), [&](std::span<const std::size_t> idx) -> Result<double> {
              auto r = metrics::AveragePrecisionScore(Pick(y_true, idx), Pick(flat, idx), pos);
              if (!r) return std::unexpected(r.error());
              return r->value;
            });
        if (!ci) {
          PrintError(ci.error());
          return 2;
        }
        AddCi(json, *ci);
      } else {  // ece
        metrics::CalibrationOptions options;
        options.num_bins = static_cast<std::size_t>(args.ece_bins);
        options.strategy = *strategy;
        sig.Set("bins", std::to_string(args.ece_bins), "b");
        sig.Set("strategy", std::string(metrics::BinStrategyName(*strategy)), "s");
        sig.Set("edges", std::string(metrics::BinEdgesName(options.edges)), "e");
        Result<metrics::CalibrationResult> result = MakeError(ErrorCode::kInternal, "unset");
        std::function<Result<double>(std::span<const std::size_t>)> statistic;
        const bool binary = (*scores)[0].size() == 1;
        if (binary) {
          std::vector<int> y;
          for (std::size_t i = 0; i < y_true.size(); ++i) {
            const Label& l = y_true[i];
            if (!l.is_integer() || (l.integer() != 0 && l.integer() != 1 && l.integer() != -1)) {
              PrintError(Error(ErrorCode::kParse, Display(*ref_path) + ":" + std::to_string(i + 1) +
                                                      ": expected a binary label 0/1 for ece"));
              return 2;
            }
            y.push_back(static_cast<int>(l.integer()));
          }
          sig.Set("mode", std::string("binary"), "m");
          result = metrics::BinaryCalibration(y, flat, options);
          statistic = [&, y](std::span<const std::size_t> idx) -> Result<double> {
            auto r = metrics::BinaryCalibration(Pick(y, idx), Pick(flat, idx), options);
            if (!r) return std::unexpected(r.error());
            return r->ece;
          };
        } else {
          const std::size_t k = (*scores)[0].size();
          std::vector<std::size_t> y;
          for (std::size_t i = 0; i < y_true.size(); ++i) {
            const Label& l = y_true[i];
            if (!l.is_integer() || l.integer() < 0 || static_cast<std::size_t>(l.integer()) >= k ||
                (*scores)[i].size() != k) {
              PrintError(Error(ErrorCode::kParse,
                               Display(*ref_path) + ":" + std::to_string(i + 1) +
                                   ": expected a class index below " + std::to_string(k) + " and " +
                                   std::to_string(k) + " probabilities per row"));
              return 2;
            }
            y.push_back(static_cast<std::size_t>(l.integer()));
          }
          sig.Set("mode", std::string("top-label"), "m");
          result = metrics::TopLabelCalibration(y, flat, k, options);
          statistic = [&, y, k](std::span<const std::size_t> idx) -> Result<double> {
            std::vector<double> rows;
            for (std::size_t i : idx) {
              rows.insert(rows.end(), flat.begin() + static_cast<std::ptrdiff_t>(i * k),
                          flat.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
            }
            auto r = metrics::TopLabelCalibration(Pick(y, idx), rows, k, options);
            if (!r) return std::unexpected(r.error());
            return r->ece;
          };
        }
        if (!result) {
          PrintError(result.error());
          return 2;
        }
        json["score"] = result->ece;
        nlohmann::json bins = nlohmann::json::array();
        for (const auto& b : result->bins) {
          bins.push_back({{"lower", b.lower},
                          {"upper", b.upper},
                          {"count", b.count},
                          {"mean_confidence", b.mean_confidence},
                          {"accuracy", b.accuracy}});
        }
        json["details"] = {{"mce", result->mce}, {"samples", result->num_samples}, {"bins", bins}};
        auto ci = MaybeInterval(args, y_true.size(), statistic);
        if (!ci) {
          PrintError(ci.error());
          return 2;
        }
        AddCi(json, *ci);
      }
      if (args.confidence)
        AddResamplingSignature(
            sig, "bs", ResamplingOptions{args.confidence_n, 0, 0, args.seed, args.ci_method});
      json["signature"] = sig.Format(args.short_signature);
      Emit(args, json);
      continue;
    }

    if (!labels_read) labels_read = ReadColumn(*hyp_path, hyp_field);
    const auto& pred_tokens = *labels_read;
    if (!pred_tokens) {
      PrintError(pred_tokens.error());
      return 2;
    }
    if (pred_tokens->size() != truth_tokens->size()) {
      PrintError(LengthMismatch(*hyp_path, pred_tokens->size(), *ref_path, truth_tokens->size()));
      return 2;
    }
    const std::vector<std::span<const std::string>> columns = {*truth_tokens, *pred_tokens};
    const metrics::LabelKind kind = metrics::DetectLabelKind(columns);
    const std::vector<Label> y_true = metrics::ParseLabels(*truth_tokens, kind);
    const std::vector<Label> y_pred = metrics::ParseLabels(*pred_tokens, kind);
    const Label pos_label = metrics::ParseLabel(args.pos_label, kind);
    metrics::PrfOptions prf;
    prf.average = *average;
    prf.pos_label = pos_label;
    prf.zero_division = *zero_division;

    auto confusion = metrics::ComputeConfusionMatrix(y_true, y_pred);
    if (!confusion) {
      PrintError(confusion.error());
      return 2;
    }
    const std::size_t num_labels = confusion->size();
    std::function<Result<double>(std::span<const std::size_t>)> statistic;
    bool averaged = false;
    if (name == "accuracy") {
      statistic = [&](std::span<const std::size_t> idx) {
        return metrics::AccuracyScore(Pick(y_true, idx), Pick(y_pred, idx));
      };
    } else if (name == "precision" || name == "recall" || name == "f1") {
      averaged = true;
      auto compute = [&, name](std::span<const Label> t,
                               std::span<const Label> p) -> Result<metrics::AveragedScore> {
        if (name == "precision") return metrics::PrecisionScore(t, p, prf);
        if (name == "recall") return metrics::RecallScore(t, p, prf);
        return metrics::F1Score(t, p, prf);
      };
      auto full = compute(y_true, y_pred);
      if (!full) {
        PrintError(full.error());
        return 2;
      }
      if (*average == metrics::Average::kNone) {
        json["score"] = full->per_class;
      } else {
        json["score"] = full->value;
      }
      json["details"] = {{"labels", LabelsJson(full->labels)}, {"per_class", full->per_class}};
      if (!full->warnings.empty()) json["warnings"] = WarningsJson(full->warnings);
      if (*average != metrics::Average::kNone) {
        statistic = [&, compute](std::span<const std::size_t> idx) -> Result<double> {
          auto r = compute(Pick(y_true, idx), Pick(y_pred, idx));
          if (!r) return std::unexpected(r.error());
          return r->value;
        };
      }
    } else if (name == "mcc") {
      statistic = [&](std::span<const std::size_t> idx) {
        return metrics::MatthewsCorrcoef(Pick(y_true, idx), Pick(y_pred, idx));
      };
    } else if (name == "kappa") {
      statistic = [&](std::span<const std::size_t> idx) {
        return metrics::CohenKappaScore(Pick(y_true, idx), Pick(y_pred, idx), weights);
      };
    } else if (name == "balanced_accuracy") {
      statistic = [&](std::span<const std::size_t> idx) -> Result<double> {
        auto r = metrics::BalancedAccuracyScore(Pick(y_true, idx), Pick(y_pred, idx));
        if (!r) return std::unexpected(r.error());
        return r->value;
      };
    } else if (name == "confusion_matrix") {
      nlohmann::json matrix = nlohmann::json::array();
      for (std::size_t i = 0; i < num_labels; ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (std::size_t j = 0; j < num_labels; ++j) row.push_back(confusion->at(i, j));
        matrix.push_back(std::move(row));
      }
      json["score"] = matrix;
      json["details"] = {{"labels", LabelsJson(confusion->labels)}};
    } else if (name == "classification") {
      metrics::ClassificationReportOptions options;
      options.pos_label = pos_label;
      options.zero_division = *zero_division;
      auto report = metrics::ComputeClassificationReport(y_true, y_pred, options);
      if (!report) {
        PrintError(report.error());
        return 2;
      }
      json["score"] = report->accuracy;
      nlohmann::json per_class = nlohmann::json::array();
      for (const auto& row : report->per_class) {
        per_class.push_back({{"label", LabelsJson({row.label})[0]},
                             {"precision", row.precision},
                             {"recall", row.recall},
                             {"f1", row.f1},
                             {"support", row.support}});
      }
      auto avg = [](const metrics::AverageReportRow& r) {
        return nlohmann::json{
            {"precision", r.precision}, {"recall", r.recall}, {"f1", r.f1}, {"support", r.support}};
      };
      json["details"] = {{"accuracy", report->accuracy},
                         {"samples", report->num_samples},
                         {"per_class", per_class},
                         {"micro", avg(report->micro)},
                         {"macro", avg(report->macro)},
                         {"weighted", avg(report->weighted)},
                         {"balanced_accuracy", report->balanced_accuracy},
                         {"mcc", report->mcc},
                         {"kappa", report->kappa}};
      if (report->binary) {
        json["details"]["binary"] = {{"label", LabelsJson({report->binary->label})[0]},
                                     {"precision", report->binary->precision},
                                     {"recall", report->binary->recall},
                                     {"f1", report->binary->f1}};
      }
      if (!report->warnings.empty()) json["warnings"] = WarningsJson(report->warnings);
      statistic = [&](std::span<const std::size_t> idx) {
        return metrics::AccuracyScore(Pick(y_true, idx), Pick(y_pred, idx));
      };
    }
    if (!json.contains("score") && statistic) {
      std::vector<std::size_t> all(y_true.size());
      for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
      auto value = statistic(all);
      if (!value) {
        PrintError(value.error());
        return 2;
      }
      json["score"] = *value;
    }
    if (statistic) {
      auto ci = MaybeInterval(args, y_true.size(), statistic);
      if (!ci) {
        PrintError(ci.error());
        return 2;
      }
      AddCi(json, *ci);
    }
    if (!json.contains("signature")) {
      metrics::Signature sig = ClassificationSignature(num_labels, args, averaged);
      if (name == "kappa") sig.Set("weights", args.kappa_weights, "w");
      if (name == "classification") {
        sig.Set("pos", args.pos_label, "p");
        sig.Set("zero_div", args.zero_division, "z");
      }
      if (args.confidence && statistic) {
        AddResamplingSignature(
            sig, "bs", ResamplingOptions{args.confidence_n, 0, 0, args.seed, args.ci_method});
      }
      json["signature"] = sig.Format(args.short_signature);
    }
    Emit(args, json);
  }
  return 0;
}

}  // namespace yardstick::cli

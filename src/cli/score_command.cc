#include "cli/score_command.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iostream>
#include <optional>

#include "cli/inputs.h"
#include "cli/output.h"
#include "cli/resampling.h"
#include "metrics/registry.h"

namespace yardstick::cli {
namespace {

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Canonical metric names: lower-case, except ROUGE's "rougeL"/"rougeLsum" spelling.
std::string CanonicalMetricName(std::string name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "rougel") return "rougeL";
  if (lower == "rougelsum") return "rougeLsum";
  if (lower == "chrf++") return "chrf++";
  return lower;
}

Result<std::vector<std::string>> ExpandMetricNames(const ScoreArgs& args) {
  std::vector<std::string> names;
  for (const auto& arg : args.metrics) {
    for (const auto& piece : SplitComma(arg)) {
      const std::string name = CanonicalMetricName(piece);
      if (name == "rouge") {
        for (const auto& type : SplitComma(args.rouge_types)) {
          names.push_back(CanonicalMetricName(type));
        }
      } else {
        names.push_back(name);
      }
    }
  }
  if (names.empty()) return MakeError(ErrorCode::kInvalidArgument, "no metric given");
  return names;
}

// The hypotheses of each system and the reference streams they share.
struct Corpus {
  std::vector<std::string> system_names;
  std::vector<std::vector<std::string>> systems;
  metrics::ReferenceStreams refs;
};

std::string Display(const std::string& path) { return path == "-" ? "<stdin>" : path; }

// Appends the per-row references of a JSONL column as streams (rows may hold several).
void AppendStreams(const std::vector<std::vector<std::string>>& rows,
                   metrics::ReferenceStreams& streams) {
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.size());
  const std::size_t first = streams.size();
  streams.resize(first + width, std::vector<std::optional<std::string>>(rows.size(), std::nullopt));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t k = 0; k < rows[i].size(); ++k) streams[first + k][i] = rows[i][k];
  }
}

Result<Corpus> LoadTextCorpus(const ScoreArgs& args) {
  auto fields = ParseFieldMap(args.fields);
  if (!fields) return std::unexpected(fields.error());
  const std::string hyp_field = fields->Get("hyp").value_or("hyp");
  const std::string ref_field = fields->Get("ref").value_or("ref");
  if (args.inputs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no hypotheses: give one or more -i FILE (one segment per line, or JSONL)");
  }
  if (std::count(args.inputs.begin(), args.inputs.end(), "-") +
          std::count(args.references.begin(), args.references.end(), "-") >
      1) {
    return MakeError(ErrorCode::kInvalidArgument, "standard input ('-') can be read only once");
  }
  Corpus corpus;
  for (const auto& path : args.inputs) {
    corpus.system_names.push_back(Display(path));
    if (LooksLikeJsonl(path)) {
      auto column = ReadJsonlStrings(path, hyp_field);
      if (!column) return std::unexpected(column.error());
      std::vector<std::string> hyps;
      for (std::size_t i = 0; i < column->values.size(); ++i) {
        if (column->values[i].size() != 1) {
          return MakeError(ErrorCode::kParse, Display(path) + ":" + std::to_string(i + 1) +
                                                  ": field '" + hyp_field +
                                                  "': expected one string, got a list");
        }
        hyps.push_back(std::move(column->values[i][0]));
      }
      corpus.systems.push_back(std::move(hyps));
      // With no -r, references come from the same file.
      if (args.references.empty() && corpus.systems.size() == 1) {
        auto refs = ReadJsonlStrings(path, ref_field);
        if (!refs) return std::unexpected(refs.error());
        AppendStreams(refs->values, corpus.refs);
      }
    } else {
      auto text = ReadTextLines(path);
      if (!text) return std::unexpected(text.error());
      corpus.systems.push_back(std::move(text->lines));
    }
  }
  for (const auto& path : args.references) {
    if (LooksLikeJsonl(path)) {
      auto refs = ReadJsonlStrings(path, ref_field);
      if (!refs) return std::unexpected(refs.error());
      AppendStreams(refs->values, corpus.refs);
    } else {
      auto text = ReadTextLines(path);
      if (!text) return std::unexpected(text.error());
      std::vector<std::optional<std::string>> stream(text->lines.begin(), text->lines.end());
      corpus.refs.push_back(std::move(stream));
    }
  }
  if (corpus.refs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no references: give -r FILE, or JSONL input with a '" + ref_field +
                         "' field (--field ref=PATH)");
  }
  const std::size_t n = corpus.systems[0].size();
  for (std::size_t s = 1; s < corpus.systems.size(); ++s) {
    if (corpus.systems[s].size() != n) {
      return MakeError(ErrorCode::kParse,
                       corpus.system_names[s] + " has " + std::to_string(corpus.systems[s].size()) +
                           " segments but " + corpus.system_names[0] + " has " + std::to_string(n) +
                           ": expected the same number of lines");
    }
  }
  for (std::size_t k = 0; k < corpus.refs.size(); ++k) {
    if (corpus.refs[k].size() != n) {
      const std::string name = k < args.references.size()
                                   ? Display(args.references[k])
                                   : "reference stream " + std::to_string(k + 1);
      return MakeError(ErrorCode::kParse, name + " has " + std::to_string(corpus.refs[k].size()) +
                                              " segments but " + corpus.system_names[0] + " has " +
                                              std::to_string(n) +
                                              ": expected the same number of lines");
    }
  }
  return corpus;
}

Result<metrics::TextMetricOptions> BuildOptions(const ScoreArgs& args) {
  metrics::TextMetricOptions o;
  o.bleu.tokenize = args.tokenize;
  o.bleu.lowercase = args.lowercase;
  o.bleu.smooth_method = args.smooth_method;
  if (!args.smooth_value.empty()) o.bleu.smooth_value = args.smooth_value.front();
  o.bleu.effective_order = args.effective_order;
  o.bleu.max_ngram_order = args.max_ngram_order;
  o.chrf.char_order = args.chrf_char_order;
  o.chrf.word_order = args.chrf_word_order;
  o.chrf.beta = args.chrf_beta;
  o.chrf.whitespace = args.chrf_whitespace;
  o.chrf.lowercase = args.chrf_lowercase;
  o.chrf.eps_smoothing = args.chrf_eps_smoothing;
  o.ter.case_sensitive = args.ter_case_sensitive;
  o.ter.asian_support = args.ter_asian_support;
  o.ter.no_punct = args.ter_no_punct;
  o.ter.normalized = args.ter_normalized;
  o.rouge.use_stemmer = args.use_stemmer;
  o.rouge.split_summaries = args.split_summaries;
  o.string_match.ignore_case = args.ignore_case;
  o.string_match.ignore_punctuation = args.ignore_punctuation;
  o.string_match.ignore_whitespace = args.ignore_whitespace;
  o.string_match.regex_full_match = args.regex_full_match;
  return o;
}

void PrintError(const Error& error) {
  std::cerr << "yardstick score: error: " << error.message() << "\n";
}

void Emit(OutputFormat format, const nlohmann::json& json, const std::string& text) {
  if (format == OutputFormat::kJson) {
    std::cout << json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << text << "\n";
  }
}

// Decimals for text output: the user's --width, else what suits the metric's scale.
int WidthFor(const ScoreArgs& args, const std::string& metric) {
  if (args.width >= 0) return args.width;
  const bool unit_scale = metric.starts_with("rouge") || metric == "exact_match" ||
                          metric == "contains" || metric == "regex_match" ||
                          metric == "edit_similarity" || metric == "levenshtein";
  return unit_scale ? 4 : 1;
}

int RunTextMetrics(const ScoreArgs& args_in, OutputFormat format,
                   const std::vector<std::string>& names) {
  const ScoreArgs& args = args_in;
  auto options = BuildOptions(args);
  if (!options) {
    PrintError(options.error());
    return 2;
  }
  // Build every metric before reading input, so option errors come first.
  std::vector<std::unique_ptr<metrics::CorpusMetric>> built;
  for (const auto& name : names) {
    auto metric = metrics::CreateTextMetric(name, *options);
    if (!metric) {
      PrintError(metric.error());
      return 2;
    }
    built.push_back(std::move(*metric));
  }
  auto corpus = LoadTextCorpus(args);
  if (!corpus) {
    PrintError(corpus.error());
    return 2;
  }
  const std::size_t num_refs = metrics::SignatureNumRefs(corpus->refs);
  // ROUGE types share their tokenization: compute them together (per system).
  std::vector<const metrics::Rouge*> rouges;
  std::vector<std::size_t> rouge_slots(built.size(), SIZE_MAX);
  for (std::size_t m = 0; m < built.size(); ++m) {
    if (const auto* rouge = dynamic_cast<const metrics::Rouge*>(built[m].get())) {
      rouge_slots[m] = rouges.size();
      rouges.push_back(rouge);
    }
  }
  std::vector<std::vector<stats::SegmentStats>> rouge_stats;  // [system][rouge slot]
  if (rouges.size() > 1) {
    for (std::size_t s = 0; s < corpus->systems.size(); ++s) {
      auto many = metrics::Rouge::ComputeSegmentStatsMany(rouges, corpus->systems[s], corpus->refs);
      if (!many) {
        PrintError(many.error().WithContext(corpus->system_names[s]));
        return 2;
      }
      rouge_stats.push_back(std::move(*many));
    }
  }
  for (std::size_t m = 0; m < built.size(); ++m) {
    const auto& metric = built[m];
    const int width = WidthFor(args, names[m]);
    std::vector<stats::SegmentStats> per_system;
    if (!rouge_stats.empty() && rouge_slots[m] != SIZE_MAX) {
      for (std::size_t s = 0; s < corpus->systems.size(); ++s) {
        per_system.push_back(std::move(rouge_stats[s][rouge_slots[m]]));
      }
    } else {
      // All systems at once: metrics that can share the references' work do.
      std::vector<std::span<const std::string>> systems(corpus->systems.begin(),
                                                        corpus->systems.end());
      auto many = metric->ComputeSystemsSegmentStats(systems, corpus->refs, corpus->system_names);
      if (!many) {
        PrintError(many.error());
        return 2;
      }
      per_system = std::move(*many);
    }
    ResamplingOptions resampling{args.confidence_n, args.paired_bs_n, args.paired_ar_n, args.seed,
                                 args.ci_method};
    metrics::Signature signature = metric->signature(num_refs);
    if (args.confidence) AddResamplingSignature(signature, "bs", resampling);
    if (args.sentence_level) {
      for (std::size_t i = 0; i < per_system[0].rows(); ++i) {
        metrics::Score score = metric->ScoreFromStats(per_system[0].row(i));
        nlohmann::json json = ScoreToJson(score, signature.Format(args.short_signature));
        json["segment"] = i + 1;
        Emit(format, json,
             args.score_only ? FormatFixed(score.value, width)
                             : ScoreToText(score, signature.Format(args.short_signature), width));
      }
      continue;
    }
    const bool paired = per_system.size() > 1 && (args.paired_bs || args.paired_ar);
    if (paired) {
      auto results = RunPairedTests(*metric, per_system, args.paired_ar ? "ar" : "bs", resampling);
      if (!results) {
        PrintError(results.error());
        return 2;
      }
      metrics::Signature paired_sig = metric->signature(num_refs);
      AddResamplingSignature(paired_sig, args.paired_ar ? "ar" : "bs", resampling);
      PrintPairedResults(*metric, *results, corpus->system_names,
                         paired_sig.Format(args.short_signature), format == OutputFormat::kJson,
                         width);
      continue;
    }
    for (std::size_t s = 0; s < per_system.size(); ++s) {
      metrics::Score score = metric->ScoreFromStats(per_system[s].Sum());
      if (args.confidence) {
        auto ci = ConfidenceFor(
            [&metric](std::span<const double> x) { return metric->ValueFromStats(x); },
            per_system[s], resampling);
        if (!ci) {
          PrintError(ci.error());
          return 2;
        }
        score.ci = *ci;
      }
      const std::string sig = signature.Format(args.short_signature);
      nlohmann::json json = ScoreToJson(score, sig);
      if (per_system.size() > 1) json["system"] = corpus->system_names[s];
      std::string text =
          args.score_only ? FormatFixed(score.value, width) : ScoreToText(score, sig, width);
      if (per_system.size() > 1 && !args.score_only) text = corpus->system_names[s] + ": " + text;
      Emit(format, json, text);
    }
  }
  return 0;
}

}  // namespace

std::shared_ptr<ScoreArgs> AddScoreCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand(
      "score",
      "Score hypotheses against references (BLEU, chrF, TER, ROUGE, SQuAD, exact match, ...),\n"
      "with confidence intervals and paired significance tests.\n"
      "Several -i files are systems; the first is the baseline of --paired-bs/--paired-ar.");
  cmd->add_option("metric", args->metrics,
                  "Metric name(s), comma separated: bleu chrf chrf++ ter rouge rouge1 rouge2 "
                  "rougeL rougeLsum squad_em squad_f1 exact_match contains regex_match "
                  "levenshtein edit_similarity perplexity accuracy precision recall f1 "
                  "classification confusion_matrix mcc kappa roc_auc average_precision ece")
      ->required();
  cmd->add_option("-r,--reference", args->references,
                  "Reference file (one segment per line, or JSONL); repeat for several references");
  cmd->add_option("-i,--input", args->inputs,
                  "Hypothesis file ('-' for stdin); repeat for several systems");
  cmd->add_option("--field", args->fields,
                  "JSONL field for a role: hyp=PATH, ref=PATH (also labels/scores for "
                  "classification, logprobs for perplexity); PATH may be dotted (a.b.0)");
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("-w,--width", args->width,
                  "Decimals in text output (default: 1 for 0-100 scores, 4 for 0-1 scores)")
      ->check(CLI::Range(0, 17));
  cmd->add_flag("--sentence-level", args->sentence_level, "Print a score for every segment");
  cmd->add_flag("-b,--score-only", args->score_only, "Print only the score (text format)");
  cmd->add_flag("--short", args->short_signature, "Print the short form of the signature");

  auto* ci = "Confidence intervals and significance";
  cmd->add_flag("--confidence", args->confidence, "Add a 95% bootstrap confidence interval")
      ->group(ci);
  cmd->add_option("--confidence-n", args->confidence_n, "Bootstrap resamples for --confidence")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str()
      ->group(ci);
  cmd->add_option("--ci-method", args->ci_method,
                  "Interval: bs (sacrebleu's convention), percentile or bca")
      ->check(CLI::IsMember({"bs", "percentile", "bca"}))
      ->capture_default_str()
      ->group(ci);
  cmd->add_flag("--paired-bs", args->paired_bs, "Paired bootstrap test of each system vs the first")
      ->group(ci);
  cmd->add_option("--paired-bs-n", args->paired_bs_n, "Resamples for --paired-bs")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str()
      ->group(ci);
  cmd->add_flag("--paired-ar", args->paired_ar,
                "Approximate randomization test of each system vs the first")
      ->group(ci);
  cmd->add_option("--paired-ar-n", args->paired_ar_n, "Trials for --paired-ar")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str()
      ->group(ci);
  cmd->add_option("--seed", args->seed,
                  "Random seed for resampling (an integer, or 'none' for a random one)")
      ->capture_default_str()
      ->group(ci);

  auto* bleu = "BLEU (sacrebleu's names and defaults)";
  cmd->add_option("-t,--tokenize", args->tokenize, "Tokenizer: 13a, intl, zh, char, none")
      ->capture_default_str()
      ->group(bleu);
  cmd->add_flag("-l,--lowercase", args->lowercase, "Lowercase before BLEU")->group(bleu);
  cmd->add_option("-s,--smooth-method", args->smooth_method, "Smoothing: exp, floor, add-k, none")
      ->capture_default_str()
      ->group(bleu);
  cmd->add_option("--smooth-value", args->smooth_value,
                  "Smoothing value (floor: 0.1, add-k: 1 by default)")
      ->expected(1)
      ->group(bleu);
  cmd->add_option("--max-ngram-order", args->max_ngram_order, "Largest n-gram order")
      ->capture_default_str()
      ->group(bleu);
  cmd->add_flag("-e,--effective-order", args->effective_order,
                "Use effective order (for sentence-level BLEU)")
      ->group(bleu);
  cmd->add_flag("--force", args->force, "Accepted for sacrebleu compatibility; no effect")
      ->group(bleu);

  auto* chrf = "chrF";
  cmd->add_option("--chrf-char-order", args->chrf_char_order, "Character n-gram order")
      ->capture_default_str()
      ->group(chrf);
  cmd->add_option("--chrf-word-order", args->chrf_word_order, "Word n-gram order (2 = chrF++)")
      ->capture_default_str()
      ->group(chrf);
  cmd->add_option("--chrf-beta", args->chrf_beta, "Recall weight beta")
      ->capture_default_str()
      ->group(chrf);
  cmd->add_flag("--chrf-whitespace", args->chrf_whitespace, "Keep whitespace in character n-grams")
      ->group(chrf);
  cmd->add_flag("--chrf-lowercase", args->chrf_lowercase, "Lowercase before chrF")->group(chrf);
  cmd->add_flag("--chrf-eps-smoothing", args->chrf_eps_smoothing,
                "Smooth with epsilon as the original chrF++.py (not sacrebleu's default)")
      ->group(chrf);

  auto* ter = "TER";
  cmd->add_flag("--ter-case-sensitive", args->ter_case_sensitive, "Case-sensitive TER")->group(ter);
  cmd->add_flag("--ter-asian-support", args->ter_asian_support, "Tokenize Asian scripts")
      ->group(ter);
  cmd->add_flag("--ter-no-punct", args->ter_no_punct, "Remove punctuation")->group(ter);
  cmd->add_flag("--ter-normalized", args->ter_normalized, "Apply tercom's normalization")
      ->group(ter);

  auto* rouge = "ROUGE (rouge-score's names)";
  cmd->add_option("--rouge-types", args->rouge_types, "Types computed by 'rouge'")
      ->capture_default_str()
      ->group(rouge);
  cmd->add_flag("--use-stemmer", args->use_stemmer, "Porter-stem tokens longer than 3 characters")
      ->group(rouge);
  cmd->add_flag("--split-summaries", args->split_summaries,
                "rougeLsum: split sentences with a sentence tokenizer (unsupported: give one "
                "sentence per line)")
      ->group(rouge);

  auto* match = "String matching";
  cmd->add_flag("--ignore-case", args->ignore_case, "exact_match/contains: ignore case")
      ->group(match);
  cmd->add_flag("--ignore-punctuation", args->ignore_punctuation,
                "exact_match/contains: ignore ASCII punctuation")
      ->group(match);
  cmd->add_flag("--ignore-whitespace", args->ignore_whitespace,
                "exact_match/contains: collapse and trim whitespace")
      ->group(match);
  cmd->add_flag("--full-match", args->regex_full_match,
                "regex_match: the pattern must match the whole hypothesis")
      ->group(match);

  auto* cls = "Classification";
  cmd->add_option("--average", args->average, "binary, micro, macro, weighted or none")
      ->capture_default_str()
      ->group(cls);
  cmd->add_option("--pos-label", args->pos_label, "Positive label for binary averaging")
      ->capture_default_str()
      ->group(cls);
  cmd->add_option("--zero-division", args->zero_division, "warn (=0 with a warning), 0 or 1")
      ->capture_default_str()
      ->group(cls);
  cmd->add_option("--kappa-weights", args->kappa_weights, "none, linear or quadratic")
      ->capture_default_str()
      ->group(cls);
  cmd->add_option("--ece-bins", args->ece_bins, "Bins for expected calibration error")
      ->capture_default_str()
      ->group(cls);
  cmd->add_option("--ece-strategy", args->ece_strategy, "uniform or quantile bins")
      ->capture_default_str()
      ->group(cls);

  cmd->callback([args, exit_code]() { *exit_code = RunScore(*args); });
  return args;
}

int RunScore(const ScoreArgs& args) {
  const OutputFormat format = args.format == "json" ? OutputFormat::kJson : OutputFormat::kText;
  auto names = ExpandMetricNames(args);
  if (!names) {
    PrintError(names.error());
    return 2;
  }
  std::vector<std::string> text_metrics;
  std::vector<std::string> other;
  for (const auto& name : *names) {
    (metrics::IsTextMetric(name) ? text_metrics : other).push_back(name);
  }
  if (!other.empty() && !text_metrics.empty()) {
    PrintError(Error(ErrorCode::kInvalidArgument,
                     "'" + other.front() + "' takes different inputs than '" +
                         text_metrics.front() + "': score them in separate runs"));
    return 2;
  }
  if (!text_metrics.empty()) return RunTextMetrics(args, format, text_metrics);
  return RunNonTextMetrics(args, other);
}

}  // namespace yardstick::cli

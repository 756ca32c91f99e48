#pragma once
// `yardstick score <metric>`: corpus and sentence scores, confidence intervals and paired
// significance tests, with sacrebleu's option names where the metric exists there.

#include <CLI/App.hpp>
#include <memory>
#include <string>
#include <vector>

namespace yardstick::cli {

struct ScoreArgs {
  std::vector<std::string> metrics;     // "bleu", "chrf,ter", "rouge", ...
  std::vector<std::string> references;  // -r
  std::vector<std::string> inputs;      // -i (the first is the baseline of paired tests)
  std::vector<std::string> fields;      // --field role=path (JSONL)
  std::string format = "text";
  int width = -1;  // decimals in text output; -1: 1 for 0-100 scales, 4 for 0-1 scales
  bool sentence_level = false;
  bool score_only = false;
  bool short_signature = false;
  // Resampling.
  bool confidence = false;
  int confidence_n = 1000;
  std::string ci_method = "bs";
  bool paired_bs = false;
  int paired_bs_n = 1000;
  bool paired_ar = false;
  int paired_ar_n = 10000;
  std::string seed = "12345";
  // BLEU
  std::string tokenize = "13a";
  bool lowercase = false;
  std::string smooth_method = "exp";
  std::vector<double> smooth_value;
  bool force = false;
  int max_ngram_order = 4;
  bool effective_order = false;
  // chrF
  int chrf_char_order = 6;
  int chrf_word_order = 0;
  double chrf_beta = 2;
  bool chrf_whitespace = false;
  bool chrf_lowercase = false;
  bool chrf_eps_smoothing = false;
  // TER
  bool ter_case_sensitive = false;
  bool ter_asian_support = false;
  bool ter_no_punct = false;
  bool ter_normalized = false;
  // ROUGE
  std::string rouge_types = "rouge1,rouge2,rougeL,rougeLsum";
  bool use_stemmer = false;
  bool split_summaries = false;
  // String matching
  bool ignore_case = false;
  bool ignore_punctuation = false;
  bool ignore_whitespace = false;
  bool regex_full_match = false;
  // Classification
  std::string average = "binary";
  std::string pos_label = "1";
  std::string zero_division = "warn";
  std::string kappa_weights = "none";
  int ece_bins = 15;
  std::string ece_strategy = "uniform";
};

// Registers the `score` subcommand on `app`; the returned args are filled when it is parsed.
// `exit_code` receives the command's exit status (0 ok, 2 bad input) when it runs.
std::shared_ptr<ScoreArgs> AddScoreCommand(CLI::App& app, int* exit_code);

// Runs the command; prints results to stdout and errors to stderr. Returns the exit code.
int RunScore(const ScoreArgs& args);

// The part of RunScore for metrics over labels, scores or log-probabilities (classification,
// calibration, perplexity); `names` are canonical metric names. Returns the exit code.
int RunNonTextMetrics(const ScoreArgs& args, const std::vector<std::string>& names);

}  // namespace yardstick::cli

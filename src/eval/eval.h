#pragma once
// Offline evaluation: run a suite (dataset x target x metrics), analyse the results (aggregates
// with bootstrap intervals, slices, fairness gaps, slice discovery), compare with a baseline
// run, decide the gate, and save the run (JSON, JUnit XML, a self-contained HTML report).
//
//   auto suite = eval::LoadSuite("suite.yaml");         // suite.h
//   auto run = eval::RunSuite(*suite, {});               // calls the target, scores, analyses
//   eval::SaveRun(*run, suite->output_dir);              // results.json, junit.xml, report.html
//   auto base = eval::LoadRun("runs/baseline");
//   auto cmp = eval::CompareRuns(*base, *run, suite->comparison);
//
// Nothing here prints; the CLI (src/cli/eval_command.cc) renders what these return.
// Thread safety: RunSuite uses worker threads internally; the values returned are plain data.

#include <chrono>
#include <cstddef>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "eval/dataset.h"
#include "eval/gate.h"
#include "eval/scoring.h"
#include "eval/suite.h"
#include "eval/validation.h"

namespace yardstick::eval {

// One value of a slice field and each metric over its examples.
struct SliceResult {
  std::string field;
  std::string value;
  std::size_t n = 0;                                       // examples in the slice
  std::vector<std::pair<std::string, Aggregate>> metrics;  // by metric id, in suite order
};

// The largest difference of a metric between the values of a slice field.
struct SliceGap {
  std::string field;
  std::string metric;
  double gap = 0;  // max - min of the slice values
  std::string best;
  std::string worst;
};

struct FairnessGroup {
  std::string value;
  std::size_t n = 0;
  double selection_rate = 0;       // share predicted positive
  double true_positive_rate = 0;   // NaN when the group has no positive label
  double false_positive_rate = 0;  // NaN when the group has no negative label
};

// Fairness gaps of a binary decision (output == positive) against a label, between groups
// (fairlearn's between_groups definitions, STATISTICS.md section 6).
struct FairnessResult {
  std::string group_field;
  std::string positive;
  std::vector<FairnessGroup> groups;
  double demographic_parity_difference = 0;
  double true_positive_rate_difference = 0;
  double false_positive_rate_difference = 0;
  double equalized_odds_difference = 0;  // max of the two rate differences
  std::size_t excluded = 0;              // examples without output, group or label
};

// A slice significantly worse than the rest (STATISTICS.md section 8).
struct DiscoveredSlice {
  std::vector<std::pair<std::string, std::string>> predicates;  // field = value, ANDed
  std::size_t n = 0;
  double mean = 0;       // the per-example metric in the slice
  double rest_mean = 0;  // and in its complement
  double effect = 0;     // phi, signed so that positive means worse
  double p_value = 1;
  double p_adjusted = 1;  // Benjamini-Hochberg
  std::string test;       // "welch_t" or "two_proportion_z"
};

struct DiscoveryResult {
  std::string metric;
  std::size_t candidates = 0;           // slices tested (the family size of the correction)
  std::vector<DiscoveredSlice> slices;  // rejected at the FDR with |effect| >= min_effect
};

struct MetricComparison {
  std::string metric;
  std::string test;  // "paired_bootstrap", "approximate_randomization", "mcnemar", "wilcoxon"
  double baseline = 0;
  double value = 0;
  double delta = 0;  // value - baseline
  // Paired bootstrap interval of delta (percentile; examples resampled in pairs, the
  // comparison's resamples and seed, 95 %); NaN when not compared.
  double delta_ci_low = std::numeric_limits<double>::quiet_NaN();
  double delta_ci_high = std::numeric_limits<double>::quiet_NaN();
  double p_value = 1;
  double p_adjusted = 1;
  bool significant = false;
  bool regression = false;  // significant and worse (by the metric's direction)
  bool improvement = false;
  std::size_t pairs = 0;     // examples scored in both runs
  std::size_t excluded = 0;  // examples in either run not scored in both
  std::string note;          // why a metric could not be compared (then p = 1)
};

struct Comparison {
  std::string baseline;  // the baseline's path or name
  std::string correction;
  double alpha = 0.05;
  std::vector<MetricComparison> metrics;
};

struct GateResult {
  std::string condition;
  bool passed = false;
  std::string detail;  // the value that decided it
};

// A finished run: everything results.json holds.
struct Run {
  std::string suite_name;
  std::string suite_path;
  std::string suite_yaml;
  std::string created;  // RFC 3339 UTC with milliseconds
  // "<suite name>-<created as YYYYMMDDTHHMMSSZ>-<milliseconds>-<6 random hex digits>", set by
  // RunSuite and kept in results.json; empty for runs saved by older versions without an id
  // (RunId derives theirs).
  std::string id;
  std::string dataset_path;
  std::string target;  // "precomputed:<path>" or "<type>:<model>@<base_url>"
  std::vector<ExampleResult> examples;
  std::vector<MetricColumn> metrics;
  std::size_t failed = 0;  // examples the target could not answer
  long requests_sent = 0;
  long cache_hits = 0;
  BootstrapSpec bootstrap;
  std::vector<SliceResult> slices;
  std::vector<SliceGap> gaps;
  std::optional<FairnessResult> fairness;
  std::optional<DiscoveryResult> discovery;
  std::optional<Comparison> comparison;
  std::vector<GateResult> gate;
  bool gate_passed = true;
};

struct RunOptions {
  // Called from worker threads (serialized) as examples finish: (done, total, cache hits).
  std::function<void(std::size_t, std::size_t, std::size_t)> progress;
  std::optional<int> concurrency;  // overrides the suite's
  bool use_cache = true;
  // Replaces sleeping between retries and for rate limits (tests).
  std::function<void(std::chrono::duration<double>)> sleep;
};

// Validation errors found before any call: the report (for printing) in the error message.
// Returns the run with examples, metrics, aggregates, slices, fairness and discovery; the
// comparison and gate are filled by Compare/EvaluateGate (RunSuite does both when the suite has
// a baseline or a gate). Errors: unreadable dataset, validation errors, target setup errors
// (missing API key variable, bad URL), metric errors.
Result<Run> RunSuite(const Suite& suite, const RunOptions& options);

// Dataset validation with the suite's schema (what RunSuite checks first).
Result<ValidationReport> ValidateSuiteDataset(const Suite& suite);

// Aggregates, slices, gaps, fairness and discovery of a run whose metric columns are filled.
std::optional<Error> Analyse(const Suite& suite, Run& run);

// Compares `run` with `baseline` metric by metric (examples paired by id).
Result<Comparison> CompareRuns(const Run& baseline, const Run& run, const ComparisonSpec& spec,
                               const std::string& baseline_name);

// Decides each gate condition; sets run.gate and run.gate_passed. A condition that names an
// unknown metric or field, or needs a comparison or fairness result the run lacks, fails with a
// detail saying why.
void EvaluateGate(const std::vector<GateCondition>& conditions, Run& run);

// The saved form: <dir>/results.json, <dir>/junit.xml, <dir>/report.html.
std::optional<Error> SaveRun(const Run& run, const std::string& dir);
Result<Run> LoadRun(const std::string& dir_or_file);

// results.json as a JSON document, and back (`where` names the source in errors). The server
// stores and compares runs posted in this form.
nlohmann::json RunToJson(const Run& run);
Result<Run> RunFromJson(const nlohmann::json& doc, const std::string& where);
// A comparison as results.json and GET /v1/eval-runs/compare write it.
nlohmann::json ComparisonToJson(const Comparison& comparison);

// The run's id: run.id when set, else (runs saved by older versions) "<suite name>-<created,
// without - and :>". Ids of one suite sort by creation time.
std::string RunId(const Run& run);
// A new run id for a run of `suite_name` created at `created` (RFC 3339 UTC, as RunSuite sets
// it): the compact time to the second, the milliseconds and 6 random hex digits, so two runs
// started in the same millisecond still differ. No '.', so it is one plain URL path segment.
std::string NewRunId(const std::string& suite_name, const std::string& created);

struct PushResult {
  std::string run_id;
  std::size_t sent = 0;  // scores sent
  std::size_t stored = 0;
  std::size_t duplicates = 0;  // already stored (a run pushed twice)
  std::size_t rejected = 0;
  std::string first_rejection;  // the server's first error entry, as JSON
};

// Pushes every scored per-example metric value to `yardstick serve` at `url` (POST /v1/scores,
// NDJSON batches of 5,000, retried on 429/503 after Retry-After) as scores named
// "eval.<metric id>", with id "<run id>:<example id>:<metric id>" (so a repeated push stores
// nothing twice), conversation_id "eval-run:<run id>", source "metric" ("judge" for the judge),
// the example id in the comment and the run's creation time. Errors: the server cannot be
// reached or refuses the request (an HTTP status other than 200 after the retries).
Result<PushResult> PushRun(const Run& run, const std::string& url, const std::string& api_key);

// Posts the run document (RunToJson) to `yardstick serve` at `url` (POST /v1/eval-runs).
// Returns true when the server stored it, false when it already had this run. Errors: the
// server cannot be reached or answers other than 200/201.
Result<bool> PushRunDocument(const Run& run, const std::string& url, const std::string& api_key);

// Renderings (report.cc).
std::string RenderJunit(const Run& run);
std::string RenderHtml(const Run& run);
std::string RenderText(const Run& run);

}  // namespace yardstick::eval

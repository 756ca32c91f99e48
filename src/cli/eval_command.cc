#include "cli/eval_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "eval/eval.h"

namespace yardstick::cli {
namespace {

struct EvalArgs {
  std::string suite;
  std::string output;
  std::string baseline;
  std::string format = "text";
  std::vector<std::string> gate;
  int concurrency = 0;
  bool no_cache = false;
  bool no_progress = false;
};

// A one-line progress bar with rate and ETA, redrawn in place on a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void Update(std::size_t done, std::size_t total, std::size_t cache_hits) {
    if (!enabled_ || total == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    constexpr int kWidth = 30;
    const int filled =
        static_cast<int>(kWidth * static_cast<double>(done) / static_cast<double>(total));
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r[%s] %zu/%zu %3d%% %.1f/s ETA %d:%02d cached %zu ", bar.c_str(), done,
                 total,
                 static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)),
                 rate, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60, cache_hits);
    if (done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

void PrintError(const char* command, const Error& error) {
  std::cerr << "yardstick " << command << ": error: " << error.message() << "\n";
}

nlohmann::json Summary(const eval::Run& run, const std::string& dir) {
  nlohmann::json out;
  out["suite"] = run.suite_name;
  out["run"] = dir;
  out["examples"] = run.examples.size();
  out["failed"] = run.failed;
  out["requests_sent"] = run.requests_sent;
  out["cache_hits"] = run.cache_hits;
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& m : run.metrics) {
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    metrics[m.spec.id] = {{"value", num(m.aggregate.value)},
                          {"ci_low", num(m.aggregate.ci_low)},
                          {"ci_high", num(m.aggregate.ci_high)},
                          {"n", m.aggregate.n},
                          {"missing", m.aggregate.missing}};
  }
  out["metrics"] = metrics;
  if (run.comparison) {
    nlohmann::json cmp = nlohmann::json::array();
    for (const auto& c : run.comparison->metrics) {
      cmp.push_back({{"metric", c.metric},
                     {"test", c.test},
                     {"delta", std::isfinite(c.delta) ? nlohmann::json(c.delta) : nlohmann::json()},
                     {"p_value", c.p_value},
                     {"p_adjusted", c.p_adjusted},
                     {"regression", c.regression},
                     {"improvement", c.improvement}});
    }
    out["comparison"] = cmp;
  }
  nlohmann::json gate = nlohmann::json::array();
  for (const auto& g : run.gate) {
    gate.push_back({{"condition", g.condition}, {"passed", g.passed}, {"detail", g.detail}});
  }
  out["gate"] = {{"passed", run.gate_passed}, {"conditions", gate}};
  return out;
}

Result<std::vector<eval::GateCondition>> ParseGateArgs(const std::vector<std::string>& texts) {
  std::vector<eval::GateCondition> out;
  for (const auto& t : texts) {
    auto c = eval::ParseGateCondition(t);
    if (!c) return std::unexpected(c.error().WithContext("--gate"));
    out.push_back(std::move(*c));
  }
  return out;
}

// The first of several targets without a baseline is the reference the others are compared
// with: `no_significant_regression` holds for it by definition, and says so.
void MarkReference(eval::Run& run) {
  run.gate_passed = true;
  for (auto& g : run.gate) {
    auto c = eval::ParseGateCondition(g.condition);
    if (c && c->kind == eval::GateCondition::Kind::kNoRegression) {
      g.passed = true;
      g.detail = "the reference target: the other targets are compared with it";
    }
    if (!g.passed) run.gate_passed = false;
  }
}

// Pushes the run's scores and document to the suite's server; 0 or the exit code (2).
int Push(const eval::Run& run, const eval::Suite& suite) {
  const char* key = std::getenv(suite.server_key_env.c_str());
  if (key == nullptr || *key == '\0') {
    PrintError("eval", Error(ErrorCode::kInvalidArgument,
                             "server.api_key_env: the variable " + suite.server_key_env +
                                 " is not set; the run was saved but not pushed"));
    return 2;
  }
  auto pushed = eval::PushRun(run, suite.server_url, key);
  if (!pushed) {
    PrintError("eval", pushed.error().WithContext("pushing the run (it was saved)"));
    return 2;
  }
  std::cerr << "yardstick eval: pushed run " << pushed->run_id << " to " << suite.server_url << ": "
            << pushed->stored << " scores stored, " << pushed->duplicates << " already there, "
            << pushed->rejected << " rejected\n";
  if (pushed->rejected > 0) {
    PrintError("eval",
               Error(ErrorCode::kParse, "the server rejected scores: " + pushed->first_rejection));
    return 2;
  }
  auto document = eval::PushRunDocument(run, suite.server_url, key);
  if (!document) {
    PrintError("eval", document.error().WithContext("pushing the run document (it was saved)"));
    return 2;
  }
  std::cerr << "yardstick eval: run " << pushed->run_id
            << (*document ? " stored" : " already stored") << " at " << suite.server_url
            << "/v1/eval-runs/" << pushed->run_id << "\n";
  return 0;
}

int RunEval(const EvalArgs& args) {
  auto suite = eval::LoadSuite(args.suite);
  if (!suite) {
    PrintError("eval", suite.error());
    return 2;
  }
  auto extra = ParseGateArgs(args.gate);
  if (!extra) {
    PrintError("eval", extra.error());
    return 2;
  }
  suite->gate.insert(suite->gate.end(), extra->begin(), extra->end());
  if (!args.output.empty()) suite->output_dir = args.output;
  if (!args.baseline.empty()) suite->baseline = args.baseline;
  // Load the baseline first: a missing baseline should not cost a run.
  std::optional<eval::Run> baseline;
  if (!suite->baseline.empty()) {
    auto loaded = eval::LoadRun(suite->baseline);
    if (!loaded) {
      PrintError("eval", loaded.error().WithContext("baseline"));
      return 2;
    }
    baseline = std::move(*loaded);
  }
  eval::RunOptions options;
  options.use_cache = !args.no_cache;
  if (args.concurrency > 0) options.concurrency = args.concurrency;
  auto bar = std::make_shared<ProgressBar>(!args.no_progress && ::isatty(2) != 0);
  options.progress = [bar](std::size_t done, std::size_t total, std::size_t hits) {
    bar->Update(done, total, hits);
  };
  // One run per target; the second and later targets are compared with the first.
  const std::vector<eval::Suite> suites = eval::TargetSuites(*suite);
  const bool several = !suite->targets.empty();
  std::optional<eval::Run> reference;
  nlohmann::json summaries = nlohmann::json::array();
  std::string verdicts;
  bool all_passed = true;
  for (std::size_t k = 0; k < suites.size(); ++k) {
    const eval::Suite& one = suites[k];
    if (several && args.format != "json") {
      std::cout << (k == 0 ? "" : "\n") << "=== target " << suite->targets[k].name << " (" << k + 1
                << " of " << suites.size() << ")" << (k == 0 ? ", the reference" : "") << " ===\n";
    }
    auto run = eval::RunSuite(one, options);
    if (!run) {
      PrintError("eval", several
                             ? run.error().WithContext("target '" + suite->targets[k].name + "'")
                             : run.error());
      return 2;
    }
    const eval::Run* against = k == 0 ? (baseline ? &*baseline : nullptr) : &*reference;
    if (against != nullptr) {
      const std::string name = k == 0 ? suite->baseline : suites[0].name;
      auto comparison = eval::CompareRuns(*against, *run, suite->comparison, name);
      if (!comparison) {
        PrintError("eval", comparison.error());
        return 2;
      }
      run->comparison = std::move(*comparison);
    }
    eval::EvaluateGate(suite->gate, *run);
    if (several && k == 0 && against == nullptr) MarkReference(*run);
    if (auto error = eval::SaveRun(*run, one.output_dir)) {
      PrintError("eval", *error);
      return 2;
    }
    if (args.format == "json") {
      nlohmann::json summary = Summary(*run, one.output_dir);
      if (several) summary["target"] = suite->targets[k].name;
      summaries.push_back(std::move(summary));
    } else {
      std::cout << eval::RenderText(*run) << "\nrun saved to " << one.output_dir
                << " (results.json, junit.xml, report.html)\n";
    }
    if (!one.server_url.empty()) {
      if (int code = Push(*run, one); code != 0) return code;
    }
    for (const auto& ex : run->examples) {
      if (!ex.output)
        std::cerr << "yardstick eval: example " << ex.id << " (line " << ex.line
                  << "): " << ex.error << "\n";
    }
    if (!run->gate_passed) all_passed = false;
    if (several) {
      verdicts += "  " + suite->targets[k].name + ": gate " + (run->gate_passed ? "PASS" : "FAIL") +
                  " (" + one.output_dir + ")\n";
    }
    if (k == 0) reference = std::move(*run);
  }
  if (args.format == "json") {
    nlohmann::json out = summaries[0];
    if (several) {
      out = {{"suite", suite->name}, {"targets", summaries}, {"gate", {{"passed", all_passed}}}};
    }
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (several) {
    std::cout << "\n=== " << suite->name << ": " << suites.size() << " targets, gate "
              << (all_passed ? "PASS" : "FAIL") << " ===\n"
              << verdicts;
  }
  return all_passed ? 0 : 1;
}

// validate

struct ValidateArgs {
  std::string dataset;
  std::string schema;
  std::vector<std::string> require;
  std::vector<std::string> optional;
  std::string id_field;
  std::string label_field;
  std::size_t max_input_chars = 0;
  std::string format = "text";
  bool strict = false;
};

Result<eval::FieldRule> ParseRule(const std::string& spec, bool required) {
  const auto colon = spec.find(':');
  eval::FieldRule rule;
  rule.required = required;
  rule.name = spec.substr(0, colon);
  if (rule.name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "'" + spec + "': expected FIELD[:TYPE]");
  }
  rule.type = eval::FieldType::kAny;
  if (colon != std::string::npos) {
    auto type = eval::ParseFieldType(spec.substr(colon + 1));
    if (!type) return std::unexpected(type.error());
    rule.type = *type;
  }
  return rule;
}

int RunValidate(const ValidateArgs& args) {
  eval::Schema schema;
  Result<eval::ValidationReport> report = MakeError(ErrorCode::kInternal, "not run");
  const bool is_suite = args.dataset.ends_with(".yaml") || args.dataset.ends_with(".yml");
  if (is_suite) {
    auto suite = eval::LoadSuite(args.dataset);
    if (!suite) {
      PrintError("validate", suite.error());
      return 2;
    }
    report = eval::ValidateSuiteDataset(*suite);
  } else {
    if (!args.schema.empty()) {
      auto loaded = eval::LoadSchemaFile(args.schema);
      if (!loaded) {
        PrintError("validate", loaded.error());
        return 2;
      }
      schema = *loaded;
    }
    for (const auto& [specs, required] :
         {std::pair{&args.require, true}, std::pair{&args.optional, false}}) {
      for (const auto& spec : *specs) {
        auto rule = ParseRule(spec, required);
        if (!rule) {
          PrintError("validate", rule.error());
          return 2;
        }
        schema.fields.push_back(*rule);
      }
    }
    if (!args.id_field.empty()) schema.id_field = args.id_field;
    if (!args.label_field.empty()) schema.label_field = args.label_field;
    if (args.max_input_chars > 0) schema.max_input_chars = args.max_input_chars;
    auto dataset = eval::ReadDataset(args.dataset);
    if (!dataset) {
      PrintError("validate", dataset.error());
      return 2;
    }
    report = eval::ValidateDataset(*dataset, schema);
  }
  if (!report) {
    PrintError("validate", report.error());
    return 2;
  }
  const bool ok = report->errors() == 0 && (!args.strict || report->warnings() == 0);
  if (args.format == "json") {
    nlohmann::json doc = {{"ok", ok},
                          {"file", report->path},
                          {"rows", report->rows},
                          {"errors", report->errors()},
                          {"warnings", report->warnings()},
                          {"problems", nlohmann::json::array()}};
    for (const auto& p : report->problems) {
      doc["problems"].push_back(
          {{"line", p.line}, {"severity", p.severity}, {"message", p.message}});
    }
    if (!report->label_distribution.empty()) {
      nlohmann::json labels = nlohmann::json::array();
      for (const auto& [label, count] : report->label_distribution) {
        labels.push_back({{"label", label}, {"count", count}});
      }
      doc["labels"] = labels;
    }
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    for (const auto& p : report->problems) std::cout << eval::FormatProblem(p) << "\n";
    if (!report->label_distribution.empty()) {
      std::cout << "labels:";
      for (const auto& [label, count] : report->label_distribution) {
        std::cout << " " << label << "=" << count;
      }
      std::cout << "\n";
    }
    std::cout << report->path << ": " << report->rows << " rows, " << report->errors()
              << " error(s), " << report->warnings() << " warning(s)\n";
  }
  return ok ? 0 : 1;
}

// compare

struct CompareArgs {
  std::string baseline;
  std::string candidate;
  std::string test = "bs";
  int resamples = 1000;
  std::string correction = "holm";
  double alpha = 0.05;
  std::uint64_t seed = 12345;
  std::vector<std::string> gate;
  std::string format = "text";
};

int RunCompare(const CompareArgs& args) {
  auto base = eval::LoadRun(args.baseline);
  if (!base) {
    PrintError("compare", base.error());
    return 2;
  }
  auto run = eval::LoadRun(args.candidate);
  if (!run) {
    PrintError("compare", run.error());
    return 2;
  }
  eval::ComparisonSpec spec;
  spec.test = args.test;
  spec.resamples = args.resamples;
  spec.correction = args.correction;
  spec.alpha = args.alpha;
  spec.seed = args.seed;
  auto comparison = eval::CompareRuns(*base, *run, spec, args.baseline);
  if (!comparison) {
    PrintError("compare", comparison.error());
    return 2;
  }
  run->comparison = std::move(*comparison);
  auto conditions = ParseGateArgs(
      args.gate.empty() ? std::vector<std::string>{"no_significant_regression"} : args.gate);
  if (!conditions) {
    PrintError("compare", conditions.error());
    return 2;
  }
  eval::EvaluateGate(*conditions, *run);
  if (args.format == "json") {
    std::cout << Summary(*run, args.candidate)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    // Only the comparison and the gate: the runs' own results are in their reports.
    eval::Run shown;
    shown.suite_name = run->suite_name;
    shown.comparison = run->comparison;
    shown.gate = run->gate;
    shown.gate_passed = run->gate_passed;
    std::string text = eval::RenderText(shown);
    const auto start = text.find("comparison with");
    std::cout << (start == std::string::npos ? text : text.substr(start));
  }
  return run->gate_passed ? 0 : 1;
}

}  // namespace

void AddEvalCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Run an evaluation suite: dataset x target x metrics, with confidence intervals, slices,\n"
      "fairness gaps, slice discovery, a baseline comparison and a gate (docs/eval.md).\n"
      "Exit 0 when the gate passes, 1 when it fails, 2 on errors.");
  cmd->add_option("suite", args->suite, "Suite file (YAML)")->required();
  cmd->add_option("-o,--output", args->output, "Run folder (default: the suite's output)");
  cmd->add_option("--baseline", args->baseline, "A saved run to compare with (folder or file)");
  cmd->add_option("--gate", args->gate, "Extra gate condition, e.g. 'bleu >= 30' (repeatable)");
  cmd->add_option("-j,--concurrency", args->concurrency, "Parallel requests (overrides the suite)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--no-cache", args->no_cache, "Do not read or write the response cache");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar on a terminal");
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([args, exit_code]() { *exit_code = RunEval(*args); });
}

void AddValidateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Validate a dataset (JSONL or CSV) and print a report with file and line for each\n"
      "problem; a suite file (.yaml) validates its dataset with its schema.\n"
      "Exit 0 when there is no error, 1 when there are errors, 2 when it cannot be read.");
  cmd->add_option("dataset", args->dataset, "Dataset (.jsonl, .ndjson, .csv) or suite (.yaml)")
      ->required();
  cmd->add_option("--schema", args->schema,
                  "Schema file (YAML: required, optional, id_field, ...)");
  cmd->add_option("--require", args->require, "Required field, FIELD[:TYPE] (repeatable)");
  cmd->add_option("--optional", args->optional, "Optional field, FIELD:TYPE (repeatable)");
  cmd->add_option("--id-field", args->id_field, "Field that must be unique");
  cmd->add_option("--label-field", args->label_field, "Field whose distribution is reported");
  cmd->add_option("--max-input-chars", args->max_input_chars, "Longest allowed string field");
  cmd->add_flag("--strict", args->strict, "Exit 1 on warnings too");
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([args, exit_code]() { *exit_code = RunValidate(*args); });
}

void AddCompareCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare two saved eval runs metric by metric (examples paired by id): paired bootstrap\n"
      "or approximate randomization for corpus metrics, McNemar for pass/fail metrics, Wilcoxon\n"
      "for per-example scores; Holm or Benjamini-Hochberg across metrics.\n"
      "Exit 0 when the gate passes (default: no significant regression), 1 when it fails.");
  cmd->add_option("baseline", args->baseline, "The baseline run (folder or results.json)")
      ->required();
  cmd->add_option("candidate", args->candidate, "The run compared with it")->required();
  cmd->add_option("--test", args->test, "Corpus-metric test: bs (paired bootstrap) or ar")
      ->check(CLI::IsMember({"bs", "ar"}))
      ->capture_default_str();
  cmd->add_option("--resamples", args->resamples, "Bootstrap resamples or AR trials")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_option("--correction", args->correction, "Across metrics: holm or fdr_bh")
      ->check(CLI::IsMember({"holm", "fdr_bh"}))
      ->capture_default_str();
  cmd->add_option("--alpha", args->alpha, "Significance level")
      ->check(CLI::Range(1e-9, 0.5))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_option("--gate", args->gate,
                  "Gate condition (repeatable; default: no_significant_regression)");
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([args, exit_code]() { *exit_code = RunCompare(*args); });
}

}  // namespace yardstick::cli

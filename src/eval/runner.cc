// RunSuite: validation, the target's outputs (precomputed or from an endpoint, in parallel),
// then the metrics and the analysis.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "eval/eval.h"
#include "eval/openai_client.h"
#include "eval/remote_metrics.h"
#include "model/records.h"
#include "pricing/price_table.h"

namespace yardstick::eval {
namespace {

// RFC 3339 UTC with milliseconds: "2026-11-27T02:13:50.123Z".
std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t t = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const std::size_t len = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + len, sizeof buf - len, ".%03dZ", static_cast<int>(ms.count() % 1000));
  return buf;
}

std::vector<std::string> References(const Example& ex, const std::string& field) {
  std::vector<std::string> out;
  if (field.empty()) return out;
  const auto it = ex.fields.find(field);
  if (it == ex.fields.end() || it->is_null()) return out;
  if (it->is_array()) {
    for (const auto& r : *it) out.push_back(r.is_string() ? r.get<std::string>() : r.dump());
  } else {
    out.push_back(it->is_string() ? it->get<std::string>() : it->dump());
  }
  return out;
}

std::optional<double> NumberField(const nlohmann::json& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    char* end = nullptr;
    const std::string& s = it->get_ref<const std::string&>();
    const double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0' && std::isfinite(v)) return v;
  }
  return std::nullopt;
}

std::optional<Error> FillPrecomputed(const Suite& suite, std::vector<ExampleResult>& examples) {
  const TargetSpec& t = suite.target;
  auto file = ReadDataset(t.path);
  if (!file) return file.error();
  if (!file->problems.empty()) {
    std::string message = "the precomputed outputs cannot be read:";
    for (const auto& p : file->problems) message += "\n  " + FormatProblem(p);
    return Error(ErrorCode::kParse, message);
  }
  std::map<std::string, const Example*> by_id;
  for (const Example& row : file->examples) {
    auto id = FieldText(row, t.id_field);
    if (!id) {
      return Error(ErrorCode::kParse,
                   t.path + ":" + std::to_string(row.line) + ": no id field '" + t.id_field + "'");
    }
    if (!by_id.emplace(*id, &row).second) {
      return Error(ErrorCode::kParse,
                   t.path + ":" + std::to_string(row.line) + ": duplicate id '" + *id + "'");
    }
  }
  for (ExampleResult& ex : examples) {
    const auto it = by_id.find(ex.id);
    if (it == by_id.end()) {
      ex.error = "no output for id '" + ex.id + "' in " + t.path;
      continue;
    }
    const nlohmann::json& row = it->second->fields;
    const auto out = row.find(t.output_field);
    if (out == row.end() || out->is_null()) {
      ex.error = t.path + ":" + std::to_string(it->second->line) + ": no '" + t.output_field + "'";
      continue;
    }
    ex.output = out->is_string() ? out->get<std::string>() : out->dump();
    if (auto v = NumberField(row, "latency_ms")) ex.latency_ms = *v;
    if (auto v = NumberField(row, "input_tokens")) ex.input_tokens = static_cast<int64_t>(*v);
    if (auto v = NumberField(row, "output_tokens")) ex.output_tokens = static_cast<int64_t>(*v);
    if (auto v = NumberField(row, "cost_usd")) ex.cost_usd = *v;
    // A classifier's score (ece's score_field) may come with the outputs.
    for (const MetricSpec& m : suite.metrics) {
      const auto field = m.options.find("score_field");
      if (field == m.options.end() || !field->is_string()) continue;
      const auto score = row.find(field->get<std::string>());
      if (score != row.end() && !score->is_null()) ex.fields[field->get<std::string>()] = *score;
    }
  }
  return std::nullopt;
}

std::optional<double> CostOf(const EndpointSpec& e, const pricing::PriceTable* table,
                             int64_t input_tokens, int64_t output_tokens) {
  if (input_tokens < 0 && output_tokens < 0) return std::nullopt;
  if (e.input_price_per_million || e.output_price_per_million) {
    return static_cast<double>(std::max<int64_t>(input_tokens, 0)) *
               e.input_price_per_million.value_or(0) / 1e6 +
           static_cast<double>(std::max<int64_t>(output_tokens, 0)) *
               e.output_price_per_million.value_or(0) / 1e6;
  }
  if (table == nullptr) return std::nullopt;
  model::Call call;
  call.request_model = e.model;
  call.response_model = e.model;
  call.input_tokens = input_tokens;
  call.output_tokens = output_tokens;
  return table->Cost(call);
}

std::optional<Error> FillFromEndpoint(const Suite& suite, const RunOptions& options,
                                      std::vector<ExampleResult>& examples, Run& run) {
  const EndpointSpec& e = suite.target.endpoint;
  auto client = MakeClient(e, options.use_cache ? suite.cache_dir : "", options.sleep);
  if (!client) return client.error();
  auto table = pricing::PriceTable::Builtin();
  const pricing::PriceTable* prices = table ? &*table : nullptr;
  const bool chat = e.api == "chat";
  const int workers = std::max(1, options.concurrency.value_or(e.concurrency));
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  auto work = [&]() {
    while (true) {
      const std::size_t i = next.fetch_add(1);
      if (i >= examples.size()) return;
      ExampleResult& ex = examples[i];
      nlohmann::json body = {
          {"model", e.model}, {"temperature", e.temperature}, {"max_tokens", e.max_tokens}};
      if (chat) {
        nlohmann::json messages = nlohmann::json::array();
        if (!suite.system_prompt.empty()) {
          messages.push_back({{"role", "system"}, {"content", suite.system_prompt}});
        }
        messages.push_back({{"role", "user"}, {"content", ex.prompt}});
        body["messages"] = std::move(messages);
      } else {
        body["prompt"] = ex.prompt;
      }
      const double estimate = static_cast<double>(ex.prompt.size()) / 4.0 + e.max_tokens;
      CallResult r = (*client)->Call(chat ? "/chat/completions" : "/completions", body, estimate,
                                     chat ? CheckChatResponse : CheckCompletionResponse);
      ex.attempts = r.attempts;
      ex.cached = r.cached;
      if (r.ok) {
        const auto& choice = r.response["choices"][0];
        ex.output = chat ? choice["message"]["content"].get<std::string>()
                         : choice["text"].get<std::string>();
        ex.latency_ms = r.latency_ms;
        if (r.response.contains("usage") && r.response["usage"].is_object()) {
          const auto& u = r.response["usage"];
          if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer()) {
            ex.input_tokens = u["prompt_tokens"].get<int64_t>();
          }
          if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer()) {
            ex.output_tokens = u["completion_tokens"].get<int64_t>();
          }
        }
        ex.cost_usd = CostOf(e, prices, ex.input_tokens, ex.output_tokens);
      } else {
        ex.error = r.error + " (after " + std::to_string(r.attempts) + " attempt" +
                   (r.attempts == 1 ? "" : "s") + ")";
      }
      const std::size_t d = done.fetch_add(1) + 1;
      if (options.progress) {
        std::lock_guard lock(progress_mutex);
        options.progress(d, examples.size(), static_cast<std::size_t>((*client)->cache_hits()));
      }
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  run.requests_sent += (*client)->requests_sent();
  run.cache_hits += (*client)->cache_hits();
  return std::nullopt;
}

}  // namespace

namespace {

// The suite's datasets: `datasets:`, or the single `dataset:` (also for suites built in code).
std::vector<DatasetSpec> DatasetsOf(const Suite& suite) {
  if (!suite.datasets.empty()) return suite.datasets;
  return {DatasetSpec{"", suite.dataset_path, suite.dataset_format, suite.schema}};
}

Result<ValidationReport> ValidateOne(const Suite& suite, const DatasetSpec& spec,
                                     const Dataset& dataset) {
  Schema schema = spec.schema;
  // The fields the suite uses must exist.
  auto require = [&schema](const std::string& field, FieldType type) {
    if (field.empty()) return;
    for (const auto& rule : schema.fields) {
      if (rule.name == field) return;
    }
    schema.fields.push_back({field, type, true});
  };
  require(suite.reference_field, FieldType::kStringOrList);
  if (!schema.id_field.empty()) require(schema.id_field, FieldType::kAny);
  ValidationReport report = ValidateDataset(dataset, schema);
  if (!spec.name.empty()) {
    for (const Example& row : dataset.examples) {
      if (row.fields.contains("dataset")) {
        report.problems.push_back({spec.path, row.line, "error",
                                   "field 'dataset' is reserved: with datasets: it holds the "
                                   "dataset's name"});
      }
    }
  }
  return report;
}

}  // namespace

Result<ValidationReport> ValidateSuiteDataset(const Suite& suite) {
  ValidationReport merged;
  std::map<std::string, std::size_t> labels;
  const std::vector<DatasetSpec> specs = DatasetsOf(suite);
  for (const DatasetSpec& spec : specs) {
    auto dataset = ReadDataset(spec.path, spec.format);
    if (!dataset) return std::unexpected(dataset.error());
    auto report = ValidateOne(suite, spec, *dataset);
    if (!report || specs.size() == 1) return report;
    merged.path += (merged.path.empty() ? "" : ", ") + report->path;
    merged.rows += report->rows;
    merged.problems.insert(merged.problems.end(), report->problems.begin(), report->problems.end());
    for (const auto& [label, count] : report->label_distribution) labels[label] += count;
  }
  for (const auto& [label, count] : labels) merged.label_distribution.emplace_back(label, count);
  std::stable_sort(merged.label_distribution.begin(), merged.label_distribution.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  return merged;
}

Result<Run> RunSuite(const Suite& suite, const RunOptions& options) {
  const std::vector<DatasetSpec> specs = DatasetsOf(suite);
  std::vector<Dataset> datasets;
  for (const DatasetSpec& spec : specs) {
    auto dataset = ReadDataset(spec.path, spec.format);
    if (!dataset) return std::unexpected(dataset.error());
    datasets.push_back(std::move(*dataset));
  }
  auto report = ValidateSuiteDataset(suite);
  if (!report) return std::unexpected(report.error());
  if (report->errors() > 0) {
    std::string message =
        "the dataset has " + std::to_string(report->errors()) + " error(s); nothing was called:";
    for (const auto& p : report->problems) {
      if (p.severity == "error") message += "\n  " + FormatProblem(p);
    }
    return MakeError(ErrorCode::kParse, message);
  }
  Run run;
  run.suite_name = suite.name;
  run.suite_path = suite.path;
  run.suite_yaml = suite.yaml;
  run.created = NowRfc3339();
  run.id = NewRunId(suite.name, run.created);
  for (const DatasetSpec& spec : specs) {
    run.dataset_path += (run.dataset_path.empty() ? "" : ", ") + spec.path;
  }
  run.bootstrap = suite.bootstrap;
  run.target = suite.target.type == "precomputed"
                   ? "precomputed:" + suite.target.path
                   : suite.target.type + ":" + suite.target.endpoint.model + "@" +
                         suite.target.endpoint.base_url;
  std::vector<ExampleResult>& examples = run.examples;
  for (std::size_t d = 0; d < specs.size(); ++d) {
    const DatasetSpec& spec = specs[d];
    for (const Example& row : datasets[d].examples) {
      ExampleResult ex;
      ex.line = row.line;
      ex.id = spec.schema.id_field.empty() ? std::to_string(row.line)
                                           : FieldText(row, spec.schema.id_field).value_or("");
      if (!spec.name.empty()) ex.id = spec.name + "/" + ex.id;
      ex.references = References(row, suite.reference_field);
      ex.fields = row.fields;
      if (!spec.name.empty()) ex.fields["dataset"] = spec.name;
      if (!suite.prompt_template.empty()) {
        auto prompt = RenderTemplate(suite.prompt_template, row, spec.path);
        if (!prompt) return std::unexpected(prompt.error());
        ex.prompt = std::move(*prompt);
      }
      examples.push_back(std::move(ex));
    }
  }
  if (suite.target.type == "precomputed") {
    if (auto error = FillPrecomputed(suite, examples)) return std::unexpected(*error);
    if (options.progress) options.progress(examples.size(), examples.size(), 0);
  } else {
    if (auto error = FillFromEndpoint(suite, options, examples, run)) {
      return std::unexpected(*error);
    }
  }
  for (const auto& ex : examples) {
    if (!ex.output) ++run.failed;
  }
  for (const MetricSpec& spec : suite.metrics) {
    Result<MetricColumn> column = IsRemoteMetric(spec.name)
                                      ? ScoreRemoteMetric(spec, examples, suite, options, run)
                                      : ScoreLocalMetric(spec, examples);
    if (!column) return std::unexpected(column.error());
    run.metrics.push_back(std::move(*column));
  }
  if (auto error = Analyse(suite, run)) return std::unexpected(*error);
  return run;
}

}  // namespace yardstick::eval

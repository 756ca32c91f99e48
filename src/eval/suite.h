#pragma once
// An evaluation suite: the YAML file `yardstick eval` runs (docs/eval.md describes every key).
//
// A suite names one dataset (JSONL or CSV, with its schema) or several (`datasets:`, evaluated
// together), one target (precomputed outputs, or an OpenAI-compatible chat or completions
// endpoint) or several (`targets:`, one run each: TargetSuites), a prompt template, the metrics,
// the fields to slice by, fairness settings, slice discovery, a baseline run, comparison settings
// and the gate. Loading checks everything it can without reading the dataset: unknown keys (with
// a did-you-mean), types, ranges, metric options, gate conditions (and that they name metrics of
// the suite); every problem is reported at
// its file:line:column. Relative paths are relative to the suite file.
//
// Thread safety: plain values.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "eval/dataset.h"
#include "eval/gate.h"
#include "eval/validation.h"

namespace yardstick::eval {

// An OpenAI-compatible endpoint and how to call it.
struct EndpointSpec {
  std::string api = "chat";  // "chat" (/chat/completions), "completions", "embeddings"
  std::string base_url;      // e.g. http://127.0.0.1:8000/v1
  std::string model;
  std::string api_key_env;  // name of the environment variable holding the key; empty: none
  double temperature = 0;
  int max_tokens = 256;
  int concurrency = 4;
  double requests_per_minute = 0;  // 0: unlimited
  double tokens_per_minute = 0;    // 0: unlimited
  int max_retries = 5;
  double timeout_seconds = 60;
  double backoff_initial_seconds = 0.5;
  double backoff_max_seconds = 30;
  std::optional<double> input_price_per_million;  // USD; else the built-in price table
  std::optional<double> output_price_per_million;
};

// One dataset of the suite: `dataset:` (no name) or an entry of `datasets:`.
struct DatasetSpec {
  std::string name;  // "" for `dataset:`; else the example ids are "<name>/<id>"
  std::string path;  // resolved
  std::optional<DatasetFormat> format;
  Schema schema;  // schema.id_field is the dataset's id field ("" = line numbers)
};

struct TargetSpec {
  std::string type = "precomputed";  // "precomputed", "openai-chat", "openai-completions"
  // precomputed: outputs read from a JSONL or CSV file, matched to the dataset by id.
  std::string path;
  std::string id_field = "id";
  std::string output_field = "output";
  EndpointSpec endpoint;  // the openai-* types
};

// An entry of `targets:`.
struct NamedTarget {
  std::string name;
  TargetSpec spec;
};

// One metric of the suite, as written: the name and its options (kept as JSON in the run file,
// which is how `yardstick compare` rebuilds the metric).
struct MetricSpec {
  std::string id;    // the column name: `as:` or the name
  std::string name;  // "bleu", "exact_match", "regex", "judge", ...
  nlohmann::json options = nlohmann::json::object();
};

// "metric '<name>': <message>", an invalid-argument error about one of the spec's options.
Error MetricOptionError(const MetricSpec& spec, const std::string& message);
// The option `key` as text (a value that is not a string as its JSON); nullopt when absent.
std::optional<std::string> MetricStringOption(const MetricSpec& spec, const char* key);

struct FairnessSpec {
  std::string group_field;  // the sensitive attribute
  std::string label_field;  // the true label
  std::string positive;     // the positive class, compared with the normalized output and label
};

struct DiscoverySpec {
  bool enabled = false;
  std::string metric;               // a metric id; default: the first metric
  std::vector<std::string> fields;  // default: the slice fields
  std::size_t min_size = 30;        // n_min for a slice and its complement
  double fdr = 0.05;                // Benjamini-Hochberg q
  double min_effect = 0.2;          // phi
};

struct ComparisonSpec {
  std::string test = "bs";          // corpus metrics: "bs" (paired bootstrap) or "ar"
  int resamples = 1000;             // bootstrap resamples (bs) or trials (ar)
  std::string correction = "holm";  // across metrics: "holm" or "fdr_bh"
  double alpha = 0.05;
  std::uint64_t seed = 12345;
};

struct BootstrapSpec {
  int resamples = 1000;
  std::uint64_t seed = 12345;
  double confidence = 0.95;
};

struct Suite {
  std::string path;      // the suite file
  std::string base_dir;  // its folder; relative paths are resolved against it
  std::string name;
  std::string yaml;  // the file's text, kept in the run file

  // Datasets: one (`dataset:`) or several (`datasets:`, each named). The examples of several
  // datasets are evaluated together, with ids "<dataset name>/<id>" and a field `dataset`
  // holding the dataset's name (usable in slices). dataset_path, dataset_format and schema are
  // the first dataset's.
  std::vector<DatasetSpec> datasets;
  std::string dataset_path;  // resolved
  std::optional<DatasetFormat> dataset_format;
  Schema schema;
  std::string reference_field;  // the field holding the reference(s)

  // Prompt: "{{field}}" is replaced by the example's field.
  std::string system_prompt;
  std::string prompt_template;

  TargetSpec target;                 // the target (with `targets:`, the first one's)
  std::vector<NamedTarget> targets;  // `targets:`; empty with `target:`
  std::vector<MetricSpec> metrics;
  std::vector<std::string> slices;
  std::optional<FairnessSpec> fairness;
  DiscoverySpec discovery;
  BootstrapSpec bootstrap;
  std::string baseline;  // a saved run directory (resolved), optional
  ComparisonSpec comparison;
  std::vector<GateCondition> gate;
  std::string output_dir;      // where the run is saved (resolved); default runs/<name>
  std::string cache_dir;       // resolved; default .yardstick-cache next to the suite
  std::string server_url;      // push the run to `yardstick serve` when set
  std::string server_key_env;  // the variable holding the project's API key
};

// Loads and checks a suite file. The error lists every problem as "file:line:col: message".
Result<Suite> LoadSuite(const std::string& path);
Result<Suite> LoadSuiteString(const std::string& yaml, const std::string& path);

// The suite of each target: the suite itself without `targets:`; with `targets:` one suite per
// target, named "<suite>-<target>", with that target and the output folder
// "<output>/<target>", in the order given. The first is the reference the others are compared
// with (and compared with `baseline:` itself, when the suite has one).
std::vector<Suite> TargetSuites(const Suite& suite);

// Loads a schema file for `yardstick validate --schema`: the keys of a suite's dataset section
// but path and format (id_field, required, optional, max_input_chars, input_fields,
// label_field). Errors list every problem as "file:line:col: message".
Result<Schema> LoadSchemaFile(const std::string& path);

// Renders the prompt template for one example. "{{name}}" is the field's text (FieldText);
// an unknown field is an error naming the example's line and the field.
Result<std::string> RenderTemplate(const std::string& tmpl, const Example& example,
                                   const std::string& file);

}  // namespace yardstick::eval

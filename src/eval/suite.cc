#include "eval/suite.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "config/yaml_reader.h"
#include "eval/scoring.h"

namespace yardstick::eval {
namespace {

using config::internal::Diagnostics;
using config::internal::Field;
using config::internal::MapReader;

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 18> kTopKeys = {
    "name",       "dataset",    "datasets", "prompt",   "target",    "targets",
    "references", "metrics",    "slices",   "fairness", "discovery", "bootstrap",
    "baseline",   "comparison", "gate",     "output",   "cache_dir", "server"};
constexpr std::array<std::string_view, 8> kDatasetKeys = {
    "path",     "format",          "id_field",     "required",
    "optional", "max_input_chars", "input_fields", "label_field"};
constexpr std::array<std::string_view, 2> kPromptKeys = {"system", "template"};
constexpr std::array<std::string_view, 18> kTargetKeys = {"type",
                                                          "path",
                                                          "id_field",
                                                          "output_field",
                                                          "base_url",
                                                          "model",
                                                          "api_key_env",
                                                          "temperature",
                                                          "max_tokens",
                                                          "concurrency",
                                                          "requests_per_minute",
                                                          "tokens_per_minute",
                                                          "max_retries",
                                                          "timeout_seconds",
                                                          "backoff_initial_seconds",
                                                          "backoff_max_seconds",
                                                          "input_price_per_million",
                                                          "output_price_per_million"};
// The keys of an entry of `datasets:` / `targets:`: a name, then those of `dataset:` / `target:`.
template <size_t N>
constexpr std::array<std::string_view, N + 1> WithName(
    const std::array<std::string_view, N>& keys) {
  std::array<std::string_view, N + 1> out{"name"};
  for (size_t i = 0; i < N; ++i) out[i + 1] = keys[i];
  return out;
}
constexpr auto kNamedDatasetKeys = WithName(kDatasetKeys);
constexpr auto kNamedTargetKeys = WithName(kTargetKeys);
constexpr std::array<std::string_view, 3> kFairnessKeys = {"group", "label", "positive"};
constexpr std::array<std::string_view, 5> kDiscoveryKeys = {"metric", "fields", "min_size", "fdr",
                                                            "min_effect"};
constexpr std::array<std::string_view, 3> kBootstrapKeys = {"resamples", "seed", "confidence"};
constexpr std::array<std::string_view, 5> kComparisonKeys = {"test", "resamples", "correction",
                                                             "alpha", "seed"};
constexpr std::array<std::string_view, 3> kTargetTypes = {"precomputed", "openai-chat",
                                                          "openai-completions"};

bool IsQuoted(const YAML::Node& node) { return node.Tag() == "!"; }

nlohmann::json YamlToJson(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : node) out.push_back(YamlToJson(item));
    return out;
  }
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& item : node) out[item.first.Scalar()] = YamlToJson(item.second);
    return out;
  }
  const std::string& s = node.Scalar();
  if (IsQuoted(node)) return s;
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s == "~" || s == "null") return nullptr;
  long long integer = 0;
  auto [iptr, iec] = std::from_chars(s.data(), s.data() + s.size(), integer);
  if (iec == std::errc() && iptr == s.data() + s.size()) return integer;
  double number = 0;
  auto [dptr, dec] = std::from_chars(s.data(), s.data() + s.size(), number);
  if (dec == std::errc() && dptr == s.data() + s.size() && std::isfinite(number)) return number;
  return s;
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

bool Double(const MapReader& m, std::string_view key, double lo, double hi, double& out,
            Diagnostics& diag) {
  auto f = m.Get(key);
  if (!f) return false;
  auto v = config::internal::ReadNumber(*f, diag);
  if (!v) return false;
  if (*v < lo || *v > hi) {
    diag.Add(f->mark, f->path + ": expected a number from " + std::to_string(lo) + " to " +
                          std::to_string(hi) + ", got " + std::to_string(*v));
    return false;
  }
  out = *v;
  return true;
}

std::vector<std::string> StringList(const MapReader& m, std::string_view key, Diagnostics& diag) {
  std::vector<std::string> out;
  auto f = m.Get(key);
  if (!f) return out;
  config::internal::ForEachItem(*f, diag, [&](const Field& item) {
    if (auto s = config::internal::ReadString(item, diag)) out.push_back(*s);
  });
  return out;
}

void ReadFields(const MapReader& m, std::string_view key, bool required, Schema& schema,
                Diagnostics& diag) {
  auto f = m.Get(key);
  if (!f) return;
  MapReader fields(*f, diag);
  for (const auto& e : fields.entries()) {
    auto type_name = config::internal::ReadString(e.field, diag);
    if (!type_name) continue;
    auto type = ParseFieldType(*type_name);
    if (!type) {
      diag.Add(e.field.mark, e.field.path + ": " + type.error().message());
      continue;
    }
    schema.fields.push_back({e.key, *type, required});
  }
}

void ReadDatasetSection(const MapReader& m, const std::string& base_dir, DatasetSpec& d,
                        Diagnostics& diag) {
  std::string path;
  if (m.String("path", path)) {
    d.path = Resolve(base_dir, path);
  } else if (!m.Has("path")) {
    m.Missing("path");
  }
  std::string format;
  constexpr std::array<std::string_view, 2> kFormats = {"jsonl", "csv"};
  if (m.Enum("format", kFormats, format)) {
    d.format = format == "csv" ? DatasetFormat::kCsv : DatasetFormat::kJsonl;
  } else if (!d.path.empty()) {
    auto guessed = FormatFromPath(d.path);
    if (guessed) {
      d.format = *guessed;
    } else if (auto pf = m.Get("path")) {
      diag.Add(pf->mark, pf->path + ": " + guessed.error().message());
    }
  }
  m.String("id_field", d.schema.id_field);
  ReadFields(m, "required", true, d.schema, diag);
  ReadFields(m, "optional", false, d.schema, diag);
  std::size_t max_chars = 0;
  if (m.Size("max_input_chars", max_chars)) d.schema.max_input_chars = max_chars;
  d.schema.input_fields = StringList(m, "input_fields", diag);
  m.String("label_field", d.schema.label_field);
}

// A name of a dataset or target: it becomes part of example ids, run names and folder names.
bool ValidName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

// `name:` of an entry of `datasets:` or `targets:`: required, valid and unique.
void ReadEntryName(const MapReader& m, const char* what, std::set<std::string>& seen,
                   std::string& out, Diagnostics& diag) {
  if (!m.String("name", out)) {
    if (!m.Has("name")) m.Missing("name");
    return;
  }
  const auto f = m.Get("name");
  if (!ValidName(out)) {
    diag.Add(f->mark, f->path + ": '" + out + "': a " + what +
                          " name is 1 to 64 letters, digits, '_' or '-'");
  } else if (!seen.insert(out).second) {
    diag.Add(f->mark, f->path + ": duplicate " + what + " name '" + out + "'");
  }
}

void ReadTargetSection(const MapReader& m, const Suite& suite, TargetSpec& t, Diagnostics& diag) {
  if (!m.Enum("type", kTargetTypes, t.type) && !m.Has("type")) m.Missing("type");
  EndpointSpec& e = t.endpoint;
  if (t.type == "precomputed") {
    if (m.String("path", t.path)) {
      t.path = Resolve(suite.base_dir, t.path);
    } else if (!m.Has("path")) {
      m.Missing("path");
    }
    m.String("id_field", t.id_field);
    m.String("output_field", t.output_field);
    return;
  }
  e.api = t.type == "openai-chat" ? "chat" : "completions";
  if (!m.String("base_url", e.base_url) && !m.Has("base_url")) m.Missing("base_url");
  if (!m.String("model", e.model) && !m.Has("model")) m.Missing("model");
  m.String("api_key_env", e.api_key_env);
  Double(m, "temperature", 0, 2, e.temperature, diag);
  m.Integer("max_tokens", 0, 1 << 20, e.max_tokens);
  m.Integer("concurrency", 1, 256, e.concurrency);
  Double(m, "requests_per_minute", 0, 1e9, e.requests_per_minute, diag);
  Double(m, "tokens_per_minute", 0, 1e12, e.tokens_per_minute, diag);
  m.Integer("max_retries", 0, 100, e.max_retries);
  Double(m, "timeout_seconds", 0.001, 86400, e.timeout_seconds, diag);
  Double(m, "backoff_initial_seconds", 0, 3600, e.backoff_initial_seconds, diag);
  Double(m, "backoff_max_seconds", 0, 86400, e.backoff_max_seconds, diag);
  double price = 0;
  if (Double(m, "input_price_per_million", 0, 1e6, price, diag)) e.input_price_per_million = price;
  if (Double(m, "output_price_per_million", 0, 1e6, price, diag)) {
    e.output_price_per_million = price;
  }
}

void ReadMetrics(const Field& f, Suite& suite, Diagnostics& diag) {
  std::set<std::string> ids;
  config::internal::ForEachItem(f, diag, [&](const Field& item) {
    MetricSpec spec;
    if (item.value.IsScalar()) {
      auto name = config::internal::ReadString(item, diag);
      if (!name) return;
      spec.name = *name;
    } else {
      MapReader m(item, diag);
      if (!m.is_mapping()) return;
      if (!m.String("name", spec.name)) {
        if (!m.Has("name")) m.Missing("name");
        return;
      }
      m.String("as", spec.id);
      for (const auto& e : m.entries()) {
        if (e.key == "name" || e.key == "as") continue;
        spec.options[e.key] = YamlToJson(e.field.value);
      }
    }
    if (spec.id.empty()) spec.id = spec.name;
    if (auto error = CheckMetricSpec(spec)) {
      diag.Add(item.mark, item.path + ": " + error->message());
      return;
    }
    if (!ids.insert(spec.id).second) {
      diag.Add(item.mark, item.path + ": metric '" + spec.id +
                              "' appears twice (give one of them another name with 'as:')");
      return;
    }
    suite.metrics.push_back(std::move(spec));
  });
}

void ReadGate(const Field& f, Suite& suite, Diagnostics& diag) {
  config::internal::ForEachItem(f, diag, [&](const Field& item) {
    auto text = config::internal::ReadString(item, diag);
    if (!text) return;
    auto condition = ParseGateCondition(*text);
    if (!condition) {
      diag.Add(item.mark, item.path + ": " + condition.error().message());
      return;
    }
    condition->line = item.mark.line + 1;
    condition->column = item.mark.column + 1;
    suite.gate.push_back(std::move(*condition));
  });
}

Result<Suite> Parse(const std::string& yaml, const std::string& path) {
  Suite suite;
  suite.path = path;
  suite.yaml = yaml;
  suite.base_dir = fs::path(path).parent_path().string();
  if (suite.base_dir.empty()) suite.base_dir = ".";
  Diagnostics diag;
  YAML::Node root;
  auto fail = [&](ErrorCode code) {
    const auto issues = diag.TakeSorted();
    std::string message;
    for (const auto& issue : issues) {
      if (!message.empty()) message += "\n";
      message += path + ":" + std::to_string(issue.line) + ":" + std::to_string(issue.column) +
                 ": " + issue.message;
    }
    return MakeError(code, message);
  };
  if (!config::internal::LoadSingleDocument(yaml, root, diag)) return fail(ErrorCode::kParse);
  if (!root.IsDefined() || root.IsNull() || !root.IsMap()) {
    diag.Add(root.Mark(), "expected a mapping with dataset, target and metrics");
    return fail(ErrorCode::kInvalidArgument);
  }
  MapReader top(Field{root, root.Mark(), ""}, diag, kTopKeys);
  if (!top.String("name", suite.name)) suite.name = fs::path(path).stem().string();
  if (auto f = top.Get("dataset")) {
    if (top.Has("datasets")) diag.Add(f->mark, "dataset: give either dataset or datasets");
    MapReader m(*f, diag, kDatasetKeys);
    DatasetSpec d;
    ReadDatasetSection(m, suite.base_dir, d, diag);
    suite.datasets.push_back(std::move(d));
  } else if (auto list = top.Get("datasets")) {
    std::set<std::string> names;
    config::internal::ForEachItem(*list, diag, [&](const Field& item) {
      MapReader m(item, diag, kNamedDatasetKeys);
      if (!m.is_mapping()) return;
      DatasetSpec d;
      ReadEntryName(m, "dataset", names, d.name, diag);
      ReadDatasetSection(m, suite.base_dir, d, diag);
      suite.datasets.push_back(std::move(d));
    });
    if (suite.datasets.empty() && list->value.IsSequence()) {
      diag.Add(list->mark, "datasets: expected at least one dataset");
    }
  } else {
    top.Missing("dataset");
  }
  if (!suite.datasets.empty()) {
    suite.dataset_path = suite.datasets.front().path;
    suite.dataset_format = suite.datasets.front().format;
    suite.schema = suite.datasets.front().schema;
  }
  if (auto f = top.Get("prompt")) {
    MapReader m(*f, diag, kPromptKeys);
    m.String("system", suite.system_prompt);
    m.String("template", suite.prompt_template);
  }
  if (auto f = top.Get("target")) {
    if (top.Has("targets")) diag.Add(f->mark, "target: give either target or targets");
    MapReader m(*f, diag, kTargetKeys);
    ReadTargetSection(m, suite, suite.target, diag);
    if (suite.target.type != "precomputed" && suite.prompt_template.empty()) {
      diag.Add(f->mark, "target: an endpoint target needs prompt.template");
    }
  } else if (auto list = top.Get("targets")) {
    std::set<std::string> names;
    config::internal::ForEachItem(*list, diag, [&](const Field& item) {
      MapReader m(item, diag, kNamedTargetKeys);
      if (!m.is_mapping()) return;
      NamedTarget t;
      ReadEntryName(m, "target", names, t.name, diag);
      ReadTargetSection(m, suite, t.spec, diag);
      if (t.spec.type != "precomputed" && suite.prompt_template.empty()) {
        diag.Add(item.mark, item.path + ": an endpoint target needs prompt.template");
      }
      suite.targets.push_back(std::move(t));
    });
    if (suite.targets.empty() && list->value.IsSequence()) {
      diag.Add(list->mark, "targets: expected at least one target");
    }
    if (!suite.targets.empty()) suite.target = suite.targets.front().spec;
  } else {
    top.Missing("target");
  }
  top.String("references", suite.reference_field);
  if (auto f = top.Get("metrics")) {
    ReadMetrics(*f, suite, diag);
  } else {
    top.Missing("metrics");
  }
  suite.slices = StringList(top, "slices", diag);
  if (auto f = top.Get("fairness")) {
    MapReader m(*f, diag, kFairnessKeys);
    FairnessSpec fairness;
    if (!m.String("group", fairness.group_field) && !m.Has("group")) m.Missing("group");
    if (!m.String("label", fairness.label_field) && !m.Has("label")) m.Missing("label");
    if (!m.String("positive", fairness.positive) && !m.Has("positive")) m.Missing("positive");
    suite.fairness = fairness;
  }
  if (auto f = top.Get("discovery")) {
    MapReader m(*f, diag, kDiscoveryKeys);
    suite.discovery.enabled = true;
    m.String("metric", suite.discovery.metric);
    suite.discovery.fields = StringList(m, "fields", diag);
    m.Size("min_size", suite.discovery.min_size);
    Double(m, "fdr", 1e-9, 0.999999, suite.discovery.fdr, diag);
    Double(m, "min_effect", 0, 100, suite.discovery.min_effect, diag);
    // The ranking metrics have no per-example value of the metric to test slices with.
    const auto ranking = [](const std::string& name) {
      return name == "roc_auc" || name == "average_precision";
    };
    const auto& metrics = suite.metrics;
    if (!suite.discovery.metric.empty()) {
      for (const auto& spec : metrics) {
        if (spec.id == suite.discovery.metric && ranking(spec.name)) {
          diag.Add(f->mark, "discovery.metric: '" + spec.id +
                                "' is a ranking metric, which has no per-example value to "
                                "test slices with; name another metric");
        }
      }
    } else if (!metrics.empty() && std::all_of(metrics.begin(), metrics.end(),
                                               [&](const auto& x) { return ranking(x.name); })) {
      diag.Add(f->mark,
               "discovery: needs a metric with per-example values (roc_auc and "
               "average_precision have none)");
    }
  }
  if (auto f = top.Get("bootstrap")) {
    MapReader m(*f, diag, kBootstrapKeys);
    m.Integer("resamples", 1, 1000000, suite.bootstrap.resamples);
    std::size_t seed = 0;
    if (m.Size("seed", seed)) suite.bootstrap.seed = seed;
    Double(m, "confidence", 0.5, 0.999999, suite.bootstrap.confidence, diag);
  }
  if (top.String("baseline", suite.baseline)) {
    suite.baseline = Resolve(suite.base_dir, suite.baseline);
  }
  if (auto f = top.Get("comparison")) {
    MapReader m(*f, diag, kComparisonKeys);
    constexpr std::array<std::string_view, 2> kTests = {"bs", "ar"};
    constexpr std::array<std::string_view, 2> kCorrections = {"holm", "fdr_bh"};
    m.Enum("test", kTests, suite.comparison.test);
    m.Integer("resamples", 1, 10000000, suite.comparison.resamples);
    m.Enum("correction", kCorrections, suite.comparison.correction);
    Double(m, "alpha", 1e-9, 0.5, suite.comparison.alpha, diag);
    std::size_t seed = 0;
    if (m.Size("seed", seed)) suite.comparison.seed = seed;
  }
  if (auto f = top.Get("gate")) ReadGate(*f, suite, diag);
  // Gate conditions must name metrics of the suite by their id (`as:` or the name).
  for (const auto& c : suite.gate) {
    std::vector<std::string> names = c.metrics;
    if (!c.metric.empty()) names.push_back(c.metric);
    for (const auto& name : names) {
      const bool known = std::any_of(suite.metrics.begin(), suite.metrics.end(),
                                     [&](const MetricSpec& m) { return m.id == name; });
      if (!known && !suite.metrics.empty()) {
        std::string ids;
        for (const auto& m : suite.metrics) ids += (ids.empty() ? "" : ", ") + m.id;
        YAML::Mark mark;
        mark.line = c.line - 1;
        mark.column = c.column - 1;
        diag.Add(mark, "gate condition '" + c.text + "' names '" + name +
                           "', which is not a metric of the suite (metrics: " + ids + ")");
      }
    }
  }
  if (top.String("output", suite.output_dir)) {
    suite.output_dir = Resolve(suite.base_dir, suite.output_dir);
  } else {
    suite.output_dir = Resolve(suite.base_dir, "runs/" + suite.name);
  }
  if (top.String("cache_dir", suite.cache_dir)) {
    suite.cache_dir = Resolve(suite.base_dir, suite.cache_dir);
  } else {
    suite.cache_dir = Resolve(suite.base_dir, ".yardstick-cache");
  }
  if (auto f = top.Get("server")) {
    constexpr std::array<std::string_view, 2> kServerKeys = {"url", "api_key_env"};
    MapReader m(*f, diag, kServerKeys);
    if (!m.String("url", suite.server_url) && !m.Has("url")) m.Missing("url");
    if (!m.String("api_key_env", suite.server_key_env) && !m.Has("api_key_env")) {
      m.Missing("api_key_env");
    }
  }
  if (diag.count() > 0) return fail(ErrorCode::kInvalidArgument);
  return suite;
}

}  // namespace

Result<Schema> LoadSchemaFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return std::unexpected(text.error());
  Diagnostics diag;
  YAML::Node root;
  auto fail = [&](ErrorCode code) {
    std::string message;
    for (const auto& issue : diag.TakeSorted()) {
      if (!message.empty()) message += "\n";
      message += path + ":" + std::to_string(issue.line) + ":" + std::to_string(issue.column) +
                 ": " + issue.message;
    }
    return MakeError(code, message);
  };
  if (!config::internal::LoadSingleDocument(*text, root, diag)) return fail(ErrorCode::kParse);
  constexpr std::array<std::string_view, 6> kSchemaKeys = {
      "id_field", "required", "optional", "max_input_chars", "input_fields", "label_field"};
  MapReader m(Field{root, root.Mark(), ""}, diag, kSchemaKeys);
  Schema schema;
  m.String("id_field", schema.id_field);
  ReadFields(m, "required", true, schema, diag);
  ReadFields(m, "optional", false, schema, diag);
  std::size_t max_chars = 0;
  if (m.Size("max_input_chars", max_chars)) schema.max_input_chars = max_chars;
  schema.input_fields = StringList(m, "input_fields", diag);
  m.String("label_field", schema.label_field);
  if (diag.count() > 0) return fail(ErrorCode::kInvalidArgument);
  return schema;
}

std::vector<Suite> TargetSuites(const Suite& suite) {
  if (suite.targets.empty()) return {suite};
  std::vector<Suite> out;
  for (const NamedTarget& t : suite.targets) {
    Suite one = suite;
    one.targets.clear();
    one.target = t.spec;
    one.name = suite.name + "-" + t.name;
    one.output_dir = (fs::path(suite.output_dir) / t.name).string();
    out.push_back(std::move(one));
  }
  return out;
}

Result<Suite> LoadSuiteString(const std::string& yaml, const std::string& path) {
  return Parse(yaml, path);
}

Result<Suite> LoadSuite(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return std::unexpected(text.error());
  return Parse(*text, path);
}

Result<std::string> RenderTemplate(const std::string& tmpl, const Example& example,
                                   const std::string& file) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    const std::size_t open = tmpl.find("{{", pos);
    if (open == std::string::npos) {
      out.append(tmpl, pos);
      break;
    }
    out.append(tmpl, pos, open - pos);
    const std::size_t close = tmpl.find("}}", open + 2);
    if (close == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "prompt.template: '{{' without a closing '}}'");
    }
    std::string name = tmpl.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    auto value = FieldText(example, name);
    if (!value) {
      return MakeError(ErrorCode::kInvalidArgument, file + ":" + std::to_string(example.line) +
                                                        ": the prompt uses field '" + name +
                                                        "', which this row does not have");
    }
    out += *value;
    pos = close + 2;
  }
  return out;
}

Error MetricOptionError(const MetricSpec& spec, const std::string& message) {
  return Error(ErrorCode::kInvalidArgument, "metric '" + spec.name + "': " + message);
}

std::optional<std::string> MetricStringOption(const MetricSpec& spec, const char* key) {
  const auto it = spec.options.find(key);
  if (it == spec.options.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

}  // namespace yardstick::eval

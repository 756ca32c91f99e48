// SaveRun() and LoadRun(): the run directory (results.json, junit.xml, report.html).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "eval/eval.h"

namespace yardstick::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double NumOf(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : kNaN;
}

json AggregateJson(const Aggregate& a) {
  return {{"value", Num(a.value)},
          {"ci_low", Num(a.ci_low)},
          {"ci_high", Num(a.ci_high)},
          {"level", a.level},
          {"n", a.n},
          {"missing", a.missing}};
}

Aggregate AggregateOf(const json& j) {
  Aggregate a;
  a.value = NumOf(j, "value");
  a.ci_low = NumOf(j, "ci_low");
  a.ci_high = NumOf(j, "ci_high");
  a.level = j.value("level", 0.95);
  a.n = j.value("n", std::size_t{0});
  a.missing = j.value("missing", std::size_t{0});
  return a;
}

}  // namespace

json ComparisonToJson(const Comparison& comparison) {
  json metrics_json = json::array();
  for (const auto& c : comparison.metrics) {
    json j = {{"metric", c.metric},
              {"test", c.test},
              {"baseline", Num(c.baseline)},
              {"value", Num(c.value)},
              {"delta", Num(c.delta)},
              {"delta_ci_low", Num(c.delta_ci_low)},
              {"delta_ci_high", Num(c.delta_ci_high)},
              {"p_value", Num(c.p_value)},
              {"p_adjusted", Num(c.p_adjusted)},
              {"significant", c.significant},
              {"regression", c.regression},
              {"improvement", c.improvement},
              {"pairs", c.pairs},
              {"excluded", c.excluded}};
    if (!c.note.empty()) j["note"] = c.note;
    metrics_json.push_back(std::move(j));
  }
  return {{"baseline", comparison.baseline},
          {"correction", comparison.correction},
          {"alpha", comparison.alpha},
          {"metrics", metrics_json}};
}

json RunToJson(const Run& run) {
  json out;
  out["format"] = "yardstick-eval-run";
  out["version"] = 1;
  out["suite"] = {{"name", run.suite_name}, {"path", run.suite_path}, {"yaml", run.suite_yaml}};
  out["created"] = run.created;
  out["run_id"] = RunId(run);
  out["dataset"] = run.dataset_path;
  out["target"] = run.target;
  out["examples_total"] = run.examples.size();
  out["failed"] = run.failed;
  out["requests_sent"] = run.requests_sent;
  out["cache_hits"] = run.cache_hits;
  out["bootstrap"] = {{"resamples", run.bootstrap.resamples},
                      {"seed", run.bootstrap.seed},
                      {"confidence", run.bootstrap.confidence}};
  json metrics = json::array();
  for (const auto& m : run.metrics) {
    json j = {{"id", m.spec.id},
              {"name", m.spec.name},
              {"options", m.spec.options},
              {"display", m.display},
              {"signature", m.signature},
              {"kind", MetricKindName(m.kind)},
              {"higher_is_better", m.higher_is_better},
              {"binary", m.binary},
              {"width", m.width},
              {"aggregate", AggregateJson(m.aggregate)}};
    if (m.spec.name == "judge") {
      j["judge_calls"] = m.judge_calls;
      j["judge_failures"] = m.judge_failures;
    }
    metrics.push_back(std::move(j));
  }
  out["metrics"] = std::move(metrics);
  json examples = json::array();
  for (std::size_t i = 0; i < run.examples.size(); ++i) {
    const ExampleResult& ex = run.examples[i];
    json j = {{"id", ex.id},
              {"line", ex.line},
              {"prompt", ex.prompt},
              {"output", ex.output ? json(*ex.output) : json(nullptr)},
              {"references", ex.references},
              {"latency_ms", Num(ex.latency_ms)},
              {"input_tokens", ex.input_tokens},
              {"output_tokens", ex.output_tokens},
              {"cost_usd", ex.cost_usd ? json(*ex.cost_usd) : json(nullptr)},
              {"cached", ex.cached},
              {"attempts", ex.attempts},
              {"fields", ex.fields}};
    if (!ex.error.empty()) j["error"] = ex.error;
    json scores = json::object();
    for (const auto& m : run.metrics) {
      if (m.rows[i]) {
        scores[m.spec.id] = {{"value", Num(m.values[i])}, {"stats", *m.rows[i]}};
      } else {
        scores[m.spec.id] = {{"value", nullptr}, {"error", m.failures[i]}};
      }
    }
    j["metrics"] = std::move(scores);
    examples.push_back(std::move(j));
  }
  out["examples"] = std::move(examples);
  json slices = json::array();
  for (const auto& s : run.slices) {
    json metrics_json = json::object();
    for (const auto& [id, agg] : s.metrics) metrics_json[id] = AggregateJson(agg);
    slices.push_back(
        {{"field", s.field}, {"value", s.value}, {"n", s.n}, {"metrics", metrics_json}});
  }
  out["slices"] = std::move(slices);
  json gaps = json::array();
  for (const auto& g : run.gaps) {
    gaps.push_back({{"field", g.field},
                    {"metric", g.metric},
                    {"gap", Num(g.gap)},
                    {"best", g.best},
                    {"worst", g.worst}});
  }
  out["gaps"] = std::move(gaps);
  if (run.fairness) {
    const auto& f = *run.fairness;
    json groups = json::array();
    for (const auto& g : f.groups) {
      groups.push_back({{"value", g.value},
                        {"n", g.n},
                        {"selection_rate", Num(g.selection_rate)},
                        {"true_positive_rate", Num(g.true_positive_rate)},
                        {"false_positive_rate", Num(g.false_positive_rate)}});
    }
    out["fairness"] = {{"group_field", f.group_field},
                       {"positive", f.positive},
                       {"groups", groups},
                       {"demographic_parity_difference", Num(f.demographic_parity_difference)},
                       {"true_positive_rate_difference", Num(f.true_positive_rate_difference)},
                       {"false_positive_rate_difference", Num(f.false_positive_rate_difference)},
                       {"equalized_odds_difference", Num(f.equalized_odds_difference)},
                       {"excluded", f.excluded}};
  }
  if (run.discovery) {
    json slices_json = json::array();
    for (const auto& d : run.discovery->slices) {
      json preds = json::array();
      for (const auto& [field, value] : d.predicates) preds.push_back({{field, value}});
      slices_json.push_back({{"predicates", preds},
                             {"n", d.n},
                             {"mean", Num(d.mean)},
                             {"rest_mean", Num(d.rest_mean)},
                             {"effect", Num(d.effect)},
                             {"p_value", Num(d.p_value)},
                             {"p_adjusted", Num(d.p_adjusted)},
                             {"test", d.test}});
    }
    out["discovery"] = {{"metric", run.discovery->metric},
                        {"candidates", run.discovery->candidates},
                        {"slices", slices_json}};
  }
  if (run.comparison) out["comparison"] = ComparisonToJson(*run.comparison);
  json gate = json::array();
  for (const auto& g : run.gate) {
    gate.push_back({{"condition", g.condition}, {"passed", g.passed}, {"detail", g.detail}});
  }
  out["gate"] = {{"passed", run.gate_passed}, {"conditions", gate}};
  return out;
}

namespace {

std::optional<Error> WriteText(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Error(ErrorCode::kIo, temp.string() + ": cannot write");
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) return Error(ErrorCode::kIo, path.string() + ": cannot write: " + ec.message());
  return std::nullopt;
}

}  // namespace

Result<Run> RunFromJson(const json& j, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::kParse, where + ": " + why);
  };
  if (!j.is_object() || j.value("format", "") != "yardstick-eval-run") {
    return bad("not a yardstick eval run (expected \"format\": \"yardstick-eval-run\")");
  }
  if (j.value("version", 0) != 1) return bad("unsupported run version (expected 1)");
  try {
    Run run;
    run.suite_name = j["suite"].value("name", "");
    run.suite_path = j["suite"].value("path", "");
    run.suite_yaml = j["suite"].value("yaml", "");
    run.created = j.value("created", "");
    // Runs saved by older versions carry "<suite>-<created>" (or no id: RunId derives that).
    // A stored id must be the suite's.
    if (j.contains("run_id")) {
      if (!j["run_id"].is_string()) return bad("run_id: expected a string");
      const std::string id = j["run_id"].get<std::string>();
      // The suite's own id; characters are not restricted further, so runs of suites whose
      // names hold any character (saved by older versions) still load.
      const bool control = std::any_of(id.begin(), id.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      });
      if (!id.starts_with(run.suite_name + "-") || id.size() > 1000 || control) {
        return bad("run_id '" + id + "': expected '" + run.suite_name +
                   "-<time>...' (the suite's name, '-', the creation time; no control "
                   "characters)");
      }
      run.id = id;
    }
    run.dataset_path = j.value("dataset", "");
    run.target = j.value("target", "");
    run.failed = j.value("failed", std::size_t{0});
    run.requests_sent = j.value("requests_sent", 0L);
    run.cache_hits = j.value("cache_hits", 0L);
    if (j.contains("bootstrap")) {
      run.bootstrap.resamples = j["bootstrap"].value("resamples", 1000);
      run.bootstrap.seed = j["bootstrap"].value("seed", std::uint64_t{12345});
      run.bootstrap.confidence = j["bootstrap"].value("confidence", 0.95);
    }
    for (const auto& m : j.at("metrics")) {
      MetricColumn col;
      col.spec.id = m.at("id").get<std::string>();
      col.spec.name = m.at("name").get<std::string>();
      col.spec.options = m.value("options", json::object());
      col.display = m.value("display", col.spec.id);
      col.signature = m.value("signature", "");
      auto kind = ParseMetricKind(m.value("kind", "mean"));
      if (!kind) return bad("metric '" + col.spec.id + "': " + kind.error().message());
      col.kind = *kind;
      col.higher_is_better = m.value("higher_is_better", true);
      col.binary = m.value("binary", false);
      col.width = m.value("width", std::size_t{2});
      col.aggregate = AggregateOf(m.value("aggregate", json::object()));
      col.judge_calls = m.value("judge_calls", std::size_t{0});
      col.judge_failures = m.value("judge_failures", std::size_t{0});
      run.metrics.push_back(std::move(col));
    }
    const auto& examples = j.at("examples");
    for (std::size_t i = 0; i < examples.size(); ++i) {
      const auto& e = examples[i];
      ExampleResult ex;
      ex.id = e.at("id").get<std::string>();
      ex.line = e.value("line", std::size_t{0});
      ex.prompt = e.value("prompt", "");
      if (e.contains("output") && e["output"].is_string())
        ex.output = e["output"].get<std::string>();
      ex.references = e.value("references", std::vector<std::string>{});
      ex.error = e.value("error", "");
      ex.latency_ms = NumOf(e, "latency_ms");
      ex.input_tokens = e.value("input_tokens", std::int64_t{-1});
      ex.output_tokens = e.value("output_tokens", std::int64_t{-1});
      if (e.contains("cost_usd") && e["cost_usd"].is_number())
        ex.cost_usd = e["cost_usd"].get<double>();
      ex.cached = e.value("cached", false);
      ex.attempts = e.value("attempts", 0);
      ex.fields = e.value("fields", json::object());
      const json scores = e.value("metrics", json::object());
      for (auto& col : run.metrics) {
        const auto it = scores.find(col.spec.id);
        if (it != scores.end() && it->contains("stats") && (*it)["stats"].is_array()) {
          auto row = (*it)["stats"].get<std::vector<double>>();
          if (row.size() != col.width) {
            return bad("example " + std::to_string(i) + " metric '" + col.spec.id + "': expected " +
                       std::to_string(col.width) + " statistics, got " +
                       std::to_string(row.size()));
          }
          col.rows.push_back(std::move(row));
          col.values.push_back(NumOf(*it, "value"));
          col.failures.emplace_back();
        } else {
          col.rows.emplace_back();
          col.values.push_back(kNaN);
          col.failures.push_back(it != scores.end() ? it->value("error", "not scored")
                                                    : "not scored");
        }
      }
      run.examples.push_back(std::move(ex));
    }
    for (const auto& s : j.value("slices", json::array())) {
      SliceResult slice;
      slice.field = s.at("field").get<std::string>();
      slice.value = s.at("value").get<std::string>();
      slice.n = s.value("n", std::size_t{0});
      const json slice_metrics = s.value("metrics", json::object());
      for (const auto& item : slice_metrics.items()) {
        slice.metrics.emplace_back(item.key(), AggregateOf(item.value()));
      }
      run.slices.push_back(std::move(slice));
    }
    for (const auto& g : j.value("gaps", json::array())) {
      run.gaps.push_back({g.at("field").get<std::string>(), g.at("metric").get<std::string>(),
                          NumOf(g, "gap"), g.value("best", ""), g.value("worst", "")});
    }
    if (j.contains("fairness")) {
      const auto& f = j["fairness"];
      FairnessResult fr;
      fr.group_field = f.value("group_field", "");
      fr.positive = f.value("positive", "");
      for (const auto& g : f.value("groups", json::array())) {
        fr.groups.push_back({g.value("value", ""), g.value("n", std::size_t{0}),
                             NumOf(g, "selection_rate"), NumOf(g, "true_positive_rate"),
                             NumOf(g, "false_positive_rate")});
      }
      fr.demographic_parity_difference = NumOf(f, "demographic_parity_difference");
      fr.true_positive_rate_difference = NumOf(f, "true_positive_rate_difference");
      fr.false_positive_rate_difference = NumOf(f, "false_positive_rate_difference");
      fr.equalized_odds_difference = NumOf(f, "equalized_odds_difference");
      fr.excluded = f.value("excluded", std::size_t{0});
      run.fairness = std::move(fr);
    }
    if (j.contains("gate")) {
      run.gate_passed = j["gate"].value("passed", true);
      for (const auto& g : j["gate"].value("conditions", json::array())) {
        run.gate.push_back(
            {g.value("condition", ""), g.value("passed", false), g.value("detail", "")});
      }
    }
    return run;
  } catch (const json::exception& e) {
    return bad(std::string("malformed run: ") + e.what());
  }
}

std::optional<Error> SaveRun(const Run& run, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::kIo, dir + ": cannot create the run folder: " + ec.message());
  const fs::path base(dir);
  if (auto e =
          WriteText(base / "results.json",
                    RunToJson(run).dump(1, ' ', false, json::error_handler_t::replace) + "\n")) {
    return e;
  }
  if (auto e = WriteText(base / "junit.xml", RenderJunit(run))) return e;
  if (auto e = WriteText(base / "report.html", RenderHtml(run))) return e;
  return std::nullopt;
}

Result<Run> LoadRun(const std::string& dir_or_file) {
  std::string path = dir_or_file;
  std::error_code ec;
  if (fs::is_directory(path, ec)) path = (fs::path(path) / "results.json").string();
  auto text = ReadFile(path);
  if (!text) return std::unexpected(text.error());
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return MakeError(ErrorCode::kParse, path + ": malformed JSON");
  return RunFromJson(j, path);
}

}  // namespace yardstick::eval

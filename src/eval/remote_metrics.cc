#include "eval/remote_metrics.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <thread>

#include "metrics/perplexity.h"

namespace yardstick::eval {
namespace {

constexpr std::string_view kEndpointKeys[] = {"base_url",       "model",       "api_key_env",
                                              "temperature",    "concurrency", "max_retries",
                                              "timeout_seconds"};

bool IsEndpointKey(const std::string& key) {
  return std::find(std::begin(kEndpointKeys), std::end(kEndpointKeys), key) !=
         std::end(kEndpointKeys);
}

// The endpoint of a remote metric: the target's, overridden by the metric's options.
Result<EndpointSpec> EndpointFor(const MetricSpec& spec, const Suite& suite, std::string api) {
  EndpointSpec e;
  if (suite.target.type != "precomputed") e = suite.target.endpoint;
  e.api = std::move(api);
  const auto& o = spec.options;
  if (o.contains("base_url")) e.base_url = o["base_url"].get<std::string>();
  if (o.contains("model")) e.model = o["model"].get<std::string>();
  if (o.contains("api_key_env")) e.api_key_env = o["api_key_env"].get<std::string>();
  if (o.contains("temperature")) e.temperature = o["temperature"].get<double>();
  if (o.contains("concurrency")) e.concurrency = o["concurrency"].get<int>();
  if (o.contains("max_retries")) e.max_retries = o["max_retries"].get<int>();
  if (o.contains("timeout_seconds")) e.timeout_seconds = o["timeout_seconds"].get<double>();
  if (e.base_url.empty() || e.model.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "metric '" + spec.id +
                         "' needs an endpoint: give base_url and model in its options (the "
                         "target is precomputed)");
  }
  return e;
}

void ParallelFor(std::size_t n, int workers, const std::function<void(std::size_t)>& fn) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  const int count =
      std::max(1, std::min<int>(workers, static_cast<int>(std::max<std::size_t>(n, 1))));
  for (int w = 0; w < count; ++w) {
    threads.emplace_back([&]() {
      for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

// A scale bound as written ("1", "0.5").
std::string Bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string JoinReferences(const ExampleResult& ex) {
  std::string out;
  for (const auto& r : ex.references) out += (out.empty() ? "" : "\n") + r;
  return out.empty() ? "(none)" : out;
}

std::optional<std::string> CheckLogprobs(const nlohmann::json& r) {
  if (auto why = CheckCompletionResponse(r)) return why;
  const auto& choice = r["choices"][0];
  if (!choice.contains("logprobs") || !choice["logprobs"].is_object() ||
      !choice["logprobs"].contains("token_logprobs") ||
      !choice["logprobs"]["token_logprobs"].is_array()) {
    return "choices[0].logprobs.token_logprobs is missing (does the server support echo?)";
  }
  return std::nullopt;
}

Result<MetricColumn> Judge(const MetricSpec& spec, std::span<const ExampleResult> examples,
                           const Suite& suite, const RunOptions& options, Run& run) {
  auto endpoint = EndpointFor(spec, suite, "chat");
  if (!endpoint) return std::unexpected(endpoint.error());
  endpoint->max_tokens = spec.options.value("max_tokens", 512);
  auto client = MakeClient(*endpoint, options.use_cache ? suite.cache_dir : "", options.sleep);
  if (!client) return std::unexpected(client.error());
  const std::string rubric = spec.options["rubric"].get<std::string>();
  const int n = spec.options.value("n", 1);
  const double lo = spec.options.value("min", 1.0);
  const double hi = spec.options.value("max", 5.0);
  std::vector<std::optional<double>> values(examples.size());
  std::vector<std::string> reasons(examples.size());
  std::atomic<std::size_t> failures{0};
  std::atomic<std::size_t> calls{0};
  ParallelFor(examples.size(), endpoint->concurrency, [&](std::size_t i) {
    const ExampleResult& ex = examples[i];
    if (!ex.output) {
      reasons[i] = "target failed: " + ex.error;
      return;
    }
    const std::string prompt =
        "You are grading an answer against a rubric.\n\nRubric:\n" + rubric + "\n\nPrompt:\n" +
        ex.prompt + "\n\nReference answer(s):\n" + JoinReferences(ex) + "\n\nAnswer to grade:\n" +
        *ex.output +
        "\n\nGive a one-sentence justification, then a last line \"Score: <number from " +
        Bound(lo) + " to " + Bound(hi) + ">\".";
    double sum = 0;
    int ok = 0;
    std::string last_problem;
    for (int k = 0; k < n; ++k) {
      // The judgment index makes repeated judgments distinct requests (and cache entries).
      nlohmann::json body = {{"model", endpoint->model},
                             {"temperature", endpoint->temperature},
                             {"max_tokens", endpoint->max_tokens},
                             {"messages", {{{"role", "user"}, {"content", prompt}}}}};
      if (n > 1) body["seed"] = k;
      ++calls;
      CallResult r = (*client)->Call("/chat/completions", body,
                                     static_cast<double>(prompt.size()) / 4.0, CheckChatResponse);
      if (!r.ok) {
        ++failures;
        last_problem = "judge call failed: " + r.error;
        continue;
      }
      const std::string reply = r.response["choices"][0]["message"]["content"].get<std::string>();
      auto score = ExtractJudgeScore(reply, lo, hi);
      if (!score) {
        ++failures;
        std::string shown = reply.substr(0, 80);
        last_problem = "no score in the judge's reply: \"" + shown + "\"";
        continue;
      }
      sum += *score;
      ++ok;
    }
    if (ok > 0) {
      values[i] = sum / ok;
    } else {
      reasons[i] = last_problem;
    }
  });
  run.requests_sent += (*client)->requests_sent();
  run.cache_hits += (*client)->cache_hits();
  MetricColumn col = MeanColumn(spec, spec.id, true,
                                "kind:mean|judge:" + endpoint->model + "|n:" + std::to_string(n) +
                                    "|scale:" + Bound(lo) + "-" + Bound(hi),
                                values, reasons);
  col.binary = false;
  col.judge_failures = failures.load();
  col.judge_calls = calls.load();
  return col;
}

Result<MetricColumn> Perplexity(const MetricSpec& spec, std::span<const ExampleResult> examples,
                                const Suite& suite, const RunOptions& options, Run& run) {
  auto endpoint = EndpointFor(spec, suite, "completions");
  if (!endpoint) return std::unexpected(endpoint.error());
  auto client = MakeClient(*endpoint, options.use_cache ? suite.cache_dir : "", options.sleep);
  if (!client) return std::unexpected(client.error());
  const bool of_output = spec.options.value("text", std::string("reference")) == "output";
  MetricColumn col;
  col.spec = spec;
  col.display = "perplexity";
  col.kind = MetricKind::kPerplexity;
  col.higher_is_better = false;
  col.width = 2;
  col.signature = "kind:perplexity|model:" + endpoint->model +
                  "|text:" + (of_output ? "output" : "reference") + "|" +
                  metrics::Perplexity().signature().Format(false);
  col.rows.assign(examples.size(), std::nullopt);
  col.values.assign(examples.size(), std::numeric_limits<double>::quiet_NaN());
  col.failures.assign(examples.size(), "");
  ParallelFor(examples.size(), endpoint->concurrency, [&](std::size_t i) {
    const ExampleResult& ex = examples[i];
    std::string text;
    if (of_output) {
      if (!ex.output) {
        col.failures[i] = "target failed: " + ex.error;
        return;
      }
      text = *ex.output;
    } else {
      if (ex.references.empty()) {
        col.failures[i] = "no reference";
        return;
      }
      text = ex.references[0];
    }
    nlohmann::json body = {
        {"model", endpoint->model}, {"prompt", text},  {"echo", true}, {"logprobs", 1},
        {"max_tokens", 0},          {"temperature", 0}};
    CallResult r = (*client)->Call("/completions", body, static_cast<double>(text.size()) / 4.0,
                                   CheckLogprobs);
    if (!r.ok) {
      col.failures[i] = "perplexity call failed: " + r.error;
      return;
    }
    const auto& lp = r.response["choices"][0]["logprobs"];
    const auto& token_logprobs = lp["token_logprobs"];
    const nlohmann::json offsets = lp.value("text_offset", nlohmann::json());
    std::vector<double> values;
    for (std::size_t k = 1; k < token_logprobs.size(); ++k) {
      if (offsets.is_array() && k < offsets.size() && offsets[k].is_number() &&
          offsets[k].get<double>() >= static_cast<double>(text.size())) {
        break;  // a generated token after the echoed text
      }
      if (!token_logprobs[k].is_number()) {
        col.failures[i] = "token_logprobs[" + std::to_string(k) + "] is not a number";
        return;
      }
      values.push_back(token_logprobs[k].get<double>());
    }
    auto ppl = metrics::SequencePerplexity(values);
    if (!ppl) {
      col.failures[i] = "perplexity: " + ppl.error().message();
      return;
    }
    double sum = 0;
    for (double v : values) sum += v;
    col.rows[i] = std::vector<double>{sum, static_cast<double>(values.size())};
    col.values[i] = *ppl;
  });
  run.requests_sent += (*client)->requests_sent();
  run.cache_hits += (*client)->cache_hits();
  return col;
}

Result<MetricColumn> Similarity(const MetricSpec& spec, std::span<const ExampleResult> examples,
                                const Suite& suite, const RunOptions& options, Run& run) {
  auto endpoint = EndpointFor(spec, suite, "embeddings");
  if (!endpoint) return std::unexpected(endpoint.error());
  auto client = MakeClient(*endpoint, options.use_cache ? suite.cache_dir : "", options.sleep);
  if (!client) return std::unexpected(client.error());
  std::vector<std::optional<double>> values(examples.size());
  std::vector<std::string> reasons(examples.size());
  ParallelFor(examples.size(), endpoint->concurrency, [&](std::size_t i) {
    const ExampleResult& ex = examples[i];
    if (!ex.output) {
      reasons[i] = "target failed: " + ex.error;
      return;
    }
    if (ex.references.empty()) {
      reasons[i] = "no reference";
      return;
    }
    nlohmann::json body = {{"model", endpoint->model},
                           {"input", {*ex.output, ex.references[0]}},
                           {"encoding_format", "float"}};
    CallResult r = (*client)->Call(
        "/embeddings", body, static_cast<double>(ex.output->size() + ex.references[0].size()) / 4,
        CheckEmbeddingResponse);
    if (!r.ok) {
      reasons[i] = "embeddings call failed: " + r.error;
      return;
    }
    std::vector<std::vector<double>> vectors(2);
    for (const auto& d : r.response["data"]) {
      const std::size_t index = d.value("index", std::size_t{0});
      if (index < 2) vectors[index] = d["embedding"].get<std::vector<double>>();
    }
    if (vectors[0].empty() || vectors[0].size() != vectors[1].size()) {
      reasons[i] = "the embeddings response does not hold two vectors of one size";
      return;
    }
    double dot = 0, na = 0, nb = 0;
    for (std::size_t k = 0; k < vectors[0].size(); ++k) {
      dot += vectors[0][k] * vectors[1][k];
      na += vectors[0][k] * vectors[0][k];
      nb += vectors[1][k] * vectors[1][k];
    }
    if (na == 0 || nb == 0) {
      reasons[i] = "an embedding is all zeros";
      return;
    }
    values[i] = dot / std::sqrt(na * nb);
  });
  run.requests_sent += (*client)->requests_sent();
  run.cache_hits += (*client)->cache_hits();
  MetricColumn col =
      MeanColumn(spec, spec.id, true, "kind:mean|embeddings:" + endpoint->model + "|sim:cosine",
                 values, reasons);
  col.binary = false;
  return col;
}

}  // namespace

std::optional<Error> CheckRemoteMetricSpec(const MetricSpec& spec) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument, "metric '" + spec.name + "': " + why);
  };
  for (const auto& item : spec.options.items()) {
    const std::string& key = item.key();
    const auto& v = item.value();
    if (key == "base_url" || key == "model" || key == "api_key_env") {
      if (!v.is_string()) return bad("option '" + key + "': expected a string");
    } else if (key == "temperature" || key == "timeout_seconds") {
      if (!v.is_number()) return bad("option '" + key + "': expected a number");
    } else if (key == "concurrency" || key == "max_retries") {
      if (!v.is_number_integer() || v.get<int>() < (key == "concurrency" ? 1 : 0)) {
        return bad("option '" + key + "': expected a whole number");
      }
    } else if (spec.name == "judge" && key == "rubric") {
      if (!v.is_string() || v.get<std::string>().empty()) return bad("rubric: expected text");
    } else if (spec.name == "judge" && (key == "n" || key == "max_tokens")) {
      if (!v.is_number_integer() || v.get<int>() < 1 || v.get<int>() > 100000) {
        return bad("option '" + key + "': expected a whole number >= 1");
      }
    } else if (spec.name == "judge" && (key == "min" || key == "max")) {
      if (!v.is_number()) return bad("option '" + key + "': expected a number");
    } else if (spec.name == "perplexity" && key == "text") {
      if (v != "reference" && v != "output") return bad("text: expected reference or output");
    } else if (!IsEndpointKey(key)) {
      return bad("unknown option '" + key + "'");
    }
  }
  if (spec.name == "judge") {
    if (!spec.options.contains("rubric")) return bad("needs 'rubric: <what a good answer is>'");
    if (spec.options.value("min", 1.0) >= spec.options.value("max", 5.0)) {
      return bad("min must be below max");
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<OpenAiClient>> MakeClient(
    const EndpointSpec& endpoint, const std::string& cache_dir,
    const std::function<void(std::chrono::duration<double>)>& sleep) {
  ClientOptions options;
  options.endpoint = endpoint;
  options.cache_dir = cache_dir;
  options.sleep = sleep;
  if (!endpoint.api_key_env.empty()) {
    const char* key = std::getenv(endpoint.api_key_env.c_str());
    if (key == nullptr || *key == '\0') {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the API key variable " + endpoint.api_key_env + " is not set");
    }
    options.api_key = key;
  }
  return OpenAiClient::Create(std::move(options));
}

Result<MetricColumn> ScoreRemoteMetric(const MetricSpec& spec,
                                       std::span<const ExampleResult> examples, const Suite& suite,
                                       const RunOptions& options, Run& run) {
  if (spec.name == "judge") return Judge(spec, examples, suite, options, run);
  if (spec.name == "perplexity") return Perplexity(spec, examples, suite, options, run);
  return Similarity(spec, examples, suite, options, run);
}

std::optional<double> ExtractJudgeScore(const std::string& reply, double min, double max) {
  auto in_range = [&](double v) -> std::optional<double> {
    if (!std::isfinite(v) || v < min || v > max) return std::nullopt;
    return v;
  };
  // A JSON object with "score".
  const std::size_t open = reply.find('{');
  const std::size_t close = reply.rfind('}');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    auto json = nlohmann::json::parse(reply.substr(open, close - open + 1), nullptr, false);
    if (!json.is_discarded() && json.is_object()) {
      for (const char* key : {"score", "rating", "Score", "Rating"}) {
        if (json.contains(key)) {
          const auto& v = json[key];
          if (v.is_number()) return in_range(v.get<double>());
          if (v.is_string()) {
            char* end = nullptr;
            const double d = std::strtod(v.get_ref<const std::string&>().c_str(), &end);
            if (end != v.get_ref<const std::string&>().c_str()) return in_range(d);
          }
        }
      }
    }
  }
  auto last_match = [&](const std::regex& re) -> std::optional<double> {
    std::optional<double> found;
    for (auto it = std::sregex_iterator(reply.begin(), reply.end(), re);
         it != std::sregex_iterator(); ++it) {
      found = std::strtod((*it)[1].str().c_str(), nullptr);
    }
    return found;
  };
  static const std::regex kLabelled(
      R"((?:score|rating|grade)\s*[*_]*\s*(?:[:=]|is)?\s*[*_]*\s*\(?\s*([-+]?\d+(?:\.\d+)?))",
      std::regex::icase);
  if (auto v = last_match(kLabelled)) return in_range(*v);
  static const std::regex kFraction(R"(([-+]?\d+(?:\.\d+)?)\s*(?:/|out of)\s*\d+(?:\.\d+)?)",
                                    std::regex::icase);
  if (auto v = last_match(kFraction)) return in_range(*v);
  std::string trimmed = reply;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.pop_back();
  }
  std::size_t start = trimmed.find_first_not_of(" \t\r\n*");
  if (start == std::string::npos) return std::nullopt;
  trimmed = trimmed.substr(start);
  while (!trimmed.empty() && (trimmed.back() == '*' || trimmed.back() == '.')) trimmed.pop_back();
  char* end = nullptr;
  const double v = std::strtod(trimmed.c_str(), &end);
  if (end != trimmed.c_str() && *end == '\0') return in_range(v);
  return std::nullopt;
}

}  // namespace yardstick::eval

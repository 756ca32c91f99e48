// PushRun(): the run's per-example metric values as scores to `yardstick serve`.
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <thread>

#include "eval/eval.h"
#include "eval/openai_client.h"

namespace yardstick::eval {

namespace {

std::string CompactTime(const std::string& created) {
  std::string stamp;
  for (const char c : created) {
    if (c != '-' && c != ':') stamp += c;
  }
  return stamp;
}

}  // namespace

std::string RunId(const Run& run) {
  if (!run.id.empty()) return run.id;
  return run.suite_name + "-" + CompactTime(run.created);
}

std::string NewRunId(const std::string& suite_name, const std::string& created) {
  std::random_device device;
  const std::uint32_t bits = device() & 0xffffffu;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(bits));
  // "20261127T021350.123Z" -> "20261127T021350Z-123": no '.', so the id is never taken for a
  // file name in a URL path (the dashboard serves /evals/<id>).
  std::string stamp = CompactTime(created);
  std::string millis = "000";
  if (const auto dot = stamp.find('.'); dot != std::string::npos) {
    millis = stamp.substr(dot + 1, 3);
    stamp = stamp.substr(0, dot) + "Z";
  }
  return suite_name + "-" + stamp + "-" + millis + "-" + suffix;
}

Result<bool> PushRunDocument(const Run& run, const std::string& url, const std::string& api_key) {
  const std::size_t scheme = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
  if (scheme == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "server url '" + url + "': expected http[s]://host[:port]");
  }
  const std::size_t slash = url.find('/', scheme);
  httplib::Client client(slash == std::string::npos ? url : url.substr(0, slash));
  client.set_connection_timeout(10, 0);
  client.set_read_timeout(60, 0);
  const httplib::Headers headers = {{"Authorization", "Bearer " + api_key}};
  const std::string body =
      RunToJson(run).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (int attempt = 0;; ++attempt) {
    auto res = client.Post("/v1/eval-runs", headers, body, "application/json");
    if (res && (res->status == 200 || res->status == 201)) return res->status == 201;
    if (!res && attempt >= 4) {
      return MakeError(ErrorCode::kIo, url + ": " + httplib::to_string(res.error()));
    }
    if (res && ((res->status != 429 && res->status != 503) || attempt >= 4)) {
      return MakeError(ErrorCode::kIo, url + "/v1/eval-runs: HTTP " + std::to_string(res->status) +
                                           ": " + res->body.substr(0, 300));
    }
    auto wait = res ? ParseRetryAfter(res->get_header_value("Retry-After"),
                                      std::chrono::system_clock::now())
                    : std::nullopt;
    std::this_thread::sleep_for(wait.value_or(std::chrono::duration<double>(1 << attempt)));
  }
}

Result<PushResult> PushRun(const Run& run, const std::string& url, const std::string& api_key) {
  const std::size_t scheme = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
  if (scheme == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "server url '" + url + "': expected http[s]://host[:port]");
  }
  const std::size_t slash = url.find('/', scheme);
  const std::string host = slash == std::string::npos ? url : url.substr(0, slash);
  httplib::Client client(host);
  client.set_connection_timeout(10, 0);
  client.set_read_timeout(60, 0);
  client.set_tcp_nodelay(true);
  const httplib::Headers headers = {{"Authorization", "Bearer " + api_key}};
  const std::string run_id = RunId(run);
  PushResult result;
  result.run_id = run_id;
  std::string body;
  std::size_t in_body = 0;
  auto flush = [&]() -> std::optional<Error> {
    if (in_body == 0) return std::nullopt;
    for (int attempt = 0;; ++attempt) {
      auto res = client.Post("/v1/scores", headers, body, "application/x-ndjson");
      if (!res) {
        if (attempt >= 4) {
          return Error(ErrorCode::kIo, url + ": " + httplib::to_string(res.error()));
        }
      } else if (res->status == 200) {
        auto doc = nlohmann::json::parse(res->body, nullptr, false);
        if (doc.is_discarded()) return Error(ErrorCode::kParse, url + ": malformed response");
        result.stored += doc.value("stored", std::size_t{0});
        result.duplicates += doc.value("duplicates", std::size_t{0});
        result.rejected += doc.value("rejected", std::size_t{0});
        if (doc.contains("errors") && doc["errors"].is_array() && !doc["errors"].empty() &&
            result.first_rejection.empty()) {
          result.first_rejection = doc["errors"][0].dump();
        }
        break;
      } else if ((res->status != 429 && res->status != 503) || attempt >= 4) {
        return Error(ErrorCode::kIo, url + "/v1/scores: HTTP " + std::to_string(res->status) +
                                         ": " + res->body.substr(0, 300));
      }
      auto wait = res ? ParseRetryAfter(res->get_header_value("Retry-After"),
                                        std::chrono::system_clock::now())
                      : std::nullopt;
      std::this_thread::sleep_for(wait.value_or(std::chrono::duration<double>(1 << attempt)));
    }
    body.clear();
    in_body = 0;
    return std::nullopt;
  };
  for (std::size_t i = 0; i < run.examples.size(); ++i) {
    const ExampleResult& ex = run.examples[i];
    for (const MetricColumn& m : run.metrics) {
      // A ranking metric's per-example value is the score it ranks by, not a value of the
      // metric: nothing to push.
      if (!std::isfinite(m.values[i]) || !IsAdditive(m.kind)) continue;
      nlohmann::json score = {{"type", "score"},
                              {"id", run_id + ":" + ex.id + ":" + m.spec.id},
                              {"name", "eval." + m.spec.id},
                              {"value", m.values[i]},
                              {"source", m.spec.name == "judge" ? "judge" : "metric"},
                              {"conversation_id", "eval-run:" + run_id},
                              {"author", "yardstick eval " + run.suite_name},
                              {"comment", "example " + ex.id},
                              {"time", run.created}};
      body += score.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      ++in_body;
      ++result.sent;
      if (in_body == 5000) {
        if (auto error = flush()) return std::unexpected(*error);
      }
    }
  }
  if (auto error = flush()) return std::unexpected(*error);
  return result;
}

}  // namespace yardstick::eval

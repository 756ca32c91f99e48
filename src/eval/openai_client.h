#pragma once
// A client for OpenAI-compatible endpoints (/chat/completions, /completions, /embeddings) as an
// evaluator uses them: bounded concurrency is the caller's (one call per thread), and the client
// adds rate limits, retries, timeouts and the response cache.
//
// A call:
//   1. looks the request up in the cache; a hit returns at once (cached = true);
//   2. waits for the rate limiter (requests and estimated tokens per minute);
//   3. POSTs the JSON body to base_url + path with "Authorization: Bearer <key>" when a key is
//      set, and a read/write timeout of timeout_seconds;
//   4. retries on a connection error or timeout, on 429 and 5xx, and on a 200 whose body is not
//      the JSON the caller expects (`check`): up to max_retries more attempts. The wait is the
//      response's Retry-After (seconds, or an HTTP date) when it has one, else exponential
//      backoff backoff_initial * 2^attempt, capped at backoff_max. Other 4xx statuses fail
//      at once;
//   5. stores a successful response in the cache.
// Failures are values (CallResult.ok == false with the last error); nothing throws.
//
// Base URLs are http:// or https:// (cpp-httplib with OpenSSL, verifying certificates).
//
// Thread safety: Call() may be called from many threads; each checks a connection out of a pool.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "eval/rate_limiter.h"
#include "eval/response_cache.h"
#include "eval/suite.h"

namespace httplib {
class Client;
}

namespace yardstick::eval {

struct CallResult {
  bool ok = false;
  nlohmann::json response;  // the parsed response (ok)
  std::string error;        // the last error (not ok)
  int status = 0;           // the last HTTP status (0: no response)
  int attempts = 0;         // HTTP requests sent (0 on a cache hit)
  bool cached = false;
  double latency_ms = 0;  // of the successful attempt (the original one on a cache hit)
};

struct ClientOptions {
  EndpointSpec endpoint;
  std::string api_key;    // sent as a bearer token when not empty
  std::string cache_dir;  // empty: no cache
  // How the client waits between attempts and for the rate limiter; tests replace it to record
  // the waits instead of sleeping.
  std::function<void(std::chrono::duration<double>)> sleep;
};

// Checks a 200 response: nullopt when it is usable, else why not (then the call is retried).
using ResponseCheck = std::function<std::optional<std::string>(const nlohmann::json&)>;

class OpenAiClient {
 public:
  // Errors: a base URL that is not http://host[:port][/prefix].
  static Result<std::unique_ptr<OpenAiClient>> Create(ClientOptions options);
  ~OpenAiClient();

  // POSTs `body` to base_url + `path` ("/chat/completions", ...). `estimated_tokens` feeds the
  // tokens-per-minute limit.
  CallResult Call(const std::string& path, const nlohmann::json& body, double estimated_tokens,
                  const ResponseCheck& check);

  // HTTP requests sent so far, and cache hits.
  long requests_sent() const { return requests_sent_.load(); }
  long cache_hits() const { return cache_hits_.load(); }

  const EndpointSpec& endpoint() const { return options_.endpoint; }

 private:
  explicit OpenAiClient(ClientOptions options, std::string host, std::string prefix);
  std::unique_ptr<httplib::Client> Checkout();
  void Checkin(std::unique_ptr<httplib::Client> client);
  void Wait(std::chrono::duration<double> d) const;

  ClientOptions options_;
  std::string host_;    // scheme://host:port
  std::string prefix_;  // the path of the base URL, e.g. "/v1"
  ResponseCache cache_;
  RateLimiter limiter_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<httplib::Client>> pool_;
  std::atomic<long> requests_sent_{0};
  std::atomic<long> cache_hits_{0};
};

// The wait a Retry-After header asks for: delta-seconds or an HTTP date; nullopt when absent or
// unreadable.
std::optional<std::chrono::duration<double>> ParseRetryAfter(
    const std::string& value, std::chrono::system_clock::time_point now);

// Response checks for the three APIs.
std::optional<std::string> CheckChatResponse(const nlohmann::json& response);
std::optional<std::string> CheckCompletionResponse(const nlohmann::json& response);
std::optional<std::string> CheckEmbeddingResponse(const nlohmann::json& response);

}  // namespace yardstick::eval

#include "eval/openai_client.h"

#include <httplib.h>

#include <cmath>
#include <ctime>
#include <thread>

namespace yardstick::eval {
namespace {

bool Retryable(int status) { return status == 429 || status == 408 || status >= 500; }

}  // namespace

std::optional<std::chrono::duration<double>> ParseRetryAfter(
    const std::string& value, std::chrono::system_clock::time_point now) {
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(value.c_str(), &end);
  if (end != value.c_str() && *end == '\0' && std::isfinite(seconds) && seconds >= 0) {
    return std::chrono::duration<double>(seconds);
  }
  // An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  if (strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return std::nullopt;
  const auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (when <= now) return std::chrono::duration<double>(0);
  return std::chrono::duration<double>(when - now);
}

std::optional<std::string> CheckChatResponse(const nlohmann::json& r) {
  if (!r.is_object() || !r.contains("choices") || !r["choices"].is_array() ||
      r["choices"].empty()) {
    return "the response has no choices";
  }
  const auto& choice = r["choices"][0];
  if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object()) {
    return "choices[0] has no message";
  }
  const auto& content = choice["message"].value("content", nlohmann::json());
  if (!content.is_string()) return "choices[0].message.content is not a string";
  return std::nullopt;
}

std::optional<std::string> CheckCompletionResponse(const nlohmann::json& r) {
  if (!r.is_object() || !r.contains("choices") || !r["choices"].is_array() ||
      r["choices"].empty()) {
    return "the response has no choices";
  }
  const auto& choice = r["choices"][0];
  if (!choice.is_object() || !choice.contains("text") || !choice["text"].is_string()) {
    return "choices[0].text is not a string";
  }
  return std::nullopt;
}

std::optional<std::string> CheckEmbeddingResponse(const nlohmann::json& r) {
  if (!r.is_object() || !r.contains("data") || !r["data"].is_array() || r["data"].empty()) {
    return "the response has no data";
  }
  for (const auto& d : r["data"]) {
    if (!d.is_object() || !d.contains("embedding") || !d["embedding"].is_array()) {
      return "data[].embedding is not a list";
    }
    for (const auto& x : d["embedding"]) {
      if (!x.is_number()) return "data[].embedding holds a value that is not a number";
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<OpenAiClient>> OpenAiClient::Create(ClientOptions options) {
  const std::string& url = options.endpoint.base_url;
  const std::size_t scheme = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
  if (scheme == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "base_url '" + url + "': expected http[s]://host[:port][/path]");
  }
  const std::size_t slash = url.find('/', scheme);
  std::string host = slash == std::string::npos ? url : url.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (host.size() <= scheme) return MakeError(ErrorCode::kInvalidArgument, "base_url has no host");
  return std::unique_ptr<OpenAiClient>(
      new OpenAiClient(std::move(options), std::move(host), std::move(prefix)));
}

OpenAiClient::OpenAiClient(ClientOptions options, std::string host, std::string prefix)
    : options_(std::move(options)),
      host_(std::move(host)),
      prefix_(std::move(prefix)),
      cache_(options_.cache_dir),
      limiter_(options_.endpoint.requests_per_minute, options_.endpoint.tokens_per_minute) {}

OpenAiClient::~OpenAiClient() = default;

std::unique_ptr<httplib::Client> OpenAiClient::Checkout() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto client = std::move(pool_.back());
      pool_.pop_back();
      return client;
    }
  }
  auto client = std::make_unique<httplib::Client>(host_);
  const double timeout = options_.endpoint.timeout_seconds;
  const auto sec = static_cast<time_t>(timeout);
  const auto usec = static_cast<time_t>((timeout - static_cast<double>(sec)) * 1e6);
  client->set_connection_timeout(sec, usec);
  client->set_read_timeout(sec, usec);
  client->set_write_timeout(sec, usec);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // headers and body go in two writes: no Nagle delay
  return client;
}

void OpenAiClient::Checkin(std::unique_ptr<httplib::Client> client) {
  std::lock_guard lock(pool_mutex_);
  pool_.push_back(std::move(client));
}

void OpenAiClient::Wait(std::chrono::duration<double> d) const {
  if (d.count() <= 0) return;
  if (options_.sleep) {
    options_.sleep(d);
  } else {
    std::this_thread::sleep_for(d);
  }
}

CallResult OpenAiClient::Call(const std::string& path, const nlohmann::json& body,
                              double estimated_tokens, const ResponseCheck& check) {
  CallResult result;
  const std::string payload = body.dump();
  const std::string key = ResponseCache::Key(prefix_ + path, payload);
  if (auto hit = cache_.Get(key)) {
    nlohmann::json response = nlohmann::json::parse(hit->body, nullptr, false);
    if (!response.is_discarded() && !check(response)) {
      result.ok = true;
      result.cached = true;
      result.response = std::move(response);
      result.latency_ms = hit->latency_ms;
      result.status = 200;
      ++cache_hits_;
      return result;
    }
  }
  httplib::Headers headers;
  if (!options_.api_key.empty()) {
    headers.emplace("Authorization", "Bearer " + options_.api_key);
  }
  const EndpointSpec& e = options_.endpoint;
  for (int attempt = 0; attempt <= e.max_retries; ++attempt) {
    Wait(limiter_.Reserve(RateLimiter::Clock::now(), estimated_tokens));
    auto client = Checkout();
    const auto start = std::chrono::steady_clock::now();
    ++requests_sent_;
    ++result.attempts;
    auto res = client->Post(prefix_ + path, headers, payload, "application/json");
    const double latency =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::optional<std::chrono::duration<double>> retry_after;
    bool retry = true;
    if (!res) {
      result.status = 0;
      result.error = "request failed: " + httplib::to_string(res.error());
      client.reset();  // the connection may be in any state
    } else {
      result.status = res->status;
      if (res->status == 200) {
        nlohmann::json response = nlohmann::json::parse(res->body, nullptr, false);
        if (response.is_discarded()) {
          result.error = "malformed JSON in the response";
        } else if (auto why = check(response)) {
          result.error = "unexpected response: " + *why;
        } else {
          Checkin(std::move(client));
          result.ok = true;
          result.error.clear();
          result.latency_ms = latency;
          if (auto stored = cache_.Put(key, {res->body, latency})) result.error = stored->message();
          result.response = std::move(response);
          return result;
        }
      } else {
        std::string snippet = res->body.substr(0, 200);
        result.error = "HTTP " + std::to_string(res->status) +
                       (snippet.empty() ? std::string() : ": " + snippet);
        retry = Retryable(res->status);
        if (res->has_header("Retry-After")) {
          retry_after = ParseRetryAfter(res->get_header_value("Retry-After"),
                                        std::chrono::system_clock::now());
        }
      }
      if (client) Checkin(std::move(client));
    }
    if (!retry || attempt == e.max_retries) break;
    if (retry_after) {
      Wait(*retry_after);
    } else {
      const double backoff =
          std::min(e.backoff_max_seconds, e.backoff_initial_seconds * std::pow(2.0, attempt));
      Wait(std::chrono::duration<double>(backoff));
    }
  }
  return result;
}

}  // namespace yardstick::eval

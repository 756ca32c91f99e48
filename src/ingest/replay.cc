#include "ingest/replay.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

namespace yardstick::ingest {
namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

constexpr size_t kMaxListed = 20;  // rejections and failure messages kept in the report

struct Endpoint {
  std::string scheme_host_port;  // "http://127.0.0.1:8080"
  std::string path;              // "/v1/events", after the URL's path prefix if any
};

Result<Endpoint> ParseUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--url '" + url + "': expected http://host[:port] or https://host[:port]");
  }
  const std::string rest = url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  const std::string host = rest.substr(0, slash);
  if (host.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "--url '" + url + "': the host is missing");
  }
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return Endpoint{scheme + "://" + host, prefix + "/v1/events"};
}

struct PendingBatch {
  std::string body;
  std::vector<size_t> lines;  // the input line of each record
};

// A bounded queue from the reader to the senders. Close() ends it after the queued batches;
// Abort() drops them.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // False when the run was aborted.
  bool Push(PendingBatch batch) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return aborted_ || queue_.size() < capacity_; });
    if (aborted_) return false;
    queue_.push_back(std::move(batch));
    not_empty_.notify_one();
    return true;
  }
  std::optional<PendingBatch> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return aborted_ || closed_ || !queue_.empty(); });
    if (aborted_ || queue_.empty()) return std::nullopt;
    PendingBatch batch = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return batch;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void Abort() {
    std::lock_guard lock(mu_);
    aborted_ = true;
    queue_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<PendingBatch> queue_;
  size_t capacity_;
  bool closed_ = false;
  bool aborted_ = false;
};

// What the senders share: the report under a mutex.
struct Tally {
  std::mutex mu;
  ReplayReport report;
  std::vector<double> latencies_ms;
};

// Retry-After in seconds (the delta-seconds form), or -1.
double RetryAfterSeconds(const httplib::Response& response) {
  const std::string value = response.get_header_value("Retry-After");
  if (value.empty() || value.size() > 6 ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  return std::stod(value);
}

// The message of an {"error": {"code", "message"}} answer, or the start of the body.
std::string ErrorMessage(const httplib::Response& response) {
  std::string message = "HTTP " + std::to_string(response.status);
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const auto& error = body["error"];
    message +=
        ": " + error.value("code", std::string()) + ": " + error.value("message", std::string());
  } else if (!response.body.empty()) {
    message += ": " + response.body.substr(0, 200);
  }
  return message;
}

size_t JsonCount(const nlohmann::json& body, const char* key, size_t fallback) {
  if (body.is_object() && body.contains(key) && body[key].is_number_unsigned()) {
    return body[key].get<size_t>();
  }
  return fallback;
}

class Sender {
 public:
  Sender(const Endpoint& endpoint, const ReplayOptions& options, BatchQueue& queue, Tally& tally,
         std::atomic<bool>& aborted, unsigned seed)
      : endpoint_(endpoint),
        options_(options),
        queue_(queue),
        tally_(tally),
        aborted_(aborted),
        client_(endpoint.scheme_host_port),
        jitter_(seed) {
    const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(
        Seconds(std::max(options.timeout_s, 0.001)));
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);  // headers and body are separate writes: no Nagle delay
    client_.set_connection_timeout(timeout);
    client_.set_read_timeout(timeout);
    client_.set_write_timeout(timeout);
    client_.set_compress(options.gzip);
    if (!options.api_key.empty()) headers_.emplace("Authorization", "Bearer " + options.api_key);
  }

  void Run() {
    while (auto batch = queue_.Pop()) Send(*batch);
  }

 private:
  void Send(const PendingBatch& batch) {
    size_t retries = 0;
    std::string failure;
    std::optional<nlohmann::json> answer;
    double latency_ms = 0;
    for (int attempt = 0;; ++attempt) {
      const auto start = Clock::now();
      auto result = client_.Post(endpoint_.path, headers_, batch.body, "application/x-ndjson");
      latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      double wait_s = -1;
      if (!result) {
        failure = "no answer: " + httplib::to_string(result.error());
      } else if (result->status >= 200 && result->status < 300) {
        answer = nlohmann::json::parse(result->body, nullptr, false);
        break;
      } else if (result->status == 429 || result->status == 503) {
        failure = ErrorMessage(*result);
        wait_s = RetryAfterSeconds(*result);
      } else {
        failure = ErrorMessage(*result);
        if (result->status == 401 || result->status == 403) {
          aborted_ = true;
          queue_.Abort();
        }
        break;
      }
      if (attempt >= options_.max_retries || aborted_) break;
      ++retries;
      if (wait_s < 0) {  // exponential backoff from 100 ms, with jitter
        wait_s = 0.1 * std::ldexp(1.0, attempt) *
                 std::uniform_real_distribution<double>(0.5, 1.5)(jitter_);
      }
      std::this_thread::sleep_for(Seconds(std::min(wait_s, options_.max_backoff_s)));
    }
    Record(batch, retries, answer, failure, latency_ms);
  }

  void Record(const PendingBatch& batch, size_t retries,
              const std::optional<nlohmann::json>& answer, const std::string& failure,
              double latency_ms) {
    const size_t n = batch.lines.size();
    std::lock_guard lock(tally_.mu);
    ReplayReport& r = tally_.report;
    ++r.batches;
    r.records_sent += n;
    r.retries += retries;
    if (!answer) {
      ++r.batches_failed;
      r.records_failed += n;
      if (r.failures.size() < kMaxListed) {
        r.failures.push_back("batch of " + std::to_string(n) + " records from line " +
                             std::to_string(batch.lines.front()) + ": " + failure);
      }
      return;
    }
    tally_.latencies_ms.push_back(latency_ms);
    const size_t rejected = JsonCount(*answer, "rejected", 0);
    r.records_rejected += rejected;
    r.records_accepted += JsonCount(*answer, "accepted", n - std::min(n, rejected));
    if (!answer->is_object() || !answer->contains("errors") || !(*answer)["errors"].is_array()) {
      return;
    }
    for (const auto& error : (*answer)["errors"]) {
      if (!error.is_object()) continue;
      const size_t index = JsonCount(error, "index", n);
      ReplayRejection rejection;
      rejection.line = index < n ? batch.lines[index] : 0;
      rejection.path = error.value("path", std::string());
      rejection.reason = error.value("reason", std::string());
      r.first_rejections.push_back(std::move(rejection));
    }
    // Keep the earliest lines only.
    if (r.first_rejections.size() > kMaxListed) {
      std::stable_sort(r.first_rejections.begin(), r.first_rejections.end(),
                       [](const auto& a, const auto& b) { return a.line < b.line; });
      r.first_rejections.resize(kMaxListed);
    }
  }

  const Endpoint& endpoint_;
  const ReplayOptions& options_;
  BatchQueue& queue_;
  Tally& tally_;
  std::atomic<bool>& aborted_;
  httplib::Client client_;
  httplib::Headers headers_;
  std::mt19937 jitter_;
};

bool IsBlank(const std::string& line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

Result<ReplayReport> Replay(const LineSource& source, const ReplayOptions& options) {
  auto endpoint = ParseUrl(options.url);
  if (!endpoint) return std::unexpected(endpoint.error());
  if (options.batch < 1 || options.concurrency < 1 || !(options.rate >= 0) ||
      options.max_retries < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--batch and --concurrency must be at least 1, --rate and retries at least 0");
  }

  BatchQueue queue(2 * static_cast<size_t>(options.concurrency));
  Tally tally;
  std::atomic<bool> aborted{false};
  std::vector<std::unique_ptr<Sender>> senders;
  std::vector<std::thread> threads;
  for (int i = 0; i < options.concurrency; ++i) {
    senders.push_back(std::make_unique<Sender>(*endpoint, options, queue, tally, aborted,
                                               static_cast<unsigned>(i + 1)));
  }
  const auto start = Clock::now();
  for (auto& sender : senders) threads.emplace_back([&sender] { sender->Run(); });

  // Read, batch and pace: the batch that starts with record k leaves at start + k / rate.
  size_t line_number = 0;
  size_t queued_records = 0;
  PendingBatch batch;
  std::string line;
  auto flush = [&] {
    if (batch.lines.empty()) return true;
    if (options.rate > 0) {
      std::this_thread::sleep_until(
          start + std::chrono::duration_cast<Clock::duration>(
                      Seconds(static_cast<double>(queued_records) / options.rate)));
    }
    queued_records += batch.lines.size();
    const bool ok = queue.Push(std::move(batch));
    batch = PendingBatch();
    return ok;
  };
  while (!aborted && source(line)) {
    ++line_number;
    if (IsBlank(line)) continue;
    batch.body += line;
    batch.body += '\n';
    batch.lines.push_back(line_number);
    if (batch.lines.size() >= options.batch && !flush()) break;
  }
  if (!aborted) flush();
  queue.Close();
  for (auto& thread : threads) thread.join();

  ReplayReport report = std::move(tally.report);
  report.aborted = aborted;
  report.elapsed_s = Seconds(Clock::now() - start).count();
  report.records_per_s =
      report.elapsed_s > 0 ? static_cast<double>(report.records_sent) / report.elapsed_s : 0;
  auto& latencies = tally.latencies_ms;
  std::sort(latencies.begin(), latencies.end());
  report.latency_p50_ms = Percentile(latencies, 50);
  report.latency_p95_ms = Percentile(latencies, 95);
  report.latency_p99_ms = Percentile(latencies, 99);
  report.latency_max_ms = latencies.empty() ? 0 : latencies.back();
  std::stable_sort(report.first_rejections.begin(), report.first_rejections.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  return report;
}

std::string FormatReplayReportText(const ReplayReport& r) {
  char buf[512];
  std::string out;
  std::snprintf(buf, sizeof buf,
                "records   %zu sent, %zu accepted, %zu rejected, %zu in failed batches\n"
                "batches   %zu (%zu failed, %zu retries)%s\n"
                "elapsed   %.3f s, %.0f records/s\n"
                "latency   p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (per batch)\n",
                r.records_sent, r.records_accepted, r.records_rejected, r.records_failed, r.batches,
                r.batches_failed, r.retries,
                r.aborted ? "; stopped: the server refused the API key" : "", r.elapsed_s,
                r.records_per_s, r.latency_p50_ms, r.latency_p95_ms, r.latency_p99_ms,
                r.latency_max_ms);
  out += buf;
  if (!r.first_rejections.empty()) {
    out += "rejected records (first " + std::to_string(r.first_rejections.size()) + "):\n";
    for (const auto& rejection : r.first_rejections) {
      out += "  line " + std::to_string(rejection.line) + ": " + rejection.path + ": " +
             rejection.reason + "\n";
    }
  }
  if (!r.failures.empty()) {
    out += "failed batches:\n";
    for (const auto& failure : r.failures) out += "  " + failure + "\n";
  }
  return out;
}

std::string FormatReplayReportJson(const ReplayReport& r) {
  nlohmann::json rejections = nlohmann::json::array();
  for (const auto& rejection : r.first_rejections) {
    rejections.push_back(
        {{"line", rejection.line}, {"path", rejection.path}, {"reason", rejection.reason}});
  }
  const nlohmann::json out = {
      {"records_sent", r.records_sent},
      {"records_accepted", r.records_accepted},
      {"records_rejected", r.records_rejected},
      {"records_failed", r.records_failed},
      {"batches", r.batches},
      {"batches_failed", r.batches_failed},
      {"retries", r.retries},
      {"aborted", r.aborted},
      {"elapsed_s", r.elapsed_s},
      {"records_per_s", r.records_per_s},
      {"latency_ms",
       {{"p50", r.latency_p50_ms},
        {"p95", r.latency_p95_ms},
        {"p99", r.latency_p99_ms},
        {"max", r.latency_max_ms}}},
      {"first_rejections", std::move(rejections)},
      {"failures", r.failures},
  };
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace yardstick::ingest

// Replay against a small HTTP server started inside the test: batching, headers, gzip, retries
// with Retry-After, failures, aborting on a refused key, pacing, and the report.

#include "ingest/replay.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ingest/events.h"

namespace yardstick::ingest {
namespace {

using nlohmann::json;

// What the fake server saw of one request.
struct Seen {
  std::string path;
  std::string authorization;
  std::string content_type;
  std::string content_encoding;
  std::string body;  // after decompression
};

// Answers POSTs like the real /v1/events: it parses the body with ParseEvents and reports
// accepted and rejected records. `respond` may override the answer (return true when it did).
class FakeServer {
 public:
  using Responder = std::function<bool(size_t request, httplib::Response&)>;

  explicit FakeServer(Responder respond = nullptr) : respond_(std::move(respond)) {
    server_.Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      size_t request = 0;
      {
        std::lock_guard lock(mu_);
        request = seen_.size();
        seen_.push_back({req.path, req.get_header_value("Authorization"),
                         req.get_header_value("Content-Type"),
                         req.get_header_value("Content-Encoding"), req.body});
      }
      const int now = ++in_flight_;
      int max = max_in_flight_;
      while (now > max && !max_in_flight_.compare_exchange_weak(max, now)) {
      }
      if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
      --in_flight_;
      if (respond_ && respond_(request, res)) return;
      auto parsed = ParseEvents(req.body, {});
      if (!parsed) {
        res.status = 400;
        res.set_content(
            json{{"error", {{"code", "invalid_argument"}, {"message", parsed.error().message()}}}}
                .dump(),
            "application/json");
        return;
      }
      json errors = json::array();
      for (const auto& r : parsed->rejections) {
        errors.push_back(
            {{"index", r.index}, {"line", r.line}, {"path", r.path}, {"reason", r.reason}});
      }
      res.set_content(json{{"accepted", parsed->batch.size()},
                           {"rejected", parsed->rejections.size()},
                           {"errors", errors}}
                          .dump(),
                      "application/json");
    });
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would be lost.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeServer() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  size_t records_received() {
    size_t n = 0;
    for (const auto& s : seen()) n += ParseEvents(s.body, {})->records;
    return n;
  }
  void set_delay_ms(int ms) { delay_ms_ = ms; }
  int max_in_flight() const { return max_in_flight_; }

 private:
  Responder respond_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::atomic<int> delay_ms_{0};
};

class ReplayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
};

std::string ScoreLine(int i) {
  return R"({"type":"score","name":"thumbs","value":1,"id":"s)" + std::to_string(i) + "\"}";
}

LineSource FromLines(std::vector<std::string> lines) {
  auto data = std::make_shared<std::vector<std::string>>(std::move(lines));
  auto next = std::make_shared<size_t>(0);
  return [data, next](std::string& line) {
    if (*next >= data->size()) return false;
    line = (*data)[(*next)++];
    return true;
  };
}

std::vector<std::string> Scores(int n) {
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) lines.push_back(ScoreLine(i));
  return lines;
}

ReplayOptions Options(const FakeServer& server) {
  ReplayOptions options;
  options.url = server.url();
  options.api_key = "test-key";
  options.max_backoff_s = 0.05;
  return options;
}

TEST_F(ReplayTest, SendsEveryRecordInBatches) {
  FakeServer server;
  ReplayOptions options = Options(server);
  options.batch = 1000;
  options.concurrency = 2;
  auto report = Replay(FromLines(Scores(2500)), options);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_EQ(report->records_sent, 2500u);
  EXPECT_EQ(report->records_accepted, 2500u);
  EXPECT_EQ(report->records_rejected, 0u);
  EXPECT_EQ(report->batches, 3u);
  EXPECT_EQ(report->batches_failed, 0u);
  EXPECT_EQ(report->retries, 0u);
  EXPECT_FALSE(report->aborted);
  EXPECT_GT(report->elapsed_s, 0);
  EXPECT_GT(report->latency_p50_ms, 0);
  EXPECT_LE(report->latency_p50_ms, report->latency_p95_ms);
  EXPECT_LE(report->latency_p99_ms, report->latency_max_ms);
  EXPECT_EQ(server.records_received(), 2500u);
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 3u);
  std::multiset<size_t> sizes;
  for (const auto& s : seen) {
    EXPECT_EQ(s.path, "/v1/events");
    EXPECT_EQ(s.authorization, "Bearer test-key");
    EXPECT_EQ(s.content_type, "application/x-ndjson");
    EXPECT_EQ(s.content_encoding, "");
    sizes.insert(static_cast<size_t>(std::count(s.body.begin(), s.body.end(), '\n')));
  }
  EXPECT_EQ(sizes, (std::multiset<size_t>{500, 1000, 1000}));
}

TEST_F(ReplayTest, RejectionsPointAtInputLines) {
  FakeServer server;
  ReplayOptions options = Options(server);
  options.batch = 3;
  options.concurrency = 1;
  std::vector<std::string> lines = {ScoreLine(0), "",
                                    ScoreLine(1), ScoreLine(2),
                                    "  ",         R"({"type":"score","name":"x","valu":1})",
                                    ScoreLine(3), R"({"type":"score"})"};
  auto report = Replay(FromLines(lines), options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->records_sent, 6u);  // blank lines are not sent
  EXPECT_EQ(report->records_accepted, 4u);
  EXPECT_EQ(report->records_rejected, 2u);
  EXPECT_EQ(report->batches, 2u);
  ASSERT_EQ(report->first_rejections.size(), 2u);
  EXPECT_EQ(report->first_rejections[0].line, 6u);
  EXPECT_EQ(report->first_rejections[0].path, "$.valu");
  EXPECT_EQ(report->first_rejections[0].reason, "unknown field 'valu' (did you mean 'value'?)");
  EXPECT_EQ(report->first_rejections[1].line, 8u);
  EXPECT_EQ(report->first_rejections[1].path, "$.name");
  const std::string text = FormatReplayReportText(*report);
  EXPECT_NE(text.find("line 6: $.valu: unknown field 'valu'"), std::string::npos) << text;
}

TEST_F(ReplayTest, Gzip) {
  FakeServer server;
  ReplayOptions options = Options(server);
  options.gzip = true;
  auto report = Replay(FromLines(Scores(300)), options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->records_accepted, 300u);
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].content_encoding, "gzip");
  EXPECT_EQ(seen[0].body.rfind(ScoreLine(0) + "\n" + ScoreLine(1) + "\n", 0), 0u);
}

TEST_F(ReplayTest, RetriesOn429And503HonouringRetryAfter) {
  FakeServer server([](size_t request, httplib::Response& res) {
    if (request == 0) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content(R"({"error":{"code":"rate_limited","message":"slow down"}})",
                      "application/json");
      return true;
    }
    if (request == 1) {
      res.status = 503;
      res.set_header("Retry-After", "0");
      return true;
    }
    return false;
  });
  ReplayOptions options = Options(server);
  options.max_backoff_s = 5;
  const auto start = std::chrono::steady_clock::now();
  auto report = Replay(FromLines(Scores(10)), options);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->retries, 2u);
  EXPECT_EQ(report->batches, 1u);
  EXPECT_EQ(report->batches_failed, 0u);
  EXPECT_EQ(report->records_accepted, 10u);
  EXPECT_GE(elapsed, 0.95);  // waited the second the server asked for
  EXPECT_EQ(server.seen().size(), 3u);
}

TEST_F(ReplayTest, BatchFailsAfterItsRetries) {
  FakeServer server([](size_t, httplib::Response& res) {
    res.status = 503;
    res.set_content(R"({"error":{"code":"unavailable","message":"disk full"}})",
                    "application/json");
    return true;
  });
  ReplayOptions options = Options(server);
  options.max_retries = 2;
  options.batch = 5;
  options.concurrency = 1;
  auto report = Replay(FromLines(Scores(7)), options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->batches, 2u);
  EXPECT_EQ(report->batches_failed, 2u);
  EXPECT_EQ(report->records_failed, 7u);
  EXPECT_EQ(report->records_accepted, 0u);
  EXPECT_EQ(report->retries, 4u);
  EXPECT_EQ(server.seen().size(), 6u);
  ASSERT_EQ(report->failures.size(), 2u);
  EXPECT_EQ(report->failures[0],
            "batch of 5 records from line 1: HTTP 503: unavailable: disk full");
}

TEST_F(ReplayTest, ClientErrorsAreNotRetried) {
  FakeServer server([](size_t, httplib::Response& res) {
    res.status = 413;
    res.set_content("too big", "text/plain");
    return true;
  });
  auto report = Replay(FromLines(Scores(4)), Options(server));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->batches_failed, 1u);
  EXPECT_EQ(report->retries, 0u);
  EXPECT_FALSE(report->aborted);
  ASSERT_EQ(report->failures.size(), 1u);
  EXPECT_EQ(report->failures[0], "batch of 4 records from line 1: HTTP 413: too big");
}

TEST_F(ReplayTest, RefusedKeyStopsTheRun) {
  FakeServer server([](size_t, httplib::Response& res) {
    res.status = 401;
    res.set_content(R"({"error":{"code":"unauthenticated","message":"unknown API key"}})",
                    "application/json");
    return true;
  });
  ReplayOptions options = Options(server);
  options.batch = 10;
  options.concurrency = 1;
  auto report = Replay(FromLines(Scores(10000)), options);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->aborted);
  EXPECT_GE(report->batches_failed, 1u);
  EXPECT_LE(server.seen().size(), 2u);  // not 1000 requests
  EXPECT_LT(report->records_sent, 100u);
  EXPECT_NE(FormatReplayReportText(*report).find("refused the API key"), std::string::npos);
}

TEST_F(ReplayTest, NoServer) {
  int port = 0;
  {
    httplib::Server probe;  // a port that was free a moment ago
    port = probe.bind_to_any_port("127.0.0.1");
  }
  ReplayOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(port);
  options.max_retries = 1;
  options.max_backoff_s = 0.01;
  options.timeout_s = 2;
  auto report = Replay(FromLines(Scores(3)), options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->batches_failed, 1u);
  EXPECT_EQ(report->retries, 1u);
  ASSERT_EQ(report->failures.size(), 1u);
  EXPECT_NE(report->failures[0].find("no answer: "), std::string::npos) << report->failures[0];
}

TEST_F(ReplayTest, RateLimitsRecordsPerSecond) {
  FakeServer server;
  ReplayOptions options = Options(server);
  options.batch = 100;
  options.rate = 1000;
  const auto start = std::chrono::steady_clock::now();
  auto report = Replay(FromLines(Scores(600)), options);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->records_accepted, 600u);
  // The last batch (records 500..599) may leave 0.5 s after the start.
  EXPECT_GE(elapsed, 0.5);
  EXPECT_LT(report->records_per_s, 1250);
}

TEST_F(ReplayTest, ConcurrentSenders) {
  FakeServer server;
  server.set_delay_ms(100);
  ReplayOptions options = Options(server);
  options.batch = 10;
  options.concurrency = 4;
  auto report = Replay(FromLines(Scores(80)), options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->batches, 8u);
  EXPECT_EQ(report->records_accepted, 80u);
  EXPECT_GE(server.max_in_flight(), 2);
  EXPECT_LE(server.max_in_flight(), 4);
  EXPECT_GE(report->latency_p50_ms, 100);
}

TEST_F(ReplayTest, SmallBatchesAreNotDelayedByNagle) {
  // Without TCP_NODELAY each keep-alive request waits for a delayed ACK (~40 ms on Linux).
  FakeServer server;
  ReplayOptions options = Options(server);
  options.batch = 2;
  options.concurrency = 1;
  auto report = Replay(FromLines(Scores(40)), options);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->batches, 20u);
  EXPECT_LT(report->latency_p50_ms, 20);
}

TEST_F(ReplayTest, UrlWithPathPrefix) {
  FakeServer server;
  ReplayOptions options = Options(server);
  options.url = server.url() + "/yardstick/";
  auto report = Replay(FromLines(Scores(1)), options);
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].path, "/yardstick/v1/events");
}

TEST_F(ReplayTest, BadOptions) {
  ReplayOptions options;
  for (const char* url : {"127.0.0.1:8080", "ftp://host", "http://", "http:///v1"}) {
    options.url = url;
    auto report = Replay(FromLines({}), options);
    ASSERT_FALSE(report.has_value()) << url;
    EXPECT_EQ(report.error().code(), ErrorCode::kInvalidArgument);
  }
  options.url = "http://127.0.0.1:1";
  options.batch = 0;
  EXPECT_FALSE(Replay(FromLines({}), options).has_value());
  options.batch = 1;
  options.concurrency = 0;
  EXPECT_FALSE(Replay(FromLines({}), options).has_value());
}

TEST_F(ReplayTest, EmptyInputSendsNothing) {
  FakeServer server;
  auto report = Replay(FromLines({"", " "}), Options(server));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->batches, 0u);
  EXPECT_EQ(report->records_sent, 0u);
  EXPECT_TRUE(server.seen().empty());
}

TEST(ReplayReport, Formats) {
  ReplayReport r;
  r.records_sent = 100;
  r.records_accepted = 99;
  r.records_rejected = 1;
  r.batches = 1;
  r.elapsed_s = 0.5;
  r.records_per_s = 200;
  r.latency_p50_ms = 12.5;
  r.latency_max_ms = 20;
  r.first_rejections.push_back({7, "$.value", "expected a number"});
  const json j = json::parse(FormatReplayReportJson(r));
  EXPECT_EQ(j["records_sent"], 100);
  EXPECT_EQ(j["records_accepted"], 99);
  EXPECT_EQ(j["records_rejected"], 1);
  EXPECT_EQ(j["batches_failed"], 0);
  EXPECT_EQ(j["aborted"], false);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p50"].get<double>(), 12.5);
  EXPECT_EQ(j["first_rejections"][0]["line"], 7);
  const std::string text = FormatReplayReportText(r);
  EXPECT_NE(text.find("records   100 sent, 99 accepted, 1 rejected, 0 in failed batches"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("elapsed   0.500 s, 200 records/s"), std::string::npos) << text;
  EXPECT_NE(text.find("line 7: $.value: expected a number"), std::string::npos) << text;
}

}  // namespace
}  // namespace yardstick::ingest

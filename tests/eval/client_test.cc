// The OpenAI-compatible client against the fake server: retries, Retry-After, timeouts,
// malformed responses, the cache; and the rate limiter (counted, not timed).
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "eval/openai_client.h"
#include "eval/rate_limiter.h"
#include "support/fake_openai.h"

namespace yardstick::eval {
namespace {

using testing::FakeOpenAi;

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<OpenAiClient> Make(int max_retries = 3, double timeout = 10,
                                     std::string cache_dir = "") {
    ClientOptions o;
    o.endpoint.base_url = fake_.base_url();
    o.endpoint.model = "fake-model";
    o.endpoint.max_retries = max_retries;
    o.endpoint.timeout_seconds = timeout;
    o.endpoint.backoff_initial_seconds = 0.5;
    o.endpoint.backoff_max_seconds = 4;
    o.api_key = "sk-test";
    o.cache_dir = std::move(cache_dir);
    o.sleep = [this](std::chrono::duration<double> d) {
      std::lock_guard lock(mutex_);
      waits_.push_back(d.count());
    };
    auto client = OpenAiClient::Create(std::move(o));
    EXPECT_TRUE(client);
    return std::move(*client);
  }
  CallResult Chat(OpenAiClient& client, const std::string& text) {
    nlohmann::json body = {{"model", "fake-model"},
                           {"messages", {{{"role", "user"}, {"content", text}}}}};
    return client.Call("/chat/completions", body, 10, CheckChatResponse);
  }
  std::vector<double> Waits() {
    std::lock_guard lock(mutex_);
    return waits_;
  }

  FakeOpenAi fake_;
  std::mutex mutex_;
  std::vector<double> waits_;
};

TEST_F(ClientTest, AnswersAndSendsTheKey) {
  auto client = Make();
  CallResult r = Chat(*client, "hello");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.response["choices"][0]["message"]["content"], "A:hello");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(fake_.authorizations().at(0), "Bearer sk-test");
}

TEST_F(ClientTest, RetriesA429AfterTheWaitItAsksFor) {
  fake_.QueueFault({429, "7", 0, ""});
  fake_.QueueFault({429, "", 0, ""});
  auto client = Make();
  CallResult r = Chat(*client, "x");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(fake_.requests(), 3);
  // Retry-After: 7 first, then exponential backoff (0.5 * 2^1) without the header.
  EXPECT_EQ(Waits(), (std::vector<double>{7.0, 1.0}));
}

TEST_F(ClientTest, RetriesServerErrorsWithExponentialBackoffAndGivesUp) {
  for (int i = 0; i < 5; ++i) fake_.QueueFault({500, "", 0, ""});
  auto client = Make(3);
  CallResult r = Chat(*client, "x");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.attempts, 4);
  EXPECT_NE(r.error.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(Waits(), (std::vector<double>{0.5, 1.0, 2.0}));
}

TEST_F(ClientTest, ClientErrorsAreNotRetried) {
  fake_.QueueFault({400, "", 0, ""});
  auto client = Make();
  CallResult r = Chat(*client, "x");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.status, 400);
}

TEST_F(ClientTest, TruncatedAndIncompleteResponsesAreRetried) {
  fake_.QueueFault({200, "", 0, R"({"id":"x","choices":[{"message":)"});
  fake_.QueueFault({200, "", 0, R"({"id":"x","choices":[]})"});
  fake_.QueueFault({200, "", 0, R"({"id":"x","choices":[{"message":{"content":null}}]})"});
  auto client = Make(5);
  CallResult r = Chat(*client, "x");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 4);
}

TEST_F(ClientTest, ASlowResponseTimesOutAndIsRetried) {
  fake_.QueueFault({0, "", 1.5, ""});
  auto client = Make(2, 0.3);
  CallResult r = Chat(*client, "x");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 2);
}

TEST_F(ClientTest, TheCacheAnswersARepeatedRequestWithoutCallingAgain) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("ys-cache-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(dir);
  {
    auto client = Make(3, 10, dir);
    ASSERT_TRUE(Chat(*client, "one").ok);
    ASSERT_TRUE(Chat(*client, "two").ok);
  }
  auto client = Make(3, 10, dir);
  CallResult again = Chat(*client, "one");
  ASSERT_TRUE(again.ok);
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.attempts, 0);
  EXPECT_EQ(again.response["choices"][0]["message"]["content"], "A:one");
  EXPECT_EQ(fake_.requests(), 2);
  EXPECT_TRUE(Chat(*client, "three").ok);
  EXPECT_EQ(fake_.requests(), 3);
  EXPECT_EQ(client->cache_hits(), 1);
  std::filesystem::remove_all(dir);
}

TEST(RetryAfter, SecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00
  EXPECT_EQ(ParseRetryAfter("3", now)->count(), 3.0);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)->count(), 30.0);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)->count(), 0.0);
  EXPECT_FALSE(ParseRetryAfter("soon", now));
  EXPECT_FALSE(ParseRetryAfter("", now));
}

TEST(RateLimiter, RequestsPerMinuteAllowABurstThenSpaceRequests) {
  RateLimiter limiter(60, 0);  // one per second, bursts of 10
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  int immediate = 0;
  for (int i = 0; i < 10; ++i) immediate += limiter.Reserve(t0, 1).count() == 0 ? 1 : 0;
  EXPECT_EQ(immediate, 10);
  // The 11th and 12th wait 1 and 2 seconds.
  EXPECT_DOUBLE_EQ(limiter.Reserve(t0, 1).count(), 1.0);
  EXPECT_DOUBLE_EQ(limiter.Reserve(t0, 1).count(), 2.0);
  // 60 seconds later the bucket is full again: 10 more pass at once.
  const auto t1 = t0 + std::chrono::seconds(62);
  immediate = 0;
  for (int i = 0; i < 11; ++i) immediate += limiter.Reserve(t1, 1).count() == 0 ? 1 : 0;
  EXPECT_EQ(immediate, 10);
}

TEST(RateLimiter, TokensPerMinuteCountTokens) {
  RateLimiter limiter(0, 6000);  // 100 tokens per second, bursts of 1000
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(limiter.Reserve(t0, 600).count(), 0);
  EXPECT_EQ(limiter.Reserve(t0, 400).count(), 0);
  EXPECT_DOUBLE_EQ(limiter.Reserve(t0, 200).count(), 2.0);
  RateLimiter unlimited(0, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(unlimited.Reserve(t0, 1e6).count(), 0);
}

}  // namespace
}  // namespace yardstick::eval

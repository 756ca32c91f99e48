#pragma once
// Requests-per-minute and tokens-per-minute limits for calls to an endpoint.
//
// Each limit is a token bucket that holds at most ten seconds' worth of its allowance
// (limit / 6, at least one request or one call's tokens) and refills continuously at limit / 60
// per second, so over any minute at most about the limit passes, with bursts of at most a
// sixth of it. Reserve() debits both buckets at once and returns how long the caller must wait
// before sending; a bucket may go negative, which makes later callers wait longer, so callers
// are served in the order they reserved. A limit of 0 is no limit.
//
// Thread safety: Reserve() may be called from many threads.

#include <chrono>
#include <mutex>

namespace yardstick::eval {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double requests_per_minute, double tokens_per_minute);

  // Reserves one request of `tokens` tokens at time `now`; returns the wait before sending.
  std::chrono::duration<double> Reserve(Clock::time_point now, double tokens);

 private:
  struct Bucket {
    double per_second = 0;  // 0: unlimited
    double capacity = 0;
    double level = 0;
  };
  static double Take(Bucket& bucket, double elapsed, double amount);

  std::mutex mutex_;
  Bucket requests_;
  Bucket tokens_;
  Clock::time_point last_{};
  bool started_ = false;
};

}  // namespace yardstick::eval

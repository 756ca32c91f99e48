#include "eval/rate_limiter.h"

#include <algorithm>

namespace yardstick::eval {

RateLimiter::RateLimiter(double requests_per_minute, double tokens_per_minute) {
  requests_.per_second = requests_per_minute / 60.0;
  requests_.capacity = std::max(1.0, requests_per_minute / 6.0);
  requests_.level = requests_.capacity;
  tokens_.per_second = tokens_per_minute / 60.0;
  tokens_.capacity = tokens_per_minute / 6.0;
  tokens_.level = tokens_.capacity;
}

// Refills the bucket for `elapsed` seconds, takes `amount`, and returns the seconds until the
// bucket is back at zero (0 when it did not go negative).
double RateLimiter::Take(Bucket& bucket, double elapsed, double amount) {
  if (bucket.per_second <= 0) return 0;
  bucket.level = std::min(bucket.capacity, bucket.level + elapsed * bucket.per_second);
  // A call larger than the bucket waits for a full bucket, then goes through.
  const double take = std::min(amount, std::max(bucket.capacity, 1.0));
  bucket.level -= take;
  return bucket.level >= 0 ? 0 : -bucket.level / bucket.per_second;
}

std::chrono::duration<double> RateLimiter::Reserve(Clock::time_point now, double tokens) {
  std::lock_guard lock(mutex_);
  double elapsed = 0;
  if (started_ && now > last_) elapsed = std::chrono::duration<double>(now - last_).count();
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  const double wait_requests = Take(requests_, elapsed, 1.0);
  const double wait_tokens = Take(tokens_, elapsed, tokens);
  return std::chrono::duration<double>(std::max(wait_requests, wait_tokens));
}

}  // namespace yardstick::eval

#pragma once
// Small helpers of the integration tests that drive a real server: the current time as the
// RFC 3339 text records carry, and waiting (generously, never timing anything) for a condition.

#include <chrono>
#include <ctime>
#include <functional>
#include <string>
#include <thread>

namespace yardstick::testing {

// Now plus `offset_ms`, as "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds).
inline std::string IsoNow(int offset_ms = 0) {
  const auto now = std::chrono::system_clock::now() + std::chrono::milliseconds(offset_ms);
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Polls `done` every 100 ms until it holds or `seconds` passed; returns whether it held.
inline bool WaitFor(const std::function<bool()>& done, int seconds = 60) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

}  // namespace yardstick::testing

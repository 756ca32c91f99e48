// Parsing throughput on generated call records (~700 bytes each, 26 fields and 2 attributes).
// Disabled by default; run with
//   yardstick_ingest_tests --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
// It prints records/s for NDJSON and array bodies of 1,000 records, single-threaded, per second of
// the thread's CPU time (steadier than wall time on a shared machine) and of wall time.

#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ingest/events.h"
#include "ingest/replay.h"

namespace yardstick::ingest {
namespace {

std::vector<std::string> Bodies(size_t batches, size_t per_batch, bool array) {
  GenerateOptions options;
  options.end_ns = 1'795'687'200'000'000'000;
  CallGenerator generator(options, batches * per_batch);
  std::vector<std::string> bodies;
  std::string line;
  for (size_t b = 0; b < batches; ++b) {
    std::string body = array ? "[" : "";
    for (size_t i = 0; i < per_batch && generator.Next(line); ++i) {
      if (array && i > 0) body += ",\n";
      body += line;
      if (!array) body += "\n";
    }
    if (array) body += "]";
    bodies.push_back(std::move(body));
  }
  return bodies;
}

void Measure(const char* name, bool array) {
  const auto bodies = Bodies(200, 1000, array);
  size_t bytes = 0;
  for (const auto& b : bodies) bytes += b.size();
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  double best = 1e9;
  double best_cpu = 1e9;
  for (int round = 0; round < 5; ++round) {
    const double cpu_start = cpu_now();
    const auto start = std::chrono::steady_clock::now();
    size_t records = 0;
    for (const auto& body : bodies) {
      auto r = ParseEvents(body, {});
      ASSERT_TRUE(r.has_value());
      ASSERT_TRUE(r->rejections.empty());
      records += r->batch.calls.size();
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(records, 200'000u);
    best = std::min(best, s);
    best_cpu = std::min(best_cpu, cpu_now() - cpu_start);
  }
  std::printf(
      "%s: %.0f records/s of CPU time (%.0f MB/s), %.0f records/s of wall time; %.0f "
      "bytes/record (best of 5 rounds of 200,000)\n",
      name, 200'000 / best_cpu, static_cast<double>(bytes) / best_cpu / 1e6, 200'000 / best,
      static_cast<double>(bytes) / 200'000);
}

TEST(ParsePerf, DISABLED_Throughput) {
  Measure("NDJSON", false);
  Measure("array", true);
}

}  // namespace
}  // namespace yardstick::ingest

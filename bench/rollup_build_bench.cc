// The cost of building an hour's rollups in the SQLite store (docs/sqlite-store.md): the writer
// builds an hour's rows from its minute rows once the hour is over, between two groups, so the
// group behind it waits for the build.
//
//   rollup_build_bench [--combinations C] [--calls-per-minute N] [--dir D]   (defaults 10000 20000)
//
// Appends, with a test clock inside an hour, N calls a minute for 60 minutes spread over C
// dimension combinations (so about min(C, N) minute rows per minute), then moves the clock past
// the hour and times the append of one call, which builds the hour first; prints that time
// next to the time of the same append without a build.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

double Millis(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace yardstick;
  int64_t combinations = 10'000;
  int64_t per_minute = 20'000;
  std::string dir = "/tmp/rollup-build-bench";
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char* name) { return !std::strcmp(argv[i], name) && i + 1 < argc; };
    if (arg("--combinations")) {
      combinations = std::stoll(argv[++i]);
    } else if (arg("--calls-per-minute")) {
      per_minute = std::stoll(argv[++i]);
    } else if (arg("--dir")) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: rollup_build_bench [--combinations C] [--calls-per-minute N] "
                   "[--dir D]\n");
      return 2;
    }
  }
  if (combinations < 1 || per_minute < 1) {
    std::fprintf(stderr, "--combinations and --calls-per-minute must be >= 1\n");
    return 2;
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // 2025-11-26T00:00Z; the clock starts at 00:30, so the hour 00:00 is not built yet.
  constexpr int64_t kT0 = 1'764'115'200'000'000'000;
  auto now = std::make_shared<std::atomic<int64_t>>(kT0 + 30 * store::kNanosPerMinute);
  store::SqliteOptions o;
  o.path = dir + "/bench.db";
  o.clock = [now] { return now->load(); };
  auto opened = store::OpenSqliteStore(o);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message().c_str());
    return 1;
  }
  store::Store& st = **opened;

  int64_t next_id = 0;
  auto call = [&](int64_t t) {
    const int64_t n = next_id++;
    const int64_t c = n % combinations;
    model::Call x;
    x.project = "bench";
    x.id = "call-" + std::to_string(n);
    x.start_ns = t;
    x.end_ns = t + 200'000'000 + (n % 1000) * 3'000'000;
    x.request_model = "model-" + std::to_string(c % 10);
    x.route = "/route-" + std::to_string(c / 10 % 100);
    x.prompt_version = "v" + std::to_string(c / 1000);
    x.input_tokens = 100 + n % 50;
    x.output_tokens = 20 + n % 30;
    return x;
  };
  const auto load_start = Clock::now();
  for (int64_t m = 0; m < 60; ++m) {
    model::Batch b;
    for (int64_t k = 0; k < per_minute; ++k) {
      b.calls.push_back(
          call(kT0 + m * store::kNanosPerMinute + k * (store::kNanosPerMinute / per_minute)));
    }
    if (auto r = st.Append(b); !r) {
      std::fprintf(stderr, "%s\n", r.error().message().c_str());
      return 1;
    }
  }
  std::printf("loaded %lld calls over 60 minutes, %lld combinations, in %.1f s\n",
              static_cast<long long>(60 * per_minute), static_cast<long long>(combinations),
              Millis(load_start) / 1e3);

  auto append_one = [&](int64_t t) -> double {
    model::Batch b;
    b.calls.push_back(call(t));
    const auto start = Clock::now();
    if (auto r = st.Append(b); !r) {
      std::fprintf(stderr, "%s\n", r.error().message().c_str());
      return -1;
    }
    return Millis(start);
  };
  const double plain = append_one(kT0 + 59 * store::kNanosPerMinute);
  // 01:10: the hour 00:00 is due; the next append waits for its build.
  now->store(kT0 + store::kNanosPerHour + 10 * store::kNanosPerMinute);
  const double with_build = append_one(kT0 + store::kNanosPerHour + 5 * store::kNanosPerMinute);
  const double after = append_one(kT0 + store::kNanosPerHour + 6 * store::kNanosPerMinute);
  std::printf("append of one call: %.2f ms before, %.2f ms with the hour's build, %.2f ms after\n",
              plain, with_build, after);
  st.Close();
  std::filesystem::remove_all(dir);
  return 0;
}

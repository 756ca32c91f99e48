// KPI query benchmark: a SQLite store holding N calls spread over D days (default 10M over 30
// days, 3 models x 4 routes x 2 environments x 2 variants), then built-in KPIs over the whole
// range grouped by model, answered from the rollups. Also reports the store's own append rate
// (store only: no HTTP, no parsing).
//
//   kpi_bench --calls 10000000 --days 30 --dir /tmp/kpi-bench [--keep] [--page-size 16384]
//
// With --keep and an existing store of the same size the load step is skipped. Every call has
// the attributes customer_tier (4 values) and region (5 values); --attributes times instead KPIs
// grouped by them, answered from raw records (docs/kpis.md, "Grouping by an attribute").
//
// The same load and queries on the ClickHouse backend (bench/clickhouse_bench.sh starts the
// servers): --clickhouse http://127.0.0.1:18123[,http://...] [--cluster NAME] [--database DB]
// [--batch N] (--dir then holds only the spool).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "kpi/kpi.h"
#include "store/store.h"

using namespace yardstick;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t calls = 10'000'000;
  int days = 30;
  std::string dir = "/tmp/yardstick-kpi-bench";
  bool keep = false;
  bool attributes = false;
  std::string clickhouse, cluster, database = "yardstick_bench";
  int64_t batch_size = 20'000;
  int page_size = store::SqliteOptions().page_size;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--clickhouse") && i + 1 < argc) clickhouse = argv[++i];
    if (!std::strcmp(argv[i], "--cluster") && i + 1 < argc) cluster = argv[++i];
    if (!std::strcmp(argv[i], "--database") && i + 1 < argc) database = argv[++i];
    if (!std::strcmp(argv[i], "--batch") && i + 1 < argc) batch_size = std::stoll(argv[++i]);
    if (!std::strcmp(argv[i], "--calls") && i + 1 < argc) calls = std::stoll(argv[++i]);
    if (!std::strcmp(argv[i], "--days") && i + 1 < argc) days = std::stoi(argv[++i]);
    if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    if (!std::strcmp(argv[i], "--page-size") && i + 1 < argc) page_size = std::stoi(argv[++i]);
    if (!std::strcmp(argv[i], "--keep")) keep = true;
    if (!std::strcmp(argv[i], "--attributes")) attributes = true;
  }
  const int64_t end = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() /
                      store::kNanosPerDay * store::kNanosPerDay;
  // --days 0: every call in the last hour (the shape of real-time ingest).
  const int64_t start = days > 0 ? end - days * store::kNanosPerDay : end - store::kNanosPerHour;
  const std::string path = dir + "/bench.db";
  bool load = true;
  if (keep && std::filesystem::exists(path)) load = false;
  if (load) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  Result<std::unique_ptr<store::Store>> opened = MakeError(ErrorCode::kInternal, "not opened");
  if (clickhouse.empty()) {
    store::SqliteOptions o;
    o.path = path;
    o.cache_bytes = 256 << 20;
    o.page_size = page_size;
    opened = store::OpenSqliteStore(o);
  } else {
    store::ClickHouseOptions o;
    for (size_t pos = 0; pos <= clickhouse.size();) {
      const size_t comma = std::min(clickhouse.find(',', pos), clickhouse.size());
      o.endpoints.push_back(clickhouse.substr(pos, comma - pos));
      pos = comma + 1;
    }
    o.cluster = cluster;
    o.database = database;
    o.spool_dir = dir + "/spool";
    opened = store::OpenClickHouseStore(o);
  }
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message().c_str());
    return 1;
  }
  auto& st = *opened;
  if (load) {
    const char* models[] = {"gpt-4o", "gpt-4o-mini", "claude-sonnet"};
    const char* routes[] = {"chat", "search", "summarize", "classify"};
    const char* tiers[] = {"free", "pro", "team", "enterprise"};
    const char* regions[] = {"eu", "us", "apac", "latam", "mea"};
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(-0.5, 0.7);
    const int64_t step = (end - start) / calls;
    const auto t0 = std::chrono::steady_clock::now();
    model::Batch batch;
    for (int64_t i = 0; i < calls; ++i) {
      model::Call c;
      c.project = "bench";
      c.id = std::to_string(i);
      c.start_ns = start + i * step;
      c.end_ns = c.start_ns + static_cast<int64_t>(latency(rng) * 1e9);
      c.request_model = models[rng() % 3];
      c.route = routes[rng() % 4];
      c.environment = rng() % 10 ? "prod" : "staging";
      c.variant = rng() % 2 ? "A" : "B";
      c.operation = "chat";
      c.provider = "openai";
      c.conversation_id = "c" + std::to_string(i / 5);
      c.input_tokens = static_cast<int64_t>(rng() % 2000);
      c.output_tokens = static_cast<int64_t>(rng() % 400);
      c.cost_usd = static_cast<double>(c.input_tokens) * 2.5e-6;
      c.status = rng() % 50 ? model::CallStatus::kOk : model::CallStatus::kError;
      c.attributes = {{"customer_tier", tiers[rng() % 4]}, {"region", regions[rng() % 5]}};
      batch.calls.push_back(std::move(c));
      if (static_cast<int64_t>(batch.calls.size()) == batch_size || i + 1 == calls) {
        if (auto r = st->Append(batch); !r) {
          std::fprintf(stderr, "%s\n", r.error().message().c_str());
          return 1;
        }
        batch.calls.clear();
      }
      if ((i + 1) % 1'000'000 == 0) {
        std::fprintf(stderr, "loaded %lld calls, %.0f calls/s\n", static_cast<long long>(i + 1),
                     static_cast<double>(i + 1) / Seconds(t0));
      }
    }
    std::printf("store append (no HTTP): %lld calls in %.1f s = %.0f calls/s\n",
                static_cast<long long>(calls), Seconds(t0),
                static_cast<double>(calls) / Seconds(t0));
  }
  // Queries over a store that does not hold the load would time nothing: check the count.
  if (auto n = st->CountRecords("bench"); !n || n->calls != static_cast<uint64_t>(calls)) {
    std::fprintf(stderr, "the store holds %lld calls, not %lld\n",
                 n ? static_cast<long long>(n->calls) : -1LL, static_cast<long long>(calls));
    return 1;
  }
  auto engine = kpi::Engine::Create(st.get(), {});
  if (!engine) return 1;
  if (attributes) {
    // Raw-record queries: 3 runs each over the whole range.
    std::printf("%-16s %-28s %-6s %10s %10s %10s %8s\n", "kpi", "group_by", "step", "min ms",
                "median ms", "max ms", "series");
    for (const char* name : {"calls", "error_rate", "latency_p95", "cost_per_call"}) {
      for (const auto& group_by : std::vector<std::vector<std::string>>{
               {"attributes.customer_tier"}, {"model", "attributes.region"}}) {
        for (int64_t step : {int64_t{0}, store::kNanosPerDay}) {
          kpi::Request r;
          r.project = "bench";
          r.name = name;
          r.from_ns = start;
          r.to_ns = end;
          r.step_ns = step;
          r.group_by = group_by;
          std::vector<double> times;
          size_t series = 0;
          for (int rep = 0; rep < 3; ++rep) {
            const auto t0 = std::chrono::steady_clock::now();
            auto res = engine->Query(r);
            times.push_back(Seconds(t0) * 1e3);
            if (!res) {
              std::fprintf(stderr, "%s\n", res.error().message().c_str());
              return 1;
            }
            series = res->series.size();
          }
          std::sort(times.begin(), times.end());
          std::string g;
          for (const auto& x : group_by) g += (g.empty() ? "" : ",") + x;
          std::printf("%-16s %-28s %-6s %10.1f %10.1f %10.1f %8zu\n", name, g.c_str(),
                      step == 0 ? "none" : "1d", times.front(), times[1], times.back(), series);
        }
      }
    }
    st->Close();
    return 0;
  }
  std::printf("%-24s %-10s %10s %10s %10s\n", "kpi (30 days, by model)", "step", "min ms",
              "median ms", "max ms");
  for (const char* name : {"calls", "error_rate", "latency_p95", "latency_p99", "ttft_p95",
                           "cost_total", "cost_per_call", "throughput"}) {
    for (int64_t step : {int64_t{0}, store::kNanosPerDay, store::kNanosPerHour}) {
      kpi::Request r;
      r.project = "bench";
      r.name = name;
      r.from_ns = start;
      r.to_ns = end;
      r.step_ns = step;
      r.group_by = {"model"};
      std::vector<double> times;
      for (int rep = 0; rep < 7; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        auto res = engine->Query(r);
        times.push_back(Seconds(t0) * 1e3);
        if (!res) {
          std::fprintf(stderr, "%s\n", res.error().message().c_str());
          return 1;
        }
      }
      std::sort(times.begin(), times.end());
      std::printf("%-24s %-10s %10.2f %10.2f %10.2f\n", name,
                  step == 0                     ? "none"
                  : step == store::kNanosPerDay ? "1d"
                                                : "1h",
                  times.front(), times[times.size() / 2], times.back());
    }
  }
  st->Close();
  return 0;
}

// The ingest path without HTTP, stage by stage: parse, redact, price, store append.
//
//   ingest_stages_bench [--calls N] [--batch B] [--threads T] [--dir D] [--sync normal]
//
// Generates N realistic calls (the records of `yardstick replay --generate`: random 32-hex-digit
// ids, conversations, attributes, text with PII to redact) in NDJSON bodies of B records, then
// times each stage on one thread over all bodies, and finally appends the priced batches to a
// fresh SQLite store from T threads at once (as the server's request threads do; the store
// groups concurrent appends into one transaction). Prints records/s per stage, the store's rate
// per slice of 10% of the records (to show how it changes as the store grows) and the latency
// of Append (p50 / p99 / max).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ingest/events.h"
#include "ingest/replay.h"
#include "pricing/price_table.h"
#include "redact/redactor.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// CPU seconds (user + system) of the process so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Bytes this process caused to be written to storage so far (/proc/self/io), -1 if unknown.
double WrittenBytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  double value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace yardstick;
  int64_t calls = 1'000'000;
  int64_t batch_size = 1000;
  int threads = 2;
  std::string dir = "/tmp/ingest-stages-bench";
  bool sync_full = true;
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char* name) { return !std::strcmp(argv[i], name) && i + 1 < argc; };
    if (arg("--calls")) {
      calls = std::stoll(argv[++i]);
    } else if (arg("--batch")) {
      batch_size = std::stoll(argv[++i]);
    } else if (arg("--threads")) {
      threads = std::stoi(argv[++i]);
    } else if (arg("--dir")) {
      dir = argv[++i];
    } else if (arg("--sync")) {
      sync_full = std::strcmp(argv[++i], "normal") != 0;
    } else {
      std::fprintf(stderr,
                   "usage: ingest_stages_bench [--calls N] [--batch B] [--threads T] [--dir D] "
                   "[--sync full|normal]\n");
      return 2;
    }
  }
  if (calls < 1 || batch_size < 1 || threads < 1) {
    std::fprintf(stderr, "--calls, --batch and --threads must be >= 1\n");
    return 2;
  }

  // Bodies of batch_size NDJSON lines.
  std::vector<std::string> bodies;
  {
    ingest::GenerateOptions go;
    go.span_days = 0.04;
    go.end_ns = NowNanos();
    go.project = "bench";
    ingest::CallGenerator generator(go, static_cast<size_t>(calls));
    std::string line, body;
    int64_t in_body = 0;
    size_t bytes = 0;
    while (generator.Next(line)) {
      body += line;
      body += '\n';
      if (++in_body == batch_size) {
        bytes += body.size();
        bodies.push_back(std::move(body));
        body.clear();
        in_body = 0;
      }
    }
    if (!body.empty()) {
      bytes += body.size();
      bodies.push_back(std::move(body));
    }
    std::printf("%lld calls in %zu bodies of up to %lld records, %.0f bytes per record\n",
                static_cast<long long>(calls), bodies.size(), static_cast<long long>(batch_size),
                static_cast<double>(bytes) / static_cast<double>(calls));
  }
  const double n = static_cast<double>(calls);

  std::vector<model::Batch> batches;
  batches.reserve(bodies.size());
  {
    ingest::ParseOptions po;
    po.now_ns = NowNanos();
    const auto t0 = Clock::now();
    for (const std::string& body : bodies) {
      auto parsed = ingest::ParseEvents(body, po);
      if (!parsed || !parsed->rejections.empty()) {
        std::fprintf(stderr, "parse failed\n");
        return 1;
      }
      batches.push_back(std::move(parsed->batch));
    }
    std::printf("%-28s %12.0f records/s\n", "parse (simdjson)", n / Seconds(t0));
  }
  {
    auto redactor = redact::Redactor::Create(redact::Options{});
    if (!redactor) return 1;
    redact::Counts counts;
    const auto t0 = Clock::now();
    for (auto& batch : batches) redactor->RedactBatch(batch, counts);
    std::printf("%-28s %12.0f records/s (%llu redactions)\n", "redact", n / Seconds(t0),
                static_cast<unsigned long long>(counts.total));
  }
  {
    auto prices = pricing::PriceTable::Builtin();
    if (!prices) return 1;
    const auto t0 = Clock::now();
    for (auto& batch : batches) prices->PriceBatch(batch);
    std::printf("%-28s %12.0f records/s\n", "price", n / Seconds(t0));
  }

  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto opened = store::OpenSqliteStore({dir + "/bench.db", sync_full, 64 << 20});
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message().c_str());
    return 1;
  }
  auto& st = *opened;
  std::atomic<size_t> next{0};
  std::atomic<int64_t> stored{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(threads));
  // Rate per tenth of the records, as the store grows.
  const size_t slices = 10;
  std::vector<double> slice_end(slices, 0);
  std::atomic<size_t> done_batches{0};
  const double cpu0 = CpuSeconds();
  const double written0 = WrittenBytes();
  const auto t0 = Clock::now();
  std::vector<std::thread> workers;
  std::atomic<bool> failed{false};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i; (i = next.fetch_add(1)) < batches.size();) {
        const auto a = Clock::now();
        auto r = st->Append(batches[i]);
        latencies[static_cast<size_t>(t)].push_back(Seconds(a) * 1e3);
        if (!r) {
          std::fprintf(stderr, "append: %s\n", r.error().message().c_str());
          failed = true;
          return;
        }
        stored += static_cast<int64_t>(r->stored);
        const size_t done = done_batches.fetch_add(1) + 1;
        for (size_t s = 0; s < slices; ++s) {
          if (done == (s + 1) * batches.size() / slices) slice_end[s] = Seconds(t0);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double total = Seconds(t0);
  st->Close();
  const double cpu = CpuSeconds() - cpu0;
  const double written = WrittenBytes() - written0;
  if (failed) return 1;
  std::printf("%-28s %12.0f records/s (%lld stored, %d threads, synchronous=%s)\n", "store append",
              static_cast<double>(stored.load()) / total, static_cast<long long>(stored.load()),
              threads, sync_full ? "full" : "normal");
  // CPU time and bytes written per record do not depend on how busy the machine is, unlike
  // records/s.
  std::printf("  per record: %.1f us of CPU, %.0f bytes written (WAL and checkpoints)\n",
              cpu / static_cast<double>(stored.load()) * 1e6,
              written / static_cast<double>(stored.load()));
  std::printf("  per tenth of the records:");
  double previous = 0;
  for (size_t s = 0; s < slices; ++s) {
    if (slice_end[s] <= previous) continue;
    std::printf(" %.0f", n / static_cast<double>(slices) / (slice_end[s] - previous));
    previous = slice_end[s];
  }
  std::printf(" records/s\n");
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto at = [&](double q) {
    return all[std::min(all.size() - 1, static_cast<size_t>(q * static_cast<double>(all.size())))];
  };
  std::printf("  append latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", at(0.5), at(0.99),
              all.back());
  std::printf("  database: %.0f MB\n",
              static_cast<double>(std::filesystem::file_size(dir + "/bench.db")) / 1e6);

  // Reading a conversation back (the drill-down, and the escalation rules' first look at a
  // conversation): 1000 conversations spread over the store, once the store has read its filters
  // after the reopen (an append reports new conversations only then).
  auto reopened = store::OpenSqliteStore({dir + "/bench.db", sync_full, 64 << 20});
  if (!reopened) {
    std::fprintf(stderr, "%s\n", reopened.error().message().c_str());
    return 1;
  }
  for (int i = 0;; ++i) {
    model::Batch probe;
    model::Call c = batches[0].calls[0];
    c.id = "filter-probe-" + std::to_string(i);
    c.conversation_id.clear();
    probe.calls.push_back(std::move(c));
    auto r = (*reopened)->Append(probe);
    if (!r || r->new_conversations_known || i == 1000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<std::pair<std::string, std::string>> conversations;
  for (size_t b = 0; b < batches.size(); b += std::max<size_t>(1, batches.size() / 1000)) {
    for (const auto& c : batches[b].calls) {
      if (c.conversation_id.empty()) continue;
      conversations.emplace_back(c.project, c.conversation_id);
      break;
    }
  }
  std::vector<double> reads;
  size_t calls_read = 0;
  for (const auto& [project, id] : conversations) {
    const auto a = Clock::now();
    auto conversation = (*reopened)->GetConversation(project, id);
    reads.push_back(Seconds(a) * 1e6);
    if (conversation) calls_read += conversation->calls.size();
  }
  (*reopened)->Close();
  if (!reads.empty()) {
    std::sort(reads.begin(), reads.end());
    double sum = 0;
    for (double r : reads) sum += r;
    std::printf(
        "  conversation read: %zu conversations (%zu calls), mean %.0f us, p50 %.0f us, "
        "p99 %.0f us\n",
        reads.size(), calls_read, sum / static_cast<double>(reads.size()), reads[reads.size() / 2],
        reads[reads.size() * 99 / 100]);
  }
  return 0;
}

// The ingest-path rewrites: PII redaction throughput on chat text (MB/s and texts/s per core),
// with and without PII, and call pricing (calls/s).
//
//   redact_bench [--benchmark_filter=Redact]
//
// The texts are assistant-style English chat messages of 200-2000 bytes assembled from fixed
// sentences with a seeded generator, so runs are comparable. "Clean" texts contain no PII but do
// contain the numbers, times, versions, prices and punctuation ordinary chat has; "Pii" texts
// additionally carry one or two of e-mail, phone, card, IP, API key per text.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/records.h"
#include "pricing/price_table.h"
#include "redact/redactor.h"

using namespace yardstick;

namespace {

const char* const kSentences[] = {
    "Thanks for reaching out! I'm happy to help you with that. ",
    "Your order shipped on Monday and should arrive within 3 to 5 business days. ",
    "Could you tell me a bit more about what you were trying to do when the error appeared? ",
    "I've checked the logs and it looks like the sync job failed at 10:42 this morning. ",
    "Here is a short summary of the main points from the meeting: ",
    "First, the team agreed to move the launch to the second week of March. ",
    "Second, the budget for Q3 stays at roughly $12,500, with a 10% buffer. ",
    "To reset your settings, open the menu, choose Preferences, then select Restore defaults. ",
    "The new version (2.4) fixes the crash you reported and improves start-up time by about 30%. ",
    "If that doesn't work, try clearing the cache and signing in again. ",
    "Sure - here's a recipe that serves 4 people and takes about 45 minutes. ",
    "Preheat the oven to 200 degrees, then chop two onions and three cloves of garlic. ",
    "In Python, you can read a file line by line with a simple for loop over the file object. ",
    "The function returns None when the key is missing, so check the result before using it. ",
    "Let me know if there's anything else I can help with today. ",
    "I understand how frustrating that must be, and I'm sorry for the inconvenience. ",
    "According to the documentation, the limit is 100 requests per minute per project. ",
    "Your subscription renews on the 1st of every month; you can cancel at any time. ",
    "A good rule of thumb is to keep each paragraph focused on a single idea. ",
    "The quarterly report shows revenue up 8% year over year, driven mostly by new customers. ",
    "When you're ready, click Continue and follow the on-screen instructions. ",
    "Step 1: install the package. Step 2: run the setup command. Step 3: restart the app. ",
    "The train leaves at 7:15 and arrives around 9:30, so you'll have plenty of time. ",
    "It's a well-known trade-off: faster responses usually cost a little accuracy. ",
    "Here's a draft reply you can adapt to your own voice and send to the customer. ",
    "Most users on the free plan never hit the storage cap of 5 GB. ",
};

const char* const kPii[] = {
    "You can email me at jane.doe@example.com if that's easier. ",
    "Call us on +1 (555) 123-4567 between 9 and 5. ",
    "The card on file is 4111 1111 1111 1111, expiring next year. ",
    "The request came from 192.168.10.24 according to the gateway. ",
    "Use the key sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56 for the test project. ",
    "My SSN is 078-05-1120, please keep it private. ",
    "Reach the office at 020 7946 0958 or write to support@example.org. ",
};

std::vector<std::string> MakeTexts(size_t n, bool pii, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> texts;
  texts.reserve(n);
  constexpr size_t kSentenceCount = sizeof(kSentences) / sizeof(kSentences[0]);
  constexpr size_t kPiiCount = sizeof(kPii) / sizeof(kPii[0]);
  for (size_t i = 0; i < n; ++i) {
    const size_t target = 200 + rng() % 1801;  // 200-2000 bytes
    std::string t;
    const size_t pii_items = pii ? 1 + rng() % 2 : 0;
    std::vector<size_t> pii_at;
    for (size_t k = 0; k < pii_items; ++k) pii_at.push_back(rng() % 8);
    size_t sentence = 0;
    while (t.size() < target) {
      for (size_t at : pii_at) {
        if (at == sentence) t += kPii[rng() % kPiiCount];
      }
      t += kSentences[rng() % kSentenceCount];
      ++sentence;
    }
    texts.push_back(std::move(t));
  }
  return texts;
}

const redact::Redactor& DefaultRedactor() {
  static const redact::Redactor r = *redact::Redactor::Create({});
  return r;
}

void RedactTexts(benchmark::State& state, bool pii) {
  const std::vector<std::string> texts = MakeTexts(2000, pii, 42);
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  const redact::Redactor& r = DefaultRedactor();
  uint64_t replaced = 0;
  std::string work;
  for (auto _ : state) {
    for (const auto& t : texts) {
      work = t;
      redact::Counts counts;
      replaced += r.Redact(work, counts);
      benchmark::DoNotOptimize(work.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(texts.size()));
  state.counters["replaced_per_text"] = benchmark::Counter(
      static_cast<double>(replaced) /
          static_cast<double>(state.iterations() * static_cast<int64_t>(texts.size())),
      benchmark::Counter::kAvgThreads);
}

void BM_RedactClean(benchmark::State& state) { RedactTexts(state, false); }
void BM_RedactPii(benchmark::State& state) { RedactTexts(state, true); }
// One thread (rates per CPU second), then two threads at once (rates per wall-clock second, to
// see that threads do not contend).
BENCHMARK(BM_RedactClean)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RedactClean)->Unit(benchmark::kMicrosecond)->UseRealTime()->Threads(2);
BENCHMARK(BM_RedactPii)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RedactPii)->Unit(benchmark::kMicrosecond)->UseRealTime()->Threads(2);

// The copy of the texts alone, to subtract from the numbers above.
void BM_CopyOnly(benchmark::State& state) {
  const std::vector<std::string> texts = MakeTexts(2000, false, 42);
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  std::string work;
  for (auto _ : state) {
    for (const auto& t : texts) {
      work = t;
      benchmark::DoNotOptimize(work.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_CopyOnly)->Unit(benchmark::kMicrosecond);

// Calls with input and output text and a few attributes, as RedactBatch sees them (10% of the
// calls carry PII).
void BM_RedactBatch(benchmark::State& state) {
  const std::vector<std::string> clean = MakeTexts(512, false, 7);
  const std::vector<std::string> dirty = MakeTexts(64, true, 8);
  model::Batch batch;
  for (size_t i = 0; i < 1000; ++i) {
    model::Call c;
    c.input_text = i % 10 == 0 ? dirty[i % dirty.size()] : clean[(2 * i) % clean.size()];
    c.output_text = clean[(2 * i + 1) % clean.size()];
    c.attributes = {{"gen_ai.system", "openai"}, {"route", "/v1/chat"}, {"tenant", "acme"}};
    batch.calls.push_back(std::move(c));
  }
  const redact::Redactor& r = DefaultRedactor();
  for (auto _ : state) {
    state.PauseTiming();
    model::Batch work = batch;
    state.ResumeTiming();
    redact::Counts counts;
    r.RedactBatch(work, counts);
    benchmark::DoNotOptimize(counts.total);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch.calls.size()));
}
BENCHMARK(BM_RedactBatch)->Unit(benchmark::kMillisecond);

// PriceBatch over calls of a few dozen distinct model names (memoized lookups), priced from the
// built-in table.
void BM_PriceBatch(benchmark::State& state) {
  static const pricing::PriceTable table = *pricing::PriceTable::Builtin();
  const char* const models[] = {"gpt-4o",
                                "gpt-4o-mini-2024-07-18",
                                "openai/gpt-4.1",
                                "claude-sonnet-4-5-20250929",
                                "gemini-2.5-pro",
                                "azure/gpt-4o-2024-08-06",
                                "o3",
                                "unknown-model-x"};
  model::Batch batch;
  for (size_t i = 0; i < 1000; ++i) {
    model::Call c;
    c.project = i % 3 ? "default" : "search";
    c.response_model = models[i % (sizeof(models) / sizeof(models[0]))];
    c.input_tokens = static_cast<int64_t>(100 + i);
    c.output_tokens = static_cast<int64_t>(20 + i % 50);
    c.cache_read_tokens = static_cast<int64_t>(i % 64);
    batch.calls.push_back(std::move(c));
  }
  for (auto _ : state) {
    state.PauseTiming();
    model::Batch work = batch;
    state.ResumeTiming();
    table.PriceBatch(work);
    benchmark::DoNotOptimize(work.calls.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch.calls.size()));
}
BENCHMARK(BM_PriceBatch)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PriceBatch)->Unit(benchmark::kMicrosecond)->UseRealTime()->Threads(2);

}  // namespace

BENCHMARK_MAIN();

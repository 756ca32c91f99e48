// The filter of stored call ids: never a false negative (also while it grows and with writers
// on several threads), few false positives.
#include "store/id_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace yardstick::store {
namespace {

TEST(IdFilter, NoFalseNegativesAndFewFalsePositivesAtPlannedLoad) {
  IdFilter f(200'000);
  std::mt19937_64 rng(7);
  std::vector<uint64_t> added(200'000);
  for (auto& k : added) {
    k = rng();
    f.Add(k);
  }
  for (uint64_t k : added) ASSERT_TRUE(f.MayContain(k)) << k;
  int positives = 0;
  for (int i = 0; i < 200'000; ++i) positives += f.MayContain(rng());
  // About 0.1% at 16 bits per key; far below 1% either way.
  EXPECT_LT(positives, 600) << positives;
  EXPECT_EQ(f.keys(), added.size());
}

TEST(IdFilter, GrowsBeyondItsPlanWithoutLosingKeys) {
  IdFilter f(1);  // planned for the minimum, 65,536 keys
  const size_t planned_bytes = f.bytes();
  std::vector<uint64_t> added;
  for (uint64_t i = 0; i < 500'000; ++i) {  // small, structured keys: the hash must spread them
    added.push_back(i * 4096);
    f.Add(added.back());
  }
  EXPECT_GT(f.bytes(), planned_bytes);
  for (uint64_t k : added) ASSERT_TRUE(f.MayContain(k)) << k;
  int positives = 0;
  for (uint64_t i = 0; i < 100'000; ++i) positives += f.MayContain(i * 4096 + 1);
  EXPECT_LT(positives, 1000) << positives;
}

TEST(IdFilter, ConcurrentWritersAndReaders) {
  IdFilter f(1000);
  constexpr uint64_t kPerThread = 100'000;
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 2; ++t) {
    threads.emplace_back([&f, t] {
      for (uint64_t i = 0; i < kPerThread; ++i) {
        const uint64_t k = t * kPerThread + i;
        f.Add(k);
        // What a thread added is visible to it at once.
        if (!f.MayContain(k)) ADD_FAILURE() << k;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (uint64_t k = 0; k < 2 * kPerThread; ++k) ASSERT_TRUE(f.MayContain(k)) << k;
  EXPECT_FALSE(f.complete());
  f.MarkComplete();
  EXPECT_TRUE(f.complete());
}

TEST(GenerationFilters, CandidatesAreTheGenerationsThatMayHoldAKeyNewestFirst) {
  GenerationFilters f(12000);
  // Key k is in generations k % 7 and 100 + k % 3; generations 0 and 100-102 outgrow their plan.
  for (uint64_t k = 0; k < 70'000; ++k) {
    f.Add(static_cast<int64_t>(k % 7), k);
    f.Add(static_cast<int64_t>(100 + k % 3), k);
  }
  for (uint64_t k = 0; k < 50'000; ++k) f.Add(0, 1'000'000 + k);
  EXPECT_FALSE(f.complete());
  f.MarkComplete();
  EXPECT_TRUE(f.complete());
  size_t extra = 0;
  for (uint64_t k = 0; k < 70'000; ++k) {
    const auto c = f.Candidates(k);
    ASSERT_TRUE(std::is_sorted(c.rbegin(), c.rend())) << k;
    ASSERT_NE(std::find(c.begin(), c.end(), static_cast<int64_t>(100 + k % 3)), c.end()) << k;
    ASSERT_NE(std::find(c.begin(), c.end(), static_cast<int64_t>(k % 7)), c.end()) << k;
    extra += c.size() - 2;
  }
  // 10 generations, about 0.1% false positives each (more for those past their plan).
  EXPECT_LT(extra, 700u) << extra;
  size_t none = 0;
  for (uint64_t k = 5'000'000; k < 5'100'000; ++k) none += f.Candidates(k).size();
  EXPECT_LT(none, 1000u) << none;
  EXPECT_GT(f.bytes(), 0u);
}

}  // namespace
}  // namespace yardstick::store

#include "stats/rng.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "stats/test_data.h"

namespace yardstick::stats {
namespace {

using testing::ReadStatsData;

TEST(NumpyRngTest, MatchesNumpyDefaultRng) {
  int checked = 0;
  for (const auto& c : ReadStatsData("numpy_rng.jsonl")) {
    SCOPED_TRACE(c["id"].get<std::string>());
    const auto seed = c["inputs"]["seed"].get<std::uint64_t>();
    const auto& e = c["expected"];

    // SeedSequence(seed).generate_state(4, np.uint64)
    const auto words = SeedSequenceState(SeedWords(seed), 8);
    for (std::size_t i = 0; i < 4; ++i) {
      const std::uint64_t v = words[2 * i] | (static_cast<std::uint64_t>(words[2 * i + 1]) << 32);
      EXPECT_EQ(std::to_string(v), e["seed_state_uint64"][i].get<std::string>());
    }

    NumpyRng rng(seed);
    for (const auto& draw : e["integers"]) {
      const auto high = draw["high"].get<std::uint64_t>();
      for (const auto& value : draw["values"]) {
        EXPECT_EQ(rng.Below(high), value.get<std::uint64_t>()) << "high=" << high;
      }
    }
    {
      RandomBits bits(rng);
      for (const auto& b : e["bool_bits"]) EXPECT_EQ(bits.Next() ? 1 : 0, b.get<int>());
    }
    for (const auto& v : e["integers_after_bits"]) EXPECT_EQ(rng.Below(10), v.get<std::uint64_t>());
    for (const auto& v : e["random"]) EXPECT_EQ(rng.Uniform(), v.get<double>());

    NumpyRng choice(seed);
    for (const auto& row : e["choice_7_3x7"]) {
      for (const auto& v : row) EXPECT_EQ(choice.Below(7), v.get<std::uint64_t>());
    }
    NumpyRng big(seed);
    std::vector<std::uint64_t> first, last;
    std::uint64_t sums[2] = {0, 0};
    for (int r = 0; r < 2; ++r) {
      for (int j = 0; j < 3004; ++j) {
        const std::uint64_t v = big.Below(3004);
        sums[r] += v;
        if (r == 0 && j < 20) first.push_back(v);
        if (r == 1 && j >= 3004 - 20) last.push_back(v);
      }
    }
    EXPECT_EQ(sums[0], e["choice_3004_2x3004_sum"][0].get<std::uint64_t>());
    EXPECT_EQ(sums[1], e["choice_3004_2x3004_sum"][1].get<std::uint64_t>());
    EXPECT_EQ(first, e["choice_3004_first"].get<std::vector<std::uint64_t>>());
    EXPECT_EQ(last, e["choice_3004_last"].get<std::vector<std::uint64_t>>());
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(NumpyRngTest, SeedWordsSplitLowWordFirst) {
  EXPECT_EQ(SeedWords(0), std::vector<std::uint32_t>({0}));
  EXPECT_EQ(SeedWords(12345), std::vector<std::uint32_t>({12345}));
  EXPECT_EQ(SeedWords((1ULL << 40) + 7), std::vector<std::uint32_t>({7, 256}));
}

TEST(NumpyRngTest, BelowOneConsumesNothing) {
  NumpyRng a(5), b(5);
  EXPECT_EQ(a.Below(1), 0u);
  EXPECT_EQ(a.NextUint64(), b.NextUint64());
}

TEST(NumpyRngTest, BelowStaysInRange) {
  NumpyRng rng(1);
  for (std::uint64_t n : {2ULL, 3ULL, 1000ULL, (1ULL << 33) + 5, ~0ULL}) {
    for (int i = 0; i < 1000; ++i) EXPECT_LT(rng.Below(n), n);
  }
}

}  // namespace
}  // namespace yardstick::stats

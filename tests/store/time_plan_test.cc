#include "store/time_plan.h"

#include <gtest/gtest.h>

#include <random>

#include "store/store.h"

namespace yardstick::store {
namespace {

constexpr int64_t kT0 = 1'764'115'200'000'000'000;  // a UTC midnight

TEST(TimePlan, FloorAndCeilHandleNegativeTimes) {
  EXPECT_EQ(FloorTo(-1, 60), -60);
  EXPECT_EQ(CeilTo(-1, 60), 0);
  EXPECT_EQ(FloorTo(120, 60), 120);
  EXPECT_EQ(CeilTo(121, 60), 180);
}

TEST(TimePlan, WholeDaysUseDayRollups) {
  auto plan = PlanRollupRead(kT0, kT0 + 3 * kNanosPerDay, 0);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].resolution, Resolution::kDay);
}

TEST(TimePlan, EdgesUseFinerRollups) {
  const int64_t from = kT0 + 5 * kNanosPerMinute;
  const int64_t to = kT0 + 2 * kNanosPerDay + kNanosPerHour + 7 * kNanosPerMinute;
  auto plan = PlanRollupRead(from, to, 0);
  // minute [from, 1h), hour [1h, 1d), day [1d, 2d), hour [2d, 2d+1h), minute [2d+1h, to)
  ASSERT_EQ(plan.size(), 5u);
}

TEST(TimePlan, UnbuiltHoursAndDaysAreReadFromFinerRollups) {
  // Hours are built before 2d+3h, so days before 2d.
  const int64_t built = kT0 + 2 * kNanosPerDay + 3 * kNanosPerHour;
  auto plan = PlanRollupRead(kT0, kT0 + 4 * kNanosPerDay, 0, built);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].resolution, Resolution::kMinute);
  EXPECT_EQ(plan[0].from_ns, built);
  EXPECT_EQ(plan[0].to_ns, kT0 + 4 * kNanosPerDay);
  EXPECT_EQ(plan[1].resolution, Resolution::kHour);
  EXPECT_EQ(plan[1].from_ns, kT0 + 2 * kNanosPerDay);
  EXPECT_EQ(plan[1].to_ns, built);
  EXPECT_EQ(plan[2].resolution, Resolution::kDay);
  EXPECT_EQ(plan[2].to_ns, kT0 + 2 * kNanosPerDay);
}

// Property: the segments tile [from, to) exactly, and no segment crosses a bucket boundary.
TEST(TimePlan, SegmentsTileTheRangeAndRespectBuckets) {
  std::mt19937_64 rng(1);
  for (int iter = 0; iter < 500; ++iter) {
    const int64_t from = kT0 + static_cast<int64_t>(rng() % 5000) * kNanosPerMinute;
    const int64_t to = from + static_cast<int64_t>(1 + rng() % 8000) * kNanosPerMinute;
    const int64_t steps[] = {
        0, kNanosPerMinute, 7 * kNanosPerMinute, kNanosPerHour, 5 * kNanosPerHour, kNanosPerDay};
    const int64_t step = steps[rng() % 6];
    // Half of the plans with coarse rollups built only up to a random hour.
    const int64_t built =
        iter % 2 == 0 ? kAllRollupsBuilt : kT0 + static_cast<int64_t>(rng() % 140) * kNanosPerHour;
    auto plan = PlanRollupRead(from, to, step, built);
    int64_t covered = 0;
    for (const auto& s : plan) {
      const int64_t unit = ResolutionNanos(s.resolution);
      EXPECT_EQ(s.from_ns % unit, 0);
      EXPECT_EQ(s.to_ns % unit, 0);
      EXPECT_LT(s.from_ns, s.to_ns);
      covered += s.to_ns - s.from_ns;
      if (s.resolution == Resolution::kHour) {
        EXPECT_LE(s.to_ns, built);
      }
      if (s.resolution == Resolution::kDay) {
        EXPECT_LE(s.to_ns, FloorTo(built, kNanosPerDay));
      }
      if (step > 0) {
        // Each row [t, t + unit) of the segment lies inside one bucket.
        for (int64_t t = s.from_ns; t < s.to_ns; t += unit) {
          EXPECT_EQ((t - from) / step, (t + unit - 1 - from) / step);
        }
      }
    }
    EXPECT_EQ(covered, to - from);
  }
}

}  // namespace
}  // namespace yardstick::store

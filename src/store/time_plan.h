#pragma once
// Which rollup resolution answers which part of a query range. A range split into step buckets
// is covered by day rollups where whole UTC days fit inside a bucket, hour rollups where whole
// hours fit, and minute rollups for the rest; every rollup row read then lies inside exactly
// one bucket. Shared by the store backends.

#include <cstdint>
#include <vector>

namespace yardstick::store {

enum class Resolution { kMinute = 0, kHour = 1, kDay = 2 };

int64_t ResolutionNanos(Resolution r);

struct TimeSegment {
  Resolution resolution;
  int64_t from_ns;  // inclusive, aligned to the resolution
  int64_t to_ns;    // exclusive, aligned to the resolution
};

// Rounds down / up to a multiple of `unit` (also for negative times).
int64_t FloorTo(int64_t t, int64_t unit);
int64_t CeilTo(int64_t t, int64_t unit);

// Hour rollups exist for every hour that starts before `hours_built_before` (hour-aligned), and
// day rollups for every day that starts before FloorTo(hours_built_before, day): a backend that
// builds coarse rollups only once their period is over passes its watermark, and later times
// are read from the finer rollups.
inline constexpr int64_t kAllRollupsBuilt = INT64_MAX;

// Segments covering [from, to) (minute-aligned) split at every bucket boundary from + k*step
// (step 0: one bucket). Adjacent segments of one resolution are merged.
std::vector<TimeSegment> PlanRollupRead(int64_t from_ns, int64_t to_ns, int64_t step_ns,
                                        int64_t hours_built_before = kAllRollupsBuilt);

}  // namespace yardstick::store

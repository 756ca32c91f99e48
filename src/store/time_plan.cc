#include "store/time_plan.h"

#include <algorithm>

#include "store/store.h"

namespace yardstick::store {

int64_t ResolutionNanos(Resolution r) {
  switch (r) {
    case Resolution::kMinute:
      return kNanosPerMinute;
    case Resolution::kHour:
      return kNanosPerHour;
    case Resolution::kDay:
      return kNanosPerDay;
  }
  return kNanosPerMinute;
}

int64_t FloorTo(int64_t t, int64_t unit) {
  int64_t q = t / unit;
  if (t % unit != 0 && t < 0) --q;
  return q * unit;
}

int64_t CeilTo(int64_t t, int64_t unit) {
  const int64_t f = FloorTo(t, unit);
  return f == t ? t : f + unit;
}

namespace {

void Push(std::vector<TimeSegment>& out, Resolution r, int64_t from, int64_t to) {
  if (from >= to) return;
  if (!out.empty() && out.back().resolution == r && out.back().to_ns == from) {
    out.back().to_ns = to;
    return;
  }
  out.push_back({r, from, to});
}

// Covers one bucket [b, e), both minute-aligned, with the coarsest rollups that fit.
void PlanBucket(std::vector<TimeSegment>& out, int64_t b, int64_t e) {
  const int64_t d0 = CeilTo(b, kNanosPerDay);
  const int64_t d1 = FloorTo(e, kNanosPerDay);
  const int64_t h0 = CeilTo(b, kNanosPerHour);
  const int64_t h1 = FloorTo(e, kNanosPerHour);
  if (d0 < d1) {
    Push(out, Resolution::kMinute, b, h0);
    Push(out, Resolution::kHour, h0, d0);
    Push(out, Resolution::kDay, d0, d1);
    Push(out, Resolution::kHour, d1, h1);
    Push(out, Resolution::kMinute, h1, e);
  } else if (h0 < h1) {
    Push(out, Resolution::kMinute, b, h0);
    Push(out, Resolution::kHour, h0, h1);
    Push(out, Resolution::kMinute, h1, e);
  } else {
    Push(out, Resolution::kMinute, b, e);
  }
}

// Replaces what `out` reads at `coarse` resolution from `built_before` on by `finer` rollups.
void ReadUnbuiltFiner(std::vector<TimeSegment>& out, Resolution coarse, Resolution finer,
                      int64_t built_before) {
  std::vector<TimeSegment> split;
  for (const auto& s : out) {
    if (s.resolution != coarse || s.to_ns <= built_before) {
      split.push_back(s);
      continue;
    }
    if (s.from_ns < built_before) split.push_back({coarse, s.from_ns, built_before});
    split.push_back({finer, std::max(s.from_ns, built_before), s.to_ns});
  }
  out = std::move(split);
}

}  // namespace

std::vector<TimeSegment> PlanRollupRead(int64_t from_ns, int64_t to_ns, int64_t step_ns,
                                        int64_t hours_built_before) {
  std::vector<TimeSegment> out;
  if (from_ns >= to_ns) return out;
  if (step_ns <= 0) {
    PlanBucket(out, from_ns, to_ns);
  } else {
    for (int64_t b = from_ns; b < to_ns; b += step_ns) {
      PlanBucket(out, b, std::min(to_ns, b + step_ns));
    }
  }
  if (hours_built_before != kAllRollupsBuilt) {
    ReadUnbuiltFiner(out, Resolution::kDay, Resolution::kHour,
                     FloorTo(hours_built_before, kNanosPerDay));
    ReadUnbuiltFiner(out, Resolution::kHour, Resolution::kMinute, hours_built_before);
  }
  // Segments of different resolutions interleave; sort by resolution then time so a backend
  // can read each resolution in few range scans, and merge what became adjacent.
  std::stable_sort(out.begin(), out.end(), [](const TimeSegment& a, const TimeSegment& b) {
    return a.resolution != b.resolution ? a.resolution < b.resolution : a.from_ns < b.from_ns;
  });
  std::vector<TimeSegment> merged;
  for (const auto& s : out) Push(merged, s.resolution, s.from_ns, s.to_ns);
  return merged;
}

}  // namespace yardstick::store

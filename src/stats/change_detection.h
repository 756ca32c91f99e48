#pragma once
// Change detection on a stream of numbers: tabular CUSUM, Page-Hinkley and the EWMA control chart
// (STATISTICS.md section 4; docs/statistics.md).
//
// Each detector is a small streaming class and a batch function over a series:
//   - Create(params[, state]) validates the parameters (kInvalidArgument for nonsense such as
//     h <= 0 or lambda outside (0, 1]) and, when given, a persisted state;
//   - Update(x) takes one observation and returns the step: the statistics after x, whether x
//     raised an alarm and in which direction. A NaN or infinite x is rejected (kInvalidArgument)
//     and leaves the detector unchanged;
//   - after an alarm the detector restarts: the next Update begins from the initial state (as
//     river's Page-Hinkley does, and as a CUSUM is restarted after the out-of-control signal);
//   - state() returns a plain struct that a caller can store (e.g. as JSON) and pass back to
//     Create() after a restart; the detector then continues exactly where it stopped.
// Run*() feeds a whole series through a fresh detector and returns every step, the alarm indices
// and the first alarm. Results match tests/stats/data/change_detection.jsonl, generated from the
// formulas in plain Python, to a relative 1e-12.
//
// Thread safety: a detector is a plain value; use one per thread or synchronize externally.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/error.h"

namespace yardstick::stats {

// Which way a detector signalled: a shift of the mean upwards or downwards.
enum class ShiftDirection { kNone, kUp, kDown };

// "none", "up", "down".
const char* ShiftDirectionName(ShiftDirection direction);

// ---------------------------------------------------------------------------------------------
// Tabular CUSUM (Montgomery), two-sided:
//   C+_t = max(0, x_t - (mu0 + K) + C+_{t-1}),  C-_t = max(0, (mu0 - K) - x_t + C-_{t-1}),
// with K = k * sigma and H = h * sigma; an alarm when C+ > H (up) or C- > H (down). With sigma = 1
// k and h are in the units of x; with a reference sigma they are in standard deviations (the
// usual k = 0.5, h = 4 or 5 give in-control average run lengths of about 168 and 465).
struct CusumParams {
  double target = 0;  // mu0, the in-control mean; finite
  double sigma = 1;   // the reference standard deviation; finite, > 0
  double k = 0.5;     // slack per observation, in sigmas; finite, >= 0
  double h = 5;       // decision threshold, in sigmas; finite, > 0
};

struct CusumState {
  double upper = 0;        // C+, >= 0
  double lower = 0;        // C-, >= 0
  std::int64_t count = 0;  // observations since the last (re)start
  bool alarm = false;      // the last observation raised an alarm: the next Update restarts
};

struct CusumStep {
  double upper = 0;
  double lower = 0;
  bool alarm = false;
  ShiftDirection direction = ShiftDirection::kNone;
};

class Cusum {
 public:
  static Result<Cusum> Create(const CusumParams& params, const CusumState& state = {});

  Result<CusumStep> Update(double x);
  void Reset() { state_ = {}; }

  const CusumParams& params() const { return params_; }
  const CusumState& state() const { return state_; }

 private:
  Cusum(const CusumParams& params, const CusumState& state) : params_(params), state_(state) {}
  CusumParams params_;
  CusumState state_;
};

// ---------------------------------------------------------------------------------------------
// Page-Hinkley (river.drift.PageHinkley, legacy version):
//   xbar_t = xbar_{t-1} + (x_t - xbar_{t-1}) / t,
//   S+_t = max(0, alpha * S+_{t-1} + x_t - xbar_t - delta)      (an increase of the mean),
//   S-_t = max(0, alpha * S-_{t-1} + xbar_t - x_t - delta)      (a decrease, the mirror image),
// an alarm when the watched statistic >= lambda, but not while t + 1 < min_instances.
// river watches increases only (mode kUp, the default); kDown and kBoth add the mirrored statistic.
enum class PageHinkleyMode { kUp, kDown, kBoth };

struct PageHinkleyParams {
  double delta = 0.005;             // tolerated drift per observation; finite, >= 0
  double lambda = 50;               // threshold; finite, > 0
  double alpha = 0.9999;            // forgetting factor of the sums; in (0, 1]
  std::int64_t min_instances = 30;  // no alarm while observations + 1 < min_instances; >= 1
  PageHinkleyMode mode = PageHinkleyMode::kUp;
};

struct PageHinkleyState {
  double mean = 0;         // xbar
  double up = 0;           // S+, >= 0
  double down = 0;         // S-, >= 0
  std::int64_t count = 0;  // observations since the last (re)start
  bool alarm = false;      // the last observation raised an alarm: the next Update restarts
};

struct PageHinkleyStep {
  double mean = 0;
  double up = 0;
  double down = 0;
  bool alarm = false;
  ShiftDirection direction = ShiftDirection::kNone;
};

class PageHinkley {
 public:
  static Result<PageHinkley> Create(const PageHinkleyParams& params,
                                    const PageHinkleyState& state = {});

  Result<PageHinkleyStep> Update(double x);
  void Reset() { state_ = {}; }

  const PageHinkleyParams& params() const { return params_; }
  const PageHinkleyState& state() const { return state_; }

 private:
  PageHinkley(const PageHinkleyParams& params, const PageHinkleyState& state)
      : params_(params), state_(state) {}
  PageHinkleyParams params_;
  PageHinkleyState state_;
};

// ---------------------------------------------------------------------------------------------
// EWMA control chart: z_t = lambda * x_t + (1 - lambda) * z_{t-1}, z_0 = mu0, with the exact
// time-varying limits mu0 +- L * sigma * sqrt(lambda / (2 - lambda) * (1 - (1 - lambda)^(2t)));
// an alarm when z_t > upper (up) or z_t < lower (down). Typical: lambda in [0.05, 0.25], L = 3.
struct EwmaParams {
  double target = 0;    // mu0; finite
  double sigma = 1;     // the in-control standard deviation of x; finite, > 0
  double lambda = 0.2;  // smoothing weight; in (0, 1] (1 gives a Shewhart chart)
  double width = 3;     // L, the limit width in standard deviations of z; finite, > 0
};

struct EwmaState {
  double z = 0;            // the smoothed value; equals target after a (re)start
  std::int64_t count = 0;  // t, observations since the last (re)start
  bool alarm = false;      // the last observation raised an alarm: the next Update restarts
};

struct EwmaStep {
  double z = 0;
  double lower = 0;  // the control limits at this t
  double upper = 0;
  bool alarm = false;
  ShiftDirection direction = ShiftDirection::kNone;
};

class Ewma {
 public:
  // A default (value-initialized) `state` is taken as a fresh start: z = target.
  static Result<Ewma> Create(const EwmaParams& params,
                             const std::optional<EwmaState>& state = std::nullopt);

  Result<EwmaStep> Update(double x);
  void Reset() { state_ = EwmaState{params_.target, 0, false}; }

  const EwmaParams& params() const { return params_; }
  const EwmaState& state() const { return state_; }

 private:
  Ewma(const EwmaParams& params, const EwmaState& state) : params_(params), state_(state) {}
  EwmaParams params_;
  EwmaState state_;
};

// ---------------------------------------------------------------------------------------------
// Batch runs: every step of a fresh detector over `series`, the indices of all alarms (the
// detector restarts after each) and the first one. A NaN or infinite value is an error naming
// its index.
template <typename Step>
struct DetectorRun {
  std::vector<Step> steps;
  std::vector<std::size_t> alarms;
  std::optional<std::size_t> first_alarm;
};

Result<DetectorRun<CusumStep>> RunCusum(const CusumParams& params, std::span<const double> series);
Result<DetectorRun<PageHinkleyStep>> RunPageHinkley(const PageHinkleyParams& params,
                                                    std::span<const double> series);
Result<DetectorRun<EwmaStep>> RunEwma(const EwmaParams& params, std::span<const double> series);

}  // namespace yardstick::stats

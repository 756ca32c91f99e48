#include "stats/change_detection.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace yardstick::stats {
namespace {

std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

std::optional<Error> Require(bool ok, const char* what, const std::string& expected, double v) {
  if (ok) return std::nullopt;
  return Error(ErrorCode::kInvalidArgument,
               std::string(what) + " = " + Num(v) + "; expected " + expected);
}

std::optional<Error> CheckObservation(double x) {
  if (std::isfinite(x)) return std::nullopt;
  return Error(ErrorCode::kInvalidArgument, "observation " + Num(x) + " is not a finite number");
}

std::optional<Error> CheckCount(std::int64_t count, const char* what) {
  if (count >= 0) return std::nullopt;
  return Error(ErrorCode::kInvalidArgument,
               std::string(what) + " = " + std::to_string(count) + "; expected >= 0");
}

bool FiniteNonNegative(double v) { return std::isfinite(v) && v >= 0; }

template <typename Detector, typename Step, typename Params>
Result<DetectorRun<Step>> Run(const Params& params, std::span<const double> series) {
  auto detector = Detector::Create(params);
  if (!detector) return std::unexpected(detector.error());
  DetectorRun<Step> run;
  run.steps.reserve(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto step = detector->Update(series[i]);
    if (!step)
      return std::unexpected(step.error().WithContext("series[" + std::to_string(i) + "]"));
    if (step->alarm) {
      run.alarms.push_back(i);
      if (!run.first_alarm) run.first_alarm = i;
    }
    run.steps.push_back(*step);
  }
  return run;
}

}  // namespace

const char* ShiftDirectionName(ShiftDirection direction) {
  switch (direction) {
    case ShiftDirection::kUp:
      return "up";
    case ShiftDirection::kDown:
      return "down";
    case ShiftDirection::kNone:
      break;
  }
  return "none";
}

// ---------------------------------------------------------------------------------------------
// CUSUM

Result<Cusum> Cusum::Create(const CusumParams& p, const CusumState& state) {
  for (const auto& error :
       {Require(std::isfinite(p.target), "cusum target", "a finite number", p.target),
        Require(std::isfinite(p.sigma) && p.sigma > 0, "cusum sigma", "a finite number > 0",
                p.sigma),
        Require(FiniteNonNegative(p.k), "cusum k", "a finite number >= 0", p.k),
        Require(std::isfinite(p.h) && p.h > 0, "cusum h", "a finite number > 0", p.h),
        Require(FiniteNonNegative(state.upper), "cusum state upper", "a finite number >= 0",
                state.upper),
        Require(FiniteNonNegative(state.lower), "cusum state lower", "a finite number >= 0",
                state.lower),
        CheckCount(state.count, "cusum state count")}) {
    if (error) return std::unexpected(*error);
  }
  return Cusum(p, state);
}

Result<CusumStep> Cusum::Update(double x) {
  if (auto error = CheckObservation(x)) return std::unexpected(*error);
  if (state_.alarm) Reset();
  const double slack = params_.k * params_.sigma;
  const double threshold = params_.h * params_.sigma;
  state_.upper = std::max(0.0, x - (params_.target + slack) + state_.upper);
  state_.lower = std::max(0.0, (params_.target - slack) - x + state_.lower);
  ++state_.count;
  CusumStep step{state_.upper, state_.lower, false, ShiftDirection::kNone};
  if (state_.upper > threshold) {
    step.direction = ShiftDirection::kUp;
  } else if (state_.lower > threshold) {
    step.direction = ShiftDirection::kDown;
  }
  step.alarm = state_.alarm = step.direction != ShiftDirection::kNone;
  return step;
}

// ---------------------------------------------------------------------------------------------
// Page-Hinkley

Result<PageHinkley> PageHinkley::Create(const PageHinkleyParams& p, const PageHinkleyState& state) {
  for (const auto& error :
       {Require(FiniteNonNegative(p.delta), "page-hinkley delta", "a finite number >= 0", p.delta),
        Require(std::isfinite(p.lambda) && p.lambda > 0, "page-hinkley lambda",
                "a finite number > 0", p.lambda),
        Require(p.alpha > 0 && p.alpha <= 1, "page-hinkley alpha", "a number in (0, 1]", p.alpha),
        Require(p.min_instances >= 1, "page-hinkley min_instances", "an integer >= 1",
                static_cast<double>(p.min_instances)),
        Require(std::isfinite(state.mean), "page-hinkley state mean", "a finite number",
                state.mean),
        Require(FiniteNonNegative(state.up), "page-hinkley state up", "a finite number >= 0",
                state.up),
        Require(FiniteNonNegative(state.down), "page-hinkley state down", "a finite number >= 0",
                state.down),
        CheckCount(state.count, "page-hinkley state count")}) {
    if (error) return std::unexpected(*error);
  }
  return PageHinkley(p, state);
}

Result<PageHinkleyStep> PageHinkley::Update(double x) {
  if (auto error = CheckObservation(x)) return std::unexpected(*error);
  if (state_.alarm) Reset();
  ++state_.count;
  // The operations and their order are river's (legacy PageHinkley.update).
  state_.mean = state_.mean + (x - state_.mean) / static_cast<double>(state_.count);
  state_.up = std::max(0.0, params_.alpha * state_.up + (x - state_.mean - params_.delta));
  state_.down = std::max(0.0, params_.alpha * state_.down + (state_.mean - x - params_.delta));
  PageHinkleyStep step{state_.mean, state_.up, state_.down, false, ShiftDirection::kNone};
  if (state_.count + 1 >= params_.min_instances) {
    const bool watch_up = params_.mode != PageHinkleyMode::kDown;
    const bool watch_down = params_.mode != PageHinkleyMode::kUp;
    if (watch_up && state_.up >= params_.lambda) {
      step.direction = ShiftDirection::kUp;
    } else if (watch_down && state_.down >= params_.lambda) {
      step.direction = ShiftDirection::kDown;
    }
  }
  step.alarm = state_.alarm = step.direction != ShiftDirection::kNone;
  return step;
}

// ---------------------------------------------------------------------------------------------
// EWMA

Result<Ewma> Ewma::Create(const EwmaParams& p, const std::optional<EwmaState>& state) {
  const EwmaState initial = state.value_or(EwmaState{p.target, 0, false});
  for (const auto& error :
       {Require(std::isfinite(p.target), "ewma target", "a finite number", p.target),
        Require(std::isfinite(p.sigma) && p.sigma > 0, "ewma sigma", "a finite number > 0",
                p.sigma),
        Require(p.lambda > 0 && p.lambda <= 1, "ewma lambda", "a number in (0, 1]", p.lambda),
        Require(std::isfinite(p.width) && p.width > 0, "ewma width (L)", "a finite number > 0",
                p.width),
        Require(std::isfinite(initial.z), "ewma state z", "a finite number", initial.z),
        CheckCount(initial.count, "ewma state count")}) {
    if (error) return std::unexpected(*error);
  }
  return Ewma(p, initial);
}

Result<EwmaStep> Ewma::Update(double x) {
  if (auto error = CheckObservation(x)) return std::unexpected(*error);
  if (state_.alarm) Reset();
  const double lambda = params_.lambda;
  ++state_.count;
  state_.z = lambda * x + (1 - lambda) * state_.z;
  const double decay = std::pow(1 - lambda, 2.0 * static_cast<double>(state_.count));
  const double half_width =
      params_.width * params_.sigma * std::sqrt(lambda / (2 - lambda) * (1 - decay));
  EwmaStep step{state_.z, params_.target - half_width, params_.target + half_width, false,
                ShiftDirection::kNone};
  if (state_.z > step.upper) {
    step.direction = ShiftDirection::kUp;
  } else if (state_.z < step.lower) {
    step.direction = ShiftDirection::kDown;
  }
  step.alarm = state_.alarm = step.direction != ShiftDirection::kNone;
  return step;
}

// ---------------------------------------------------------------------------------------------
// Batch runs

Result<DetectorRun<CusumStep>> RunCusum(const CusumParams& params, std::span<const double> series) {
  return Run<Cusum, CusumStep>(params, series);
}

Result<DetectorRun<PageHinkleyStep>> RunPageHinkley(const PageHinkleyParams& params,
                                                    std::span<const double> series) {
  return Run<PageHinkley, PageHinkleyStep>(params, series);
}

Result<DetectorRun<EwmaStep>> RunEwma(const EwmaParams& params, std::span<const double> series) {
  return Run<Ewma, EwmaStep>(params, series);
}

}  // namespace yardstick::stats

#include "stats/intervals.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "stats/distributions.h"

namespace yardstick::stats {

double NormalCritical(double level) { return NormalPpf(0.5 + level / 2); }

double StudentTCritical(double level, double df) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), 0.5 + level / 2);
}

std::optional<Interval> WilsonInterval(uint64_t successes, uint64_t trials, double level) {
  if (trials == 0) return std::nullopt;
  const double n = static_cast<double>(trials);
  const double p = std::min(1.0, static_cast<double>(successes) / n);
  const double z = NormalCritical(level);
  const double z2 = z * z;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return Interval{std::max(0.0, center - half), std::min(1.0, center + half)};
}

std::optional<Interval> MeanInterval(uint64_t n, double sum, double sumsq, double level) {
  if (n < 2) return std::nullopt;
  const double nn = static_cast<double>(n);
  const double mean = sum / nn;
  const double var = std::max(0.0, (sumsq - nn * mean * mean) / (nn - 1));
  const double half = StudentTCritical(level, nn - 1) * std::sqrt(var / nn);
  return Interval{mean - half, mean + half};
}

std::optional<Interval> NpsInterval(uint64_t promoters, uint64_t detractors, uint64_t n,
                                    double level) {
  if (n == 0) return std::nullopt;
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(promoters) / nn;
  const double d = static_cast<double>(detractors) / nn;
  const double nps = p - d;
  const double var = std::max(0.0, (p + d - nps * nps) / nn);
  const double half = NormalCritical(level) * std::sqrt(var);
  return Interval{std::max(-100.0, 100 * (nps - half)), std::min(100.0, 100 * (nps + half))};
}

std::optional<Interval> QuantileInterval(
    uint64_t n, double q, double level,
    const std::function<std::optional<double>(double)>& value_at_rank) {
  if (n == 0) return std::nullopt;
  const double nn = static_cast<double>(n);
  const double z = NormalCritical(level);
  const double spread = z * std::sqrt(nn * q * (1 - q));
  const double lo_rank = std::clamp(std::floor(nn * q - spread) - 1, 0.0, nn - 1);
  const double hi_rank = std::clamp(std::ceil(nn * q + spread), 0.0, nn - 1);
  const auto lo = value_at_rank(lo_rank);
  const auto hi = value_at_rank(hi_rank);
  if (!lo || !hi) return std::nullopt;
  return Interval{*lo, *hi};
}

}  // namespace yardstick::stats

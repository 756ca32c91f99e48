#pragma once
// Closed-form confidence intervals for KPIs computed from sufficient statistics (counts, sums,
// sums of squares, sketches), so that a KPI over any range carries an interval without reading
// raw records.

#include <cstdint>
#include <functional>
#include <optional>

namespace yardstick::stats {

struct Interval {
  double low = 0;
  double high = 0;
};

// Wilson score interval for a proportion successes/trials; nullopt when trials == 0.
std::optional<Interval> WilsonInterval(uint64_t successes, uint64_t trials, double level);

// Student-t interval for a mean from n, sum and sum of squares; nullopt when n < 2.
std::optional<Interval> MeanInterval(uint64_t n, double sum, double sumsq, double level);

// Net Promoter Score interval (on the -100..100 scale) from promoters, detractors and n
// respondents: the normal approximation of the difference of two multinomial shares,
// var = (p + d - (p - d)^2) / n.
std::optional<Interval> NpsInterval(uint64_t promoters, uint64_t detractors, uint64_t n,
                                    double level);

// Distribution-free interval for the q-quantile of n values: the order statistics at ranks
// n q -/+ z sqrt(n q (1 - q)) (normal approximation of the binomial), read through
// `value_at_rank` (0-based rank -> value); nullopt when n == 0.
std::optional<Interval> QuantileInterval(
    uint64_t n, double q, double level,
    const std::function<std::optional<double>(double)>& value_at_rank);

// Two-sided critical values.
double NormalCritical(double level);
double StudentTCritical(double level, double df);

}  // namespace yardstick::stats

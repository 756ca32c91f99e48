#include "stats/distributions.h"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

namespace yardstick::stats {
namespace {

namespace bm = boost::math;
using NoThrow = bm::policies::policy<bm::policies::domain_error<bm::policies::ignore_error>,
                                     bm::policies::pole_error<bm::policies::ignore_error>,
                                     bm::policies::overflow_error<bm::policies::ignore_error>,
                                     bm::policies::underflow_error<bm::policies::ignore_error>,
                                     bm::policies::evaluation_error<bm::policies::ignore_error>,
                                     bm::policies::rounding_error<bm::policies::ignore_error>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

double NormalCdf(double z) {
  if (std::isnan(z)) return kNaN;
  if (std::isinf(z)) return z > 0 ? 1.0 : 0.0;
  return bm::cdf(bm::normal_distribution<double, NoThrow>(), z);
}

double NormalSf(double z) {
  if (std::isnan(z)) return kNaN;
  if (std::isinf(z)) return z > 0 ? 0.0 : 1.0;
  return bm::cdf(bm::complement(bm::normal_distribution<double, NoThrow>(), z));
}

double NormalPpf(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  return bm::quantile(bm::normal_distribution<double, NoThrow>(), p);
}

double StudentTCdf(double df, double t) {
  if (std::isnan(df) || std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  if (std::isinf(df)) return NormalCdf(t);
  return bm::cdf(bm::students_t_distribution<double, NoThrow>(df), t);
}

double ChiSquaredSf(double x, double df) {
  if (std::isnan(x) || std::isnan(df) || !(df > 0)) return kNaN;
  if (x <= 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return bm::cdf(bm::complement(bm::chi_squared_distribution<double, NoThrow>(df), x));
}

double BinomialCdf(double k, double n, double p) {
  if (std::isnan(k) || std::isnan(n) || std::isnan(p) || n < 0 || p < 0 || p > 1) return kNaN;
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  return bm::cdf(bm::binomial_distribution<double, NoThrow>(n, p), std::floor(k));
}

}  // namespace yardstick::stats

#include "stats/hypothesis_tests.h"

#include <algorithm>
#include <boost/math/special_functions/binomial.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "stats/distributions.h"
#include "stats/numeric.h"

namespace yardstick::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// scipy's _ttest_finish: p-value of t with df degrees of freedom.
double TPValue(double df, double t, Alternative alternative) {
  switch (alternative) {
    case Alternative::kLess:
      return StudentTCdf(df, t);
    case Alternative::kGreater:
      return StudentTCdf(df, -t);
    case Alternative::kTwoSided:
      break;
  }
  return StudentTCdf(df, -std::fabs(t)) * 2;
}

// scipy's _var(a, ddof=1): mean of squared deviations times n / (n - 1).
double ScipyVariance(std::span<const double> a, double mean) {
  std::vector<double> squares(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = a[i] - mean;
    squares[i] = d * d;
  }
  const double n = static_cast<double>(a.size());
  return NumpyMean(squares) * (n / (n - 1));
}

TestResult FinishTTest(double mean1, double v1, double n1, double mean2, double v2, double n2,
                       bool equal_var, Alternative alternative) {
  double df = 0, denom = 0;
  if (equal_var) {
    df = n1 + n2 - 2.0;
    const double svar = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
    denom = std::sqrt(svar * (1.0 / n1 + 1.0 / n2));
  } else {
    const double vn1 = v1 / n1, vn2 = v2 / n2;
    const double sum = vn1 + vn2;
    df = (sum * sum) / (vn1 * vn1 / (n1 - 1) + vn2 * vn2 / (n2 - 1));
    if (std::isnan(df)) df = 1;  // undefined only when both variances are zero
    denom = std::sqrt(vn1 + vn2);
  }
  TestResult result;
  result.test = equal_var ? "student_t" : "welch_t";
  result.method = "t";
  result.statistic = (mean1 - mean2) / denom;
  result.pvalue = TPValue(df, result.statistic, alternative);
  result.df = df;
  return result;
}

// scipy.special.binom(n, k) for whole n >= k >= 0: the multiplication formula below 20 factors,
// an exactly rounded binomial coefficient otherwise.
double Binom(unsigned n, unsigned k) {
  unsigned kx = k;
  if (kx > n / 2.0) kx = n - kx;
  if (kx < 20) {
    double num = 1.0, den = 1.0;
    for (unsigned i = 1; i <= kx; ++i) {
      num *= (static_cast<double>(i) + n) - kx;
      den *= i;
      if (std::fabs(num) > 1e50) {
        num /= den;
        den = 1.0;
      }
    }
    return num / den;
  }
  return boost::math::binomial_coefficient<double>(n, kx);
}

// Number of arrangements of m x-values and n y-values with U = k, for k = 0..kmax: the
// coefficients of the Gaussian binomial [m+n choose m]_q, built with
// [i choose j] = [i-1 choose j-1] + q^j [i-1 choose j].
std::vector<double> MannWhitneyCounts(unsigned m, unsigned n, std::size_t kmax) {
  const unsigned small = std::min(m, n), total = m + n;
  std::vector<std::vector<double>> poly(small + 1, std::vector<double>(kmax + 1, 0.0));
  poly[0][0] = 1.0;
  for (unsigned i = 1; i <= total; ++i) {
    for (unsigned j = std::min(i, small); j >= 1; --j) {
      std::vector<double>& cur = poly[j];
      const std::vector<double>& prev = poly[j - 1];
      for (std::size_t s = kmax + 1; s-- > 0;) {
        const double shifted = s >= j ? cur[s - j] : 0.0;
        cur[s] = prev[s] + shifted;
      }
    }
  }
  return poly[small];
}

}  // namespace

SampleSummary SummaryFromSums(double n, double sum, double sum_sq) {
  SampleSummary s;
  s.n = n;
  s.mean = n > 0 ? sum / n : kNaN;
  s.variance = n > 1 ? (sum_sq - sum * sum / n) / (n - 1) : 0.0;
  return s;
}

Result<TestResult> TTestInd(std::span<const double> x, std::span<const double> y, bool equal_var,
                            Alternative alternative) {
  if (auto e = CheckSample(x, "x")) return std::unexpected(*e);
  if (auto e = CheckSample(y, "y")) return std::unexpected(*e);
  const double m1 = NumpyMean(x), m2 = NumpyMean(y);
  const double v1 = ScipyVariance(x, m1), v2 = ScipyVariance(y, m2);
  return FinishTTest(m1, v1, static_cast<double>(x.size()), m2, v2, static_cast<double>(y.size()),
                     equal_var, alternative);
}

Result<TestResult> TTestIndFromSummaries(const SampleSummary& x, const SampleSummary& y,
                                         bool equal_var, Alternative alternative) {
  if (!(x.n >= 1) || !(y.n >= 1)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "t-test from summaries: both samples need n >= 1 (got " + std::to_string(x.n) +
                         " and " + std::to_string(y.n) + ")");
  }
  // ttest_ind_from_stats squares the standard deviations it is given.
  const double sd1 = std::sqrt(x.variance), sd2 = std::sqrt(y.variance);
  return FinishTTest(x.mean, sd1 * sd1, x.n, y.mean, sd2 * sd2, y.n, equal_var, alternative);
}

Result<TestResult> MannWhitneyU(std::span<const double> x, std::span<const double> y,
                                bool use_continuity, Alternative alternative,
                                MannWhitneyMethod method) {
  if (auto e = CheckSample(x, "x")) return std::unexpected(*e);
  if (auto e = CheckSample(y, "y")) return std::unexpected(*e);
  const std::size_t n1 = x.size(), n2 = y.size();
  std::vector<double> xy(x.begin(), x.end());
  xy.insert(xy.end(), y.begin(), y.end());
  const std::vector<double> ranks = AverageRanks(xy);
  const double tie_term = TieTerm(ranks);
  if (method == MannWhitneyMethod::kAuto) {
    method = (n1 > 8 && n2 > 8) || tie_term != 0 ? MannWhitneyMethod::kAsymptotic
                                                 : MannWhitneyMethod::kExact;
  }
  const double r1 = PairwiseSum(std::span<const double>(ranks).first(n1));
  const double u1 = r1 - static_cast<double>(n1 * (n1 + 1)) / 2;
  const double u2 = static_cast<double>(n1 * n2) - u1;
  double u = 0, factor = 1;
  switch (alternative) {
    case Alternative::kGreater:
      u = u1;
      break;
    case Alternative::kLess:
      u = u2;
      break;
    case Alternative::kTwoSided:
      u = std::max(u1, u2);
      factor = 2;
      break;
  }
  TestResult result;
  result.test = "mann_whitney_u";
  result.statistic = u1;
  double p = kNaN;
  if (method == MannWhitneyMethod::kExact) {
    result.method = "exact";
    const auto m = static_cast<unsigned>(n1), n = static_cast<unsigned>(n2);
    const std::size_t k = n1 * n2 - static_cast<std::size_t>(u);  // sf(U) = cdf(mn - U)
    const double steps = static_cast<double>(n1 + n2) * static_cast<double>(std::min(n1, n2)) *
                         static_cast<double>(k + 1);
    if (steps > 2e9) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Mann-Whitney exact distribution for samples of " + std::to_string(n1) +
                           " and " + std::to_string(n2) +
                           " values is too expensive; use the asymptotic method");
    }
    const std::vector<double> counts = MannWhitneyCounts(m, n, k);
    const double total = Binom(m + n, m);
    double cdf = 0;
    for (std::size_t i = 0; i <= k; ++i) cdf += counts[i] / total;
    p = cdf;
  } else {
    result.method = "asymptotic";
    const double mu = static_cast<double>(n1 * n2) / 2;
    const double n = static_cast<double>(n1 + n2);
    const double s =
        std::sqrt(static_cast<double>(n1 * n2) / 12 *
                  ((n + 1) - tie_term / static_cast<double>((n1 + n2) * (n1 + n2 - 1))));
    double numerator = u - mu;
    if (use_continuity) numerator -= 0.5;
    const double z = numerator / s;
    result.zstatistic = z;
    p = NormalSf(z);
  }
  p *= factor;
  result.pvalue = std::clamp(p, 0.0, 1.0);
  if (std::isnan(p)) result.pvalue = kNaN;
  return result;
}

Result<TestResult> TwoProportionZTest(double count1, double nobs1, double count2, double nobs2,
                                      Alternative alternative, double value) {
  if (!(nobs1 > 0) || !(nobs2 > 0) || !(count1 >= 0) || !(count2 >= 0) || count1 > nobs1 ||
      count2 > nobs2) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "two-proportion z-test: need 0 <= count <= nobs and nobs > 0 for both "
                     "samples");
  }
  const double diff = (count1 * 1. / nobs1 - count2 * 1. / nobs2) - value;
  const double pooled = (count1 + count2) * 1. / (nobs1 + nobs2);
  const double nobs_fact = 1. / nobs1 + 1. / nobs2;
  const double std_diff = std::sqrt(pooled * (1 - pooled) * nobs_fact);
  TestResult result;
  result.test = "two_proportion_z";
  result.method = "normal";
  result.statistic = diff / std_diff;
  switch (alternative) {
    case Alternative::kTwoSided:
      result.pvalue = NormalSf(std::fabs(result.statistic)) * 2;
      break;
    case Alternative::kGreater:
      result.pvalue = NormalSf(result.statistic);
      break;
    case Alternative::kLess:
      result.pvalue = NormalCdf(result.statistic);
      break;
  }
  return result;
}

}  // namespace yardstick::stats

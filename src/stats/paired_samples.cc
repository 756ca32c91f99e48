#include "stats/paired_samples.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "stats/distributions.h"
#include "stats/numeric.h"
#include "stats/rng.h"

namespace yardstick::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// scipy's _get_wilcoxon_distr(n): probabilities of r+ = 0 .. n(n+1)/2.
std::vector<double> WilcoxonDistribution(std::size_t n) {
  std::vector<double> c = {1.0};
  for (std::size_t k = 1; k <= n; ++k) {
    std::vector<double> next(k * (k + 1) / 2 + 1, 0.0);
    const std::size_t m = c.size();
    for (std::size_t i = 0; i < m; ++i) next[i] = c[i] * 0.5;
    const std::size_t offset = next.size() - m;
    for (std::size_t i = 0; i < m; ++i) next[offset + i] += c[i] * 0.5;
    c = std::move(next);
  }
  return c;
}

// Sum over values repeated t > 1 times of t * (t^2 - 1), as scipy's find_repeats feeds it.
double RepeatTerm(std::span<const double> values) {
  std::map<double, std::int64_t> counts;
  for (double v : values) ++counts[v];
  std::int64_t term = 0;
  for (const auto& [value, t] : counts) {
    if (t > 1) term += t * (t * t - 1);
  }
  return static_cast<double>(term);
}

Result<std::vector<double>> Differences(std::span<const double> x, std::span<const double> y) {
  if (!y.empty() && x.size() != y.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "paired samples differ in length: x has " +
                                                      std::to_string(x.size()) + " values, y has " +
                                                      std::to_string(y.size()));
  }
  if (auto e = CheckSample(x, "x", 0)) return std::unexpected(*e);
  if (auto e = CheckSample(y, "y", 0)) return std::unexpected(*e);
  std::vector<double> d(x.begin(), x.end());
  for (std::size_t i = 0; i < y.size(); ++i) d[i] = x[i] - y[i];
  return d;
}

}  // namespace

Result<DiscordantPairs> CountDiscordant(const std::vector<bool>& a_correct,
                                        const std::vector<bool>& b_correct) {
  if (a_correct.size() != b_correct.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "McNemar: outcome vectors differ in length (" +
                                                      std::to_string(a_correct.size()) + " vs " +
                                                      std::to_string(b_correct.size()) + ")");
  }
  DiscordantPairs pairs;
  for (std::size_t i = 0; i < a_correct.size(); ++i) {
    if (a_correct[i] && !b_correct[i]) pairs.a_only += 1;
    if (!a_correct[i] && b_correct[i]) pairs.b_only += 1;
  }
  return pairs;
}

Result<TestResult> McNemar(const DiscordantPairs& pairs, bool exact, bool correction) {
  const double n1 = pairs.a_only, n2 = pairs.b_only;
  if (!(n1 >= 0) || !(n2 >= 0) || std::isinf(n1) || std::isinf(n2)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "McNemar: discordant counts must be finite and non-negative");
  }
  TestResult result;
  result.test = "mcnemar";
  if (exact) {
    if (n1 != std::floor(n1) || n2 != std::floor(n2)) {
      return MakeError(ErrorCode::kInvalidArgument, "McNemar exact test needs whole-number counts");
    }
    result.method = "exact";
    result.statistic = std::min(n1, n2);
    result.pvalue = std::min(BinomialCdf(result.statistic, n1 + n2, 0.5) * 2, 1.0);
    return result;
  }
  result.method = "chi2";
  result.df = 1;
  if (n1 + n2 == 0) {
    result.statistic = 0;
    result.pvalue = 1;
    return result;
  }
  const double corr = correction ? 1.0 : 0.0;
  const double diff = std::fabs(n1 - n2) - corr;
  result.statistic = diff * diff / (1. * (n1 + n2));
  result.pvalue = ChiSquaredSf(result.statistic, 1);
  return result;
}

Result<TestResult> Wilcoxon(std::span<const double> x, std::span<const double> y,
                            const WilcoxonOptions& options) {
  auto diffs = Differences(x, y);
  if (!diffs) return std::unexpected(diffs.error());
  std::vector<double> d = std::move(*diffs);
  TestResult result;
  result.test = "wilcoxon";
  if (d.empty()) {
    result.method = options.method == WilcoxonMethod::kApprox ? "approx" : "exact";
    return result;
  }
  bool exact = options.method == WilcoxonMethod::kExact ||
               (options.method == WilcoxonMethod::kAuto && d.size() <= 50);
  const auto n_zero = static_cast<std::size_t>(std::count(d.begin(), d.end(), 0.0));
  if (n_zero > 0 && exact) exact = false;
  if (!exact) {
    if (options.zero_method != ZeroMethod::kZsplit && n_zero == d.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Wilcoxon: zero_method 'wilcox' and 'pratt' do not work if x - y is zero "
                       "for all elements");
    }
    if (options.zero_method == ZeroMethod::kWilcox) std::erase(d, 0.0);
  }
  const std::size_t count = d.size();
  if (exact && count > 1000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Wilcoxon exact distribution for " + std::to_string(count) +
                         " pairs is too expensive; use the approximate method");
  }
  std::vector<double> abs_d(count);
  for (std::size_t i = 0; i < count; ++i) abs_d[i] = std::fabs(d[i]);
  const std::vector<double> r = AverageRanks(abs_d);
  std::vector<double> plus(count), minus(count), zero(count);
  for (std::size_t i = 0; i < count; ++i) {
    plus[i] = d[i] > 0 ? r[i] : 0.0;
    minus[i] = d[i] < 0 ? r[i] : 0.0;
    zero[i] = d[i] == 0 ? r[i] : 0.0;
  }
  double r_plus = PairwiseSum(plus), r_minus = PairwiseSum(minus);
  if (options.zero_method == ZeroMethod::kZsplit) {
    const double r_zero = PairwiseSum(zero);
    r_plus += r_zero / 2.;
    r_minus += r_zero / 2.;
  }
  const double t =
      options.alternative == Alternative::kTwoSided ? std::min(r_plus, r_minus) : r_plus;
  result.statistic = t;
  double p = kNaN;
  if (!exact) {
    result.method = "approx";
    const auto c = static_cast<double>(count);
    double mn = c * (c + 1.) * 0.25;
    double se = c * (c + 1.) * (2. * c + 1.);
    std::vector<double> ranks_for_ties = r;
    if (options.zero_method == ZeroMethod::kPratt) {
      const auto z = static_cast<double>(n_zero);
      ranks_for_ties.clear();
      for (std::size_t i = 0; i < count; ++i) {
        if (d[i] != 0) ranks_for_ties.push_back(r[i]);
      }
      mn -= z * (z + 1.) * 0.25;
      se -= z * (z + 1.) * (2. * z + 1.);
    }
    se -= 0.5 * RepeatTerm(ranks_for_ties);
    se = std::sqrt(se / 24);
    double shift = 0;
    if (options.correction) {
      switch (options.alternative) {
        case Alternative::kTwoSided:
          shift = 0.5 * (t > mn ? 1.0 : (t < mn ? -1.0 : 0.0));
          break;
        case Alternative::kLess:
          shift = -0.5;
          break;
        case Alternative::kGreater:
          shift = 0.5;
          break;
      }
    }
    const double z = (t - mn - shift) / se;
    result.zstatistic = z;
    switch (options.alternative) {
      case Alternative::kTwoSided:
        p = 2. * NormalSf(std::fabs(z));
        break;
      case Alternative::kGreater:
        p = NormalSf(z);
        break;
      case Alternative::kLess:
        p = NormalCdf(z);
        break;
    }
  } else {
    result.method = "exact";
    const std::vector<double> pmf = WilcoxonDistribution(count);
    const auto k = static_cast<std::size_t>(r_plus);
    const std::span<const double> all(pmf);
    const double p_less = PairwiseSum(all.first(k + 1));
    const double p_greater = PairwiseSum(all.subspan(k));
    switch (options.alternative) {
      case Alternative::kTwoSided:
        p = k == (pmf.size() - 1) / 2 ? 1.0 : 2 * std::min(p_greater, p_less);
        break;
      case Alternative::kGreater:
        p = p_greater;
        break;
      case Alternative::kLess:
        p = p_less;
        break;
    }
    p = std::clamp(p, 0.0, 1.0);
  }
  result.pvalue = p;
  return result;
}

Result<TestResult> PairedPermutation(std::span<const double> x, std::span<const double> y,
                                     const PermutationOptions& options) {
  if (y.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "paired permutation test: y is empty");
  }
  auto diffs = Differences(x, y);
  if (!diffs) return std::unexpected(diffs.error());
  const std::vector<double>& d = *diffs;
  const std::size_t n = d.size();
  if (n < 2) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "paired permutation test needs at least 2 pairs, got " + std::to_string(n));
  }
  if (options.resamples <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "paired permutation test: resamples must be positive");
  }
  const double observed = NumpyMean(d);
  const double gamma = std::max(1e-14, std::fabs(1e-14 * observed));
  const bool exact = n < 63 && (std::int64_t{1} << n) <= options.resamples;
  const std::int64_t total = exact ? (std::int64_t{1} << n) : options.resamples;
  std::vector<double> signed_d(n);
  std::int64_t less = 0, greater = 0;
  NumpyRng rng(options.seed);
  RandomBits flips(rng);
  for (std::int64_t k = 0; k < total; ++k) {
    if (exact) {
      for (std::size_t i = 0; i < n; ++i) signed_d[i] = (k >> i) & 1 ? -d[i] : d[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) signed_d[i] = flips.Next() ? -d[i] : d[i];
    }
    const double stat = PairwiseSum(signed_d) / static_cast<double>(n);
    if (stat <= observed + gamma) ++less;
    if (stat >= observed - gamma) ++greater;
  }
  const double adjustment = exact ? 0 : 1;
  const double denom = static_cast<double>(total) + adjustment;
  const double p_less = (static_cast<double>(less) + adjustment) / denom;
  const double p_greater = (static_cast<double>(greater) + adjustment) / denom;
  double p = 0;
  switch (options.alternative) {
    case Alternative::kTwoSided:
      p = std::min(p_less, p_greater) * 2;
      break;
    case Alternative::kLess:
      p = p_less;
      break;
    case Alternative::kGreater:
      p = p_greater;
      break;
  }
  TestResult result;
  result.test = "paired_permutation";
  result.method = exact ? "exact" : "randomized";
  result.statistic = observed;
  result.pvalue = std::clamp(p, 0.0, 1.0);
  return result;
}

}  // namespace yardstick::stats

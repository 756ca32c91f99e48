#include "stats/drift.h"

#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "stats/distributions.h"
#include "stats/numeric.h"

namespace yardstick::stats {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

std::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// Non-empty and every value finite.
std::optional<Error> CheckFiniteSample(std::span<const double> values, const char* name) {
  if (values.empty()) {
    return Error(ErrorCode::kInvalidArgument, std::string("sample ") + name + " is empty");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Error(ErrorCode::kInvalidArgument, std::string("sample ") + name + "[" +
                                                    std::to_string(i) + "] = " + Num(values[i]) +
                                                    "; expected a finite number");
    }
  }
  return std::nullopt;
}

// Non-empty, finite, non-negative, with a positive sum.
std::optional<Error> CheckCounts(std::span<const double> counts, const char* name) {
  if (counts.empty()) {
    return Error(ErrorCode::kInvalidArgument, std::string(name) + " has no bins");
  }
  double total = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (!std::isfinite(counts[i]) || counts[i] < 0) {
      return Error(ErrorCode::kInvalidArgument, std::string(name) + "[" + std::to_string(i) +
                                                    "] = " + Num(counts[i]) +
                                                    "; expected a finite count >= 0");
    }
    total += counts[i];
  }
  if (!(total > 0)) {
    return Error(ErrorCode::kInvalidArgument, std::string(name) + " sums to 0");
  }
  return std::nullopt;
}

std::optional<Error> CheckCountPair(std::span<const double> reference,
                                    std::span<const double> current) {
  if (auto error = CheckCounts(reference, "reference counts")) return error;
  if (auto error = CheckCounts(current, "current counts")) return error;
  if (reference.size() != current.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "reference counts have " + std::to_string(reference.size()) +
                     " bins but current counts " + std::to_string(current.size()));
  }
  return std::nullopt;
}

// count / total per bin, total as np.sum.
std::vector<double> Shares(std::span<const double> counts) {
  const double total = PairwiseSum(counts);
  std::vector<double> shares(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) shares[i] = counts[i] / total;
  return shares;
}

// Evidently's replacement of zero shares.
void FillZeroShares(std::vector<double>& shares) {
  double smallest = kInf;
  for (double s : shares) {
    if (s != 0) smallest = std::min(smallest, s);
  }
  const double fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
  for (double& s : shares) {
    if (s == 0) s = fill;
  }
}

// np.linspace(start, stop, num) with endpoint=True, num >= 2.
std::vector<double> Linspace(double start, double stop, std::size_t num) {
  const double div = static_cast<double>(num - 1);
  const double delta = stop - start;
  const double step = delta / div;
  std::vector<double> out(num);
  for (std::size_t i = 0; i < num; ++i) {
    const double y = static_cast<double>(i);
    out[i] = (step == 0 ? (y / div) * delta : y * step) + start;
  }
  out[num - 1] = stop;
  return out;
}

// np.histogram_bin_edges(values, bins="sturges").
std::vector<double> SturgesEdges(std::span<const double> values) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  double first = *lo, last = *hi;
  const double ptp = last - first;
  if (first == last) {
    first -= 0.5;
    last += 0.5;
  }
  const double width = ptp / (std::log2(static_cast<double>(values.size())) + 1.0);
  std::size_t bins = 1;
  if (width != 0) bins = static_cast<std::size_t>(std::ceil((last - first) / width));
  return Linspace(first, last, bins + 1);
}

// Counts per bin; an error names a value outside the edges.
Result<std::vector<double>> CountBins(std::span<const double> values, std::span<const double> edges,
                                      const char* name) {
  const std::size_t bins = edges.size() - 1;
  std::vector<double> counts(bins, 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    const auto above = std::upper_bound(edges.begin(), edges.end(), v);
    std::size_t bin = 0;
    if (v == edges.back()) {
      bin = bins - 1;
    } else if (above == edges.begin() || above == edges.end()) {
      return Invalid(std::string("sample ") + name + "[" + std::to_string(i) + "] = " + Num(v) +
                     " is outside the bin edges [" + Num(edges.front()) + ", " + Num(edges.back()) +
                     "]");
    } else {
      bin = static_cast<std::size_t>(above - edges.begin()) - 1;
    }
    counts[bin] += 1;
  }
  return counts;
}

// scipy.special.binom(n, k) for whole numbers n >= k >= 0 (the multiplication formula below 20
// factors, 1 / (n + 1) / beta(n - k + 1, k + 1) otherwise); overflows to +inf instead of throwing.
double ScipyBinom(double n, double k) {
  namespace bp = boost::math::policies;
  using NoThrow =
      bp::policy<bp::domain_error<bp::ignore_error>, bp::pole_error<bp::ignore_error>,
                 bp::overflow_error<bp::ignore_error>, bp::underflow_error<bp::ignore_error>,
                 bp::evaluation_error<bp::ignore_error>>;
  double kx = k;
  if (kx > n / 2 && n > 0) kx = n - kx;
  if (kx >= 0 && kx < 20) {
    double num = 1.0, den = 1.0;
    for (int i = 1; i <= static_cast<int>(kx); ++i) {
      num *= i + n - kx;
      den *= i;
      if (std::fabs(num) > 1e50) {
        num /= den;
        den = 1.0;
      }
    }
    return num / den;
  }
  return 1 / (n + 1) / boost::math::beta(1 + n - k, 1 + k, NoThrow());
}

// scipy's _compute_prob_outside_square: P(D_{n,n} >= h / n), two-sided, equal sizes.
double ProbOutsideSquare(std::int64_t n, std::int64_t h) {
  double p = 0.0;
  for (std::int64_t k = n / h; k >= 0; --k) {
    double p1 = 1.0;
    for (std::int64_t j = 0; j < h; ++j) {
      p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
    }
    p = p1 * (1.0 - p);
  }
  return 2 * p;
}

// scipy's _compute_outer_prob_inside_method: the share of lattice paths from (0, 0) to (m, n) that
// leave the band |x/m - y/n| < h / lcm(m, n), computed as its own recursion (Viehmann 2021).
double OuterProbInside(std::int64_t m, std::int64_t n, std::int64_t g, std::int64_t h) {
  if (m < n) std::swap(m, n);
  const std::int64_t mg = m / g, ng = n / g;
  const double mgd = static_cast<double>(mg);
  std::int64_t minj = 0;
  std::int64_t maxj =
      std::min(static_cast<std::int64_t>(std::ceil(static_cast<double>(h) / mgd)), n + 1);
  std::int64_t curlen = maxj - minj;
  const std::int64_t len = std::min(2 * maxj + 2, n + 1);
  std::vector<double> a(static_cast<std::size_t>(len), 1.0);
  std::fill(a.begin() + minj, a.begin() + maxj, 0.0);
  for (std::int64_t i = 1; i <= m; ++i) {
    const std::int64_t lastminj = minj, lastlen = curlen;
    minj =
        std::max(static_cast<std::int64_t>(std::floor(static_cast<double>(ng * i - h) / mgd)) + 1,
                 std::int64_t{0});
    minj = std::min(minj, n);
    maxj = std::min(static_cast<std::int64_t>(std::ceil(static_cast<double>(ng * i + h) / mgd)),
                    n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    for (std::int64_t jj = 0; jj < maxj - minj; ++jj) {
      const std::int64_t j = jj + minj;
      val = (a[static_cast<std::size_t>(jj + minj - lastminj)] * static_cast<double>(i) +
             val * static_cast<double>(j)) /
            static_cast<double>(i + j);
      a[static_cast<std::size_t>(jj)] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const std::int64_t from = maxj - minj;
      const std::int64_t to = std::min(from + (lastlen - curlen), len);
      std::fill(a.begin() + from, a.begin() + std::max(from, to), 1.0);
    }
  }
  return a[static_cast<std::size_t>(maxj - minj - 1)];
}

// scipy's _count_paths_outside_method: the number of lattice paths that reach m y <= n x - h g.
double CountPathsOutside(std::int64_t m, std::int64_t n, std::int64_t g, std::int64_t h) {
  if (m < n) std::swap(m, n);
  const std::int64_t mg = m / g, ng = n / g;
  // Python's floor division of (mg - h) by mg.
  const std::int64_t numerator = mg - h;
  std::int64_t quotient = numerator / mg;
  if (numerator % mg != 0 && numerator < 0) --quotient;
  const std::int64_t lxj = n + quotient;
  if (lxj <= 0) return ScipyBinom(static_cast<double>(m + n), static_cast<double>(n));
  std::vector<std::int64_t> xj(static_cast<std::size_t>(lxj));
  for (std::int64_t j = 0; j < lxj; ++j) {
    xj[static_cast<std::size_t>(j)] = (h + mg * j + ng - 1) / ng;
  }
  std::vector<double> b(static_cast<std::size_t>(lxj), 0.0);
  b[0] = 1;
  for (std::int64_t j = 1; j < lxj; ++j) {
    const auto uj = static_cast<std::size_t>(j);
    double bj = ScipyBinom(static_cast<double>(xj[uj] + j), static_cast<double>(j));
    for (std::int64_t i = 0; i < j; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      const double bin =
          ScipyBinom(static_cast<double>(xj[uj] - xj[ui] + j - i), static_cast<double>(j - i));
      bj -= bin * b[ui];
    }
    b[uj] = bj;
  }
  double paths = 0;
  for (std::int64_t j = 0; j < lxj; ++j) {
    const auto uj = static_cast<std::size_t>(j);
    const double bin =
        ScipyBinom(static_cast<double>((m - xj[uj]) + (n - j)), static_cast<double>(n - j));
    paths += b[uj] * bin;
  }
  return paths;
}

// scipy's _attempt_exact_2kssamp; nullopt where scipy falls back to the asymptotic method.
// Rounds d to a multiple of 1 / lcm as scipy does.
std::optional<double> ExactKsPValue(std::int64_t n1, std::int64_t n2, std::int64_t g, double& d,
                                    Alternative alternative) {
  const std::int64_t lcm = (n1 / g) * n2;
  const auto h = static_cast<std::int64_t>(std::nearbyint(d * static_cast<double>(lcm)));
  d = static_cast<double>(h) * 1.0 / static_cast<double>(lcm);
  if (h == 0) return 1.0;
  double p = 0;
  if (alternative == Alternative::kTwoSided) {
    p = n1 == n2 ? ProbOutsideSquare(n1, h) : OuterProbInside(n1, n2, g, h);
  } else if (n1 == n2) {
    p = 1.0;
    for (std::int64_t j = 0; j < h; ++j) {
      p *= static_cast<double>(n1 - j) / (static_cast<double>(n1 + j) + 1.0);
    }
  } else {
    // scipy gives up whenever binom(n1 + n2, n1) overflows, so that is checked first.
    const double bin = ScipyBinom(static_cast<double>(n1 + n2), static_cast<double>(n1));
    if (!std::isfinite(bin)) return std::nullopt;
    const double paths = CountPathsOutside(n1, n2, g, h);
    if (!std::isfinite(paths) || paths > bin) return std::nullopt;
    p = paths / bin;
  }
  if (!(p >= 0 && p <= 1)) return std::nullopt;
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Binning and categories

Result<BinnedSamples> BinSamples(std::span<const double> reference, std::span<const double> current,
                                 const Binning& binning) {
  if (auto error = CheckFiniteSample(reference, "reference")) return std::unexpected(*error);
  if (auto error = CheckFiniteSample(current, "current")) return std::unexpected(*error);
  BinnedSamples out;
  switch (binning.kind) {
    case Binning::Kind::kReferenceQuantiles: {
      if (binning.bins < 1 || binning.bins > 10000) {
        return Invalid("quantile binning with " + std::to_string(binning.bins) +
                       " bins; expected 1 to 10000");
      }
      std::vector<double> sorted(reference.begin(), reference.end());
      std::sort(sorted.begin(), sorted.end());
      std::vector<double> cuts;
      for (int i = 1; i < binning.bins; ++i) {
        cuts.push_back(Percentile(sorted, 100.0 * i / binning.bins));
      }
      std::sort(cuts.begin(), cuts.end());
      cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
      out.edges.push_back(-kInf);
      out.edges.insert(out.edges.end(), cuts.begin(), cuts.end());
      out.edges.push_back(kInf);
      break;
    }
    case Binning::Kind::kSturges: {
      std::vector<double> all(reference.begin(), reference.end());
      all.insert(all.end(), current.begin(), current.end());
      out.edges = SturgesEdges(all);
      break;
    }
    case Binning::Kind::kEdges: {
      if (binning.edges.size() < 2) {
        return Invalid("bin edges: " + std::to_string(binning.edges.size()) +
                       " given; at least 2 expected");
      }
      for (std::size_t i = 0; i < binning.edges.size(); ++i) {
        const double e = binning.edges[i];
        if (std::isnan(e) || (i > 0 && !(e > binning.edges[i - 1]))) {
          return Invalid("bin edges[" + std::to_string(i) + "] = " + Num(e) +
                         "; expected strictly increasing numbers");
        }
      }
      out.edges = binning.edges;
      break;
    }
  }
  auto ref_counts = CountBins(reference, out.edges, "reference");
  if (!ref_counts) return std::unexpected(ref_counts.error());
  auto cur_counts = CountBins(current, out.edges, "current");
  if (!cur_counts) return std::unexpected(cur_counts.error());
  out.reference_counts = std::move(*ref_counts);
  out.current_counts = std::move(*cur_counts);
  return out;
}

CategoryCounts CountCategories(std::span<const std::string> labels) {
  CategoryCounts counts;
  for (const auto& label : labels) counts[label] += 1;
  return counts;
}

AlignedCounts AlignCategories(const CategoryCounts& reference, const CategoryCounts& current) {
  AlignedCounts out;
  auto r = reference.begin();
  auto c = current.begin();
  while (r != reference.end() || c != current.end()) {
    if (c == current.end() || (r != reference.end() && r->first < c->first)) {
      out.categories.push_back(r->first);
      out.reference.push_back(r->second);
      out.current.push_back(0);
      ++r;
    } else if (r == reference.end() || c->first < r->first) {
      out.categories.push_back(c->first);
      out.reference.push_back(0);
      out.current.push_back(c->second);
      ++c;
    } else {
      out.categories.push_back(r->first);
      out.reference.push_back(r->second);
      out.current.push_back(c->second);
      ++r;
      ++c;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// PSI

Result<double> PsiFromCounts(std::span<const double> reference_counts,
                             std::span<const double> current_counts) {
  if (auto error = CheckCountPair(reference_counts, current_counts)) {
    return std::unexpected(*error);
  }
  std::vector<double> e = Shares(reference_counts);
  std::vector<double> a = Shares(current_counts);
  FillZeroShares(e);
  FillZeroShares(a);
  std::vector<double> terms(e.size());
  for (std::size_t i = 0; i < e.size(); ++i) terms[i] = (a[i] - e[i]) * std::log(a[i] / e[i]);
  return PairwiseSum(terms);
}

Result<double> Psi(std::span<const double> reference, std::span<const double> current,
                   const Binning& binning) {
  auto binned = BinSamples(reference, current, binning);
  if (!binned) return std::unexpected(binned.error());
  return PsiFromCounts(binned->reference_counts, binned->current_counts);
}

Result<double> PsiCategorical(const CategoryCounts& reference, const CategoryCounts& current) {
  const AlignedCounts aligned = AlignCategories(reference, current);
  return PsiFromCounts(aligned.reference, aligned.current);
}

// ---------------------------------------------------------------------------------------------
// Jensen-Shannon

Result<JensenShannon> JensenShannonFromCounts(std::span<const double> reference_counts,
                                              std::span<const double> current_counts,
                                              std::optional<double> base) {
  if (auto error = CheckCountPair(reference_counts, current_counts)) {
    return std::unexpected(*error);
  }
  if (base && !(std::isfinite(*base) && *base > 0 && *base != 1)) {
    return Invalid("Jensen-Shannon base = " + Num(*base) + "; expected a number > 0 other than 1");
  }
  const std::vector<double> p = Shares(reference_counts);
  const std::vector<double> q = Shares(current_counts);
  std::vector<double> left(p.size()), right(p.size());
  // scipy.special.rel_entr(x, y): x ln(x / y) for x, y > 0, 0 for x == 0.
  auto rel_entr = [](double x, double y) { return x == 0 ? 0.0 : x * std::log(x / y); };
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double m = (p[i] + q[i]) / 2.0;
    left[i] = rel_entr(p[i], m);
    right[i] = rel_entr(q[i], m);
  }
  double js = PairwiseSum(left) + PairwiseSum(right);
  if (base) js /= std::log(*base);
  JensenShannon out;
  out.divergence = js / 2.0;
  out.distance = std::sqrt(out.divergence);
  return out;
}

Result<JensenShannon> JensenShannonSamples(std::span<const double> reference,
                                           std::span<const double> current, const Binning& binning,
                                           std::optional<double> base) {
  auto binned = BinSamples(reference, current, binning);
  if (!binned) return std::unexpected(binned.error());
  return JensenShannonFromCounts(binned->reference_counts, binned->current_counts, base);
}

Result<JensenShannon> JensenShannonCategorical(const CategoryCounts& reference,
                                               const CategoryCounts& current,
                                               std::optional<double> base) {
  const AlignedCounts aligned = AlignCategories(reference, current);
  return JensenShannonFromCounts(aligned.reference, aligned.current, base);
}

// ---------------------------------------------------------------------------------------------
// Chi-square test of homogeneity

Result<TestResult> ChiSquareContingency(std::span<const std::vector<double>> table,
                                        bool correction) {
  if (table.empty()) return Invalid("contingency table has no rows");
  const std::size_t columns = table[0].size();
  for (std::size_t r = 0; r < table.size(); ++r) {
    const std::string name = "contingency table row " + std::to_string(r);
    if (table[r].size() != columns) {
      return Invalid(name + " has " + std::to_string(table[r].size()) + " columns; expected " +
                     std::to_string(columns));
    }
    if (auto error = CheckCounts(table[r], name.c_str())) return std::unexpected(*error);
  }
  // Drop the columns that are zero in every row.
  std::vector<std::size_t> kept;
  for (std::size_t c = 0; c < columns; ++c) {
    bool any = false;
    for (const auto& row : table) any = any || row[c] != 0;
    if (any) kept.push_back(c);
  }
  const std::size_t rows = table.size(), cols = kept.size();
  std::vector<double> observed;  // row-major, as scipy flattens it
  observed.reserve(rows * cols);
  for (const auto& row : table) {
    for (std::size_t c : kept) observed.push_back(row[c]);
  }
  std::vector<double> row_sums(rows), col_sums(cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    row_sums[r] = PairwiseSum(std::span<const double>(observed).subspan(r * cols, cols));
    for (std::size_t c = 0; c < cols; ++c) col_sums[c] += observed[r * cols + c];
  }
  const double total = PairwiseSum(observed);
  std::vector<double> expected(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c)
      expected[r * cols + c] = row_sums[r] * col_sums[c] / total;
  }
  const double df = static_cast<double>(rows * cols) - static_cast<double>(rows + cols) + 1;
  TestResult result;
  result.test = "chi_square_homogeneity";
  result.method = "asymptotic";
  result.df = df;
  if (df == 0) {
    result.statistic = 0.0;
    result.pvalue = 1.0;
    return result;
  }
  if (df == 1 && correction) {
    for (std::size_t i = 0; i < observed.size(); ++i) {
      const double diff = expected[i] - observed[i];
      const double direction = diff > 0 ? 1.0 : (diff < 0 ? -1.0 : 0.0);
      observed[i] = observed[i] + std::min(0.5, std::fabs(diff)) * direction;
    }
  }
  std::vector<double> terms(observed.size());
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double d = observed[i] - expected[i];
    terms[i] = d * d / expected[i];
  }
  result.statistic = PairwiseSum(terms);
  result.pvalue = ChiSquaredSf(result.statistic, df);
  return result;
}

Result<TestResult> ChiSquareHomogeneity(std::span<const double> reference_counts,
                                        std::span<const double> current_counts, bool correction) {
  if (auto error = CheckCountPair(reference_counts, current_counts)) {
    return std::unexpected(*error);
  }
  const std::vector<double> table[] = {
      std::vector<double>(reference_counts.begin(), reference_counts.end()),
      std::vector<double>(current_counts.begin(), current_counts.end())};
  return ChiSquareContingency(table, correction);
}

Result<TestResult> ChiSquareCategorical(const CategoryCounts& reference,
                                        const CategoryCounts& current, bool correction) {
  const AlignedCounts aligned = AlignCategories(reference, current);
  return ChiSquareHomogeneity(aligned.reference, aligned.current, correction);
}

// ---------------------------------------------------------------------------------------------
// Kolmogorov-Smirnov

double KolmogorovSf(double z) {
  if (std::isnan(z)) return z;
  if (z <= 0) return 1.0;
  constexpr double kPi = std::numbers::pi;
  if (z <= 0.82) {
    // The CDF by the Jacobi theta transform: sqrt(2 pi) / z sum_k exp(-(2k-1)^2 pi^2 / (8 z^2)).
    const double w = std::sqrt(2 * kPi) / z;
    const double log_u8 = -kPi * kPi / (z * z);
    const double u = std::exp(log_u8 / 8);
    if (u == 0) return 1.0;
    const double u8 = std::exp(log_u8);
    double p = 1.0;
    p = 1 + std::pow(u8, 3) * p;
    p = 1 + u8 * u8 * p;
    p = 1 + u8 * p;
    return std::clamp(1 - w * u * p, 0.0, 1.0);
  }
  // 2 (v - v^4 + v^9 - v^16 + ...) with v = exp(-2 z^2); four terms reach double precision here.
  const double v = std::exp(-2 * z * z);
  const double v3 = std::pow(v, 3);
  double p = 1.0;
  p = 1 - v3 * v3 * v * p;
  p = 1 - v3 * (v * v) * p;
  p = 1 - v3 * p;
  return std::clamp(2 * v * p, 0.0, 1.0);
}

Result<KsTestResult> KolmogorovSmirnov2Samp(std::span<const double> x, std::span<const double> y,
                                            Alternative alternative, KsMethod method) {
  if (auto error = CheckFiniteSample(x, "x")) return std::unexpected(*error);
  if (auto error = CheckFiniteSample(y, "y")) return std::unexpected(*error);
  std::vector<double> a(x.begin(), x.end()), b(y.begin(), y.end());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const auto n1 = static_cast<std::int64_t>(a.size());
  const auto n2 = static_cast<std::int64_t>(b.size());
  // The CDF differences at every value of a then b, as scipy evaluates them (first extreme wins).
  double max_diff = -kInf, min_diff = kInf, loc_max = 0, loc_min = 0;
  for (const std::vector<double>* sample : {&a, &b}) {
    for (double v : *sample) {
      const double cdf1 = static_cast<double>(std::upper_bound(a.begin(), a.end(), v) - a.begin()) /
                          static_cast<double>(n1);
      const double cdf2 = static_cast<double>(std::upper_bound(b.begin(), b.end(), v) - b.begin()) /
                          static_cast<double>(n2);
      const double diff = cdf1 - cdf2;
      if (diff > max_diff) {
        max_diff = diff;
        loc_max = v;
      }
      if (diff < min_diff) {
        min_diff = diff;
        loc_min = v;
      }
    }
  }
  const double min_s = std::clamp(-min_diff, 0.0, 1.0);
  const double max_s = max_diff;
  KsTestResult out;
  double d = 0;
  if (alternative == Alternative::kLess ||
      (alternative == Alternative::kTwoSided && min_s > max_s)) {
    d = min_s;
    out.location = loc_min;
    out.sign = -1;
  } else {
    d = max_s;
    out.location = loc_max;
    out.sign = 1;
  }
  const std::int64_t g = std::gcd(n1, n2);
  bool exact = false;
  switch (method) {
    case KsMethod::kAuto:
      exact = std::max(n1, n2) <= 10000;
      break;
    case KsMethod::kExact:
      exact = static_cast<double>(n1 / g) <
              static_cast<double>(std::numeric_limits<std::int32_t>::max()) /
                  static_cast<double>(n2 / g);
      break;
    case KsMethod::kAsymptotic:
      break;
  }
  double p = 0;
  bool exact_done = false;
  if (exact) {
    double rounded = d;
    if (auto exact_p = ExactKsPValue(n1, n2, g, rounded, alternative)) {
      p = *exact_p;
      exact_done = true;
    }
    d = rounded;  // scipy keeps the rounded D even when it falls back
  }
  if (!exact_done) {
    const double m = static_cast<double>(std::max(n1, n2));
    const double n = static_cast<double>(std::min(n1, n2));
    const double en = m * n / (m + n);
    if (alternative == Alternative::kTwoSided) {
      const double sqrt_en = std::sqrt(en);
      p = KolmogorovSf((sqrt_en + 0.12 + 0.11 / sqrt_en) * d);
    } else {
      const double z = std::sqrt(en) * d;
      const double expt = -2 * (z * z) - 2 * z * (m + 2 * n) / std::sqrt(m * n * (m + n)) / 3.0;
      p = std::exp(expt);
    }
  }
  out.result.test = "kolmogorov_smirnov_2samp";
  out.result.method = exact_done ? "exact" : "asymptotic";
  out.result.statistic = d;
  out.result.pvalue = std::clamp(p, 0.0, 1.0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Wasserstein-1

namespace {

// scipy's _cdf_distance(1, ...): sum over the merged sorted values of |U - V| * delta, with U and V
// the (weighted) CDFs right after each value.
Result<double> CdfDistance(std::span<const double> u, std::span<const double> u_weights,
                           std::span<const double> v, std::span<const double> v_weights,
                           bool weighted) {
  if (auto error = CheckFiniteSample(u, "u")) return std::unexpected(*error);
  if (auto error = CheckFiniteSample(v, "v")) return std::unexpected(*error);
  auto sorted_cdf =
      [&](std::span<const double> values, std::span<const double> weights,
          const char* name) -> Result<std::pair<std::vector<double>, std::vector<double>>> {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
    std::vector<double> sorted(values.size()), cumulative(values.size() + 1, 0.0);
    for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = values[order[i]];
    if (weighted) {
      if (weights.size() != values.size()) {
        return Invalid(std::string(name) + " has " + std::to_string(values.size()) +
                       " values but " + std::to_string(weights.size()) + " weights");
      }
      if (auto error = CheckCounts(weights, (std::string(name) + " weights").c_str())) {
        return std::unexpected(*error);
      }
      for (std::size_t i = 0; i < order.size(); ++i) {
        cumulative[i + 1] = cumulative[i] + weights[order[i]];
      }
    }
    return std::make_pair(std::move(sorted), std::move(cumulative));
  };
  auto us = sorted_cdf(u, u_weights, "u");
  if (!us) return std::unexpected(us.error());
  auto vs = sorted_cdf(v, v_weights, "v");
  if (!vs) return std::unexpected(vs.error());
  const std::vector<double>& su = us->first;
  const std::vector<double>& sv = vs->first;
  std::vector<double> all(su);
  all.insert(all.end(), sv.begin(), sv.end());
  std::sort(all.begin(), all.end());
  auto cdf = [&](const std::vector<double>& sorted, const std::vector<double>& cumulative,
                 double value) {
    const auto index = static_cast<std::size_t>(
        std::upper_bound(sorted.begin(), sorted.end(), value) - sorted.begin());
    return weighted ? cumulative[index] / cumulative.back()
                    : static_cast<double>(index) / static_cast<double>(sorted.size());
  };
  std::vector<double> terms(all.size() - 1);
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    const double delta = all[i + 1] - all[i];
    terms[i] = std::fabs(cdf(su, us->second, all[i]) - cdf(sv, vs->second, all[i])) * delta;
  }
  return PairwiseSum(terms);
}

}  // namespace

Result<double> WassersteinDistance(std::span<const double> u, std::span<const double> v) {
  return CdfDistance(u, {}, v, {}, false);
}

Result<double> WassersteinDistanceWeighted(std::span<const double> u_values,
                                           std::span<const double> u_weights,
                                           std::span<const double> v_values,
                                           std::span<const double> v_weights) {
  return CdfDistance(u_values, u_weights, v_values, v_weights, true);
}

}  // namespace yardstick::stats

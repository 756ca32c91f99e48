#pragma once
// Distribution drift between a reference and a current sample (STATISTICS.md section 4;
// docs/statistics.md): the population stability index, the two-sample Kolmogorov-Smirnov test,
// Jensen-Shannon distance, the chi-square test of homogeneity and the Wasserstein-1 distance.
//
// Inputs are raw samples or binned counts (histograms such as DDSketch buckets, or per-category
// counts); each measure takes the forms that make sense for it. Semantics follow scipy 1.10.1
// (`ks_2samp`, `jensenshannon`, `chi2_contingency`, `wasserstein_distance`) and, for PSI,
// STATISTICS.md with Evidently's zero-share convention; results match
// tests/stats/data/drift.jsonl to a relative 1e-12 (1e-11 for one-sided exact KS p-values).
//
// Errors (kInvalidArgument): empty samples, NaN or infinite values, negative or non-finite counts,
// a count vector that sums to 0, mismatched lengths, unknown options; the message names the
// argument and index. Thread safety: all functions are pure.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "stats/test_result.h"

namespace yardstick::stats {

// ---------------------------------------------------------------------------------------------
// Binning raw samples (for PSI and Jensen-Shannon).
//
// Bin i holds the values v with edges[i] <= v < edges[i+1]; the last bin also holds v ==
// edges.back() (np.histogram's convention).
struct Binning {
  enum class Kind {
    kReferenceQuantiles,  // `bins` bins cut at the reference's percentiles 100 i / bins (linear
                          // interpolation, np.percentile), duplicate cuts removed, outer edges
                          // -inf and +inf (the common decile binning when bins = 10)
    kSturges,             // np.histogram_bin_edges(reference + current, bins="sturges"), the
                          // numeric binning of Evidently's PSI
    kEdges,               // the given `edges`: at least 2, strictly increasing; the outer ones
                          // may be -inf / +inf; a value outside them is an error
  };
  Kind kind = Kind::kReferenceQuantiles;
  int bins = 10;              // kReferenceQuantiles: 1 to 10000
  std::vector<double> edges;  // kEdges

  static Binning ReferenceQuantiles(int bins = 10) { return {Kind::kReferenceQuantiles, bins, {}}; }
  static Binning Sturges() { return {Kind::kSturges, 0, {}}; }
  static Binning Edges(std::vector<double> edges) { return {Kind::kEdges, 0, std::move(edges)}; }
};

struct BinnedSamples {
  std::vector<double> edges;             // bins + 1 edges
  std::vector<double> reference_counts;  // per bin
  std::vector<double> current_counts;
};

Result<BinnedSamples> BinSamples(std::span<const double> reference, std::span<const double> current,
                                 const Binning& binning);

// ---------------------------------------------------------------------------------------------
// Categories: counts per label, and two count maps aligned on the union of their labels (in
// byte order of the label, which is code-point order for UTF-8; a missing label counts 0).
using CategoryCounts = std::map<std::string, double>;

CategoryCounts CountCategories(std::span<const std::string> labels);

struct AlignedCounts {
  std::vector<std::string> categories;
  std::vector<double> reference;
  std::vector<double> current;
};

AlignedCounts AlignCategories(const CategoryCounts& reference, const CategoryCounts& current);

// ---------------------------------------------------------------------------------------------
// Population stability index: PSI = sum_i (a_i - e_i) ln(a_i / e_i), with e the reference shares
// and a the current shares per bin (count / total). Zero shares are replaced, in each of the two
// share vectors separately, by 1e-4, or by (smallest nonzero share) / 1e6 when that smallest
// share is <= 1e-4 (Evidently). Reading: < 0.1 stable, 0.1-0.25 moderate, > 0.25 a major shift.
Result<double> PsiFromCounts(std::span<const double> reference_counts,
                             std::span<const double> current_counts);
Result<double> Psi(std::span<const double> reference, std::span<const double> current,
                   const Binning& binning = Binning::ReferenceQuantiles());
Result<double> PsiCategorical(const CategoryCounts& reference, const CategoryCounts& current);

// ---------------------------------------------------------------------------------------------
// Jensen-Shannon (scipy.spatial.distance.jensenshannon): with p and q the count vectors normalized
// to sum 1 and m = (p + q) / 2, divergence = (KL(p || m) + KL(q || m)) / 2 and distance =
// sqrt(divergence). Natural log by default (distance in [0, sqrt(ln 2)]); `base` (> 0, != 1)
// divides the divergence by ln(base), so base 2 gives a distance in [0, 1]. No zero-filling.
struct JensenShannon {
  double distance = 0;
  double divergence = 0;
};

Result<JensenShannon> JensenShannonFromCounts(std::span<const double> reference_counts,
                                              std::span<const double> current_counts,
                                              std::optional<double> base = std::nullopt);
Result<JensenShannon> JensenShannonSamples(std::span<const double> reference,
                                           std::span<const double> current,
                                           const Binning& binning = Binning::ReferenceQuantiles(),
                                           std::optional<double> base = std::nullopt);
Result<JensenShannon> JensenShannonCategorical(const CategoryCounts& reference,
                                               const CategoryCounts& current,
                                               std::optional<double> base = std::nullopt);

// ---------------------------------------------------------------------------------------------
// Chi-square test of homogeneity (scipy.stats.chi2_contingency with its default Pearson
// statistic): rows are samples, columns categories; expected_ij = row_i * col_j / total, df =
// (rows - 1)(columns - 1), p = chi2.sf(statistic, df). Yates' correction (each |o - e| reduced
// by up to 0.5) is applied, as in scipy, only when `correction` is set and df == 1, i.e. for
// 2x2 tables; larger tables are never corrected. df == 0 gives statistic 0, p = 1. Unlike scipy,
// which refuses them, columns that are zero in every row (empty histogram bins) are dropped
// first; a row that sums to 0 is an error. test = "chi_square_homogeneity", method =
// "asymptotic", df set.
Result<TestResult> ChiSquareContingency(std::span<const std::vector<double>> table,
                                        bool correction = true);
Result<TestResult> ChiSquareHomogeneity(std::span<const double> reference_counts,
                                        std::span<const double> current_counts,
                                        bool correction = true);
Result<TestResult> ChiSquareCategorical(const CategoryCounts& reference,
                                        const CategoryCounts& current, bool correction = true);

// ---------------------------------------------------------------------------------------------
// Two-sample Kolmogorov-Smirnov test (scipy.stats.ks_2samp). statistic = D, the largest
// difference of the empirical CDFs (D+ = max(F_x - F_y) for kGreater, D- = max(F_y - F_x) for
// kLess, the larger of the two for kTwoSided).
enum class KsMethod {
  kAuto,        // scipy's rule: exact when max(n1, n2) <= 10000, asymptotic otherwise
  kExact,       // the exact null distribution (Hodges' lattice-path counts, as scipy computes
                // them); falls back to asymptotic where scipy does (lcm(n1, n2) too large, or a
                // one-sided count that overflows)
  kAsymptotic,  // two-sided: Q((sqrt(en) + 0.12 + 0.11 / sqrt(en)) D) with the limiting
                // Kolmogorov distribution Q and en = n1 n2 / (n1 + n2) (Stephens); one-sided:
                // Hodges' formula exp(-2z^2 - 2z(m + 2n) / sqrt(mn(m + n)) / 3), z = sqrt(en) D,
                // m >= n, exactly as scipy
};

struct KsTestResult {
  TestResult result;    // test = "kolmogorov_smirnov_2samp", method = "exact" or "asymptotic"
  double location = 0;  // the value at which the CDF difference is D
  int sign = 1;         // +1 when F_x - F_y is D there, -1 when F_y - F_x is
};

// Where scipy 1.10 and this function agree: the statistic, its location and sign always (bit for
// bit), the method chosen, exact p-values (to 1e-12 two-sided, 1e-11 one-sided) and one-sided
// asymptotic p-values. Two-sided asymptotic p-values differ: scipy uses kstwo.sf(D, round(en)),
// this function Stephens' approximation above; both are within 0.015 of the exact p-value for the
// sizes in docs/statistics.md. The exact two-sided computation for unequal sizes costs about
// 2 n1 n2 D steps; kAuto keeps it below 2e8.
Result<KsTestResult> KolmogorovSmirnov2Samp(std::span<const double> x, std::span<const double> y,
                                            Alternative alternative = Alternative::kTwoSided,
                                            KsMethod method = KsMethod::kAuto);

// The limiting Kolmogorov distribution's survival function Q(z) = 2 sum_k>=1 (-1)^(k-1)
// exp(-2 k^2 z^2) (scipy.special.kolmogorov). 1 for z <= 0, NaN for NaN.
double KolmogorovSf(double z);

// ---------------------------------------------------------------------------------------------
// Wasserstein-1 (earth mover's) distance between two distributions on the line
// (scipy.stats.wasserstein_distance): the integral of |F_u - G_v|. The weighted form takes
// histograms: values (e.g. bucket representatives) with non-negative finite weights that sum to
// more than 0.
Result<double> WassersteinDistance(std::span<const double> u, std::span<const double> v);
Result<double> WassersteinDistanceWeighted(std::span<const double> u_values,
                                           std::span<const double> u_weights,
                                           std::span<const double> v_values,
                                           std::span<const double> v_weights);

}  // namespace yardstick::stats

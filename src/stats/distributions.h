#pragma once
// Probability distributions used by the tests, computed with Boost.Math.
//
// Thin wrappers that never throw: an argument outside a distribution's domain (NaN, df <= 0)
// gives NaN, and infinite arguments give the limiting probabilities, as scipy.special does.
//
// Thread safety: all functions are pure.

namespace yardstick::stats {

double NormalCdf(double z);  // P(Z <= z), scipy.special.ndtr
double NormalSf(double z);   // P(Z > z), scipy.stats.norm.sf
double NormalPpf(double p);  // the inverse of NormalCdf, scipy.special.ndtri

// P(T <= t) for Student's t with `df` > 0 degrees of freedom (df need not be an integer),
// scipy.special.stdtr(df, t).
double StudentTCdf(double df, double t);

// P(X > x) for chi-squared with `df` degrees of freedom, scipy.stats.chi2.sf.
double ChiSquaredSf(double x, double df);

// P(X <= k) for X ~ Binomial(n, p), scipy.stats.binom.cdf (k and n whole numbers, 0 <= k).
double BinomialCdf(double k, double n, double p);

}  // namespace yardstick::stats

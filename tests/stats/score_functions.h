#pragma once
// The toy corpus scores used by tests/stats/data/generate_golden.py, with the same operation
// order as the Python versions so that results are bit-identical.

#include <cmath>
#include <span>
#include <string>

#include "stats/bootstrap.h"

namespace yardstick::stats::testing {

// [matches, total] -> 100 * matches / total.
inline double RatioScore(std::span<const double> s) { return 100.0 * s[0] / s[1]; }

// [hyp_len, ref_len, c1, t1, c2, t2] -> a two-order BLEU with brevity penalty.
inline double Bleu2Score(std::span<const double> s) {
  const double hyp = s[0], ref = s[1], c1 = s[2], t1 = s[3], c2 = s[4], t2 = s[5];
  if (c1 == 0.0 || c2 == 0.0 || t1 == 0.0 || t2 == 0.0) return 0.0;
  const double log_avg = (std::log(c1 / t1) + std::log(c2 / t2)) / 2.0;
  const double bp = hyp > ref ? 1.0 : (hyp > 0.0 ? std::exp(1.0 - ref / hyp) : 0.0);
  return 100.0 * std::exp(log_avg) * bp;
}

inline ScoreFn ScoreByName(const std::string& name) {
  if (name == "bleu2") return Bleu2Score;
  return RatioScore;
}

}  // namespace yardstick::stats::testing

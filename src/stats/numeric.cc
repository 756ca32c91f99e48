#include "stats/numeric.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

namespace yardstick::stats {
namespace {

__extension__ using Uint128 = unsigned __int128;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A two's-complement fixed-point accumulator holding any sum of up to 2^64 finite doubles
// exactly, in units of 2^-1074 (the smallest subnormal).
class ExactAccumulator {
 public:
  void Add(double x) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
    const std::uint64_t exponent = (bits >> 52) & 0x7ff;
    std::uint64_t mantissa = bits & ((1ULL << 52) - 1);
    std::size_t offset = 0;  // x = mantissa * 2^(offset - 1074)
    if (exponent != 0) {
      mantissa |= 1ULL << 52;
      offset = static_cast<std::size_t>(exponent - 1);
    }
    if (mantissa == 0) return;
    const std::size_t word = offset / 64, shift = offset % 64;
    const Uint128 wide = static_cast<Uint128>(mantissa) << shift;
    std::array<std::uint64_t, 2> parts = {static_cast<std::uint64_t>(wide),
                                          static_cast<std::uint64_t>(wide >> 64)};
    if ((bits >> 63) == 0) {
      Uint128 carry = 0;
      for (std::size_t i = word; i < kWords; ++i) {
        const std::uint64_t addend = i - word < 2 ? parts[i - word] : 0;
        if (addend == 0 && carry == 0 && i >= word + 2) break;
        const Uint128 s = static_cast<Uint128>(words_[i]) + addend + carry;
        words_[i] = static_cast<std::uint64_t>(s);
        carry = s >> 64;
      }
    } else {
      std::uint64_t borrow = 0;
      for (std::size_t i = word; i < kWords; ++i) {
        const std::uint64_t subtrahend = i - word < 2 ? parts[i - word] : 0;
        if (subtrahend == 0 && borrow == 0 && i >= word + 2) break;
        const std::uint64_t before = words_[i];
        const std::uint64_t after = before - subtrahend - borrow;
        borrow = (static_cast<Uint128>(subtrahend) + borrow > before) ? 1 : 0;
        words_[i] = after;
      }
    }
  }

  // The accumulated sum divided by n, correctly rounded to the nearest double (ties to even).
  double DivideAndRound(std::uint64_t n) const {
    std::array<std::uint64_t, kWords> magnitude = words_;
    const bool negative = (magnitude[kWords - 1] >> 63) != 0;
    if (negative) {  // two's-complement negation
      std::uint64_t carry = 1;
      for (auto& w : magnitude) {
        w = ~w + carry;
        carry = (carry != 0 && w == 0) ? 1 : 0;
      }
    }
    Uint128 remainder = 0;
    for (std::size_t i = kWords; i-- > 0;) {
      const Uint128 current = (remainder << 64) | magnitude[i];
      magnitude[i] = static_cast<std::uint64_t>(current / n);
      remainder = current % n;
    }
    // Bit length of the quotient.
    std::size_t top = kWords;
    while (top > 0 && magnitude[top - 1] == 0) --top;
    const std::size_t length =
        top == 0 ? 0
                 : (top - 1) * 64 +
                       (64 - static_cast<std::size_t>(std::countl_zero(magnitude[top - 1])));
    auto bit = [&](std::size_t i) { return (magnitude[i / 64] >> (i % 64)) & 1u; };
    std::uint64_t mantissa = 0;
    std::size_t shift = 0;
    bool round_up = false;
    const Uint128 twice_remainder = remainder * 2;
    if (length <= 53) {
      mantissa = magnitude[0];
      round_up = twice_remainder > n || (twice_remainder == n && (mantissa & 1u) != 0);
    } else {
      shift = length - 53;
      for (std::size_t i = 0; i < 53; ++i)
        mantissa |= static_cast<std::uint64_t>(bit(shift + i)) << i;
      const bool guard = bit(shift - 1) != 0;
      bool sticky = remainder != 0;
      for (std::size_t i = 0; i + 1 < shift && !sticky; ++i) sticky = bit(i) != 0;
      round_up = guard && (sticky || (mantissa & 1u) != 0);
    }
    if (round_up) ++mantissa;
    const double value = std::ldexp(static_cast<double>(mantissa), static_cast<int>(shift) - 1074);
    return negative ? -value : value;
  }

 private:
  static constexpr std::size_t kWords = 36;  // 2304 bits: 2098 for doubles + 64 of headroom
  std::array<std::uint64_t, kWords> words_{};
};

double PairwiseSumImpl(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseSumImpl(a, n2) + PairwiseSumImpl(a + n2, n - n2);
}

}  // namespace

double PairwiseSum(std::span<const double> values) {
  return PairwiseSumImpl(values.data(), values.size());
}

double NumpyMean(std::span<const double> values) {
  if (values.empty()) return kNaN;
  return PairwiseSum(values) / static_cast<double>(values.size());
}

double ExactMean(std::span<const double> values) {
  if (values.empty()) return kNaN;
  ExactAccumulator sum;
  for (double v : values) {
    if (!std::isfinite(v)) return kNaN;
    sum.Add(v);
  }
  return sum.DivideAndRound(values.size());
}

double Percentile(std::span<const double> sorted, double q) {
  const std::size_t n = sorted.size();
  if (n == 0 || std::isnan(q)) return kNaN;
  const double fraction = q / 100.0;
  const double virtual_index = static_cast<double>(n - 1) * fraction;
  if (virtual_index >= static_cast<double>(n - 1)) return sorted[n - 1];
  if (virtual_index < 0) return sorted[0];
  const double previous = std::floor(virtual_index);
  const auto index = static_cast<std::size_t>(previous);
  const double gamma = virtual_index - previous;
  const double a = sorted[index], b = sorted[index + 1];
  const double diff = b - a;
  if (gamma >= 0.5) return b - diff * (1.0 - gamma);
  return a + diff * gamma;
}

namespace {
// Indices of `values` in ascending order of value (stable).
std::vector<std::size_t> SortedOrder(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  return order;
}
}  // namespace

std::vector<double> AverageRanks(std::span<const double> values) {
  const std::vector<std::size_t> order = SortedOrder(values);
  std::vector<double> ranks(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    const double rank = 0.5 * static_cast<double>(end + start + 1);
    for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

double TieTerm(std::span<const double> values) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  std::int64_t term = 0;
  for (std::size_t start = 0; start < sorted.size();) {
    std::size_t end = start + 1;
    while (end < sorted.size() && sorted[end] == sorted[start]) ++end;
    const auto t = static_cast<std::int64_t>(end - start);
    term += t * t * t - t;
    start = end;
  }
  return static_cast<double>(term);
}

double SampleStd(std::span<const double> values) {
  const std::size_t n = values.size();
  if (n < 2) return kNaN;
  const double mean = PairwiseSum(values) / static_cast<double>(n);
  std::vector<double> squares(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double d = values[i] - mean;
    squares[i] = d * d;
  }
  return std::sqrt(PairwiseSum(squares) / static_cast<double>(n - 1));
}

}  // namespace yardstick::stats

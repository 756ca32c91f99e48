#pragma once
// Seeded, reproducible random numbers for resampling, bit-compatible with NumPy.
//
// NumpyRng reproduces `numpy.random.default_rng(seed)`: the PCG64 generator (128-bit LCG with the
// XSL-RR output function) seeded through NumPy's SeedSequence, plus the algorithms NumPy's
// Generator uses to turn raw bits into bounded integers, coin flips and doubles. A Yardstick
// resample therefore picks the same segments as sacrebleu 2.6.0 and scipy 1.10 with the same seed:
//
//   NumPy                                          Yardstick
//   rng.integers(0, n, size=k), rng.choice(n, k)   k calls of rng.Below(n)
//   rng.choice(n, (B, n))                          B*n calls of rng.Below(n), row by row
//   rng.integers(2, size=k, dtype=bool)            one RandomBits over rng, k calls of Next()
//   rng.random(size=k)                             k calls of rng.Uniform()
//
// Checked against Debian's numpy 1.24.2 (tests/stats/data/numpy_rng.jsonl).
//
// Thread safety: an instance is not thread-safe; give each thread its own generator.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace yardstick::stats {

// NumPy's SeedSequence(entropy).generate_state(n_words, np.uint32) with the default pool size of
// 4 words and no spawn key. `entropy` is the seed as 32-bit words, least significant first (an
// integer seed s gives {s & 0xffffffff, s >> 32, ...} without leading zero words; 0 gives {0}).
std::vector<std::uint32_t> SeedSequenceState(std::span<const std::uint32_t> entropy,
                                             std::size_t n_words);

// The 32-bit words NumPy makes of a non-negative integer seed.
std::vector<std::uint32_t> SeedWords(std::uint64_t seed);

// numpy.random.default_rng(seed): PCG64 with NumPy's Generator algorithms on top.
class NumpyRng {
 public:
  // Same stream as np.random.default_rng(seed).
  explicit NumpyRng(std::uint64_t seed);
  // Same stream as np.random.default_rng(entropy words), see SeedSequenceState.
  explicit NumpyRng(std::span<const std::uint32_t> entropy);

  // The next 64 random bits (PCG64 next64).
  std::uint64_t NextUint64() {
    const Uint128 state = (static_cast<Uint128>(state_hi_) << 64 | state_lo_) * kMultiplier +
                          (static_cast<Uint128>(inc_hi_) << 64 | inc_lo_);
    state_hi_ = static_cast<std::uint64_t>(state >> 64);
    state_lo_ = static_cast<std::uint64_t>(state);
    // XSL-RR: xor the halves, rotate right by the top 6 bits.
    const std::uint64_t x = state_hi_ ^ state_lo_;
    const unsigned rot = static_cast<unsigned>(state_hi_ >> 58u);
    return (x >> rot) | (x << ((0u - rot) & 63u));
  }

  // The next 32 random bits. Like NumPy, one 64-bit draw serves two calls: low half first.
  std::uint32_t NextUint32() {
    if (has_uint32_) {
      has_uint32_ = false;
      return uinteger_;
    }
    const std::uint64_t next = NextUint64();
    has_uint32_ = true;
    uinteger_ = static_cast<std::uint32_t>(next >> 32);
    return static_cast<std::uint32_t>(next);
  }

  // A uniform integer in [0, n) for n >= 1, as Generator.integers(0, n) draws one element
  // (Lemire's multiply-and-reject on 32-bit draws when n - 1 < 2^32, on 64-bit draws otherwise;
  // n == 1 consumes nothing).
  std::uint64_t Below(std::uint64_t n) {
    const std::uint64_t rng = n - 1;  // NumPy's inclusive range
    if (rng - 1 < 0xfffffffeULL) {    // 1 <= rng < 2^32 - 1: buffered_bounded_lemire_uint32
      const auto rng_excl = static_cast<std::uint32_t>(n);
      std::uint64_t m = static_cast<std::uint64_t>(NextUint32()) * rng_excl;
      if (static_cast<std::uint32_t>(m) < rng_excl) {
        const std::uint32_t threshold = (0xffffffffu - static_cast<std::uint32_t>(rng)) % rng_excl;
        while (static_cast<std::uint32_t>(m) < threshold) {
          m = static_cast<std::uint64_t>(NextUint32()) * rng_excl;
        }
      }
      return m >> 32;
    }
    return BelowSlow(n);
  }

  // A uniform double in [0, 1) with 53 random bits, as Generator.random().
  double Uniform();

 private:
  __extension__ using Uint128 = unsigned __int128;
  // PCG64's default multiplier (numpy/random/src/pcg64/pcg64.h).
  static constexpr Uint128 kMultiplier =
      (static_cast<Uint128>(2549297995355413924ULL) << 64) | 4865540595714422341ULL;

  void Seed(std::span<const std::uint32_t> entropy);
  std::uint64_t BelowSlow(std::uint64_t n);  // n == 1, n - 1 >= 2^32 - 1

  std::uint64_t state_hi_ = 0, state_lo_ = 0;  // 128-bit LCG state
  std::uint64_t inc_hi_ = 0, inc_lo_ = 0;      // 128-bit LCG increment (odd)
  bool has_uint32_ = false;                    // NumPy's buffered upper half of a 64-bit draw
  std::uint32_t uinteger_ = 0;
};

// Fair coin flips as Generator.integers(2, size=k, dtype=bool): each 32-bit draw gives 32 flips,
// least significant bit first. NumPy keeps that bit buffer only for one array draw, so use one
// RandomBits per NumPy array (bits left over when it is destroyed are discarded, as in NumPy).
class RandomBits {
 public:
  explicit RandomBits(NumpyRng& rng) : rng_(&rng) {}

  bool Next() {
    if (count_ == 0) {
      buffer_ = rng_->NextUint32();
      count_ = 31;
    } else {
      buffer_ >>= 1;
      --count_;
    }
    return (buffer_ & 1u) != 0;
  }

 private:
  NumpyRng* rng_;
  std::uint32_t buffer_ = 0;
  int count_ = 0;
};

}  // namespace yardstick::stats

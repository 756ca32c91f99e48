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
//   rng.choice(n, (B, n))                          B*n calls of rng.Below(n), row by row, or
//                                                  B calls of rng.FillBelow(n, row)
//   rng.integers(2, size=k, dtype=bool)            one RandomBits over rng, k calls of Next()
//   rng.random(size=k)                             k calls of rng.Uniform()
//
// Checked against Debian's numpy 1.24.2 (tests/stats/data/numpy_rng.jsonl).
//
// Thread safety: an instance is not thread-safe; give each thread its own generator.

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

  // out.size() calls of Below(n) for n in [1, 2^32), in bulk: the same values and the same
  // generator state afterwards. Most 64-bit draws give two indices with no rejection to
  // consider, so they are produced in blocks (the PCG64 steps of a block interleaved in four
  // independent chains, the multiplications by n four at a time); a block in which some draw
  // falls in Lemire's rejection zone is redone with Below.
  void FillBelow(std::uint32_t n, std::span<std::uint32_t> out);

  // The same, calling work(k, count) for consecutive ranges [k, k + count) that cover
  // [0, out.size()) once each, in order, as the draws go (count is 8 in the bulk of the draws).
  // The draws mostly wait on the multiplier, so independent work placed between them (the
  // additions of a previous resample's rows, say) runs almost for free. `work` must not read
  // `out`, whose values may still be redone.
  template <typename Work>
  void FillBelow(std::uint32_t n, std::span<std::uint32_t> out, Work&& work);

  // A uniform double in [0, 1) with 53 random bits, as Generator.random().
  double Uniform();

 private:
  __extension__ using Uint128 = unsigned __int128;
  // PCG64's default multiplier (numpy/random/src/pcg64/pcg64.h).
  static constexpr Uint128 kMultiplier =
      (static_cast<Uint128>(2549297995355413924ULL) << 64) | 4865540595714422341ULL;

  void Seed(std::span<const std::uint32_t> entropy);
  std::uint64_t BelowSlow(std::uint64_t n);  // n == 1, n - 1 >= 2^32 - 1

  // PCG64's XSL-RR output of a state (see NextUint64).
  static std::uint64_t Output(Uint128 state) {
    const auto hi = static_cast<std::uint64_t>(state >> 64);
    const std::uint64_t x = hi ^ static_cast<std::uint64_t>(state);
    const unsigned rot = static_cast<unsigned>(hi >> 58u);
    return (x >> rot) | (x << ((0u - rot) & 63u));
  }

  // Lemire's multiply-shift of two 64-bit draws x and y, low halves first (as the buffered
  // 32-bit draws): Four() writes (lo(x) * n) >> 32, (hi(x) * n) >> 32, then the same of y.
  // ok() turns false once the low 32 bits of some product were below n: that draw needs
  // Lemire's rejection test, which FillBelow then runs by redoing its block with Below().
  class MultiplyShift {
   public:
    explicit MultiplyShift(std::uint32_t n) : n_(n) {}
#if defined(__SSE2__)
    void Four(std::uint64_t x, std::uint64_t y, std::uint32_t* out) {
      const __m128i draws = _mm_set_epi64x(static_cast<long long>(y), static_cast<long long>(x));
      const __m128i nv = _mm_set1_epi32(static_cast<int>(n_));  // _mm_mul_epu32 reads lanes 0, 2
      const __m128i low_half = _mm_set1_epi64x(0xFFFFFFFF);
      const __m128i p_lo = _mm_mul_epu32(draws, nv);                      // lo(x) * n, lo(y) * n
      const __m128i p_hi = _mm_mul_epu32(_mm_srli_epi64(draws, 32), nv);  // the high halves
      // The products' high halves, interleaved: lo(x), hi(x), lo(y), hi(y).
      const __m128i idx = _mm_or_si128(_mm_srli_epi64(p_lo, 32), _mm_andnot_si128(low_half, p_hi));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), idx);
      const __m128i frac = _mm_or_si128(_mm_and_si128(p_lo, low_half), _mm_slli_epi64(p_hi, 32));
      // Unsigned frac < n, as signed compares of both flipped at the sign bit.
      const __m128i sign = _mm_set1_epi32(static_cast<int>(0x80000000u));
      reject_ = _mm_or_si128(reject_,
                             _mm_cmplt_epi32(_mm_xor_si128(frac, sign), _mm_xor_si128(nv, sign)));
    }
    bool ok() const { return _mm_movemask_epi8(reject_) == 0; }

   private:
    std::uint32_t n_;
    __m128i reject_ = _mm_setzero_si128();
#else
    void Four(std::uint64_t x, std::uint64_t y, std::uint32_t* out) {
      const std::uint64_t halves[4] = {x & 0xFFFFFFFFu, x >> 32, y & 0xFFFFFFFFu, y >> 32};
      for (int k = 0; k < 4; ++k) {
        const std::uint64_t m = halves[k] * n_;
        out[k] = static_cast<std::uint32_t>(m >> 32);
        ok_ = ok_ && static_cast<std::uint32_t>(m) >= n_;
      }
    }
    bool ok() const { return ok_; }

   private:
    std::uint32_t n_;
    bool ok_ = true;
#endif
  };

  std::uint64_t state_hi_ = 0, state_lo_ = 0;  // 128-bit LCG state
  std::uint64_t inc_hi_ = 0, inc_lo_ = 0;      // 128-bit LCG increment (odd)
  bool has_uint32_ = false;                    // NumPy's buffered upper half of a 64-bit draw
  std::uint32_t uinteger_ = 0;
};

template <typename Work>
void NumpyRng::FillBelow(std::uint32_t n, std::span<std::uint32_t> out, Work&& work) {
  assert(n >= 1);
  std::size_t pos = 0;
  if (n == 1) {  // Below(1) is 0 and consumes nothing
    for (std::uint32_t& x : out) x = 0;
    if (!out.empty()) work(std::size_t{0}, out.size());
    return;
  }
  auto one = [&] {  // a draw outside the bulk
    out[pos] = static_cast<std::uint32_t>(Below(n));
    work(pos, std::size_t{1});
    ++pos;
  };
  constexpr std::size_t kDraws = 128;  // 64-bit draws per block (at most), two indices each
  // Four steps at once: s -> M^4 s + (M^3 + M^2 + M + 1) inc, so that four independent chains
  // of states interleave (one chain of dependent 128-bit multiplications would leave the
  // multiplier idle between them).
  const Uint128 inc = (static_cast<Uint128>(inc_hi_) << 64) | inc_lo_;
  const Uint128 mult2 = kMultiplier * kMultiplier;
  const Uint128 mult4 = mult2 * mult2;
  const Uint128 inc4 = inc * (kMultiplier + 1) * (mult2 + 1);
  while (true) {
    while (has_uint32_ && pos < out.size()) one();
    // A multiple of 4 draws: the steps below go four at a time.
    const std::size_t draws = std::min(kDraws, (out.size() - pos) / 8 * 4);
    if (draws == 0) break;
    const std::uint64_t saved_hi = state_hi_, saved_lo = state_lo_;
    Uint128 s0 = ((static_cast<Uint128>(state_hi_) << 64) | state_lo_) * kMultiplier + inc;
    Uint128 s1 = s0 * kMultiplier + inc;  // s0 is the state of draw 0, s1 of draw 1, ...
    Uint128 s2 = s1 * kMultiplier + inc;
    Uint128 s3 = s2 * kMultiplier + inc;
    Uint128 last = s3;
    MultiplyShift lemire(n);
    std::uint32_t* block = out.data() + pos;
    for (std::size_t k = 0; k < draws; k += 4) {
      lemire.Four(Output(s0), Output(s1), block + 2 * k);
      lemire.Four(Output(s2), Output(s3), block + 2 * k + 4);
      last = s3;
      s0 = s0 * mult4 + inc4;
      s1 = s1 * mult4 + inc4;
      s2 = s2 * mult4 + inc4;
      s3 = s3 * mult4 + inc4;
      work(pos + 2 * k, std::size_t{8});
    }
    state_hi_ = static_cast<std::uint64_t>(last >> 64);
    state_lo_ = static_cast<std::uint64_t>(last);
    if (!lemire.ok()) {
      // Rare (probability about 2 * draws * n / 2^32): redo the block exactly.
      state_hi_ = saved_hi;
      state_lo_ = saved_lo;
      for (std::size_t k = 0; k < 2 * draws; ++k) block[k] = static_cast<std::uint32_t>(Below(n));
    }
    pos += 2 * draws;
  }
  while (pos < out.size()) one();
}

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

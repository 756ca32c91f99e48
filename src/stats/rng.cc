#include "stats/rng.h"

#include <cassert>

namespace yardstick::stats {
namespace {

__extension__ using Uint128 = unsigned __int128;

// SeedSequence constants (numpy/random/bit_generator.pyx).
constexpr std::uint32_t kInitA = 0x43b0d7e5u;
constexpr std::uint32_t kMultA = 0x931e8875u;
constexpr std::uint32_t kInitB = 0x8b51f9ddu;
constexpr std::uint32_t kMultB = 0x58f38dedu;
constexpr std::uint32_t kMixMultL = 0xca01f9ddu;
constexpr std::uint32_t kMixMultR = 0x4973f715u;
constexpr std::uint32_t kXShift = 16;
constexpr std::size_t kPoolSize = 4;

std::uint32_t HashMix(std::uint32_t value, std::uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  value ^= value >> kXShift;
  return value;
}

std::uint32_t Mix(std::uint32_t x, std::uint32_t y) {
  std::uint32_t result = kMixMultL * x - kMixMultR * y;
  result ^= result >> kXShift;
  return result;
}

Uint128 Join(std::uint64_t hi, std::uint64_t lo) { return (static_cast<Uint128>(hi) << 64) | lo; }

}  // namespace

std::vector<std::uint32_t> SeedWords(std::uint64_t seed) {
  std::vector<std::uint32_t> words;
  if (seed == 0) words.push_back(0);
  while (seed > 0) {
    words.push_back(static_cast<std::uint32_t>(seed & 0xffffffffu));
    seed >>= 32;
  }
  return words;
}

std::vector<std::uint32_t> SeedSequenceState(std::span<const std::uint32_t> entropy,
                                             std::size_t n_words) {
  // mix_entropy: hash the entropy into the pool, then mix every word into every other.
  std::uint32_t pool[kPoolSize];
  std::uint32_t hash_const = kInitA;
  for (std::size_t i = 0; i < kPoolSize; ++i) {
    pool[i] = HashMix(i < entropy.size() ? entropy[i] : 0u, hash_const);
  }
  for (std::size_t src = 0; src < kPoolSize; ++src) {
    for (std::size_t dst = 0; dst < kPoolSize; ++dst) {
      if (src != dst) pool[dst] = Mix(pool[dst], HashMix(pool[src], hash_const));
    }
  }
  for (std::size_t src = kPoolSize; src < entropy.size(); ++src) {
    for (std::size_t dst = 0; dst < kPoolSize; ++dst) {
      pool[dst] = Mix(pool[dst], HashMix(entropy[src], hash_const));
    }
  }
  // generate_state: cycle through the pool with a second hash.
  std::vector<std::uint32_t> state(n_words);
  std::uint32_t out_const = kInitB;
  for (std::size_t i = 0; i < n_words; ++i) {
    std::uint32_t value = pool[i % kPoolSize];
    value ^= out_const;
    out_const *= kMultB;
    value *= out_const;
    value ^= value >> kXShift;
    state[i] = value;
  }
  return state;
}

NumpyRng::NumpyRng(std::uint64_t seed) { Seed(SeedWords(seed)); }

NumpyRng::NumpyRng(std::span<const std::uint32_t> entropy) { Seed(entropy); }

void NumpyRng::Seed(std::span<const std::uint32_t> entropy) {
  // PCG64.__init__: generate_state(4, uint64), i.e. 8 words read as little-endian 64-bit values;
  // values 0-1 are the initial state (high, low), values 2-3 the stream (high, low).
  const std::vector<std::uint32_t> words = SeedSequenceState(entropy, 8);
  std::uint64_t v[4];
  for (std::size_t i = 0; i < 4; ++i) {
    v[i] = static_cast<std::uint64_t>(words[2 * i]) |
           (static_cast<std::uint64_t>(words[2 * i + 1]) << 32);
  }
  // pcg_setseq_128_srandom_r
  const Uint128 init_state = Join(v[0], v[1]);
  const Uint128 init_seq = Join(v[2], v[3]);
  const Uint128 inc = (init_seq << 1u) | 1u;
  Uint128 state = 0;
  state = state * kMultiplier + inc;
  state += init_state;
  state = state * kMultiplier + inc;
  state_hi_ = static_cast<std::uint64_t>(state >> 64);
  state_lo_ = static_cast<std::uint64_t>(state);
  inc_hi_ = static_cast<std::uint64_t>(inc >> 64);
  inc_lo_ = static_cast<std::uint64_t>(inc);
  has_uint32_ = false;
  uinteger_ = 0;
}

std::uint64_t NumpyRng::BelowSlow(std::uint64_t n) {
  assert(n >= 1);
  const std::uint64_t rng = n - 1;
  if (rng == 0) return 0;
  if (rng <= 0xffffffffULL) {
    assert(rng == 0xffffffffULL);  // the Lemire range is handled inline by Below()
    return NextUint32();
  }
  if (rng == ~0ULL) return NextUint64();
  // bounded_lemire_uint64
  const std::uint64_t rng_excl = rng + 1;
  Uint128 m = static_cast<Uint128>(NextUint64()) * rng_excl;
  std::uint64_t leftover = static_cast<std::uint64_t>(m);
  if (leftover < rng_excl) {
    const std::uint64_t threshold = (~0ULL - rng) % rng_excl;
    while (leftover < threshold) {
      m = static_cast<Uint128>(NextUint64()) * rng_excl;
      leftover = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

void NumpyRng::FillBelow(std::uint32_t n, std::span<std::uint32_t> out) {
  FillBelow(n, out, [](std::size_t, std::size_t) {});
}

double NumpyRng::Uniform() {
  return static_cast<double>(NextUint64() >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace yardstick::stats

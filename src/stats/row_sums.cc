#include "stats/row_sums.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace yardstick::stats {
namespace {

template <std::size_t W>
void SumRowsFixed(const double* data, std::span<const std::uint32_t> indices, double* out) {
  std::array<double, W> even{}, odd{};
  const std::size_t n = indices.size();
  std::size_t j = 0;
  for (; j + 1 < n; j += 2) {
    const double* r0 = data + std::size_t{indices[j]} * W;
    const double* r1 = data + std::size_t{indices[j + 1]} * W;
    for (std::size_t c = 0; c < W; ++c) {
      even[c] += r0[c];
      odd[c] += r1[c];
    }
  }
  if (j < n) {
    const double* r0 = data + std::size_t{indices[j]} * W;
    for (std::size_t c = 0; c < W; ++c) even[c] += r0[c];
  }
  for (std::size_t c = 0; c < W; ++c) out[c] = even[c] + odd[c];
}

void SumRowsAnyWidth(const double* data, std::size_t width, std::span<const std::uint32_t> indices,
                     double* out) {
  for (std::size_t c = 0; c < width; ++c) out[c] = 0.0;
  for (std::uint32_t i : indices) {
    const double* row = data + std::size_t{i} * width;
    for (std::size_t c = 0; c < width; ++c) out[c] += row[c];
  }
}

using Kernel = void (*)(const double*, std::span<const std::uint32_t>, double*);

template <std::size_t... W>
constexpr std::array<Kernel, sizeof...(W)> MakeKernels(std::index_sequence<W...>) {
  return {&SumRowsFixed<W + 1>...};
}

constexpr auto kKernels = MakeKernels(std::make_index_sequence<16>());

// ---- 16-bit packed rows ----------------------------------------------------------------------
//
// A packed row is `vectors` groups of 8 16-bit lanes (one SSE2 register each, 16-byte aligned).
// Sums are kept in 16-bit lanes, which cannot overflow while fewer than `flush_every` rows have
// been added (65535 / the largest value), and added to 32-bit totals before they could.

#if defined(__SSE2__)
// Adds the 16-bit lanes of registers [first, first + kVectors) of the rows named by `indices` to
// totals[0 .. 8 * kVectors).
template <std::size_t kVectors>
void SumPacked(const PackedRows::Lanes* cells, std::size_t vectors, std::size_t first,
               std::span<const std::uint32_t> indices, std::size_t flush_every,
               std::uint32_t* totals) {
  const auto* base = reinterpret_cast<const __m128i*>(cells + first);
  const __m128i zero = _mm_setzero_si128();
  __m128i total[2 * kVectors];  // 32-bit lanes: the low and high halves of each register
  for (__m128i& t : total) t = zero;
  const std::uint32_t* index = indices.data();
  for (std::size_t j = 0; j < indices.size();) {
    __m128i acc[kVectors];
    for (__m128i& a : acc) a = zero;
    for (const std::size_t end = std::min(indices.size(), j + flush_every); j < end; ++j) {
      const __m128i* row = base + std::size_t{index[j]} * vectors;
      for (std::size_t v = 0; v < kVectors; ++v) {
        acc[v] = _mm_add_epi16(_mm_load_si128(row + v), acc[v]);
      }
    }
    for (std::size_t v = 0; v < kVectors; ++v) {
      total[2 * v] = _mm_add_epi32(total[2 * v], _mm_unpacklo_epi16(acc[v], zero));
      total[2 * v + 1] = _mm_add_epi32(total[2 * v + 1], _mm_unpackhi_epi16(acc[v], zero));
    }
  }
  for (std::size_t v = 0; v < 2 * kVectors; ++v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(totals + 4 * v), total[v]);
  }
}

using PackedKernel = void (*)(const PackedRows::Lanes*, std::size_t, std::size_t,
                              std::span<const std::uint32_t>, std::size_t, std::uint32_t*);

template <std::size_t... V>
constexpr std::array<PackedKernel, sizeof...(V)> MakePackedKernels(std::index_sequence<V...>) {
  return {&SumPacked<V + 1>...};
}

constexpr std::size_t kMaxPackedVectors = 8;  // accumulators that stay in registers
constexpr auto kPackedKernels = MakePackedKernels(std::make_index_sequence<kMaxPackedVectors>());
#endif

#if defined(__SSE2__)
// The 16-bit accumulators of SumPacked for rows of exactly kVectors registers, with their flush
// to 32-bit totals, for loops that add rows a few at a time.
template <std::size_t kVectors>
class PackedAccumulator {
 public:
  PackedAccumulator(const PackedRows::Lanes* cells, std::size_t flush_every)
      : base_(reinterpret_cast<const __m128i*>(cells)), flush_every_(flush_every) {
    for (__m128i& a : acc_) a = _mm_setzero_si128();
    for (__m128i& t : total_) t = _mm_setzero_si128();
  }

  // Adds rows indices[0 .. count). Between calls, fewer than flush_every rows are pending.
  void Add(const std::uint32_t* indices, std::size_t count) {
    if (pending_ + count < flush_every_) {
      for (std::size_t j = 0; j < count; ++j) AddRow(indices[j]);
      pending_ += count;
      return;
    }
    for (std::size_t j = 0; j < count; ++j) {  // a flush on the way
      AddRow(indices[j]);
      if (++pending_ == flush_every_) Flush();
    }
  }

  // The totals (8 * kVectors values); the accumulator is spent.
  void Finish(std::uint32_t* totals) {
    Flush();
    for (std::size_t v = 0; v < 2 * kVectors; ++v) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(totals + 4 * v), total_[v]);
    }
  }

 private:
  void AddRow(std::uint32_t i) {
    const __m128i* row = base_ + std::size_t{i} * kVectors;
    for (std::size_t v = 0; v < kVectors; ++v) {
      acc_[v] = _mm_add_epi16(_mm_load_si128(row + v), acc_[v]);
    }
  }
  void Flush() {
    const __m128i zero = _mm_setzero_si128();
    for (std::size_t v = 0; v < kVectors; ++v) {
      total_[2 * v] = _mm_add_epi32(total_[2 * v], _mm_unpacklo_epi16(acc_[v], zero));
      total_[2 * v + 1] = _mm_add_epi32(total_[2 * v + 1], _mm_unpackhi_epi16(acc_[v], zero));
      acc_[v] = zero;
    }
    pending_ = 0;
  }

  const __m128i* base_;
  std::size_t flush_every_;
  std::size_t pending_ = 0;  // rows in acc_
  __m128i acc_[kVectors];
  __m128i total_[2 * kVectors];
};

// PackedRows::SumResamples for rows of exactly kVectors registers: resample b + 1 is drawn
// while resample b's rows are added, a group of 8 rows per group of 8 draws.
template <std::size_t kVectors>
void SumResamplesPacked(const PackedRows::Lanes* cells, std::size_t rows, std::size_t width,
                        std::size_t flush_every, NumpyRng& rng, std::size_t resamples,
                        const std::function<void(std::size_t, std::span<const double>)>& visit) {
  std::vector<std::uint32_t> current(rows), next(rows);
  std::vector<double> sums(width);
  std::uint32_t totals[8 * kVectors];
  rng.FillBelow(static_cast<std::uint32_t>(rows), current);
  for (std::size_t b = 0; b < resamples; ++b) {
    PackedAccumulator<kVectors> acc(cells, flush_every);
    const std::uint32_t* indices = current.data();
    if (b + 1 < resamples) {
      rng.FillBelow(static_cast<std::uint32_t>(rows), next,
                    [&](std::size_t k, std::size_t count) { acc.Add(indices + k, count); });
    } else {
      acc.Add(indices, rows);
    }
    acc.Finish(totals);
    for (std::size_t c = 0; c < width; ++c) sums[c] = static_cast<double>(totals[c]);
    visit(b, sums);
    current.swap(next);
  }
}

using ResampleKernel = void (*)(const PackedRows::Lanes*, std::size_t, std::size_t, std::size_t,
                                NumpyRng&, std::size_t,
                                const std::function<void(std::size_t, std::span<const double>)>&);

template <std::size_t... V>
constexpr std::array<ResampleKernel, sizeof...(V)> MakeResampleKernels(std::index_sequence<V...>) {
  return {&SumResamplesPacked<V + 1>...};
}

constexpr auto kResampleKernels =
    MakeResampleKernels(std::make_index_sequence<kMaxPackedVectors>());
#endif

// totals[8 * v + l] = sum over j of lane l of register v of row indices[j], v < vectors.
void SumPackedRows(const PackedRows::Lanes* cells, std::size_t vectors,
                   std::span<const std::uint32_t> indices, std::size_t flush_every,
                   std::uint32_t* totals) {
#if defined(__SSE2__)
  // Groups of up to kMaxPackedVectors registers, one pass over the indices each.
  for (std::size_t first = 0; first < vectors; first += kMaxPackedVectors) {
    const std::size_t count = std::min(kMaxPackedVectors, vectors - first);
    kPackedKernels[count - 1](cells, vectors, first, indices, flush_every, totals + 8 * first);
  }
#else
  (void)flush_every;
  std::fill(totals, totals + 8 * vectors, 0u);
  for (std::uint32_t i : indices) {
    const PackedRows::Lanes* row = cells + std::size_t{i} * vectors;
    for (std::size_t v = 0; v < vectors; ++v) {
      for (std::size_t l = 0; l < 8; ++l) totals[8 * v + l] += row[v].lane[l];
    }
  }
#endif
}

}  // namespace

PackedRows::PackedRows(std::span<const SegmentStats* const> matrices)
    : matrices_(matrices.begin(), matrices.end()) {
  for (const SegmentStats* m : matrices_) width_ += m->width();
  if (matrices_.empty()) return;
  const std::size_t rows = matrices_[0]->rows();
  rows_ = rows;
  packed_ = true;
  for (const SegmentStats* m : matrices_) {
    assert(m->rows() == rows);
    for (double v : m->data()) {
      // A whole number in [0, 65535] (the conversion truncates; NaN fails the range test).
      if (!(v >= 0 && v <= 65535 && static_cast<double>(static_cast<std::uint32_t>(v)) == v)) {
        packed_ = false;
        return;
      }
      max_ = std::max(max_, static_cast<std::uint32_t>(v));
    }
  }
  vectors_ = (width_ + 7) / 8;
  cells_.assign(rows * vectors_, Lanes{});
  std::size_t offset = 0;
  for (const SegmentStats* m : matrices_) {
    const std::size_t w = m->width();
    const double* data = m->data().data();
    for (std::size_t r = 0; r < rows; ++r) {
      Lanes* row = cells_.data() + r * vectors_;
      for (std::size_t c = 0, column = offset; c < w; ++c, ++column) {
        row[column / 8].lane[column % 8] = static_cast<std::uint16_t>(data[r * w + c]);
      }
    }
    offset += w;
  }
}

void PackedRows::Sum(std::span<const std::uint32_t> indices, std::span<double> out) const {
  assert(out.size() >= width_);
  // The 32-bit totals hold at most indices.size() * max_.
  if (packed_ &&
      indices.size() * std::uint64_t{max_} <= std::numeric_limits<std::uint32_t>::max()) {
    std::array<std::uint32_t, 64> small;
    std::vector<std::uint32_t> large;
    std::uint32_t* totals = small.data();
    if (8 * vectors_ > small.size()) {
      large.resize(8 * vectors_);
      totals = large.data();
    }
    const std::size_t flush_every = max_ == 0 ? indices.size() + 1 : 65535 / max_;
    SumPackedRows(cells_.data(), vectors_, indices, flush_every, totals);
    for (std::size_t c = 0; c < width_; ++c) out[c] = static_cast<double>(totals[c]);
    return;
  }
  std::size_t offset = 0;
  for (const SegmentStats* m : matrices_) {
    SumRows(m->data().data(), m->width(), indices, out.data() + offset);
    offset += m->width();
  }
}

void PackedRows::SumResamples(
    NumpyRng& rng, std::size_t resamples,
    const std::function<void(std::size_t, std::span<const double>)>& visit) const {
  if (resamples == 0 || rows_ == 0) return;
#if defined(__SSE2__)
  if (packed_ && vectors_ <= kMaxPackedVectors &&
      rows_ * std::uint64_t{max_} <= std::numeric_limits<std::uint32_t>::max()) {
    const std::size_t flush_every = max_ == 0 ? rows_ + 1 : 65535 / max_;
    kResampleKernels[vectors_ - 1](cells_.data(), rows_, width_, flush_every, rng, resamples,
                                   visit);
    return;
  }
#endif
  std::vector<std::uint32_t> indices(rows_);
  std::vector<double> sums(width_);
  for (std::size_t b = 0; b < resamples; ++b) {
    rng.FillBelow(static_cast<std::uint32_t>(rows_), indices);
    Sum(indices, sums);
    visit(b, sums);
  }
}

void SumRows(const double* data, std::size_t width, std::span<const std::uint32_t> indices,
             double* out) {
  if (width >= 1 && width <= kKernels.size()) {
    kKernels[width - 1](data, indices, out);
  } else {
    SumRowsAnyWidth(data, width, indices, out);
  }
}

}  // namespace yardstick::stats

#include "stats/row_sums.h"

#include <array>
#include <utility>

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

}  // namespace

void SumRows(const double* data, std::size_t width, std::span<const std::uint32_t> indices,
             double* out) {
  if (width >= 1 && width <= kKernels.size()) {
    kKernels[width - 1](data, indices, out);
  } else {
    SumRowsAnyWidth(data, width, indices, out);
  }
}

}  // namespace yardstick::stats

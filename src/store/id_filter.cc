#include "store/id_filter.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace yardstick::store {
namespace {

__extension__ using Uint128 = unsigned __int128;

constexpr size_t kWordsPerBlock = 8;
constexpr size_t kKeysPerBlock = 32;  // 512 bits / 16 bits per key

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

struct IdFilter::Segment {
  explicit Segment(size_t capacity_keys)
      : blocks(std::max<size_t>(1, (capacity_keys + kKeysPerBlock - 1) / kKeysPerBlock)),
        capacity(blocks * kKeysPerBlock),
        // calloc: large zeroed allocations come straight from the kernel, so untouched blocks
        // cost no resident memory.
        words(static_cast<uint64_t*>(std::calloc(blocks * kWordsPerBlock, sizeof(uint64_t)))) {
    if (words == nullptr) throw std::bad_alloc();
  }
  ~Segment() { std::free(words); }

  uint64_t* Block(uint64_t h) const {
    const auto index = static_cast<size_t>((static_cast<Uint128>(h) * blocks) >> 64);  // Lemire
    return words + index * kWordsPerBlock;
  }

  void Add(uint64_t h, uint64_t g) {
    uint64_t* block = Block(h);
    for (size_t i = 0; i < kWordsPerBlock; ++i) {
      std::atomic_ref<uint64_t>(block[i]).fetch_or(uint64_t{1} << ((g >> (6 * i)) & 63),
                                                   std::memory_order_relaxed);
    }
    count.fetch_add(1, std::memory_order_relaxed);
  }

  bool MayContain(uint64_t h, uint64_t g) const {
    uint64_t* block = Block(h);
    for (size_t i = 0; i < kWordsPerBlock; ++i) {
      const uint64_t bit = uint64_t{1} << ((g >> (6 * i)) & 63);
      if ((std::atomic_ref<uint64_t>(block[i]).load(std::memory_order_relaxed) & bit) == 0) {
        return false;
      }
    }
    return true;
  }

  const size_t blocks;
  const size_t capacity;
  uint64_t* const words;
  std::atomic<size_t> count{0};
};

IdFilter::IdFilter(size_t expected_keys, size_t minimum_keys) {
  segments_[0] = std::make_unique<Segment>(std::max(expected_keys, minimum_keys));
  segment_count_.store(1, std::memory_order_release);
}

IdFilter::~IdFilter() = default;

IdFilter::Segment& IdFilter::Writable() {
  size_t n = segment_count_.load(std::memory_order_acquire);
  Segment* last = segments_[n - 1].get();
  if (last->count.load(std::memory_order_relaxed) < last->capacity) return *last;
  std::lock_guard lock(grow_mutex_);
  n = segment_count_.load(std::memory_order_acquire);
  last = segments_[n - 1].get();
  // The last segment takes keys beyond its plan when no more segments fit (more false
  // positives, never a false negative).
  if (last->count.load(std::memory_order_relaxed) < last->capacity || n == kMaxSegments) {
    return *last;
  }
  segments_[n] = std::make_unique<Segment>(last->capacity * 4);
  segment_count_.store(n + 1, std::memory_order_release);
  return *segments_[n];
}

void IdFilter::Add(uint64_t key) {
  const uint64_t h = Mix(key);
  Writable().Add(h, Mix(h));
}

bool IdFilter::MayContain(uint64_t key) const {
  const uint64_t h = Mix(key);
  const uint64_t g = Mix(h);
  const size_t n = segment_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (segments_[i]->MayContain(h, g)) return true;
  }
  return false;
}

void IdFilter::Prefetch(uint64_t key) const {
  const uint64_t h = Mix(key);
  const size_t n = segment_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) __builtin_prefetch(segments_[i]->Block(h));
}

size_t IdFilter::keys() const {
  const size_t n = segment_count_.load(std::memory_order_acquire);
  size_t keys = 0;
  for (size_t i = 0; i < n; ++i) keys += segments_[i]->count.load(std::memory_order_relaxed);
  return keys;
}

size_t IdFilter::bytes() const {
  const size_t n = segment_count_.load(std::memory_order_acquire);
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) bytes += segments_[i]->blocks * kWordsPerBlock * sizeof(uint64_t);
  return bytes;
}

GenerationFilters::GenerationFilters(size_t keys_per_generation)
    : keys_per_generation_(keys_per_generation) {}

GenerationFilters::~GenerationFilters() = default;

void GenerationFilters::Add(int64_t generation, uint64_t key) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = filters_.find(generation); it != filters_.end()) {
      it->second->Add(key);
      return;
    }
  }
  std::unique_lock lock(mutex_);
  auto& filter = filters_[generation];
  if (!filter) filter = std::make_unique<IdFilter>(keys_per_generation_, 1024);
  filter->Add(key);
}

std::vector<int64_t> GenerationFilters::Candidates(uint64_t key) const {
  std::vector<int64_t> out;
  std::shared_lock lock(mutex_);
  for (const auto& [generation, filter] : filters_) {
    if (filter->MayContain(key)) out.push_back(generation);
  }
  return out;
}

size_t GenerationFilters::bytes() const {
  std::shared_lock lock(mutex_);
  size_t n = 0;
  for (const auto& [generation, filter] : filters_) n += filter->bytes();
  return n;
}

}  // namespace yardstick::store

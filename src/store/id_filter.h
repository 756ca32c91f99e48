#pragma once
// A Bloom filter of the id keys of stored calls (internal to src/store). Appending a call must
// find out whether its id is already stored; for a new id (nearly every call) that lookup is a
// B-tree descent of the id key index that finds nothing. The filter answers "certainly not
// stored" for most new ids without touching the database; "maybe stored" falls back to the
// lookup, so the filter can only save work, never change an answer.
//
// Layout: split blocks of 512 bits (one cache line); a key sets one bit in each of the block's
// eight 64-bit words. Sized at 16 bits per key, which gives about 0.1% false positives at full
// load. When more keys than planned arrive, a new segment of four times the size takes the new
// keys (a "scalable" Bloom filter); lookups ask every segment, one cache line each, so a filter
// planned well has one or two. Keys are never removed: ids deleted by retention stay "maybe
// stored" and cost a lookup.
//
// Thread safety: Add, MayContain and Prefetch may run concurrently from any threads without a
// lock (bits are set with atomic ORs, segments are published with release stores and never
// moved); growing takes a lock.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace yardstick::store {

class IdFilter {
 public:
  // Plans for `expected_keys` (at least `minimum_keys`).
  explicit IdFilter(size_t expected_keys, size_t minimum_keys = 1 << 16);
  ~IdFilter();
  IdFilter(const IdFilter&) = delete;
  IdFilter& operator=(const IdFilter&) = delete;

  void Add(uint64_t key);
  // false: no key equal to `key` was ever added.
  bool MayContain(uint64_t key) const;
  // Starts loading the cache lines MayContain(key) and Add(key) will touch (a hint: a caller
  // with many keys prefetches them all, then asks, so the cache misses overlap).
  void Prefetch(uint64_t key) const;

  // Whether every stored key has been added (set once by the loader); until then a "not
  // contained" answer means nothing.
  void MarkComplete() { complete_.store(true, std::memory_order_release); }
  bool complete() const { return complete_.load(std::memory_order_acquire); }

  size_t keys() const;
  size_t bytes() const;

 private:
  struct Segment;
  Segment& Writable();

  static constexpr size_t kMaxSegments = 24;  // 65,536 · 4^23 keys
  std::mutex grow_mutex_;
  std::array<std::unique_ptr<Segment>, kMaxSegments> segments_;
  std::atomic<size_t> segment_count_{0};  // segments_[0, count) are complete
  std::atomic<bool> complete_{false};
};

// One IdFilter per generation of the key indexes (docs/sqlite-store.md), so that a lookup that
// must find every row of a key (a conversation's calls) probes only the generations that may
// hold it instead of all of them. 16 bits per key, like IdFilter; a generation's filter grows
// past its plan like any IdFilter (generation 0 of a migrated database holds every older call).
//
// Thread safety: Add, Candidates and MarkComplete may run concurrently from any threads.
class GenerationFilters {
 public:
  explicit GenerationFilters(size_t keys_per_generation);
  ~GenerationFilters();
  GenerationFilters(const GenerationFilters&) = delete;
  GenerationFilters& operator=(const GenerationFilters&) = delete;

  void Add(int64_t generation, uint64_t key);
  // The generations that may hold `key`, newest first. Meaningful once complete(): before, a
  // generation not yet loaded is missing from the answer.
  std::vector<int64_t> Candidates(uint64_t key) const;

  void MarkComplete() { complete_.store(true, std::memory_order_release); }
  bool complete() const { return complete_.load(std::memory_order_acquire); }
  size_t bytes() const;

 private:
  const size_t keys_per_generation_;
  mutable std::shared_mutex mutex_;
  std::map<int64_t, std::unique_ptr<IdFilter>, std::greater<>> filters_;  // newest first
  std::atomic<bool> complete_{false};
};

}  // namespace yardstick::store

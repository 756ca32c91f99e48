#pragma once
// A Bloom filter of the id keys of stored calls (internal to src/store). Appending a call must
// find out whether its id is already stored; for a new id (nearly every call) that lookup is a
// B-tree descent of the id key index that finds nothing. The filter answers "certainly not
// stored" for most new ids without touching the database; "maybe stored" falls back to the
// lookup, so the filter can only save work, never change an answer.
//
// Layout: split blocks of 512 bits (one cache line); a key sets one bit in each of the block's
// eight 64-bit words. Sized at 16 bits per key, which gives about 0.1% false positives at full
// load. When more keys than planned arrive, a new segment of twice the size takes the new keys
// (a "scalable" Bloom filter); lookups ask every segment. Keys are never removed: ids deleted by
// retention stay "maybe stored" and cost a lookup.
//
// Thread safety: Add and MayContain may run concurrently from any threads (bits are set with
// atomic ORs; growing takes a lock).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <vector>

namespace yardstick::store {

class IdFilter {
 public:
  // Plans for `expected_keys` (at least 1 << 16).
  explicit IdFilter(size_t expected_keys);
  ~IdFilter();
  IdFilter(const IdFilter&) = delete;
  IdFilter& operator=(const IdFilter&) = delete;

  void Add(uint64_t key);
  // false: no key equal to `key` was ever added.
  bool MayContain(uint64_t key) const;

  // Whether every stored key has been added (set once by the loader); until then a "not
  // contained" answer means nothing.
  void MarkComplete() { complete_.store(true, std::memory_order_release); }
  bool complete() const { return complete_.load(std::memory_order_acquire); }

  size_t keys() const;
  size_t bytes() const;

 private:
  struct Segment;
  Segment& Writable();

  mutable std::shared_mutex mutex_;
  std::vector<std::unique_ptr<Segment>> segments_;
  std::atomic<bool> complete_{false};
};

}  // namespace yardstick::store

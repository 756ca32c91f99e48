#include "store/record_key.h"

#include <atomic>
#include <cstring>

namespace yardstick::store {
namespace {

std::atomic<uint64_t> key_mask{~uint64_t{0}};

// The finalizer of MurmurHash3 (fmix64): every input bit affects every output bit.
constexpr uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Folds bytes into the state 8 at a time (little-endian), the tail zero-padded.
uint64_t Absorb(uint64_t h, std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = Mix(h ^ w) * 0x9e3779b97f4a7c15ULL;
  }
  uint64_t w = 0;
  for (size_t j = 0; i + j < s.size(); ++j) {
    w |= uint64_t{static_cast<unsigned char>(s[i + j])} << (8 * j);
  }
  return Mix(h ^ w) * 0x9e3779b97f4a7c15ULL;
}

}  // namespace

int64_t RecordKey(std::string_view project, std::string_view text) {
  // The lengths go in first, so ("ab", "c") and ("a", "bc") differ.
  uint64_t h = Mix(0x59617264737469ULL ^ (uint64_t{project.size()} << 32) ^ uint64_t{text.size()});
  h = Absorb(h, project);
  h = Absorb(h, text);
  h = Mix(h) & key_mask.load(std::memory_order_relaxed);
  int64_t out;
  std::memcpy(&out, &h, sizeof out);
  return out;
}

void SetRecordKeyBitsForTesting(int bits) {
  key_mask.store(bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1, std::memory_order_relaxed);
}

}  // namespace yardstick::store

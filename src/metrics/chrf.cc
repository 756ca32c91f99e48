#include "metrics/chrf.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

// ---- Characters and words as dense ids ------------------------------------------------------
//
// Character n-grams and word n-grams are n-grams of ids: every distinct character (code point)
// and every distinct word (its UTF-8 bytes) of a corpus gets an id from 1 up, so n-grams are
// compared as integers. Id 0 is never given (the counter uses it as a scratch slot).

// Code points to ids: ASCII characters have fixed ids, the others get theirs from a small
// open-addressing map.
class CharIds {
 public:
  CharIds() : others_(64), mask_(63) {}

  // The id of an ASCII character: fixed, 1 + c.
  static std::uint32_t AsciiId(unsigned char c) { return 1u + c; }

  std::uint32_t Id(char32_t c) {
    if (c < 128) return AsciiId(static_cast<unsigned char>(c));
    std::size_t i = Home(c);
    while (others_[i].id != 0) {
      if (others_[i].c == c) return others_[i].id;
      i = (i + 1) & mask_;
    }
    others_[i] = {c, next_++};
    if (4 * ++other_count_ > others_.size()) Grow();
    return next_ - 1;
  }

  // One more than the largest id.
  std::uint32_t end() const { return next_; }

  // Forgets every non-ASCII character; keeps the memory.
  void Clear() {
    std::fill(others_.begin(), others_.end(), Entry{});
    other_count_ = 0;
    next_ = kFirstOther;
  }

 private:
  static constexpr std::uint32_t kFirstOther = 129;  // after the ASCII ids 1..128

  struct Entry {
    char32_t c = 0;
    std::uint32_t id = 0;  // 0: empty
  };
  std::size_t Home(char32_t c) const {
    return static_cast<std::size_t>((std::uint64_t{c} * 0x9E3779B97F4A7C15ULL) >> 32) & mask_;
  }
  void Grow() {
    std::vector<Entry> old(2 * others_.size());
    old.swap(others_);
    mask_ = others_.size() - 1;
    for (const Entry& e : old) {
      if (e.id == 0) continue;
      std::size_t i = Home(e.c);
      while (others_[i].id != 0) i = (i + 1) & mask_;
      others_[i] = e;
    }
  }

  std::vector<Entry> others_;
  std::size_t mask_;
  std::size_t other_count_ = 0;
  std::uint32_t next_ = kFirstOther;
};

inline std::uint64_t Load8(const unsigned char* p) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

// Byte strings to ids. A string is held as its first 8 bytes, its last 8 bytes (strings over 8
// bytes) and, over 16 bytes, the bytes between them in `middle_`, so that most lookups compare
// a few integers, combined without branches. Slots keep the high half of the hash and the id.
class WordIds {
 public:
  WordIds() { Start(0); }

  // Forgets every word and sizes the table for about `words` words (it grows when needed),
  // keeping the memory of a previous corpus unless it is much larger than needed.
  void Start(std::size_t words) {
    entries_.assign(1, Entry{});  // id 0: none
    entries_.reserve(words + 1);
    middle_.clear();
    std::size_t slots = 4096;
    while (slots < 2 * words) slots *= 2;
    if (slots_.size() < slots || slots_.size() > 4 * slots) {
      slots_.assign(slots, Slot{});
    } else {
      std::fill(slots_.begin(), slots_.end(), Slot{});
    }
    shift_ = 32 - std::countr_zero(slots_.size());
  }

  // The id of w; `can_overread`: the 8 bytes at w.data() may be read even if w is shorter.
  std::uint32_t Id(std::string_view w, bool can_overread) {
    const auto* p = reinterpret_cast<const unsigned char*>(w.data());
    const std::size_t n = w.size();
    Entry key{0, 0, static_cast<std::uint32_t>(n), 0};
    if (can_overread) {  // no branches on the length, which varies from word to word
      static constexpr std::uint64_t kMasks[9] = {0,
                                                  0xFF,
                                                  0xFFFF,
                                                  0xFFFFFF,
                                                  0xFFFFFFFF,
                                                  0xFFFFFFFFFF,
                                                  0xFFFFFFFFFFFF,
                                                  0xFFFFFFFFFFFFFF,
                                                  0xFFFFFFFFFFFFFFFF};
      key.prefix = Load8(p) & kMasks[std::min<std::size_t>(n, 8)];
      key.suffix = Load8(p + (std::max<std::size_t>(n, 8) - 8)) & (n > 8 ? ~std::uint64_t{0} : 0);
    } else {
      for (std::size_t k = 0; k < std::min<std::size_t>(n, 8); ++k) {
        key.prefix |= std::uint64_t{p[k]} << (8 * k);
      }
      if (n > 8) key.suffix = Load8(p + n - 8);
    }
    std::uint64_t h =
        (key.prefix * 0x9E3779B97F4A7C15ULL) ^ ((key.suffix + key.size) * 0xBF58476D1CE4E5B9ULL);
    h = (h ^ (h >> 29)) * 0x94D049BB133111EBULL;
    const auto check = static_cast<std::uint32_t>(h >> 32);
    std::size_t i = check >> shift_;
    while (true) {
      const Slot slot = slots_[i];
      const Entry& e = entries_[slot.id];  // entries_[0] for an empty slot
      std::uint64_t differs = (slot.check ^ check) | (e.prefix ^ key.prefix) |
                              (e.suffix ^ key.suffix) | (e.size ^ key.size);
      if (n > 16 && differs == 0 && std::memcmp(middle_.data() + e.middle, p + 8, n - 16) != 0) {
        differs = 1;
      }
      if (slot.id == 0) break;           // new
      if (differs == 0) return slot.id;  // found
      i = (i + 1) & (slots_.size() - 1);
    }
    const auto id = static_cast<std::uint32_t>(entries_.size());
    if (n > 16) {
      key.middle = static_cast<std::uint32_t>(middle_.size());
      middle_.insert(middle_.end(), p + 8, p + n - 8);
    }
    entries_.push_back(key);
    slots_[i] = {check, id};
    if (2 * entries_.size() > slots_.size()) Grow();
    return id;
  }

  // One more than the largest id.
  std::uint32_t end() const { return static_cast<std::uint32_t>(entries_.size()); }

  // The bytes held (capacity).
  std::size_t Footprint() const {
    return slots_.capacity() * sizeof(Slot) + entries_.capacity() * sizeof(Entry) +
           middle_.capacity();
  }

 private:
  struct Slot {
    std::uint32_t check = 0;
    std::uint32_t id = 0;  // 0: empty
  };
  struct Entry {
    std::uint64_t prefix = 0;
    std::uint64_t suffix = 0;
    std::uint32_t size = 0;    // 0 only for the unused entry 0: words are not empty
    std::uint32_t middle = 0;  // offset of bytes 8 .. size - 8 in middle_ (size > 16)
  };
  void Grow() {
    std::vector<Slot> old(2 * slots_.size());
    old.swap(slots_);
    --shift_;
    for (const Slot& s : old) {
      if (s.id == 0) continue;
      std::size_t i = s.check >> shift_;
      while (slots_[i].id != 0) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  int shift_ = 20;  // the slot of a check is check >> shift_
  std::vector<Entry> entries_;
  std::vector<unsigned char> middle_;
};

// str.isspace() with the ASCII cases inline (this runs once per character).
inline bool IsPythonSpace(char32_t c) {
  if (c < 0x80) return c == U' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return text::IsSpace(c);
}

// string.punctuation: !"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~
inline bool IsAsciiPunct(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

// Decodes the strict UTF-8 sequence at s[i] (s[i] >= 0x80), as text::DecodeUtf8 accepts it.
// Returns its length, 0 if ill-formed.
std::size_t DecodeAt(std::string_view s, std::size_t i, char32_t& cp) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = b[i];
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size() || b[i + 1] < lo || b[i + 1] > hi) return 0;
  cp = (cp << 6) | (b[i + 1] & 0x3Fu);
  for (std::size_t k = 2; k < len; ++k) {
    if ((b[i + k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b[i + k] & 0x3Fu);
  }
  return len;
}

// One text (UTF-8, valid) as the id sequences chrF counts: its characters (all of them when
// `keep_whitespace`, else those that are not str.isspace(), as ''.join(text.split())) and, when
// `words` is given, sacrebleu's _remove_punctuation() tokens of text.split(). False when the
// text is not valid UTF-8.
bool ScanText(std::string_view text, bool keep_whitespace, CharIds& char_ids,
              std::vector<std::uint32_t>& chars, WordIds* word_ids,
              std::vector<std::uint32_t>* words) {
  chars.clear();
  if (words != nullptr) words->clear();
  // A word's tokens: one leading or trailing ASCII punctuation character is split off a word
  // of two or more characters. Punctuation is ASCII, so bytes decide: the last (first) byte
  // is the last (first) character exactly when it is ASCII, and a one-character word that
  // is not ASCII is kept whole by either rule.
  auto id = [&](std::string_view w) {
    const bool can_overread = static_cast<std::size_t>(w.data() - text.data()) + 8 <= text.size();
    return word_ids->Id(w, can_overread);
  };
  auto add_word = [&](std::string_view w) {
    if (w.size() == 1) {
      words->push_back(id(w));
    } else if (IsAsciiPunct(static_cast<unsigned char>(w.back()))) {  // '(hi)' -> '(hi', ')'
      words->push_back(id(w.substr(0, w.size() - 1)));
      words->push_back(id(w.substr(w.size() - 1)));
    } else if (IsAsciiPunct(static_cast<unsigned char>(w.front()))) {
      words->push_back(id(w.substr(0, 1)));
      words->push_back(id(w.substr(1)));
    } else {
      words->push_back(id(w));
    }
  };
  const std::size_t none = text.size();  // word_start when not inside a word
  std::size_t word_start = none;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
#if defined(__SSE2__)
    // Most text comes in runs of printable ASCII and spaces: 16 bytes of it at a time, their
    // characters without a branch per byte, the words from the bits of the space mask.
    if (i + 16 <= text.size()) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
      const auto spaces =
          static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' '))));
      // Bytes below 0x20 or from 0x80 up (a signed compare) take the general path below.
      const auto other =
          static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(x, _mm_set1_epi8(0x21))));
      if (other == spaces) {
        const std::size_t size = chars.size();
        chars.resize(size + 16);
        std::uint32_t* out = chars.data() + size;
        std::size_t kept = 0;
        for (std::size_t k = 0; k < 16; ++k) {
          out[kept] = char_ids.AsciiId(bytes[i + k]);
          kept += keep_whitespace || bytes[i + k] != ' ' ? 1 : 0;
        }
        chars.resize(size + kept);
        if (words != nullptr) {
          // Each set bit of `changes` starts or ends a word, alternately.
          const std::uint32_t text_bits = ~spaces & 0xFFFFu;
          const std::uint32_t before = (text_bits << 1) | (word_start != none ? 1u : 0u);
          for (std::uint32_t changes = (text_bits ^ before) & 0xFFFFu; changes != 0;
               changes &= changes - 1) {
            const std::size_t at = i + static_cast<std::size_t>(std::countr_zero(changes));
            if (word_start == none) {
              word_start = at;
            } else {
              add_word(text.substr(word_start, at - word_start));
              word_start = none;
            }
          }
        }
        i += 16;
        continue;
      }
    }
#endif
    char32_t c = bytes[i];
    std::size_t len = 1;
    if (c >= 0x80) {
      len = DecodeAt(text, i, c);
      if (len == 0) return false;
    }
    const bool space = IsPythonSpace(c);
    if (keep_whitespace || !space) chars.push_back(char_ids.Id(c));
    if (words != nullptr) {
      if (!space && word_start == none) {
        word_start = i;
      } else if (space && word_start != none) {
        add_word(text.substr(word_start, i - word_start));
        word_start = none;
      }
    }
    i += len;
  }
  if (words != nullptr && word_start != none) add_word(text.substr(word_start));
  return true;
}

// ---- Clipped n-gram matches -------------------------------------------------------------
//
// For each order n and each reference: the sum over the distinct hypothesis n-grams g of
// min(count in the hypothesis, count in the reference). Unigrams are counted in an array
// indexed by id. Each distinct hypothesis n-gram of a higher order gets a slot of a small
// open-addressing table, keyed by its first n-1 ids' "slot" (for bigrams the first id, then
// table slots) and its last id, so keys are exact at every order without hashing sequences.
// Order by order: the hypothesis n-grams are counted; a reference n-gram is looked up from
// the slot of its (n-1)-gram prefix, and matches as long as the reference has met it fewer
// times than the hypothesis has it; then the table is emptied for the next order (the slot
// numbers of an order stay valid as prefixes: the next order's keys only need them to differ
// between distinct n-grams).
//
// Whether an n-gram is found is data, not control flow: a reference n-gram that is not counted
// (or whose prefix was not) lands in a scratch slot with a zero hypothesis count (id 0, then
// missing_, one past the table's slots), and no hypothesis n-gram has that slot as its prefix.
class MatchCounter {
 public:
  // The bytes held by the tables (capacity).
  std::size_t Footprint() const {
    return unigrams_.capacity() * sizeof(Counts) + slots_.capacity() * sizeof(Slot);
  }

  // seqs[0] is the hypothesis, seqs[1 .. num_seq) the references; ids are in [1, id_end).
  // Sets matches[(k - 1) * orders + n - 1] for reference k and order n.
  void Count(const std::vector<std::vector<std::uint32_t>>& seqs, std::size_t num_seq,
             std::uint32_t id_end, std::size_t orders, std::uint64_t* matches) {
    std::fill(matches, matches + (num_seq - 1) * orders, 0);
    const std::vector<std::uint32_t>& hyp = seqs[0];
    const std::size_t hyp_len = hyp.size();
    if (orders == 0 || hyp_len == 0) return;
    Prepare(seqs, num_seq, id_end);

    // Unigrams: the slot of an id is the id.
    std::uint32_t* hyp_slots = hyp_slots_.data();
    for (std::size_t i = 0; i < hyp_len; ++i) {
      ++unigrams_[hyp[i]].hyp_count;
      hyp_slots[i] = hyp[i];
    }
    std::uint64_t any = 0;
    for (std::size_t k = 1; k < num_seq; ++k) {
      const std::vector<std::uint32_t>& ref = seqs[k];
      std::uint32_t* ref_slots = ref_slots_[k].data();
      std::uint64_t m = 0;
      for (std::size_t j = 0; j < ref.size(); ++j) {
        const std::uint32_t t = ref[j];
        // t, or the scratch id 0 when the hypothesis does not have t: a mask, not a branch.
        const std::uint32_t slot =
            t & (0u - static_cast<std::uint32_t>(unigrams_[t].hyp_count != 0));
        Counts& c = unigrams_[slot];
        m += c.ref_count < c.hyp_count ? 1 : 0;
        ++c.ref_count;
        ref_slots[j] = slot;
      }
      matches[(k - 1) * orders] = m;
      any |= m;
      // The last reference's counts go with the hypothesis' below.
      if (k + 1 < num_seq) {
        for (std::size_t j = 0; j < ref.size(); ++j) unigrams_[ref_slots[j]].ref_count = 0;
      }
    }
    for (std::size_t i = 0; i < hyp_len; ++i) unigrams_[hyp[i]] = Counts{};
    unigrams_[0] = Counts{};

    for (std::size_t n = 2; n <= orders && n <= hyp_len && any != 0; ++n) {
      // The hypothesis n-grams: hyp_slots[i] becomes the slot of the n-gram at i.
      const std::size_t hyp_count = hyp_len - n + 1;
      for (std::size_t i = 0; i < hyp_count; ++i) {
        const std::uint64_t key = Key(hyp_slots[i], hyp[i + n - 1]);
        const std::size_t s = Probe(key);
        slots_[s].key = key;
        ++slots_[s].counts.hyp_count;
        hyp_slots[i] = static_cast<std::uint32_t>(s);
      }
      // The references: ref_slots_[k][j] becomes the slot of the n-gram at j, or missing_.
      any = 0;
      for (std::size_t k = 1; k < num_seq; ++k) {
        const std::vector<std::uint32_t>& ref = seqs[k];
        if (ref.size() < n) continue;
        std::uint32_t* ref_slots = ref_slots_[k].data();
        const std::size_t ref_count = ref.size() - n + 1;
        std::uint64_t m = 0;
        for (std::size_t j = 0; j < ref_count; ++j) {
          const std::uint64_t key = Key(ref_slots[j], ref[j + n - 1]);
          const std::size_t s = Probe(key);
          // s, or missing_ when the slot does not hold the key: a mask, not a branch.
          const std::size_t found = 0 - static_cast<std::size_t>(slots_[s].key == key);
          const std::size_t slot = (s & found) | (missing_ & ~found);
          Counts& c = slots_[slot].counts;
          m += c.ref_count < c.hyp_count ? 1 : 0;
          ++c.ref_count;
          ref_slots[j] = static_cast<std::uint32_t>(slot);
        }
        matches[(k - 1) * orders + n - 1] = m;
        any |= m;
        if (k + 1 < num_seq) {
          for (std::size_t j = 0; j < ref_count; ++j) slots_[ref_slots[j]].counts.ref_count = 0;
        }
      }
      for (std::size_t i = 0; i < hyp_count; ++i) slots_[hyp_slots[i]] = Slot{};
      slots_[missing_] = Slot{};
    }
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // never a key: ids < 2^32 - 1

  struct Counts {
    std::uint32_t hyp_count = 0;
    std::uint32_t ref_count = 0;  // in the current reference
  };
  struct Slot {
    std::uint64_t key = kEmpty;
    Counts counts;
  };

  static std::uint64_t Key(std::uint32_t prefix, std::uint32_t id) {
    return (std::uint64_t{prefix} << 32) | id;
  }

  // Sizes the arrays and the table for a segment. An order has at most one n-gram per
  // hypothesis position, and the table stays at most 1/16 full, so that a probe rarely meets
  // another key (a mispredicted branch costs more than the larger table; empty slots cost
  // nothing: every order empties what it used).
  void Prepare(const std::vector<std::vector<std::uint32_t>>& seqs, std::size_t num_seq,
               std::uint32_t id_end) {
    if (unigrams_.size() < id_end) {
      unigrams_.resize(std::max<std::size_t>(id_end, 2 * unigrams_.size()));
    }
    std::size_t capacity = 16;
    int bits = 4;
    while (capacity < 16 * seqs[0].size()) {
      capacity *= 2;
      ++bits;
    }
    if (capacity + 1 > slots_.size()) slots_.assign(capacity + 1, Slot{});
    shift_ = 64 - bits;
    mask_ = capacity - 1;
    missing_ = capacity;  // one past the probed slots
    Fit(hyp_slots_, seqs[0].size());
    if (ref_slots_.size() < num_seq) ref_slots_.resize(num_seq);
    for (std::size_t k = 1; k < num_seq; ++k) Fit(ref_slots_[k], seqs[k].size());
  }

  static void Fit(std::vector<std::uint32_t>& v, std::size_t n) {
    if (v.size() < n) v.resize(std::max(n, 2 * v.size()));
  }

  // The slot holding `key`, or the empty slot where it belongs. Linear probing; the loop goes
  // on only past another key, which is rare, with one branch per step (min is a conditional
  // move): whether a key is there is data and cannot be predicted.
  std::size_t Probe(std::uint64_t key) const {
    std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
    while (std::min(slots_[i].key ^ key, slots_[i].key + 1) != 0) {  // kEmpty + 1 == 0
      i = (i + 1) & mask_;
    }
    return i;
  }

  std::vector<Counts> unigrams_;  // per id
  std::vector<Slot> slots_;       // mask_ + 1 probed slots, then missing_
  std::size_t mask_ = 0;
  int shift_ = 60;
  std::size_t missing_ = 0;
  std::vector<std::uint32_t> hyp_slots_;
  std::vector<std::vector<std::uint32_t>> ref_slots_;  // index 0 unused
};

// ---- Working memory -----------------------------------------------------------------------
//
// The id tables, the counter and the per-segment buffers of ComputeSegmentStats. A thread keeps
// them between calls (up to kRetainedBytes), so that scoring one system after another reuses
// warm memory; fresh pages from the OS cost about as much as the tables' work.
struct Workspace {
  CharIds char_ids;
  WordIds word_ids;
  MatchCounter counter;
  std::vector<std::vector<std::uint32_t>> chars, words;  // per text: the hypothesis, references
  std::vector<std::string> lowered;
  std::vector<std::uint64_t> matches;
  std::vector<double> ref_stats;  // one row per reference of the segment
};

constexpr std::size_t kRetainedBytes = 64 << 20;

// Takes the thread's workspace (a new one if it has none, or if it is in use higher up the
// stack) and gives it back when done.
class WorkspaceLease {
 public:
  WorkspaceLease() : workspace_(std::move(Cached())), exceptions_(std::uncaught_exceptions()) {
    if (!workspace_) workspace_ = std::make_unique<Workspace>();
  }
  ~WorkspaceLease() {
    // A workspace left by an exception may be half-way through a segment: dropped.
    if (std::uncaught_exceptions() == exceptions_ &&
        workspace_->word_ids.Footprint() + workspace_->counter.Footprint() <= kRetainedBytes) {
      Cached() = std::move(workspace_);
    }
  }
  WorkspaceLease(const WorkspaceLease&) = delete;
  WorkspaceLease& operator=(const WorkspaceLease&) = delete;

  Workspace& operator*() { return *workspace_; }

 private:
  static std::unique_ptr<Workspace>& Cached() {
    thread_local std::unique_ptr<Workspace> cached;
    return cached;
  }
  std::unique_ptr<Workspace> workspace_;
  int exceptions_;
};

std::size_t Windows(std::size_t length, std::size_t n) { return length >= n ? length - n + 1 : 0; }

// Fills columns [first_column, first_column + 3 * orders) of each reference's row of
// `ref_stats` (`width` per row): sacrebleu's _get_match_statistics, [hypothesis n-grams (0 when
// the reference has none), reference n-grams, clipped matches] per order. The counts follow
// from the lengths; matches[(k - 1) * orders + n - 1] are those of reference k.
void FillStats(const std::vector<std::vector<std::uint32_t>>& seqs, std::size_t num_seq,
               std::size_t orders, const std::uint64_t* matches, std::size_t width,
               std::size_t first_column, std::vector<double>& ref_stats) {
  for (std::size_t k = 1; k < num_seq; ++k) {
    double* row = ref_stats.data() + (k - 1) * width + first_column;
    for (std::size_t n = 1; n <= orders; ++n) {
      const std::size_t hyp_windows = Windows(seqs[0].size(), n);
      const std::size_t ref_windows = Windows(seqs[k].size(), n);
      row[3 * (n - 1)] = ref_windows > 0 ? static_cast<double>(hyp_windows) : 0.0;
      row[3 * (n - 1) + 1] = static_cast<double>(ref_windows);
      row[3 * (n - 1) + 2] = static_cast<double>(matches[(k - 1) * orders + n - 1]);
    }
  }
}

// sacrebleu CHRF._compute_f_score, operation for operation.
double ComputeFScore(std::span<const double> stats, std::size_t order, double beta,
                     bool eps_smoothing) {
  constexpr double kEps = 1e-16;
  const double factor = beta * beta;
  double score = 0.0;
  int effective_order = 0;
  double avg_prec = 0.0;
  double avg_rec = 0.0;
  for (std::size_t i = 0; i < order; ++i) {
    const double n_hyp = stats[3 * i];
    const double n_ref = stats[3 * i + 1];
    const double n_match = stats[3 * i + 2];
    const double prec = n_hyp > 0 ? n_match / n_hyp : kEps;
    const double rec = n_ref > 0 ? n_match / n_ref : kEps;
    const double denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec / denom) : kEps;
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += prec;
      avg_rec += rec;
      ++effective_order;
    }
  }
  if (eps_smoothing) return 100 * score / static_cast<double>(order);
  if (effective_order == 0) {
    avg_prec = avg_rec = 0.0;
  } else {
    avg_prec /= effective_order;
    avg_rec /= effective_order;
  }
  if (avg_prec + avg_rec != 0) {
    score = (1 + factor) * avg_prec * avg_rec;
    score /= ((factor * avg_prec) + avg_rec);
    return 100 * score;
  }
  return 0.0;
}

// f"{beta}" for the score name: integers without a decimal point (sacrebleu takes an int).
std::string FormatBeta(double beta) {
  if (beta == std::floor(beta) && std::fabs(beta) < 1e15) {
    return std::to_string(static_cast<long long>(beta));
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, beta);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

std::string FormatFixed2(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

}  // namespace

Chrf::Chrf(const ChrfOptions& options) : options_(options) {
  name_ = "chrF" + FormatBeta(options.beta) +
          std::string(static_cast<std::size_t>(options.word_order), '+');
}

Result<std::unique_ptr<Chrf>> Chrf::Create(const ChrfOptions& options) {
  if (options.char_order < 0 || options.char_order > kMaxOrder) {
    return MakeError(ErrorCode::kInvalidArgument, "chrF: char_order must be between 0 and " +
                                                      std::to_string(kMaxOrder) + ", got " +
                                                      std::to_string(options.char_order));
  }
  if (options.word_order < 0 || options.word_order > kMaxOrder) {
    return MakeError(ErrorCode::kInvalidArgument, "chrF: word_order must be between 0 and " +
                                                      std::to_string(kMaxOrder) + ", got " +
                                                      std::to_string(options.word_order));
  }
  if (options.char_order + options.word_order == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "chrF: char_order and word_order are both 0; at least one n-gram order is "
                     "needed");
  }
  if (!std::isfinite(options.beta) || options.beta < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "chrF: beta must be a finite number >= 0, got " + FormatBeta(options.beta));
  }
  return std::unique_ptr<Chrf>(new Chrf(options));
}

std::string Chrf::name() const { return name_; }

std::size_t Chrf::stats_width() const {
  return 3 * static_cast<std::size_t>(options_.char_order + options_.word_order);
}

Signature Chrf::signature(std::size_t num_refs) const {
  Signature sig(num_refs);
  sig.Set("case", std::string(options_.lowercase ? "lc" : "mixed"), "c");
  sig.Set("eff", !options_.eps_smoothing, "e");
  sig.Set("nc", std::to_string(options_.char_order), "nc");
  sig.Set("nw", std::to_string(options_.word_order), "nw");
  sig.Set("space", options_.whitespace, "s");
  return sig;
}

Result<stats::SegmentStats> Chrf::ComputeSegmentStats(std::span<const std::string> hyps,
                                                      const ReferenceStreams& refs) const {
  const std::string& metric = name_;
  if (refs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, metric + ": no reference streams were given");
  }
  for (std::size_t k = 0; k < refs.size(); ++k) {
    if (refs[k].size() != hyps.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       metric + ": reference stream " + std::to_string(k) + " has " +
                           std::to_string(refs[k].size()) + " segments, expected " +
                           std::to_string(hyps.size()) + " (one per hypothesis)");
    }
  }

  const std::size_t width = stats_width();
  const auto char_order = static_cast<std::size_t>(options_.char_order);
  const auto word_order = static_cast<std::size_t>(options_.word_order);
  const std::size_t order = char_order + word_order;
  stats::SegmentStats out(width);
  out.Reserve(hyps.size());
  WorkspaceLease lease;
  Workspace& ws = *lease;
  CharIds& char_ids = ws.char_ids;
  WordIds& word_ids = ws.word_ids;
  MatchCounter& counter = ws.counter;
  char_ids.Clear();
  {
    std::size_t bytes = 0;
    for (const std::string& h : hyps) bytes += h.size();
    for (const auto& stream : refs) {
      for (const auto& r : stream) bytes += r ? r->size() : 0;
    }
    word_ids.Start(bytes / 32 + 16);  // a guess: one distinct word per 32 bytes of text
  }
  const std::size_t num_parts_max = refs.size() + 1;
  auto& chars = ws.chars;
  auto& words = ws.words;
  auto& lowered = ws.lowered;
  if (chars.size() < num_parts_max) {
    chars.resize(num_parts_max);
    words.resize(num_parts_max);
    lowered.resize(num_parts_max);
  }
  std::vector<std::uint64_t>& matches = ws.matches;
  matches.resize(refs.size() * std::max<std::size_t>(order, 1));
  std::vector<double>& ref_stats = ws.ref_stats;

  // Reads one text into chars[p] and words[p]; the error is DecodeUtf8's.
  auto load = [&](const std::string& utf8, std::size_t p) -> std::optional<Error> {
    std::string_view text = utf8;
    if (options_.lowercase) {
      auto decoded = text::DecodeUtf8(utf8);
      if (!decoded) return decoded.error();
      lowered[p] = text::EncodeUtf8(text::Lower(*decoded));
      text = lowered[p];
    }
    if (!ScanText(text, options_.whitespace, char_ids, chars[p],
                  word_order > 0 ? &word_ids : nullptr, word_order > 0 ? &words[p] : nullptr)) {
      auto decoded = text::DecodeUtf8(utf8);
      return decoded ? Error(ErrorCode::kParse, "invalid UTF-8") : decoded.error();
    }
    return std::nullopt;
  };

  for (std::size_t i = 0; i < hyps.size(); ++i) {
    if (auto err = load(hyps[i], 0)) {
      return MakeError(ErrorCode::kParse,
                       metric + ": hypothesis " + std::to_string(i) + ": " + err->message());
    }
    std::size_t num_parts = 1;
    for (std::size_t k = 0; k < refs.size(); ++k) {
      const auto& ref = refs[k][i];
      if (!ref.has_value()) continue;
      if (auto err = load(*ref, num_parts)) {
        return MakeError(ErrorCode::kParse, metric + ": reference " + std::to_string(k) +
                                                " of segment " + std::to_string(i) + ": " +
                                                err->message());
      }
      ++num_parts;
    }
    const std::size_t num_refs = num_parts - 1;
    if (num_refs == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       metric + ": segment " + std::to_string(i) + " has no reference");
    }

    ref_stats.assign(num_refs * width, 0.0);
    if (char_order > 0) {
      counter.Count(chars, num_parts, char_ids.end(), char_order, matches.data());
      FillStats(chars, num_parts, char_order, matches.data(), width, 0, ref_stats);
    }
    if (word_order > 0) {
      counter.Count(words, num_parts, word_ids.end(), word_order, matches.data());
      FillStats(words, num_parts, word_order, matches.data(), width, 3 * char_order, ref_stats);
    }

    // The reference with the best sentence-level score; the first one on ties.
    std::size_t best = 0;
    if (num_refs > 1) {
      double best_f = -1.0;
      for (std::size_t r = 0; r < num_refs; ++r) {
        const double f = ComputeFScore({ref_stats.data() + r * width, width}, order, options_.beta,
                                       options_.eps_smoothing);
        if (f > best_f) {
          best_f = f;
          best = r;
        }
      }
    }
    out.AddRow({ref_stats.data() + best * width, width});
  }
  return out;
}

double Chrf::ValueFromStats(std::span<const double> stats) const {
  return ComputeFScore(stats, static_cast<std::size_t>(options_.char_order + options_.word_order),
                       options_.beta, options_.eps_smoothing);
}

Score Chrf::ScoreFromStats(std::span<const double> stats) const {
  Score score;
  score.name = name_;
  score.value = ValueFromStats(stats);
  score.details = {{"stats", std::vector<double>(stats.begin(), stats.end())},
                   {"char_order", static_cast<double>(options_.char_order)},
                   {"word_order", static_cast<double>(options_.word_order)},
                   {"beta", options_.beta}};
  score.verbose = score.name + " = " + FormatFixed2(score.value);
  return score;
}

}  // namespace yardstick::metrics

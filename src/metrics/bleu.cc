#include "metrics/bleu.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

using text::BleuTokenizer;

// ---- Tokens: each distinct word of the corpus is tokenized once --------------------------------
//
// A line's tokens are the concatenated tokens of its words (text::SplitBleuWords), so the
// tokens of each distinct (word, context) are computed once per corpus and kept as ids of a
// corpus vocabulary. Strings are interned exactly: a hash only chooses where to look.

// A hash of a string's bytes, read 8 at a time (the hash only chooses slots; keys are compared
// exactly).
inline std::uint64_t HashBytes(const unsigned char* p, std::size_t n, std::uint64_t seed) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  std::uint64_t h = (seed + n) * kMul;
  auto mix = [&](std::uint64_t x) {
    h = (h ^ x) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  };
  std::uint64_t x = 0;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&x, p + i, 8);
      mix(x);
    }
    std::memcpy(&x, p + n - 8, 8);  // the last 8 bytes (may overlap the previous chunk)
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    x = a | (std::uint64_t{b} << 32);
  } else if (n > 0) {
    x = p[0] | (std::uint64_t{p[n / 2]} << 8) | (std::uint64_t{p[n - 1]} << 16);
  }
  mix(x);
  return h * kMul;
}

template <typename Char>
std::uint64_t HashString(std::basic_string_view<Char> s, std::uint64_t seed) {
  return HashBytes(reinterpret_cast<const unsigned char*>(s.data()), s.size() * sizeof(Char), seed);
}

// A growable set of (string, tag) pairs with dense ids 1, 2, ...; the strings are copied.
template <typename Char>
class StringInterner {
 public:
  StringInterner() : slots_(64), mask_(63) {}

  // The id of (s, tag); `inserted` tells whether this call added it.
  [[gnu::always_inline]] std::uint32_t Intern(std::basic_string_view<Char> s, std::uint8_t tag,
                                              bool& inserted) {
    const std::uint64_t hash = HashString(s, tag);
    const auto check = static_cast<std::uint32_t>(hash);
    std::size_t i = static_cast<std::size_t>(hash >> 32) & mask_;
    while (slots_[i].id != 0) {
      if (slots_[i].check == check) {
        const Entry& e = entries_[slots_[i].id - 1];
        if (e.tag == tag && e.size == s.size() &&
            Equal(s.data(), chars_.data() + e.offset, s.size())) {
          inserted = false;
          return slots_[i].id;
        }
      }
      i = (i + 1) & mask_;
    }
    inserted = true;
    return Insert(s, tag, hash, i);
  }

  std::uint32_t size() const { return static_cast<std::uint32_t>(entries_.size()); }

  // Makes room for about `strings` strings of `chars` code units in total.
  void Reserve(std::size_t strings, std::size_t chars) {
    if (!entries_.empty()) return;
    entries_.reserve(strings);
    chars_.reserve(chars);
    std::size_t capacity = slots_.size();
    while (capacity < 2 * strings) capacity *= 2;
    if (capacity > slots_.size()) {
      slots_.resize(capacity);  // empty: nothing to rehash yet
      mask_ = capacity - 1;
    }
  }

 private:
  [[gnu::noinline]] std::uint32_t Insert(std::basic_string_view<Char> s, std::uint8_t tag,
                                         std::uint64_t hash, std::size_t slot) {
    entries_.push_back({hash, chars_.size(), s.size(), tag});
    chars_.insert(chars_.end(), s.begin(), s.end());
    const auto id = static_cast<std::uint32_t>(entries_.size());
    slots_[slot] = {id, static_cast<std::uint32_t>(hash)};
    if (2 * entries_.size() > slots_.size()) Grow();
    return id;
  }

  static bool Equal(const Char* a, const Char* b, std::size_t n) {
    const std::size_t bytes = n * sizeof(Char);
    const auto* x = reinterpret_cast<const unsigned char*>(a);
    const auto* y = reinterpret_cast<const unsigned char*>(b);
    if (bytes <= 16 && bytes >= 8) {  // two overlapping 8-byte words
      std::uint64_t x0, x1, y0, y1;
      std::memcpy(&x0, x, 8);
      std::memcpy(&y0, y, 8);
      std::memcpy(&x1, x + bytes - 8, 8);
      std::memcpy(&y1, y + bytes - 8, 8);
      return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (bytes < 8 && bytes >= 4) {  // two overlapping 4-byte words
      std::uint32_t x0, x1, y0, y1;
      std::memcpy(&x0, x, 4);
      std::memcpy(&y0, y, 4);
      std::memcpy(&x1, x + bytes - 4, 4);
      std::memcpy(&y1, y + bytes - 4, 4);
      return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (bytes < 4) {
      for (std::size_t k = 0; k < bytes; ++k) {
        if (x[k] != y[k]) return false;
      }
      return true;
    }
    return std::memcmp(x, y, bytes) == 0;
  }

  struct Slot {
    std::uint32_t id = 0;     // 0: empty
    std::uint32_t check = 0;  // low half of the hash, to skip most string comparisons
  };
  struct Entry {
    std::uint64_t hash;
    std::size_t offset;
    std::size_t size;
    std::uint8_t tag;
  };
  void Grow() {
    slots_.assign(2 * slots_.size(), Slot{});
    mask_ = slots_.size() - 1;
    for (std::size_t id = 1; id <= entries_.size(); ++id) {
      const std::uint64_t hash = entries_[id - 1].hash;
      std::size_t i = static_cast<std::size_t>(hash >> 32) & mask_;
      while (slots_[i].id != 0) i = (i + 1) & mask_;
      slots_[i] = {static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(hash)};
    }
  }
  std::vector<Char> chars_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  std::size_t mask_;
};

inline bool IsAscii(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if ((x & 0x8080808080808080ULL) != 0) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  }
  return true;
}

// The first min(n, 8) bytes at p as a little-endian integer, zero-padded.
inline std::uint64_t LoadPrefix(const unsigned char* p, std::size_t n) {
  std::uint64_t x = 0;
  if (n >= 8) {
    std::memcpy(&x, p, 8);
  } else if (n >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);  // bytes n-4 .. n-1; keep n-4 .. 3 out
    x = lo | ((std::uint64_t{hi} >> (8 * (8 - n))) << 32);
  } else if (n > 0) {
    x = p[0];
    if (n > 1) x |= std::uint64_t{p[1]} << 8;
    if (n > 2) x |= std::uint64_t{p[2]} << 16;
  }
  return x;
}

// (UTF-8 word, context tag) -> the word's token ids. A 16-byte slot keeps the word's first 8
// bytes, its length and tag, so that most lookups read one slot only, and, for one-token words
// of up to 8 bytes, the token id itself. Keys are compared exactly.
class WordTable {
 public:
  WordTable() : slots_(64), mask_(63) {}

  void Reserve(std::size_t words) {
    std::size_t capacity = slots_.size();
    while (capacity < 2 * words) capacity *= 2;
    if (capacity > slots_.size() && size_ == 0) {
      slots_.assign(capacity, Slot{});
      mask_ = capacity - 1;
    }
  }

  // Appends the token ids of (word, tag) to `ids`; false (nothing appended) for a new word.
  [[gnu::always_inline]] bool Lookup(std::string_view word, std::uint8_t tag,
                                     std::vector<std::uint32_t>& ids) {
    const Key key = MakeKey(word, tag);
    const Slot& slot = slots_[Probe(key, word)];
    if (slot.check == 0) return false;
    const std::uint32_t value = word.size() <= 8 ? slot.value : long_[slot.value].value;
    if ((value & kSingle) != 0) {
      ids.push_back(value & ~kSingle);
    } else {
      const auto [offset, count] = multi_[value];
      for (std::size_t k = 0; k < count; ++k) ids.push_back(multi_tokens_[offset + k]);
    }
    return true;
  }

  // Adds a word that Lookup did not find, with its token ids.
  void Add(std::string_view word, std::uint8_t tag, std::span<const std::uint32_t> tokens) {
    std::uint32_t value;
    if (tokens.size() == 1) {
      value = kSingle | tokens[0];
    } else {
      value = static_cast<std::uint32_t>(multi_.size());
      multi_.push_back({multi_tokens_.size(), tokens.size()});
      multi_tokens_.insert(multi_tokens_.end(), tokens.begin(), tokens.end());
    }
    if (word.size() > 8) {
      long_.push_back({rest_chars_.size(), word.size(), value});
      rest_chars_.insert(rest_chars_.end(), word.begin() + 8, word.end());
      value = static_cast<std::uint32_t>(long_.size() - 1);
    }
    const Key key = MakeKey(word, tag);
    slots_[Probe(key, word)] = {key.prefix, key.check, value};
    if (2 * ++size_ > slots_.size()) Grow();
  }

 private:
  static constexpr std::uint32_t kSingle = 0x80000000u;  // the value is a token id

  struct Slot {
    std::uint64_t prefix = 0;  // the word's first 8 bytes, zero-padded
    std::uint32_t check = 0;   // hash bits << 16 | tag << 8 | min(length, 255); 0: empty
    // Words of up to 8 bytes: kSingle | token id, or an index into multi_. Longer words: an
    // index into long_, which holds the rest of the word and that value.
    std::uint32_t value = 0;
  };
  struct LongWord {
    std::size_t offset;  // of bytes 8.. in rest_chars_
    std::size_t size;    // the whole word's length
    std::uint32_t value;
  };
  struct Key {
    std::uint64_t prefix;
    std::uint64_t hash;
    std::uint32_t check;
  };

  static Key MakeKey(std::string_view word, std::uint8_t tag) {
    const auto* p = reinterpret_cast<const unsigned char*>(word.data());
    const std::size_t n = word.size();
    Key key;
    key.prefix = LoadPrefix(p, n);
    if (n <= 8) {
      const std::uint64_t h =
          (key.prefix ^ (n << 56) ^ (std::uint64_t{tag} << 48)) * 0x9E3779B97F4A7C15ULL;
      key.hash = h ^ (h >> 29);
    } else {
      key.hash = HashBytes(p, n, tag);
    }
    key.check = (static_cast<std::uint32_t>(key.hash) & 0xFFFF0000u) | (std::uint32_t{tag} << 8) |
                static_cast<std::uint32_t>(std::min<std::size_t>(n, 255));
    return key;
  }

  // The index of the slot holding (word, tag), or of the empty slot where it belongs.
  std::size_t Probe(const Key& key, std::string_view word) const {
    std::size_t i = static_cast<std::size_t>(key.hash >> 40) & mask_;
    while (slots_[i].check != 0) {
      const Slot& slot = slots_[i];
      if (slot.check == key.check && slot.prefix == key.prefix &&
          (word.size() <= 8 || SameRest(long_[slot.value], word))) {
        return i;
      }
      i = (i + 1) & mask_;
    }
    return i;
  }

  bool SameRest(const LongWord& stored, std::string_view word) const {
    return stored.size == word.size() &&
           std::memcmp(rest_chars_.data() + stored.offset, word.data() + 8, word.size() - 8) == 0;
  }

  void Grow() {
    std::vector<Slot> old(2 * slots_.size());
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    std::string word;
    for (const Slot& slot : old) {
      if (slot.check == 0) continue;
      // Rebuild the word to find its new home slot.
      const std::size_t short_size = slot.check & 0xFF;
      const bool is_long = short_size > 8;
      word.clear();
      for (std::size_t k = 0; k < (is_long ? 8 : short_size); ++k) {
        word.push_back(static_cast<char>((slot.prefix >> (8 * k)) & 0xFF));
      }
      if (is_long) {
        const LongWord& stored = long_[slot.value];
        word.append(rest_chars_.data() + stored.offset, stored.size - 8);
      }
      const Key key = MakeKey(word, static_cast<std::uint8_t>(slot.check >> 8));
      std::size_t i = static_cast<std::size_t>(key.hash >> 40) & mask_;
      while (slots_[i].check != 0) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_;
  std::size_t size_ = 0;
  std::vector<std::pair<std::size_t, std::size_t>> multi_;  // (offset, count) in multi_tokens_
  std::vector<std::uint32_t> multi_tokens_;
  std::vector<LongWord> long_;
  std::vector<char> rest_chars_;  // bytes 8.. of long words
};

// Maps lines to corpus token ids, tokenizing each distinct word once.
//
// Words come from text::SplitBleuWordsUtf8 straight from the UTF-8 bytes, keyed by their bytes
// (lowercasing a whitespace-separated word alone equals lowercasing it in its line: CPython's
// final-sigma context never extends across whitespace). Lines that need 13a's rewriting, zh
// with lowercasing (its words also end at Chinese characters, and lowercasing can change what
// is Chinese) and invalid UTF-8 go through the code-point path: decode, lower, rstrip,
// text::SplitBleuWords. Tokens are interned by their UTF-8 bytes.
class TokenCache {
 public:
  TokenCache(BleuTokenizer tokenizer, bool lowercase)
      : tokenizer_(tokenizer), lowercase_(lowercase) {}

  // Sizes the tables for a corpus of `bytes` bytes of text (a guess: one distinct word per
  // ~40 bytes; they grow when needed).
  void Reserve(std::size_t bytes) {
    raw_words_.Reserve(bytes / 40 + 16);
    vocabulary_.Reserve(bytes / 40 + 16, bytes / 8 + 64);
  }

  // Appends the token ids of a line (BLEU's preprocessing: lower, rstrip, tokenize). False when
  // the line is not valid UTF-8.
  bool Tokenize(std::string_view line, std::vector<std::uint32_t>& ids) {
    const bool bytes_ok = !(lowercase_ && tokenizer_ == BleuTokenizer::kZh);
    if (bytes_ok && text::SplitBleuWordsUtf8(tokenizer_, line, words_)) {
      for (const text::BleuWord& w : words_) {
        const std::string_view word = line.substr(w.begin, w.size);
        if (raw_words_.Lookup(word, w.context, ids)) continue;
        new_tokens_.clear();
        AddRawWord(word, w.context);
        raw_words_.Add(word, w.context, new_tokens_);
        ids.insert(ids.end(), new_tokens_.begin(), new_tokens_.end());
      }
      return true;
    }
    auto decoded = text::DecodeUtf8(line);
    if (!decoded) return false;
    decoded_ = std::move(*decoded);
    std::u32string_view view = decoded_;
    if (lowercase_) {
      lowered_ = text::Lower(view);
      view = lowered_;
    }
    const std::u32string_view prepared =
        text::SplitBleuWords(tokenizer_, text::RStrip(view), scratch_, words_);
    for (const text::BleuWord& w : words_) {
      const std::u32string_view word = prepared.substr(w.begin, w.size);
      bool inserted = false;
      const std::uint32_t id = prepared_words_.Intern(word, w.context, inserted);
      if (inserted) {
        new_tokens_.clear();
        AddTokens(word, w.context);
        prepared_tokens_.push_back({token_ids_.size(), new_tokens_.size()});
        token_ids_.insert(token_ids_.end(), new_tokens_.begin(), new_tokens_.end());
      }
      const auto [offset, count] = prepared_tokens_[id - 1];
      for (std::size_t k = 0; k < count; ++k) ids.push_back(token_ids_[offset + k]);
    }
    return true;
  }

  // One more than the largest token id.
  std::uint32_t end_id() const { return vocabulary_.size() + 1; }

 private:
  // Puts the token ids of a new word of the UTF-8 path (valid UTF-8, not yet lowercased) in
  // new_tokens_.
  void AddRawWord(std::string_view word, std::uint8_t context) {
    if (!lowercase_ || IsAscii(word)) {
      std::string_view w = word;
      if (lowercase_) {  // str.lower() of ASCII text
        ascii_lower_.assign(word);
        for (char& c : ascii_lower_) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
        }
        w = ascii_lower_;
      }
      if (text::SplitSimpleBleuWordUtf8(tokenizer_, w, context, ranges_)) {
        for (const text::BleuTokenRange& r : ranges_) {
          bool inserted = false;
          new_tokens_.push_back(vocabulary_.Intern(w.substr(r.begin, r.size), 0, inserted));
        }
        return;
      }
    }
    decoded_word_ = text::DecodeUtf8(word).value_or(std::u32string());  // valid: split checked it
    if (lowercase_) decoded_word_ = text::Lower(decoded_word_);
    AddTokens(decoded_word_, context);
  }

  // Puts the token ids of a word (code points, lowercased if needed) in new_tokens_.
  void AddTokens(std::u32string_view word, std::uint8_t context) {
    text::TokenizeBleuWord(tokenizer_, word, context, piece_);
    std::u32string_view rest = piece_;
    while (!rest.empty()) {
      const std::size_t space = rest.find(U' ');
      token_utf8_.clear();
      for (char32_t c : rest.substr(0, space)) text::AppendUtf8(token_utf8_, c);
      bool inserted = false;
      new_tokens_.push_back(vocabulary_.Intern(token_utf8_, 0, inserted));
      if (space == std::u32string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  }

  BleuTokenizer tokenizer_;
  bool lowercase_;
  WordTable raw_words_;                      // (UTF-8 word, context) -> token ids
  StringInterner<char32_t> prepared_words_;  // (prepared word, context) -> word id
  StringInterner<char> vocabulary_;          // UTF-8 token -> token id
  // Token ids of prepared word id k: prepared_tokens_[k - 1] = (offset, count) in token_ids_.
  std::vector<std::pair<std::size_t, std::size_t>> prepared_tokens_;
  std::vector<std::uint32_t> token_ids_;
  std::vector<std::uint32_t> new_tokens_;  // the tokens of the word being added
  std::vector<text::BleuWord> words_;
  std::vector<text::BleuTokenRange> ranges_;
  std::u32string decoded_, lowered_, scratch_, piece_, decoded_word_;
  std::string ascii_lower_, token_utf8_;
};

// ---- N-gram counting of one segment -------------------------------------------------------
//
// Only n-grams that occur in the hypothesis and in a reference can contribute matches. The
// hypothesis tokens of a segment get local dense ids 1..V; a hypothesis n-gram of order n >= 2
// gets the id interned for the pair (id of its first n-1 tokens, id of its last token), so each
// distinct n-gram has one dense id and counts live in plain arrays. It is interned only when
// both of its (n-1)-grams occur in a reference; otherwise it cannot occur there either and is
// marked kAbsent. Reference tokens and n-grams are only looked up, and kAbsent propagates to
// longer n-grams. Tables compare keys exactly and are emptied in O(1) per segment by bumping
// an epoch stamp.

// Id 0 means "in no reference" / "not interned"; real ids start at 1, so that the counting
// loops can index with it without a branch (slot 0 of the count arrays is scratch).
constexpr std::uint32_t kAbsent = 0;

// (prefix n-gram id, token id) pairs to dense ids, numbered from a given first id.
class PairTable {
 public:
  // Starts a new, empty generation able to hold `expected` keys at load <= 1/2.
  void Reset(std::size_t expected, std::uint32_t first_id) {
    std::size_t capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    if (capacity > slots_.size()) {
      slots_.assign(capacity, Slot{});
      epoch_ = 0;
    }
    if (++epoch_ == 0) {  // wrapped around: really clear
      for (Slot& slot : slots_) slot.stamp = 0;
      epoch_ = 1;
    }
    mask_ = slots_.size() - 1;
    next_id_ = first_id;
  }
  std::uint32_t Intern(std::uint32_t prefix, std::uint32_t token) {
    const std::uint64_t key = Key(prefix, token);
    Slot& slot = Probe(key);
    if (slot.stamp == epoch_) return slot.id;
    slot = {key, next_id_, epoch_};
    return next_id_++;
  }
  std::uint32_t Find(std::uint32_t prefix, std::uint32_t token) {
    if (prefix == kAbsent || token == kAbsent) return kAbsent;
    const Slot& slot = Probe(Key(prefix, token));
    return slot.stamp == epoch_ ? slot.id : kAbsent;
  }
  std::uint32_t next_id() const { return next_id_; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t id = 0;
    std::uint32_t stamp = 0;
  };
  static std::uint64_t Key(std::uint32_t prefix, std::uint32_t token) {
    return (std::uint64_t{prefix} << 32) | token;
  }
  Slot& Probe(std::uint64_t key) {
    std::uint64_t h = key * 0x9E3779B97F4A7C15ULL;
    std::size_t i = static_cast<std::size_t>(h ^ (h >> 29)) & mask_;
    while (slots_[i].stamp == epoch_ && slots_[i].key != key) i = (i + 1) & mask_;
    return slots_[i];
  }
  std::vector<Slot> slots_;
  std::uint32_t epoch_ = 0;
  std::size_t mask_ = 0;
  std::uint32_t next_id_ = 0;
};

void EnsureSize(std::vector<std::uint32_t>& v, std::size_t n) {
  if (v.size() < n) v.resize(std::max(n, 2 * v.size()), 0);
}

// Counts one segment's statistics from corpus token ids: seqs[0] is the hypothesis, the rest
// its references. Writes [sys_len, ref_len, matches..., totals...] into `row` (zeroed).
class SegmentCounter {
 public:
  void Count(std::vector<std::vector<std::uint32_t>>& seqs, std::size_t num_seq,
             std::uint32_t vocabulary_end, std::size_t n_max, std::span<double> row) {
    if (++epoch_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      epoch_ = 1;
    }
    if (stamp_.size() < vocabulary_end) {
      stamp_.resize(std::max<std::size_t>(vocabulary_end, 2 * stamp_.size()), 0);
      local_.resize(stamp_.size(), 0);
    }
    if (cur_.size() < num_seq) {
      cur_.resize(num_seq);
      present_.resize(num_seq);
      present_size_.resize(num_seq);
    }
    for (std::size_t s = 0; s < num_seq; ++s) {
      cur_[s].resize(seqs[s].size());
      present_[s].resize(seqs[s].size());
    }

    // Order 1: local ids for the hypothesis tokens; reference tokens are looked up. The
    // sequences are rewritten in place with these ids.
    std::uint32_t next_local = 1;
    std::vector<std::uint32_t>& hyp = seqs[0];
    const std::size_t hyp_len = hyp.size();
    for (std::size_t i = 0; i < hyp_len; ++i) {
      const std::uint32_t id = hyp[i];
      if (stamp_[id] != epoch_) {
        stamp_[id] = epoch_;
        local_[id] = next_local++;
      }
      hyp[i] = present_[0][i] = local_[id];
    }
    present_size_[0] = hyp_len;
    for (std::size_t s = 1; s < num_seq; ++s) {
      std::uint32_t* out = present_[s].data();
      std::size_t k = 0;
      for (std::uint32_t& id : seqs[s]) {
        id = stamp_[id] == epoch_ ? local_[id] : kAbsent;
        out[k] = id;
        k += id != kAbsent ? 1 : 0;
      }
      present_size_[s] = k;
    }
    for (std::size_t s = 0; s < num_seq; ++s) {
      std::copy(seqs[s].begin(), seqs[s].end(), cur_[s].begin());
    }
    std::size_t max_pairs = 0;  // hypothesis n-grams of orders 2..N
    for (std::size_t n = 2; n <= n_max && n <= hyp_len; ++n) max_pairs += hyp_len - n + 1;
    pairs_.Reset(max_pairs, next_local);

    for (std::size_t n = 1; n <= n_max && n <= hyp_len; ++n) {
      if (n > 1) NextOrder(seqs, num_seq, n);
      EnsureSize(count_, pairs_.next_id());
      EnsureSize(ref_max_, pairs_.next_id());

      // Reference counts: the maximum over the references. (The second loop meets repeated
      // ids with a count already reset to 0, which leaves the maximum unchanged.)
      for (std::size_t s = 1; s < num_seq; ++s) {
        const std::span<const std::uint32_t> r(present_[s].data(), present_size_[s]);
        for (std::uint32_t id : r) ++count_[id];
        for (std::uint32_t id : r) {
          ref_max_[id] = std::max(ref_max_[id], count_[id]);
          count_[id] = 0;
        }
      }

      // Hypothesis counts, clipped by the reference maxima.
      const std::span<const std::uint32_t> h(present_[0].data(), present_size_[0]);
      for (std::uint32_t id : h) ++count_[id];
      std::uint64_t correct = 0;
      for (std::uint32_t id : h) {
        correct += std::min(count_[id], ref_max_[id]);
        count_[id] = 0;
      }
      row[1 + n] = static_cast<double>(correct);
      row[1 + n_max + n] = static_cast<double>(hyp_len - n + 1);
      if (correct == 0) {
        // No n-gram of this order matches, so no longer one can: only totals remain.
        for (std::size_t m = n + 1; m <= n_max && m <= hyp_len; ++m) {
          row[1 + n_max + m] = static_cast<double>(hyp_len - m + 1);
        }
        break;
      }
    }
    // Only ids below next_id() were written.
    std::fill_n(ref_max_.begin(), std::min<std::size_t>(ref_max_.size(), pairs_.next_id()), 0u);
  }

 private:
  // Replaces the ids of order n-1 in cur_ by those of order n (seqs holds the local token ids),
  // and the present_ lists by the non-absent ones.
  void NextOrder(const std::vector<std::vector<std::uint32_t>>& seqs, std::size_t num_seq,
                 std::size_t n) {
    // A hypothesis n-gram can occur in a reference only if both of its (n-1)-grams do.
    {
      std::uint32_t* h = cur_[0].data();
      const std::uint32_t* tokens = seqs[0].data();
      std::uint32_t* out = present_[0].data();
      const std::size_t count = seqs[0].size() - n + 1;
      std::size_t k = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t id = ref_max_[h[i]] != 0 && ref_max_[h[i + 1]] != 0
                                     ? pairs_.Intern(h[i], tokens[i + n - 1])
                                     : kAbsent;
        h[i] = id;
        out[k] = id;
        k += id != kAbsent ? 1 : 0;
      }
      present_size_[0] = k;
    }
    // Likewise a reference n-gram is looked up only if both of its (n-1)-grams are in the
    // hypothesis.
    for (std::size_t s = 1; s < num_seq; ++s) {
      const std::size_t len = seqs[s].size();
      if (len < n) {
        present_size_[s] = 0;
        continue;
      }
      std::uint32_t* r = cur_[s].data();
      const std::uint32_t* tokens = seqs[s].data();
      std::uint32_t* out = present_[s].data();
      const std::size_t count = len - n + 1;
      std::size_t k = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t id =
            r[i] != kAbsent && r[i + 1] != kAbsent ? pairs_.Find(r[i], tokens[i + n - 1]) : kAbsent;
        r[i] = id;
        out[k] = id;
        k += id != kAbsent ? 1 : 0;
      }
      present_size_[s] = k;
    }
  }

  std::vector<std::uint32_t> stamp_, local_;  // corpus token id -> local id, this epoch
  std::uint32_t epoch_ = 0;
  PairTable pairs_;
  std::vector<std::vector<std::uint32_t>> cur_;      // per sequence: n-gram id per position
  std::vector<std::vector<std::uint32_t>> present_;  // per sequence: the non-absent ids
  std::vector<std::size_t> present_size_ = std::vector<std::size_t>(1);
  std::vector<std::uint32_t> count_;    // per n-gram id, zero between uses
  std::vector<std::uint32_t> ref_max_;  // per n-gram id, zero between segments
};

std::string Fixed(double value, int digits) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string FormatSmoothValue(double value) { return Fixed(value, 2); }

}  // namespace

Bleu::Bleu(const BleuOptions& options, text::BleuTokenizer tokenizer, Smoothing smoothing,
           double smooth_value)
    : options_(options),
      tokenizer_(tokenizer),
      smoothing_(smoothing),
      smooth_value_(smooth_value),
      order_(static_cast<std::size_t>(options.max_ngram_order)) {}

Result<std::unique_ptr<Bleu>> Bleu::Create(const BleuOptions& options) {
  auto tokenizer = text::ParseBleuTokenizer(options.tokenize);
  if (!tokenizer) return std::unexpected(tokenizer.error().WithContext("BLEU option tokenize"));
  Smoothing smoothing;
  double default_value = 0;
  if (options.smooth_method == "exp") {
    smoothing = Smoothing::kExp;
  } else if (options.smooth_method == "floor") {
    smoothing = Smoothing::kFloor;
    default_value = 0.1;
  } else if (options.smooth_method == "add-k") {
    smoothing = Smoothing::kAddK;
    default_value = 1;
  } else if (options.smooth_method == "none") {
    smoothing = Smoothing::kNone;
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     "BLEU option smooth_method: unknown smoothing method '" +
                         options.smooth_method + "': expected one of exp, floor, add-k, none");
  }
  if (options.smooth_value &&
      (!std::isfinite(*options.smooth_value) || *options.smooth_value < 0)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "BLEU option smooth_value: expected a finite number >= 0, got " +
                         Fixed(*options.smooth_value, 6));
  }
  if (options.max_ngram_order < 1 || options.max_ngram_order > kMaxBleuNgramOrder) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "BLEU option max_ngram_order: expected an integer in 1.." +
                         std::to_string(kMaxBleuNgramOrder) + ", got " +
                         std::to_string(options.max_ngram_order));
  }
  const double value = options.smooth_value.value_or(default_value);
  return std::unique_ptr<Bleu>(new Bleu(options, *tokenizer, smoothing, value));
}

Signature Bleu::signature(std::size_t num_refs) const {
  Signature sig(num_refs);
  std::string smooth = options_.smooth_method;
  if (smoothing_ == Smoothing::kFloor || smoothing_ == Smoothing::kAddK) {
    smooth += "[" + FormatSmoothValue(smooth_value_) + "]";
  }
  sig.Set("case", std::string(options_.lowercase ? "lc" : "mixed"), "c");
  sig.Set("eff", options_.effective_order, "e");
  sig.Set("tok", std::string(text::BleuTokenizerSignature(tokenizer_)), "tok");
  sig.Set("smooth", smooth, "s");
  return sig;
}

Result<stats::SegmentStats> Bleu::ComputeSegmentStats(std::span<const std::string> hyps,
                                                      const ReferenceStreams& refs) const {
  if (hyps.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "BLEU: no hypotheses: expected at least one");
  }
  if (refs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "BLEU: no reference streams: expected at least one");
  }
  for (std::size_t k = 0; k < refs.size(); ++k) {
    if (refs[k].size() != hyps.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "BLEU: reference stream " + std::to_string(k) + " has " +
                           std::to_string(refs[k].size()) + " segments, expected " +
                           std::to_string(hyps.size()) + " (one per hypothesis)");
    }
  }

  const std::size_t n_max = order_;
  stats::SegmentStats out(stats_width());
  TokenCache cache(tokenizer_, options_.lowercase);
  {
    std::size_t bytes = 0;
    for (const std::string& h : hyps) bytes += h.size();
    for (const auto& stream : refs) {
      for (const auto& r : stream) bytes += r ? r->size() : 0;
    }
    cache.Reserve(bytes);
  }
  SegmentCounter counter;
  std::vector<std::vector<std::uint32_t>> seqs(1 + refs.size());  // hyp, present refs

  for (std::size_t seg = 0; seg < hyps.size(); ++seg) {
    std::size_t num_seq = 0;
    auto add = [&](const std::string& text, std::size_t ref_index) -> Result<void> {
      std::vector<std::uint32_t>& ids = seqs[num_seq++];
      ids.clear();
      if (!cache.Tokenize(text, ids)) {
        const std::string what = ref_index == 0 ? std::string("hypothesis")
                                                : "reference " + std::to_string(ref_index - 1);
        return MakeError(
            ErrorCode::kParse,
            "BLEU: segment " + std::to_string(seg) + ": " + what + ": invalid UTF-8 at byte " +
                std::to_string(text::FindInvalidUtf8(text).value_or(0)) + ": expected UTF-8 text");
      }
      return {};
    };
    if (auto r = add(hyps[seg], 0); !r) return std::unexpected(r.error());
    for (std::size_t k = 0; k < refs.size(); ++k) {
      if (!refs[k][seg].has_value()) continue;
      if (auto r = add(*refs[k][seg], k + 1); !r) return std::unexpected(r.error());
    }
    if (num_seq == 1) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "BLEU: segment " + std::to_string(seg) +
                           " has no reference: all reference streams are missing it");
    }

    // The closest reference length; on ties the shorter one.
    const std::size_t hyp_len = seqs[0].size();
    std::size_t closest_diff = 0;
    std::size_t closest_len = 0;
    for (std::size_t s = 1; s < num_seq; ++s) {
      const std::size_t len = seqs[s].size();
      const std::size_t diff = len > hyp_len ? len - hyp_len : hyp_len - len;
      if (s == 1 || diff < closest_diff) {
        closest_diff = diff;
        closest_len = len;
      } else if (diff == closest_diff && len < closest_len) {
        closest_len = len;
      }
    }

    std::span<double> row = out.AddRow();
    row[0] = static_cast<double>(hyp_len);
    row[1] = static_cast<double>(closest_len);
    counter.Count(seqs, num_seq, cache.end_id(), n_max, row);
  }
  return out;
}

double Bleu::Compute(std::span<const double> stats, double* counts, double* totals,
                     double* precisions, double& bp, bool& smoothed) const {
  // sacrebleu's BLEU.compute_bleu, with the same operations in the same order.
  const std::size_t n_max = order_;
  assert(stats.size() == stats_width());
  auto at = [&](std::size_t i) { return i < stats.size() ? stats[i] : 0.0; };
  const double sys_len = at(0);
  const double ref_len = at(1);
  bool any_match = false;
  for (std::size_t n = 0; n < n_max; ++n) {
    counts[n] = at(2 + n);
    totals[n] = at(2 + n_max + n);
    precisions[n] = 0.0;
    any_match |= counts[n] != 0;
  }

  // Brevity penalty.
  bp = 1.0;
  if (sys_len < ref_len) bp = sys_len > 0 ? std::exp(1.0 - ref_len / sys_len) : 0.0;

  // Early stop when nothing matches (sacrebleu #141).
  smoothed = false;
  if (!any_match) return 0.0;

  smoothed = smoothing_ == Smoothing::kAddK;
  double smooth_mteval = 1.0;
  std::size_t eff_order = n_max;
  for (std::size_t n = 1; n <= n_max; ++n) {
    if (smoothing_ == Smoothing::kAddK && n > 1) {  // in place, as sacrebleu reports them
      counts[n - 1] += smooth_value_;
      totals[n - 1] += smooth_value_;
    }
    if (totals[n - 1] == 0) break;
    if (options_.effective_order) eff_order = n;
    if (counts[n - 1] == 0) {
      if (smoothing_ == Smoothing::kExp) {
        smooth_mteval *= 2;
        precisions[n - 1] = 100.0 / (smooth_mteval * totals[n - 1]);
      } else if (smoothing_ == Smoothing::kFloor) {
        precisions[n - 1] = 100.0 * smooth_value_ / totals[n - 1];
      }
    } else {
      precisions[n - 1] = 100.0 * counts[n - 1] / totals[n - 1];
    }
  }

  // sum(my_log(p) for p in precisions[:eff_order]) / eff_order: left to right, as CPython 3.11's
  // sum() adds floats; my_log(0) is -9999999999.
  double log_sum = 0.0;
  for (std::size_t n = 0; n < eff_order; ++n) {
    const double p = precisions[n];
    log_sum += p == 0.0 ? -9999999999.0 : std::log(p);
  }
  return bp * std::exp(log_sum / static_cast<double>(eff_order));
}

BleuBreakdown Bleu::Breakdown(std::span<const double> stats) const {
  const std::size_t n_max = order_;
  BleuBreakdown b;
  b.counts.resize(n_max);
  b.totals.resize(n_max);
  b.precisions.resize(n_max);
  b.score = Compute(stats, b.counts.data(), b.totals.data(), b.precisions.data(), b.bp,
                    b.smoothed_in_place);
  b.sys_len = stats.size() > 0 ? stats[0] : 0.0;
  b.ref_len = stats.size() > 1 ? stats[1] : 0.0;
  b.ratio = b.ref_len != 0 ? b.sys_len / b.ref_len : 0.0;
  if (b.smoothed_in_place) {
    for (std::size_t n = 0; n < n_max; ++n) {
      b.raw_counts.push_back(2 + n < stats.size() ? stats[2 + n] : 0.0);
      b.raw_totals.push_back(2 + n_max + n < stats.size() ? stats[2 + n_max + n] : 0.0);
    }
  }
  return b;
}

double Bleu::ValueFromStats(std::span<const double> stats) const {
  // No allocation: resampling loops call this thousands of times.
  std::array<double, kMaxBleuNgramOrder> counts, totals, precisions;
  double bp = 0;
  bool smoothed = false;
  return Compute(stats, counts.data(), totals.data(), precisions.data(), bp, smoothed);
}

Score Bleu::ScoreFromStats(std::span<const double> stats) const {
  BleuBreakdown b = Breakdown(stats);
  Score score;
  score.name = "BLEU";
  score.value = b.score;

  std::string prec;
  for (std::size_t n = 0; n < b.precisions.size(); ++n) {
    if (n > 0) prec += '/';
    prec += Fixed(b.precisions[n], 1);
  }
  score.verbose = "BLEU = " + Fixed(b.score, 2) + " " + prec + " (BP = " + Fixed(b.bp, 3) +
                  " ratio = " + Fixed(b.ratio, 3) +
                  " hyp_len = " + std::to_string(static_cast<long long>(b.sys_len)) +
                  " ref_len = " + std::to_string(static_cast<long long>(b.ref_len)) + ")";

  score.details.emplace_back("counts", b.counts);
  score.details.emplace_back("totals", b.totals);
  score.details.emplace_back("precisions", b.precisions);
  score.details.emplace_back("bp", b.bp);
  score.details.emplace_back("sys_len", b.sys_len);
  score.details.emplace_back("ref_len", b.ref_len);
  score.details.emplace_back("ratio", b.ratio);
  if (b.smoothed_in_place) {
    score.details.emplace_back("raw_counts", std::move(b.raw_counts));
    score.details.emplace_back("raw_totals", std::move(b.raw_totals));
  }
  return score;
}

}  // namespace yardstick::metrics

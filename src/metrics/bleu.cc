#include "metrics/bleu.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

using text::BleuTokenizer;

// ---- The corpus vocabulary: each distinct word is tokenized once ------------------------------
//
// A line's tokens are the concatenated tokens of its words (text::SplitBleuWordsUtf8), so the
// tokens of each distinct (word, context) are computed once per corpus. Words and tokens are
// both byte strings, interned in one table with dense ids; the id of a string is its token id,
// and the table also remembers, per id, the tokens the string gives when it occurs as a word.
// For 13a, none and char the context never changes a word's tokens, so a word that is a token
// by itself (most words) is one entry, found with one lookup. Strings are compared exactly; a
// hash only chooses where to look.

inline std::uint64_t Load8(const unsigned char* p) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

// The first min(n, 8) bytes at p as a little-endian integer, zero-padded.
inline std::uint64_t LoadPrefix(const unsigned char* p, std::size_t n) {
  if (n >= 8) return Load8(p);
  std::uint64_t x = 0;
  for (std::size_t k = 0; k < n; ++k) x |= std::uint64_t{p[k]} << (8 * k);
  return x;
}

inline bool IsAscii(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    if ((Load8(reinterpret_cast<const unsigned char*>(s.data()) + i) & 0x8080808080808080ULL) !=
        0) {
      return false;
    }
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  }
  return true;
}

// Interned (byte string, tag) pairs with dense ids 1, 2, ..., and per id a `word value`: what
// the string gives as a word, kUnknown until the caller sets it.
//
// A string is held as its first 8 bytes, its last 8 bytes (strings over 8 bytes) and, for
// strings over 16 bytes, the bytes between them in `middle_`; so most comparisons are a few
// integer compares, combined without branches. Slots hold the high half of the hash and the id;
// the entries are in id order, so the frequent strings, met first, share a few cache lines. The
// table is at most half full.
class Vocabulary {
 public:
  static constexpr std::uint32_t kUnknown = 0;
  // A word value with this bit is one token id; other values index multi-token lists.
  static constexpr std::uint32_t kSingle = 0x80000000u;

  // A string with its hash, computed once per lookup. `data` must outlive the Find/Insert calls.
  struct Key {
    const unsigned char* data;
    std::uint32_t size;
    std::uint32_t size_tag;  // size << 8 | tag
    std::uint64_t prefix;    // the first 8 bytes, zero-padded
    std::uint64_t suffix;    // the last 8 bytes of strings over 8 bytes, else 0
    std::uint32_t check;     // the high half of the hash; also picks the slot
  };

  Vocabulary() { Start(0); }

  // Forgets every string and sizes the table for about `strings` strings (it grows when needed),
  // keeping the memory of a previous corpus unless it is much larger than needed.
  void Start(std::size_t strings) {
    entries_.assign(1, Entry{});  // id 0: none
    entries_.reserve(strings + 1);
    middle_.clear();
    std::size_t slots = kInitialSlots;
    while (slots < 2 * strings) slots *= 2;
    if (slots_.size() < slots || slots_.size() > 4 * slots) {
      slots_.assign(slots, Slot{});
    } else {
      std::fill(slots_.begin(), slots_.end(), Slot{});
    }
    shift_ = 32 - std::countr_zero(slots_.size());
  }

  // The bytes held (capacity).
  std::size_t Footprint() const {
    return slots_.capacity() * sizeof(Slot) + entries_.capacity() * sizeof(Entry) +
           middle_.capacity();
  }

  static Key MakeKey(std::string_view s, std::uint8_t tag) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    return Finish(p, s.size(), tag, LoadPrefix(p, s.size()),
                  s.size() > 8 ? Load8(p + s.size() - 8) : 0);
  }

  // The same for a string (not empty) whose first 8 bytes may be read even when it is shorter:
  // no branches on its length, which varies from word to word.
  static Key MakeKeyOverread(std::string_view s, std::uint8_t tag) {
    static constexpr std::uint64_t kMasks[9] = {0,
                                                0xFF,
                                                0xFFFF,
                                                0xFFFFFF,
                                                0xFFFFFFFF,
                                                0xFFFFFFFFFF,
                                                0xFFFFFFFFFFFF,
                                                0xFFFFFFFFFFFFFF,
                                                0xFFFFFFFFFFFFFFFF};
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    const std::uint64_t prefix = Load8(p) & kMasks[std::min<std::size_t>(n, 8)];
    // Bytes n-8 .. n-1 when n > 8; otherwise bytes 0..7 again, masked out.
    const std::uint64_t last = Load8(p + (std::max<std::size_t>(n, 8) - 8));
    const std::uint64_t suffix = last & (n > 8 ? ~std::uint64_t{0} : 0);
    return Finish(p, n, tag, prefix, suffix);
  }

  // The id of the key's string, 0 if it is not interned. The probe loop stops at the first
  // slot in almost every call, whether the string is there or not.
  [[gnu::always_inline]] std::uint32_t Find(const Key& key) const {
    if (key.size > 16) [[unlikely]] {
      return FindLong(key);
    }
    std::size_t i = key.check >> shift_;
    while (true) {
      const Slot slot = slots_[i];
      const Entry& e = entries_[slot.id];  // entries_[0] for an empty slot
      const std::uint64_t differs = (slot.check ^ key.check) | (e.prefix ^ key.prefix) |
                                    (e.suffix ^ key.suffix) | (e.size_tag ^ key.size_tag);
      // Stop at an empty slot (id 0) or at the string: one branch.
      if (std::min<std::uint64_t>(differs, slot.id) == 0) return slot.id;
      i = (i + 1) & (slots_.size() - 1);
    }
  }

  // The id of the key's string, interned if needed.
  std::uint32_t Intern(const Key& key) {
    const std::uint32_t id = Find(key);
    return id != 0 ? id : Insert(key);
  }

  // Adds a string that Find did not find; returns its id.
  [[gnu::noinline]] std::uint32_t Insert(const Key& key) {
    const auto id = static_cast<std::uint32_t>(entries_.size());
    Entry entry{key.prefix, key.suffix, kUnknown, key.size_tag, 0};
    if (key.size > 16) {
      entry.middle = static_cast<std::uint32_t>(middle_.size());
      middle_.insert(middle_.end(), key.data + 8, key.data + key.size - 8);
    }
    entries_.push_back(entry);
    Place(key.check, id);
    if (2 * entries_.size() > slots_.size()) Grow();
    return id;
  }

  // One more than the largest id.
  std::uint32_t end_id() const { return static_cast<std::uint32_t>(entries_.size()); }

  std::uint32_t word_value(std::uint32_t id) const { return entries_[id].word_value; }
  void set_word_value(std::uint32_t id, std::uint32_t value) { entries_[id].word_value = value; }

 private:
  static constexpr std::size_t kInitialSlots = 4096;

  static Key Finish(const unsigned char* p, std::size_t n, std::uint8_t tag, std::uint64_t prefix,
                    std::uint64_t suffix) {
    Key key;
    key.data = p;
    key.size = static_cast<std::uint32_t>(n);
    key.size_tag = (key.size << 8) | tag;
    key.prefix = prefix;
    key.suffix = suffix;
    std::uint64_t h =
        (prefix * 0x9E3779B97F4A7C15ULL) ^ ((suffix + key.size_tag) * 0xBF58476D1CE4E5B9ULL);
    h = (h ^ (h >> 29)) * 0x94D049BB133111EBULL;
    key.check = static_cast<std::uint32_t>(h >> 32);
    return key;
  }

  struct Slot {
    std::uint32_t check = 0;
    std::uint32_t id = 0;  // 0: empty
  };
  struct Entry {
    std::uint64_t prefix = 0;
    std::uint64_t suffix = 0;
    std::uint32_t word_value = kUnknown;
    std::uint32_t size_tag = 0;  // 0 only for the unused entry 0: strings are not empty
    std::uint32_t middle = 0;    // offset of bytes 8 .. size - 8 in middle_ (size > 16)
  };

  // Find for strings over 16 bytes, which also compares the bytes between prefix and suffix.
  [[gnu::noinline]] std::uint32_t FindLong(const Key& key) const {
    for (std::size_t i = key.check >> shift_;; i = (i + 1) & (slots_.size() - 1)) {
      const Slot slot = slots_[i];
      if (slot.id == 0) return 0;
      const Entry& e = entries_[slot.id];
      if (slot.check == key.check && e.prefix == key.prefix && e.suffix == key.suffix &&
          e.size_tag == key.size_tag &&
          std::memcmp(middle_.data() + e.middle, key.data + 8, key.size - 16) == 0) {
        return slot.id;
      }
    }
  }

  void Place(std::uint32_t check, std::uint32_t id) {
    std::size_t i = check >> shift_;
    while (slots_[i].id != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {check, id};
  }

  void Grow() {
    std::vector<Slot> old(2 * slots_.size());
    old.swap(slots_);
    --shift_;
    for (const Slot& slot : old) {
      if (slot.id != 0) Place(slot.check, slot.id);
    }
  }

  std::vector<Slot> slots_;
  int shift_;  // the slot of a check is check >> shift_
  std::vector<Entry> entries_;
  std::vector<unsigned char> middle_;
};

// Maps lines to corpus token ids, tokenizing each distinct word once.
//
// Words come from text::SplitBleuWordsUtf8 straight from the UTF-8 bytes, keyed by their bytes
// (lowercasing a whitespace-separated word alone equals lowercasing it in its line: CPython's
// final-sigma context never extends across whitespace). Lines that need 13a's rewriting, zh
// with lowercasing (its words also end at Chinese characters, and lowercasing can change what
// is Chinese) and invalid UTF-8 go through the code-point path: decode, lower, rstrip,
// text::SplitBleuWords; its words are keyed separately (they are already lowercased).
class TokenCache {
 public:
  // Starts a corpus of about `strings` distinct words and tokens (ids restart from 1), keeping
  // the memory of the previous one.
  void Start(BleuTokenizer tokenizer, bool lowercase, std::size_t strings) {
    tokenizer_ = tokenizer;
    lowercase_ = lowercase;
    fixed_context_ = tokenizer == BleuTokenizer::k13a || tokenizer == BleuTokenizer::kNone ||
                     tokenizer == BleuTokenizer::kChar;
    vocabulary_.Start(strings);
    multi_.clear();
    multi_tokens_.clear();
  }

  // The bytes held by the tables (capacity).
  std::size_t Footprint() const {
    return vocabulary_.Footprint() + multi_.capacity() * sizeof(multi_[0]) +
           multi_tokens_.capacity() * sizeof(std::uint32_t);
  }

  // One more than the largest token id.
  std::uint32_t end_id() const { return vocabulary_.end_id(); }

  // Appends the token ids of a line (BLEU's preprocessing: lower, rstrip, tokenize). False when
  // the line is not valid UTF-8.
  bool Tokenize(std::string_view line, std::vector<std::uint32_t>& ids) {
    const bool bytes_ok = !(lowercase_ && tokenizer_ == BleuTokenizer::kZh);
    if (bytes_ok && text::SplitBleuWordsUtf8(tokenizer_, line, words_)) {
      for (const text::BleuWord& w : words_) {
        const std::string_view word = line.substr(w.begin, w.size);
        const Vocabulary::Key key = w.begin + 8 <= line.size()
                                        ? Vocabulary::MakeKeyOverread(word, WordTag(w.context))
                                        : Vocabulary::MakeKey(word, WordTag(w.context));
        std::uint32_t id = vocabulary_.Find(key);
        if (id == 0) id = vocabulary_.Insert(key);
        std::uint32_t value = vocabulary_.word_value(id);
        if (value == Vocabulary::kUnknown) {
          new_tokens_.clear();
          AddRawWord(word, w.context, id);
          value = SetWordValue(id);
        }
        Append(value, ids);
      }
      return true;
    }
    return TokenizeCodePoints(line, ids);
  }

 private:
  // Code-point-path words: kPreparedTag + the word tag, apart from the byte-path words.
  static constexpr std::uint8_t kPreparedTag = 16;

  // Tokens are interned with tag 0; words with their context where it matters.
  std::uint8_t WordTag(std::uint8_t context) const {
    return fixed_context_ ? 0 : static_cast<std::uint8_t>(1 + context);
  }

  void Append(std::uint32_t value, std::vector<std::uint32_t>& ids) const {
    if ((value & Vocabulary::kSingle) != 0) {
      ids.push_back(value & ~Vocabulary::kSingle);
    } else {
      const auto [offset, count] = multi_[value - 1];
      for (std::uint32_t k = 0; k < count; ++k) ids.push_back(multi_tokens_[offset + k]);
    }
  }

  // Records new_tokens_ as the tokens of word `id` and returns its word value.
  std::uint32_t SetWordValue(std::uint32_t id) {
    std::uint32_t value;
    if (new_tokens_.size() == 1) {
      value = Vocabulary::kSingle | new_tokens_[0];
    } else {
      multi_.push_back({static_cast<std::uint32_t>(multi_tokens_.size()),
                        static_cast<std::uint32_t>(new_tokens_.size())});
      multi_tokens_.insert(multi_tokens_.end(), new_tokens_.begin(), new_tokens_.end());
      value = static_cast<std::uint32_t>(multi_.size());  // index + 1, never kUnknown
    }
    vocabulary_.set_word_value(id, value);
    return value;
  }

  // The id of a token (tag 0). `word_id` is the id of the word it comes from, tagged `tag`:
  // when the token is the whole word and tags agree, it is the same string.
  std::uint32_t TokenId(std::string_view token, std::string_view word, std::uint8_t tag,
                        std::uint32_t word_id) {
    if (tag == 0 && token.size() == word.size() &&
        (token.data() == word.data() || std::memcmp(token.data(), word.data(), word.size()) == 0)) {
      return word_id;
    }
    return vocabulary_.Intern(Vocabulary::MakeKey(token, 0));
  }

  // Puts the token ids of a new word of the UTF-8 path (valid UTF-8, not yet lowercased) in
  // new_tokens_.
  void AddRawWord(std::string_view word, std::uint8_t context, std::uint32_t word_id) {
    if (!lowercase_ || IsAscii(word)) {
      std::string_view w = word;
      if (lowercase_) {  // str.lower() of ASCII text
        ascii_lower_.assign(word);
        for (char& c : ascii_lower_) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
        }
        w = ascii_lower_;
      }
      if (text::IsSingleTokenBleuWordUtf8(tokenizer_, w, context)) {  // most words
        new_tokens_.push_back(TokenId(w, word, WordTag(context), word_id));
        return;
      }
      if (text::SplitSimpleBleuWordUtf8(tokenizer_, w, context, ranges_)) {
        for (const text::BleuTokenRange& r : ranges_) {
          new_tokens_.push_back(
              TokenId(w.substr(r.begin, r.size), word, WordTag(context), word_id));
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
      new_tokens_.push_back(vocabulary_.Intern(Vocabulary::MakeKey(token_utf8_, 0)));
      if (space == std::u32string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  }

  // The code-point path (see the class comment). False when the line is not valid UTF-8.
  bool TokenizeCodePoints(std::string_view line, std::vector<std::uint32_t>& ids) {
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
      prepared_utf8_.clear();
      for (char32_t c : word) text::AppendUtf8(prepared_utf8_, c);
      const std::uint32_t id = vocabulary_.Intern(Vocabulary::MakeKey(
          prepared_utf8_, static_cast<std::uint8_t>(kPreparedTag + WordTag(w.context))));
      std::uint32_t value = vocabulary_.word_value(id);
      if (value == Vocabulary::kUnknown) {
        new_tokens_.clear();
        AddTokens(word, w.context);
        value = SetWordValue(id);
      }
      Append(value, ids);
    }
    return true;
  }

  BleuTokenizer tokenizer_ = BleuTokenizer::k13a;
  bool lowercase_ = false;
  bool fixed_context_ = true;  // the tokenizer's rules never depend on a word's context
  Vocabulary vocabulary_;
  // Tokens of multi-token words: word value k indexes multi_[k - 1] = (offset, count) in
  // multi_tokens_.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> multi_;
  std::vector<std::uint32_t> multi_tokens_;
  std::vector<std::uint32_t> new_tokens_;  // the tokens of the word being added
  std::vector<text::BleuWord> words_;
  std::vector<text::BleuTokenRange> ranges_;
  std::u32string decoded_, lowered_, scratch_, piece_, decoded_word_;
  std::string ascii_lower_, token_utf8_, prepared_utf8_;
};

// ---- N-gram counting of one segment -------------------------------------------------------
//
// Unigrams are counted in arrays indexed by token id. Each distinct hypothesis n-gram of a
// higher order gets a slot of a small open-addressing table, keyed by its first n-1 tokens'
// "slot" (for bigrams the first token's id, then table slots) and its last token id, so keys
// are exact at every order without hashing token sequences.
//
// Order by order: the hypothesis n-grams are counted; each reference's n-grams are looked up
// from the slots of their (n-1)-gram prefixes, which gives the largest count in any one
// reference; one pass over the hypothesis slots adds up the clipped counts; then the table is
// emptied for the next order (the slot numbers of an order stay valid as prefixes: the next
// order's keys only need them to differ between distinct n-grams).
//
// Only n-grams that can match are counted: an n-gram is in the hypothesis and a reference only
// if both of its (n-1)-grams are, so each order keeps, per position, whether the n-gram there
// is in a reference (hypothesis) or in the hypothesis (references), and the next order visits
// the positions where two neighbours are: lists built without branches, which skip most
// positions beyond the bigrams.
//
// Whether an n-gram is found is otherwise data, not control flow: a reference n-gram that is
// not counted lands in a scratch slot whose counts are never read (token id 0, which no token
// has, then missing_, one past the table's slots).
class SegmentCounter {
 public:
  // The bytes held by the tables (capacity).
  std::size_t Footprint() const {
    return unigrams_.capacity() * sizeof(UnigramCounts) +
           unigram_ref_count_.capacity() * sizeof(std::uint32_t) + slots_.capacity() * sizeof(Slot);
  }

  // Sizes the unigram counts for about `tokens` token ids (they grow when needed).
  void Reserve(std::size_t tokens) {
    if (unigrams_.size() < tokens) unigrams_.resize(tokens);
  }

  // Writes matches and totals of orders 1..n_max into row[2..] (zeroed) for the hypothesis
  // tokens seqs[0] and the reference tokens seqs[1..num_seq); token ids are below
  // `vocabulary_end`.
  void Count(const std::vector<std::vector<std::uint32_t>>& seqs, std::size_t num_seq,
             std::uint32_t vocabulary_end, std::size_t n_max, std::span<double> row) {
    const std::vector<std::uint32_t>& hyp = seqs[0];
    const std::size_t hyp_len = hyp.size();
    const std::size_t orders = std::min(n_max, hyp_len);
    for (std::size_t n = 1; n <= orders; ++n) {
      row[1 + n_max + n] = static_cast<double>(hyp_len - n + 1);
    }
    if (orders == 0) return;
    Prepare(seqs, num_seq, vocabulary_end);
    const bool one_ref = num_seq == 2;

    // Unigrams: the slot of a token is its id.
    std::uint32_t* hyp_slots = hyp_.slots.data();
    std::uint8_t* hyp_in_ref = hyp_.found.data();
    for (std::size_t i = 0; i < hyp_len; ++i) {
      ++unigrams_[hyp[i]].hyp_count;
      hyp_slots[i] = hyp[i];
    }
    for (std::size_t k = 1; k < num_seq; ++k) {
      const std::vector<std::uint32_t>& ref = seqs[k];
      Positions& r = refs_[k];
      for (std::size_t j = 0; j < ref.size(); ++j) {
        const std::uint32_t t = ref[j];
        const bool found = unigrams_[t].hyp_count != 0;
        // t, or the scratch id 0 when the hypothesis does not have t: a mask, not a branch.
        const std::uint32_t slot = t & (0u - static_cast<std::uint32_t>(found));
        r.slots[j] = slot;
        r.found[j] = found;
        ++(one_ref ? unigrams_[slot].ref_max : unigram_ref_count_[slot]);
      }
      if (!one_ref) {
        for (std::size_t j = 0; j < ref.size(); ++j) {
          const std::uint32_t t = r.slots[j];
          unigrams_[t].ref_max = std::max(unigrams_[t].ref_max, unigram_ref_count_[t]);
          unigram_ref_count_[t] = 0;
        }
      }
    }
    // Clipped counts, each distinct unigram once: its hypothesis count is spent at its first
    // position (the reference count stays, to tell the later ones whether it is in a reference).
    std::uint64_t correct = 0;
    for (std::size_t i = 0; i < hyp_len; ++i) {
      UnigramCounts& c = unigrams_[hyp[i]];
      correct += std::min(c.hyp_count, c.ref_max);
      c.hyp_count = 0;
      hyp_in_ref[i] = c.ref_max != 0;
    }
    for (std::size_t i = 0; i < hyp_len; ++i) unigrams_[hyp[i]] = UnigramCounts{};
    unigrams_[0] = UnigramCounts{};
    row[2] = static_cast<double>(correct);

    for (std::size_t n = 2; n <= orders && correct != 0; ++n) {
      // The hypothesis n-grams at the positions where both (n-1)-grams are in a reference:
      // hyp_slots[i] becomes the slot of the n-gram at i.
      const std::size_t hyp_live = Live(hyp_.found.data(), hyp_len - n + 1, hyp_.live.data());
      const std::uint32_t* hyp_live_at = hyp_.live.data();
      for (std::size_t a = 0; a < hyp_live; ++a) {
        const std::uint32_t i = hyp_live_at[a];
        const std::uint64_t key = Key(hyp_slots[i], hyp[i + n - 1]);
        const std::size_t s = Probe(key);
        slots_[s].key = key;
        ++slots_[s].counts.hyp_count;
        hyp_slots[i] = static_cast<std::uint32_t>(s);
      }
      // The references, likewise at the positions where both (n-1)-grams are in the
      // hypothesis: slots[j] becomes the slot of the n-gram at j, or missing_.
      for (std::size_t k = 1; k < num_seq; ++k) {
        const std::vector<std::uint32_t>& ref = seqs[k];
        if (ref.size() < n) continue;
        Positions& r = refs_[k];
        const std::size_t live = Live(r.found.data(), ref.size() - n + 1, r.live.data());
        for (std::size_t a = 0; a < live; ++a) {
          const std::uint32_t j = r.live[a];
          const std::uint64_t key = Key(r.slots[j], ref[j + n - 1]);
          const std::size_t s = Probe(key);
          // s, or missing_ when the slot does not hold the key: a mask, not a branch.
          const bool found = slots_[s].key == key;
          const std::size_t mask = 0 - static_cast<std::size_t>(found);
          const std::size_t slot = (s & mask) | (missing_ & ~mask);
          r.slots[j] = static_cast<std::uint32_t>(slot);
          r.found[j] = found;
          ++(one_ref ? slots_[slot].counts.ref_max : slots_[slot].counts.ref_count);
        }
        if (one_ref) continue;
        for (std::size_t a = 0; a < live; ++a) {
          Counts& c = slots_[r.slots[r.live[a]]].counts;
          c.ref_max = std::max(c.ref_max, c.ref_count);
          c.ref_count = 0;
        }
      }
      // Clipped counts, each distinct n-gram once (as for unigrams).
      correct = 0;
      for (std::size_t a = 0; a < hyp_live; ++a) {
        const std::uint32_t i = hyp_live_at[a];
        Counts& c = slots_[hyp_slots[i]].counts;
        correct += std::min(c.hyp_count, c.ref_max);
        c.hyp_count = 0;
        hyp_in_ref[i] = c.ref_max != 0;
      }
      for (std::size_t a = 0; a < hyp_live; ++a) slots_[hyp_slots[hyp_live_at[a]]] = Slot{};
      slots_[missing_] = Slot{};
      row[1 + n] = static_cast<double>(correct);  // 0 ends the loop: no longer n-gram matches
    }
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // never a key: ids < 2^32 - 1

  struct Counts {
    std::uint32_t hyp_count = 0;
    std::uint32_t ref_max = 0;    // the most in one reference
    std::uint32_t ref_count = 0;  // in the current reference (several references only)
  };
  struct Slot {
    std::uint64_t key = kEmpty;
    Counts counts;
  };
  struct UnigramCounts {
    std::uint32_t hyp_count = 0;
    std::uint32_t ref_max = 0;
  };
  // Per position of a sequence: the slot of the n-gram there, whether it is in the other side,
  // and (scratch) the positions to visit at the next order.
  struct Positions {
    std::vector<std::uint32_t> slots;
    std::vector<std::uint8_t> found;
    std::vector<std::uint32_t> live;
    void Fit(std::size_t n) {
      if (slots.size() >= n) return;
      const std::size_t size = std::max(n, 2 * slots.size());
      slots.resize(size);
      found.resize(size);
      live.resize(size);
    }
  };

  // The positions i < count whose n-grams can be in the other side, found[i] && found[i + 1],
  // in order, into `live`; found[i] is reset for the next order. Returns how many.
  static std::size_t Live(std::uint8_t* found, std::size_t count, std::uint32_t* live) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < count; ++i) {
      live[k] = static_cast<std::uint32_t>(i);
      k += found[i] & found[i + 1];
      found[i] = 0;
    }
    return k;
  }

  static std::uint64_t Key(std::uint32_t prefix, std::uint32_t token) {
    return (std::uint64_t{prefix} << 32) | token;
  }

  // Sizes the table and buffers for a segment. An order has at most one n-gram per hypothesis
  // position, and the table stays at most 1/8 full, so that a probe rarely meets another key
  // (a mispredicted branch costs more than the larger table; empty slots cost nothing).
  void Prepare(const std::vector<std::vector<std::uint32_t>>& seqs, std::size_t num_seq,
               std::uint32_t vocabulary_end) {
    if (unigrams_.size() < vocabulary_end) {  // all zero: every segment zeroes what it used
      unigrams_.resize(std::max<std::size_t>(vocabulary_end, 2 * unigrams_.size()));
    }
    if (num_seq > 2 && unigram_ref_count_.size() < unigrams_.size()) {
      unigram_ref_count_.resize(unigrams_.size());
    }
    const std::size_t max_keys = seqs[0].size();
    std::size_t capacity = 16;
    int bits = 4;
    while (capacity < 8 * max_keys) {
      capacity *= 2;
      ++bits;
    }
    if (capacity + 1 > slots_.size()) slots_.assign(capacity + 1, Slot{});  // all empty, too
    shift_ = 64 - bits;
    mask_ = capacity - 1;
    missing_ = capacity;  // one past the probed slots
    hyp_.Fit(seqs[0].size());
    if (refs_.size() < num_seq) refs_.resize(num_seq);
    for (std::size_t k = 1; k < num_seq; ++k) refs_[k].Fit(seqs[k].size());
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

  std::vector<UnigramCounts> unigrams_;           // per token id
  std::vector<std::uint32_t> unigram_ref_count_;  // per token id (several references only)
  std::vector<Slot> slots_;                       // mask_ + 1 probed slots, then missing_
  std::size_t mask_ = 0;
  int shift_ = 60;
  std::size_t missing_ = 0;
  Positions hyp_;
  std::vector<Positions> refs_;  // index 0 unused
};

// ---- Working memory -----------------------------------------------------------------------
//
// The corpus vocabulary, the counter's tables and the token buffers of ComputeSegmentStats. A
// thread keeps them between calls (up to kRetainedBytes), so that scoring one system after
// another (several hypothesis files, paired tests, a server's requests) reuses warm memory;
// fresh pages from the OS cost about as much as the tables' work.
struct Workspace {
  TokenCache cache;
  SegmentCounter counter;
  std::vector<std::vector<std::uint32_t>> seqs;  // token ids: the hypothesis, present refs
  std::vector<std::uint32_t> ref_tokens;         // token ids of every reference, in order
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ref_spans;  // (offset, size) in them
  std::vector<std::uint32_t> scratch;

  std::size_t Footprint() const {
    return cache.Footprint() + counter.Footprint() + ref_tokens.capacity() * sizeof(std::uint32_t) +
           ref_spans.capacity() * sizeof(ref_spans[0]);
  }
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
    if (std::uncaught_exceptions() == exceptions_ && workspace_->Footprint() <= kRetainedBytes) {
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
  const std::span<const std::string> systems[] = {hyps};
  auto many = ComputeSystems(systems, refs, {});
  if (!many) return std::unexpected(many.error());
  return std::move(many->front());
}

Result<std::vector<stats::SegmentStats>> Bleu::ComputeSystemsSegmentStats(
    std::span<const std::span<const std::string>> systems, const ReferenceStreams& refs,
    std::span<const std::string> system_names) const {
  return ComputeSystems(systems, refs, system_names);
}

Result<std::vector<stats::SegmentStats>> Bleu::ComputeSystems(
    std::span<const std::span<const std::string>> systems, const ReferenceStreams& refs,
    std::span<const std::string> system_names) const {
  // Errors of one system among several name it.
  auto in_system = [&](std::size_t s, Error error) {
    if (systems.size() == 1 && system_names.empty()) return error;
    return error.WithContext(s < system_names.size() ? system_names[s]
                                                     : "system " + std::to_string(s));
  };
  if (systems.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "BLEU: no systems: expected at least one");
  }
  for (std::size_t s = 0; s < systems.size(); ++s) {
    if (systems[s].empty()) {
      return std::unexpected(in_system(
          s, Error(ErrorCode::kInvalidArgument, "BLEU: no hypotheses: expected at least one")));
    }
  }
  if (refs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "BLEU: no reference streams: expected at least one");
  }
  const std::size_t num_segments = refs[0].size();
  for (std::size_t s = 0; s < systems.size(); ++s) {
    for (std::size_t k = 0; k < refs.size(); ++k) {
      if (refs[k].size() != systems[s].size()) {
        return std::unexpected(
            in_system(s, Error(ErrorCode::kInvalidArgument,
                               "BLEU: reference stream " + std::to_string(k) + " has " +
                                   std::to_string(refs[k].size()) + " segments, expected " +
                                   std::to_string(systems[s].size()) + " (one per hypothesis)")));
      }
    }
  }

  const std::size_t n_max = order_;
  WorkspaceLease lease;
  Workspace& ws = *lease;
  TokenCache& cache = ws.cache;
  SegmentCounter& counter = ws.counter;
  {
    std::size_t bytes = 0;
    for (const auto& hyps : systems) {
      for (const std::string& h : hyps) bytes += h.size();
    }
    for (const auto& stream : refs) {
      for (const auto& r : stream) bytes += r ? r->size() : 0;
    }
    const std::size_t strings = bytes / 24 + 16;  // a guess: one distinct string per 24 bytes
    cache.Start(tokenizer_, options_.lowercase, strings);
    counter.Reserve(strings);
  }
  auto invalid_utf8 = [](std::size_t seg, const std::string& what, const std::string& text) {
    return Error(ErrorCode::kParse, "BLEU: segment " + std::to_string(seg) + ": " + what +
                                        ": invalid UTF-8 at byte " +
                                        std::to_string(text::FindInvalidUtf8(text).value_or(0)) +
                                        ": expected UTF-8 text");
  };

  // The references are tokenized once, whatever the number of systems: their token ids, and
  // per (segment, stream) where they are (kMissing for a missing reference).
  constexpr std::uint32_t kMissing = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t>& ref_tokens = ws.ref_tokens;
  std::vector<std::pair<std::uint32_t, std::uint32_t>>& ref_spans = ws.ref_spans;
  ref_tokens.clear();
  ref_spans.assign(num_segments * refs.size(), {0, kMissing});
  std::vector<std::uint32_t>& scratch = ws.scratch;
  for (std::size_t seg = 0; seg < num_segments; ++seg) {
    bool any = false;
    for (std::size_t k = 0; k < refs.size(); ++k) {
      const std::optional<std::string>& ref = refs[k][seg];
      if (!ref.has_value()) continue;
      scratch.clear();
      if (!cache.Tokenize(*ref, scratch)) {
        return std::unexpected(invalid_utf8(seg, "reference " + std::to_string(k), *ref));
      }
      ref_spans[seg * refs.size() + k] = {static_cast<std::uint32_t>(ref_tokens.size()),
                                          static_cast<std::uint32_t>(scratch.size())};
      ref_tokens.insert(ref_tokens.end(), scratch.begin(), scratch.end());
      any = true;
    }
    if (!any) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "BLEU: segment " + std::to_string(seg) +
                           " has no reference: all reference streams are missing it");
    }
  }

  std::vector<std::vector<std::uint32_t>>& seqs = ws.seqs;  // hyp, present refs
  if (seqs.size() < 1 + refs.size()) seqs.resize(1 + refs.size());
  std::vector<stats::SegmentStats> out;
  out.reserve(systems.size());
  for (std::size_t s = 0; s < systems.size(); ++s) {
    const std::span<const std::string> hyps = systems[s];
    stats::SegmentStats& stats = out.emplace_back(stats_width());
    stats.Reserve(num_segments);
    for (std::size_t seg = 0; seg < num_segments; ++seg) {
      seqs[0].clear();
      if (!cache.Tokenize(hyps[seg], seqs[0])) {
        return std::unexpected(in_system(s, invalid_utf8(seg, "hypothesis", hyps[seg])));
      }
      std::size_t num_seq = 1;
      for (std::size_t k = 0; k < refs.size(); ++k) {
        const auto [offset, size] = ref_spans[seg * refs.size() + k];
        if (size == kMissing) continue;
        seqs[num_seq++].assign(ref_tokens.begin() + offset, ref_tokens.begin() + offset + size);
      }

      // The closest reference length; on ties the shorter one.
      const std::size_t hyp_len = seqs[0].size();
      std::size_t closest_diff = 0;
      std::size_t closest_len = 0;
      for (std::size_t i = 1; i < num_seq; ++i) {
        const std::size_t len = seqs[i].size();
        const std::size_t diff = len > hyp_len ? len - hyp_len : hyp_len - len;
        if (i == 1 || diff < closest_diff) {
          closest_diff = diff;
          closest_len = len;
        } else if (diff == closest_diff && len < closest_len) {
          closest_len = len;
        }
      }

      std::span<double> row = stats.AddRow();
      row[0] = static_cast<double>(hyp_len);
      row[1] = static_cast<double>(closest_len);
      counter.Count(seqs, num_seq, cache.end_id(), n_max, row);
    }
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

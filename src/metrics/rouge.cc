#include "metrics/rouge.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "text/porter_stemmer.h"
#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

using TokenId = std::uint32_t;

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// A hash of a short token, eight bytes at a time.
std::uint64_t HashToken(std::string_view s) {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = Mix(h ^ w);
  }
  std::uint64_t w = 0;
  std::memcpy(&w, s.data() + i, s.size() - i);
  return Mix(h ^ w);
}

// An open-addressing map from strings to 32-bit values, its keys stored in one arena.
// Invariant: at most half of the (power-of-two many) slots are used.
class StringTable {
 public:
  StringTable() : slots_(64) {}

  // The value of `key` (with hash `h`), or nullptr.
  const std::uint32_t* Find(std::string_view key, std::uint64_t h) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.hash == h && s.length == key.size() &&
          std::string_view(arena_).substr(s.offset, s.length) == key) {
        return &s.value;
      }
    }
  }

  // Adds `key`, which must be absent.
  void Insert(std::string_view key, std::uint64_t h, std::uint32_t value) {
    if (2 * (used_ + 1) > slots_.size()) Grow();
    Place(Slot{h, static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(key.size()),
               value, true});
    arena_.append(key);
    ++used_;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    std::uint32_t value = 0;
    bool used = false;
  };

  void Place(const Slot& slot) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = slot.hash & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = slot;
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.used) Place(s);
    }
  }

  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t used_ = 0;
};

// Token texts interned to dense ids for one computation. With the stemmer, raw tokens are
// cached so that each distinct word is stemmed once.
class Vocabulary {
 public:
  Vocabulary(bool use_stemmer, bool keep_texts)
      : use_stemmer_(use_stemmer), keep_texts_(keep_texts) {}

  // The id of raw token `raw` (a run of [a-z0-9]) after stemming, or nullopt when rouge-score
  // would drop the (stemmed) token.
  std::optional<TokenId> Intern(std::string_view raw) {
    const std::uint64_t h = HashToken(raw);
    if (use_stemmer_ && raw.size() > 3) {
      if (const std::uint32_t* id = raw_.Find(raw, h)) return Decode(*id);
      const std::string stem = text::PorterStem(raw);
      const TokenId id = IsValidToken(stem) ? InternFinal(stem, HashToken(stem)) : kDropped;
      raw_.Insert(raw, h, id);
      return Decode(id);
    }
    return InternFinal(raw, h);
  }

  std::size_t size() const { return size_; }
  // The text of `id`; only when constructed with keep_texts.
  const std::string& text(TokenId id) const { return texts_[id]; }

 private:
  static constexpr TokenId kDropped = std::numeric_limits<TokenId>::max();

  static std::optional<TokenId> Decode(TokenId id) {
    if (id == kDropped) return std::nullopt;
    return id;
  }

  // rouge-score's final check: ^[a-z0-9]+$.
  static bool IsValidToken(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
  }

  TokenId InternFinal(std::string_view token, std::uint64_t h) {
    if (const std::uint32_t* id = final_.Find(token, h)) return *id;
    const auto id = static_cast<TokenId>(size_++);
    final_.Insert(token, h, id);
    if (keep_texts_) texts_.emplace_back(token);
    return id;
  }

  bool use_stemmer_;
  bool keep_texts_;
  std::size_t size_ = 0;
  StringTable raw_;    // raw token -> final id (stemmer only)
  StringTable final_;  // final token text -> id
  std::vector<std::string> texts_;
};

// For each distinct token id of a sequence x, a bit mask of its positions in x (`words` 64-bit
// words per id): the match vectors of the bit-parallel LCS algorithm (Allison and Dix 1986,
// Hyyro 2004). Build() and Clear() cost O(|x|); lookups are O(1).
class PositionMasks {
 public:
  void Build(std::span<const TokenId> x, std::size_t vocab_size) {
    words_ = (x.size() + 63) / 64;
    if (slot_.size() < vocab_size) slot_.resize(vocab_size, 0);
    if (masks_.size() < x.size() * words_) masks_.resize(x.size() * words_);
    ids_.clear();
    for (std::size_t i = 0; i < x.size(); ++i) {
      std::uint32_t& s = slot_[x[i]];
      if (s == 0) {
        ids_.push_back(x[i]);
        s = static_cast<std::uint32_t>(ids_.size());
        std::fill_n(masks_.data() + (s - 1) * words_, words_, 0);
      }
      masks_[(s - 1) * words_ + i / 64] |= std::uint64_t{1} << (i % 64);
    }
  }

  // The mask of `id`, or nullptr when x does not contain it.
  const std::uint64_t* Find(TokenId id) const {
    if (id >= slot_.size() || slot_[id] == 0) return nullptr;
    return masks_.data() + (slot_[id] - 1) * words_;
  }

  // Forgets x (keeps slot_ all zero between uses).
  void Clear() {
    for (TokenId id : ids_) slot_[id] = 0;
  }

  std::size_t words() const { return words_; }

 private:
  std::vector<std::uint32_t> slot_;  // id -> 1 + index of its mask, 0 when absent
  std::vector<std::uint64_t> masks_;
  std::vector<TokenId> ids_;
  std::size_t words_ = 0;
};

// Working memory reused across the segments of one computation.
struct Workspace {
  std::vector<char> mapped;                    // a text mapped to [a-z0-9 ] (TokenizeInto)
  std::vector<std::uint64_t> ka, kb;           // bigram keys
  std::vector<std::size_t> ia, ib;             // n-gram start positions
  std::vector<std::int32_t> counts;            // unigram counts by id (zero between uses)
  PositionMasks masks;                         // bit-parallel LCS match vectors
  std::vector<std::uint64_t> v;                // bit-parallel LCS state (one column)
  std::vector<std::uint64_t> columns;          // all columns of the state (rougeLsum)
  std::vector<char> mark;                      // union-LCS positions of one target sentence
  std::vector<std::int32_t> count_r, count_c;  // rougeLsum token budgets, by id
  // For each non-ASCII code point seen: its str.lower() with [a-z0-9] kept and every other
  // character replaced by ' ' (a separator).
  std::unordered_map<char32_t, std::string> lowered;

  const std::string& LowerNonAscii(char32_t c) {
    auto it = lowered.find(c);
    if (it != lowered.end()) return it->second;
    // Python's str.lower() maps each character on its own except for the final-sigma rule,
    // which only chooses between two Greek letters; so per-character lowering decides exactly
    // which ASCII letters and digits a character contributes (e.g. U+0130 -> "i\u0307",
    // U+212A KELVIN SIGN -> "k").
    std::string out;
    for (char32_t l : text::Lower(std::u32string_view(&c, 1))) {
      const bool alnum = (l >= U'a' && l <= U'z') || (l >= U'0' && l <= U'9');
      out.push_back(alnum ? static_cast<char>(l) : ' ');
    }
    return lowered.emplace(c, std::move(out)).first->second;
  }
};

// ASCII byte -> its lowercase if it is a letter or digit, else ' '.
constexpr std::array<char, 128> kAsciiMap = [] {
  std::array<char, 128> m{};
  for (int c = 0; c < 128; ++c) {
    char v = ' ';
    if (c >= 'a' && c <= 'z') v = static_cast<char>(c);
    if (c >= '0' && c <= '9') v = static_cast<char>(c);
    if (c >= 'A' && c <= 'Z') v = static_cast<char>(c - 'A' + 'a');
    m[static_cast<std::size_t>(c)] = v;
  }
  return m;
}();

// Appends the token ids of `text` (valid UTF-8) to `out`, as rouge_score.tokenize.tokenize:
// str.lower(), [^a-z0-9]+ -> separator, stem tokens longer than 3 characters.
// Returns false, with `out` partly filled, when `text` is not valid UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF are invalid, as in text::FindInvalidUtf8).
[[nodiscard]] bool TokenizeInto(std::string_view text, Vocabulary& vocab, Workspace& ws,
                                std::vector<TokenId>& out) {
  // Map the text to [a-z0-9 ]: a UTF-8 sequence of L >= 2 bytes lowers to at most 3 code
  // points, so the mapped text is at most 1.5 times as long.
  std::vector<char>& mapped = ws.mapped;
  if (mapped.size() < text.size() * 2 + 1) mapped.resize(text.size() * 2 + 1);  // never shrinks
  char* w = mapped.data();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      *w++ = kAsciiMap[b];
      ++i;
      continue;
    }
    // Decode and validate one multi-byte sequence.
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    char32_t c = b & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
    for (std::size_t k = 1; k < len; ++k) c = (c << 6) | (p[i + k] & 0x3Fu);
    i += len;
    for (char m : ws.LowerNonAscii(c)) *w++ = m;
  }
  *w = ' ';  // sentinel
  const char* s = mapped.data();
  const char* end = w;
  while (s < end) {
    while (s < end && *s == ' ') ++s;
    if (s == end) break;
    const char* start = s;
    while (*s != ' ') ++s;  // stops at the sentinel
    if (auto id = vocab.Intern(std::string_view(start, static_cast<std::size_t>(s - start)))) {
      out.push_back(*id);
    }
  }
  return true;
}

// A text split into "\n"-separated sentences (empty ones dropped), each tokenized.
struct Sentences {
  std::vector<TokenId> ids;
  std::vector<std::size_t> starts;  // sentence k is ids[starts[k], starts[k + 1])

  std::size_t count() const { return starts.empty() ? 0 : starts.size() - 1; }
  std::span<const TokenId> sentence(std::size_t k) const {
    return std::span<const TokenId>(ids).subspan(starts[k], starts[k + 1] - starts[k]);
  }
};

// Returns false when `text` is not valid UTF-8.
[[nodiscard]] bool SplitSentences(std::string_view text, Vocabulary& vocab, Workspace& ws,
                                  Sentences& out) {
  out.ids.clear();
  out.starts.clear();
  out.starts.push_back(0);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) {  // rouge-score drops empty sentences (not whitespace-only ones)
      if (!TokenizeInto(text.substr(pos, end - pos), vocab, ws, out.ids)) return false;
      out.starts.push_back(out.ids.size());
    }
    pos = end + 1;
  }
  return true;
}

double FMeasure(double precision, double recall) {
  if (precision + recall > 0) return 2 * precision * recall / (precision + recall);
  return 0.0;
}

RougeScore MakeScore(std::size_t hits, std::size_t prediction_total, std::size_t target_total) {
  RougeScore s;
  s.precision = static_cast<double>(hits) / static_cast<double>(prediction_total);
  s.recall = static_cast<double>(hits) / static_cast<double>(target_total);
  s.fmeasure = FMeasure(s.precision, s.recall);
  return s;
}

// _score_ngrams(_create_ngrams(target, n), _create_ngrams(prediction, n)).
RougeScore NgramScore(std::span<const TokenId> target, std::span<const TokenId> prediction,
                      std::size_t n, std::size_t vocab_size, Workspace& ws) {
  if (ws.counts.size() < vocab_size) ws.counts.resize(vocab_size, 0);
  const std::size_t nt = target.size() >= n ? target.size() - n + 1 : 0;
  const std::size_t np = prediction.size() >= n ? prediction.size() - n + 1 : 0;
  std::size_t matches = 0;
  if (n == 1) {
    // Clipped unigram matches with a count per token id (reset after use).
    for (TokenId id : target) ++ws.counts[id];
    for (TokenId id : prediction) {
      if (ws.counts[id] > 0) {
        --ws.counts[id];
        ++matches;
      }
    }
    for (TokenId id : target) ws.counts[id] = 0;
  } else if (n == 2 && nt > 0 && np > 0) {
    // Bigrams packed into 64-bit keys, sorted, then merged.
    auto keys = [](std::span<const TokenId> seq, std::vector<std::uint64_t>& out) {
      out.resize(seq.size() - 1);
      for (std::size_t i = 0; i + 1 < seq.size(); ++i) {
        out[i] = (std::uint64_t{seq[i]} << 32) | seq[i + 1];
      }
      std::sort(out.begin(), out.end());
    };
    keys(target, ws.ka);
    keys(prediction, ws.kb);
    std::size_t i = 0, j = 0;
    while (i < nt && j < np) {
      if (ws.ka[i] < ws.kb[j]) {
        ++i;
      } else if (ws.kb[j] < ws.ka[i]) {
        ++j;
      } else {
        const std::uint64_t v = ws.ka[i];
        std::size_t ra = 0, rb = 0;
        while (i < nt && ws.ka[i] == v) ++i, ++ra;
        while (j < np && ws.kb[j] == v) ++j, ++rb;
        matches += std::min(ra, rb);
      }
    }
  } else if (nt > 0 && np > 0) {
    // Sort n-gram start positions lexicographically by their n token ids, then merge.
    auto compare = [n](std::span<const TokenId> x, std::size_t i, std::span<const TokenId> y,
                       std::size_t j) {
      for (std::size_t k = 0; k < n; ++k) {
        if (x[i + k] != y[j + k]) return x[i + k] < y[j + k] ? -1 : 1;
      }
      return 0;
    };
    auto sorted_starts = [&](std::span<const TokenId> seq, std::size_t count,
                             std::vector<std::size_t>& idx) {
      idx.resize(count);
      for (std::size_t i = 0; i < count; ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(),
                [&](std::size_t x, std::size_t y) { return compare(seq, x, seq, y) < 0; });
    };
    sorted_starts(target, nt, ws.ia);
    sorted_starts(prediction, np, ws.ib);
    std::size_t i = 0, j = 0;
    while (i < nt && j < np) {
      const int c = compare(target, ws.ia[i], prediction, ws.ib[j]);
      if (c < 0) {
        ++i;
      } else if (c > 0) {
        ++j;
      } else {
        const std::size_t a0 = ws.ia[i], b0 = ws.ib[j];
        std::size_t ra = 0, rb = 0;
        while (i < nt && compare(target, ws.ia[i], target, a0) == 0) ++i, ++ra;
        while (j < np && compare(prediction, ws.ib[j], prediction, b0) == 0) ++j, ++rb;
        matches += std::min(ra, rb);
      }
    }
  }
  return MakeScore(matches, std::max<std::size_t>(np, 1), std::max<std::size_t>(nt, 1));
}

// One step of the bit-parallel LCS recurrence for the match mask `m` of the next token of
// the other sequence: U = V & M; V = (V + U) | (V - U), with V - U = V & ~U (U is a subset of
// V) and the addition carried across words.
void LcsStep(std::uint64_t* v, const std::uint64_t* m, std::size_t words) {
  std::uint64_t carry = 0;
  for (std::size_t k = 0; k < words; ++k) {
    const std::uint64_t u = v[k] & m[k];
    const std::uint64_t x = v[k] + u;
    const std::uint64_t y = x + carry;
    carry = static_cast<std::uint64_t>(x < v[k]) | static_cast<std::uint64_t>(y < x);
    v[k] = y | (v[k] & ~u);
  }
}

// The number of zero bits among the first `bits` bits of v: the LCS length of the first
// `bits` tokens of the masked sequence and the tokens stepped through so far.
std::size_t ZerosBelow(const std::uint64_t* v, std::size_t bits) {
  std::size_t ones = 0;
  const std::size_t full = bits / 64;
  for (std::size_t k = 0; k < full; ++k) ones += static_cast<std::size_t>(std::popcount(v[k]));
  if (const std::size_t rem = bits % 64) {
    ones += static_cast<std::size_t>(std::popcount(v[full] & ((std::uint64_t{1} << rem) - 1)));
  }
  return bits - ones;
}

// Length of the longest common subsequence (bit-parallel over the shorter sequence).
std::size_t LcsLength(std::span<const TokenId> x, std::span<const TokenId> y,
                      std::size_t vocab_size, Workspace& ws) {
  if (x.size() > y.size()) std::swap(x, y);
  ws.masks.Build(x, vocab_size);
  const std::size_t words = ws.masks.words();
  ws.v.assign(words, ~std::uint64_t{0});
  for (TokenId id : y) {
    if (const std::uint64_t* m = ws.masks.Find(id)) LcsStep(ws.v.data(), m, words);
  }
  ws.masks.Clear();
  return ZerosBelow(ws.v.data(), x.size());
}

// _score_lcs(target, prediction).
RougeScore LcsScore(std::span<const TokenId> target, std::span<const TokenId> prediction,
                    std::size_t vocab_size, Workspace& ws) {
  if (target.empty() || prediction.empty()) return {};
  return MakeScore(LcsLength(target, prediction, vocab_size, ws), prediction.size(), target.size());
}

// Marks in ws.mark the positions of `ref` on the LCS that rouge-score's _backtrack_norec reads
// out of the full LCS table of (ref, can). ws.masks must hold the masks of `ref`. Column j of
// the bit-parallel state encodes column j of that table: t[i][j] = ZerosBelow(column j, i).
void MarkLcs(std::span<const TokenId> ref, std::span<const TokenId> can, Workspace& ws) {
  const std::size_t rows = ref.size(), cols = can.size();
  if (rows == 0 || cols == 0) return;
  const std::size_t words = ws.masks.words();
  ws.columns.assign((cols + 1) * words, ~std::uint64_t{0});
  std::uint64_t* c = ws.columns.data();
  for (std::size_t j = 1; j <= cols; ++j) {
    std::copy_n(c + (j - 1) * words, words, c + j * words);
    if (const std::uint64_t* m = ws.masks.Find(can[j - 1])) LcsStep(c + j * words, m, words);
  }
  auto t = [&](std::size_t i, std::size_t j) { return ZerosBelow(c + j * words, i); };
  std::size_t i = rows, j = cols;
  while (i > 0 && j > 0) {
    if (ref[i - 1] == can[j - 1]) {
      ws.mark[i - 1] = 1;
      --i;
      --j;
    } else if (t(i, j - 1) > t(i - 1, j)) {
      --j;
    } else {
      --i;
    }
  }
}

// _summary_level_lcs(target sentences, prediction sentences).
RougeScore LcsSumScore(const Sentences& target, const Sentences& prediction, std::size_t vocab_size,
                       Workspace& ws) {
  if (target.count() == 0 || prediction.count() == 0) return {};
  const std::size_t m = target.ids.size(), n = prediction.ids.size();
  if (m == 0 || n == 0) return {};
  if (ws.count_r.size() < vocab_size) {
    ws.count_r.resize(vocab_size, 0);
    ws.count_c.resize(vocab_size, 0);
  }
  for (TokenId id : target.ids) ++ws.count_r[id];
  for (TokenId id : prediction.ids) ++ws.count_c[id];

  std::size_t hits = 0;
  for (std::size_t r = 0; r < target.count(); ++r) {
    const auto ref = target.sentence(r);
    ws.mark.assign(ref.size(), 0);
    ws.masks.Build(ref, vocab_size);
    for (std::size_t c = 0; c < prediction.count(); ++c) MarkLcs(ref, prediction.sentence(c), ws);
    ws.masks.Clear();
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (!ws.mark[i]) continue;
      const TokenId t = ref[i];
      if (ws.count_c[t] > 0 && ws.count_r[t] > 0) {
        ++hits;
        --ws.count_c[t];
        --ws.count_r[t];
      }
    }
  }
  // Reset the budgets of the ids this segment touched.
  for (TokenId id : target.ids) ws.count_r[id] = 0;
  for (TokenId id : prediction.ids) ws.count_c[id] = 0;
  return MakeScore(hits, n, m);
}

// A tokenized text: its "\n"-separated sentences, whose concatenation is the token list of
// the whole text (newlines are separators, and dropped empty sentences have no tokens).
class Scorer {
 public:
  explicit Scorer(bool use_stemmer) : vocab_(use_stemmer, false) {}

  // Both return false when the text is not valid UTF-8.
  [[nodiscard]] bool SetPrediction(std::string_view text) {
    return SplitSentences(text, vocab_, ws_, pred_);
  }
  [[nodiscard]] bool SetTarget(std::string_view text) {
    return SplitSentences(text, vocab_, ws_, target_);
  }

  // The `kind` score of the current target and prediction (n = n-gram order for rougeN).
  RougeScore Score(Rouge::Kind kind, std::size_t n) {
    switch (kind) {
      case Rouge::Kind::kLcsSum:
        return LcsSumScore(target_, pred_, vocab_.size(), ws_);
      case Rouge::Kind::kLcs:
        return LcsScore(target_.ids, pred_.ids, vocab_.size(), ws_);
      case Rouge::Kind::kNgram:
        break;
    }
    return NgramScore(target_.ids, pred_.ids, n, vocab_.size(), ws_);
  }

 private:
  Vocabulary vocab_;
  Workspace ws_;
  Sentences pred_, target_;
};

// The byte offset of the first ill-formed UTF-8 sequence of `s`, or nullopt. ASCII text, the
// common case, is cleared eight bytes at a time.
std::optional<std::size_t> InvalidUtf8At(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) return text::FindInvalidUtf8(s);
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return text::FindInvalidUtf8(s);
  }
  return std::nullopt;
}

// The error for invalid UTF-8 at `offset` of the text that `describe()` names.
template <typename Describe>
std::optional<Error> CheckUtf8(std::string_view s, Describe describe) {
  if (auto bad = InvalidUtf8At(s)) {
    return Error(ErrorCode::kParse, describe() + ": invalid UTF-8 at byte " + std::to_string(*bad) +
                                        ": expected UTF-8 text");
  }
  return std::nullopt;
}

// The error for a text the tokenizer found to be invalid UTF-8.
template <typename Describe>
Error InvalidUtf8Error(std::string_view s, Describe describe) {
  if (auto err = CheckUtf8(s, describe)) return *err;
  return Error(ErrorCode::kInternal, describe() + ": UTF-8 validators disagree");
}

std::optional<Error> CheckUtf8(std::string_view s, const char* what) {
  return CheckUtf8(s, [what] { return std::string(what); });
}

std::string Fixed4(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

Result<std::vector<std::string>> RougeTokenize(std::string_view text, bool use_stemmer) {
  if (auto err = CheckUtf8(text, "ROUGE tokenize")) return std::unexpected(*err);
  Vocabulary vocab(use_stemmer, true);
  Workspace ws;
  std::vector<TokenId> ids;
  if (!TokenizeInto(text, vocab, ws, ids)) {
    return MakeError(ErrorCode::kInternal, "ROUGE tokenize: UTF-8 check disagreement");
  }
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (TokenId id : ids) out.push_back(vocab.text(id));
  return out;
}

Result<std::unique_ptr<Rouge>> Rouge::Create(const RougeOptions& options) {
  if (options.split_summaries) {
    return MakeError(ErrorCode::kUnsupported,
                     "ROUGE: split_summaries=true needs nltk's Punkt sentence tokenizer, which "
                     "Yardstick does not ship; put one sentence per line instead (rougeLsum "
                     "splits on newlines)");
  }
  const std::string& type = options.rouge_type;
  if (type == "rougeL") return std::unique_ptr<Rouge>(new Rouge(options, Kind::kLcs, 0));
  if (type == "rougeLsum") return std::unique_ptr<Rouge>(new Rouge(options, Kind::kLcsSum, 0));
  if (type.size() == 6 && type.starts_with("rouge") && type[5] >= '1' && type[5] <= '9') {
    return std::unique_ptr<Rouge>(
        new Rouge(options, Kind::kNgram, static_cast<std::size_t>(type[5] - '0')));
  }
  return MakeError(
      ErrorCode::kInvalidArgument,
      "ROUGE: unknown rouge_type '" + type + "': expected rouge1 .. rouge9, rougeL or rougeLsum");
}

Signature Rouge::signature(std::size_t num_refs) const {
  Signature sig(num_refs);
  sig.Set("type", options_.rouge_type, "t");
  sig.Set("stem", options_.use_stemmer, "s");
  sig.Set("split", options_.split_summaries, "sp");
  return sig;
}

Result<RougeScore> Rouge::ScorePair(std::string_view target, std::string_view prediction) const {
  if (auto err = CheckUtf8(target, "ROUGE: target")) return std::unexpected(*err);
  if (auto err = CheckUtf8(prediction, "ROUGE: prediction")) return std::unexpected(*err);
  Scorer scorer(options_.use_stemmer);
  if (!scorer.SetPrediction(prediction) || !scorer.SetTarget(target)) {
    return MakeError(ErrorCode::kInternal, "ROUGE: UTF-8 check disagreement");
  }
  return scorer.Score(kind_, n_);
}

Result<RougeScore> Rouge::ScoreMulti(std::span<const std::string> targets,
                                     std::string_view prediction) const {
  if (targets.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "ROUGE: no targets: expected at least one");
  }
  for (std::size_t k = 0; k < targets.size(); ++k) {
    if (auto err = CheckUtf8(targets[k], [k] { return "ROUGE: target " + std::to_string(k); })) {
      return std::unexpected(*err);
    }
  }
  if (auto err = CheckUtf8(prediction, "ROUGE: prediction")) return std::unexpected(*err);
  Scorer scorer(options_.use_stemmer);
  if (!scorer.SetPrediction(prediction)) {
    return MakeError(ErrorCode::kInternal, "ROUGE: UTF-8 check disagreement");
  }
  RougeScore best;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    if (!scorer.SetTarget(targets[k])) {
      return MakeError(ErrorCode::kInternal, "ROUGE: UTF-8 check disagreement");
    }
    const RougeScore s = scorer.Score(kind_, n_);
    if (k == 0 || s.fmeasure > best.fmeasure) best = s;  // np.argmax: first maximum
  }
  return best;
}

Result<stats::SegmentStats> Rouge::ComputeSegmentStats(std::span<const std::string> hyps,
                                                       const ReferenceStreams& refs) const {
  const Rouge* self = this;
  auto many = ComputeSegmentStatsMany(std::span<const Rouge* const>(&self, 1), hyps, refs);
  if (!many) return std::unexpected(many.error());
  return std::move(many->front());
}

Result<std::vector<stats::SegmentStats>> Rouge::ComputeSegmentStatsMany(
    std::span<const Rouge* const> metrics, std::span<const std::string> hyps,
    const ReferenceStreams& refs) {
  if (metrics.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "ROUGE: no metrics: expected at least one");
  }
  std::string label = "ROUGE(";
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    label += (m ? "," : "") + metrics[m]->options_.rouge_type;
    if (metrics[m]->options_.use_stemmer != metrics[0]->options_.use_stemmer) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "ROUGE: metrics computed together must agree on use_stemmer");
    }
  }
  label += ")";
  if (auto error = CheckCorpusShape(label, hyps, refs)) return std::unexpected(*error);
  std::vector<stats::SegmentStats> out(metrics.size(), stats::SegmentStats(kStatsWidth));
  Scorer scorer(metrics[0]->options_.use_stemmer);
  std::vector<RougeScore> best(metrics.size());
  for (std::size_t seg = 0; seg < hyps.size(); ++seg) {
    auto where = [&] { return label + ": segment " + std::to_string(seg); };
    // Tokenizing validates UTF-8; the error message names the first bad byte.
    if (!scorer.SetPrediction(hyps[seg])) {
      return std::unexpected(InvalidUtf8Error(hyps[seg], [&] { return where() + ": hypothesis"; }));
    }
    bool first = true;
    for (std::size_t k = 0; k < refs.size(); ++k) {
      if (!refs[k][seg]) continue;
      if (!scorer.SetTarget(*refs[k][seg])) {
        return std::unexpected(InvalidUtf8Error(
            *refs[k][seg], [&] { return where() + ": reference " + std::to_string(k); }));
      }
      for (std::size_t m = 0; m < metrics.size(); ++m) {
        const RougeScore s = scorer.Score(metrics[m]->kind_, metrics[m]->n_);
        // score_multi: each type keeps the reference with its first maximal F-measure.
        if (first || s.fmeasure > best[m].fmeasure) best[m] = s;
      }
      first = false;
    }
    if (first) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where() + " has no reference: all reference streams are missing it");
    }
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      auto row = out[m].AddRow();
      row[0] = best[m].precision;
      row[1] = best[m].recall;
      row[2] = best[m].fmeasure;
      row[3] = 1;
    }
  }
  return out;
}

double Rouge::ValueFromStats(std::span<const double> stats) const {
  if (stats.size() < kStatsWidth || stats[3] <= 0) return 0;
  return stats[2] / stats[3];
}

Score Rouge::ScoreFromStats(std::span<const double> stats) const {
  Score score;
  score.name = options_.rouge_type;
  double p = 0, r = 0, f = 0, count = 0;
  if (stats.size() >= kStatsWidth && stats[3] > 0) {
    count = stats[3];
    p = stats[0] / count;
    r = stats[1] / count;
    f = stats[2] / count;
  }
  score.value = f;
  score.details = {{"precision", p}, {"recall", r}, {"fmeasure", f}, {"segments", count}};
  score.verbose = options_.rouge_type + " = " + Fixed4(f) + " (P = " + Fixed4(p) +
                  ", R = " + Fixed4(r) +
                  ", segments = " + std::to_string(static_cast<long long>(count)) + ")";
  return score;
}

}  // namespace yardstick::metrics

#include "metrics/chrf.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

// Maps pairs (a, b) of a 32-bit value and a value below 2^24 to dense ids 0, 1, 2, ...
// Chaining it gives exact ids of sequences: id(s + c) = Intern(id(s), c), starting from kRoot.
// N-gram ids are built this way from (n-1)-gram ids, so equal ids mean equal n-grams, with no
// hashing of strings and no collisions.
//
// Open addressing with linear probing over 64-bit keys a << 32 | generation << 24 | b: a slot
// whose generation is not the current one is empty, so Reset() is O(1) (the table is wiped
// once every 255 generations). The table is kept at most 1/8 full; short probe sequences
// matter more here than its size.
class PairInterner {
 public:
  static constexpr std::uint32_t kRoot = 0xFFFFFFFFu;
  static constexpr std::uint32_t kMaxValue = (1u << 24) - 1;  // the largest b

  // Starts an empty id space that can hold `capacity` distinct pairs.
  void Reset(std::size_t capacity) {
    std::size_t slots = 64;
    int bits = 6;
    while (slots < 8 * capacity) {
      slots *= 2;
      ++bits;
    }
    if (keys_.size() < slots) {
      keys_.assign(slots, 0);
      ids_.resize(slots);
      generation_ = 0;
    }
    shift_ = 64 - bits;
    mask_ = slots - 1;
    if (++generation_ == 256) {
      std::fill(keys_.begin(), keys_.end(), 0);
      generation_ = 1;
    }
    tag_ = static_cast<std::uint64_t>(generation_) << 24;
    next_id_ = 0;
  }

  std::uint32_t Intern(std::uint32_t a, std::uint32_t b) {
    const std::uint64_t key = (static_cast<std::uint64_t>(a) << 32) | b;
    const std::uint64_t tagged = key | tag_;
    std::size_t pos = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    while (true) {
      const std::uint64_t k = keys_[pos];
      if (k == tagged) return ids_[pos];
      if ((k & kTagMask) != tag_) {
        keys_[pos] = tagged;
        ids_[pos] = next_id_;
        return next_id_++;
      }
      pos = (pos + 1) & mask_;
    }
  }

  std::uint32_t size() const { return next_id_; }

 private:
  static constexpr std::uint64_t kTagMask = 0xFF000000ull;
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> ids_;
  std::size_t mask_ = 0;
  int shift_ = 58;
  std::uint32_t generation_ = 0;
  std::uint64_t tag_ = 0;
  std::uint32_t next_id_ = 0;
};

// Maps the words of one segment to dense ids (equal strings, equal ids). The views must stay
// valid until the next Reset().
class WordInterner {
 public:
  void Reset(std::size_t capacity) {
    std::size_t slots = 64;
    while (slots < 4 * capacity) slots *= 2;
    if (slots_.size() < slots) {
      slots_.assign(slots, Slot{});
      generation_ = 0;
    }
    mask_ = slots - 1;
    if (++generation_ == 0) {
      for (auto& s : slots_) s.generation = 0;
      generation_ = 1;
    }
    next_id_ = 0;
  }

  std::uint32_t Intern(std::u32string_view word) {
    std::uint64_t hash = 0x9E3779B97F4A7C15ull ^ word.size();
    for (char32_t c : word) hash = (hash ^ c) * 0xFF51AFD7ED558CCDull;
    hash ^= hash >> 29;
    std::size_t pos = static_cast<std::size_t>(hash) & mask_;
    while (true) {
      Slot& slot = slots_[pos];
      if (slot.generation != generation_) {
        slot = Slot{word, hash, next_id_, generation_};
        return next_id_++;
      }
      if (slot.hash == hash && slot.word == word) return slot.id;
      pos = (pos + 1) & mask_;
    }
  }

 private:
  struct Slot {
    std::u32string_view word;
    std::uint64_t hash = 0;
    std::uint32_t id = 0;
    std::uint32_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::uint32_t generation_ = 0;
  std::uint32_t next_id_ = 0;
};

// Sequences of one segment (the hypothesis, then each reference), concatenated.
struct Parts {
  std::vector<std::uint32_t> elems;
  std::vector<std::uint32_t> ids;  // n-gram ids, rewritten in place for each order
  std::vector<std::size_t> offset;
  std::vector<std::size_t> length;

  void Clear() {
    elems.clear();
    offset.clear();
    length.clear();
  }
  void BeginPart() {
    offset.push_back(elems.size());
    length.push_back(0);
  }
  void Push(std::uint32_t e) {
    elems.push_back(e);
    ++length.back();
  }
};

// Working memory reused across the segments of one ComputeSegmentStats call.
struct Workspace {
  std::vector<std::u32string> texts;  // decoded (and lowercased) hypothesis, then references
  Parts chars;
  Parts words;
  PairInterner interner;
  WordInterner words_interner;
  std::vector<std::u32string_view> words_split;  // str.split() of every part, into `texts`
  std::vector<std::size_t> word_parts;           // first word of each part, then the end
  std::vector<std::u32string_view> tokens;       // _remove_punctuation() of those words
  std::vector<std::size_t> token_parts;          // first token of each part, then the end
  std::vector<std::int32_t> counts;              // all zero between uses
  std::vector<double> ref_stats;                 // num_refs rows of the segment statistics
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

std::size_t Windows(std::size_t length, std::size_t n) { return length >= n ? length - n + 1 : 0; }

// Appends the characters of `text` to the current part of `chars` (all of them when
// `keep_whitespace`, else those that are not str.isspace(), as ''.join(text.split())) and,
// when kWords, the words of text.split() to `words`.
template <bool kWords>
void ScanText(std::u32string_view text, bool want_chars, bool keep_whitespace, Parts& chars,
              std::vector<std::u32string_view>& words) {
  std::vector<std::uint32_t>& elems = chars.elems;
  const std::size_t begin = elems.size();
  if (want_chars) elems.resize(begin + text.size());
  std::size_t end = begin;
  const std::size_t none = text.size();  // word_start when not inside a word
  std::size_t word_start = none;
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char32_t c = text[k];
    const bool space = IsPythonSpace(c);
    if (want_chars) {
      elems[end] = c;
      end += keep_whitespace || !space ? 1 : 0;
    }
    if constexpr (kWords) {
      if (!space && word_start == none) {
        word_start = k;
      } else if (space && word_start != none) {
        words.push_back(text.substr(word_start, k - word_start));
        word_start = none;
      }
    }
  }
  if (kWords && word_start != none) words.push_back(text.substr(word_start));
  elems.resize(end);
  chars.length.back() = end - begin;
}

// Fills the statistics of orders 1..max_order of every reference (parts 1..) against the
// hypothesis (part 0) at column `first_column` of each row of `ws.ref_stats` (`width` per row):
// sacrebleu's _get_match_statistics, [hyp n-grams (0 when the reference has none),
// ref n-grams, clipped matches]. The n-gram counts follow from the lengths; only the matches
// need the n-grams themselves.
void MatchOrders(Parts& parts, int max_order, Workspace& ws, std::size_t width,
                 std::size_t first_column) {
  PairInterner& interner = ws.interner;
  std::vector<std::int32_t>& counts = ws.counts;
  const std::size_t num_parts = parts.offset.size();
  parts.ids.resize(parts.elems.size());

  // Replaces the (n-1)-gram ids of part p's windows by n-gram ids, calling visit(id) on each.
  auto extend = [&](std::size_t p, std::size_t n, auto visit) {
    const std::size_t w = Windows(parts.length[p], n);
    std::uint32_t* ids = parts.ids.data() + parts.offset[p];
    const std::uint32_t* last = parts.elems.data() + parts.offset[p] + (n - 1);
    for (std::size_t i = 0; i < w; ++i) {
      ids[i] = interner.Intern(n == 1 ? PairInterner::kRoot : ids[i], last[i]);
      visit(ids[i]);
    }
  };
  // Clipped matching, branch-free: a hypothesis n-gram matches while the reference has copies.
  std::size_t matches = 0;
  auto count_ref = [&](std::uint32_t id) { ++counts[id]; };
  auto match_hyp = [&](std::uint32_t id) {
    std::int32_t& c = counts[id];
    const int hit = c > 0 ? 1 : 0;
    c -= hit;
    matches += static_cast<std::size_t>(hit);
  };

  bool matching = true;  // false once no order can match any more
  for (int order = 1; order <= max_order; ++order) {
    const auto n = static_cast<std::size_t>(order);
    const std::size_t hyp_windows = Windows(parts.length[0], n);
    std::size_t total_windows = 0;
    std::size_t max_ref_windows = 0;
    for (std::size_t p = 0; p < num_parts; ++p) {
      const std::size_t w = Windows(parts.length[p], n);
      total_windows += w;
      if (p > 0) max_ref_windows = std::max(max_ref_windows, w);
    }
    if (hyp_windows == 0 || max_ref_windows == 0) matching = false;
    const std::size_t column = first_column + 3 * (n - 1);

    for (std::size_t p = 1; p < num_parts; ++p) {
      const std::size_t ref_windows = Windows(parts.length[p], n);
      double* row = ws.ref_stats.data() + (p - 1) * width + column;
      row[0] = ref_windows > 0 ? static_cast<double>(hyp_windows) : 0.0;
      row[1] = static_cast<double>(ref_windows);
      row[2] = 0.0;
    }
    if (!matching) continue;

    interner.Reset(total_windows);
    if (counts.size() < total_windows) counts.resize(total_windows, 0);
    if (num_parts == 2) {
      // One reference (the common case): count while interning.
      matches = 0;
      extend(1, n, count_ref);
      extend(0, n, match_hyp);
      ws.ref_stats[column + 2] = static_cast<double>(matches);
      std::fill(counts.begin(), counts.begin() + interner.size(), 0);
      continue;
    }
    for (std::size_t p = 0; p < num_parts; ++p) extend(p, n, [](std::uint32_t) {});
    const std::uint32_t* hyp_ids = parts.ids.data() + parts.offset[0];
    for (std::size_t p = 1; p < num_parts; ++p) {
      const std::size_t ref_windows = Windows(parts.length[p], n);
      const std::uint32_t* ref_ids = parts.ids.data() + parts.offset[p];
      matches = 0;
      for (std::size_t i = 0; i < ref_windows; ++i) count_ref(ref_ids[i]);
      for (std::size_t i = 0; i < hyp_windows; ++i) match_hyp(hyp_ids[i]);
      for (std::size_t i = 0; i < ref_windows; ++i) counts[ref_ids[i]] = 0;
      ws.ref_stats[(p - 1) * width + column + 2] = static_cast<double>(matches);
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
  const std::size_t char_width = 3 * static_cast<std::size_t>(options_.char_order);
  const std::size_t order = static_cast<std::size_t>(options_.char_order + options_.word_order);
  stats::SegmentStats out(width);
  Workspace ws;
  ws.texts.resize(refs.size() + 1);

  auto load = [&](const std::string& utf8, std::u32string& text) -> std::optional<Error> {
    auto decoded = text::DecodeUtf8(utf8);
    if (!decoded) return decoded.error();
    text = options_.lowercase ? text::Lower(*decoded) : std::move(*decoded);
    return std::nullopt;
  };

  for (std::size_t i = 0; i < hyps.size(); ++i) {
    if (auto err = load(hyps[i], ws.texts[0])) {
      return MakeError(ErrorCode::kParse,
                       metric + ": hypothesis " + std::to_string(i) + ": " + err->message());
    }
    std::size_t num_parts = 1;
    for (std::size_t k = 0; k < refs.size(); ++k) {
      const auto& ref = refs[k][i];
      if (!ref.has_value()) continue;
      if (auto err = load(*ref, ws.texts[num_parts])) {
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

    // One pass per text: the character sequence (''.join(line.split()) unless whitespace is
    // kept) and the str.split() words.
    const bool want_chars = options_.char_order > 0;
    const bool want_words = options_.word_order > 0;
    ws.chars.Clear();
    ws.words_split.clear();
    ws.word_parts.clear();
    for (std::size_t p = 0; p < num_parts; ++p) {
      const std::u32string_view text = ws.texts[p];
      ws.chars.BeginPart();
      ws.word_parts.push_back(ws.words_split.size());
      if (want_words) {
        ScanText<true>(text, want_chars, options_.whitespace, ws.chars, ws.words_split);
      } else {
        ScanText<false>(text, want_chars, options_.whitespace, ws.chars, ws.words_split);
      }
    }
    ws.word_parts.push_back(ws.words_split.size());

    // Word sequences: sacrebleu's _remove_punctuation() tokens of each word, as word ids.
    if (want_words) {
      ws.tokens.clear();
      ws.token_parts.clear();
      for (std::size_t p = 0; p < num_parts; ++p) {
        ws.token_parts.push_back(ws.tokens.size());
        for (std::size_t t = ws.word_parts[p]; t < ws.word_parts[p + 1]; ++t) {
          const std::u32string_view w = ws.words_split[t];
          if (w.size() == 1) {
            ws.tokens.push_back(w);
          } else if (IsAsciiPunct(w.back())) {  // '(hi)' -> '(hi', ')'
            ws.tokens.push_back(w.substr(0, w.size() - 1));
            ws.tokens.push_back(w.substr(w.size() - 1));
          } else if (IsAsciiPunct(w.front())) {
            ws.tokens.push_back(w.substr(0, 1));
            ws.tokens.push_back(w.substr(1));
          } else {
            ws.tokens.push_back(w);
          }
        }
      }
      ws.token_parts.push_back(ws.tokens.size());
      if (ws.tokens.size() > PairInterner::kMaxValue) {
        return MakeError(ErrorCode::kUnsupported,
                         metric + ": segment " + std::to_string(i) + " has more than " +
                             std::to_string(PairInterner::kMaxValue) + " words");
      }
      ws.words.Clear();
      ws.words_interner.Reset(ws.tokens.size());
      for (std::size_t p = 0; p < num_parts; ++p) {
        ws.words.BeginPart();
        for (std::size_t t = ws.token_parts[p]; t < ws.token_parts[p + 1]; ++t) {
          ws.words.Push(ws.words_interner.Intern(ws.tokens[t]));
        }
      }
    }

    ws.ref_stats.assign(num_refs * width, 0.0);
    if (options_.char_order > 0) {
      MatchOrders(ws.chars, options_.char_order, ws, width, 0);
    }
    if (options_.word_order > 0) {
      MatchOrders(ws.words, options_.word_order, ws, width, char_width);
    }

    // The reference with the best sentence-level score; the first one on ties.
    std::size_t best = 0;
    if (num_refs > 1) {
      double best_f = -1.0;
      for (std::size_t r = 0; r < num_refs; ++r) {
        const double f = ComputeFScore({ws.ref_stats.data() + r * width, width}, order,
                                       options_.beta, options_.eps_smoothing);
        if (f > best_f) {
          best_f = f;
          best = r;
        }
      }
    }
    out.AddRow({ws.ref_stats.data() + best * width, width});
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

#include "metrics/ter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

// sacrebleu lib_ter.py constants.
constexpr int kMaxShiftSize = 10;
constexpr int kMaxShiftDist = 50;
constexpr int kBeamWidth = 25;
constexpr int kMaxShiftCandidates = 1000;
// Stands for sacrebleu's _INT_INFINITY (1e16): real costs never come near it and kInf plus a
// few unit costs still fits, so every comparison resolves as in Python.
constexpr std::int32_t kInf = 1 << 30;

constexpr char kOpNop = ' ';
constexpr char kOpSub = 's';
constexpr char kOpIns = 'i';
constexpr char kOpDel = 'd';
constexpr char kOpUndef = 'x';

// sacrebleu's BeamEditDistance for one reference and one hypothesis length (every shifted
// hypothesis has the length of the original, so the beam is fixed). sacrebleu caches matrix rows
// in a trie keyed by hypothesis prefixes; a row depends only on the prefix, so the cache never
// changes results. Here the rows of the last full computation are kept, and a later hypothesis
// starts from the rows of its common prefix with that one.
class BeamEditDistance {
 public:
  BeamEditDistance(std::span<const std::int32_t> ref, std::size_t n_hyp)
      : ref_(ref), width_(ref.size() + 1), n_hyp_(n_hyp) {
    const double length_ratio =
        n_hyp == 0 ? 1.0 : static_cast<double>(ref.size()) / static_cast<double>(n_hyp);
    long beam_width = kBeamWidth;
    if (kBeamWidth < length_ratio / 2) {
      beam_width = static_cast<long>(std::ceil(length_ratio / 2 + kBeamWidth));
    }
    const long n_ref = static_cast<long>(ref.size());
    min_j_.assign(n_hyp + 1, 0);
    max_j_.assign(n_hyp + 1, 0);
    for (std::size_t i = 1; i <= n_hyp; ++i) {
      const long pseudo_diag = static_cast<long>(std::floor(static_cast<double>(i) * length_ratio));
      const long lo = std::max(0L, pseudo_diag - beam_width);
      long hi = std::min(n_ref + 1, pseudo_diag + beam_width);
      if (i == n_hyp) hi = n_ref + 1;
      min_j_[i] = static_cast<std::size_t>(lo);
      max_j_[i] = static_cast<std::size_t>(std::max(lo, hi));
    }
    cost_.assign((n_hyp + 1) * width_, kInf);
    op_.assign((n_hyp + 1) * width_, kOpUndef);
    for (std::size_t j = 0; j < width_; ++j) {
      cost_[j] = static_cast<std::int32_t>(j);
      op_[j] = kOpIns;
    }
    rows_a_.resize(width_);
    rows_b_.resize(width_);
  }

  // Computes the full matrix for `hyp` and returns the distance, writing the operations of the
  // optimal path (first to last, sacrebleu's trace string) into `trace`. Returns -1 when the
  // beam left the end cell unreachable (sacrebleu raises "unknown operation 'x'").
  std::int32_t Full(std::span<const std::int32_t> hyp, std::vector<char>& trace) {
    const std::size_t start = has_last_ ? CommonPrefix(hyp) : 0;
    for (std::size_t i = start + 1; i <= n_hyp_; ++i) {
      ComputeRow(i, hyp[i - 1], &cost_[(i - 1) * width_], &cost_[i * width_], &op_[i * width_]);
    }
    last_.assign(hyp.begin(), hyp.end());
    has_last_ = true;

    trace.clear();
    std::size_t i = n_hyp_;
    std::size_t j = width_ - 1;
    while (i > 0 || j > 0) {
      const char op = op_[i * width_ + j];
      trace.push_back(op);
      if (op == kOpSub || op == kOpNop) {
        --i;
        --j;
      } else if (op == kOpIns) {
        --j;
      } else if (op == kOpDel) {
        --i;
      } else {
        return -1;
      }
    }
    std::reverse(trace.begin(), trace.end());
    return cost_[n_hyp_ * width_ + width_ - 1];
  }

  // The distance of `hyp`, reusing the rows of the last Full() input for the common prefix.
  std::int32_t Cost(std::span<const std::int32_t> hyp) {
    const std::size_t start = CommonPrefix(hyp);
    if (start == n_hyp_) return cost_[n_hyp_ * width_ + width_ - 1];
    const std::int32_t* prev = &cost_[start * width_];
    std::int32_t* cur = rows_a_.data();
    std::int32_t* other = rows_b_.data();
    for (std::size_t i = start + 1; i <= n_hyp_; ++i) {
      ComputeRow(i, hyp[i - 1], prev, cur, nullptr);
      prev = cur;
      std::swap(cur, other);
    }
    return prev[width_ - 1];
  }

 private:
  std::size_t CommonPrefix(std::span<const std::int32_t> hyp) const {
    std::size_t p = 0;
    while (p < n_hyp_ && hyp[p] == last_[p]) ++p;
    return p;
  }

  // Row i of sacrebleu's _edit_distance: cells outside [min_j, max_j) stay (infinity, 'x');
  // ties prefer no-op/substitution, then deletion, then insertion.
  void ComputeRow(std::size_t i, std::int32_t word, const std::int32_t* prev, std::int32_t* cur,
                  char* ops) const {
    std::fill(cur, cur + width_, kInf);
    if (ops != nullptr) std::fill(ops, ops + width_, kOpUndef);
    std::size_t j = min_j_[i];
    const std::size_t end = max_j_[i];
    if (j == 0 && end > 0) {
      cur[0] = prev[0] + 1;
      if (ops != nullptr) ops[0] = kOpDel;
      j = 1;
    }
    for (; j < end; ++j) {
      const bool same = word == ref_[j - 1];
      std::int32_t best = kInf;
      char op = kOpUndef;
      const std::int32_t sub = prev[j - 1] + (same ? 0 : 1);
      if (best > sub) {
        best = sub;
        op = same ? kOpNop : kOpSub;
      }
      const std::int32_t del = prev[j] + 1;
      if (best > del) {
        best = del;
        op = kOpDel;
      }
      const std::int32_t ins = cur[j - 1] + 1;
      if (best > ins) {
        best = ins;
        op = kOpIns;
      }
      cur[j] = best;
      if (ops != nullptr) ops[j] = op;
    }
  }

  std::span<const std::int32_t> ref_;
  std::size_t width_;  // ref.size() + 1
  std::size_t n_hyp_;
  std::vector<std::size_t> min_j_, max_j_;
  std::vector<std::int32_t> cost_;  // (n_hyp + 1) x width_, row-major
  std::vector<char> op_;
  std::vector<std::int32_t> rows_a_, rows_b_;
  std::vector<std::int32_t> last_;
  bool has_last_ = false;
};

// words[a:b] with Python's slice clamping, appended to `out`.
void AppendSlice(std::span<const std::int32_t> words, long a, long b,
                 std::vector<std::int32_t>& out) {
  const long n = static_cast<long>(words.size());
  a = std::clamp(a, 0L, n);
  b = std::clamp(b, 0L, n);
  if (a < b) out.insert(out.end(), words.begin() + a, words.begin() + b);
}

// lib_ter._perform_shift: moves words[start:start+length] to before position `target`.
void PerformShift(std::span<const std::int32_t> words, long start, long length, long target,
                  std::vector<std::int32_t>& out) {
  out.clear();
  const long n = static_cast<long>(words.size());
  if (target < start) {
    AppendSlice(words, 0, target, out);
    AppendSlice(words, start, start + length, out);
    AppendSlice(words, target, start, out);
    AppendSlice(words, start + length, n, out);
  } else if (target > start + length) {
    AppendSlice(words, 0, start, out);
    AppendSlice(words, start + length, target, out);
    AppendSlice(words, start, start + length, out);
    AppendSlice(words, target, n, out);
  } else {
    AppendSlice(words, 0, start, out);
    AppendSlice(words, start + length, length + target, out);
    AppendSlice(words, start, start + length, out);
    AppendSlice(words, length + target, n, out);
  }
}

struct ShiftResult {
  bool failed = false;         // the beam search failed (sacrebleu raises)
  std::int32_t score = 0;      // gain of the best shift (0 when there is none)
  std::int32_t pre_score = 0;  // edit distance of the unshifted hypothesis
};

// lib_ter._shift: the best shift of `words_h`, written to `best_words` when one exists.
class Shifter {
 public:
  Shifter(std::span<const std::int32_t> ref, std::size_t n_hyp) : ref_(ref), ed_(ref, n_hyp) {}

  ShiftResult Shift(std::span<const std::int32_t> words_h, int& checked_candidates,
                    std::vector<std::int32_t>& best_words) {
    ShiftResult result;
    const std::int32_t pre_score = ed_.Full(words_h, trace_);
    if (pre_score < 0) {
      result.failed = true;
      return result;
    }
    result.pre_score = pre_score;

    // The trace rewrites the hypothesis into the reference; flipping insertions and deletions
    // gives the recipe from the reference to the hypothesis, which trace_to_alignment reads.
    const std::size_t n_h = words_h.size();
    const std::size_t n_r = ref_.size();
    align_.assign(n_r, 0);
    ref_err_.clear();
    hyp_err_.clear();
    long pos_hyp = -1;
    long pos_ref = -1;
    for (char op : trace_) {
      if (op == kOpNop || op == kOpSub) {
        ++pos_hyp;
        ++pos_ref;
        align_[static_cast<std::size_t>(pos_ref)] = pos_hyp;
        const char err = op == kOpSub ? 1 : 0;
        hyp_err_.push_back(err);
        ref_err_.push_back(err);
      } else if (op == kOpDel) {  // flipped: an insertion into the hypothesis
        ++pos_hyp;
        hyp_err_.push_back(1);
      } else {  // kOpIns, flipped: a deletion of a reference word
        ++pos_ref;
        align_[static_cast<std::size_t>(pos_ref)] = pos_hyp;
        ref_err_.push_back(1);
      }
    }

    bool have_best = false;
    std::tuple<std::int32_t, long, long, long> best{};
    // _find_shifted_pairs, consumed lazily; stops once the candidate budget is spent.
    bool exhausted = false;
    for (std::size_t start_h = 0; start_h < n_h && !exhausted; ++start_h) {
      for (std::size_t start_r = 0; start_r < n_r && !exhausted; ++start_r) {
        const long dist = static_cast<long>(start_r) - static_cast<long>(start_h);
        if (dist > kMaxShiftDist || dist < -kMaxShiftDist) continue;
        std::size_t length = 0;
        while (words_h[start_h + length] == ref_[start_r + length] &&
               length < static_cast<std::size_t>(kMaxShiftSize)) {
          ++length;
          exhausted = TryCandidate(words_h, pre_score, start_h, start_r, length, checked_candidates,
                                   have_best, best, best_words);
          if (exhausted) break;
          if (n_h == start_h + length || n_r == start_r + length) break;
        }
      }
    }
    if (have_best) result.score = std::get<0>(best);
    return result;
  }

 private:
  // One (start_h, start_r, length) of _shift's loop; returns true when the candidate budget is
  // exhausted after it.
  bool TryCandidate(std::span<const std::int32_t> words_h, std::int32_t pre_score,
                    std::size_t start_h, std::size_t start_r, std::size_t length,
                    int& checked_candidates, bool& have_best,
                    std::tuple<std::int32_t, long, long, long>& best,
                    std::vector<std::int32_t>& best_words) {
    // Shift only when the hypothesis block has an error and the reference block too.
    bool hyp_wrong = false;
    for (std::size_t k = start_h; k < start_h + length; ++k) hyp_wrong |= hyp_err_[k] != 0;
    if (!hyp_wrong) return false;
    bool ref_wrong = false;
    for (std::size_t k = start_r; k < start_r + length; ++k) ref_wrong |= ref_err_[k] != 0;
    if (!ref_wrong) return false;
    // Don't shift within the block itself.
    const long sh = static_cast<long>(start_h);
    const long len = static_cast<long>(length);
    const long aligned = align_[start_r];
    if (sh <= aligned && aligned < sh + len) return false;

    long prev_idx = -1;
    for (long offset = -1; offset < len; ++offset) {
      const long pos = static_cast<long>(start_r) + offset;
      // Every reference position is in the alignment, so sacrebleu's "else: break" never fires.
      const long idx = pos == -1 ? 0 : align_[static_cast<std::size_t>(pos)] + 1;
      if (idx == prev_idx) continue;
      prev_idx = idx;
      PerformShift(words_h, sh, len, idx, shifted_);
      const std::int32_t gain = pre_score - ed_.Cost(shifted_);
      // Tercom's ranking: highest gain, then longest block, earliest block, earliest target.
      const std::tuple<std::int32_t, long, long, long> candidate{gain, len, -sh, -idx};
      ++checked_candidates;
      if (!have_best || candidate > best) {
        have_best = true;
        best = candidate;
        best_words.assign(shifted_.begin(), shifted_.end());
      }
    }
    return checked_candidates >= kMaxShiftCandidates;
  }

  std::span<const std::int32_t> ref_;
  BeamEditDistance ed_;
  std::vector<char> trace_;
  std::vector<long> align_;
  std::vector<char> ref_err_, hyp_err_;
  std::vector<std::int32_t> shifted_;
};

// Maps the tokens of one segment to small integers (equal strings, equal ids). Views must stay
// valid until the next Reset().
class TokenInterner {
 public:
  void Reset(std::size_t expected) {
    std::size_t capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    if (slots_.size() < capacity) slots_.resize(capacity);
    mask_ = slots_.size() - 1;
    ++generation_;
    next_id_ = 0;
  }

  std::int32_t Intern(std::u32string_view token) {
    const std::size_t hash = std::hash<std::u32string_view>{}(token);
    std::size_t pos = hash & mask_;
    while (true) {
      Slot& slot = slots_[pos];
      if (slot.generation != generation_) {
        slot = Slot{token, hash, next_id_, generation_};
        return next_id_++;
      }
      if (slot.hash == hash && slot.token == token) return slot.id;
      pos = (pos + 1) & mask_;
    }
  }

 private:
  struct Slot {
    std::u32string_view token;
    std::size_t hash = 0;
    std::int32_t id = 0;
    std::uint64_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::uint64_t generation_ = 0;
  std::int32_t next_id_ = 0;
};

// Splits a tokenizer output (tokens separated by single spaces, no leading or trailing space).
void SplitTokens(std::u32string_view s, std::vector<std::u32string_view>& out) {
  out.clear();
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find(U' ', start);
    if (end == std::u32string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

std::string FormatFixed2(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

}  // namespace

Result<std::int64_t> TranslationEditRate(std::span<const std::int32_t> hyp,
                                         std::span<const std::int32_t> ref) {
  if (ref.empty()) return static_cast<std::int64_t>(hyp.size());
  Shifter shifter(ref, hyp.size());
  std::vector<std::int32_t> input(hyp.begin(), hyp.end());
  std::vector<std::int32_t> best_words;
  std::int64_t shifts = 0;
  int checked_candidates = 0;
  while (true) {
    const ShiftResult r = shifter.Shift(input, checked_candidates, best_words);
    if (r.failed) {
      return MakeError(ErrorCode::kInternal,
                       "TER: the beam edit distance left the final cell unreachable");
    }
    // sacrebleu stops before applying the shift found when the candidate budget ran out.
    if (checked_candidates >= kMaxShiftCandidates || r.score <= 0) {
      // The final edit distance is that of `input`, just computed as r.pre_score.
      return shifts + r.pre_score;
    }
    ++shifts;
    std::swap(input, best_words);
  }
}

Ter::Ter(const TerOptions& options)
    : options_(options),
      tokenizer_(text::TercomTokenizerOptions{options.normalized, options.no_punct,
                                              options.asian_support, options.case_sensitive}) {}

Result<std::unique_ptr<Ter>> Ter::Create(const TerOptions& options) {
  return std::unique_ptr<Ter>(new Ter(options));
}

Signature Ter::signature(std::size_t num_refs) const {
  Signature sig(num_refs);
  sig.Set("case", std::string(options_.case_sensitive ? "mixed" : "lc"), "c");
  sig.Set("tok", std::string(text::TercomTokenizer::Signature()), "t");
  sig.Set("norm", options_.normalized, "nr");
  sig.Set("punct", !options_.no_punct, "pn");
  sig.Set("asian", options_.asian_support, "as");
  return sig;
}

Result<stats::SegmentStats> Ter::ComputeSegmentStats(std::span<const std::string> hyps,
                                                     const ReferenceStreams& refs) const {
  if (refs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "TER: no reference streams were given");
  }
  for (std::size_t k = 0; k < refs.size(); ++k) {
    if (refs[k].size() != hyps.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "TER: reference stream " + std::to_string(k) + " has " +
                           std::to_string(refs[k].size()) + " segments, expected " +
                           std::to_string(hyps.size()) + " (one per hypothesis)");
    }
  }

  stats::SegmentStats out(2);
  std::u32string decoded;
  std::u32string scratch;
  std::u32string hyp_tokens;
  std::vector<std::u32string> ref_tokens(refs.size());
  std::vector<std::u32string_view> views;
  std::vector<std::int32_t> hyp_ids;
  std::vector<std::vector<std::int32_t>> ref_ids(refs.size());
  TokenInterner interner;

  // sacrebleu preprocesses a reference twice: Metric._cache_references() tokenizes it and
  // TER._extract_reference_info() tokenizes the result again. Only the `normalized` rules are
  // not idempotent ("a.b" -> "a . b"; "'s" splits again), so the second pass matters there.
  std::u32string once;
  auto tokenize = [&](const std::string& utf8, std::u32string& tokens,
                      bool twice) -> std::optional<Error> {
    auto text = text::DecodeUtf8(utf8);
    if (!text) return text.error();
    if (twice && options_.normalized) {
      tokenizer_.Tokenize(text::RStrip(*text), once, scratch);
      tokenizer_.Tokenize(once, tokens, scratch);
    } else {
      tokenizer_.Tokenize(text::RStrip(*text), tokens, scratch);
    }
    return std::nullopt;
  };

  for (std::size_t i = 0; i < hyps.size(); ++i) {
    if (auto err = tokenize(hyps[i], hyp_tokens, false)) {
      return MakeError(ErrorCode::kParse,
                       "TER: hypothesis " + std::to_string(i) + ": " + err->message());
    }
    std::size_t num_refs = 0;
    std::size_t total_chars = hyp_tokens.size();
    for (std::size_t k = 0; k < refs.size(); ++k) {
      const auto& ref = refs[k][i];
      if (!ref.has_value()) continue;
      if (auto err = tokenize(*ref, ref_tokens[num_refs], true)) {
        return MakeError(ErrorCode::kParse, "TER: reference " + std::to_string(k) + " of segment " +
                                                std::to_string(i) + ": " + err->message());
      }
      total_chars += ref_tokens[num_refs].size();
      ++num_refs;
    }
    if (num_refs == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "TER: segment " + std::to_string(i) + " has no reference");
    }

    // Every token has at least one character, so this bounds the number of distinct tokens.
    interner.Reset(total_chars);
    auto intern = [&](std::u32string_view tokens, std::vector<std::int32_t>& ids) {
      SplitTokens(tokens, views);
      ids.clear();
      for (auto v : views) ids.push_back(interner.Intern(v));
    };
    intern(hyp_tokens, hyp_ids);
    std::int64_t best_edits = 0;
    std::int64_t ref_lengths = 0;
    for (std::size_t r = 0; r < num_refs; ++r) {
      intern(ref_tokens[r], ref_ids[r]);
      auto edits = TranslationEditRate(hyp_ids, ref_ids[r]);
      if (!edits)
        return MakeError(edits.error().code(),
                         edits.error().message() + " (segment " + std::to_string(i) + ")");
      ref_lengths += static_cast<std::int64_t>(ref_ids[r].size());
      if (r == 0 || *edits < best_edits) best_edits = *edits;
    }
    auto row = out.AddRow();
    row[0] = static_cast<double>(best_edits);
    row[1] = static_cast<double>(ref_lengths) / static_cast<double>(num_refs);
  }
  return out;
}

double Ter::ValueFromStats(std::span<const double> stats) const {
  const double total_edits = stats[0];
  const double sum_ref_lengths = stats[1];
  double score = 0.0;
  if (sum_ref_lengths > 0) {
    score = total_edits / sum_ref_lengths;
  } else if (total_edits > 0) {
    score = 1.0;  // empty reference(s) and non-empty hypothesis
  }
  return 100 * score;
}

Score Ter::ScoreFromStats(std::span<const double> stats) const {
  Score score;
  score.name = name();
  score.value = ValueFromStats(stats);
  score.details = {{"num_edits", std::trunc(stats[0])}, {"ref_length", stats[1]}};
  score.verbose = score.name + " = " + FormatFixed2(score.value);
  return score;
}

}  // namespace yardstick::metrics

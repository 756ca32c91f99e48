#include "metrics/squad.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

// re.sub(r'\b(a|an|the)\b', ' ', text): leftmost matches, non-overlapping, with the
// alternatives tried in order (a, an, the) and \b on Unicode \w.
std::u32string RemoveArticles(std::u32string_view s) {
  const std::size_t n = s.size();
  auto word_at = [&](std::size_t i) { return i < n && text::IsWordChar(s[i]); };
  auto matches = [&](std::size_t i, std::u32string_view w) {
    return s.substr(i).starts_with(w) && !word_at(i + w.size());
  };
  std::u32string out;
  out.reserve(n);
  std::size_t i = 0;
  while (i < n) {
    // A match starts with a word character, so the boundary before it needs a non-word
    // character (or the start) before i.
    if ((i == 0 || !text::IsWordChar(s[i - 1])) && (s[i] == U'a' || s[i] == U't')) {
      std::size_t len = 0;
      if (matches(i, U"a")) {
        len = 1;
      } else if (matches(i, U"an")) {
        len = 2;
      } else if (matches(i, U"the")) {
        len = 3;
      }
      if (len > 0) {
        out.push_back(U' ');
        i += len;
        continue;
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

std::u32string NormalizeU32(std::u32string_view s) {
  std::u32string lowered = text::Lower(s);
  std::erase_if(lowered, [](char32_t c) { return text::IsAsciiPunctuation(c); });
  return text::NormalizeWhitespace(RemoveArticles(lowered));
}

Result<std::u32string> DecodeNamed(std::string_view s, const std::string& what) {
  auto decoded = text::DecodeUtf8(s);
  if (!decoded) {
    return std::unexpected(decoded.error().WithContext("SQuAD: " + what));
  }
  return decoded;
}

Result<std::u32string> Normalize(std::string_view s, const std::string& what) {
  auto decoded = DecodeNamed(s, what);
  if (!decoded) return std::unexpected(decoded.error());
  return NormalizeU32(*decoded);
}

// The tokens of a normalized answer (single spaces, trimmed), sorted for counting.
std::vector<std::u32string_view> SortedTokens(const std::u32string& normalized) {
  std::vector<std::u32string_view> tokens = text::SplitWhitespace(normalized);
  std::sort(tokens.begin(), tokens.end());
  return tokens;
}

// f1_score on normalized answers.
double F1Normalized(const std::vector<std::u32string_view>& pred,
                    const std::vector<std::u32string_view>& truth) {
  // sum((Counter(pred) & Counter(truth)).values())
  std::size_t same = 0;
  std::size_t i = 0, j = 0;
  while (i < pred.size() && j < truth.size()) {
    if (pred[i] < truth[j]) {
      ++i;
    } else if (truth[j] < pred[i]) {
      ++j;
    } else {
      ++same;
      ++i;
      ++j;
    }
  }
  if (same == 0) return 0;
  const double precision = 1.0 * static_cast<double>(same) / static_cast<double>(pred.size());
  const double recall = 1.0 * static_cast<double>(same) / static_cast<double>(truth.size());
  return (2 * precision * recall) / (precision + recall);
}

// Both maxima over the ground truths for one prediction.
struct QuestionScores {
  double exact_match = 0;
  double f1 = 0;
};

template <typename Truths>
Result<QuestionScores> ScoreQuestion(std::string_view prediction, const Truths& ground_truths,
                                     const std::string& where) {
  if (ground_truths.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "SQuAD: " + where + ": no ground truths: expected at least one answer");
  }
  auto pred = Normalize(prediction, where + ": prediction");
  if (!pred) return std::unexpected(pred.error());
  const auto pred_tokens = SortedTokens(*pred);
  QuestionScores out;
  bool first = true;
  std::size_t k = 0;
  for (const auto& gt_ptr : ground_truths) {
    const std::string& gt = *gt_ptr;
    auto truth = Normalize(gt, where + ": ground truth " + std::to_string(k++));
    if (!truth) return std::unexpected(truth.error());
    const double em = *pred == *truth ? 1.0 : 0.0;
    const double f1 = F1Normalized(pred_tokens, SortedTokens(*truth));
    if (first || em > out.exact_match) out.exact_match = em;
    if (first || f1 > out.f1) out.f1 = f1;
    first = false;
  }
  return out;
}

std::vector<const std::string*> Pointers(std::span<const std::string> v) {
  std::vector<const std::string*> out;
  out.reserve(v.size());
  for (const auto& s : v) out.push_back(&s);
  return out;
}

}  // namespace

Result<std::string> SquadNormalizeAnswer(std::string_view text) {
  auto normalized = Normalize(text, "answer");
  if (!normalized) return std::unexpected(normalized.error());
  return text::EncodeUtf8(*normalized);
}

Result<double> SquadExactMatchScore(std::string_view prediction, std::string_view ground_truth) {
  auto p = Normalize(prediction, "prediction");
  if (!p) return std::unexpected(p.error());
  auto g = Normalize(ground_truth, "ground truth");
  if (!g) return std::unexpected(g.error());
  return *p == *g ? 1.0 : 0.0;
}

Result<double> SquadF1Score(std::string_view prediction, std::string_view ground_truth) {
  auto p = Normalize(prediction, "prediction");
  if (!p) return std::unexpected(p.error());
  auto g = Normalize(ground_truth, "ground truth");
  if (!g) return std::unexpected(g.error());
  return F1Normalized(SortedTokens(*p), SortedTokens(*g));
}

Result<double> SquadMaxExactMatch(std::string_view prediction,
                                  std::span<const std::string> ground_truths) {
  auto s = ScoreQuestion(prediction, Pointers(ground_truths), "question");
  if (!s) return std::unexpected(s.error());
  return s->exact_match;
}

Result<double> SquadMaxF1(std::string_view prediction, std::span<const std::string> ground_truths) {
  auto s = ScoreQuestion(prediction, Pointers(ground_truths), "question");
  if (!s) return std::unexpected(s.error());
  return s->f1;
}

Result<SquadResult> SquadEvaluate(std::span<const SquadQuestion> questions) {
  if (questions.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "SQuAD: no questions: expected at least one (evaluate() divides by the "
                     "number of questions)");
  }
  double exact_match = 0;
  double f1 = 0;
  for (std::size_t q = 0; q < questions.size(); ++q) {
    const SquadQuestion& question = questions[q];
    if (!question.prediction) continue;  // unanswered: scores 0, still counted
    const std::string where = "question " + std::to_string(q) + " (id '" + question.id + "')";
    auto s = ScoreQuestion(*question.prediction, Pointers(question.ground_truths), where);
    if (!s) return std::unexpected(s.error());
    exact_match += s->exact_match;
    f1 += s->f1;
  }
  const auto total = static_cast<double>(questions.size());
  return SquadResult{100.0 * exact_match / total, 100.0 * f1 / total};
}

Result<std::unique_ptr<SquadExactMatch>> SquadExactMatch::Create() {
  return std::unique_ptr<SquadExactMatch>(new SquadExactMatch());
}

Result<std::unique_ptr<SquadF1>> SquadF1::Create() {
  return std::unique_ptr<SquadF1>(new SquadF1());
}

Signature SquadMetric::signature(std::size_t num_refs) const {
  Signature sig(num_refs);
  sig.Set("norm", std::string("squad"), "n");
  return sig;
}

Result<stats::SegmentStats> SquadMetric::ComputeSegmentStats(std::span<const std::string> hyps,
                                                             const ReferenceStreams& refs) const {
  const std::string label = name();
  if (auto error = CheckCorpusShape(label, hyps, refs)) return std::unexpected(*error);
  stats::SegmentStats out(kStatsWidth);
  std::vector<const std::string*> truths;
  for (std::size_t seg = 0; seg < hyps.size(); ++seg) {
    truths.clear();
    for (const auto& stream : refs) {
      if (stream[seg]) truths.push_back(&*stream[seg]);
    }
    const std::string where = "segment " + std::to_string(seg);
    if (truths.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       label + ": " + where +
                           " has no reference: all reference streams are "
                           "missing it");
    }
    auto s = ScoreQuestion(hyps[seg], truths, where);
    if (!s) return std::unexpected(s.error().WithContext(label));
    auto row = out.AddRow();
    row[0] = kind_ == Kind::kExactMatch ? s->exact_match : s->f1;
    row[1] = 1;
  }
  return out;
}

double SquadMetric::ValueFromStats(std::span<const double> stats) const {
  if (stats.size() < kStatsWidth || stats[1] <= 0) return 0;
  return 100.0 * stats[0] / stats[1];
}

Score SquadMetric::ScoreFromStats(std::span<const double> stats) const {
  Score score;
  score.name = name();
  score.value = ValueFromStats(stats);
  const double count = stats.size() >= kStatsWidth ? stats[1] : 0;
  score.details = {{kind_ == Kind::kExactMatch ? "exact_match" : "f1", score.value},
                   {"questions", count}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", score.value);
  score.verbose = score.name + " = " + buf + " (" + std::to_string(static_cast<long long>(count)) +
                  " questions)";
  return score;
}

}  // namespace yardstick::metrics

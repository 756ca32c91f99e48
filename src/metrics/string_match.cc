#include "metrics/string_match.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
using CodePtr = std::unique_ptr<pcre2_code, CodeDeleter>;
using MatchDataPtr = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof buf) < 0) {
    return "PCRE2 error " + std::to_string(code);
  }
  return std::string(reinterpret_cast<const char*>(buf));
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Patterns compiled during one ComputeSegmentStats call (references often repeat one pattern).
class PatternCache {
 public:
  explicit PatternCache(std::uint32_t options) : options_(options) {}

  // The compiled pattern, or an error message with the offset PCRE2 reports.
  Result<const pcre2_code*> Get(const std::string& pattern) {
    if (auto it = codes_.find(pattern); it != codes_.end()) return it->second.get();
    int error = 0;
    PCRE2_SIZE offset = 0;
    CodePtr code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               options_, &error, &offset, nullptr));
    if (!code) {
      return MakeError(ErrorCode::kInvalidArgument, "invalid regular expression at pattern byte " +
                                                        std::to_string(offset) + ": " +
                                                        Pcre2Message(error));
    }
    const pcre2_code* raw = code.get();
    codes_.emplace(pattern, std::move(code));
    return raw;
  }

 private:
  std::uint32_t options_;
  std::unordered_map<std::string, CodePtr, StringHash, std::equal_to<>> codes_;
};

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::u32string NormalizeForMatch(std::u32string_view text, const StringMatchOptions& options) {
  std::u32string out = options.ignore_case ? text::Lower(text) : std::u32string(text);
  if (options.ignore_punctuation) {
    std::erase_if(out,
                  [](char32_t c) { return text::IsPunctuation(c) || text::IsAsciiPunctuation(c); });
  }
  if (options.ignore_whitespace) {
    std::erase_if(out, [](char32_t c) { return text::IsSpace(c); });
  }
  return out;
}

std::size_t LevenshteinDistance(std::u32string_view a, std::u32string_view b) {
  // Common prefixes and suffixes never need edits.
  while (!a.empty() && !b.empty() && a.front() == b.front()) {
    a.remove_prefix(1);
    b.remove_prefix(1);
  }
  while (!a.empty() && !b.empty() && a.back() == b.back()) {
    a.remove_suffix(1);
    b.remove_suffix(1);
  }
  if (a.size() < b.size()) std::swap(a, b);  // b is the shorter: the row
  if (b.empty()) return a.size();
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];  // D[i-1][j-1]
    row[0] = i;
    const char32_t ai = a[i - 1];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];  // D[i-1][j]
      const std::size_t sub = diag + (ai == b[j - 1] ? 0 : 1);
      row[j] = std::min({up + 1, row[j - 1] + 1, sub});
      diag = up;
    }
  }
  return row[b.size()];
}

double EditSimilarityScore(std::u32string_view a, std::u32string_view b) {
  const std::size_t longest = std::max(a.size(), b.size());
  if (longest == 0) return 1.0;
  return 1.0 - static_cast<double>(LevenshteinDistance(a, b)) / static_cast<double>(longest);
}

Result<std::unique_ptr<ExactMatch>> ExactMatch::Create(const StringMatchOptions& options) {
  return std::unique_ptr<ExactMatch>(new ExactMatch(options));
}
Result<std::unique_ptr<Contains>> Contains::Create(const StringMatchOptions& options) {
  return std::unique_ptr<Contains>(new Contains(options));
}
Result<std::unique_ptr<RegexMatch>> RegexMatch::Create(const StringMatchOptions& options) {
  return std::unique_ptr<RegexMatch>(new RegexMatch(options));
}
Result<std::unique_ptr<Levenshtein>> Levenshtein::Create(const StringMatchOptions& options) {
  return std::unique_ptr<Levenshtein>(new Levenshtein(options));
}
Result<std::unique_ptr<EditSimilarity>> EditSimilarity::Create(const StringMatchOptions& options) {
  return std::unique_ptr<EditSimilarity>(new EditSimilarity(options));
}

std::string StringMatchMetric::name() const {
  switch (kind_) {
    case Kind::kExactMatch:
      return "exact_match";
    case Kind::kContains:
      return "contains";
    case Kind::kRegexMatch:
      return "regex_match";
    case Kind::kLevenshtein:
      return "levenshtein";
    case Kind::kEditSimilarity:
      return "edit_similarity";
  }
  return "string_match";
}

Signature StringMatchMetric::signature(std::size_t num_refs) const {
  Signature sig(num_refs);
  sig.Set("case", std::string(options_.ignore_case ? "lc" : "mixed"), "c");
  sig.Set("punct", std::string(options_.ignore_punctuation ? "strip" : "keep"), "p");
  sig.Set("space", std::string(options_.ignore_whitespace ? "strip" : "keep"), "s");
  if (kind_ == Kind::kRegexMatch) {
    sig.Set("match", std::string(options_.regex_full_match ? "full" : "search"), "m");
  }
  return sig;
}

Result<stats::SegmentStats> StringMatchMetric::ComputeSegmentStats(
    std::span<const std::string> hyps, const ReferenceStreams& refs) const {
  const std::string label = name();
  if (auto error = CheckCorpusShape(label, hyps, refs)) return std::unexpected(*error);

  const bool regex = kind_ == Kind::kRegexMatch;
  std::uint32_t compile_options = PCRE2_UTF | PCRE2_UCP;
  if (options_.ignore_case) compile_options |= PCRE2_CASELESS;
  if (options_.regex_full_match) compile_options |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
  PatternCache patterns(compile_options);
  MatchDataPtr match_data(regex ? pcre2_match_data_create(1, nullptr) : nullptr);
  StringMatchOptions hyp_options = options_;
  if (regex) hyp_options.ignore_case = false;  // caseless matching instead of lowercasing

  stats::SegmentStats out(kStatsWidth);
  std::string hyp_utf8;
  for (std::size_t seg = 0; seg < hyps.size(); ++seg) {
    const std::string where = label + ": segment " + std::to_string(seg);
    auto hyp_decoded = text::DecodeUtf8(hyps[seg]);
    if (!hyp_decoded)
      return std::unexpected(hyp_decoded.error().WithContext(where + ": hypothesis"));
    const std::u32string hyp = NormalizeForMatch(*hyp_decoded, hyp_options);
    if (regex) hyp_utf8 = text::EncodeUtf8(hyp);

    bool any = false;
    double value = 0;
    for (std::size_t k = 0; k < refs.size(); ++k) {
      if (!refs[k][seg]) continue;
      const std::string& ref_utf8 = *refs[k][seg];
      const std::string ref_where = where + ": reference " + std::to_string(k);
      double v = 0;
      if (regex) {
        if (auto bad = text::FindInvalidUtf8(ref_utf8)) {
          return MakeError(ErrorCode::kParse, ref_where + ": invalid UTF-8 at byte " +
                                                  std::to_string(*bad) + ": expected UTF-8 text");
        }
        auto code = patterns.Get(ref_utf8);
        if (!code) return std::unexpected(code.error().WithContext(ref_where));
        const int rc =
            pcre2_match(*code, reinterpret_cast<PCRE2_SPTR>(hyp_utf8.data()), hyp_utf8.size(), 0,
                        PCRE2_NO_UTF_CHECK, match_data.get(), nullptr);
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
          return MakeError(ErrorCode::kInvalidArgument,
                           ref_where + ": matching failed: " + Pcre2Message(rc));
        }
        v = rc >= 0 ? 1.0 : 0.0;
      } else {
        auto ref_decoded = text::DecodeUtf8(ref_utf8);
        if (!ref_decoded) return std::unexpected(ref_decoded.error().WithContext(ref_where));
        const std::u32string ref = NormalizeForMatch(*ref_decoded, options_);
        switch (kind_) {
          case Kind::kExactMatch:
            v = hyp == ref ? 1.0 : 0.0;
            break;
          case Kind::kContains:
            v = hyp.find(ref) != std::u32string::npos ? 1.0 : 0.0;
            break;
          case Kind::kLevenshtein:
            v = static_cast<double>(LevenshteinDistance(hyp, ref));
            break;
          case Kind::kEditSimilarity:
            v = EditSimilarityScore(hyp, ref);
            break;
          case Kind::kRegexMatch:
            break;
        }
      }
      // Best reference: the smallest distance, otherwise the largest value.
      if (!any) {
        value = v;
      } else if (kind_ == Kind::kLevenshtein) {
        value = std::min(value, v);
      } else {
        value = std::max(value, v);
      }
      any = true;
    }
    if (!any) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where + " has no reference: all reference streams are missing it");
    }
    auto row = out.AddRow();
    row[0] = value;
    row[1] = 1;
  }
  return out;
}

double StringMatchMetric::ValueFromStats(std::span<const double> stats) const {
  if (stats.size() < kStatsWidth || stats[1] <= 0) return 0;
  return stats[0] / stats[1];
}

Score StringMatchMetric::ScoreFromStats(std::span<const double> stats) const {
  Score score;
  score.name = name();
  score.value = ValueFromStats(stats);
  const double total = stats.size() >= kStatsWidth ? stats[0] : 0;
  const double count = stats.size() >= kStatsWidth ? stats[1] : 0;
  score.details = {{"mean", score.value}, {"total", total}, {"segments", count}};
  const auto n = static_cast<long long>(count);
  if (kind_ == Kind::kLevenshtein) {
    score.verbose = score.name + " = " + Fixed(score.value, 4) + " (mean edits over " +
                    std::to_string(n) + " segments)";
  } else if (kind_ == Kind::kEditSimilarity) {
    score.verbose =
        score.name + " = " + Fixed(score.value, 4) + " (" + std::to_string(n) + " segments)";
  } else {
    score.verbose = score.name + " = " + Fixed(score.value, 4) + " (" +
                    std::to_string(static_cast<long long>(total)) + "/" + std::to_string(n) +
                    " segments)";
  }
  return score;
}

}  // namespace yardstick::metrics

#include "metrics/string_match.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace yardstick::metrics {
namespace {

StringMatchOptions Opts(bool ignore_case, bool ignore_punct, bool ignore_space, bool full = false) {
  StringMatchOptions o;
  o.ignore_case = ignore_case;
  o.ignore_punctuation = ignore_punct;
  o.ignore_whitespace = ignore_space;
  o.regex_full_match = full;
  return o;
}

// The sentence-level value of `metric` for one hypothesis and its references.
double Value(const StringMatchMetric& metric, const std::string& hyp,
             const std::vector<std::string>& refs) {
  auto s = metric.SentenceScore(hyp, refs);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message());
  return s ? s->value : -1;
}

TEST(StringMatch, Normalization) {
  EXPECT_EQ(NormalizeForMatch(U"Hello, World!", Opts(true, true, false)), U"hello world");
  EXPECT_EQ(NormalizeForMatch(U" a\tb\u3000c\n", Opts(false, false, true)), U"abc");
  // Unicode punctuation and string.punctuation's symbols go; other symbols (€) stay.
  EXPECT_EQ(NormalizeForMatch(U"«x»—$1+€2¿", Opts(false, true, false)), U"x1€2");
  // str.lower(): final sigma and İ.
  EXPECT_EQ(NormalizeForMatch(U"ΟΔΟΣ İ", Opts(true, false, false)), U"οδος i\u0307");
  EXPECT_EQ(NormalizeForMatch(U"As Is ", Opts(false, false, false)), U"As Is ");
}

TEST(StringMatch, ExactMatch) {
  auto exact = ExactMatch::Create({}).value();
  EXPECT_EQ(exact->name(), "exact_match");
  EXPECT_EQ(Value(*exact, "Paris", {"Paris"}), 1.0);
  EXPECT_EQ(Value(*exact, "Paris", {"paris"}), 0.0);
  EXPECT_EQ(Value(*exact, "Paris ", {"Paris"}), 0.0);
  EXPECT_EQ(Value(*exact, "Paris", {"London", "Paris"}), 1.0);  // any reference
  EXPECT_EQ(Value(*exact, "", {""}), 1.0);
  EXPECT_EQ(Value(*exact, "", {"x"}), 0.0);
  auto loose = ExactMatch::Create(Opts(true, true, true)).value();
  EXPECT_EQ(Value(*loose, "  New-York!\n", {"new york"}), 1.0);
  EXPECT_EQ(Value(*loose, "ΣΟΦΊΑ.", {"σοφία"}), 1.0);
  EXPECT_EQ(Value(*loose, "東京。", {"東京"}), 1.0);
  // Combining marks are compared as code points: precomposed é differs from e + U+0301.
  EXPECT_EQ(Value(*loose, "caf\u00e9", {"cafe\u0301"}), 0.0);
}

TEST(StringMatch, CorpusMean) {
  auto exact = ExactMatch::Create(Opts(true, false, false)).value();
  const std::vector<std::string> hyps = {"A", "b", "c", "D"};
  ReferenceStreams refs = {{std::string("a"), std::string("x"), std::nullopt, std::string("d")},
                           {std::nullopt, std::nullopt, std::string("c"), std::nullopt}};
  auto score = exact->CorpusScore(hyps, refs).value();
  EXPECT_EQ(score.value, 0.75);
  EXPECT_TRUE(exact->higher_is_better());
  auto stats = exact->ComputeSegmentStats(hyps, refs).value();
  EXPECT_EQ(stats.rows(), 4u);
  EXPECT_EQ(stats.row(1)[0], 0.0);
  EXPECT_EQ(exact->ValueFromStats(stats.Sum()), 0.75);
}

TEST(StringMatch, Contains) {
  auto contains = Contains::Create({}).value();
  EXPECT_EQ(contains->name(), "contains");
  EXPECT_EQ(Value(*contains, "The answer is 42.", {"42"}), 1.0);
  EXPECT_EQ(Value(*contains, "The answer is 42.", {"43", "answer"}), 1.0);
  EXPECT_EQ(Value(*contains, "42", {"The answer is 42"}), 0.0);  // reference in hypothesis only
  EXPECT_EQ(Value(*contains, "anything", {""}), 1.0);
  EXPECT_EQ(Value(*contains, "", {"x"}), 0.0);
  EXPECT_EQ(Value(*contains, "日本語のテキスト", {"テキスト"}), 1.0);
  auto loose = Contains::Create(Opts(true, true, true)).value();
  EXPECT_EQ(Value(*loose, "It is NEW YORK, surely", {"new-york"}), 1.0);
}

TEST(StringMatch, RegexMatch) {
  auto search = RegexMatch::Create({}).value();
  EXPECT_EQ(search->name(), "regex_match");
  EXPECT_EQ(Value(*search, "The answer is 42.", {R"(\b\d+\b)"}), 1.0);
  EXPECT_EQ(Value(*search, "no digits", {R"(\d)"}), 0.0);
  EXPECT_EQ(Value(*search, "x", {"y", "x|z"}), 1.0);
  EXPECT_EQ(Value(*search, "ANSWER", {"answer"}), 0.0);
  // UTF + UCP: \w and \d are Unicode, '.' is one code point.
  EXPECT_EQ(Value(*search, "naïve", {R"(^\w+$)"}), 1.0);
  EXPECT_EQ(Value(*search, "٤٢", {R"(^\d\d$)"}), 1.0);
  EXPECT_EQ(Value(*search, "日本", {"^..$"}), 1.0);
  auto full = RegexMatch::Create(Opts(false, false, false, true)).value();
  EXPECT_EQ(Value(*full, "The answer is 42.", {R"(\d+)"}), 0.0);
  EXPECT_EQ(Value(*full, "42", {R"(\d+)"}), 1.0);
  EXPECT_EQ(Value(*full, "ab", {"a|ab"}), 1.0);  // full match backtracks into later branches
  auto caseless = RegexMatch::Create(Opts(true, false, true)).value();
  EXPECT_EQ(Value(*caseless, "ANSWER: Ä", {"answer:ä"}), 1.0);  // whitespace stripped from hyp
  // The pattern is not normalized: its whitespace still has to match.
  EXPECT_EQ(Value(*caseless, "a b", {"a b"}), 0.0);
  EXPECT_NE(search->signature(1).Format().find("match:search"), std::string::npos);
  EXPECT_NE(full->signature(1).Format().find("match:full"), std::string::npos);
}

TEST(StringMatch, RegexErrors) {
  auto search = RegexMatch::Create({}).value();
  const std::vector<std::string> hyps = {"a", "b"};
  ReferenceStreams refs = {{std::string("a"), std::string("(unclosed")}};
  auto r = search->ComputeSegmentStats(hyps, refs);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("segment 1: reference 0"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("invalid regular expression"), std::string::npos);
  ReferenceStreams bad_utf8 = {{std::string("a"), std::string("\xff")}};
  auto r2 = search->ComputeSegmentStats(hyps, bad_utf8);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().code(), ErrorCode::kParse);
  // Catastrophic backtracking hits PCRE2's match limit: an error, not a hang or a 0.
  const std::string hyp(40, 'a');
  ReferenceStreams evil = {{std::string("^(a+)+$")}};
  const std::vector<std::string> evil_hyp = {hyp + "b"};
  auto r3 = search->ComputeSegmentStats(evil_hyp, evil);
  ASSERT_FALSE(r3.has_value());
  EXPECT_NE(r3.error().message().find("segment 0: reference 0: matching failed"), std::string::npos)
      << r3.error().message();
}

TEST(StringMatch, LevenshteinDistance) {
  EXPECT_EQ(LevenshteinDistance(U"", U""), 0u);
  EXPECT_EQ(LevenshteinDistance(U"abc", U""), 3u);
  EXPECT_EQ(LevenshteinDistance(U"", U"abc"), 3u);
  EXPECT_EQ(LevenshteinDistance(U"kitten", U"sitting"), 3u);
  EXPECT_EQ(LevenshteinDistance(U"flaw", U"lawn"), 2u);
  EXPECT_EQ(LevenshteinDistance(U"intention", U"execution"), 5u);
  EXPECT_EQ(LevenshteinDistance(U"abc", U"abc"), 0u);
  EXPECT_EQ(LevenshteinDistance(U"ab", U"ba"), 2u);  // no transpositions
  // Code points, not bytes: one substitution between two 3-byte CJK characters.
  EXPECT_EQ(LevenshteinDistance(U"東京", U"東都"), 1u);
  EXPECT_EQ(LevenshteinDistance(U"😀a", U"a"), 1u);
  EXPECT_EQ(LevenshteinDistance(U"e\u0301", U"\u00e9"), 2u);
  EXPECT_EQ(EditSimilarityScore(U"", U""), 1.0);
  EXPECT_EQ(EditSimilarityScore(U"abc", U""), 0.0);
  EXPECT_EQ(EditSimilarityScore(U"kitten", U"sitting"), 1.0 - 3.0 / 7.0);
}

TEST(StringMatch, LevenshteinAndEditSimilarityMetrics) {
  auto lev = Levenshtein::Create({}).value();
  EXPECT_EQ(lev->name(), "levenshtein");
  EXPECT_FALSE(lev->higher_is_better());
  EXPECT_EQ(Value(*lev, "kitten", {"sitting", "kitchen", "mitten"}), 1.0);  // closest reference
  EXPECT_EQ(Value(*lev, "東京", {"東都"}), 1.0);
  const std::vector<std::string> hyps = {"kitten", "", "abc"};
  ReferenceStreams refs = {{std::string("sitting"), std::string(""), std::string("xyz")}};
  EXPECT_EQ(lev->CorpusScore(hyps, refs).value().value, (3.0 + 0.0 + 3.0) / 3);

  auto sim = EditSimilarity::Create({}).value();
  EXPECT_EQ(sim->name(), "edit_similarity");
  EXPECT_TRUE(sim->higher_is_better());
  EXPECT_EQ(Value(*sim, "", {""}), 1.0);
  EXPECT_EQ(Value(*sim, "kitten", {"sitting", "mitten"}), 1.0 - 1.0 / 6.0);
  EXPECT_EQ(sim->CorpusScore(hyps, refs).value().value, ((1.0 - 3.0 / 7.0) + 1.0 + 0.0) / 3);
  auto sim_ci = EditSimilarity::Create(Opts(true, false, false)).value();
  EXPECT_EQ(Value(*sim_ci, "ABC", {"abc"}), 1.0);
}

TEST(StringMatch, InputErrors) {
  auto exact = ExactMatch::Create({}).value();
  const std::vector<std::string> hyps = {"a", "b"};
  ReferenceStreams short_stream = {{std::string("a")}};
  auto e1 = exact->ComputeSegmentStats(hyps, short_stream);
  ASSERT_FALSE(e1.has_value());
  EXPECT_NE(e1.error().message().find("reference stream 0 has 1 segments"), std::string::npos);
  ReferenceStreams missing = {{std::string("a"), std::nullopt}};
  auto e2 = exact->ComputeSegmentStats(hyps, missing);
  ASSERT_FALSE(e2.has_value());
  EXPECT_NE(e2.error().message().find("segment 1 has no reference"), std::string::npos);
  const std::vector<std::string> bad = {"a", "\xe2\x82"};
  ReferenceStreams ok = {{std::string("a"), std::string("b")}};
  auto e3 = exact->ComputeSegmentStats(bad, ok);
  ASSERT_FALSE(e3.has_value());
  EXPECT_EQ(e3.error().code(), ErrorCode::kParse);
  EXPECT_NE(e3.error().message().find("segment 1: hypothesis"), std::string::npos);
  EXPECT_FALSE(exact->ComputeSegmentStats({}, ReferenceStreams{{}}).has_value());
  EXPECT_FALSE(exact->ComputeSegmentStats(hyps, ReferenceStreams{}).has_value());
  EXPECT_EQ(exact->ScoreFromStats(std::vector<double>{0, 0}).value, 0.0);
}

TEST(StringMatch, Signature) {
  auto exact = ExactMatch::Create(Opts(true, false, true)).value();
  EXPECT_EQ(exact->signature(1).Format(),
            "nrefs:1|case:lc|punct:keep|space:strip|version:" + SignatureVersion());
  EXPECT_EQ(exact->signature(2).Format(true), "#:2|c:lc|p:keep|s:strip|v:" + SignatureVersion());
}

}  // namespace
}  // namespace yardstick::metrics

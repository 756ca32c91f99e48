#include "metrics/bleu.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "metrics/chrf.h"
#include "metrics/sacrebleu_golden.h"
#include "support/golden.h"
#include "text/unicode.h"

namespace yardstick::metrics {
namespace {

using golden::DetailNumber;
using golden::StreamsFromJson;
using golden::WithOurVersion;

using nlohmann::json;

std::string Repr(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::unique_ptr<Bleu> MakeBleu(const BleuOptions& options) {
  auto bleu = Bleu::Create(options);
  EXPECT_TRUE(bleu.has_value()) << (bleu ? "" : bleu.error().message());
  return bleu ? std::move(*bleu) : nullptr;
}

Result<BleuOptions> OptionsFromJson(const json& o) {
  BleuOptions options;
  options.tokenize = o.at("tokenize").get<std::string>();
  options.lowercase = o.at("lowercase").get<bool>();
  options.smooth_method = o.at("smooth_method").get<std::string>();
  if (!o.at("smooth_value").is_null()) options.smooth_value = o.at("smooth_value").get<double>();
  options.effective_order = o.at("effective_order").get<bool>();
  options.max_ngram_order = o.at("max_ngram_order").get<int>();
  return options;
}

const DetailValue* FindDetail(const Score& score, const std::string& name) {
  for (const auto& [key, value] : score.details) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::vector<double> DetailList(const Score& score, const std::string& name) {
  const DetailValue* v = FindDetail(score, name);
  if (v == nullptr || !std::holds_alternative<std::vector<double>>(*v)) {
    ADD_FAILURE() << "missing list detail " << name;
    return {};
  }
  return std::get<std::vector<double>>(*v);
}

// Compares a Score with a golden `expected` object, bit for bit. Returns the number of
// mismatching fields (each is also reported through EXPECT_*).
int CompareWithGolden(const Score& score, const json& expected, const std::string& where) {
  int bad = 0;
  auto same = [&](double got, const json& want, const std::string& field) {
    const double w = testing::GoldenDouble(want);
    if (!testing::SameDouble(got, w)) {
      ++bad;
      ADD_FAILURE() << where << " " << field << ": got " << Repr(got) << " expected " << Repr(w);
    }
  };
  auto same_list = [&](const std::vector<double>& got, const json& want, const std::string& field) {
    if (got.size() != want.size()) {
      ++bad;
      ADD_FAILURE() << where << " " << field << ": got " << got.size() << " values, expected "
                    << want.size();
      return;
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
      same(got[i], want[i], field + "[" + std::to_string(i) + "]");
    }
  };
  EXPECT_EQ(score.name, "BLEU") << where;
  same(score.value, expected.at("score"), "score");
  same_list(DetailList(score, "counts"), expected.at("counts"), "counts");
  same_list(DetailList(score, "totals"), expected.at("totals"), "totals");
  same_list(DetailList(score, "precisions"), expected.at("precisions"), "precisions");
  same(DetailNumber(score, "bp"), expected.at("bp"), "bp");
  same(DetailNumber(score, "sys_len"), expected.at("sys_len"), "sys_len");
  same(DetailNumber(score, "ref_len"), expected.at("ref_len"), "ref_len");
  if (expected.contains("raw_counts")) {
    same_list(DetailList(score, "raw_counts"), expected.at("raw_counts"), "raw_counts");
    same_list(DetailList(score, "raw_totals"), expected.at("raw_totals"), "raw_totals");
  } else if (FindDetail(score, "raw_counts") != nullptr) {
    ++bad;
    ADD_FAILURE() << where << ": raw_counts reported but sacrebleu has none";
  }
  if (expected.contains("formatted")) {
    const std::string want = expected.at("formatted");
    if (score.verbose != want) {
      ++bad;
      ADD_FAILURE() << where << " formatted: got '" << score.verbose << "' expected '" << want
                    << "'";
    }
  }
  return bad;
}

// Every BLEU call of the corpus-level golden file.
TEST(BleuGolden, CorpusScoresMatchSacrebleu) {
  int checked = 0, failed = 0, errors = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_corpus.jsonl")) {
    const std::string id = line.at("id");
    const auto hyps = line.at("inputs").at("hyps").get<std::vector<std::string>>();
    ReferenceStreams refs;
    for (const auto& stream : line.at("inputs").at("refs")) {
      std::vector<std::optional<std::string>> s;
      for (const auto& r : stream) {
        s.push_back(r.is_null() ? std::nullopt : std::optional<std::string>(r.get<std::string>()));
      }
      refs.push_back(std::move(s));
    }
    for (const auto& call : line.at("calls")) {
      if (call.at("metric") != "BLEU") continue;
      ++checked;
      const std::string where = id + " " + call.at("options").dump();
      auto options = OptionsFromJson(call.at("options"));
      auto bleu = Bleu::Create(*options);
      Result<Score> score = bleu ? (*bleu)->CorpusScore(hyps, refs) : std::unexpected(bleu.error());
      if (call.contains("error")) {
        ++errors;
        EXPECT_FALSE(score.has_value()) << where << ": sacrebleu raised " << call["error"];
        continue;
      }
      if (!score) {
        ++failed;
        ADD_FAILURE() << where << ": " << score.error().message();
        continue;
      }
      int bad = CompareWithGolden(*score, call.at("expected"), where);
      const std::string sig = (*bleu)->signature(SignatureNumRefs(refs)).Format();
      const std::string want_sig = WithOurVersion(call.at("expected").at("signature"));
      if (sig != want_sig) {
        ++bad;
        ADD_FAILURE() << where << " signature: got " << sig << " expected " << want_sig;
      }
      if (bad > 0) ++failed;
    }
  }
  EXPECT_EQ(failed, 0);
  EXPECT_GE(checked, 425);
  std::cout << "[ BLEU corpus golden ] checked " << checked << " calls (" << errors
            << " error calls), " << failed << " failed\n";
}

// Every BLEU call of the sentence-level golden file (sacrebleu's BLEU(...).sentence_score).
TEST(BleuGolden, SentenceScoresMatchSacrebleu) {
  int checked = 0, failed = 0;
  for (const auto& line : testing::ReadGoldenJsonl("sacrebleu_sentence.jsonl")) {
    const std::string id = line.at("id");
    const std::string hyp = line.at("inputs").at("hyp");
    const auto refs = line.at("inputs").at("refs").get<std::vector<std::string>>();
    for (const auto& call : line.at("calls")) {
      if (call.at("metric") != "BLEU") continue;
      ++checked;
      const std::string where = id + " " + call.at("options").dump();
      auto bleu = Bleu::Create(*OptionsFromJson(call.at("options")));
      ASSERT_TRUE(bleu.has_value()) << where;
      auto score = (*bleu)->SentenceScore(hyp, refs);
      if (call.contains("error")) {
        EXPECT_FALSE(score.has_value()) << where;
        continue;
      }
      if (!score) {
        ++failed;
        ADD_FAILURE() << where << ": " << score.error().message();
        continue;
      }
      if (CompareWithGolden(*score, call.at("expected"), where) > 0) ++failed;
    }
  }
  EXPECT_EQ(failed, 0);
  EXPECT_GE(checked, 1068);
  std::cout << "[ BLEU sentence golden ] checked " << checked << " calls, " << failed
            << " failed\n";
}

// ---- Edge cases (expected values from sacrebleu 2.6.0) --------------------------------------

Score Corpus(const BleuOptions& options, const std::vector<std::string>& hyps,
             const ReferenceStreams& refs) {
  auto bleu = MakeBleu(options);
  auto score = bleu->CorpusScore(hyps, refs);
  EXPECT_TRUE(score.has_value()) << (score ? "" : score.error().message());
  return score ? *score : Score{};
}

ReferenceStreams OneRef(std::vector<std::string> refs) {
  ReferenceStreams streams(1);
  for (auto& r : refs) streams[0].push_back(std::move(r));
  return streams;
}

TEST(Bleu, EmptyHypothesis) {
  const Score s = Corpus({}, {""}, OneRef({"a b c"}));
  EXPECT_EQ(s.value, 0.0);
  EXPECT_EQ(DetailNumber(s, "bp"), 0.0);
  EXPECT_EQ(DetailNumber(s, "sys_len"), 0.0);
  EXPECT_EQ(DetailNumber(s, "ref_len"), 3.0);
  EXPECT_EQ(s.verbose,
            "BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 0.000 ratio = 0.000 hyp_len = 0 ref_len = 3)");
}

TEST(Bleu, EmptyReference) {
  const Score s = Corpus({}, {"a b c"}, OneRef({""}));
  EXPECT_EQ(s.value, 0.0);
  EXPECT_EQ(DetailList(s, "totals"), (std::vector<double>{3, 2, 1, 0}));
  EXPECT_EQ(s.verbose,
            "BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 1.000 ratio = 0.000 hyp_len = 3 ref_len = 0)");
}

TEST(Bleu, BothEmpty) {
  const Score s = Corpus({}, {"   "}, OneRef({""}));
  EXPECT_EQ(s.value, 0.0);
  EXPECT_EQ(DetailNumber(s, "bp"), 1.0);
  EXPECT_EQ(DetailNumber(s, "ratio"), 0.0);
}

TEST(Bleu, AllPunctuation) {
  const Score s = Corpus({}, {"!!! ..."}, OneRef({"... !!!"}));
  EXPECT_EQ(s.value, 50.81327481546149);
  EXPECT_EQ(DetailList(s, "counts"), (std::vector<double>{6, 4, 2, 0}));
  EXPECT_EQ(s.verbose,
            "BLEU = 50.81 100.0/80.0/50.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)");
}

TEST(Bleu, ChineseWithZhTokenizer) {
  BleuOptions o;
  o.tokenize = "zh";
  const Score s = Corpus(o, {"我爱北京天安门"}, OneRef({"我爱北京"}));
  EXPECT_EQ(s.value, 41.11336169005198);
  EXPECT_EQ(DetailList(s, "counts"), (std::vector<double>{4, 3, 2, 1}));
}

TEST(Bleu, CombiningMarksAreSeparateCharacters) {
  BleuOptions o;
  o.tokenize = "char";
  // "été" decomposed (e + U+0301) against precomposed: only 't' matches.
  const Score s = Corpus(o, {"e\u0301te\u0301"}, OneRef({"\u00e9t\u00e9"}));
  EXPECT_EQ(s.value, 10.682175159905848);
  EXPECT_EQ(DetailList(s, "counts"), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(DetailNumber(s, "sys_len"), 5.0);
}

TEST(Bleu, LowercaseUsesPythonCaseMapping) {
  BleuOptions o;
  o.lowercase = true;
  const Score s = Corpus(o, {"The \u0130stanbul \u039F\u0394\u039F\u03A3"},
                         OneRef({"the i\u0307stanbul \u03BF\u03B4\u03BF\u03C2"}));
  EXPECT_EQ(DetailList(s, "counts"), (std::vector<double>{3, 2, 1, 0}));
  EXPECT_EQ((*Bleu::Create(o))->signature(1).Get("case"), "lc");
}

TEST(Bleu, ClosestReferenceLengthPrefersShorterOnTies) {
  ReferenceStreams refs = {{"the cat sat on"}, {"a cat"}};
  const Score s = Corpus({}, {"the cat sat"}, refs);  // diffs 1 and 1
  EXPECT_EQ(DetailNumber(s, "ref_len"), 2.0);
  ReferenceStreams swapped = {{"a cat"}, {"the cat sat on"}};
  EXPECT_EQ(DetailNumber(Corpus({}, {"the cat sat"}, swapped), "ref_len"), 2.0);
}

TEST(Bleu, MultipleReferencesClipWithMaximumCount) {
  ReferenceStreams refs = {{"the cat the"}, {"the the x"}};
  const Score s = Corpus({}, {"the the the the"}, refs);
  EXPECT_EQ(s.value, 31.947155212313625);
  EXPECT_EQ(DetailList(s, "counts"), (std::vector<double>{2, 1, 0, 0}));
}

TEST(Bleu, MissingReferencesAndVariableSignature) {
  ReferenceStreams refs = {{"a b", "c d e"}, {std::nullopt, "c d"}};
  const Score s = Corpus({}, {"a b", "c d e"}, refs);
  EXPECT_EQ(DetailList(s, "counts"), (std::vector<double>{5, 3, 1, 0}));
  EXPECT_EQ(DetailNumber(s, "ref_len"), 5.0);
  EXPECT_EQ(SignatureNumRefs(refs), kVariableNumRefs);
  auto bleu = MakeBleu({});
  EXPECT_EQ(bleu->signature(SignatureNumRefs(refs)).Format(),
            "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:" + SignatureVersion());
  // One present reference per segment, in different streams: nrefs:1.
  ReferenceStreams alternating = {{"a b", std::nullopt}, {std::nullopt, "c d"}};
  EXPECT_EQ(SignatureNumRefs(alternating), 1u);
}

TEST(Bleu, SegmentWithoutAnyReferenceIsAnError) {
  auto bleu = MakeBleu({});
  ReferenceStreams refs = {{"a", std::nullopt}, {"b", std::nullopt}};
  auto r = bleu->CorpusScore(std::vector<std::string>{"a", "b"}, refs);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("segment 1"), std::string::npos) << r.error().message();
}

TEST(Bleu, InputErrors) {
  auto bleu = MakeBleu({});
  const std::vector<std::string> hyps = {"a", "b"};
  auto mismatch = bleu->CorpusScore(hyps, OneRef({"a"}));
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message().find("reference stream 0 has 1 segments, expected 2"),
            std::string::npos);
  EXPECT_FALSE(bleu->CorpusScore(hyps, ReferenceStreams{}).has_value());
  EXPECT_FALSE(bleu->CorpusScore(std::vector<std::string>{}, OneRef({})).has_value());
  EXPECT_FALSE(bleu->SentenceScore("a", std::vector<std::string>{}).has_value());

  auto bad_hyp = bleu->CorpusScore(std::vector<std::string>{"ok", "bad\xff"}, OneRef({"a", "b"}));
  ASSERT_FALSE(bad_hyp.has_value());
  EXPECT_EQ(bad_hyp.error().code(), ErrorCode::kParse);
  EXPECT_NE(bad_hyp.error().message().find("segment 1: hypothesis: invalid UTF-8 at byte 3"),
            std::string::npos)
      << bad_hyp.error().message();
  ReferenceStreams bad_refs = {{"a", "b"}, {"a", "\xc3"}};
  auto bad_ref = bleu->CorpusScore(hyps, bad_refs);
  ASSERT_FALSE(bad_ref.has_value());
  EXPECT_NE(bad_ref.error().message().find("segment 1: reference 1"), std::string::npos)
      << bad_ref.error().message();
}

TEST(Bleu, OptionErrors) {
  BleuOptions o;
  o.tokenize = "ja-mecab";
  auto r = Bleu::Create(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("13a, intl, zh, char, none"), std::string::npos);

  o = {};
  o.smooth_method = "laplace";
  r = Bleu::Create(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("exp, floor, add-k, none"), std::string::npos);

  for (int order : {0, -1, kMaxBleuNgramOrder + 1}) {
    o = {};
    o.max_ngram_order = order;
    r = Bleu::Create(o);
    ASSERT_FALSE(r.has_value()) << order;
    EXPECT_NE(r.error().message().find("max_ngram_order"), std::string::npos);
  }
  o = {};
  o.smooth_method = "floor";
  o.smooth_value = -0.5;
  EXPECT_FALSE(Bleu::Create(o).has_value());
  o.smooth_value = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(Bleu::Create(o).has_value());
}

TEST(Bleu, SignatureFormats) {
  BleuOptions o;
  EXPECT_EQ(MakeBleu(o)->signature(1).Format(),
            "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:" + SignatureVersion());
  EXPECT_EQ(MakeBleu(o)->signature(1).Format(true),
            "#:1|c:mixed|e:no|tok:13a|s:exp|v:" + SignatureVersion());
  o.smooth_method = "floor";
  EXPECT_EQ(MakeBleu(o)->signature(2).Get("smooth"), "floor[0.10]");
  o.smooth_value = 0.01;
  EXPECT_EQ(MakeBleu(o)->signature(2).Get("smooth"), "floor[0.01]");
  o.smooth_method = "add-k";
  o.smooth_value.reset();
  EXPECT_EQ(MakeBleu(o)->signature(2).Get("smooth"), "add-k[1.00]");
  o.smooth_method = "exp";
  o.smooth_value = 3;  // ignored by exp, as in sacrebleu
  EXPECT_EQ(MakeBleu(o)->signature(2).Get("smooth"), "exp");
  o = SentenceBleuOptions();
  o.tokenize = "intl";
  EXPECT_EQ(MakeBleu(o)->signature(1).Format(),
            "nrefs:1|case:mixed|eff:yes|tok:intl|smooth:exp|version:" + SignatureVersion());
}

TEST(Bleu, AddKReportsSmoothedAndRawCounts) {
  BleuOptions o;
  o.smooth_method = "add-k";
  o.smooth_value = 0.5;
  const Score s = Corpus(o, {"a x b y"}, OneRef({"a b c d"}));
  EXPECT_EQ(s.value, 26.269098944241588);
  EXPECT_EQ(DetailList(s, "counts"), (std::vector<double>{2, 0.5, 0.5, 0.5}));
  EXPECT_EQ(DetailList(s, "totals"), (std::vector<double>{4, 3.5, 2.5, 1.5}));
  EXPECT_EQ(DetailList(s, "raw_counts"), (std::vector<double>{2, 0, 0, 0}));
  EXPECT_EQ(DetailList(s, "raw_totals"), (std::vector<double>{4, 3, 2, 1}));
  // Nothing matches: sacrebleu returns before smoothing, so there are no raw counts.
  const Score none = Corpus(o, {"x"}, OneRef({"a"}));
  EXPECT_EQ(FindDetail(none, "raw_counts"), nullptr);
}

TEST(Bleu, EffectiveOrder) {
  BleuOptions o;
  o.effective_order = true;
  EXPECT_EQ(Corpus(o, {"a b"}, OneRef({"a b c"})).value, 60.653065971263366);
  o.effective_order = false;
  EXPECT_EQ(Corpus(o, {"a b"}, OneRef({"a b c"})).value, 0.0);
}

TEST(Bleu, DetailsOrderAndSegmentStatistics) {
  auto bleu = MakeBleu({});
  const std::vector<std::string> hyps = {"the cat sat on the mat", "a dog", "hello world !"};
  const ReferenceStreams refs = OneRef({"the cat sat on a mat", "the dog", "hello , world !"});
  auto stats = bleu->ComputeSegmentStats(hyps, refs);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->width(), 10u);
  EXPECT_EQ(stats->rows(), 3u);
  const std::vector<double> row0(stats->row(0).begin(), stats->row(0).end());
  EXPECT_EQ(row0, (std::vector<double>{6, 6, 5, 3, 2, 1, 6, 5, 4, 3}));
  const Score s = bleu->ScoreFromStats(stats->Sum());
  EXPECT_EQ(bleu->ValueFromStats(stats->Sum()), s.value);
  std::vector<std::string> names;
  for (const auto& [name, value] : s.details) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"counts", "totals", "precisions", "bp", "sys_len",
                                             "ref_len", "ratio"}));
  // A subset of rows scores like the corpus of those segments.
  const std::vector<std::size_t> subset = {0, 2};
  auto sub = bleu->CorpusScore(std::vector<std::string>{hyps[0], hyps[2]},
                               OneRef({"the cat sat on a mat", "hello , world !"}));
  ASSERT_TRUE(sub.has_value());
  EXPECT_EQ(bleu->ValueFromStats(stats->Sum(subset)), sub->value);
}

TEST(Bleu, RepeatedNgramsAndLongOrders) {
  BleuOptions o;
  o.max_ngram_order = 6;
  auto bleu = MakeBleu(o);
  auto stats = bleu->ComputeSegmentStats(std::vector<std::string>{"a a a a a a a"},
                                         OneRef({"a a a b a a a"}));
  ASSERT_TRUE(stats.has_value());
  const std::vector<double> row(stats->row(0).begin(), stats->row(0).end());
  // matches: 1-grams min(7,6)=6, 2-grams min(6,4)=4, 3-grams min(5,2)=2, higher 0.
  EXPECT_EQ(row, (std::vector<double>{7, 7, 6, 4, 2, 0, 0, 0, 7, 6, 5, 4, 3, 2}));
}

// ---- The fast pipeline against a plain re-implementation --------------------------------------
//
// Bleu tokenizes each distinct word once, straight from UTF-8, and counts n-grams with interned
// ids. Here the same statistics are computed the obvious way: whole-line tokenization with
// text::TokenizeForBleu (checked against sacrebleu by the tokenizer golden test), Python-style
// split, and std::map n-gram counts.

std::vector<double> PlainStats(const BleuOptions& o, const std::string& hyp,
                               const std::vector<std::string>& refs) {
  const text::BleuTokenizer tok = *text::ParseBleuTokenizer(o.tokenize);
  auto tokens = [&](const std::string& s) {
    std::u32string line = text::DecodeUtf8(s).value();
    if (o.lowercase) line = text::Lower(line);
    const std::u32string out = text::TokenizeForBleu(tok, text::RStrip(line));
    std::vector<std::u32string> result;
    for (auto piece : text::SplitWhitespace(out)) result.emplace_back(piece);
    return result;
  };
  using Counts = std::map<std::vector<std::u32string>, int>;
  const auto n_max = static_cast<std::size_t>(o.max_ngram_order);
  auto ngrams = [&](const std::vector<std::u32string>& t) {
    Counts c;
    for (std::size_t n = 1; n <= n_max; ++n) {
      for (std::size_t i = 0; i + n <= t.size(); ++i) {
        ++c[std::vector<std::u32string>(t.begin() + static_cast<std::ptrdiff_t>(i),
                                        t.begin() + static_cast<std::ptrdiff_t>(i + n))];
      }
    }
    return c;
  };
  const auto h = tokens(hyp);
  Counts ref_max;
  std::vector<std::size_t> ref_lens;
  for (const auto& r : refs) {
    const auto t = tokens(r);
    ref_lens.push_back(t.size());
    for (const auto& [g, c] : ngrams(t)) ref_max[g] = std::max(ref_max[g], c);
  }
  std::vector<double> row(2 + 2 * n_max, 0.0);
  row.at(0) = static_cast<double>(h.size());
  std::size_t best = ref_lens[0];
  for (std::size_t len : ref_lens) {
    const auto d = [&](std::size_t x) { return x > h.size() ? x - h.size() : h.size() - x; };
    if (d(len) < d(best) || (d(len) == d(best) && len < best)) best = len;
  }
  row.at(1) = static_cast<double>(best);
  for (const auto& [g, c] : ngrams(h)) {
    const std::size_t n = g.size();
    row.at(1 + n_max + n) += c;
    auto it = ref_max.find(g);
    if (it != ref_max.end()) row.at(1 + n) += std::min(c, it->second);
  }
  return row;
}

TEST(BleuPipeline, MatchesPlainImplementationOnRandomText) {
  // Pieces that exercise every path: 13a entities and <skipped>, newlines, numbers with
  // separators, punctuation runs, Unicode punctuation/symbols/digits, zh "Chinese" characters,
  // case mappings (final sigma, dotted I, Kelvin sign), words longer than 8 bytes, odd spaces.
  const std::vector<std::string> pieces = {"the",
                                           "The",
                                           "cat",
                                           "sat",
                                           "on",
                                           "mat",
                                           "mat.",
                                           "mat,",
                                           "(cat)",
                                           "\"cat\"",
                                           "1,000.5",
                                           "3.",
                                           "-",
                                           "a-b",
                                           "3-4",
                                           "...",
                                           "&amp;",
                                           "&quot;",
                                           "<skipped>",
                                           "-\n",
                                           "\n",
                                           "\t",
                                           "\u00A0",
                                           "\u3000",
                                           "Stra\u00DFe",
                                           "STRASSE",
                                           "\u039F\u0394\u039F\u03A3",
                                           "\u03C3.",
                                           "\u0130stanbul",
                                           "\u212A",
                                           "\u4E2D\u6587",
                                           "\u3002",
                                           "\u2014",
                                           "\u00AB",
                                           "\u00BB",
                                           "\u20AC5",
                                           "\u0663.\u0664",
                                           "caf\u00E9",
                                           "cafe\u0301",
                                           "internationalization",
                                           "ver\u00E4nderungen,",
                                           "\U0001F600",
                                           "x",
                                           "y",
                                           "z",
                                           ",",
                                           ".",
                                           "!",
                                           "?",
                                           "'s",
                                           "a.b.c"};
  std::uint64_t state = 2024;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  auto line = [&] {
    std::string s;
    const std::size_t words = next() % 12;
    for (std::size_t i = 0; i < words; ++i) {
      if (i > 0 && next() % 4 != 0) s += ' ';
      s += pieces[next() % pieces.size()];
    }
    if (next() % 5 == 0) s += "  ";
    return s;
  };
  int compared = 0;
  for (const char* tok : {"13a", "intl", "zh", "char", "none"}) {
    for (bool lower : {false, true}) {
      BleuOptions o;
      o.tokenize = tok;
      o.lowercase = lower;
      o.max_ngram_order = 1 + static_cast<int>(next() % 5);
      auto bleu = MakeBleu(o);
      // One corpus, so that words repeat and the word cache is exercised.
      std::vector<std::string> hyps;
      ReferenceStreams refs(2);
      std::vector<std::vector<std::string>> present_refs;
      for (int seg = 0; seg < 150; ++seg) {
        hyps.push_back(line());
        std::vector<std::string> present;
        for (auto& stream : refs) {
          if (next() % 4 == 0 && !present.empty()) {
            stream.push_back(std::nullopt);
          } else {
            stream.push_back(line());
            present.push_back(*stream.back());
          }
        }
        present_refs.push_back(present);
      }
      auto stats = bleu->ComputeSegmentStats(hyps, refs);
      ASSERT_TRUE(stats.has_value()) << stats.error().message();
      for (std::size_t seg = 0; seg < hyps.size(); ++seg) {
        const std::vector<double> got(stats->row(seg).begin(), stats->row(seg).end());
        EXPECT_EQ(got, PlainStats(o, hyps[seg], present_refs[seg]))
            << "tok=" << tok << " lower=" << lower << " hyp='" << hyps[seg] << "'";
        ++compared;
      }

      // Two more systems scored together with the first share the references' tokens; each
      // system's rows must still be its own.
      std::vector<std::vector<std::string>> others(2);
      for (auto& other : others) {
        for (std::size_t seg = 0; seg < hyps.size(); ++seg) other.push_back(line());
      }
      const std::span<const std::string> systems[] = {hyps, others[0], others[1]};
      auto many = bleu->ComputeSystemsSegmentStats(systems, refs);
      ASSERT_TRUE(many.has_value()) << many.error().message();
      ASSERT_EQ(many->size(), 3u);
      for (std::size_t s = 0; s < 3; ++s) {
        for (std::size_t seg = 0; seg < hyps.size(); ++seg) {
          const std::vector<double> got((*many)[s].row(seg).begin(), (*many)[s].row(seg).end());
          EXPECT_EQ(got, PlainStats(o, systems[s][seg], present_refs[seg]))
              << "system " << s << " tok=" << tok << " lower=" << lower << " hyp='"
              << systems[s][seg] << "'";
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 6000);
}

TEST(Bleu, SeveralSystemsNameTheFailingOne) {
  auto bleu = MakeBleu({});
  const std::vector<std::string> good = {"a b", "c"};
  const std::vector<std::string> bad = {"a b", "c\xff"};
  const std::vector<std::string> short_system = {"a b"};
  const ReferenceStreams refs = OneRef({"a b", "c"});
  const std::vector<std::string> names = {"base", "candidate"};
  const std::span<const std::string> systems[] = {good, bad};
  auto r = bleu->ComputeSystemsSegmentStats(systems, refs, names);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  EXPECT_NE(r.error().message().find("candidate"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("segment 1: hypothesis: invalid UTF-8"), std::string::npos)
      << r.error().message();
  const std::span<const std::string> mismatched[] = {good, short_system};
  auto m = bleu->ComputeSystemsSegmentStats(mismatched, refs);
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().message().find("system 1"), std::string::npos) << m.error().message();
  EXPECT_FALSE(bleu->ComputeSystemsSegmentStats({}, refs).has_value());
  // The default implementation (a metric that does not share work) names systems the same way.
  auto chrf = Chrf::Create({});
  ASSERT_TRUE(chrf.has_value());
  auto c = (*chrf)->ComputeSystemsSegmentStats(systems, refs, names);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("candidate"), std::string::npos) << c.error().message();
}

TEST(Bleu, ManyDistinctWordsGrowTheWordTables) {
  // About one new word per 6 bytes, short (<= 8 bytes) and long, so that the word tables grow
  // past their initial size.
  std::string a, b;
  for (int i = 0; i < 6000; ++i) {
    const std::string w = (i % 2 == 0 ? "w" : "longword") + std::to_string(i);
    a += w + (i % 7 == 0 ? ". " : " ");
    b += w + " ";
  }
  auto bleu = MakeBleu({});
  auto stats = bleu->ComputeSegmentStats(std::vector<std::string>{a}, OneRef({b}));
  ASSERT_TRUE(stats.has_value());
  const std::vector<double> row(stats->row(0).begin(), stats->row(0).end());
  EXPECT_EQ(row[0], 6000.0 + 858.0);  // words and split-off periods
  EXPECT_EQ(row, PlainStats({}, a, {b}));
  auto same = bleu->CorpusScore(std::vector<std::string>{b}, OneRef({b}));
  ASSERT_TRUE(same.has_value());
  EXPECT_NEAR(same->value, 100.0, 1e-9);
}

}  // namespace
}  // namespace yardstick::metrics

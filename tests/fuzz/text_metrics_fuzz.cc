// Fuzz target for the tokenizers and text metrics: arbitrary bytes (often invalid UTF-8) must
// give a value or an error, never a crash, hang or sanitizer report.
//
// Built two ways (tests/fuzz/CMakeLists.txt): as a libFuzzer target with clang
// (-DYARDSTICK_FUZZ=ON), and always as a CTest test whose driver (fuzz_driver.cc) mutates the
// golden tokenizer inputs with a fixed seed.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/rouge.h"
#include "metrics/squad.h"
#include "metrics/string_match.h"
#include "metrics/ter.h"
#include "text/bleu_tokenizers.h"
#include "text/porter_stemmer.h"
#include "text/tercom_tokenizer.h"
#include "text/unicode.h"

namespace {

using namespace yardstick;

std::vector<std::unique_ptr<metrics::CorpusMetric>> MakeMetrics() {
  std::vector<std::unique_ptr<metrics::CorpusMetric>> out;
  for (const char* tok : {"13a", "intl", "zh", "char", "none"}) {
    metrics::BleuOptions o;
    o.tokenize = tok;
    o.lowercase = tok[0] == 'i';
    o.effective_order = true;
    out.push_back(std::move(*metrics::Bleu::Create(o)));
  }
  metrics::ChrfOptions chrf;
  chrf.word_order = 2;
  out.push_back(std::move(*metrics::Chrf::Create(chrf)));
  metrics::TerOptions ter;
  ter.normalized = true;
  ter.asian_support = true;
  out.push_back(std::move(*metrics::Ter::Create(ter)));
  out.push_back(std::move(*metrics::Ter::Create({})));
  for (const char* type : {"rouge2", "rougeL", "rougeLsum"}) {
    metrics::RougeOptions o;
    o.rouge_type = type;
    o.use_stemmer = true;
    out.push_back(std::move(*metrics::Rouge::Create(o)));
  }
  out.push_back(std::move(*metrics::SquadF1::Create()));
  metrics::StringMatchOptions match;
  match.ignore_case = match.ignore_punctuation = true;
  out.push_back(std::move(*metrics::Contains::Create(match)));
  out.push_back(std::move(*metrics::Levenshtein::Create({})));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto kMetrics = MakeMetrics();
  // TER is quadratic in segment length: keep inputs small enough to stay fast.
  if (size > 4096) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // First line: hypothesis; the rest: one reference per line.
  const auto newline = bytes.find('\n');
  const std::string hyp = bytes.substr(0, newline);
  std::vector<std::string> refs;
  if (newline != std::string::npos) {
    std::size_t start = newline + 1;
    while (start <= bytes.size() && refs.size() < 4) {
      auto end = bytes.find('\n', start);
      if (end == std::string::npos) end = bytes.size();
      refs.push_back(bytes.substr(start, end - start));
      start = end + 1;
    }
  }
  if (refs.empty()) refs.push_back(hyp);
  for (const auto& metric : kMetrics) {
    (void)metric->SentenceScore(hyp, refs);
    metrics::ReferenceStreams streams;
    for (const auto& r : refs) streams.push_back({r});
    auto stats = metric->ComputeSegmentStats(std::vector<std::string>{hyp}, streams);
    if (stats) (void)metric->ValueFromStats(stats->row(0));
  }
  if (auto text = text::DecodeUtf8(bytes)) {
    for (auto tok : {text::BleuTokenizer::k13a, text::BleuTokenizer::kIntl,
                     text::BleuTokenizer::kZh, text::BleuTokenizer::kChar}) {
      (void)text::TokenizeForBleu(tok, *text);
    }
    text::TercomTokenizer tercom({true, true, true, false});
    (void)tercom.Tokenize(*text);
    (void)text::Lower(*text);
    (void)text::PorterStem(std::u32string_view(*text).substr(0, 64));
  }
  return 0;
}

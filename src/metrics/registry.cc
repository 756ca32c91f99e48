#include "metrics/registry.h"

#include <array>

#include "metrics/squad.h"

namespace yardstick::metrics {
namespace {

constexpr std::array<MetricInfo, 17> kCatalog = {{
    {"bleu", "BLEU as sacrebleu 2.x (tokenizers 13a, intl, zh, char, none; smoothing)"},
    {"chrf", "chrF as sacrebleu 2.x (character n-grams; --chrf-word-order 2 for chrF++)"},
    {"chrf++", "chrF++: chrF with word bigrams (word order 2)"},
    {"ter", "Translation edit rate as sacrebleu 2.x (tercom); lower is better"},
    {"rouge1", "ROUGE-1 F-measure as rouge-score (precision and recall in details)"},
    {"rouge2", "ROUGE-2 F-measure as rouge-score"},
    {"rougeL", "ROUGE-L (longest common subsequence) as rouge-score"},
    {"rougeLsum", "ROUGE-Lsum (summary-level LCS over newline-separated sentences)"},
    {"squad_em", "SQuAD v1.1 exact match after answer normalization, percent"},
    {"squad_f1", "SQuAD v1.1 token F1 after answer normalization, percent"},
    {"exact_match", "share of hypotheses equal to a reference (0-1)"},
    {"contains", "share of hypotheses containing a reference (0-1)"},
    {"regex_match", "share of hypotheses matched by the reference regex (PCRE2, 0-1)"},
    {"levenshtein", "mean code-point edit distance to the closest reference; lower is better"},
    {"edit_similarity", "mean 1 - distance / max length, best reference (0-1)"},
    {"rouge3", "ROUGE-3 F-measure as rouge-score"},
    {"rouge4", "ROUGE-4 F-measure as rouge-score"},
}};

template <typename T>
Result<std::unique_ptr<CorpusMetric>> Upcast(Result<std::unique_ptr<T>> made) {
  if (!made) return std::unexpected(made.error());
  return std::unique_ptr<CorpusMetric>(std::move(*made));
}

}  // namespace

std::span<const MetricInfo> TextMetricCatalog() { return kCatalog; }

bool IsTextMetric(std::string_view name) {
  for (const auto& info : kCatalog) {
    if (info.name == name) return true;
  }
  // rouge5..rouge9 are valid too.
  return name.size() == 6 && name.substr(0, 5) == "rouge" && name[5] >= '1' && name[5] <= '9';
}

Result<std::unique_ptr<CorpusMetric>> CreateTextMetric(std::string_view name,
                                                       const TextMetricOptions& options) {
  if (name == "bleu") return Upcast(Bleu::Create(options.bleu));
  if (name == "chrf") return Upcast(Chrf::Create(options.chrf));
  if (name == "chrf++") {
    ChrfOptions chrf = options.chrf;
    chrf.word_order = 2;
    return Upcast(Chrf::Create(chrf));
  }
  if (name == "ter") return Upcast(Ter::Create(options.ter));
  if (name.starts_with("rouge") && IsTextMetric(name)) {
    RougeOptions rouge = options.rouge;
    rouge.rouge_type = std::string(name);
    return Upcast(Rouge::Create(rouge));
  }
  if (name == "squad_em") return Upcast(SquadExactMatch::Create());
  if (name == "squad_f1") return Upcast(SquadF1::Create());
  if (name == "exact_match") return Upcast(ExactMatch::Create(options.string_match));
  if (name == "contains") return Upcast(Contains::Create(options.string_match));
  if (name == "regex_match") return Upcast(RegexMatch::Create(options.string_match));
  if (name == "levenshtein") return Upcast(Levenshtein::Create(options.string_match));
  if (name == "edit_similarity") return Upcast(EditSimilarity::Create(options.string_match));
  std::string known;
  for (const auto& info : kCatalog) known += (known.empty() ? "" : ", ") + std::string(info.name);
  return MakeError(ErrorCode::kNotFound, "unknown metric '" + std::string(name) +
                                             "': expected one of " + known +
                                             ", perplexity, or a classification metric");
}

}  // namespace yardstick::metrics

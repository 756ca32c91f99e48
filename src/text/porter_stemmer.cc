#include "text/porter_stemmer.h"

#include <array>
#include <cstddef>
#include <utility>

#include "text/unicode.h"

namespace yardstick::text {
namespace {

// The algorithm is written once for both byte strings (ASCII fast path) and code points.
// Stems passed to the conditions are always prefixes of the word being examined, and whether a
// character is a consonant depends only on the characters before it, so conditions can be
// evaluated on views of the word.

template <typename C>
using Str = std::basic_string<C>;
template <typename C>
using View = std::basic_string_view<C>;

template <typename C>
bool IsVowelLetter(C c) {
  return c == C('a') || c == C('e') || c == C('i') || c == C('o') || c == C('u');
}

// nltk _is_consonant: a letter other than a, e, i, o, u, and other than y preceded by a
// consonant.
template <typename C>
bool IsConsonant(View<C> w, std::size_t i) {
  // Walk back over a run of y's: y at i is a consonant iff the character before it is not.
  bool consonant = true;
  std::size_t start = i;
  while (w[start] == C('y') && start > 0) --start;
  // w[start] is either a non-y or the first character (possibly a y).
  if (w[start] == C('y')) {
    consonant = true;  // y at position 0
  } else {
    consonant = !IsVowelLetter(w[start]);
  }
  for (std::size_t k = start + 1; k <= i; ++k) consonant = !consonant;  // each y flips
  return consonant;
}

// nltk _measure: the number of "vc" pairs in the consonant/vowel pattern.
template <typename C>
int Measure(View<C> stem) {
  int m = 0;
  bool prev_vowel = false;
  for (std::size_t i = 0; i < stem.size(); ++i) {
    const bool cons = IsConsonant(stem, i);
    if (cons && prev_vowel) ++m;
    prev_vowel = !cons;
  }
  return m;
}

template <typename C>
bool ContainsVowel(View<C> stem) {
  for (std::size_t i = 0; i < stem.size(); ++i) {
    if (!IsConsonant(stem, i)) return true;
  }
  return false;
}

template <typename C>
bool EndsDoubleConsonant(View<C> w) {
  const std::size_t n = w.size();
  return n >= 2 && w[n - 1] == w[n - 2] && IsConsonant(w, n - 1);
}

// Condition *o (nltk _ends_cvc with the NLTK_EXTENSIONS two-letter case).
template <typename C>
bool EndsCvc(View<C> w) {
  const std::size_t n = w.size();
  if (n >= 3 && IsConsonant(w, n - 3) && !IsConsonant(w, n - 2) && IsConsonant(w, n - 1) &&
      w[n - 1] != C('w') && w[n - 1] != C('x') && w[n - 1] != C('y')) {
    return true;
  }
  return n == 2 && !IsConsonant(w, 0) && IsConsonant(w, 1);
}

template <typename C>
bool EndsWith(View<C> w, std::string_view suffix) {
  if (w.size() < suffix.size()) return false;
  const std::size_t off = w.size() - suffix.size();
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (w[off + i] != C(static_cast<unsigned char>(suffix[i]))) return false;
  }
  return true;
}

template <typename C>
Str<C> Concat(View<C> stem, std::string_view tail) {
  Str<C> out(stem);
  for (char ch : tail) out.push_back(C(static_cast<unsigned char>(ch)));
  return out;
}

enum class Cond {
  kNone,        // unconditional
  kMeasureGt0,  // m(stem) > 0
  kMeasureGt1,  // m(stem) > 1
  kIon,         // m(stem) > 1 and stem ends with s or t
  kLogi,        // m(word[:-3]) > 0 (nltk's "logi" rule keeps the l with the stem)
  kStep5b,      // m(word[:-1]) > 1
  kStep1c,      // len(stem) > 1 and stem ends with a consonant (NLTK_EXTENSIONS)
};

struct Rule {
  std::string_view suffix;
  std::string_view replacement;
  Cond cond;
};

template <typename C>
bool Holds(Cond cond, View<C> stem, View<C> word) {
  switch (cond) {
    case Cond::kNone:
      return true;
    case Cond::kMeasureGt0:
      return Measure(stem) > 0;
    case Cond::kMeasureGt1:
      return Measure(stem) > 1;
    case Cond::kIon:
      return Measure(stem) > 1 && (stem.back() == C('s') || stem.back() == C('t'));
    case Cond::kLogi:
      return Measure(word.substr(0, word.size() - 3)) > 0;
    case Cond::kStep5b:
      return Measure(word.substr(0, word.size() - 1)) > 1;
    case Cond::kStep1c:
      return stem.size() > 1 && IsConsonant(stem, stem.size() - 1);
  }
  return false;
}

// nltk _apply_rule_list for plain suffix rules: the first rule whose suffix matches decides;
// if its condition fails the word is returned unchanged.
template <typename C, std::size_t N>
Str<C> ApplyRules(View<C> word, const std::array<Rule, N>& rules) {
  for (const Rule& rule : rules) {
    if (EndsWith(word, rule.suffix)) {
      const View<C> stem = word.substr(0, word.size() - rule.suffix.size());
      if (Holds(rule.cond, stem, word)) return Concat(stem, rule.replacement);
      return Str<C>(word);
    }
  }
  return Str<C>(word);
}

template <typename C>
Str<C> Step1a(View<C> word) {
  if (EndsWith(word, "ies") && word.size() == 4) return Concat(word.substr(0, 1), "ie");
  static constexpr std::array<Rule, 4> kRules = {{
      {"sses", "ss", Cond::kNone},
      {"ies", "i", Cond::kNone},
      {"ss", "ss", Cond::kNone},
      {"s", "", Cond::kNone},
  }};
  return ApplyRules(word, kRules);
}

template <typename C>
Str<C> Step1b(View<C> word) {
  if (EndsWith(word, "ied")) {
    return Concat(word.substr(0, word.size() - 3), word.size() == 4 ? "ie" : "i");
  }
  if (EndsWith(word, "eed")) {
    const View<C> stem = word.substr(0, word.size() - 3);
    if (Measure(stem) > 0) return Concat(stem, "ee");
    return Str<C>(word);
  }
  View<C> inter;
  bool succeeded = false;
  for (std::string_view suffix : {std::string_view("ed"), std::string_view("ing")}) {
    if (EndsWith(word, suffix)) {
      inter = word.substr(0, word.size() - suffix.size());
      if (ContainsVowel(inter)) {
        succeeded = true;
        break;
      }
    }
  }
  if (!succeeded) return Str<C>(word);
  // The rule list applied to the intermediate stem.
  if (EndsWith(inter, "at")) return Concat(inter, "e");
  if (EndsWith(inter, "bl")) return Concat(inter, "e");
  if (EndsWith(inter, "iz")) return Concat(inter, "e");
  if (EndsDoubleConsonant(inter)) {
    const C last = inter.back();
    if (last != C('l') && last != C('s') && last != C('z')) {
      return Str<C>(inter.substr(0, inter.size() - 1));
    }
    return Str<C>(inter);
  }
  // nltk's rule list also matches a literal "*d" suffix (its marker for the double-consonant
  // rule); words containing '*' then lose the '*'.
  if (EndsWith(inter, "*d")) return Concat(inter.substr(0, inter.size() - 2), "d");
  if (Measure(inter) == 1 && EndsCvc(inter)) return Concat(inter, "e");
  return Str<C>(inter);
}

template <typename C>
Str<C> Step1c(View<C> word) {
  static constexpr std::array<Rule, 1> kRules = {{{"y", "i", Cond::kStep1c}}};
  return ApplyRules(word, kRules);
}

template <typename C>
Str<C> Step2(View<C> word) {
  if (EndsWith(word, "alli") && Measure(word.substr(0, word.size() - 4)) > 0) {
    const Str<C> replaced = Concat(word.substr(0, word.size() - 4), "al");
    return Step2<C>(replaced);
  }
  static constexpr std::array<Rule, 22> kRules = {{
      {"ational", "ate", Cond::kMeasureGt0}, {"tional", "tion", Cond::kMeasureGt0},
      {"enci", "ence", Cond::kMeasureGt0},   {"anci", "ance", Cond::kMeasureGt0},
      {"izer", "ize", Cond::kMeasureGt0},    {"bli", "ble", Cond::kMeasureGt0},
      {"alli", "al", Cond::kMeasureGt0},     {"entli", "ent", Cond::kMeasureGt0},
      {"eli", "e", Cond::kMeasureGt0},       {"ousli", "ous", Cond::kMeasureGt0},
      {"ization", "ize", Cond::kMeasureGt0}, {"ation", "ate", Cond::kMeasureGt0},
      {"ator", "ate", Cond::kMeasureGt0},    {"alism", "al", Cond::kMeasureGt0},
      {"iveness", "ive", Cond::kMeasureGt0}, {"fulness", "ful", Cond::kMeasureGt0},
      {"ousness", "ous", Cond::kMeasureGt0}, {"aliti", "al", Cond::kMeasureGt0},
      {"iviti", "ive", Cond::kMeasureGt0},   {"biliti", "ble", Cond::kMeasureGt0},
      {"fulli", "ful", Cond::kMeasureGt0},   {"logi", "log", Cond::kLogi},
  }};
  return ApplyRules(word, kRules);
}

template <typename C>
Str<C> Step3(View<C> word) {
  static constexpr std::array<Rule, 7> kRules = {{
      {"icate", "ic", Cond::kMeasureGt0},
      {"ative", "", Cond::kMeasureGt0},
      {"alize", "al", Cond::kMeasureGt0},
      {"iciti", "ic", Cond::kMeasureGt0},
      {"ical", "ic", Cond::kMeasureGt0},
      {"ful", "", Cond::kMeasureGt0},
      {"ness", "", Cond::kMeasureGt0},
  }};
  return ApplyRules(word, kRules);
}

template <typename C>
Str<C> Step4(View<C> word) {
  static constexpr std::array<Rule, 19> kRules = {{
      {"al", "", Cond::kMeasureGt1},    {"ance", "", Cond::kMeasureGt1},
      {"ence", "", Cond::kMeasureGt1},  {"er", "", Cond::kMeasureGt1},
      {"ic", "", Cond::kMeasureGt1},    {"able", "", Cond::kMeasureGt1},
      {"ible", "", Cond::kMeasureGt1},  {"ant", "", Cond::kMeasureGt1},
      {"ement", "", Cond::kMeasureGt1}, {"ment", "", Cond::kMeasureGt1},
      {"ent", "", Cond::kMeasureGt1},   {"ion", "", Cond::kIon},
      {"ou", "", Cond::kMeasureGt1},    {"ism", "", Cond::kMeasureGt1},
      {"ate", "", Cond::kMeasureGt1},   {"iti", "", Cond::kMeasureGt1},
      {"ous", "", Cond::kMeasureGt1},   {"ive", "", Cond::kMeasureGt1},
      {"ize", "", Cond::kMeasureGt1},
  }};
  return ApplyRules(word, kRules);
}

template <typename C>
Str<C> Step5a(View<C> word) {
  if (EndsWith(word, "e")) {
    const View<C> stem = word.substr(0, word.size() - 1);
    const int m = Measure(stem);
    if (m > 1) return Str<C>(stem);
    if (m == 1 && !EndsCvc(stem)) return Str<C>(stem);
  }
  return Str<C>(word);
}

template <typename C>
Str<C> Step5b(View<C> word) {
  static constexpr std::array<Rule, 1> kRules = {{{"ll", "l", Cond::kStep5b}}};
  return ApplyRules(word, kRules);
}

// nltk's irregular-forms table (NLTK_EXTENSIONS): form -> stem.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kIrregularForms = {{
    {"sky", "sky"},
    {"skies", "sky"},
    {"dying", "die"},
    {"lying", "lie"},
    {"tying", "tie"},
    {"news", "news"},
    {"innings", "inning"},
    {"inning", "inning"},
    {"outings", "outing"},
    {"outing", "outing"},
    {"cannings", "canning"},
    {"canning", "canning"},
    {"howe", "howe"},
    {"proceed", "proceed"},
    {"exceed", "exceed"},
    {"succeed", "succeed"},
}};

template <typename C>
const std::string_view* FindIrregular(View<C> word) {
  for (const auto& [form, stem] : kIrregularForms) {
    if (form.size() != word.size()) continue;
    bool equal = true;
    for (std::size_t i = 0; i < form.size(); ++i) {
      if (word[i] != C(static_cast<unsigned char>(form[i]))) {
        equal = false;
        break;
      }
    }
    if (equal) return &stem;
  }
  return nullptr;
}

// PorterStemmer.stem() after lower-casing: `original` is the word as given (nltk looks it up in
// the irregular table and measures its length before lower-casing), `lowered` its lower case.
template <typename C>
Str<C> StemLowered(View<C> original, View<C> lowered) {
  if (const std::string_view* irregular = FindIrregular(original)) {
    return Concat(View<C>(), *irregular);
  }
  if (original.size() <= 2) return Str<C>(lowered);
  Str<C> s = Step1a(lowered);
  s = Step1b(View<C>(s));
  s = Step1c(View<C>(s));
  s = Step2(View<C>(s));
  s = Step3(View<C>(s));
  s = Step4(View<C>(s));
  s = Step5a(View<C>(s));
  s = Step5b(View<C>(s));
  return s;
}

}  // namespace

std::string PorterStem(std::string_view word) {
  bool ascii = true;
  for (char ch : word) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    std::string lowered(word);
    for (char& ch : lowered) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return StemLowered<char>(word, lowered);
  }
  auto decoded = DecodeUtf8(word);
  if (!decoded) return std::string(word);
  return EncodeUtf8(PorterStem(std::u32string_view(*decoded)));
}

std::u32string PorterStem(std::u32string_view word) {
  const std::u32string lowered = Lower(word);
  return StemLowered<char32_t>(word, lowered);
}

}  // namespace yardstick::text

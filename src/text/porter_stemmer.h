#pragma once
// The Porter stemmer exactly as nltk 3.8's `PorterStemmer()` (default mode NLTK_EXTENSIONS)
// computes it, so that ROUGE with `use_stemmer` reproduces rouge-score, which stems with it.
//
// NLTK_EXTENSIONS is Porter's 1980 algorithm with Martin Porter's later changes and nltk's own:
// a table of irregular forms (sky/skies -> sky, dying -> die, lying -> lie, tying -> tie,
// news -> news, innings/inning -> inning, outings/outing -> outing, cannings/canning -> canning,
// howe -> howe, proceed/exceed/succeed unchanged), words of one or two characters left alone,
// "ies"/"ied" of four-letter words -> "ie", "ied" -> "i", y -> i only after a consonant that is
// not the whole stem, "alli" -> "al" tried first in step 2, the extra step-2 rules
// "fulli" -> "ful" and "logi" -> "log", and a two-letter vowel-consonant stem counting as *o.
//
// The word is lower-cased first (Python str.lower()). Vowels are a, e, i, o, u (and y after a
// consonant); every other character, including digits and non-ASCII letters, is a consonant,
// exactly as in nltk, which works on Python code points.
//
// Thread safety: every function is pure and may be called concurrently.

#include <string>
#include <string_view>

namespace yardstick::text {

// PorterStemmer().stem(word) of nltk 3.8. `word` is UTF-8; ASCII words take a fast path.
// Invalid UTF-8 is returned unchanged (nltk cannot receive it).
std::string PorterStem(std::string_view word);

// The same on code points.
std::u32string PorterStem(std::u32string_view word);

}  // namespace yardstick::text

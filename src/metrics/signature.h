#pragma once
// Reproducibility signatures, in sacrebleu's format.
//
// A signature lists every option that influences a metric's numbers, e.g.
//   nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:yardstick-0.1.0
// and in short form  #:1|c:mixed|e:no|tok:13a|s:exp|v:yardstick-0.1.0
// Two results are comparable only when their signatures are equal (see Comparable()).

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yardstick::metrics {

// The num_refs of a corpus whose segments have different numbers of references; a Signature
// built with it prints sacrebleu's "nrefs:var".
inline constexpr std::size_t kVariableNumRefs = std::numeric_limits<std::size_t>::max();

// The version string embedded in every signature.
std::string SignatureVersion();

class Signature {
 public:
  // Starts a signature with sacrebleu's shared leading key: nrefs ("var" for kVariableNumRefs).
  explicit Signature(std::size_t num_refs);

  // Sets `key` to `value`, keeping the key's first position; "version" always prints last.
  // `short_key` is the abbreviation used by the short form (defaults to the key itself).
  Signature& Set(std::string_view key, std::string value, std::string_view short_key = {});
  Signature& Set(std::string_view key, bool value, std::string_view short_key = {});

  // Sets `key` right after `anchor` (at the end when `anchor` is absent); an existing `key`
  // moves there. Used for the resampling keys sacrebleu prints after nrefs (bs, ar, seed).
  Signature& InsertAfter(std::string_view anchor, std::string_view key, std::string value,
                         std::string_view short_key = {});

  // Returns the value of `key`, or an empty string.
  std::string Get(std::string_view key) const;

  // "key:value|key:value|...|version:V"; short form uses the abbreviations.
  std::string Format(bool short_form = false) const;

 private:
  struct Entry {
    std::string key;
    std::string short_key;
    std::string value;
  };
  std::vector<Entry> entries_;
};

// True when two formatted signatures describe the same computation (they are equal).
inline bool Comparable(std::string_view a, std::string_view b) { return a == b; }

}  // namespace yardstick::metrics

#pragma once
// A compiled PCRE2 pattern (JIT when available) and the search loop the detectors share.
// Internal to the redact module.
//
// Thread safety: a Pattern is immutable; Find() may run on many threads at once because each
// thread keeps its own match data.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/error.h"

namespace yardstick::redact::internal {

// One match: [begin, end) in bytes (begin is after any \K), and the capture groups.
struct Match {
  size_t begin = 0;
  size_t end = 0;
  const size_t* ovector =
      nullptr;  // pairs of offsets; PCRE2_UNSET for groups that did not take part
  uint32_t pairs = 0;

  // True when group `n` took part in the match.
  bool HasGroup(int n) const;
};

class Pattern {
 public:
  enum class Mode { kBytes, kUtf8 };

  // Compiles `regex`. Errors (kInvalidArgument) name the offset and PCRE2's message.
  static Result<Pattern> Compile(std::string_view regex, Mode mode);

  // Finds the first match starting at or after `offset`. False when there is none, or when
  // PCRE2 gives up (match limit, JIT stack): a pattern that cannot finish redacts nothing more.
  bool Find(std::string_view text, size_t offset, Match& match) const;

  // The number of a named group, or -1.
  int GroupNumber(const char* name) const;

  Mode mode() const { return mode_; }

 private:
  struct Code;
  Pattern(std::shared_ptr<const Code> code, Mode mode) : code_(std::move(code)), mode_(mode) {}
  std::shared_ptr<const Code> code_;
  Mode mode_ = Mode::kBytes;
};

}  // namespace yardstick::redact::internal

#pragma once
// A compiled PCRE2 regex (JIT when available) for model names and usage keys. Internal to the
// pricing module.
//
// Thread safety: immutable; Search() may run on many threads at once (per-thread match data).

#include <memory>
#include <string_view>

#include "base/error.h"

namespace yardstick::pricing::internal {

class Regex {
 public:
  // UTF-8 mode (invalid input never matches). Errors (kInvalidArgument): "regex error at
  // offset N: <PCRE2's message>".
  static Result<Regex> Compile(std::string_view pattern, bool caseless = false);

  // True when the regex matches anywhere in `subject`.
  bool Search(std::string_view subject) const;

 private:
  struct Code;
  explicit Regex(std::shared_ptr<const Code> code) : code_(std::move(code)) {}
  std::shared_ptr<const Code> code_;
};

}  // namespace yardstick::pricing::internal

#include "pricing/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

namespace yardstick::pricing::internal {
namespace {

struct MatchDataDeleter {
  void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};

pcre2_match_data* ThreadMatchData() {
  thread_local std::unique_ptr<pcre2_match_data, MatchDataDeleter> md(
      pcre2_match_data_create(1, nullptr));
  return md.get();
}

}  // namespace

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

Result<Regex> Regex::Compile(std::string_view pattern, bool caseless) {
  uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (caseless) options |= PCRE2_CASELESS;
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   options, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buffer[256];
    std::string message = "unknown PCRE2 error";
    if (pcre2_get_error_message(error, buffer, sizeof(buffer)) >= 0) {
      message = reinterpret_cast<const char*>(buffer);
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     "regex error at offset " + std::to_string(offset) + ": " + message);
  }
  auto holder = std::make_shared<Code>();
  holder->code = code;
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // without JIT: interpreted, same results
  return Regex(std::move(holder));
}

bool Regex::Search(std::string_view subject) const {
  // rc 0 means "matched, ovector too small"; negative is no match or an error (no match).
  return pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                     0, ThreadMatchData(), nullptr) >= 0;
}

}  // namespace yardstick::pricing::internal

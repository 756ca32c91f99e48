#include "redact/pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

namespace yardstick::redact::internal {
namespace {

// Enough pairs for the built-in patterns; custom patterns with more groups still report the
// whole match (pcre2_match returns 0 then).
constexpr uint32_t kOvectorPairs = 16;

struct MatchDataDeleter {
  void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};

pcre2_match_data* ThreadMatchData() {
  thread_local std::unique_ptr<pcre2_match_data, MatchDataDeleter> md(
      pcre2_match_data_create(kOvectorPairs, nullptr));
  return md.get();
}

std::string ErrorText(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof(buffer)) < 0) return "unknown PCRE2 error";
  return std::string(reinterpret_cast<const char*>(buffer));
}

}  // namespace

struct Pattern::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

bool Match::HasGroup(int n) const {
  if (n < 0 || static_cast<uint32_t>(n) >= pairs) return false;
  return ovector[2 * n] != PCRE2_UNSET;
}

Result<Pattern> Pattern::Compile(std::string_view regex, Mode mode) {
  uint32_t options = 0;
  if (mode == Mode::kUtf8) options |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                                   options, &error, &offset, nullptr);
  if (code == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "regex error at offset " + std::to_string(offset) + ": " + ErrorText(error));
  }
  auto holder = std::make_shared<Code>();
  holder->code = code;
  // Without JIT support pcre2_match interprets the pattern; slower, same results.
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return Pattern(std::move(holder), mode);
}

bool Pattern::Find(std::string_view text, size_t offset, Match& match) const {
  if (offset > text.size()) return false;
  pcre2_match_data* md = ThreadMatchData();
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(),
                             offset, 0, md, nullptr);
  if (rc < 0) return false;
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  match.ovector = ov;
  match.pairs = rc == 0 ? pcre2_get_ovector_count(md) : static_cast<uint32_t>(rc);
  match.begin = ov[0];
  match.end = ov[1];
  // \K inside a lookbehind can report a start after the end; treat it as empty.
  if (match.end < match.begin) match.end = match.begin;
  return true;
}

int Pattern::GroupNumber(const char* name) const {
  const int n = pcre2_substring_number_from_name(code_->code, reinterpret_cast<PCRE2_SPTR>(name));
  return n < 0 ? -1 : n;
}

}  // namespace yardstick::redact::internal

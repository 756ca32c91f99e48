#pragma once
// Error values for expected failures (bad input, missing files, unsupported options).
// Functions that can fail on user input return Result<T>; exceptions are reserved for
// programmer errors and are converted at module boundaries.

#include <expected>
#include <string>
#include <utility>

namespace yardstick {

enum class ErrorCode {
  kInvalidArgument,  // an option or value the caller passed is not acceptable
  kParse,            // input data is malformed (bad UTF-8, bad JSON, wrong line count)
  kNotFound,         // a named file, metric or record does not exist
  kIo,               // the operating system failed a read or write
  kUnsupported,      // a valid request this build cannot serve
  kInternal,         // a broken invariant; a bug in Yardstick
};

// Returns a stable lower-case name for the code ("invalid_argument", ...), used in JSON output.
const char* ErrorCodeName(ErrorCode code);

// An error with a code and a message that names the place (file:line, JSON path) and what was
// expected. Copyable and cheap; holds no resources other than the message.
class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>", for adding the place of an error
  // as it travels up (e.g. the file name around a line-level error).
  Error WithContext(const std::string& context) const {
    return Error(code_, context + ": " + message_);
  }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for returning an error from a function that returns Result<T>.
inline std::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}

}  // namespace yardstick

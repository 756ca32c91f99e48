#include "stats/test_result.h"

#include <string>

namespace yardstick::stats {

const char* AlternativeName(Alternative alternative) {
  switch (alternative) {
    case Alternative::kTwoSided:
      return "two-sided";
    case Alternative::kLess:
      return "less";
    case Alternative::kGreater:
      return "greater";
  }
  return "two-sided";
}

Result<Alternative> ParseAlternative(std::string_view name) {
  if (name == "two-sided" || name == "2s" || name == "two_sided") return Alternative::kTwoSided;
  if (name == "less" || name == "smaller") return Alternative::kLess;
  if (name == "greater" || name == "larger") return Alternative::kGreater;
  return MakeError(ErrorCode::kInvalidArgument, "unknown alternative '" + std::string(name) +
                                                    "': expected 'two-sided', 'less' or 'greater'");
}

std::optional<Error> CheckSample(std::span<const double> values, std::string_view name,
                                 std::size_t min_size) {
  if (values.size() < min_size) {
    return Error(ErrorCode::kInvalidArgument,
                 "sample " + std::string(name) + " has " + std::to_string(values.size()) +
                     " values; at least " + std::to_string(min_size) + " expected");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      return Error(ErrorCode::kInvalidArgument,
                   "sample " + std::string(name) + "[" + std::to_string(i) + "] is NaN");
    }
  }
  return std::nullopt;
}

}  // namespace yardstick::stats

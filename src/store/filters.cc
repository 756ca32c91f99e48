#include "store/filters.h"

#include <algorithm>

#include "store/aggregates.h"
#include "store/store.h"

namespace yardstick::store {

const FilterColumns& CallFilterColumns() {
  static const FilterColumns m = [] {
    FilterColumns c;
    for (const char* f : {"model", "route", "prompt_version", "variant", "environment",
                          "conversation_id", "session_id", "user_id", "trace_id", "provider",
                          "operation", "service", "release", "prompt_name", "finish_reason",
                          "error_type", "request_model", "response_model", "status"}) {
      c.emplace(f, f);
    }
    return c;
  }();
  return m;
}

const FilterColumns& ScoreFilterColumns() {
  static const FilterColumns m = [] {
    FilterColumns c;
    for (const char* f :
         {"name", "source", "label", "author", "call_id", "conversation_id", "user_id", "trace_id",
          "model", "route", "variant", "environment", "prompt_version"}) {
      c.emplace(f, f);
    }
    return c;
  }();
  return m;
}

const FilterColumns& OutcomeFilterColumns() {
  static const FilterColumns m = [] {
    FilterColumns c;
    for (const char* f : {"name", "conversation_id", "session_id", "user_id", "model", "route",
                          "variant", "environment", "prompt_version"}) {
      c.emplace(f, f);
    }
    return c;
  }();
  return m;
}

Result<std::string> FilterColumn(const FilterColumns& columns, std::string_view field) {
  const auto it = columns.find(field);
  if (it != columns.end()) return it->second;
  std::string allowed;
  for (const auto& [k, unused] : columns) allowed += (allowed.empty() ? "" : ", ") + k;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown filter field '" + std::string(field) + "' (allowed: " + allowed + ")");
}

Result<std::string> StatusValue(std::string_view v) {
  if (v == "ok") return "1";
  if (v == "error") return "2";
  if (v == "unset") return "0";
  return MakeError(ErrorCode::kInvalidArgument,
                   "status filter must be ok, error or unset, not '" + std::string(v) + "'");
}

Result<void> CheckGroupBy(const std::vector<std::string>& group_by, bool attributes) {
  for (const auto& g : group_by) {
    if (attributes && IsAttributeName(g)) {
      if (auto r = CheckAttributeName(g); !r) return r;
      continue;
    }
    if (std::find(kDimensionNames.begin(), kDimensionNames.end(), g) == kDimensionNames.end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "cannot group by '" + g +
                           "' (allowed: model, route, prompt_version, variant, environment)");
    }
  }
  return {};
}

}  // namespace yardstick::store

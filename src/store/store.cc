#include "store/store.h"

namespace yardstick::store {

Result<void> CheckRecordIds(const model::Batch& batch) {
  for (const auto& c : batch.calls) {
    if (c.project.empty() || c.id.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "a call without project or id");
    }
  }
  for (const auto& s : batch.scores) {
    if (s.project.empty() || s.id.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "a score without project or id");
    }
  }
  for (const auto& o : batch.outcomes) {
    if (o.project.empty() || o.id.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "an outcome without project or id");
    }
  }
  return {};
}

}  // namespace yardstick::store

#pragma once
// Internal to the ingest module: turns one parsed JSON record into a Call, Score or Outcome,
// checking it against the schema of docs/api.md ("Event records").

#include <simdjson.h>

#include <optional>
#include <string>

#include "ingest/events.h"
#include "model/records.h"

namespace yardstick::ingest::internal {

// Why a record was refused: `path` is relative to the record ("" for the record itself,
// ".input_tokens", ".attributes.team", ".attributes[\"a.b\"]").
struct Problem {
  std::string path;
  std::string reason;
};

// Appends a valid record to the batch, or returns the first problem found (the batch is then
// unchanged). Not thread-safe; use one decoder per thread.
class RecordDecoder {
 public:
  explicit RecordDecoder(const ParseOptions& options) : options_(options) {}

  std::optional<Problem> Decode(simdjson::dom::element record, model::Batch& batch);

 private:
  const ParseOptions& options_;
};

// Appends `key` to a JSON path: ".key" for identifier-like keys, else "[\"key\"]" (escaped);
// keys longer than 128 bytes are cut.
void AppendPathKey(std::string& path, std::string_view key);

}  // namespace yardstick::ingest::internal

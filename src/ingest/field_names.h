#pragma once
// Internal to the ingest module: the field names of event records, which record types take
// them, their lookup, and the "did you mean" suggestion for unknown fields.

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/events.h"

namespace yardstick::ingest::internal {

enum class Field : uint8_t {
  // Every record.
  kType,
  kId,
  kProject,
  kAttributes,
  // Calls (some also in scores and outcomes).
  kTraceId,
  kSpanId,
  kParentSpanId,
  kConversationId,
  kSessionId,
  kUserId,
  kStartTime,
  kEndTime,
  kDurationMs,
  kTtftMs,
  kOperation,
  kProvider,
  kModel,
  kRequestModel,
  kResponseModel,
  kService,
  kEnvironment,
  kRoute,
  kPromptName,
  kPromptVersion,
  kRelease,
  kVariant,
  kInputTokens,
  kOutputTokens,
  kCacheReadTokens,
  kCacheCreationTokens,
  kReasoningTokens,
  kCostUsd,
  kStatus,
  kErrorType,
  kFinishReason,
  kInput,
  kOutput,
  // Scores and outcomes.
  kName,
  kValue,
  kLabel,
  kCallId,
  kSource,
  kAuthor,
  kComment,
  kTime,
  kUnknown,  // not a field of any record type
};

// A set of fields, one bit per Field.
using FieldSet = uint64_t;

constexpr FieldSet Bit(Field f) { return FieldSet{1} << static_cast<unsigned>(f); }

// The field's name as written in JSON ("input_tokens").
std::string_view FieldName(Field f);

// The field called `key`, or kUnknown. Exact and case-sensitive.
Field FindField(std::string_view key);

// The fields records of `type` take.
FieldSet FieldsOf(RecordType type);

// The reason for rejecting `key` in a record of `type`: "unknown field 'modle' (did you mean
// 'model'?)", or "... (it is a field of score records)" when another record type takes it.
std::string UnknownFieldReason(std::string_view key, RecordType type);

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary, with "..." when cut.
std::string Excerpt(std::string_view text, size_t max_bytes = 64);

}  // namespace yardstick::ingest::internal

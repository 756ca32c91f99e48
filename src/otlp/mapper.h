#pragma once
// Internal to the otlp module: turns decoded spans and log records (span_data.h) into calls and
// scores, applying the GenAI attribute mapping of docs/otlp.md, and counts what it keeps,
// ignores and rejects. Both decoders drive one Mapper per request:
//   SetResource(...) once per resourceSpans / resourceLogs entry, then AddSpan / AddLog per
//   record, then Finish().

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/records.h"
#include "otlp/attribute_keys.h"
#include "otlp/content.h"
#include "otlp/otlp.h"
#include "otlp/span_data.h"

namespace yardstick::otlp::internal {

class Mapper {
 public:
  // The recognized attributes of one record, indexed by Key.
  using Slots = std::array<const Attribute*, kKeyCount>;

  Mapper(const Limits& limits, DecodeResult& result) : limits_(limits), result_(result) {}

  // The resource attributes of the records that follow. A non-empty `problem` (say, a string
  // that is not UTF-8) rejects every record of the resource that would have been kept.
  void SetResource(const std::vector<Attribute>& attributes, const Problem& problem);

  void AddSpan(const SpanData& span);
  void AddLog(const LogData& log);

  // Writes result.error_message from the rejections collected.
  void Finish();

 private:
  // What the resource contributes to every call.
  struct ResourceContext {
    std::string service;
    std::string service_version;
    std::string environment;
    std::string route;
    std::string prompt_name;
    std::string prompt_version;
    std::string release;
    std::string variant;
    std::string problem;
  };

  // Identity and context an evaluation result inherits from its span or log record.
  struct ScoreContext {
    std::string_view trace_id;
    std::string_view span_id;
    int64_t time_ns = 0;
    std::string_view conversation_id;
    std::string_view user_id;
  };

  // What AddSpan learned about a span before mapping it.
  struct SpanFacts {
    Slots slots{};
    const Value* exception_type = nullptr;    // exception.type of an "exception" event
    const Value* event_prompt = nullptr;      // gen_ai.prompt of a gen_ai.content.prompt event
    const Value* event_completion = nullptr;  // gen_ai.completion of gen_ai.content.completion
    std::string_view name_operation;          // inferred from an OpenLLMetry span name
  };

  bool MapCall(const SpanData& span, const SpanFacts& facts, model::Call& call,
               std::string& problem);
  bool MapScore(const Attribute* begin, const Attribute* end, const ScoreContext& context,
                model::Score& score, std::string& problem);
  void Reject(std::string where, const std::string& problem);

  const Limits& limits_;
  DecodeResult& result_;
  ResourceContext resource_;
  std::vector<std::string> reasons_;  // the first few rejection reasons
  // Scratch reused between spans.
  std::vector<const Attribute*> rest_;
  FlatMessages prompt_flat_;
  FlatMessages completion_flat_;
  FlatMessages oi_input_flat_;
  FlatMessages oi_output_flat_;
  std::vector<model::Score> scores_;
};

}  // namespace yardstick::otlp::internal

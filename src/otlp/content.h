#pragma once
// Internal to the otlp module: prompt and completion content. Calls store content as JSON text
// of a message array in the semantic-conventions shape
//   [{"role":"user","parts":[{"type":"text","content":"..."}]},
//    {"role":"assistant","parts":[{"type":"tool_call","id":"..","name":"..","arguments":".."}],
//     "finish_reason":"stop"}]
// whenever the span gives structure (gen_ai.input.messages as a structured value, flattened
// OpenLLMetry / OpenInference message attributes); strings are stored as sent.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/span_data.h"

namespace yardstick::otlp::internal {

// Appends a value as JSON: strings quoted, arrays and key-value lists as their JSON text, bytes
// as a base64 string, an empty value as null.
void AppendValueJson(std::string& out, const Value& value);

// The flattened message attributes of one span under one prefix:
//   OpenLLMetry   gen_ai.prompt.{i}.role|content|tool_call_id|finish_reason,
//                 gen_ai.prompt.{i}.tool_calls.{j}.id|name|arguments (and gen_ai.completion.*)
//   OpenInference llm.input_messages.{i}.message.role|content|tool_call_id,
//                 ...message.contents.{j}.message_content.text,
//                 ...message.tool_calls.{j}.tool_call.id|function.name|function.arguments
class FlatMessages {
 public:
  enum class Dialect { kOpenLlmetry, kOpenInference };

  void Clear() { entries_.clear(); }
  bool empty() const { return entries_.empty(); }

  // Adds one attribute; `rest` is the key after the prefix ("0.content"). Fields that are not
  // part of a message are ignored (the attribute is still content and is not kept).
  void Add(Dialect dialect, std::string_view rest, const Value* value);

  // The messages in index order as JSON text; `output` picks the default role ("assistant" for
  // completions, "user" for prompts) of messages that name none.
  std::string ToJson(bool output) const;

  // The finish_reason of the lowest-indexed message that has one, or empty.
  std::string_view FirstFinishReason() const;

 private:
  enum class Field : uint8_t {
    kRole,
    kContent,
    kContentPart,
    kToolCallId,
    kFinishReason,
    kCallId,
    kCallName,
    kCallArguments
  };
  struct Entry {
    uint64_t index;  // message index i
    uint64_t sub;    // tool call or content part index j
    Field field;
    const Value* value;
  };
  std::vector<Entry> entries_;
};

// Puts gen_ai.system_instructions in front of the input messages as a {"role":"system"}
// message. `input` is JSON text of a message array (or empty); when it is plain text it is
// returned unchanged.
std::string PrependSystemInstructions(const Value& instructions, std::string input);

}  // namespace yardstick::otlp::internal

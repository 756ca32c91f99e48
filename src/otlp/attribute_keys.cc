#include "otlp/attribute_keys.h"

#include <iterator>
#include <unordered_map>
#include <utility>

namespace yardstick::otlp::internal {
namespace {

struct Entry {
  std::string_view name;
  Key key;
};

constexpr Entry kEntries[] = {
    {"gen_ai.operation.name", Key::kOperationName},
    {"llm.request.type", Key::kLlmRequestType},
    {"openinference.span.kind", Key::kOpenInferenceKind},
    {"gen_ai.provider.name", Key::kProviderName},
    {"gen_ai.system", Key::kGenAiSystem},
    {"llm.provider", Key::kLlmProvider},
    {"llm.system", Key::kLlmSystem},
    {"gen_ai.request.model", Key::kRequestModel},
    {"llm.model_name", Key::kLlmModelName},
    {"gen_ai.response.model", Key::kResponseModel},
    {"gen_ai.usage.input_tokens", Key::kInputTokens},
    {"gen_ai.usage.prompt_tokens", Key::kPromptTokens},
    {"llm.token_count.prompt", Key::kOiPromptTokens},
    {"gen_ai.usage.output_tokens", Key::kOutputTokens},
    {"gen_ai.usage.completion_tokens", Key::kCompletionTokens},
    {"llm.token_count.completion", Key::kOiCompletionTokens},
    {"gen_ai.usage.cache_read.input_tokens", Key::kCacheReadTokens},
    {"gen_ai.usage.cache_read_input_tokens", Key::kCacheReadTokensFlat},
    {"llm.token_count.prompt_details.cache_read", Key::kOiCacheReadTokens},
    {"gen_ai.usage.cache_creation.input_tokens", Key::kCacheCreationTokens},
    {"gen_ai.usage.cache_creation_input_tokens", Key::kCacheCreationTokensFlat},
    {"llm.token_count.prompt_details.cache_write", Key::kOiCacheWriteTokens},
    {"gen_ai.usage.reasoning.output_tokens", Key::kReasoningTokens},
    {"gen_ai.usage.reasoning_tokens", Key::kReasoningTokensFlat},
    {"llm.usage.reasoning_tokens", Key::kLlmReasoningTokens},
    {"llm.token_count.completion_details.reasoning", Key::kOiReasoningTokens},
    {"gen_ai.usage.cost", Key::kCost},
    {"llm.cost.total", Key::kOiCostTotal},
    {"gen_ai.response.time_to_first_chunk", Key::kTtftChunk},
    {"gen_ai.server.time_to_first_token", Key::kTtftServer},
    {"gen_ai.response.finish_reasons", Key::kFinishReasons},
    {"error.type", Key::kErrorType},
    {"gen_ai.conversation.id", Key::kConversationId},
    {"session.id", Key::kSessionId},
    {"langfuse.session.id", Key::kLangfuseSessionId},
    {"traceloop.association.properties.session_id", Key::kTraceloopSessionId},
    {"user.id", Key::kUserId},
    {"enduser.id", Key::kEnduserId},
    {"langfuse.user.id", Key::kLangfuseUserId},
    {"traceloop.association.properties.user_id", Key::kTraceloopUserId},
    {"deployment.environment.name", Key::kEnvironmentName},
    {"deployment.environment", Key::kEnvironment},
    {"langfuse.environment", Key::kLangfuseEnvironment},
    {"yardstick.route", Key::kRoute},
    {"traceloop.workflow.name", Key::kTraceloopWorkflowName},
    {"traceloop.entity.name", Key::kTraceloopEntityName},
    {"yardstick.prompt.name", Key::kPromptName},
    {"gen_ai.prompt.name", Key::kGenAiPromptName},
    {"langfuse.observation.prompt.name", Key::kLangfusePromptName},
    {"yardstick.prompt.version", Key::kPromptVersion},
    {"gen_ai.prompt.version", Key::kGenAiPromptVersion},
    {"langfuse.observation.prompt.version", Key::kLangfusePromptVersion},
    {"yardstick.release", Key::kRelease},
    {"langfuse.release", Key::kLangfuseRelease},
    {"yardstick.variant", Key::kVariant},
    {"service.name", Key::kServiceName},
    {"service.version", Key::kServiceVersion},
    {"gen_ai.input.messages", Key::kInputMessages},
    {"gen_ai.output.messages", Key::kOutputMessages},
    {"gen_ai.system_instructions", Key::kSystemInstructions},
    {"gen_ai.prompt", Key::kLegacyPrompt},
    {"gen_ai.completion", Key::kLegacyCompletion},
    {"input.value", Key::kInputValue},
    {"output.value", Key::kOutputValue},
    {"gen_ai.tool.definitions", Key::kDroppedContent},
    {"gen_ai.tool.call.arguments", Key::kDroppedContent},
    {"gen_ai.tool.call.result", Key::kDroppedContent},
    {"traceloop.entity.input", Key::kDroppedContent},
    {"traceloop.entity.output", Key::kDroppedContent},
    {"langfuse.observation.input", Key::kDroppedContent},
    {"langfuse.observation.output", Key::kDroppedContent},
    {"langfuse.trace.input", Key::kDroppedContent},
    {"langfuse.trace.output", Key::kDroppedContent},
    {"gen_ai.evaluation.name", Key::kEvaluationName},
    {"gen_ai.evaluation.score.value", Key::kEvaluationScoreValue},
    {"gen_ai.evaluation.score.label", Key::kEvaluationScoreLabel},
    {"gen_ai.evaluation.explanation", Key::kEvaluationExplanation},
    {"gen_ai.response.id", Key::kResponseId},
    {"openlit.score.idempotency_key", Key::kIdempotencyKey},
    {"event.name", Key::kEventName},
};

const std::unordered_map<std::string_view, Key>& Table() {
  static const std::unordered_map<std::string_view, Key> table = [] {
    std::unordered_map<std::string_view, Key> map;
    map.reserve(std::size(kEntries) * 2);
    for (const Entry& e : kEntries) map.emplace(e.name, e.key);
    return map;
  }();
  return table;
}

constexpr std::pair<std::string_view, Prefix> kPrefixes[] = {
    {"gen_ai.prompt.", Prefix::kPromptFlat},
    {"gen_ai.completion.", Prefix::kCompletionFlat},
    {"llm.input_messages.", Prefix::kInputMessagesFlat},
    {"llm.output_messages.", Prefix::kOutputMessagesFlat},
    {"llm.request.functions.", Prefix::kDropped},
    {"llm.tools.", Prefix::kDropped},
    {"llm.prompts.", Prefix::kDropped},
};

}  // namespace

Key LookupKey(std::string_view key) {
  const auto& table = Table();
  const auto it = table.find(key);
  return it == table.end() ? Key::kNone : it->second;
}

bool IsGenAiMarker(Key key) {
  switch (key) {
    case Key::kOperationName:
    case Key::kLlmRequestType:
    case Key::kProviderName:
    case Key::kGenAiSystem:
    case Key::kLlmProvider:
    case Key::kLlmSystem:
    case Key::kRequestModel:
    case Key::kLlmModelName:
    case Key::kResponseModel:
    case Key::kInputTokens:
    case Key::kPromptTokens:
    case Key::kOiPromptTokens:
    case Key::kOutputTokens:
    case Key::kCompletionTokens:
    case Key::kOiCompletionTokens:
    case Key::kCacheReadTokens:
    case Key::kCacheReadTokensFlat:
    case Key::kOiCacheReadTokens:
    case Key::kCacheCreationTokens:
    case Key::kCacheCreationTokensFlat:
    case Key::kOiCacheWriteTokens:
    case Key::kReasoningTokens:
    case Key::kReasoningTokensFlat:
    case Key::kLlmReasoningTokens:
    case Key::kOiReasoningTokens:
    case Key::kCost:
    case Key::kOiCostTotal:
    case Key::kTtftChunk:
    case Key::kTtftServer:
    case Key::kFinishReasons:
    case Key::kInputMessages:
    case Key::kOutputMessages:
    case Key::kLegacyPrompt:
    case Key::kLegacyCompletion:
      return true;
    default:
      return false;
  }
}

Prefix ClassifyPrefix(std::string_view key, std::string_view& rest) {
  // Every prefix starts with "gen_ai." or "llm."; most keys are rejected by the first bytes.
  if (!key.starts_with("gen_ai.") && !key.starts_with("llm.")) return Prefix::kNone;
  for (const auto& [prefix, kind] : kPrefixes) {
    if (key.starts_with(prefix)) {
      rest = key.substr(prefix.size());
      return kind;
    }
  }
  return Prefix::kNone;
}

}  // namespace yardstick::otlp::internal

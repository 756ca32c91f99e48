#pragma once
// Internal to the otlp module: the attribute keys the mapper recognizes (docs/otlp.md has the
// table of which key fills which field). Keys not listed here are kept as Call or Score
// attributes, except those under a content prefix (see ClassifyPrefix).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace yardstick::otlp::internal {

// One enumerator per recognized key. Aliases of one field are listed in priority order: the
// first present wins.
enum class Key : uint8_t {
  kNone,
  // operation
  kOperationName,      // gen_ai.operation.name
  kLlmRequestType,     // llm.request.type (OpenLLMetry)
  kOpenInferenceKind,  // openinference.span.kind
  // provider
  kProviderName,  // gen_ai.provider.name
  kGenAiSystem,   // gen_ai.system
  kLlmProvider,   // llm.provider (OpenInference)
  kLlmSystem,     // llm.system (OpenInference)
  // models
  kRequestModel,   // gen_ai.request.model
  kLlmModelName,   // llm.model_name (OpenInference)
  kResponseModel,  // gen_ai.response.model
  // tokens
  kInputTokens,
  kPromptTokens,
  kOiPromptTokens,
  kOutputTokens,
  kCompletionTokens,
  kOiCompletionTokens,
  kCacheReadTokens,
  kCacheReadTokensFlat,
  kOiCacheReadTokens,
  kCacheCreationTokens,
  kCacheCreationTokensFlat,
  kOiCacheWriteTokens,
  kReasoningTokens,
  kReasoningTokensFlat,
  kLlmReasoningTokens,
  kOiReasoningTokens,
  // cost and time to first token
  kCost,           // gen_ai.usage.cost (OpenLIT)
  kOiCostTotal,    // llm.cost.total (OpenInference)
  kTtftChunk,      // gen_ai.response.time_to_first_chunk
  kTtftServer,     // gen_ai.server.time_to_first_token
  kFinishReasons,  // gen_ai.response.finish_reasons
  kErrorType,      // error.type
  // conversation, session, user
  kConversationId,
  kSessionId,
  kLangfuseSessionId,
  kTraceloopSessionId,
  kUserId,
  kEnduserId,
  kLangfuseUserId,
  kTraceloopUserId,
  // slicing dimensions (also read from resource attributes)
  kEnvironmentName,  // deployment.environment.name
  kEnvironment,      // deployment.environment
  kLangfuseEnvironment,
  kRoute,  // yardstick.route
  kTraceloopWorkflowName,
  kTraceloopEntityName,
  kPromptName,  // yardstick.prompt.name
  kGenAiPromptName,
  kLangfusePromptName,
  kPromptVersion,  // yardstick.prompt.version
  kGenAiPromptVersion,
  kLangfusePromptVersion,
  kRelease,  // yardstick.release
  kLangfuseRelease,
  kVariant,         // yardstick.variant
  kServiceName,     // service.name (resource)
  kServiceVersion,  // service.version (resource)
  // content
  kInputMessages,  // gen_ai.input.messages
  kOutputMessages,
  kSystemInstructions,
  kLegacyPrompt,      // gen_ai.prompt
  kLegacyCompletion,  // gen_ai.completion
  kInputValue,        // input.value (OpenInference)
  kOutputValue,
  kDroppedContent,  // content Yardstick does not store (tool definitions, tool call payloads)
  // evaluation results (span events and log records)
  kEvaluationName,
  kEvaluationScoreValue,
  kEvaluationScoreLabel,
  kEvaluationExplanation,
  kResponseId,      // gen_ai.response.id: kept as an attribute, links scores without a span
  kIdempotencyKey,  // openlit.score.idempotency_key
  kEventName,       // event.name (older log events)
  kCount
};

inline constexpr size_t kKeyCount = static_cast<size_t>(Key::kCount);

Key LookupKey(std::string_view key);

// True for keys whose presence makes a span a GenAI span (operation, provider, models, usage,
// cost, time to first token, finish reasons, GenAI content).
bool IsGenAiMarker(Key key);

// Attribute keys under these prefixes are content or tool schemas, never kept as attributes.
enum class Prefix : uint8_t {
  kNone,
  kPromptFlat,          // gen_ai.prompt.{i}.* (OpenLLMetry)
  kCompletionFlat,      // gen_ai.completion.{i}.*
  kInputMessagesFlat,   // llm.input_messages.{i}.message.* (OpenInference)
  kOutputMessagesFlat,  // llm.output_messages.{i}.message.*
  kDropped,             // llm.request.functions.*, llm.tools.*, llm.prompts.*
};

// The prefix class of `key` and, for the flattened message prefixes, the rest after the prefix
// ("0.content").
Prefix ClassifyPrefix(std::string_view key, std::string_view& rest);

}  // namespace yardstick::otlp::internal

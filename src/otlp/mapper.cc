#include "otlp/mapper.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <utility>

#include "otlp/attribute_keys.h"
#include "otlp/text_util.h"

namespace yardstick::otlp::internal {
namespace {

constexpr size_t kMaxReasons = 5;
constexpr size_t kMaxQuotedBytes = 64;
constexpr size_t kMaxErrorTypeBytes = 256;
constexpr uint64_t kMaxTime = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
constexpr std::string_view kEvaluationEvent = "gen_ai.evaluation.result";

const Attribute* Get(const Mapper::Slots& slots, Key key) {
  return slots[static_cast<size_t>(key)];
}

const Attribute* FirstOf(const Mapper::Slots& slots, std::initializer_list<Key> keys) {
  for (const Key key : keys) {
    if (const Attribute* a = Get(slots, key)) return a;
  }
  return nullptr;
}

// The attribute's value as Call/Score attributes keep it: strings as they are, numbers and
// booleans in their JSON spelling, arrays and key-value lists as JSON text, bytes as base64.
std::string StringForm(const Value& value) {
  std::string out;
  switch (value.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kBool:
      out = value.boolean ? "true" : "false";
      break;
    case ValueType::kInt:
      AppendInt(out, value.integer);
      break;
    case ValueType::kDouble:
      AppendDouble(out, value.number, /*quote_special=*/false);
      break;
    case ValueType::kString:
    case ValueType::kBytes:
    case ValueType::kArray:
    case ValueType::kKvList:
      out.assign(value.text);
      break;
  }
  return out;
}

std::string StringOf(const Attribute* a) {
  return a == nullptr ? std::string() : StringForm(a->value);
}

// "string \"abc\"", "bool true", ... for rejection reasons.
std::string Describe(const Value& value) {
  std::string out;
  switch (value.type) {
    case ValueType::kEmpty:
      return "an empty value";
    case ValueType::kString:
      out = "string ";
      AppendJsonString(out, Abbreviate(value.text, kMaxQuotedBytes));
      return out;
    case ValueType::kBool:
      return value.boolean ? "bool true" : "bool false";
    case ValueType::kInt:
      out = "int ";
      AppendInt(out, value.integer);
      return out;
    case ValueType::kDouble:
      out = "double ";
      AppendDouble(out, value.number, false);
      return out;
    case ValueType::kBytes:
      return "bytes";
    case ValueType::kArray:
      return "array " + Abbreviate(value.text, kMaxQuotedBytes);
    case ValueType::kKvList:
      return "kvlist " + Abbreviate(value.text, kMaxQuotedBytes);
  }
  return out;
}

bool ParseWholeDouble(std::string_view s, double& out) {
  const auto result = std::from_chars(s.data(), s.data() + s.size(), out);
  return result.ec == std::errc() && result.ptr == s.data() + s.size() && !s.empty();
}

// A token count: a non-negative integer, given as an int, an integral double or a decimal
// string.
bool ReadCount(const Attribute& a, int64_t& out, std::string& problem) {
  const Value& v = a.value;
  bool ok = false;
  if (v.type == ValueType::kInt) {
    ok = v.integer >= 0;
    out = v.integer;
  } else if (v.type == ValueType::kDouble) {
    ok = std::isfinite(v.number) && v.number >= 0 && v.number < 9.2e18 &&
         std::floor(v.number) == v.number;
    if (ok) out = static_cast<int64_t>(v.number);
  } else if (v.type == ValueType::kString) {
    const auto result = std::from_chars(v.text.data(), v.text.data() + v.text.size(), out);
    ok = result.ec == std::errc() && result.ptr == v.text.data() + v.text.size() && out >= 0;
  }
  if (!ok) {
    problem = std::string(a.key) + ": expected a non-negative integer, got " + Describe(v);
  }
  return ok;
}

// Cost or a duration: a finite non-negative number (int, double or decimal string).
bool ReadNonNegative(const Attribute& a, double& out, std::string& problem) {
  const Value& v = a.value;
  bool ok = false;
  if (v.type == ValueType::kInt) {
    out = static_cast<double>(v.integer);
    ok = true;
  } else if (v.type == ValueType::kDouble) {
    out = v.number;
    ok = true;
  } else if (v.type == ValueType::kString) {
    ok = ParseWholeDouble(v.text, out);
  }
  ok = ok && std::isfinite(out) && out >= 0;
  if (!ok) problem = std::string(a.key) + ": expected a non-negative number, got " + Describe(v);
  return ok;
}

// A score value: a finite number; booleans are 1 and 0.
bool ReadScoreValue(const Attribute& a, double& out, std::string& problem) {
  const Value& v = a.value;
  bool ok = false;
  if (v.type == ValueType::kInt) {
    out = static_cast<double>(v.integer);
    ok = true;
  } else if (v.type == ValueType::kDouble) {
    out = v.number;
    ok = true;
  } else if (v.type == ValueType::kBool) {
    out = v.boolean ? 1.0 : 0.0;
    ok = true;
  } else if (v.type == ValueType::kString) {
    ok = ParseWholeDouble(v.text, out);
  }
  ok = ok && std::isfinite(out);
  if (!ok) problem = std::string(a.key) + ": expected a finite number, got " + Describe(v);
  return ok;
}

// Reads every alias present (so that a bad value is refused even when a better alias is
// present) and keeps the first in `keys` order.
bool ReadCountField(const Mapper::Slots& slots, std::initializer_list<Key> keys, int64_t& out,
                    std::string& problem) {
  bool found = false;
  for (const Key key : keys) {
    const Attribute* a = Get(slots, key);
    if (a == nullptr) continue;
    int64_t v = 0;
    if (!ReadCount(*a, v, problem)) return false;
    if (!found) out = v;
    found = true;
  }
  return true;
}

bool ReadNonNegativeField(const Mapper::Slots& slots, std::initializer_list<Key> keys,
                          std::optional<double>& out, std::string& problem) {
  for (const Key key : keys) {
    const Attribute* a = Get(slots, key);
    if (a == nullptr) continue;
    double v = 0;
    if (!ReadNonNegative(*a, v, problem)) return false;
    if (!out) out = v;
  }
  return true;
}

std::string NormalizeProvider(std::string_view raw) {
  std::string p = AsciiLower(raw);
  if (p == "az.ai.openai") return "azure.ai.openai";
  if (p == "az.ai.inference") return "azure.ai.inference";
  if (p == "vertex_ai") return "gcp.vertex_ai";
  if (p == "gemini") return "gcp.gemini";
  if (p == "xai") return "x_ai";
  return p;
}

// llm.request.type (OpenLLMetry) to gen_ai.operation.name.
std::string OperationFromRequestType(std::string_view raw) {
  std::string op = AsciiLower(raw);
  if (op == "completion") return "text_completion";
  if (op == "embedding") return "embeddings";
  return op;
}

// openinference.span.kind of model calls.
std::string_view OperationFromOpenInferenceKind(const Value& value) {
  if (value.type != ValueType::kString) return {};
  if (value.text == "LLM") return "chat";
  if (value.text == "EMBEDDING") return "embeddings";
  return {};
}

// OpenLLMetry names spans "<vendor>.<operation>": openai.chat, anthropic.completion,
// openai.embeddings, openai.response.
std::string_view OperationFromSpanName(std::string_view name) {
  const size_t dot = name.find('.');
  if (dot == 0 || dot == std::string_view::npos) return {};
  for (size_t i = 0; i < dot; ++i) {
    const char c = name[i];
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-';
    if (!word) return {};
  }
  const std::string_view op = name.substr(dot + 1);
  if (op == "chat" || op == "response") return "chat";
  if (op == "completion") return "text_completion";
  if (op == "embeddings" || op == "embedding") return "embeddings";
  return {};
}

std::string SessionOf(const Mapper::Slots& slots) {
  return StringOf(
      FirstOf(slots, {Key::kSessionId, Key::kLangfuseSessionId, Key::kTraceloopSessionId}));
}

// gen_ai.conversation.id, else the session.
std::string ConversationOf(const Mapper::Slots& slots) {
  std::string id = StringOf(Get(slots, Key::kConversationId));
  return id.empty() ? SessionOf(slots) : id;
}

std::string UserOf(const Mapper::Slots& slots) {
  return StringOf(
      FirstOf(slots, {Key::kUserId, Key::kEnduserId, Key::kLangfuseUserId, Key::kTraceloopUserId}));
}

bool IsAllZeros(std::string_view hex) {
  return hex.find_first_not_of('0') == std::string_view::npos;
}

// A check of a required id: empty, all zeros -> problem.
bool CheckId(std::string_view hex, std::string_view field, std::string& problem) {
  if (hex.empty()) {
    problem = std::string(field) + " is missing";
    return false;
  }
  if (IsAllZeros(hex)) {
    problem = std::string(field) + " is all zeros";
    return false;
  }
  return true;
}

size_t AttributesBytes(const model::Attributes& attributes) {
  size_t n = 0;
  for (const auto& [k, v] : attributes) n += k.size() + v.size();
  return n;
}

size_t CallBytes(const model::Call& c) {
  return c.id.size() + c.trace_id.size() + c.span_id.size() + c.parent_span_id.size() +
         c.conversation_id.size() + c.session_id.size() + c.user_id.size() + c.operation.size() +
         c.provider.size() + c.request_model.size() + c.response_model.size() + c.service.size() +
         c.environment.size() + c.route.size() + c.prompt_name.size() + c.prompt_version.size() +
         c.release.size() + c.variant.size() + c.error_type.size() + c.finish_reason.size() +
         c.input_text.size() + c.output_text.size() + AttributesBytes(c.attributes);
}

size_t ScoreBytes(const model::Score& s) {
  return s.id.size() + s.call_id.size() + s.trace_id.size() + s.conversation_id.size() +
         s.user_id.size() + s.name.size() + s.label.size() + s.source.size() + s.author.size() +
         s.comment.size() + AttributesBytes(s.attributes);
}

// 128-bit FNV-1a over length-prefixed fields: the deterministic id of an evaluation result.
class IdHash {
 public:
  void Add(std::string_view s) {
    const uint64_t n = s.size();
    Bytes(&n, sizeof n);
    Bytes(s.data(), s.size());
  }
  void Add(uint64_t v) { Bytes(&v, sizeof v); }
  std::string Hex() const {
    char raw[16];
    for (int i = 0; i < 16; ++i) raw[i] = static_cast<char>(h_ >> (8 * (15 - i)));
    std::string out;
    AppendHex(out, std::string_view(raw, sizeof raw));
    return out;
  }

 private:
  __extension__ using U128 = unsigned __int128;
  void Bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      h_ ^= p[i];
      h_ *= kPrime;
    }
  }
  static constexpr U128 kPrime = (U128{1} << 88) + 0x13B;
  U128 h_ = (U128{0x6c62272e07bb0142ULL} << 64) | U128{0x62b821756295c58dULL};
};

}  // namespace

void Mapper::SetResource(const std::vector<Attribute>& attributes, const Problem& problem) {
  resource_ = ResourceContext{};
  resource_.problem = problem.text;
  Slots slots{};
  for (const Attribute& a : attributes) {
    const Key key = LookupKey(a.key);
    if (key != Key::kNone) slots[static_cast<size_t>(key)] = &a;
  }
  resource_.service = StringOf(Get(slots, Key::kServiceName));
  resource_.service_version = StringOf(Get(slots, Key::kServiceVersion));
  resource_.environment = StringOf(
      FirstOf(slots, {Key::kEnvironmentName, Key::kEnvironment, Key::kLangfuseEnvironment}));
  resource_.route = StringOf(Get(slots, Key::kRoute));
  resource_.prompt_name = StringOf(Get(slots, Key::kPromptName));
  resource_.prompt_version = StringOf(Get(slots, Key::kPromptVersion));
  resource_.release = StringOf(Get(slots, Key::kRelease));
  resource_.variant = StringOf(Get(slots, Key::kVariant));
}

void Mapper::AddSpan(const SpanData& span) {
  ++result_.spans;
  SpanFacts facts;
  rest_.clear();
  prompt_flat_.Clear();
  completion_flat_.Clear();
  oi_input_flat_.Clear();
  oi_output_flat_.Clear();

  bool genai = false;
  for (const Attribute& a : span.attributes) {
    const Key key = LookupKey(a.key);
    switch (key) {
      case Key::kNone:
      case Key::kServiceName:
      case Key::kServiceVersion:
      case Key::kEvaluationName:
      case Key::kEvaluationScoreValue:
      case Key::kEvaluationScoreLabel:
      case Key::kEvaluationExplanation:
      case Key::kResponseId:
      case Key::kIdempotencyKey:
      case Key::kEventName:
        break;  // kept as an attribute (below)
      case Key::kOpenInferenceKind:
        facts.slots[static_cast<size_t>(key)] = &a;
        genai |= !OperationFromOpenInferenceKind(a.value).empty();
        continue;
      default:
        facts.slots[static_cast<size_t>(key)] = &a;
        genai |= IsGenAiMarker(key);
        continue;
    }
    if (key == Key::kNone) {
      std::string_view rest;
      const Prefix prefix = ClassifyPrefix(a.key, rest);
      if (prefix != Prefix::kNone) {
        using D = FlatMessages::Dialect;
        if (prefix == Prefix::kPromptFlat) prompt_flat_.Add(D::kOpenLlmetry, rest, &a.value);
        if (prefix == Prefix::kCompletionFlat) {
          completion_flat_.Add(D::kOpenLlmetry, rest, &a.value);
        }
        if (prefix == Prefix::kInputMessagesFlat) {
          oi_input_flat_.Add(D::kOpenInference, rest, &a.value);
        }
        if (prefix == Prefix::kOutputMessagesFlat) {
          oi_output_flat_.Add(D::kOpenInference, rest, &a.value);
        }
        genai |= prefix != Prefix::kDropped;
        continue;
      }
    }
    rest_.push_back(&a);
  }

  bool has_evaluation = false;
  for (const EventData& e : span.events) {
    const Attribute* begin = span.event_attributes.data() + e.first_attribute;
    const Attribute* end = begin + e.attribute_count;
    const auto find = [&](std::string_view key) -> const Value* {
      for (const Attribute* a = begin; a != end; ++a) {
        if (a->key == key) return &a->value;
      }
      return nullptr;
    };
    if (e.name == kEvaluationEvent) {
      has_evaluation = true;
    } else if (e.name == "exception") {
      if (facts.exception_type == nullptr) facts.exception_type = find("exception.type");
    } else if (e.name == "gen_ai.content.prompt") {
      if (facts.event_prompt == nullptr) facts.event_prompt = find("gen_ai.prompt");
      genai |= facts.event_prompt != nullptr;
    } else if (e.name == "gen_ai.content.completion") {
      if (facts.event_completion == nullptr) facts.event_completion = find("gen_ai.completion");
      genai |= facts.event_completion != nullptr;
    }
  }
  facts.name_operation = OperationFromSpanName(span.name);
  genai |= !facts.name_operation.empty();

  if (!genai && !has_evaluation) {
    ++result_.ignored;
    return;
  }

  std::string problem = span.problem.text;
  if (problem.empty()) problem = resource_.problem;
  if (problem.empty() && CheckId(span.trace_id, "traceId", problem)) {
    CheckId(span.span_id, "spanId", problem);
  }

  model::Call call;
  if (problem.empty() && genai) MapCall(span, facts, call, problem);

  // Evaluations inherit the span's conversation and user (read even when it is no GenAI span).
  const std::string conversation = ConversationOf(facts.slots);
  const std::string user = UserOf(facts.slots);
  scores_.clear();
  for (const EventData& e : span.events) {
    if (!problem.empty()) break;
    if (e.name != kEvaluationEvent) continue;
    ScoreContext context;
    context.trace_id = span.trace_id;
    context.span_id = span.span_id;
    const uint64_t time = e.time_ns != 0     ? e.time_ns
                          : span.end_ns != 0 ? span.end_ns
                                             : span.start_ns;
    if (time == 0 || time > kMaxTime) {
      problem = "event " + std::to_string(&e - span.events.data()) +
                " (gen_ai.evaluation.result): timeUnixNano is missing or out of range";
      break;
    }
    context.time_ns = static_cast<int64_t>(time);
    context.conversation_id = conversation;
    context.user_id = user;
    const Attribute* begin = span.event_attributes.data() + e.first_attribute;
    model::Score score;
    if (!MapScore(begin, begin + e.attribute_count, context, score, problem)) {
      problem = "event " + std::to_string(&e - span.events.data()) +
                " (gen_ai.evaluation.result): " + problem;
      break;
    }
    scores_.push_back(std::move(score));
  }

  if (!problem.empty()) {
    std::string where = "resourceSpans[" + std::to_string(span.position.resource) +
                        "].scopeSpans[" + std::to_string(span.position.scope) + "].spans[" +
                        std::to_string(span.position.index) + "]";
    if (!span.span_id.empty()) where += " (span " + span.span_id + ")";
    Reject(std::move(where), problem);
    return;
  }
  if (genai) {
    ++result_.genai_spans;
    result_.batch.calls.push_back(std::move(call));
  } else {
    ++result_.ignored;
  }
  for (auto& s : scores_) result_.batch.scores.push_back(std::move(s));
}

bool Mapper::MapCall(const SpanData& span, const SpanFacts& facts, model::Call& call,
                     std::string& problem) {
  const Slots& slots = facts.slots;
  if (span.start_ns == 0) {
    problem = "startTimeUnixNano is missing";
    return false;
  }
  if (span.start_ns > kMaxTime || span.end_ns > kMaxTime) {
    problem = "a time after the year 2262 (int64 nanoseconds)";
    return false;
  }
  if (span.end_ns < span.start_ns) {
    problem = "endTimeUnixNano " + std::to_string(span.end_ns) + " is before startTimeUnixNano " +
              std::to_string(span.start_ns);
    return false;
  }
  call.id = span.span_id;
  call.trace_id = span.trace_id;
  call.span_id = span.span_id;
  call.parent_span_id = span.parent_span_id;
  call.start_ns = static_cast<int64_t>(span.start_ns);
  call.end_ns = static_cast<int64_t>(span.end_ns);

  if (!ReadCountField(slots, {Key::kInputTokens, Key::kPromptTokens, Key::kOiPromptTokens},
                      call.input_tokens, problem) ||
      !ReadCountField(slots, {Key::kOutputTokens, Key::kCompletionTokens, Key::kOiCompletionTokens},
                      call.output_tokens, problem) ||
      !ReadCountField(slots,
                      {Key::kCacheReadTokens, Key::kCacheReadTokensFlat, Key::kOiCacheReadTokens},
                      call.cache_read_tokens, problem) ||
      !ReadCountField(
          slots,
          {Key::kCacheCreationTokens, Key::kCacheCreationTokensFlat, Key::kOiCacheWriteTokens},
          call.cache_creation_tokens, problem) ||
      !ReadCountField(slots,
                      {Key::kReasoningTokens, Key::kReasoningTokensFlat, Key::kLlmReasoningTokens,
                       Key::kOiReasoningTokens},
                      call.reasoning_tokens, problem) ||
      !ReadNonNegativeField(slots, {Key::kCost, Key::kOiCostTotal}, call.cost_usd, problem) ||
      !ReadNonNegativeField(slots, {Key::kTtftChunk, Key::kTtftServer}, call.ttft_s, problem)) {
    return false;
  }
  // The data model counts cache tokens inside input and reasoning tokens inside output. A
  // total smaller than its part can only come from a source that counted them apart.
  const int64_t cached = std::max<int64_t>(call.cache_read_tokens, 0) +
                         std::max<int64_t>(call.cache_creation_tokens, 0);
  if (call.input_tokens >= 0 && call.input_tokens < cached) call.input_tokens += cached;
  if (call.output_tokens >= 0 && call.reasoning_tokens > call.output_tokens) {
    call.output_tokens += call.reasoning_tokens;
  }

  if (const Attribute* a = Get(slots, Key::kOperationName)) {
    call.operation = AsciiLower(StringForm(a->value));
  } else if (const Attribute* t = Get(slots, Key::kLlmRequestType)) {
    call.operation = OperationFromRequestType(StringForm(t->value));
  } else if (const Attribute* k = Get(slots, Key::kOpenInferenceKind)) {
    call.operation = OperationFromOpenInferenceKind(k->value);
  }
  if (call.operation.empty()) call.operation = facts.name_operation;
  if (const Attribute* a = FirstOf(
          slots, {Key::kProviderName, Key::kGenAiSystem, Key::kLlmProvider, Key::kLlmSystem})) {
    call.provider = NormalizeProvider(StringForm(a->value));
  }
  call.request_model = StringOf(FirstOf(slots, {Key::kRequestModel, Key::kLlmModelName}));
  call.response_model = StringOf(Get(slots, Key::kResponseModel));

  if (const Attribute* a = Get(slots, Key::kFinishReasons)) {
    call.finish_reason = a->value.type == ValueType::kArray ? std::string(a->value.first_string)
                                                            : StringForm(a->value);
  } else {
    call.finish_reason = completion_flat_.FirstFinishReason();
  }

  call.session_id = SessionOf(slots);
  call.conversation_id = ConversationOf(slots);
  call.user_id = UserOf(slots);

  const auto pick = [&](std::initializer_list<Key> first, const std::string& resource,
                        std::initializer_list<Key> then) {
    if (const Attribute* a = FirstOf(slots, first)) return StringForm(a->value);
    if (!resource.empty()) return resource;
    return StringOf(FirstOf(slots, then));
  };
  call.service = resource_.service;
  call.environment = pick({Key::kEnvironmentName, Key::kEnvironment, Key::kLangfuseEnvironment},
                          resource_.environment, {});
  call.route = pick({Key::kRoute}, resource_.route,
                    {Key::kTraceloopWorkflowName, Key::kTraceloopEntityName});
  call.prompt_name = pick({Key::kPromptName}, resource_.prompt_name,
                          {Key::kGenAiPromptName, Key::kLangfusePromptName});
  call.prompt_version = pick({Key::kPromptVersion}, resource_.prompt_version,
                             {Key::kGenAiPromptVersion, Key::kLangfusePromptVersion});
  call.release = pick({Key::kRelease}, resource_.release, {Key::kLangfuseRelease});
  if (call.release.empty()) call.release = resource_.service_version;
  call.variant = pick({Key::kVariant}, resource_.variant, {});

  // Status: ERROR, or UNSET with an error.type, is an error.
  if (const Attribute* a = Get(slots, Key::kErrorType)) call.error_type = StringForm(a->value);
  if (span.status_code == 1) {
    call.status = model::CallStatus::kOk;
  } else if (span.status_code == 2 || !call.error_type.empty()) {
    call.status = model::CallStatus::kError;
    if (call.error_type.empty() && facts.exception_type != nullptr) {
      call.error_type = StringForm(*facts.exception_type);
    }
    if (call.error_type.empty()) {
      call.error_type = Abbreviate(span.status_message, kMaxErrorTypeBytes);
    }
  }

  // Content.
  if (const Attribute* a = Get(slots, Key::kInputMessages)) {
    call.input_text = StringForm(a->value);
  } else if (!prompt_flat_.empty()) {
    call.input_text = prompt_flat_.ToJson(false);
  } else if (!oi_input_flat_.empty()) {
    call.input_text = oi_input_flat_.ToJson(false);
  } else if (const Attribute* p = Get(slots, Key::kLegacyPrompt)) {
    call.input_text = StringForm(p->value);
  } else if (facts.event_prompt != nullptr) {
    call.input_text = StringForm(*facts.event_prompt);
  } else if (const Attribute* v = Get(slots, Key::kInputValue)) {
    call.input_text = StringForm(v->value);
  }
  if (const Attribute* s = Get(slots, Key::kSystemInstructions)) {
    call.input_text = PrependSystemInstructions(s->value, std::move(call.input_text));
  }
  if (const Attribute* a = Get(slots, Key::kOutputMessages)) {
    call.output_text = StringForm(a->value);
  } else if (!completion_flat_.empty()) {
    call.output_text = completion_flat_.ToJson(true);
  } else if (!oi_output_flat_.empty()) {
    call.output_text = oi_output_flat_.ToJson(true);
  } else if (const Attribute* c = Get(slots, Key::kLegacyCompletion)) {
    call.output_text = StringForm(c->value);
  } else if (facts.event_completion != nullptr) {
    call.output_text = StringForm(*facts.event_completion);
  } else if (const Attribute* v = Get(slots, Key::kOutputValue)) {
    call.output_text = StringForm(v->value);
  }

  if (rest_.size() > limits_.max_attributes) {
    problem = std::to_string(rest_.size()) + " attributes left after mapping; at most " +
              std::to_string(limits_.max_attributes) + " are kept";
    return false;
  }
  call.attributes.reserve(rest_.size());
  for (const Attribute* a : rest_) call.attributes.emplace_back(a->key, StringForm(a->value));

  const size_t bytes = CallBytes(call);
  if (bytes > limits_.max_record_bytes) {
    problem = "the call holds " + std::to_string(bytes) + " bytes of text; at most " +
              std::to_string(limits_.max_record_bytes) + " are accepted";
    return false;
  }
  return true;
}

bool Mapper::MapScore(const Attribute* begin, const Attribute* end, const ScoreContext& context,
                      model::Score& score, std::string& problem) {
  Slots slots{};
  std::vector<const Attribute*> rest;
  for (const Attribute* a = begin; a != end; ++a) {
    const Key key = LookupKey(a->key);
    switch (key) {
      case Key::kEvaluationName:
      case Key::kEvaluationScoreValue:
      case Key::kEvaluationScoreLabel:
      case Key::kEvaluationExplanation:
      case Key::kIdempotencyKey:
      case Key::kEventName:
      case Key::kConversationId:
      case Key::kSessionId:
      case Key::kLangfuseSessionId:
      case Key::kTraceloopSessionId:
      case Key::kUserId:
      case Key::kEnduserId:
      case Key::kLangfuseUserId:
      case Key::kTraceloopUserId:
        slots[static_cast<size_t>(key)] = a;
        break;
      case Key::kResponseId:  // used for the id, and kept
        slots[static_cast<size_t>(key)] = a;
        rest.push_back(a);
        break;
      default:
        rest.push_back(a);
    }
  }
  score.name = StringOf(Get(slots, Key::kEvaluationName));
  if (score.name.empty()) {
    problem = "gen_ai.evaluation.name is missing";
    return false;
  }
  if (const Attribute* a = Get(slots, Key::kEvaluationScoreValue)) {
    double v = 0;
    if (!ReadScoreValue(*a, v, problem)) return false;
    score.value = v;
  }
  score.label = StringOf(Get(slots, Key::kEvaluationScoreLabel));
  if (!score.value && score.label.empty()) {
    problem = "neither gen_ai.evaluation.score.value nor gen_ai.evaluation.score.label is given";
    return false;
  }
  score.comment = StringOf(Get(slots, Key::kEvaluationExplanation));
  score.call_id = context.span_id;
  score.trace_id = context.trace_id;
  score.conversation_id = ConversationOf(slots);
  if (score.conversation_id.empty()) score.conversation_id = context.conversation_id;
  score.user_id = UserOf(slots);
  if (score.user_id.empty()) score.user_id = context.user_id;
  score.source = "judge";
  score.time_ns = context.time_ns;
  if (rest.size() > limits_.max_attributes) {
    problem = std::to_string(rest.size()) + " attributes left after mapping; at most " +
              std::to_string(limits_.max_attributes) + " are kept";
    return false;
  }
  score.attributes.reserve(rest.size());
  for (const Attribute* a : rest) score.attributes.emplace_back(a->key, StringForm(a->value));

  // The id: what the evaluation says about which call, not when it was exported, so the span
  // event and the log record of one evaluation collapse. Without a span or response id to
  // anchor it, the time tells evaluations apart.
  const std::string response_id = StringOf(Get(slots, Key::kResponseId));
  IdHash hash;
  hash.Add("gen_ai.evaluation.result/1");
  hash.Add(score.trace_id);
  hash.Add(score.call_id);
  hash.Add(score.call_id.empty() ? std::string_view(response_id) : std::string_view());
  hash.Add(score.name);
  uint64_t bits = 0;
  if (score.value) std::memcpy(&bits, &*score.value, sizeof bits);
  hash.Add(uint64_t{score.value.has_value()});
  hash.Add(bits);
  hash.Add(score.label);
  hash.Add(score.comment);
  hash.Add(StringOf(Get(slots, Key::kIdempotencyKey)));
  if (score.call_id.empty() && response_id.empty()) hash.Add(static_cast<uint64_t>(score.time_ns));
  score.id = hash.Hex();

  const size_t bytes = ScoreBytes(score);
  if (bytes > limits_.max_record_bytes) {
    problem = "the score holds " + std::to_string(bytes) + " bytes of text; at most " +
              std::to_string(limits_.max_record_bytes) + " are accepted";
    return false;
  }
  return true;
}

void Mapper::AddLog(const LogData& log) {
  ++result_.log_records;
  std::string_view event_name = log.event_name;
  if (event_name.empty()) {
    for (const Attribute& a : log.attributes) {
      if (a.key == "event.name" && a.value.type == ValueType::kString) event_name = a.value.text;
    }
  }
  if (event_name != kEvaluationEvent) {
    ++result_.ignored;
    return;
  }
  std::string problem = log.problem.text;
  if (problem.empty()) problem = resource_.problem;
  const uint64_t time = log.time_ns != 0 ? log.time_ns : log.observed_time_ns;
  if (problem.empty() && (time == 0 || time > kMaxTime)) {
    problem = "timeUnixNano and observedTimeUnixNano are missing or out of range";
  }
  model::Score score;
  if (problem.empty()) {
    ScoreContext context;
    // An all-zero id is the API's "no span"; it links nothing.
    if (!IsAllZeros(log.trace_id)) context.trace_id = log.trace_id;
    if (!IsAllZeros(log.span_id)) context.span_id = log.span_id;
    context.time_ns = static_cast<int64_t>(time);
    MapScore(log.attributes.data(), log.attributes.data() + log.attributes.size(), context, score,
             problem);
  }
  if (!problem.empty()) {
    Reject("resourceLogs[" + std::to_string(log.position.resource) + "].scopeLogs[" +
               std::to_string(log.position.scope) + "].logRecords[" +
               std::to_string(log.position.index) + "]",
           problem);
    return;
  }
  result_.batch.scores.push_back(std::move(score));
}

void Mapper::Reject(std::string where, const std::string& problem) {
  ++result_.rejected;
  if (reasons_.size() < kMaxReasons) reasons_.push_back(std::move(where) + ": " + problem);
}

void Mapper::Finish() {
  std::string message;
  for (const std::string& r : reasons_) {
    if (!message.empty()) message += "; ";
    message += r;
  }
  if (result_.rejected > reasons_.size()) {
    message += "; and " + std::to_string(result_.rejected - reasons_.size()) + " more";
  }
  result_.error_message = std::move(message);
}

}  // namespace yardstick::otlp::internal

// The call, score and outcome decoders: which fields each record type reads, and the checks that
// span several fields (times, token counts, status, required fields).

#include "ingest/record_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "ingest/record_reader.h"

namespace yardstick::ingest::internal {

bool RecordReader::DecodeCall(object record, model::Call& c) {
  int64_t end_ns = 0;
  double duration_ms = 0;
  double ttft_ms = 0;
  std::string model;
  std::string status;
  const bool fields_ok = ForEachField(record, [&](Field f, element v) {
    switch (f) {
      case Field::kId:
        return Id(v, c.id);
      case Field::kProject:
        return String(f, v, c.project);
      case Field::kAttributes:
        return Attributes(v, c.attributes);
      case Field::kTraceId:
        return Hex(f, v, 32, c.trace_id);
      case Field::kSpanId:
        return Hex(f, v, 16, c.span_id);
      case Field::kParentSpanId:
        return Hex(f, v, 16, c.parent_span_id);
      case Field::kConversationId:
        return String(f, v, c.conversation_id);
      case Field::kSessionId:
        return String(f, v, c.session_id);
      case Field::kUserId:
        return String(f, v, c.user_id);
      case Field::kStartTime:
        return Time(f, v, c.start_ns);
      case Field::kEndTime:
        return Time(f, v, end_ns);
      case Field::kDurationMs:
        return NonNegative(f, v, duration_ms);
      case Field::kTtftMs:
        return NonNegative(f, v, ttft_ms);
      case Field::kOperation:
        return String(f, v, c.operation);
      case Field::kProvider:
        return String(f, v, c.provider);
      case Field::kModel:
        return String(f, v, model);
      case Field::kRequestModel:
        return String(f, v, c.request_model);
      case Field::kResponseModel:
        return String(f, v, c.response_model);
      case Field::kService:
        return String(f, v, c.service);
      case Field::kEnvironment:
        return String(f, v, c.environment);
      case Field::kRoute:
        return String(f, v, c.route);
      case Field::kPromptName:
        return String(f, v, c.prompt_name);
      case Field::kPromptVersion:
        return String(f, v, c.prompt_version);
      case Field::kRelease:
        return String(f, v, c.release);
      case Field::kVariant:
        return String(f, v, c.variant);
      case Field::kInputTokens:
        return Count(f, v, c.input_tokens);
      case Field::kOutputTokens:
        return Count(f, v, c.output_tokens);
      case Field::kCacheReadTokens:
        return Count(f, v, c.cache_read_tokens);
      case Field::kCacheCreationTokens:
        return Count(f, v, c.cache_creation_tokens);
      case Field::kReasoningTokens:
        return Count(f, v, c.reasoning_tokens);
      case Field::kCostUsd: {
        double cost = 0;
        if (!NonNegative(f, v, cost)) return false;
        c.cost_usd = cost;
        return true;
      }
      case Field::kStatus:
        return String(f, v, status);
      case Field::kErrorType:
        return String(f, v, c.error_type);
      case Field::kFinishReason:
        return String(f, v, c.finish_reason);
      case Field::kInput:
        Text(v, c.input_text);
        return true;
      case Field::kOutput:
        Text(v, c.output_text);
        return true;
      default:  // kType, read before
        return true;
    }
  });
  if (!fields_ok) return false;

  // Times: start, and end from end_time or start + duration_ms.
  if (!Has(Field::kStartTime)) return Fail(Field::kStartTime, "missing required field");
  const bool has_end = Has(Field::kEndTime);
  const bool has_duration = Has(Field::kDurationMs);
  if (!has_end && !has_duration) {
    return Fail(Field::kEndTime, "missing: give end_time or duration_ms");
  }
  int64_t duration_ns = 0;
  if (has_duration) {
    const double ns = duration_ms * static_cast<double>(kNanosPerMilli);
    if (!(ns < static_cast<double>(std::numeric_limits<int64_t>::max() - c.start_ns))) {
      return Fail(Field::kDurationMs, "is too large for start_time");
    }
    duration_ns = std::llround(ns);
  }
  if (has_end) {
    if (end_ns < c.start_ns) return Fail(Field::kEndTime, "is before start_time");
    if (has_duration && std::llabs(end_ns - c.start_ns - duration_ns) > kNanosPerMilli) {
      return Fail(Field::kDurationMs, "disagrees with end_time - start_time (" +
                                          FormatMillis(end_ns - c.start_ns) + " ms)");
    }
    c.end_ns = end_ns;
  } else {
    c.end_ns = c.start_ns + duration_ns;
  }
  if (Has(Field::kTtftMs)) {
    const double ttft_ns = ttft_ms * static_cast<double>(kNanosPerMilli);
    if (ttft_ns > static_cast<double>(c.end_ns - c.start_ns + kNanosPerMilli)) {
      return Fail(Field::kTtftMs,
                  "is longer than the call (" + FormatMillis(c.end_ns - c.start_ns) + " ms)");
    }
    c.ttft_s = ttft_ms / 1000.0;
  }

  if (Has(Field::kModel)) {
    if (Has(Field::kRequestModel) && c.request_model != model) {
      return Fail(Field::kModel,
                  "differs from request_model ('model' is another name for 'request_model')");
    }
    c.request_model = std::move(model);
  }

  // Token counts: input includes cached tokens, output includes reasoning tokens.
  if (c.input_tokens >= 0) {
    const int64_t read = std::max<int64_t>(c.cache_read_tokens, 0);
    const int64_t created = std::max<int64_t>(c.cache_creation_tokens, 0);
    const std::string input = std::to_string(c.input_tokens);
    if (read > c.input_tokens) {
      return Fail(Field::kCacheReadTokens,
                  "exceeds input_tokens (" + input + ", which includes cached tokens)");
    }
    if (created > c.input_tokens - read) {
      return Fail(Field::kCacheCreationTokens,
                  "cache_read_tokens + cache_creation_tokens exceed input_tokens (" + input +
                      ", which includes cached tokens)");
    }
  }
  if (c.output_tokens >= 0 && c.reasoning_tokens > c.output_tokens) {
    return Fail(Field::kReasoningTokens, "exceeds output_tokens (" +
                                             std::to_string(c.output_tokens) +
                                             ", which includes reasoning tokens)");
  }

  if (!Has(Field::kStatus)) {
    c.status = c.error_type.empty() ? model::CallStatus::kOk : model::CallStatus::kError;
  } else if (status == "ok") {
    if (!c.error_type.empty()) return Fail(Field::kStatus, "is \"ok\" but error_type is set");
    c.status = model::CallStatus::kOk;
  } else if (status == "error") {
    c.status = model::CallStatus::kError;
  } else if (status == "unset") {
    c.status = model::CallStatus::kUnset;
  } else {
    return Fail(Field::kStatus, "expected \"ok\", \"error\" or \"unset\"");
  }
  if (c.operation.empty()) c.operation = "chat";
  if (c.id.empty()) c.id = RandomId();
  return true;
}

bool RecordReader::DecodeScore(object record, model::Score& s) {
  std::string source;
  const bool fields_ok = ForEachField(record, [&](Field f, element v) {
    switch (f) {
      case Field::kId:
        return Id(v, s.id);
      case Field::kProject:
        return String(f, v, s.project);
      case Field::kAttributes:
        return Attributes(v, s.attributes);
      case Field::kName:
        return NonEmptyString(f, v, s.name);
      case Field::kValue: {
        bool flag = false;
        if (!v.get_bool().get(flag)) {
          s.value = flag ? 1.0 : 0.0;
          return true;
        }
        double number = 0;
        if (v.get_double().get(number)) return Fail(f, "expected a number or a boolean");
        s.value = number;
        return true;
      }
      case Field::kLabel:
        return String(f, v, s.label);
      case Field::kCallId:
        return String(f, v, s.call_id);
      case Field::kTraceId:
        return Hex(f, v, 32, s.trace_id);
      case Field::kConversationId:
        return String(f, v, s.conversation_id);
      case Field::kUserId:
        return String(f, v, s.user_id);
      case Field::kSource:
        return String(f, v, source);
      case Field::kAuthor:
        return String(f, v, s.author);
      case Field::kComment:
        return String(f, v, s.comment);
      case Field::kTime:
        return Time(f, v, s.time_ns);
      default:
        return true;
    }
  });
  if (!fields_ok) return false;
  if (!Has(Field::kName)) return Fail(Field::kName, "missing required field");
  if (!s.value && s.label.empty()) return Fail(Field::kValue, "a score needs a value or a label");
  if (!Has(Field::kSource)) {
    s.source = "api";
  } else if (source == "user" || source == "survey" || source == "annotator" || source == "judge" ||
             source == "metric" || source == "api") {
    s.source = std::move(source);
  } else {
    return Fail(Field::kSource,
                "expected \"user\", \"survey\", \"annotator\", \"judge\", \"metric\" or \"api\"");
  }
  if (!Has(Field::kTime)) s.time_ns = options_.now_ns;
  if (s.id.empty()) s.id = RandomId();
  return true;
}

bool RecordReader::DecodeOutcome(object record, model::Outcome& o) {
  const bool fields_ok = ForEachField(record, [&](Field f, element v) {
    switch (f) {
      case Field::kId:
        return Id(v, o.id);
      case Field::kProject:
        return String(f, v, o.project);
      case Field::kAttributes:
        return Attributes(v, o.attributes);
      case Field::kName:
        return NonEmptyString(f, v, o.name);
      case Field::kValue:
        return Number(f, v, o.value);
      case Field::kConversationId:
        return String(f, v, o.conversation_id);
      case Field::kSessionId:
        return String(f, v, o.session_id);
      case Field::kUserId:
        return String(f, v, o.user_id);
      case Field::kTime:
        return Time(f, v, o.time_ns);
      default:
        return true;
    }
  });
  if (!fields_ok) return false;
  if (!Has(Field::kName)) return Fail(Field::kName, "missing required field");
  if (o.conversation_id.empty() && o.session_id.empty() && o.user_id.empty()) {
    return Fail(Field::kConversationId,
                "an outcome needs a conversation_id, session_id or user_id");
  }
  if (!Has(Field::kTime)) o.time_ns = options_.now_ns;
  if (o.id.empty()) o.id = RandomId();
  return true;
}

namespace {

bool ParseRecordType(std::string_view name, RecordType& type) {
  if (name == "call") {
    type = RecordType::kCall;
  } else if (name == "score") {
    type = RecordType::kScore;
  } else if (name == "outcome") {
    type = RecordType::kOutcome;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::optional<Problem> RecordDecoder::Decode(element record, model::Batch& batch) {
  object fields;
  if (record.get_object().get(fields)) return Problem{"", "expected a JSON object (one record)"};
  RecordType type = RecordType::kCall;
  element type_value;
  if (fields.at_key("type").get(type_value) || type_value.is_null()) {
    if (!options_.default_type) {
      return Problem{".type", "missing required field (\"call\", \"score\" or \"outcome\")"};
    }
    type = *options_.default_type;
  } else {
    std::string_view name;
    if (type_value.get_string().get(name) || !ParseRecordType(name, type)) {
      return Problem{".type", "expected \"call\", \"score\" or \"outcome\""};
    }
  }
  RecordReader reader(options_, type);
  switch (type) {
    case RecordType::kCall:
      if (!reader.DecodeCall(fields, batch.calls.emplace_back())) {
        batch.calls.pop_back();
        return std::move(reader.problem());
      }
      break;
    case RecordType::kScore:
      if (!reader.DecodeScore(fields, batch.scores.emplace_back())) {
        batch.scores.pop_back();
        return std::move(reader.problem());
      }
      break;
    case RecordType::kOutcome:
      if (!reader.DecodeOutcome(fields, batch.outcomes.emplace_back())) {
        batch.outcomes.pop_back();
        return std::move(reader.problem());
      }
      break;
  }
  return std::nullopt;
}

}  // namespace yardstick::ingest::internal

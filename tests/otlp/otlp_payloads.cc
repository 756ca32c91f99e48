#include "otlp_payloads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace yardstick::otlp::testing {
namespace {

using Json = nlohmann::ordered_json;

std::string HexOf(std::string_view bytes, bool upper) {
  static constexpr char kLower[] = "0123456789abcdef";
  static constexpr char kUpper[] = "0123456789ABCDEF";
  const char* digits = upper ? kUpper : kLower;
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

Json Int64Json(int64_t v, const JsonStyle& style) {
  return style.int64_as_number ? Json(v) : Json(std::to_string(v));
}
Json Uint64Json(uint64_t v, const JsonStyle& style) {
  return style.int64_as_number ? Json(v) : Json(std::to_string(v));
}

Json ValueJson(const AnyValue& v, const JsonStyle& style);

Json AttributesJson(const Attributes& attributes, const JsonStyle& style) {
  Json out = Json::array();
  for (const KeyValue& kv : attributes) {
    Json item = Json::object();
    item["key"] = kv.key();
    if (kv.has_value()) item["value"] = ValueJson(kv.value(), style);
    out.push_back(std::move(item));
  }
  return out;
}

Json ValueJson(const AnyValue& v, const JsonStyle& style) {
  Json out = Json::object();
  switch (v.value_case()) {
    case AnyValue::kStringValue:
      out["stringValue"] = v.string_value();
      break;
    case AnyValue::kBoolValue:
      out["boolValue"] = v.bool_value();
      break;
    case AnyValue::kIntValue:
      out["intValue"] = Int64Json(v.int_value(), style);
      break;
    case AnyValue::kDoubleValue:
      out["doubleValue"] = v.double_value();
      break;
    case AnyValue::kArrayValue: {
      Json values = Json::array();
      for (const AnyValue& e : v.array_value().values()) values.push_back(ValueJson(e, style));
      out["arrayValue"] = {{"values", values}};
      break;
    }
    case AnyValue::kKvlistValue:
      out["kvlistValue"] = {{"values", AttributesJson(v.kvlist_value().values(), style)}};
      break;
    case AnyValue::kBytesValue:
      out["bytesValue"] = Base64(v.bytes_value());
      break;
    case AnyValue::VALUE_NOT_SET:
      break;
  }
  return out;
}

Json ResourceJson(const opentelemetry::proto::resource::v1::Resource& resource,
                  const JsonStyle& style) {
  Json out = Json::object();
  out["attributes"] = AttributesJson(resource.attributes(), style);
  if (style.extra_fields) out["droppedAttributesCount"] = 0;
  return out;
}

// Appends {"resource": ..., scopes_key: [...]} with the resource first, or last with extra
// fields (decoders must read it first wherever it is).
Json ResourceEntry(const Json& resource, const char* scopes_key, Json scopes,
                   const JsonStyle& style) {
  Json out = Json::object();
  if (!style.extra_fields) out["resource"] = resource;
  out[scopes_key] = std::move(scopes);
  if (style.extra_fields) {
    out["schemaUrl"] = "https://opentelemetry.io/schemas/1.37.0";
    out["futureField"] = {{"nested", {1, 2, 3}}};
    out["resource"] = resource;
  }
  return out;
}

std::string RandomString(std::mt19937_64& rng) {
  static const char* const kPool[] = {"",
                                      "chat",
                                      "openai",
                                      "gpt-4o",
                                      "52",
                                      "abc",
                                      "-3",
                                      "1e3",
                                      "0.25",
                                      "true",
                                      "stop",
                                      "length",
                                      "user",
                                      "assistant",
                                      "Hëllo wörld",
                                      "日本語テキスト",
                                      "quote\"back\\slash",
                                      "line\nbreak\ttab",
                                      "\x01\x1f control",
                                      "emoji \xF0\x9F\x98\x80",
                                      "[\"stop\"]",
                                      "[{\"role\":\"user\"}]",
                                      "az.ai.openai",
                                      "Gemini",
                                      "xai",
                                      "completion",
                                      "embedding"};
  return kPool[rng() % std::size(kPool)];
}

void RandomValue(std::mt19937_64& rng, AnyValue* v, int depth) {
  switch (rng() % (depth > 3 ? 6 : 8)) {
    case 0:
      v->set_string_value(RandomString(rng));
      break;
    case 1:
      v->set_bool_value(rng() % 2 == 0);
      break;
    case 2: {
      static const int64_t kInts[] = {0, 1, 52, -7, 1000000, INT64_MAX, INT64_MIN, 4096};
      v->set_int_value(kInts[rng() % std::size(kInts)]);
      break;
    }
    case 3: {
      static const double kDoubles[] = {0.0, 0.2, 4.0, -1.5, 1e300, 3.14159, 0.000123, 52.0};
      v->set_double_value(kDoubles[rng() % std::size(kDoubles)]);
      break;
    }
    case 4: {
      std::string bytes;
      const size_t n = rng() % 7;
      for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng() % 256));
      v->set_bytes_value(bytes);
      break;
    }
    case 5:
      break;  // empty value
    case 6: {
      auto* a = v->mutable_array_value();
      const size_t n = rng() % 4;
      for (size_t i = 0; i < n; ++i) RandomValue(rng, a->add_values(), depth + 1);
      break;
    }
    default: {
      auto* l = v->mutable_kvlist_value();
      const size_t n = rng() % 4;
      for (size_t i = 0; i < n; ++i) {
        KeyValue* kv = l->add_values();
        kv->set_key(RandomString(rng));
        RandomValue(rng, kv->mutable_value(), depth + 1);
      }
    }
  }
}

const char* const kKeys[] = {"gen_ai.operation.name",
                             "gen_ai.system",
                             "gen_ai.provider.name",
                             "gen_ai.request.model",
                             "gen_ai.response.model",
                             "gen_ai.usage.input_tokens",
                             "gen_ai.usage.output_tokens",
                             "gen_ai.usage.prompt_tokens",
                             "gen_ai.usage.cache_read.input_tokens",
                             "gen_ai.usage.reasoning_tokens",
                             "gen_ai.usage.cost",
                             "gen_ai.server.time_to_first_token",
                             "gen_ai.response.finish_reasons",
                             "gen_ai.input.messages",
                             "gen_ai.output.messages",
                             "gen_ai.system_instructions",
                             "gen_ai.prompt.0.role",
                             "gen_ai.prompt.0.content",
                             "gen_ai.prompt.1.content",
                             "gen_ai.completion.0.content",
                             "gen_ai.completion.0.finish_reason",
                             "gen_ai.completion.0.tool_calls.0.name",
                             "llm.input_messages.0.message.content",
                             "llm.output_messages.0.message.tool_calls.0.tool_call.id",
                             "llm.request.type",
                             "llm.token_count.prompt",
                             "openinference.span.kind",
                             "error.type",
                             "session.id",
                             "user.id",
                             "gen_ai.conversation.id",
                             "yardstick.route",
                             "traceloop.entity.name",
                             "http.method",
                             "server.port",
                             "custom.key",
                             "",
                             "gen_ai.response.id"};

void RandomAttributes(std::mt19937_64& rng, Attributes* attributes, size_t max) {
  const size_t n = rng() % (max + 1);
  for (size_t i = 0; i < n; ++i) {
    KeyValue* kv = attributes->Add();
    kv->set_key(kKeys[rng() % std::size(kKeys)]);
    if (rng() % 8 != 0) RandomValue(rng, kv->mutable_value(), 1);
  }
}

std::string RandomId(std::mt19937_64& rng, size_t size) {
  const uint64_t roll = rng() % 16;
  size_t n = size;
  if (roll == 0) n = 0;
  if (roll == 1) n = size - 1;
  if (roll == 2) n = size + 1;
  std::string id;
  for (size_t i = 0; i < n; ++i) id.push_back(static_cast<char>(rng() % 256));
  if (roll == 3) id.assign(size, '\0');
  return id;
}

uint64_t RandomTime(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0:
      return 0;
    case 1:
      return UINT64_MAX;
    default:
      return 1765432100000000000ULL + rng() % 5000000000ULL;
  }
}

void RandomEvaluation(std::mt19937_64& rng, Attributes* attributes) {
  if (rng() % 6 != 0) AddString(attributes, "gen_ai.evaluation.name", RandomString(rng));
  if (rng() % 3 != 0) RandomValue(rng, Add(attributes, "gen_ai.evaluation.score.value"), 3);
  if (rng() % 2 != 0) AddString(attributes, "gen_ai.evaluation.score.label", RandomString(rng));
  if (rng() % 2 != 0) AddString(attributes, "gen_ai.evaluation.explanation", RandomString(rng));
  RandomAttributes(rng, attributes, 2);
}

std::string DumpAttributes(const model::Attributes& attributes) {
  std::string out;
  for (const auto& [k, v] : attributes) out += "  " + k + " = " + v + "\n";
  return out;
}

std::string Opt(const std::optional<double>& v) {
  if (!v) return "none";
  std::ostringstream s;
  s.precision(17);
  s << *v;
  return s.str();
}

}  // namespace

std::string HexBytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

AnyValue* Add(Attributes* attributes, std::string_view key) {
  KeyValue* kv = attributes->Add();
  kv->set_key(std::string(key));
  return kv->mutable_value();
}
void AddString(Attributes* attributes, std::string_view key, std::string_view value) {
  Add(attributes, key)->set_string_value(std::string(value));
}
void AddInt(Attributes* attributes, std::string_view key, int64_t value) {
  Add(attributes, key)->set_int_value(value);
}
void AddDouble(Attributes* attributes, std::string_view key, double value) {
  Add(attributes, key)->set_double_value(value);
}
void AddBool(Attributes* attributes, std::string_view key, bool value) {
  Add(attributes, key)->set_bool_value(value);
}
void AddStrings(Attributes* attributes, std::string_view key,
                std::initializer_list<std::string_view> values) {
  auto* array = Add(attributes, key)->mutable_array_value();
  for (const auto v : values) array->add_values()->set_string_value(std::string(v));
}

ResourceSpans* AddResource(ExportTraceServiceRequest& request, std::string_view service) {
  ResourceSpans* r = request.add_resource_spans();
  if (!service.empty())
    AddString(r->mutable_resource()->mutable_attributes(), "service.name", service);
  r->add_scope_spans()->mutable_scope()->set_name("test.instrumentation");
  return r;
}

ResourceLogs* AddResource(ExportLogsServiceRequest& request, std::string_view service) {
  ResourceLogs* r = request.add_resource_logs();
  if (!service.empty())
    AddString(r->mutable_resource()->mutable_attributes(), "service.name", service);
  r->add_scope_logs()->mutable_scope()->set_name("test.instrumentation");
  return r;
}

Span* AddSpan(ResourceSpans* resource, std::string_view trace_hex, std::string_view span_hex,
              std::string_view name, uint64_t start_ns, uint64_t end_ns) {
  Span* s = resource->mutable_scope_spans(0)->add_spans();
  s->set_trace_id(HexBytes(trace_hex));
  s->set_span_id(HexBytes(span_hex));
  s->set_name(std::string(name));
  s->set_kind(Span::SPAN_KIND_CLIENT);
  s->set_start_time_unix_nano(start_ns);
  s->set_end_time_unix_nano(end_ns);
  return s;
}

LogRecord* AddLog(ResourceLogs* resource, std::string_view trace_hex, std::string_view span_hex,
                  std::string_view event_name, uint64_t time_ns) {
  LogRecord* l = resource->mutable_scope_logs(0)->add_log_records();
  l->set_trace_id(HexBytes(trace_hex));
  l->set_span_id(HexBytes(span_hex));
  l->set_event_name(std::string(event_name));
  l->set_time_unix_nano(time_ns);
  return l;
}

void AddEvaluationAttributes(Attributes* attributes, std::string_view name, double value,
                             std::string_view label, std::string_view explanation) {
  AddString(attributes, "gen_ai.evaluation.name", name);
  if (!std::isnan(value)) AddDouble(attributes, "gen_ai.evaluation.score.value", value);
  if (!label.empty()) AddString(attributes, "gen_ai.evaluation.score.label", label);
  if (!explanation.empty()) AddString(attributes, "gen_ai.evaluation.explanation", explanation);
}

void AddEvaluationEvent(Span* span, uint64_t time_ns, std::string_view name, double value,
                        std::string_view label, std::string_view explanation) {
  auto* event = span->add_events();
  event->set_time_unix_nano(time_ns);
  event->set_name("gen_ai.evaluation.result");
  AddEvaluationAttributes(event->mutable_attributes(), name, value, label, explanation);
}

std::string ToJson(const ExportTraceServiceRequest& request, const JsonStyle& style) {
  Json resources = Json::array();
  for (const ResourceSpans& r : request.resource_spans()) {
    Json scopes = Json::array();
    for (const auto& s : r.scope_spans()) {
      Json spans = Json::array();
      for (const Span& span : s.spans()) {
        Json j = Json::object();
        j["traceId"] = HexOf(span.trace_id(), style.upper_hex);
        j["spanId"] = HexOf(span.span_id(), style.upper_hex);
        if (!span.parent_span_id().empty()) {
          j["parentSpanId"] = HexOf(span.parent_span_id(), style.upper_hex);
        } else if (style.extra_fields) {
          j["parentSpanId"] = "";
        }
        j["name"] = span.name();
        j["kind"] = static_cast<int>(span.kind());
        j["startTimeUnixNano"] = Uint64Json(span.start_time_unix_nano(), style);
        j["endTimeUnixNano"] = Uint64Json(span.end_time_unix_nano(), style);
        j["attributes"] = AttributesJson(span.attributes(), style);
        if (span.events_size() > 0) {
          Json events = Json::array();
          for (const auto& e : span.events()) {
            events.push_back({{"timeUnixNano", Uint64Json(e.time_unix_nano(), style)},
                              {"name", e.name()},
                              {"attributes", AttributesJson(e.attributes(), style)}});
          }
          j["events"] = std::move(events);
        }
        if (span.has_status()) {
          Json status = Json::object();
          if (!span.status().message().empty()) status["message"] = span.status().message();
          if (style.enum_names) {
            status["code"] =
                opentelemetry::proto::trace::v1::Status::StatusCode_Name(span.status().code());
          } else {
            status["code"] = static_cast<int>(span.status().code());
          }
          j["status"] = std::move(status);
        }
        if (style.extra_fields) {
          j["droppedAttributesCount"] = 0;
          j["links"] = Json::array();
          j["traceState"] = nullptr;
          j["flags"] = 257;
        }
        spans.push_back(std::move(j));
      }
      Json scope = Json::object();
      scope["scope"] = {{"name", s.scope().name()}};
      scope["spans"] = std::move(spans);
      scopes.push_back(std::move(scope));
    }
    resources.push_back(
        ResourceEntry(ResourceJson(r.resource(), style), "scopeSpans", std::move(scopes), style));
  }
  Json top = Json::object();
  top["resourceSpans"] = std::move(resources);
  return top.dump();
}

std::string ToJson(const ExportLogsServiceRequest& request, const JsonStyle& style) {
  Json resources = Json::array();
  for (const ResourceLogs& r : request.resource_logs()) {
    Json scopes = Json::array();
    for (const auto& s : r.scope_logs()) {
      Json logs = Json::array();
      for (const LogRecord& log : s.log_records()) {
        Json j = Json::object();
        if (log.time_unix_nano() != 0) j["timeUnixNano"] = Uint64Json(log.time_unix_nano(), style);
        if (log.observed_time_unix_nano() != 0) {
          j["observedTimeUnixNano"] = Uint64Json(log.observed_time_unix_nano(), style);
        }
        j["severityNumber"] = static_cast<int>(log.severity_number());
        if (log.has_body()) j["body"] = ValueJson(log.body(), style);
        j["attributes"] = AttributesJson(log.attributes(), style);
        if (!log.trace_id().empty()) j["traceId"] = HexOf(log.trace_id(), style.upper_hex);
        if (!log.span_id().empty()) j["spanId"] = HexOf(log.span_id(), style.upper_hex);
        if (!log.event_name().empty()) j["eventName"] = log.event_name();
        if (style.extra_fields) j["flags"] = 1;
        logs.push_back(std::move(j));
      }
      Json scope = Json::object();
      scope["scope"] = {{"name", s.scope().name()}};
      scope["logRecords"] = std::move(logs);
      scopes.push_back(std::move(scope));
    }
    resources.push_back(
        ResourceEntry(ResourceJson(r.resource(), style), "scopeLogs", std::move(scopes), style));
  }
  Json top = Json::object();
  top["resourceLogs"] = std::move(resources);
  return top.dump();
}

ExportTraceServiceRequest RandomTraces(std::mt19937_64& rng) {
  ExportTraceServiceRequest request;
  const size_t resources = 1 + rng() % 2;
  for (size_t r = 0; r < resources; ++r) {
    ResourceSpans* rs = request.add_resource_spans();
    RandomAttributes(rng, rs->mutable_resource()->mutable_attributes(), 3);
    if (rng() % 2 == 0) {
      AddString(rs->mutable_resource()->mutable_attributes(), "service.name", RandomString(rng));
    }
    const size_t scopes = 1 + rng() % 2;
    for (size_t s = 0; s < scopes; ++s) {
      auto* ss = rs->add_scope_spans();
      const size_t spans = rng() % 5;
      for (size_t i = 0; i < spans; ++i) {
        Span* span = ss->add_spans();
        span->set_trace_id(RandomId(rng, 16));
        span->set_span_id(RandomId(rng, 8));
        if (rng() % 2 == 0) span->set_parent_span_id(RandomId(rng, 8));
        static const char* const kNames[] = {"chat gpt-4o",
                                             "openai.chat",
                                             "anthropic.completion",
                                             "GET /users",
                                             "db.query",
                                             "ChatOpenAI.chat",
                                             ""};
        span->set_name(kNames[rng() % std::size(kNames)]);
        span->set_start_time_unix_nano(RandomTime(rng));
        span->set_end_time_unix_nano(span->start_time_unix_nano() + rng() % 3000000000ULL -
                                     (rng() % 8 == 0 ? 4000000000ULL : 0));
        RandomAttributes(rng, span->mutable_attributes(), 12);
        const size_t events = rng() % 3;
        for (size_t e = 0; e < events; ++e) {
          auto* event = span->add_events();
          event->set_time_unix_nano(rng() % 4 == 0 ? 0 : RandomTime(rng));
          static const char* const kEvents[] = {"gen_ai.evaluation.result", "exception",
                                                "gen_ai.content.prompt", "other"};
          event->set_name(kEvents[rng() % std::size(kEvents)]);
          if (event->name() == "gen_ai.evaluation.result") {
            RandomEvaluation(rng, event->mutable_attributes());
          } else if (event->name() == "exception") {
            AddString(event->mutable_attributes(), "exception.type", RandomString(rng));
          } else {
            AddString(event->mutable_attributes(), "gen_ai.prompt", RandomString(rng));
          }
        }
        if (rng() % 2 == 0) {
          auto* status = span->mutable_status();
          status->set_code(
              static_cast<opentelemetry::proto::trace::v1::Status::StatusCode>(rng() % 3));
          if (rng() % 2 == 0) status->set_message(RandomString(rng));
        }
      }
    }
  }
  return request;
}

ExportLogsServiceRequest RandomLogs(std::mt19937_64& rng) {
  ExportLogsServiceRequest request;
  const size_t resources = 1 + rng() % 2;
  for (size_t r = 0; r < resources; ++r) {
    ResourceLogs* rl = request.add_resource_logs();
    RandomAttributes(rng, rl->mutable_resource()->mutable_attributes(), 2);
    auto* sl = rl->add_scope_logs();
    const size_t logs = rng() % 6;
    for (size_t i = 0; i < logs; ++i) {
      LogRecord* log = sl->add_log_records();
      if (rng() % 3 != 0) log->set_trace_id(RandomId(rng, 16));
      if (rng() % 3 != 0) log->set_span_id(RandomId(rng, 8));
      if (rng() % 3 != 0) log->set_time_unix_nano(RandomTime(rng));
      if (rng() % 2 != 0) log->set_observed_time_unix_nano(RandomTime(rng));
      const uint64_t kind = rng() % 4;
      if (kind == 0) log->set_event_name("gen_ai.evaluation.result");
      if (kind == 1) AddString(log->mutable_attributes(), "event.name", "gen_ai.evaluation.result");
      if (kind == 2) log->set_event_name("gen_ai.client.inference.operation.details");
      if (kind != 3) RandomEvaluation(rng, log->mutable_attributes());
      if (rng() % 2 == 0) log->mutable_body()->set_string_value(RandomString(rng));
    }
  }
  return request;
}

std::string Dump(const model::Call& c) {
  std::ostringstream s;
  s << "call " << c.id << "\n trace=" << c.trace_id << " span=" << c.span_id
    << " parent=" << c.parent_span_id << "\n conversation=" << c.conversation_id
    << " session=" << c.session_id << " user=" << c.user_id << "\n start=" << c.start_ns
    << " end=" << c.end_ns << " ttft=" << Opt(c.ttft_s) << "\n operation=" << c.operation
    << " provider=" << c.provider << " request_model=" << c.request_model
    << " response_model=" << c.response_model << "\n service=" << c.service
    << " environment=" << c.environment << " route=" << c.route << " prompt=" << c.prompt_name
    << "@" << c.prompt_version << " release=" << c.release << " variant=" << c.variant
    << "\n tokens in=" << c.input_tokens << " out=" << c.output_tokens
    << " cache_read=" << c.cache_read_tokens << " cache_creation=" << c.cache_creation_tokens
    << " reasoning=" << c.reasoning_tokens << " cost=" << Opt(c.cost_usd)
    << "\n status=" << static_cast<int>(c.status) << " error_type=" << c.error_type
    << " finish=" << c.finish_reason << "\n input=" << c.input_text << "\n output=" << c.output_text
    << "\n"
    << DumpAttributes(c.attributes);
  return s.str();
}

std::string Dump(const model::Score& sc) {
  std::ostringstream s;
  s << "score " << sc.id << " name=" << sc.name << " value=" << Opt(sc.value)
    << " label=" << sc.label << " call=" << sc.call_id << " trace=" << sc.trace_id
    << " conversation=" << sc.conversation_id << " user=" << sc.user_id << " source=" << sc.source
    << " time=" << sc.time_ns << " comment=" << sc.comment << "\n"
    << DumpAttributes(sc.attributes);
  return s.str();
}

std::string Dump(const DecodeResult& r) {
  std::string out = "spans=" + std::to_string(r.spans) + " genai=" + std::to_string(r.genai_spans) +
                    " logs=" + std::to_string(r.log_records) +
                    " ignored=" + std::to_string(r.ignored) +
                    " rejected=" + std::to_string(r.rejected) + "\n";
  for (const auto& c : r.batch.calls) out += Dump(c);
  for (const auto& s : r.batch.scores) out += Dump(s);
  return out;
}

namespace {

template <typename Request>
DecodeResult DecodeBothImpl(const Request& request, const Limits& limits, bool traces) {
  const auto decode = [&](std::string_view body, Encoding enc) {
    return traces ? DecodeTraces(body, enc, limits) : DecodeLogs(body, enc, limits);
  };
  const std::string proto = request.SerializeAsString();
  auto from_proto = decode(proto, Encoding::kProtobuf);
  EXPECT_TRUE(from_proto.has_value()) << from_proto.error().message();
  if (!from_proto) return {};
  for (const JsonStyle& style : {JsonStyle{}, JsonStyle{true, true, true, true}}) {
    const std::string json = ToJson(request, style);
    auto from_json = decode(json, Encoding::kJson);
    EXPECT_TRUE(from_json.has_value()) << from_json.error().message() << "\n" << json;
    if (!from_json) continue;
    EXPECT_EQ(Dump(*from_proto), Dump(*from_json)) << json;
    EXPECT_EQ(from_proto->error_message.empty(), from_json->error_message.empty());
  }
  return std::move(*from_proto);
}

}  // namespace

DecodeResult DecodeBoth(const ExportTraceServiceRequest& request, const Limits& limits) {
  return DecodeBothImpl(request, limits, true);
}

DecodeResult DecodeBoth(const ExportLogsServiceRequest& request, const Limits& limits) {
  return DecodeBothImpl(request, limits, false);
}

std::string AttributeOf(const model::Attributes& attributes, std::string_view key) {
  for (const auto& [k, v] : attributes) {
    if (k == key) return v;
  }
  return "<absent>";
}

}  // namespace yardstick::otlp::testing

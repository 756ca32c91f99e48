// The OTLP/JSON decoder (simdjson DOM). OTLP/JSON differs from protobuf's canonical JSON
// mapping: trace and span ids are hex, enums are integers (names are accepted too), 64-bit
// integers may be strings or numbers, keys are lowerCamelCase, and unknown fields are ignored.
// A null value is the same as an absent field.

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/content.h"
#include "otlp/decoders.h"
#include "otlp/text_util.h"

namespace yardstick::otlp::internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr size_t kMaxQuotedBytes = 64;

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(out, Abbreviate(s, kMaxQuotedBytes));
  return out;
}

// A short description of a JSON value for messages: "string \"abc\"", "number", "object".
std::string DescribeJson(element e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) != simdjson::SUCCESS) return "a string";
      return "string " + Quote(s);
    }
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

bool AsString(element e, std::string_view& out) {
  return e.get_string().get(out) == simdjson::SUCCESS;
}

bool ParseDecimal(std::string_view s, uint64_t& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A fixed64 time: a string of decimal digits or a non-negative integer.
bool ReadUint64(element e, uint64_t& out) {
  switch (e.type()) {
    case element_type::UINT64:
      return e.get_uint64().get(out) == simdjson::SUCCESS;
    case element_type::INT64: {
      int64_t v = 0;
      if (e.get_int64().get(v) != simdjson::SUCCESS || v < 0) return false;
      out = static_cast<uint64_t>(v);
      return true;
    }
    case element_type::STRING: {
      std::string_view s;
      return AsString(e, s) && ParseDecimal(s, out);
    }
    default:
      return false;
  }
}

// An int64: a decimal string or an integral number.
bool ReadInt64(element e, int64_t& out) {
  switch (e.type()) {
    case element_type::INT64:
      return e.get_int64().get(out) == simdjson::SUCCESS;
    case element_type::UINT64:
      return false;  // above INT64_MAX
    case element_type::DOUBLE: {
      double d = 0;
      if (e.get_double().get(d) != simdjson::SUCCESS) return false;
      if (!(d >= -9.2e18 && d <= 9.2e18) || std::floor(d) != d) return false;
      out = static_cast<int64_t>(d);
      return true;
    }
    case element_type::STRING: {
      std::string_view s;
      if (!AsString(e, s)) return false;
      const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
      return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    default:
      return false;
  }
}

// A double: a number, or a string holding a number, "NaN", "Infinity" or "-Infinity".
bool ReadDouble(element e, double& out) {
  switch (e.type()) {
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return e.get_double().get(out) == simdjson::SUCCESS;
    case element_type::STRING: {
      std::string_view s;
      if (!AsString(e, s)) return false;
      if (s == "NaN") {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
      }
      if (s == "Infinity" || s == "-Infinity") {
        out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
        return true;
      }
      const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
      return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    default:
      return false;
  }
}

bool ReadAnyValue(element e, int depth, TextArena& arena, Value& out, std::string& why);

// The JSON text of arrayValue (an array) or kvlistValue (an object): {"values": [...]}.
bool RenderList(element e, bool kvlist, int depth, TextArena& arena, Value& out, std::string& why) {
  const char* field = kvlist ? "kvlistValue" : "arrayValue";
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    why = std::string(field) + ": expected an object, got " + DescribeJson(e);
    return false;
  }
  std::string& text = arena.New();
  text.push_back(kvlist ? '{' : '[');
  bool first = true;
  for (auto [key, values] : obj) {
    if (key != "values" || values.is_null()) continue;
    array items;
    if (values.get_array().get(items) != simdjson::SUCCESS) {
      why = std::string(field) + ".values: expected an array, got " + DescribeJson(values);
      return false;
    }
    for (element item : items) {
      if (!first) text.push_back(',');
      Value value;
      if (kvlist) {
        object kv;
        if (item.get_object().get(kv) != simdjson::SUCCESS) {
          why =
              std::string(field) + ".values: expected key-value objects, got " + DescribeJson(item);
          return false;
        }
        std::string_view item_key;
        for (auto [k, v] : kv) {
          if (v.is_null()) continue;
          if (k == "key" && !AsString(v, item_key)) {
            why = std::string(field) + ".values: key: expected a string, got " + DescribeJson(v);
            return false;
          }
          if (k == "value" && !ReadAnyValue(v, depth + 1, arena, value, why)) return false;
        }
        AppendJsonString(text, item_key);
        text.push_back(':');
      } else {
        if (!ReadAnyValue(item, depth + 1, arena, value, why)) return false;
        if (first && value.type == ValueType::kString) out.first_string = value.text;
      }
      AppendValueJson(text, value);
      first = false;
    }
  }
  text.push_back(kvlist ? '}' : ']');
  out.type = kvlist ? ValueType::kKvList : ValueType::kArray;
  out.text = text;
  return true;
}

// An AnyValue object; the last value field present wins, as in the protobuf oneof.
bool ReadAnyValue(element e, int depth, TextArena& arena, Value& out, std::string& why) {
  out = Value{};
  if (depth > kMaxValueDepth) {
    why = "a value nested more than " + std::to_string(kMaxValueDepth) + " levels deep";
    return false;
  }
  if (e.is_null()) return true;
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    why = "expected an AnyValue object, got " + DescribeJson(e);
    return false;
  }
  for (auto [key, v] : obj) {
    if (v.is_null()) continue;
    if (key == "stringValue") {
      out = Value{};
      out.type = ValueType::kString;
      if (!AsString(v, out.text)) {
        why = "stringValue: expected a string, got " + DescribeJson(v);
        return false;
      }
    } else if (key == "boolValue") {
      out = Value{};
      out.type = ValueType::kBool;
      if (v.get_bool().get(out.boolean) != simdjson::SUCCESS) {
        why = "boolValue: expected true or false, got " + DescribeJson(v);
        return false;
      }
    } else if (key == "intValue") {
      out = Value{};
      out.type = ValueType::kInt;
      if (!ReadInt64(v, out.integer)) {
        why = "intValue: expected a 64-bit integer, got " + DescribeJson(v);
        return false;
      }
    } else if (key == "doubleValue") {
      out = Value{};
      out.type = ValueType::kDouble;
      if (!ReadDouble(v, out.number)) {
        why = "doubleValue: expected a number, got " + DescribeJson(v);
        return false;
      }
    } else if (key == "arrayValue" || key == "kvlistValue") {
      out = Value{};
      if (!RenderList(v, key == "kvlistValue", depth, arena, out, why)) return false;
    } else if (key == "bytesValue") {
      out = Value{};
      out.type = ValueType::kBytes;
      if (!AsString(v, out.text)) {
        why = "bytesValue: expected a base64 string, got " + DescribeJson(v);
        return false;
      }
    }
  }
  return true;
}

// A list of KeyValue objects (attributes). Problems go to `problem`, named by `field`; reading
// goes on after one, so that the rest of the record can still be classified.
void ReadAttributes(element e, std::string_view field, TextArena& arena,
                    std::vector<Attribute>& out, Problem& problem) {
  array items;
  if (e.get_array().get(items) != simdjson::SUCCESS) {
    problem.Set(std::string(field) + ": expected an array, got " + DescribeJson(e));
    return;
  }
  size_t index = 0;
  for (element item : items) {
    const auto where = [&] { return std::string(field) + "[" + std::to_string(index) + "]"; };
    object kv;
    if (item.get_object().get(kv) != simdjson::SUCCESS) {
      problem.Set(where() + ": expected a key-value object, got " + DescribeJson(item));
      ++index;
      continue;
    }
    Attribute attribute;
    for (auto [key, v] : kv) {
      if (v.is_null()) continue;
      if (key == "key") {
        if (!AsString(v, attribute.key)) {
          problem.Set(where() + ".key: expected a string, got " + DescribeJson(v));
        }
      } else if (key == "value") {
        std::string why;
        if (!ReadAnyValue(v, 1, arena, attribute.value, why)) {
          problem.Set(where() + ".value: " + why);
          attribute.value = Value{};
        }
      }
    }
    out.push_back(attribute);
    ++index;
  }
}

// A hex id of `digits` digits, or "" for none.
void ReadId(element e, const char* field, size_t digits, std::string& out, Problem& problem) {
  std::string_view s;
  if (!AsString(e, s)) {
    problem.Set(std::string(field) + ": expected a hex string, got " + DescribeJson(e));
    return;
  }
  if (s.empty()) return;
  if (!ParseHexId(s, digits, out)) {
    problem.Set(std::string(field) + ": expected " + std::to_string(digits) + " hex digits, got " +
                Quote(s));
  }
}

void ReadTime(element e, const char* field, uint64_t& out, Problem& problem) {
  if (!ReadUint64(e, out)) {
    problem.Set(std::string(field) +
                ": expected unsigned 64-bit nanoseconds (a string or an integer), got " +
                DescribeJson(e));
  }
}

void ReadEvents(element e, TextArena& arena, SpanData& span) {
  array items;
  if (e.get_array().get(items) != simdjson::SUCCESS) {
    span.problem.Set("events: expected an array, got " + DescribeJson(e));
    return;
  }
  size_t index = 0;
  for (element item : items) {
    const std::string where = "events[" + std::to_string(index++) + "]";
    object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) {
      span.problem.Set(where + ": expected an object, got " + DescribeJson(item));
      return;
    }
    EventData event;
    event.first_attribute = span.event_attributes.size();
    for (auto [key, v] : obj) {
      if (v.is_null()) continue;
      if (key == "timeUnixNano") {
        if (!ReadUint64(v, event.time_ns)) {
          span.problem.Set(where + ".timeUnixNano: expected unsigned 64-bit nanoseconds, got " +
                           DescribeJson(v));
        }
      } else if (key == "name") {
        if (!AsString(v, event.name)) {
          span.problem.Set(where + ".name: expected a string, got " + DescribeJson(v));
        }
      } else if (key == "attributes") {
        ReadAttributes(v, where + ".attributes", arena, span.event_attributes, span.problem);
      }
    }
    event.attribute_count = span.event_attributes.size() - event.first_attribute;
    span.events.push_back(event);
  }
}

// A status code: an integer, or the enum name.
bool ReadStatusCode(element e, int64_t& out) {
  std::string_view name;
  if (AsString(e, name)) {
    if (name == "STATUS_CODE_UNSET")
      out = 0;
    else if (name == "STATUS_CODE_OK")
      out = 1;
    else if (name == "STATUS_CODE_ERROR")
      out = 2;
    else
      return ReadInt64(e, out);
    return true;
  }
  return ReadInt64(e, out);
}

void ReadStatus(element e, SpanData& span) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    span.problem.Set("status: expected an object, got " + DescribeJson(e));
    return;
  }
  for (auto [key, v] : obj) {
    if (v.is_null()) continue;
    if (key == "code" && !ReadStatusCode(v, span.status_code)) {
      span.problem.Set("status.code: expected 0, 1 or 2, got " + DescribeJson(v));
    } else if (key == "message" && !AsString(v, span.status_message)) {
      span.problem.Set("status.message: expected a string, got " + DescribeJson(v));
    }
  }
}

void ReadSpan(object obj, TextArena& arena, SpanData& span) {
  for (auto [key, v] : obj) {
    if (v.is_null()) continue;
    if (key == "traceId") {
      ReadId(v, "traceId", 32, span.trace_id, span.problem);
    } else if (key == "spanId") {
      ReadId(v, "spanId", 16, span.span_id, span.problem);
    } else if (key == "parentSpanId") {
      ReadId(v, "parentSpanId", 16, span.parent_span_id, span.problem);
    } else if (key == "name") {
      if (!AsString(v, span.name)) {
        span.problem.Set("name: expected a string, got " + DescribeJson(v));
      }
    } else if (key == "startTimeUnixNano") {
      ReadTime(v, "startTimeUnixNano", span.start_ns, span.problem);
    } else if (key == "endTimeUnixNano") {
      ReadTime(v, "endTimeUnixNano", span.end_ns, span.problem);
    } else if (key == "attributes") {
      ReadAttributes(v, "attributes", arena, span.attributes, span.problem);
    } else if (key == "events") {
      ReadEvents(v, arena, span);
    } else if (key == "status") {
      ReadStatus(v, span);
    }
  }
}

void ReadLogRecord(object obj, TextArena& arena, LogData& log) {
  for (auto [key, v] : obj) {
    if (v.is_null()) continue;
    if (key == "timeUnixNano") {
      ReadTime(v, "timeUnixNano", log.time_ns, log.problem);
    } else if (key == "observedTimeUnixNano") {
      ReadTime(v, "observedTimeUnixNano", log.observed_time_ns, log.problem);
    } else if (key == "traceId") {
      ReadId(v, "traceId", 32, log.trace_id, log.problem);
    } else if (key == "spanId") {
      ReadId(v, "spanId", 16, log.span_id, log.problem);
    } else if (key == "eventName") {
      if (!AsString(v, log.event_name)) {
        log.problem.Set("eventName: expected a string, got " + DescribeJson(v));
      }
    } else if (key == "attributes") {
      ReadAttributes(v, "attributes", arena, log.attributes, log.problem);
    }
  }
}

std::unexpected<Error> ShapeError(const std::string& path, const char* expected, element e) {
  return MakeError(ErrorCode::kParse,
                   "JSON: " + path + ": expected " + expected + ", got " + DescribeJson(e));
}

// Looks up `name` in `obj` (null counts as absent) and checks that it is an array.
Result<bool> FindArray(object obj, std::string_view name, const std::string& path, array& out) {
  for (auto [key, v] : obj) {
    if (key != name || v.is_null()) continue;
    if (v.get_array().get(out) != simdjson::SUCCESS) {
      return ShapeError(path + "." + std::string(name), "an array", v);
    }
    return true;
  }
  return false;
}

// Walks {resource_field: [{resource, scope_field: [{record_field: [...]}]}]} and calls
// `record(object, position)` for each record.
template <typename RecordFn>
Result<void> Walk(std::string_view body, const char* resource_field, const char* scope_field,
                  const char* record_field, Mapper& mapper, RecordFn&& record) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return {};
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root)) {
    return MakeError(ErrorCode::kParse, std::string("JSON: the body is not valid JSON: ") +
                                            simdjson::error_message(error));
  }
  object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) return ShapeError("$", "an object", root);

  TextArena arena;
  array resources;
  auto found = FindArray(top, resource_field, "$", resources);
  if (!found) return std::unexpected(found.error());
  if (!*found) return {};
  RecordPosition position;
  for (element r : resources) {
    const std::string rpath =
        std::string(resource_field) + "[" + std::to_string(position.resource) + "]";
    object robj;
    if (r.get_object().get(robj) != simdjson::SUCCESS) return ShapeError(rpath, "an object", r);

    // The resource first, wherever it is among the fields.
    std::vector<Attribute> attributes;
    Problem problem;
    arena.Clear();
    for (auto [key, v] : robj) {
      if (key != "resource" || v.is_null()) continue;
      object res;
      if (v.get_object().get(res) != simdjson::SUCCESS) {
        return ShapeError(rpath + ".resource", "an object", v);
      }
      for (auto [rkey, rv] : res) {
        if (rkey == "attributes" && !rv.is_null()) {
          ReadAttributes(rv, "resource.attributes", arena, attributes, problem);
        }
      }
    }
    mapper.SetResource(attributes, problem);

    array scopes;
    found = FindArray(robj, scope_field, rpath, scopes);
    if (!found) return std::unexpected(found.error());
    position.scope = 0;
    if (*found) {
      for (element s : scopes) {
        const std::string spath =
            rpath + "." + scope_field + "[" + std::to_string(position.scope) + "]";
        object sobj;
        if (s.get_object().get(sobj) != simdjson::SUCCESS) return ShapeError(spath, "an object", s);
        array records;
        found = FindArray(sobj, record_field, spath, records);
        if (!found) return std::unexpected(found.error());
        position.index = 0;
        if (*found) {
          for (element x : records) {
            object xobj;
            if (x.get_object().get(xobj) != simdjson::SUCCESS) {
              return ShapeError(
                  spath + "." + record_field + "[" + std::to_string(position.index) + "]",
                  "an object", x);
            }
            arena.Clear();
            record(xobj, arena, position);
            ++position.index;
          }
        }
        ++position.scope;
      }
    }
    ++position.resource;
  }
  return {};
}

}  // namespace

Result<void> DecodeJsonTraces(std::string_view body, Mapper& mapper) {
  SpanData span;
  return Walk(body, "resourceSpans", "scopeSpans", "spans", mapper,
              [&](object obj, TextArena& arena, const RecordPosition& position) {
                span.Clear();
                span.position = position;
                ReadSpan(obj, arena, span);
                mapper.AddSpan(span);
              });
}

Result<void> DecodeJsonLogs(std::string_view body, Mapper& mapper) {
  LogData log;
  return Walk(body, "resourceLogs", "scopeLogs", "logRecords", mapper,
              [&](object obj, TextArena& arena, const RecordPosition& position) {
                log.Clear();
                log.position = position;
                ReadLogRecord(obj, arena, log);
                mapper.AddLog(log);
              });
}

}  // namespace yardstick::otlp::internal

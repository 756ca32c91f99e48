// The protobuf decoder: reads ExportTraceServiceRequest / ExportLogsServiceRequest straight from
// the wire format (field numbers of src/otlp/proto/). Reading the wire format instead of parsing
// into generated messages keeps strings as views of the body, lets a string that is not UTF-8
// reject one record instead of the whole request, and skips what Yardstick does not read (links,
// scopes, log bodies) without decoding it.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/content.h"
#include "otlp/decoders.h"
#include "otlp/text_util.h"

namespace yardstick::otlp::internal {
namespace {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

constexpr int kMaxGroupDepth = 32;

struct WireField {
  uint32_t number = 0;
  uint32_t type = 0;
  uint64_t scalar = 0;     // varint, fixed64 and fixed32 payloads
  std::string_view bytes;  // length-delimited payload
};

// The malformed-input error of one request, with the byte offset and the entry being read.
class Context {
 public:
  Context(std::string_view body, const char* resource_field, const char* scope_field,
          const char* record_field)
      : body_(body),
        resource_field_(resource_field),
        scope_field_(scope_field),
        record_field_(record_field) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  bool Fail(const char* at, const std::string& what) {
    if (error_.empty()) {
      error_ = what + " at byte " + std::to_string(at - body_.data());
      if (level_ > 0) {
        error_ +=
            std::string(" (in ") + resource_field_ + "[" + std::to_string(position_.resource) + "]";
        if (level_ == 1) error_ += ".resource";
        if (level_ == 2) {
          error_ += std::string(".") + scope_field_ + "[" + std::to_string(position_.scope) + "]." +
                    record_field_ + "[" + std::to_string(position_.index) + "]";
        }
        error_ += ")";
      }
    }
    return false;
  }
  // What is being read: 1 the resource, 2 a record, at `position`.
  void SetLevel(int level, const RecordPosition& position) {
    level_ = level;
    position_ = position;
  }

  TextArena& arena() { return arena_; }

 private:
  std::string_view body_;
  const char* resource_field_;
  const char* scope_field_;
  const char* record_field_;
  std::string error_;
  int level_ = 0;
  RecordPosition position_;
  TextArena arena_;
};

class WireReader {
 public:
  WireReader(std::string_view data, Context& context)
      : p_(data.data()), end_(data.data() + data.size()), context_(context) {}

  // Reads the next field; false at the end of the data or on malformed input (then the context
  // holds the error). Groups are skipped.
  bool Next(WireField& field) {
    while (p_ < end_) {
      const char* start = p_;
      uint64_t tag = 0;
      if (!Varint(tag)) return false;
      field.number = static_cast<uint32_t>(tag >> 3);
      field.type = static_cast<uint32_t>(tag & 7);
      if (field.number == 0 || (tag >> 3) > 0x1FFFFFFF) {
        return context_.Fail(start, "invalid protobuf field number");
      }
      if (field.type == kStartGroup) {
        if (!SkipGroup(field.number, 1)) return false;
        continue;
      }
      return Payload(field, start);
    }
    return false;
  }

 private:
  bool Varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return context_.Fail(p_, "truncated varint");
      const auto b = static_cast<uint8_t>(*p_++);
      out |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return context_.Fail(p_, "varint longer than 10 bytes");
  }

  bool Fixed(size_t n, uint64_t& out) {
    if (static_cast<size_t>(end_ - p_) < n) return context_.Fail(p_, "truncated fixed-size field");
    out = 0;
    for (size_t i = 0; i < n; ++i)
      out |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += n;
    return true;
  }

  bool Payload(WireField& field, const char* start) {
    switch (field.type) {
      case kVarint:
        return Varint(field.scalar);
      case kFixed64:
        return Fixed(8, field.scalar);
      case kFixed32:
        return Fixed(4, field.scalar);
      case kLengthDelimited: {
        uint64_t length = 0;
        if (!Varint(length)) return false;
        if (length > static_cast<uint64_t>(end_ - p_)) {
          return context_.Fail(start, "length-delimited field " + std::to_string(field.number) +
                                          " of " + std::to_string(length) +
                                          " bytes runs past the end of its message");
        }
        field.bytes = std::string_view(p_, static_cast<size_t>(length));
        p_ += length;
        return true;
      }
      default:
        return context_.Fail(start, "invalid protobuf wire type " + std::to_string(field.type));
    }
  }

  bool SkipGroup(uint32_t number, int depth) {
    if (depth > kMaxGroupDepth) return context_.Fail(p_, "protobuf groups nested too deeply");
    while (p_ < end_) {
      const char* start = p_;
      uint64_t tag = 0;
      if (!Varint(tag)) return false;
      const auto inner = static_cast<uint32_t>(tag >> 3);
      const auto type = static_cast<uint32_t>(tag & 7);
      if (type == kEndGroup) {
        if (inner != number) return context_.Fail(start, "mismatched protobuf end-group tag");
        return true;
      }
      if (type == kStartGroup) {
        if (!SkipGroup(inner, depth + 1)) return false;
        continue;
      }
      WireField ignored;
      ignored.number = inner;
      ignored.type = type;
      if (!Payload(ignored, start)) return false;
    }
    return context_.Fail(p_, "unterminated protobuf group");
  }

  const char* p_;
  const char* end_;
  Context& context_;
};

bool IsBytes(const WireField& f) { return f.type == kLengthDelimited; }

// An id of `size` bytes (or none) to hex; other sizes are a problem of the record.
void ReadId(const WireField& f, size_t size, const char* name, std::string& out, Problem& problem) {
  out.clear();
  if (f.bytes.empty()) return;
  if (f.bytes.size() != size) {
    problem.Set(std::string(name) + ": expected " + std::to_string(size) + " bytes, got " +
                std::to_string(f.bytes.size()));
    return;
  }
  AppendHex(out, f.bytes);
}

void CheckUtf8(std::string_view s, const char* what, Problem& problem) {
  if (problem.empty() && !IsUtf8(s)) problem.Set(std::string(what) + " is not valid UTF-8");
}

bool ReadAnyValue(std::string_view data, int depth, Context& context, Value& out, Problem& problem);

// The JSON text of an ArrayValue (as an array) or a KeyValueList (as an object).
bool RenderList(std::string_view data, bool kvlist, int depth, Context& context, Value& out,
                Problem& problem) {
  std::string& text = context.arena().New();
  text.push_back(kvlist ? '{' : '[');
  bool first = true;
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    if (f.number != 1 || !IsBytes(f)) continue;
    if (!first) text.push_back(',');
    if (kvlist) {
      std::string_view key;
      Value value;
      WireReader kv(f.bytes, context);
      WireField g;
      while (kv.Next(g)) {
        if (g.number == 1 && IsBytes(g)) key = g.bytes;
        if (g.number == 2 && IsBytes(g) &&
            !ReadAnyValue(g.bytes, depth + 1, context, value, problem)) {
          return false;
        }
      }
      if (!context.ok()) return false;
      CheckUtf8(key, "a key in a kvlist value", problem);
      AppendJsonString(text, problem.empty() ? key : std::string_view());
      text.push_back(':');
      AppendValueJson(text, value);
    } else {
      Value value;
      if (!ReadAnyValue(f.bytes, depth + 1, context, value, problem)) return false;
      if (first && value.type == ValueType::kString) out.first_string = value.text;
      AppendValueJson(text, value);
    }
    first = false;
  }
  if (!context.ok()) return false;
  text.push_back(kvlist ? '}' : ']');
  out.type = kvlist ? ValueType::kKvList : ValueType::kArray;
  out.text = text;
  return true;
}

// AnyValue: a oneof, of which the last field present wins.
bool ReadAnyValue(std::string_view data, int depth, Context& context, Value& out,
                  Problem& problem) {
  out = Value{};
  if (depth > kMaxValueDepth) {
    problem.Set("a value nested more than " + std::to_string(kMaxValueDepth) + " levels deep");
    return true;
  }
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    switch (f.number) {
      case 1:  // string_value
        if (!IsBytes(f)) break;
        out = Value{};
        out.type = ValueType::kString;
        CheckUtf8(f.bytes, "a string value", problem);
        out.text = f.bytes;
        break;
      case 2:  // bool_value
        if (f.type != kVarint) break;
        out = Value{};
        out.type = ValueType::kBool;
        out.boolean = f.scalar != 0;
        break;
      case 3:  // int_value
        if (f.type != kVarint) break;
        out = Value{};
        out.type = ValueType::kInt;
        out.integer = static_cast<int64_t>(f.scalar);
        break;
      case 4:  // double_value
        if (f.type != kFixed64) break;
        out = Value{};
        out.type = ValueType::kDouble;
        std::memcpy(&out.number, &f.scalar, sizeof out.number);
        break;
      case 5:  // array_value
      case 6:  // kvlist_value
        if (!IsBytes(f)) break;
        out = Value{};
        if (!RenderList(f.bytes, f.number == 6, depth, context, out, problem)) return false;
        break;
      case 7: {  // bytes_value
        if (!IsBytes(f)) break;
        out = Value{};
        out.type = ValueType::kBytes;
        std::string& text = context.arena().New();
        AppendBase64(text, f.bytes);
        out.text = text;
        break;
      }
      default:
        break;
    }
  }
  return context.ok();
}

// A repeated KeyValue field: appends one Attribute.
bool ReadKeyValue(std::string_view data, Context& context, std::vector<Attribute>& out,
                  Problem& problem) {
  Attribute attribute;
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    if (f.number == 1 && IsBytes(f)) attribute.key = f.bytes;
    if (f.number == 2 && IsBytes(f) &&
        !ReadAnyValue(f.bytes, 1, context, attribute.value, problem)) {
      return false;
    }
  }
  if (!context.ok()) return false;
  CheckUtf8(attribute.key, "an attribute key", problem);
  out.push_back(attribute);
  return true;
}

// Resource: attributes = 1.
bool ReadResource(std::string_view data, Context& context, std::vector<Attribute>& attributes,
                  Problem& problem) {
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    if (f.number == 1 && IsBytes(f) && !ReadKeyValue(f.bytes, context, attributes, problem)) {
      return false;
    }
  }
  return context.ok();
}

// Span.Event: time_unix_nano = 1, name = 2, attributes = 3.
bool ReadEvent(std::string_view data, Context& context, SpanData& span) {
  EventData event;
  event.first_attribute = span.event_attributes.size();
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    if (f.number == 1 && f.type == kFixed64) event.time_ns = f.scalar;
    if (f.number == 2 && IsBytes(f)) event.name = f.bytes;
    if (f.number == 3 && IsBytes(f) &&
        !ReadKeyValue(f.bytes, context, span.event_attributes, span.problem)) {
      return false;
    }
  }
  if (!context.ok()) return false;
  CheckUtf8(event.name, "an event name", span.problem);
  event.attribute_count = span.event_attributes.size() - event.first_attribute;
  span.events.push_back(event);
  return true;
}

// Status: message = 2, code = 3.
bool ReadStatus(std::string_view data, Context& context, SpanData& span) {
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    if (f.number == 2 && IsBytes(f)) span.status_message = f.bytes;
    if (f.number == 3 && f.type == kVarint) span.status_code = static_cast<int64_t>(f.scalar);
  }
  if (!context.ok()) return false;
  CheckUtf8(span.status_message, "status.message", span.problem);
  return true;
}

bool ReadSpan(std::string_view data, Context& context, SpanData& span) {
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    switch (f.number) {
      case 1:
        if (IsBytes(f)) ReadId(f, 16, "traceId", span.trace_id, span.problem);
        break;
      case 2:
        if (IsBytes(f)) ReadId(f, 8, "spanId", span.span_id, span.problem);
        break;
      case 4:
        if (IsBytes(f)) ReadId(f, 8, "parentSpanId", span.parent_span_id, span.problem);
        break;
      case 5:
        if (IsBytes(f)) span.name = f.bytes;
        break;
      case 7:
        if (f.type == kFixed64) span.start_ns = f.scalar;
        break;
      case 8:
        if (f.type == kFixed64) span.end_ns = f.scalar;
        break;
      case 9:
        if (IsBytes(f) && !ReadKeyValue(f.bytes, context, span.attributes, span.problem)) {
          return false;
        }
        break;
      case 11:
        if (IsBytes(f) && !ReadEvent(f.bytes, context, span)) return false;
        break;
      case 15:
        if (IsBytes(f) && !ReadStatus(f.bytes, context, span)) return false;
        break;
      default:
        break;
    }
  }
  if (!context.ok()) return false;
  CheckUtf8(span.name, "the span name", span.problem);
  return true;
}

bool ReadLogRecord(std::string_view data, Context& context, LogData& log) {
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    switch (f.number) {
      case 1:
        if (f.type == kFixed64) log.time_ns = f.scalar;
        break;
      case 11:
        if (f.type == kFixed64) log.observed_time_ns = f.scalar;
        break;
      case 6:
        if (IsBytes(f) && !ReadKeyValue(f.bytes, context, log.attributes, log.problem)) {
          return false;
        }
        break;
      case 9:
        if (IsBytes(f)) ReadId(f, 16, "traceId", log.trace_id, log.problem);
        break;
      case 10:
        if (IsBytes(f)) ReadId(f, 8, "spanId", log.span_id, log.problem);
        break;
      case 12:
        if (IsBytes(f)) log.event_name = f.bytes;
        break;
      default:
        break;
    }
  }
  if (!context.ok()) return false;
  CheckUtf8(log.event_name, "eventName", log.problem);
  return true;
}

// The resource of a ResourceSpans / ResourceLogs (field 1), read before its records whatever
// the field order, and handed to the mapper.
bool SetResource(std::string_view data, const RecordPosition& position, Context& context,
                 Mapper& mapper) {
  std::vector<Attribute> attributes;
  Problem problem;
  context.arena().Clear();
  context.SetLevel(1, position);
  WireReader reader(data, context);
  WireField f;
  while (reader.Next(f)) {
    if (f.number == 1 && IsBytes(f) && !ReadResource(f.bytes, context, attributes, problem)) {
      return false;
    }
  }
  if (!context.ok()) return false;
  if (!problem.empty()) problem.text = "resource: " + problem.text;
  mapper.SetResource(attributes, problem);
  return true;
}

// Walks request -> resource entries (field 1) -> scope entries (field 2) -> records (field 2),
// calling `record(bytes, position)` for each record.
template <typename RecordFn>
Result<void> Walk(std::string_view body, Mapper& mapper, Context& context, RecordFn&& record) {
  WireReader top(body, context);
  WireField r;
  RecordPosition position;
  for (size_t ri = 0; top.Next(r);) {
    if (r.number != 1 || !IsBytes(r)) continue;
    position.resource = ri;
    if (!SetResource(r.bytes, position, context, mapper)) break;
    context.SetLevel(0, position);
    WireReader resource(r.bytes, context);
    WireField s;
    for (size_t si = 0; resource.Next(s);) {
      if (s.number != 2 || !IsBytes(s)) continue;
      position.scope = si;
      WireReader scope(s.bytes, context);
      WireField x;
      for (size_t xi = 0; scope.Next(x);) {
        if (x.number != 2 || !IsBytes(x)) continue;
        position.index = xi;
        context.arena().Clear();
        context.SetLevel(2, position);
        if (!record(x.bytes, position)) break;
        ++xi;
      }
      if (!context.ok()) break;
      ++si;
    }
    if (!context.ok()) break;
    ++ri;
  }
  if (!context.ok()) {
    return MakeError(ErrorCode::kParse, "protobuf: " + context.error());
  }
  return {};
}

}  // namespace

Result<void> DecodeProtobufTraces(std::string_view body, Mapper& mapper) {
  Context context(body, "resourceSpans", "scopeSpans", "spans");
  SpanData span;
  return Walk(body, mapper, context, [&](std::string_view bytes, const RecordPosition& position) {
    span.Clear();
    span.position = position;
    if (!ReadSpan(bytes, context, span)) return false;
    mapper.AddSpan(span);
    return true;
  });
}

Result<void> DecodeProtobufLogs(std::string_view body, Mapper& mapper) {
  Context context(body, "resourceLogs", "scopeLogs", "logRecords");
  LogData log;
  return Walk(body, mapper, context, [&](std::string_view bytes, const RecordPosition& position) {
    log.Clear();
    log.position = position;
    if (!ReadLogRecord(bytes, context, log)) return false;
    mapper.AddLog(log);
    return true;
  });
}

}  // namespace yardstick::otlp::internal

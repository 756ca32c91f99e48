#pragma once
// Internal to the otlp module: spans, span events and log records as the two decoders (protobuf,
// JSON) hand them to the mapper. Everything is a view: strings point into the request body, into
// the JSON parser's string buffer, or into the decoder's TextArena, and stay valid until the
// decoder moves to the next record. The objects are reused from record to record.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yardstick::otlp::internal {

enum class ValueType : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvList };

// A decoded AnyValue.
struct Value {
  ValueType type = ValueType::kEmpty;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0.0;
  // kString: the string. kBytes: its standard base64 (as OTLP/JSON spells bytes). kArray and
  // kKvList: the value as JSON text (arrays as arrays, key-value lists as objects).
  std::string_view text;
  // kArray whose first element is a string: that string (for gen_ai.response.finish_reasons).
  std::string_view first_string;
};

struct Attribute {
  std::string_view key;
  Value value;
};

struct EventData {
  uint64_t time_ns = 0;
  std::string_view name;
  size_t first_attribute = 0;  // range in SpanData::event_attributes
  size_t attribute_count = 0;
};

// Where a record sits in the request: resourceSpans[resource].scopeSpans[scope].spans[index]
// (or resourceLogs / scopeLogs / logRecords).
struct RecordPosition {
  size_t resource = 0;
  size_t scope = 0;
  size_t index = 0;
};

// The first problem a decoder found in a record; empty when there is none. The mapper rejects
// the record if it would have kept it.
struct Problem {
  std::string text;
  bool empty() const { return text.empty(); }
  void Set(std::string message) {
    if (text.empty()) text = std::move(message);
  }
};

struct SpanData {
  RecordPosition position;
  std::string trace_id;  // lower-case hex; empty when absent
  std::string span_id;
  std::string parent_span_id;
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  std::string_view name;
  int64_t status_code = 0;
  std::string_view status_message;
  std::vector<Attribute> attributes;
  std::vector<EventData> events;
  std::vector<Attribute> event_attributes;
  Problem problem;

  void Clear() {
    trace_id.clear();
    span_id.clear();
    parent_span_id.clear();
    start_ns = end_ns = 0;
    name = {};
    status_code = 0;
    status_message = {};
    attributes.clear();
    events.clear();
    event_attributes.clear();
    problem.text.clear();
  }
};

struct LogData {
  RecordPosition position;
  std::string trace_id;  // lower-case hex; empty when absent
  std::string span_id;
  uint64_t time_ns = 0;
  uint64_t observed_time_ns = 0;
  std::string_view event_name;
  std::vector<Attribute> attributes;
  Problem problem;

  void Clear() {
    trace_id.clear();
    span_id.clear();
    time_ns = observed_time_ns = 0;
    event_name = {};
    attributes.clear();
    problem.text.clear();
  }
};

// Storage for text a decoder makes (JSON of arrays, base64 of bytes). Views into it stay valid
// until Clear(): a deque never moves its elements.
class TextArena {
 public:
  std::string& New() {
    if (used_ == strings_.size()) strings_.emplace_back();
    std::string& s = strings_[used_++];
    s.clear();
    return s;
  }
  void Clear() { used_ = 0; }

 private:
  std::deque<std::string> strings_;
  size_t used_ = 0;
};

}  // namespace yardstick::otlp::internal

#pragma once
// Internal to the ingest module: the reader of one record's fields and of their values (types,
// ranges, the first problem found), shared by the call, score and outcome decoders.

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>

#include "ingest/events.h"
#include "ingest/field_names.h"
#include "ingest/record_decoder.h"
#include "model/records.h"

namespace yardstick::ingest::internal {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerMilli = 1'000'000;

// A random 128-bit id in lower-case hex, for records that come without one.
std::string RandomId();

// Nanoseconds as milliseconds in the shortest form ("1500", "0.25").
std::string FormatMillis(int64_t ns);

// Reads the fields of one record, keeping the first problem. The value readers check one JSON
// value against the schema's type for a field; the Decode functions (record_decoder.cc) read a
// whole record of their type. One reader per record.
class RecordReader {
 public:
  RecordReader(const ParseOptions& options, RecordType type)
      : options_(options), type_(type), allowed_(FieldsOf(type)) {}

  std::optional<Problem>& problem() { return problem_; }

  bool DecodeCall(object record, model::Call& call);
  bool DecodeScore(object record, model::Score& score);
  bool DecodeOutcome(object record, model::Outcome& outcome);

 private:
  bool Fail(std::string path, std::string reason) {
    problem_ = Problem{std::move(path), std::move(reason)};
    return false;
  }
  bool Fail(Field field, std::string reason) {
    return Fail("." + std::string(FieldName(field)), std::move(reason));
  }
  bool Has(Field field) const { return (seen_ & Bit(field)) != 0; }

  // Calls fn(field, value) for each field of the record whose value is not null, after checking
  // that the field belongs to this record type and is not repeated.
  template <typename Fn>
  bool ForEachField(object record, Fn&& fn);

  bool String(Field field, element value, std::string& out);
  bool NonEmptyString(Field field, element value, std::string& out);
  bool Id(element value, std::string& out);
  bool Hex(Field field, element value, size_t digits, std::string& out);
  bool Count(Field field, element value, int64_t& out);
  bool NonNegative(Field field, element value, double& out);
  bool Number(Field field, element value, double& out);
  bool Time(Field field, element value, int64_t& out);
  void Text(element value, std::string& out);
  bool Attributes(element value, model::Attributes& out);

  const ParseOptions& options_;
  RecordType type_;
  FieldSet allowed_;
  FieldSet named_ = 0;  // fields present in the record
  FieldSet seen_ = 0;   // fields present with a value other than null
  std::optional<Problem> problem_;
};

template <typename Fn>
bool RecordReader::ForEachField(object record, Fn&& fn) {
  for (auto [key, value] : record) {
    const Field field = FindField(key);
    if (field == Field::kUnknown || !(allowed_ & Bit(field))) {
      std::string path;
      AppendPathKey(path, key);
      return Fail(std::move(path), UnknownFieldReason(key, type_));
    }
    if (named_ & Bit(field)) return Fail(field, "duplicate field '" + std::string(key) + "'");
    named_ |= Bit(field);
    if (value.is_null()) continue;  // null is the same as leaving the field out
    seen_ |= Bit(field);
    if (!fn(field, value)) return false;
  }
  return true;
}

}  // namespace yardstick::ingest::internal

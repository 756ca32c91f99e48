#pragma once
// The validation report of a dataset: what `yardstick validate` prints and what `yardstick eval`
// checks before it makes any call.
//
// Checks, each reported with file and line:
//   errors    a row that could not be read (from ReadDataset); a required field missing or null;
//             a field of the wrong type; an empty row (no field with a value); a duplicate id;
//             an input longer than max_input_chars (code points)
//   warnings  a row identical to an earlier one, apart from its id (the earlier line is named); a
//   label value
//             seen in fewer than min_label_share of the rows; a single label value in all rows
// The report also counts the rows and gives the distribution of the label field.
//
// Thread safety: pure functions.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "eval/dataset.h"

namespace yardstick::eval {

enum class FieldType {
  kString,        // a JSON string (every CSV value is one)
  kNumber,        // a JSON number, or CSV text that parses as a finite number
  kInteger,       // a whole number
  kBoolean,       // true/false (CSV: "true"/"false")
  kStringOrList,  // a string or a non-empty list of strings (several references)
  kAny,
};

// "string", "number", "integer", "boolean", "string_or_list", "any".
const char* FieldTypeName(FieldType type);
Result<FieldType> ParseFieldType(std::string_view name);

struct FieldRule {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = true;
};

struct Schema {
  std::vector<FieldRule> fields;
  std::string id_field;  // unique per row when set
  std::optional<std::size_t> max_input_chars;
  std::vector<std::string> input_fields;  // fields whose length is checked; empty: every string
  std::string label_field;                // distribution reported when set
  double min_label_share = 0.05;
};

struct ValidationReport {
  std::string path;
  std::size_t rows = 0;  // rows read (examples)
  std::vector<Problem> problems;
  std::vector<std::pair<std::string, std::size_t>> label_distribution;  // by descending count

  std::size_t errors() const;
  std::size_t warnings() const;
};

// Runs every check on a dataset already read.
ValidationReport ValidateDataset(const Dataset& dataset, const Schema& schema);

// The value of an example's field as text: strings as they are, numbers and booleans as JSON,
// null/missing as nullopt, lists of strings joined with "\n".
std::optional<std::string> FieldText(const Example& example, const std::string& field);

}  // namespace yardstick::eval

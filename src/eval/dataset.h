#pragma once
// Evaluation datasets: JSON Lines and CSV files read into rows of named fields, keeping the line
// each row starts on so every problem can be reported as file:line.
//
// Reading never stops at a bad row: rows that cannot be read (malformed JSON, a JSON value that
// is not an object, invalid UTF-8, a CSV record with the wrong number of fields) become problems
// of severity "error" and are left out of `examples`; a file that cannot be opened is an Error.
// Callers that must not lose data (the evaluation runner) refuse a dataset with errors.
//
// CSV follows RFC 4180: the first record is the header; fields are separated by commas;
// a field in double quotes may hold commas, newlines and doubled quotes (""); CRLF and LF line
// ends are accepted; nothing is trimmed. A quote inside an unquoted field, text after a closing
// quote and an unterminated quoted field are errors naming line and column. Every CSV value is a
// string; schema types are checked on their text.
//
// Thread safety: plain values and pure functions.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::eval {

// One problem found in a file: where, how bad, and what was expected.
struct Problem {
  std::string file;
  std::size_t line = 0;  // 1-based; 0 for the file as a whole
  std::string severity;  // "error" or "warning"
  std::string message;
};

// "file:line: severity: message" (no line part when line is 0).
std::string FormatProblem(const Problem& problem);

// One row of a dataset.
struct Example {
  std::size_t line = 0;   // the 1-based line the row starts on
  nlohmann::json fields;  // a JSON object (CSV values are strings)
};

enum class DatasetFormat { kJsonl, kCsv };

struct Dataset {
  std::string path;
  DatasetFormat format = DatasetFormat::kJsonl;
  std::vector<std::string> columns;  // CSV header, or JSONL keys in order of first appearance
  std::vector<Example> examples;
  std::vector<Problem> problems;  // rows that could not be read
  std::size_t blank_lines = 0;    // JSONL blank lines (not rows)
};

// The format named by the file's extension: .csv -> CSV, .jsonl/.ndjson/.json -> JSONL.
Result<DatasetFormat> FormatFromPath(std::string_view path);

// Parses dataset text; `path` is used in problems only.
Dataset ParseDataset(std::string_view text, const std::string& path, DatasetFormat format);

// Reads and parses a file; errors: the file cannot be read, an unknown extension.
Result<Dataset> ReadDataset(const std::string& path,
                            std::optional<DatasetFormat> format = std::nullopt);

// One CSV record and the line it starts on.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

// Parses CSV text into records (header included). Stops at the first syntax error, which names
// `path`, line and column.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, std::string_view path);

// Reads a file into a string. Errors name the file.
Result<std::string> ReadFile(const std::string& path);

}  // namespace yardstick::eval

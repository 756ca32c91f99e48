#pragma once
// Reading metric inputs: plain text (one segment per line) and JSON Lines with named fields.
// Every error names the file and line and says what was expected.

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace yardstick::cli {

// A file's segments. `path` "-" reads standard input.
struct TextInput {
  std::string path;
  std::vector<std::string> lines;
};

// Reads a text file, one segment per line. A trailing newline does not add an empty segment;
// "\r\n" endings are kept as "\r" only when `keep_cr` (sacrebleu keeps them; we strip by default).
// Lines must be valid UTF-8. An empty file is an error.
Result<TextInput> ReadTextLines(const std::string& path);

// A field selection for JSON Lines input: `--field hyp=output` maps role "hyp" to the field path
// "output" ("a.b" descends into objects; "a.0" indexes arrays).
struct FieldMap {
  std::vector<std::pair<std::string, std::string>> roles;  // role -> path
  std::optional<std::string> Get(const std::string& role) const;
};

// Parses "role=path" strings; error on a missing '=' or empty parts.
Result<FieldMap> ParseFieldMap(const std::vector<std::string>& specs);

// One JSONL row's value at a field: a string, a list of strings (several references), a number
// or a list of numbers, kept as JSON text to avoid coupling callers to a JSON library.
struct JsonlColumn {
  std::string path;                              // the file
  std::vector<std::vector<std::string>> values;  // per line: one or more strings
};

// Reads a JSONL file and extracts the string (or array of strings) at `field` on every line.
// `null` or a missing field is an error naming file:line and the field, unless `optional`.
Result<JsonlColumn> ReadJsonlStrings(const std::string& path, const std::string& field,
                                     bool optional = false);

// Reads a JSONL file and extracts an array of numbers at `field` on every line.
Result<std::vector<std::vector<double>>> ReadJsonlNumbers(const std::string& path,
                                                          const std::string& field);

// Reads a text file of whitespace-separated numbers, one sequence per line.
Result<std::vector<std::vector<double>>> ReadNumberLines(const std::string& path);

// True when the path names a JSON Lines file (".jsonl" or ".ndjson").
bool LooksLikeJsonl(const std::string& path);

}  // namespace yardstick::cli

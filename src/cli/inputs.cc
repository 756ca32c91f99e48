#include "cli/inputs.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "text/unicode.h"

namespace yardstick::cli {
namespace {

std::string DisplayName(const std::string& path) { return path == "-" ? "<stdin>" : path; }

Result<std::string> ReadAll(const std::string& path) {
  FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return MakeError(ErrorCode::kNotFound, path + ": cannot open: " + std::strerror(errno));
  }
  std::string data;
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) data.append(buffer, n);
  const bool failed = std::ferror(file) != 0;
  if (file != stdin) std::fclose(file);
  if (failed) return MakeError(ErrorCode::kIo, DisplayName(path) + ": read failed");
  return data;
}

// Splits on '\n', dropping one trailing empty piece and a '\r' before each '\n'.
std::vector<std::string> SplitLines(const std::string& data) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < data.size()) {
    std::size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    std::size_t stop = end;
    if (stop > start && data[stop - 1] == '\r') --stop;
    lines.emplace_back(data, start, stop - start);
    start = end + 1;
  }
  return lines;
}

Result<std::vector<std::string>> ReadLinesChecked(const std::string& path) {
  auto data = ReadAll(path);
  if (!data) return std::unexpected(data.error());
  if (data->empty()) {
    return MakeError(ErrorCode::kParse,
                     DisplayName(path) + ": file is empty: expected one segment per line");
  }
  std::vector<std::string> lines = SplitLines(*data);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (auto bad = text::FindInvalidUtf8(lines[i])) {
      return MakeError(ErrorCode::kParse, DisplayName(path) + ":" + std::to_string(i + 1) +
                                              ": invalid UTF-8 at byte " + std::to_string(*bad) +
                                              " of the line: expected UTF-8 text");
    }
  }
  return lines;
}

// Resolves a dotted path inside a JSON value; nullptr when absent.
const nlohmann::json* Lookup(const nlohmann::json& root, const std::string& path) {
  const nlohmann::json* node = &root;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    const std::string key = path.substr(start, dot - start);
    if (node->is_object()) {
      auto it = node->find(key);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::size_t index = 0;
      auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec != std::errc() || p != key.data() + key.size() || index >= node->size()) {
        return nullptr;
      }
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    start = dot + 1;
  }
  return node;
}

Result<std::vector<nlohmann::json>> ReadJsonl(const std::string& path) {
  auto lines = ReadLinesChecked(path);
  if (!lines) return std::unexpected(lines.error());
  std::vector<nlohmann::json> rows;
  rows.reserve(lines->size());
  for (std::size_t i = 0; i < lines->size(); ++i) {
    const std::string where = DisplayName(path) + ":" + std::to_string(i + 1);
    const std::string& line = (*lines)[i];
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      return MakeError(ErrorCode::kParse, where + ": empty line: expected a JSON object");
    }
    nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded()) {
      return MakeError(ErrorCode::kParse, where + ": malformed JSON: expected one JSON object");
    }
    if (!row.is_object()) {
      return MakeError(ErrorCode::kParse,
                       where + ": expected a JSON object, got " + std::string(row.type_name()));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::optional<std::string> FieldMap::Get(const std::string& role) const {
  for (const auto& [r, p] : roles) {
    if (r == role) return p;
  }
  return std::nullopt;
}

Result<FieldMap> ParseFieldMap(const std::vector<std::string>& specs) {
  FieldMap map;
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--field '" + spec + "': expected ROLE=PATH, e.g. hyp=output");
    }
    map.roles.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  return map;
}

bool LooksLikeJsonl(const std::string& path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".jsonl") || ends_with(".ndjson");
}

Result<TextInput> ReadTextLines(const std::string& path) {
  auto lines = ReadLinesChecked(path);
  if (!lines) return std::unexpected(lines.error());
  return TextInput{path, std::move(*lines)};
}

Result<JsonlColumn> ReadJsonlStrings(const std::string& path, const std::string& field,
                                     bool optional) {
  auto rows = ReadJsonl(path);
  if (!rows) return std::unexpected(rows.error());
  JsonlColumn column{path, {}};
  column.values.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::string where =
        DisplayName(path) + ":" + std::to_string(i + 1) + ": field '" + field + "'";
    const nlohmann::json* value = Lookup((*rows)[i], field);
    std::vector<std::string> strings;
    if (value == nullptr || value->is_null()) {
      if (!optional) {
        return MakeError(ErrorCode::kParse, where + " is missing: expected a string");
      }
    } else if (value->is_string()) {
      strings.push_back(value->get<std::string>());
    } else if (value->is_array()) {
      for (std::size_t k = 0; k < value->size(); ++k) {
        const auto& item = (*value)[k];
        if (!item.is_string()) {
          return MakeError(ErrorCode::kParse, where + "[" + std::to_string(k) +
                                                  "]: expected a string, got " +
                                                  std::string(item.type_name()));
        }
        strings.push_back(item.get<std::string>());
      }
    } else if (value->is_number() || value->is_boolean()) {
      strings.push_back(value->dump());
    } else {
      return MakeError(ErrorCode::kParse, where +
                                              ": expected a string or an array of strings, got " +
                                              std::string(value->type_name()));
    }
    column.values.push_back(std::move(strings));
  }
  return column;
}

Result<std::vector<std::vector<double>>> ReadJsonlNumbers(const std::string& path,
                                                          const std::string& field) {
  auto rows = ReadJsonl(path);
  if (!rows) return std::unexpected(rows.error());
  std::vector<std::vector<double>> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::string where =
        DisplayName(path) + ":" + std::to_string(i + 1) + ": field '" + field + "'";
    const nlohmann::json* value = Lookup((*rows)[i], field);
    if (value == nullptr || !value->is_array()) {
      return MakeError(ErrorCode::kParse, where + ": expected an array of numbers");
    }
    std::vector<double> numbers;
    numbers.reserve(value->size());
    for (std::size_t k = 0; k < value->size(); ++k) {
      const auto& item = (*value)[k];
      if (!item.is_number()) {
        return MakeError(ErrorCode::kParse, where + "[" + std::to_string(k) +
                                                "]: expected a number, got " +
                                                std::string(item.type_name()));
      }
      numbers.push_back(item.get<double>());
    }
    out.push_back(std::move(numbers));
  }
  return out;
}

Result<std::vector<std::vector<double>>> ReadNumberLines(const std::string& path) {
  auto lines = ReadLinesChecked(path);
  if (!lines) return std::unexpected(lines.error());
  std::vector<std::vector<double>> out;
  out.reserve(lines->size());
  for (std::size_t i = 0; i < lines->size(); ++i) {
    std::vector<double> numbers;
    const std::string& line = (*lines)[i];
    const char* p = line.data();
    const char* end = p + line.size();
    while (p < end) {
      while (p < end && (*p == ' ' || *p == '\t')) ++p;
      if (p == end) break;
      double value = 0;
      auto [next, ec] = std::from_chars(p, end, value);
      if (ec != std::errc() || (next < end && *next != ' ' && *next != '\t')) {
        return MakeError(ErrorCode::kParse, DisplayName(path) + ":" + std::to_string(i + 1) +
                                                ": column " + std::to_string(p - line.data() + 1) +
                                                ": expected a number");
      }
      numbers.push_back(value);
      p = next;
    }
    out.push_back(std::move(numbers));
  }
  return out;
}

}  // namespace yardstick::cli

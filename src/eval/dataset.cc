#include "eval/dataset.h"

#include <fstream>
#include <set>
#include <sstream>

#include "text/unicode.h"

namespace yardstick::eval {
namespace {

std::string Where(std::string_view path, std::size_t line, std::size_t column) {
  return std::string(path) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

void AddColumns(const nlohmann::json& object, std::vector<std::string>& columns,
                std::set<std::string>& seen) {
  for (const auto& item : object.items()) {
    if (seen.insert(item.key()).second) columns.push_back(item.key());
  }
}

void ParseJsonl(std::string_view text, Dataset& out) {
  std::set<std::string> seen;
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      ++out.blank_lines;
      continue;
    }
    if (auto bad = text::FindInvalidUtf8(line)) {
      out.problems.push_back({out.path, line_no, "error",
                              "invalid UTF-8 at byte " + std::to_string(*bad + 1) +
                                  " of the line; the row is not read"});
      continue;
    }
    nlohmann::json value = nlohmann::json::parse(line, nullptr, false);
    if (value.is_discarded()) {
      // Find the column of the syntax error for the message.
      std::string detail;
      try {
        const auto again = nlohmann::json::parse(line);
        detail = again.dump();
      } catch (const nlohmann::json::parse_error& e) {
        detail = e.what();
        const auto pos = detail.find("parse error");
        if (pos != std::string::npos) detail = detail.substr(pos);
      }
      out.problems.push_back({out.path, line_no, "error", "malformed JSON (" + detail + ")"});
      continue;
    }
    if (!value.is_object()) {
      out.problems.push_back(
          {out.path, line_no, "error",
           std::string("expected a JSON object per line, got ") + value.type_name()});
      continue;
    }
    AddColumns(value, out.columns, seen);
    out.examples.push_back({line_no, std::move(value)});
  }
}

void ParseCsvRows(std::string_view text, Dataset& out) {
  auto records = ParseCsv(text, out.path);
  if (!records) {
    out.problems.push_back({out.path, 0, "error", records.error().message()});
    return;
  }
  if (records->empty()) {
    out.problems.push_back({out.path, 0, "error", "empty file: expected a header line"});
    return;
  }
  const CsvRecord& header = records->front();
  std::set<std::string> names;
  for (std::size_t c = 0; c < header.fields.size(); ++c) {
    const std::string& name = header.fields[c];
    if (name.empty()) {
      out.problems.push_back({out.path, header.line, "error",
                              "header column " + std::to_string(c + 1) + " has no name"});
    } else if (!names.insert(name).second) {
      out.problems.push_back(
          {out.path, header.line, "error", "header names column '" + name + "' twice"});
    }
  }
  out.columns = header.fields;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    if (rec.fields.size() == 1 && rec.fields[0].empty()) {
      ++out.blank_lines;
      continue;
    }
    if (rec.fields.size() != header.fields.size()) {
      out.problems.push_back({out.path, rec.line, "error",
                              "expected " + std::to_string(header.fields.size()) +
                                  " fields (as the header), got " +
                                  std::to_string(rec.fields.size())});
      continue;
    }
    bool valid = true;
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t c = 0; c < rec.fields.size(); ++c) {
      if (auto bad = text::FindInvalidUtf8(rec.fields[c])) {
        out.problems.push_back({out.path, rec.line, "error",
                                "invalid UTF-8 in column '" + header.fields[c] + "' at byte " +
                                    std::to_string(*bad + 1) + "; the row is not read"});
        valid = false;
        break;
      }
      object[header.fields[c]] = rec.fields[c];
    }
    if (valid) out.examples.push_back({rec.line, std::move(object)});
  }
}

}  // namespace

std::string FormatProblem(const Problem& p) {
  std::string out = p.file;
  if (p.line > 0) out += ":" + std::to_string(p.line);
  return out + ": " + p.severity + ": " + p.message;
}

Result<DatasetFormat> FormatFromPath(std::string_view path) {
  if (path.ends_with(".csv")) return DatasetFormat::kCsv;
  if (path.ends_with(".jsonl") || path.ends_with(".ndjson") || path.ends_with(".json")) {
    return DatasetFormat::kJsonl;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(path) +
                       ": unknown dataset format: expected a .jsonl, .ndjson or .csv file "
                       "(or give the format explicitly)");
}

Dataset ParseDataset(std::string_view text, const std::string& path, DatasetFormat format) {
  Dataset out;
  out.path = path;
  out.format = format;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  if (format == DatasetFormat::kJsonl) {
    ParseJsonl(text, out);
  } else {
    ParseCsvRows(text, out);
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, path + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kIo, path + ": read failed");
  return ss.str();
}

Result<Dataset> ReadDataset(const std::string& path, std::optional<DatasetFormat> format) {
  if (!format) {
    auto guessed = FormatFromPath(path);
    if (!guessed) return std::unexpected(guessed.error());
    format = *guessed;
  }
  auto text = ReadFile(path);
  if (!text) return std::unexpected(text.error());
  return ParseDataset(*text, path, *format);
}

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, std::string_view path) {
  std::vector<CsvRecord> records;
  std::size_t line = 1;
  std::size_t column = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    // One record: fields until an unquoted line end or the end of the text.
    while (true) {
      std::string field;
      if (i < n && text[i] == '"') {
        const std::size_t open_line = line;
        const std::size_t open_column = column;
        ++i;
        ++column;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              column += 2;
              continue;
            }
            ++i;
            ++column;
            closed = true;
            break;
          }
          field += c;
          ++i;
          if (c == '\n') {
            ++line;
            column = 1;
          } else {
            ++column;
          }
        }
        if (!closed) {
          return MakeError(ErrorCode::kParse, Where(path, open_line, open_column) +
                                                  ": unterminated quoted field: expected a "
                                                  "closing '\"'");
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return MakeError(ErrorCode::kParse,
                           Where(path, line, column) +
                               ": unexpected text after a closing quote: expected ',' or a "
                               "line end (write a quote inside a quoted field as \"\")");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') {
            return MakeError(ErrorCode::kParse, Where(path, line, column) +
                                                    ": quote inside an unquoted field: expected "
                                                    "the whole field in quotes, with \"\" for a "
                                                    "quote");
          }
          field += text[i];
          ++i;
          ++column;
        }
      }
      rec.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        ++column;
        continue;
      }
      break;
    }
    // Line end: \n, \r\n or a lone \r.
    if (i < n && text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    ++line;
    column = 1;
    records.push_back(std::move(rec));
  }
  return records;
}

}  // namespace yardstick::eval

#include "eval/validation.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "text/unicode.h"

namespace yardstick::eval {
namespace {

bool ParsesAsNumber(const std::string& s, bool integer) {
  if (s.empty()) return false;
  double value = 0;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) return false;
  return !integer || value == std::floor(value);
}

bool HasType(const nlohmann::json& v, FieldType type, bool csv) {
  switch (type) {
    case FieldType::kAny:
      return true;
    case FieldType::kString:
      return v.is_string();
    case FieldType::kNumber:
      if (csv && v.is_string()) return ParsesAsNumber(v.get_ref<const std::string&>(), false);
      return v.is_number();
    case FieldType::kInteger:
      if (csv && v.is_string()) return ParsesAsNumber(v.get_ref<const std::string&>(), true);
      return v.is_number_integer() || v.is_number_unsigned() ||
             (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()));
    case FieldType::kBoolean:
      if (csv && v.is_string()) return v == "true" || v == "false";
      return v.is_boolean();
    case FieldType::kStringOrList:
      if (v.is_string()) return true;
      if (!v.is_array() || v.empty()) return false;
      return std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_string(); });
  }
  return false;
}

std::string Describe(const nlohmann::json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return "the string \"" + s + "\"";
  }
  return std::string("a ") + v.type_name();
}

bool IsEmptyValue(const nlohmann::json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}

std::size_t CodePoints(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

const char* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kNumber:
      return "number";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kStringOrList:
      return "string_or_list";
    case FieldType::kAny:
      return "any";
  }
  return "any";
}

Result<FieldType> ParseFieldType(std::string_view name) {
  for (FieldType t : {FieldType::kString, FieldType::kNumber, FieldType::kInteger,
                      FieldType::kBoolean, FieldType::kStringOrList, FieldType::kAny}) {
    if (name == FieldTypeName(t)) return t;
  }
  if (name == "list") return FieldType::kStringOrList;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown field type '" + std::string(name) +
                       "': expected string, number, integer, boolean, string_or_list or any");
}

std::size_t ValidationReport::errors() const {
  return static_cast<std::size_t>(std::count_if(
      problems.begin(), problems.end(), [](const Problem& p) { return p.severity == "error"; }));
}

std::size_t ValidationReport::warnings() const { return problems.size() - errors(); }

std::optional<std::string> FieldText(const Example& example, const std::string& field) {
  const auto it = example.fields.find(field);
  if (it == example.fields.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    std::string out;
    for (const auto& e : *it) {
      if (!out.empty()) out += "\n";
      out += e.is_string() ? e.get<std::string>() : e.dump();
    }
    return out;
  }
  return it->dump();
}

ValidationReport ValidateDataset(const Dataset& dataset, const Schema& schema) {
  ValidationReport report;
  report.path = dataset.path;
  report.rows = dataset.examples.size();
  report.problems = dataset.problems;
  const bool csv = dataset.format == DatasetFormat::kCsv;
  auto add = [&](std::size_t line, const char* severity, std::string message) {
    report.problems.push_back({dataset.path, line, severity, std::move(message)});
  };
  if (dataset.examples.empty() && dataset.problems.empty()) add(0, "error", "no rows");
  std::unordered_map<std::string, std::size_t> first_line_of_row;
  std::unordered_map<std::string, std::size_t> first_line_of_id;
  std::map<std::string, std::size_t> labels;
  for (const Example& ex : dataset.examples) {
    const bool empty = std::all_of(ex.fields.begin(), ex.fields.end(),
                                   [](const auto& v) { return IsEmptyValue(v); });
    if (empty) {
      add(ex.line, "error", "empty row: no field has a value");
      continue;
    }
    for (const FieldRule& rule : schema.fields) {
      const auto it = ex.fields.find(rule.name);
      if (it == ex.fields.end() || it->is_null() ||
          (csv && it->is_string() && it->get_ref<const std::string&>().empty() &&
           rule.type != FieldType::kString)) {
        if (rule.required) add(ex.line, "error", "missing required field '" + rule.name + "'");
        continue;
      }
      if (!HasType(*it, rule.type, csv)) {
        add(ex.line, "error",
            "field '" + rule.name + "': expected " + FieldTypeName(rule.type) + ", got " +
                Describe(*it));
      }
    }
    if (!schema.id_field.empty()) {
      if (auto id = FieldText(ex, schema.id_field)) {
        auto [pos, inserted] = first_line_of_id.emplace(*id, ex.line);
        if (!inserted) {
          add(ex.line, "error",
              "duplicate id '" + *id + "' (first on line " + std::to_string(pos->second) + ")");
        }
      } else {
        add(ex.line, "error", "missing id field '" + schema.id_field + "'");
      }
    }
    // Rows that differ only in their id are duplicates too.
    nlohmann::json content = ex.fields;
    if (!schema.id_field.empty()) content.erase(schema.id_field);
    auto [pos, inserted] = first_line_of_row.emplace(content.dump(), ex.line);
    if (!inserted) {
      add(ex.line, "warning",
          "duplicate row: identical to line " + std::to_string(pos->second) +
              (schema.id_field.empty() ? "" : " (apart from the id)"));
    }
    if (schema.max_input_chars) {
      for (const auto& item : ex.fields.items()) {
        if (!item.value().is_string()) continue;
        if (!schema.input_fields.empty() &&
            std::find(schema.input_fields.begin(), schema.input_fields.end(), item.key()) ==
                schema.input_fields.end()) {
          continue;
        }
        const std::size_t length = CodePoints(item.value().get_ref<const std::string&>());
        if (length > *schema.max_input_chars) {
          add(ex.line, "error",
              "field '" + item.key() + "' is " + std::to_string(length) +
                  " characters long: expected at most " + std::to_string(*schema.max_input_chars));
        }
      }
    }
    if (!schema.label_field.empty()) {
      if (auto label = FieldText(ex, schema.label_field)) ++labels[*label];
    }
  }
  if (!schema.label_field.empty()) {
    for (const auto& [label, count] : labels) report.label_distribution.emplace_back(label, count);
    std::stable_sort(report.label_distribution.begin(), report.label_distribution.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::size_t total = 0;
    for (const auto& [label, count] : labels) total += count;
    if (labels.size() == 1 && total > 1) {
      add(0, "warning",
          "label field '" + schema.label_field + "' has one value in every row ('" +
              labels.begin()->first + "')");
    }
    for (const auto& [label, count] : report.label_distribution) {
      const double share = static_cast<double>(count) / static_cast<double>(total);
      if (labels.size() > 1 && share < schema.min_label_share) {
        add(0, "warning",
            "label '" + label + "' of field '" + schema.label_field +
                "' is rare: " + std::to_string(count) + " of " + std::to_string(total) + " rows");
      }
    }
  }
  std::stable_sort(report.problems.begin(), report.problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  return report;
}

}  // namespace yardstick::eval

// The `kpis:` section: user-defined KPIs and their record filters.
#include <algorithm>
#include <array>
#include <map>

#include "config/sections.h"

namespace yardstick::config::internal {
namespace {

constexpr std::array<std::string_view, 11> kKpiKeys = {
    "name",  "description", "unit",   "direction", "type",       "source",
    "field", "quantile",    "filter", "numerator", "denominator"};
constexpr std::array<std::string_view, 2> kSideKeys = {"source", "filter"};
constexpr std::array<std::string_view, 6> kTypes = {"ratio", "mean",  "quantile",
                                                    "sum",   "count", "rate"};
constexpr std::array<std::string_view, 3> kSources = {"calls", "scores", "outcomes"};
constexpr std::array<std::string_view, 2> kDirections = {"higher", "lower"};
constexpr std::array<std::string_view, 15> kCallFilterFields = {
    "model",       "request_model", "response_model", "provider",      "operation",
    "route",       "prompt_name",   "prompt_version", "release",       "variant",
    "environment", "service",       "status",         "finish_reason", "error_type"};
constexpr std::array<std::string_view, 4> kScoreFilterFields = {"name", "source", "label",
                                                                "author"};
constexpr std::array<std::string_view, 1> kOutcomeFilterFields = {"name"};
constexpr std::array<std::string_view, 3> kStatuses = {"ok", "error", "unset"};
constexpr std::array<std::string_view, 5> kCallValueFields = {"latency", "ttft", "input_tokens",
                                                              "output_tokens", "cost"};
constexpr std::array<std::string_view, 1> kRecordValueFields = {"value"};
constexpr std::string_view kAttributesPrefix = "attributes.";

std::span<const std::string_view> FilterFields(std::string_view source) {
  if (source == "calls") return kCallFilterFields;
  if (source == "scores") return kScoreFilterFields;
  return kOutcomeFilterFields;
}

// Reads `filter` for records of `source` ("" when the source itself is invalid: then only the
// shape of the filter is checked).
void ReadFilter(const Field& f, std::string_view source, Diagnostics& diag, Filter& out) {
  MapReader map(f, diag);
  for (const auto& entry : map.entries()) {
    const Field& value = entry.field;
    if (!source.empty()) {
      const auto fields = FilterFields(source);
      const bool attribute = source == "calls" && entry.key.starts_with(kAttributesPrefix) &&
                             entry.key.size() > kAttributesPrefix.size();
      if (!attribute && std::find(fields.begin(), fields.end(), entry.key) == fields.end()) {
        std::string message =
            f.path + ": cannot filter " + std::string(source) + " on " + Quote(entry.key);
        if (auto near = Suggest(entry.key, fields)) {
          message += " (did you mean " + Quote(*near) + "?)";
        } else {
          message +=
              "; fields: " + JoinNames(fields) + (source == "calls" ? ", attributes.<key>" : "");
        }
        diag.Add(entry.key_mark, std::move(message));
        continue;
      }
    }
    std::optional<std::string> v = source == "calls" && entry.key == "status"
                                       ? ReadEnum(value, kStatuses, diag)
                                       : ReadString(value, diag);
    if (v) out.emplace_back(entry.key, std::move(*v));
  }
}

// Reads a `source` key; returns the source when valid, "" otherwise (reported).
std::string ReadSource(const MapReader& map, std::string& out) {
  if (!map.Has("source")) return "";
  return map.Enum("source", kSources, out) ? out : "";
}

void ReadSide(const Field& f, Diagnostics& diag, KpiSide& out) {
  MapReader map(f, diag, kSideKeys);
  if (!map.is_mapping()) return;
  const std::string source = ReadSource(map, out.source);
  if (!map.Has("source")) map.Missing("source");
  if (auto filter = map.Get("filter")) ReadFilter(*filter, source, diag, out.filter);
}

// Reports keys that `type` does not use.
void RejectKeys(const MapReader& map, std::span<const std::string_view> keys,
                const std::string& why, Diagnostics& diag) {
  for (const auto& key : keys) {
    if (auto f = map.Get(key)) diag.Add(f->mark, f->path + ": " + why);
  }
}

void ReadKpi(const Field& item, Context& ctx, std::map<std::string, Field>& names,
             std::vector<KpiConfig>& out) {
  Diagnostics& diag = ctx.diag;
  MapReader map(item, diag, kKpiKeys);
  if (!map.is_mapping()) return;
  const size_t issues_before = diag.count();
  KpiConfig kpi;
  kpi.line = item.mark.line + 1;
  kpi.column = item.mark.column + 1;

  if (auto name = map.Get("name")) {
    if (map.String("name", kpi.name)) {
      const auto& builtin = ctx.options.builtin_kpi_names;
      if (!IsSnakeName(kpi.name)) {
        diag.Add(name->mark, name->path +
                                 ": expected a name like answer_accept_rate "
                                 "([a-z][a-z0-9_]*), got " +
                                 Quote(kpi.name));
      } else if (std::find(builtin.begin(), builtin.end(), kpi.name) != builtin.end()) {
        diag.Add(name->mark, name->path + ": " + Quote(kpi.name) +
                                 " is the name of a built-in KPI; choose another name");
      } else if (auto [it, inserted] = names.emplace(kpi.name, *name); !inserted) {
        diag.Add(name->mark, name->path + ": KPI " + Quote(kpi.name) + " is already defined at " +
                                 PlaceOf(it->second));
      }
    }
  } else {
    map.Missing("name");
  }
  map.String("description", kpi.description);
  map.String("unit", kpi.unit);
  map.Enum("direction", kDirections, kpi.direction);
  const bool has_type = map.Has("type");
  const bool type_ok = has_type && map.Enum("type", kTypes, kpi.type);
  if (!has_type) map.Missing("type");

  if (type_ok && kpi.type == "ratio") {
    static constexpr std::array<std::string_view, 4> kNotForRatio = {"source", "field", "quantile",
                                                                     "filter"};
    RejectKeys(map, kNotForRatio,
               "type ratio counts numerator and denominator records; give each its own source "
               "and filter",
               diag);
    for (const auto& side : {"numerator", "denominator"}) {
      KpiSide& target = std::string_view(side) == "numerator" ? kpi.numerator : kpi.denominator;
      if (auto f = map.Get(side)) {
        ReadSide(*f, diag, target);
      } else {
        map.Missing(side);
      }
    }
  } else {
    if (type_ok) {
      static constexpr std::array<std::string_view, 2> kSides = {"numerator", "denominator"};
      RejectKeys(map, kSides, "only type ratio has a numerator and denominator", diag);
    }
    const std::string source = ReadSource(map, kpi.source);
    if (!map.Has("source") && type_ok) map.Missing("source");
    if (auto filter = map.Get("filter")) ReadFilter(*filter, source, diag, kpi.filter);

    const bool valued = kpi.type == "mean" || kpi.type == "quantile" || kpi.type == "sum";
    if (auto field = map.Get("field")) {
      if (type_ok && !valued) {
        diag.Add(field->mark,
                 field->path + ": type " + kpi.type + " counts records; it takes no field");
      } else if (!source.empty()) {
        const std::span<const std::string_view> fields =
            source == "calls" ? std::span<const std::string_view>(kCallValueFields)
                              : std::span<const std::string_view>(kRecordValueFields);
        map.Enum("field", fields, kpi.field);
      } else {
        map.String("field", kpi.field);
      }
    } else if (type_ok && valued) {
      map.Missing("field");
    }
    if (auto q = map.Get("quantile")) {
      if (type_ok && kpi.type != "quantile") {
        diag.Add(q->mark, q->path + ": only type quantile takes a quantile");
      } else if (auto value = ReadNumber(*q, diag)) {
        if (*value > 0 && *value < 1) {
          kpi.quantile = *value;
        } else {
          diag.Add(q->mark, q->path + ": expected a number between 0 and 1 (exclusive), got " +
                                q->value.Scalar());
        }
      }
    }
  }
  if (diag.count() == issues_before) out.push_back(std::move(kpi));
}

}  // namespace

void ReadKpis(const Field& f, Context& ctx, std::vector<KpiConfig>& out) {
  std::map<std::string, Field> names;
  ForEachItem(f, ctx.diag, [&](const Field& item) { ReadKpi(item, ctx, names, out); });
}

}  // namespace yardstick::config::internal

#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/sections.h"
#include "config/yaml_reader.h"

namespace yardstick::config {
namespace {

using internal::Context;
using internal::Diagnostics;
using internal::Field;
using internal::MapReader;

// The sections a later version will define; rejected by name until then.
constexpr std::array<std::string_view, 12> kTopKeys = {
    "server", "storage",  "auth",   "redaction", "pricing",     "kpis",
    "goals",  "alerting", "alerts", "notifiers", "escalations", "schedules"};

struct Failure {
  ErrorCode code;
  std::vector<Issue> issues;
};

std::expected<Config, Failure> Parse(std::string_view yaml, const std::string& name,
                                     const std::string& base_dir, const LoadOptions& options) {
  Config config = Defaults();
  config.source_path = name;
  Diagnostics diag;
  YAML::Node root;
  if (!internal::LoadSingleDocument(std::string(yaml), root, diag)) {
    return std::unexpected(Failure{ErrorCode::kParse, diag.TakeSorted()});
  }
  if (!root.IsDefined() || root.IsNull()) {
    if (diag.count() == 0) return config;
    return std::unexpected(Failure{ErrorCode::kInvalidArgument, diag.TakeSorted()});
  }
  if (!root.IsMap()) {
    diag.Add(root.Mark(),
             "expected a mapping of sections (server, storage, auth, redaction, "
             "pricing, kpis), got " +
                 internal::Describe(root));
    return std::unexpected(Failure{ErrorCode::kInvalidArgument, diag.TakeSorted()});
  }
  Context ctx{diag, base_dir, options};
  MapReader top(Field{root, root.Mark(), ""}, diag, kTopKeys);
  if (auto f = top.Get("server")) internal::ReadServer(*f, ctx, config.server);
  if (auto f = top.Get("storage")) internal::ReadStorage(*f, ctx, config.storage);
  if (auto f = top.Get("auth")) internal::ReadAuth(*f, ctx, config.auth);
  if (auto f = top.Get("redaction")) internal::ReadRedaction(*f, ctx, config.redaction);
  if (auto f = top.Get("pricing")) internal::ReadPricing(*f, ctx, config.pricing);
  if (auto f = top.Get("kpis")) internal::ReadKpis(*f, ctx, config.kpis);
  if (auto f = top.Get("goals")) internal::ReadGoals(*f, ctx, config.goals);
  if (auto f = top.Get("schedules")) internal::ReadSchedules(*f, ctx, config.schedules);
  if (auto f = top.Get("notifiers")) internal::ReadNotifiers(*f, ctx, config.notifiers);
  if (auto f = top.Get("escalations")) {
    internal::ReadEscalations(*f, ctx, config.escalations);
    internal::CheckEscalationReferences(*f, ctx, config);
  }
  internal::CheckGoalReferences(ctx, config);
  if (auto f = top.Get("alerting")) internal::ReadAlerting(*f, ctx, config.alerting);
  if (auto f = top.Get("alerts")) internal::ReadAlerts(*f, ctx, config.kpis, config.alerts);
  internal::CheckAlertReferences(config, ctx);
  if (diag.count() > 0) {
    return std::unexpected(Failure{ErrorCode::kInvalidArgument, diag.TakeSorted()});
  }
  return config;
}

std::expected<Config, Failure> ParseFileImpl(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    const std::string why = ec ? ec.message() : "no such file";
    return std::unexpected(Failure{ErrorCode::kNotFound, {Issue{0, 0, "cannot open: " + why}}});
  }
  if (std::filesystem::is_directory(status)) {
    return std::unexpected(
        Failure{ErrorCode::kIo, {Issue{0, 0, "is a directory, expected a YAML file"}}});
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return std::unexpected(Failure{
        ErrorCode::kIo, {Issue{0, 0, std::string("cannot read: ") + std::strerror(errno)}}});
  }
  return Parse(text.str(), path, std::filesystem::path(path).parent_path().string(), options);
}

// LoadString's base directory: the directory part of a file-like name, none for "<string>".
std::string BaseDirOf(const std::string& name) {
  if (name.starts_with('<')) return "";
  return std::filesystem::path(name).parent_path().string();
}

Result<Config> ToResult(std::expected<Config, Failure> parsed, const std::string& name) {
  if (parsed) return std::move(*parsed);
  return MakeError(parsed.error().code, FormatIssues(name, parsed.error().issues));
}

}  // namespace

Config Defaults() { return Config{}; }

std::expected<Config, std::vector<Issue>> ParseFile(const std::string& path,
                                                    const LoadOptions& options) {
  auto parsed = ParseFileImpl(path, options);
  if (!parsed) return std::unexpected(std::move(parsed.error().issues));
  return std::move(*parsed);
}

std::expected<Config, std::vector<Issue>> ParseString(std::string_view yaml,
                                                      const std::string& name,
                                                      const LoadOptions& options) {
  auto parsed = Parse(yaml, name, BaseDirOf(name), options);
  if (!parsed) return std::unexpected(std::move(parsed.error().issues));
  return std::move(*parsed);
}

Result<Config> LoadFile(const std::string& path, const LoadOptions& options) {
  return ToResult(ParseFileImpl(path, options), path);
}

Result<Config> LoadString(std::string_view yaml, const std::string& name,
                          const LoadOptions& options) {
  return ToResult(Parse(yaml, name, BaseDirOf(name), options), name);
}

std::string FormatIssues(std::string_view file, std::span<const Issue> issues) {
  std::string out;
  for (const auto& issue : issues) {
    if (!out.empty()) out += '\n';
    out += file;
    if (issue.line > 0) {
      out += ':' + std::to_string(issue.line) + ':' + std::to_string(issue.column);
    }
    out += ": " + issue.message;
  }
  return out;
}

Result<void> Validate(const Config& config, std::span<const std::string> builtin_kpi_names) {
  std::vector<Issue> issues;
  for (size_t i = 0; i < config.kpis.size(); ++i) {
    const KpiConfig& kpi = config.kpis[i];
    if (std::find(builtin_kpi_names.begin(), builtin_kpi_names.end(), kpi.name) !=
        builtin_kpi_names.end()) {
      issues.push_back(Issue{kpi.line, kpi.column,
                             "kpis[" + std::to_string(i) + "].name: " + internal::Quote(kpi.name) +
                                 " is the name of a built-in KPI; choose another name"});
    }
  }
  if (issues.empty()) return {};
  const std::string file = config.source_path.empty() ? "<config>" : config.source_path;
  return MakeError(ErrorCode::kInvalidArgument, FormatIssues(file, issues));
}

}  // namespace yardstick::config

#include "cli/check_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "config/config.h"
#include "kpi/kpi.h"
#include "notify/notify.h"

namespace yardstick::cli {
namespace {

std::string Names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// "2 projects (web, search), 3 KPIs (a, b, c), storage sqlite, listen 127.0.0.1:8080".
std::string Summary(const config::Config& cfg) {
  std::vector<std::string> projects;
  for (const auto& p : cfg.auth.projects) projects.push_back(p.name);
  std::vector<std::string> kpis;
  for (const auto& k : cfg.kpis) kpis.push_back(k.name);
  auto counted = [](size_t n, const char* one, const char* many, const std::string& names) {
    std::string s = std::to_string(n) + " " + (n == 1 ? one : many);
    return names.empty() ? s : s + " (" + names + ")";
  };
  const std::string& host = cfg.server.listen_host;
  const std::string shown_host =
      host.find(':') != std::string::npos ? "[" + host + "]" : host;  // IPv6
  std::vector<std::string> goals, schedules;
  for (const auto& g : cfg.goals) goals.push_back(g.name);
  for (const auto& s : cfg.schedules) schedules.push_back(s.name);
  std::string extra;
  if (!goals.empty()) extra += ", " + counted(goals.size(), "goal", "goals", Names(goals));
  if (!schedules.empty()) {
    extra += ", " + counted(schedules.size(), "schedule", "schedules", Names(schedules));
  }
  return counted(projects.size(), "project", "projects", Names(projects)) + ", " +
         counted(kpis.size(), "KPI", "KPIs", Names(kpis)) + extra + ", storage " +
         cfg.storage.backend + ", listen " + shown_host + ":" +
         std::to_string(cfg.server.listen_port);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> BuiltinKpiUnits() {
  std::vector<std::pair<std::string, std::string>> out;
  auto engine = kpi::Engine::Create(nullptr, {});
  if (engine) {
    for (const auto& info : engine->Catalog()) out.emplace_back(info.name, info.unit);
  }
  return out;
}

int RunCheck(const CheckArgs& args, const std::vector<std::string>& builtin_kpi_names,
             std::ostream& out, std::ostream& err) {
  config::LoadOptions options;
  options.builtin_kpi_names = builtin_kpi_names;
  options.check_template = alerts::TemplateProblem;
  options.builtin_kpi_units = BuiltinKpiUnits();
  auto parsed = config::ParseFile(args.config_path, options);
  // Webhook templates are checked by the module that owns the template language.
  if (parsed) {
    if (auto issues = notify::CheckTemplates(*parsed); !issues.empty()) {
      parsed = std::unexpected(std::move(issues));
    }
  }
  if (args.format == "json") {
    nlohmann::json doc = {{"ok", parsed.has_value()},
                          {"file", args.config_path},
                          {"errors", nlohmann::json::array()}};
    if (parsed) {
      doc["summary"] = {{"projects", parsed->auth.projects.size()},
                        {"kpis", parsed->kpis.size()},
                        {"goals", parsed->goals.size()},
                        {"schedules", parsed->schedules.size()},
                        {"storage", parsed->storage.backend},
                        {"listen_host", parsed->server.listen_host},
                        {"listen_port", parsed->server.listen_port}};
      doc["summary"]["notifiers"] = parsed->notifiers.size();
      doc["summary"]["escalations"] = parsed->escalations.size();
    } else {
      for (const auto& issue : parsed.error()) {
        doc["errors"].push_back(
            {{"line", issue.line}, {"column", issue.column}, {"message", issue.message}});
      }
    }
    out << doc.dump(2) << "\n";
    return parsed ? 0 : 2;
  }
  if (!parsed) {
    err << config::FormatIssues(args.config_path, parsed.error()) << "\n";
    const size_t n = parsed.error().size();
    err << "yardstick check: " << n << (n == 1 ? " problem" : " problems") << " in "
        << args.config_path << "\n";
    return 2;
  }
  out << "ok: " << args.config_path << "\n" << Summary(*parsed) << "\n";
  return 0;
}

void AddCheckCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Validate a yardstick.yaml and report every problem with its line and column");
  cmd->add_option("config", args->config_path, "The configuration file (yardstick.yaml)")
      ->required();
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([args, exit_code] {
    *exit_code = RunCheck(*args, kpi::BuiltinNames(), std::cout, std::cerr);
  });
}

}  // namespace yardstick::cli

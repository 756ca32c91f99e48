#pragma once
// `yardstick check <config.yaml> [--format text|json]`: validates a configuration file without
// starting anything, reporting every problem at once.
//
// Exit codes: 0 when the file is valid, 2 when it is not (or cannot be read); 1 is not used.
// Text output: "ok: <file>" and a one-line summary on stdout, or one "<file>:<line>:<col>:
// <message>" line per problem on stderr. JSON output (stdout, either way):
//   {"ok": true,  "file": "...", "errors": [], "summary": {"projects": 2, "kpis": 3, ...}}
//   {"ok": false, "file": "...", "errors": [{"line": 4, "column": 3, "message": "..."}]}
// where line and column are 1-based, and 0 for problems without a place (an unreadable file).
// User-defined KPI names are also checked against the built-in KPI catalog.

#include <CLI/App.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace yardstick::cli {

struct CheckArgs {
  std::string config_path;
  std::string format = "text";  // text | json
};

// Registers the `check` subcommand; `exit_code` receives its exit status when it runs.
void AddCheckCommand(CLI::App& app, int* exit_code);

// Runs the check against the given built-in KPI names; writes as described above and returns
// the exit code.
// (name, unit) of every built-in KPI, for checking goal targets.
std::vector<std::pair<std::string, std::string>> BuiltinKpiUnits();

int RunCheck(const CheckArgs& args, const std::vector<std::string>& builtin_kpi_names,
             std::ostream& out, std::ostream& err);

}  // namespace yardstick::cli

// The `yardstick` command: one binary, one subcommand per job.
// Exit codes: 0 success, 1 a gate or test failed (later subcommands), 2 bad usage or bad input.

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/check_command.h"
#include "cli/eval_command.h"
#include "cli/replay_command.h"
#include "cli/score_command.h"
#include "cli/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Yardstick: metrics and KPIs for LLM applications", "yardstick"};
  app.set_version_flag("--version", std::string("yardstick ") + YARDSTICK_VERSION);
  app.require_subcommand(1);

  int exit_code = 0;
  yardstick::cli::AddScoreCommand(app, &exit_code);
  yardstick::cli::AddServeCommand(app, &exit_code);
  yardstick::cli::AddReplayCommand(app, &exit_code);
  yardstick::cli::AddCheckCommand(app, &exit_code);
  yardstick::cli::AddEvalCommand(app, &exit_code);
  yardstick::cli::AddValidateCommand(app, &exit_code);
  yardstick::cli::AddCompareCommand(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "yardstick: error: " << e.what() << "\n";
    std::cerr << "Run 'yardstick --help' (or 'yardstick <command> --help') for usage.\n";
    return 2;
  }
  return exit_code;
}

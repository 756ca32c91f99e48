#pragma once
// `yardstick eval`, `yardstick validate` and `yardstick compare`: offline evaluation suites,
// dataset validation reports, and the comparison of two saved runs (docs/eval.md, docs/cli.md).
//
// Exit codes (all three): 0 success (gate passed, dataset valid, no regression), 1 the gate
// failed (or the dataset has errors, or compare found a significant regression), 2 bad usage or
// bad input (unreadable suite, dataset or run, setup errors).

#include <CLI/App.hpp>

namespace yardstick::cli {

void AddEvalCommand(CLI::App& app, int* exit_code);
void AddValidateCommand(CLI::App& app, int* exit_code);
void AddCompareCommand(CLI::App& app, int* exit_code);

}  // namespace yardstick::cli

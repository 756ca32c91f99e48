#pragma once
// `yardstick serve [--config yardstick.yaml] [--listen host:port] [--data-dir DIR]`: runs the
// server until SIGTERM or SIGINT (graceful: stop accepting, finish requests in flight, flush the
// store, exit 0). The admin key comes from the environment variable named by
// auth.admin_key_env (YARDSTICK_ADMIN_KEY by default) or is generated and printed once.

#include <CLI/App.hpp>

namespace yardstick::cli {

void AddServeCommand(CLI::App& app, int* exit_code);

}  // namespace yardstick::cli

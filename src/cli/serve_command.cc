#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <thread>

#include "alerts/alerts.h"
#include "cli/check_command.h"
#include "config/config.h"
#include "kpi/kpi.h"
#include "server/server.h"

namespace yardstick::cli {
namespace {

struct ServeArgs {
  std::string config_path;
  std::string listen;
  std::string data_dir;
};

// Loads the configuration file (or the defaults) and applies the command line's overrides.
Result<config::Config> LoadServeConfig(const ServeArgs& args) {
  config::LoadOptions options;
  options.builtin_kpi_names = kpi::BuiltinNames();
  options.builtin_kpi_units = BuiltinKpiUnits();
  options.check_template = alerts::TemplateProblem;
  Result<config::Config> loaded = args.config_path.empty()
                                      ? Result<config::Config>(config::Defaults())
                                      : config::LoadFile(args.config_path, options);
  if (!loaded) return loaded;
  config::Config cfg = std::move(*loaded);
  if (!args.listen.empty()) {
    const auto colon = args.listen.rfind(':');
    int port = -1;
    try {
      if (colon != std::string::npos) port = std::stoi(args.listen.substr(colon + 1));
    } catch (const std::exception&) {
    }
    if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--listen expects host:port, got '" + args.listen + "'");
    }
    cfg.server.listen_host = args.listen.substr(0, colon);
    cfg.server.listen_port = port;
  }
  if (!args.data_dir.empty()) cfg.server.data_dir = args.data_dir;
  return cfg;
}

int RunServe(const ServeArgs& args) {
  Result<config::Config> loaded = LoadServeConfig(args);
  if (!loaded) {
    std::cerr << "yardstick serve: invalid configuration:\n" << loaded.error().message() << "\n";
    return 2;
  }
  const config::Config& cfg = *loaded;

  // Block the shutdown and reload signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  server::Logger logger(cfg.server.log_format != "text",
                        server::Logger::ParseLevel(cfg.server.log_level));
  std::optional<std::string> admin_key;
  if (const char* k = std::getenv(cfg.auth.admin_key_env.c_str()); k != nullptr && *k != '\0') {
    admin_key = k;
  }
  server::ConfigLoader loader;
  if (!args.config_path.empty()) loader = [args] { return LoadServeConfig(args); };
  auto srv = server::Server::Create(cfg, admin_key, &logger, std::move(loader));
  if (!srv) {
    logger.Error("cannot start", {{"error", srv.error().message()}});
    return srv.error().code() == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  auto port = (*srv)->Bind();
  if (!port) {
    logger.Error("cannot start", {{"error", port.error().message()}});
    return 1;
  }
  if (const auto& key = (*srv)->generated_admin_key()) {
    std::cout << "Generated admin key (shown once; store it, or set " << cfg.auth.admin_key_env
              << " instead):\n  " << *key << "\n"
              << std::flush;
  }
  server::Server* server = srv->get();
  std::atomic<bool> done{false};
  std::thread watcher([&signals, &done, server] {
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (done) return;
      if (sig == SIGHUP) {
        (void)server->Reload();  // logs the outcome; an invalid file changes nothing
        continue;
      }
      server->Stop();
      return;
    }
  });
  server->Run();
  // Run() returned: either a signal arrived (the watcher is done) or the server stopped by
  // itself; wake the watcher in the second case.
  done = true;
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the server: ingest (native and OTLP/HTTP), KPIs, drill-down, /metrics");
  cmd->add_option("--config,-c", args->config_path, "yardstick.yaml (default: built-in defaults)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--listen", args->listen,
                  "host:port to listen on, overriding server.listen (port 0: any free port)");
  cmd->add_option("--data-dir", args->data_dir, "data directory, overriding server.data_dir");
  cmd->callback([args, exit_code] { *exit_code = RunServe(*args); });
}

}  // namespace yardstick::cli

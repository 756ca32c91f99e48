#pragma once
// Starts the real `yardstick serve` binary on a loopback port with a temporary data directory,
// for integration tests; stops it by pid (SIGTERM, or SIGKILL to test durability).

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace yardstick::testing {

class ServerProcess {
 public:
  struct Options {
    std::string binary;                      // path to `yardstick`
    std::string data_dir;                    // created when missing
    std::string config_path;                 // optional yardstick.yaml
    std::map<std::string, std::string> env;  // extra environment (e.g. YARDSTICK_ADMIN_KEY)
    std::vector<std::string> extra_args;
  };

  explicit ServerProcess(Options options) : options_(std::move(options)) {}
  ~ServerProcess();

  // Starts the server and waits until /readyz answers 200 (or fails after a timeout). Returns
  // an empty string on success, else a description including the server's stderr.
  std::string Start();
  // SIGTERM and wait; returns the exit status (as from waitpid's WEXITSTATUS), -1 if killed.
  int Stop();
  // SIGKILL and wait.
  void Kill();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string stderr_text() const;
  std::string stdout_text() const;

 private:
  Options options_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string stderr_path_;
  std::string stdout_path_;
};

// Creates a fresh temporary directory and returns its path.
std::string MakeTempDir(const std::string& prefix);

}  // namespace yardstick::testing

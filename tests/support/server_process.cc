#include "support/server_process.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace yardstick::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string MakeTempDir(const std::string& prefix) {
  std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) return "";
  return templ;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
}

std::string ServerProcess::stderr_text() const { return ReadFile(stderr_path_); }
std::string ServerProcess::stdout_text() const { return ReadFile(stdout_path_); }

std::string ServerProcess::Start() {
  std::filesystem::create_directories(options_.data_dir);
  stderr_path_ = options_.data_dir + "/../" +
                 std::filesystem::path(options_.data_dir).filename().string() + ".stderr";
  stdout_path_ = options_.data_dir + "/../" +
                 std::filesystem::path(options_.data_dir).filename().string() + ".stdout";
  std::vector<std::string> args = {options_.binary, "serve",      "--listen",
                                   "127.0.0.1:0",   "--data-dir", options_.data_dir};
  if (!options_.config_path.empty()) {
    args.push_back("--config");
    args.push_back(options_.config_path);
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  // Empty the logs before the child starts, so no line of an earlier run is read as this one's.
  std::ofstream(stderr_path_, std::ios::trunc).close();
  std::ofstream(stdout_path_, std::ios::trunc).close();
  const pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int out = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(err, 2);
    ::dup2(out, 1);
    for (const auto& [k, v] : options_.env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  // The server logs a line with "msg":"listening" and "address":"127.0.0.1:PORT" once bound.
  const std::regex address("\"address\":\"127\\.0\\.0\\.1:([0-9]+)\"");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "the server exited during start-up:\n" + stderr_text();
    }
    if (port_ == 0) {
      std::istringstream lines(stderr_text());
      std::string line;
      std::smatch m;
      while (std::getline(lines, line)) {
        if (line.find("\"listening\"") != std::string::npos &&
            std::regex_search(line, m, address)) {
          port_ = std::stoi(m[1]);
        }
      }
    }
    if (port_ != 0) {
      httplib::Client cli("127.0.0.1", port_);
      cli.set_connection_timeout(1, 0);
      if (auto res = cli.Get("/readyz"); res && res->status == 200) return "";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "the server did not become ready:\n" + stderr_text();
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
}

}  // namespace yardstick::testing

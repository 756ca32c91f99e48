#include "support/clickhouse_process.h"

#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace yardstick::testing {
namespace {

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string FindServer() {
  for (const char* p : {"/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
}

}  // namespace

std::string ClickHouseQuery(const std::string& url, const std::string& sql, std::string* error) {
  httplib::Client cli(url);
  cli.set_connection_timeout(2, 0);
  cli.set_read_timeout(120, 0);
  auto res = cli.Post("/", sql, "text/plain");
  if (!res) {
    if (error) *error = "no answer from " + url + ": " + httplib::to_string(res.error());
    return "";
  }
  if (res->status != 200) {
    if (error) *error = "HTTP " + std::to_string(res->status) + ": " + res->body;
    return "";
  }
  if (error) error->clear();
  return res->body;
}

ClickHouseCluster::~ClickHouseCluster() {
  Stop();
  if (!root_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
}

std::string ClickHouseCluster::WriteConfig(const Node& node) const {
  std::string shards;
  for (const auto& n : nodes_) {
    shards += "<shard><replica><host>127.0.0.1</host><port>" + std::to_string(n.tcp_port) +
              "</port></replica></shard>";
  }
  const std::string& d = node.dir;
  std::ofstream users(d + "/users.xml");
  users << "<yandex><profiles><default></default></profiles><users><default><password></password>"
           "<networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile>"
           "<quota>default</quota></default></users><quotas><default></default></quotas>"
           "</yandex>\n";
  std::ofstream config(d + "/config.xml");
  config << "<yandex>\n<logger><level>warning</level><log>" << d << "/log/server.log</log>"
         << "<errorlog>" << d << "/log/error.log</errorlog><console>0</console></logger>\n"
         << "<http_port>" << node.http_port << "</http_port><tcp_port>" << node.tcp_port
         << "</tcp_port>\n<listen_host>127.0.0.1</listen_host>\n"
         << "<path>" << d << "/data/</path><tmp_path>" << d << "/tmp/</tmp_path>"
         << "<user_files_path>" << d << "/user_files/</user_files_path>"
         << "<format_schema_path>" << d << "/format_schemas/</format_schema_path>\n"
         << "<users_config>" << d << "/users.xml</users_config>"
         << "<default_profile>default</default_profile><default_database>default"
         << "</default_database>\n<mark_cache_size>268435456</mark_cache_size>\n"
         << "<remote_servers><" << kClusterName << ">" << shards << "</" << kClusterName
         << "></remote_servers>\n</yandex>\n";
  if (!users || !config) return "cannot write the configuration under " + d;
  return "";
}

std::string ClickHouseCluster::Start(int nodes) {
  if (FindServer().empty()) {
    return "clickhouse-server is not installed (scripts/install-deps installs it)";
  }
  char tmpl[] = "/tmp/yardstick-clickhouse-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return "cannot create a temporary directory";
  root_ = tmpl;
  for (int i = 0; i < nodes; ++i) {
    Node n;
    n.dir = root_ + "/node" + std::to_string(i);
    for (const char* sub : {"data", "tmp", "log", "user_files", "format_schemas"}) {
      std::filesystem::create_directories(n.dir + "/" + sub);
    }
    n.http_port = FreePort();
    n.tcp_port = FreePort();
    while (n.tcp_port == n.http_port) n.tcp_port = FreePort();
    nodes_.push_back(n);
  }
  for (const auto& n : nodes_) {
    if (auto e = WriteConfig(n); !e.empty()) return e;
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (auto e = StartNode(i); !e.empty()) return e;
  }
  return "";
}

std::string ClickHouseCluster::StartNode(size_t i) {
  Node& n = nodes_[i];
  const std::string server = FindServer();
  const std::string config = "--config-file=" + n.dir + "/config.xml";
  const std::string out = n.dir + "/log/stdout.log";
  const pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    // The server goes when the test process goes, even if it dies before its teardown.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(server.c_str(), server.c_str(), config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  n.pid = pid;
  const std::string url = "http://127.0.0.1:" + std::to_string(n.http_port);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ClickHouseQuery(url, "SELECT 1", &error) == "1\n") return "";
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      n.pid = -1;
      return "clickhouse-server exited (status " + std::to_string(status) + "): " + Tail(out) +
             Tail(n.dir + "/log/error.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "clickhouse-server at " + url + " did not answer SELECT 1 within 60 s (" + error +
         "): " + Tail(n.dir + "/log/error.log");
}

void ClickHouseCluster::StopNode(size_t i) {
  Node& n = nodes_[i];
  if (n.pid <= 0) return;
  ::kill(n.pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (::waitpid(n.pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(n.pid, SIGKILL);
      ::waitpid(n.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  n.pid = -1;
}

void ClickHouseCluster::Stop() {
  for (size_t i = 0; i < nodes_.size(); ++i) StopNode(i);
}

std::vector<std::string> ClickHouseCluster::http_urls() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back("http://127.0.0.1:" + std::to_string(n.http_port));
  return out;
}

}  // namespace yardstick::testing

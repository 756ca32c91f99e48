#pragma once
// Real ClickHouse servers for tests: one node, or two shards on loopback that form the cluster
// `yardstick_test` (remote_servers), each with its configuration, data and logs under a
// temporary directory and free loopback ports. Started with `clickhouse-server
// --config-file=...`, ready when `SELECT 1` answers over HTTP, stopped by pid (SIGTERM, then
// wait). A missing clickhouse-server is an error, not a reason to skip.

#include <sys/types.h>

#include <string>
#include <vector>

namespace yardstick::testing {

class ClickHouseCluster {
 public:
  static constexpr const char* kClusterName = "yardstick_test";

  ClickHouseCluster() = default;
  ClickHouseCluster(const ClickHouseCluster&) = delete;
  ClickHouseCluster& operator=(const ClickHouseCluster&) = delete;
  ~ClickHouseCluster();

  // Writes the configuration of `nodes` servers (1 or 2) and starts them all. Returns "" on
  // success, else what went wrong (with the server's log tail).
  std::string Start(int nodes);
  // Stops every node (SIGTERM, wait; SIGKILL after 60 s).
  void Stop();

  // Stops / restarts one node (same ports, configuration and data).
  void StopNode(size_t i);
  std::string StartNode(size_t i);

  size_t size() const { return nodes_.size(); }
  // http://127.0.0.1:<port> of each node.
  std::vector<std::string> http_urls() const;
  // The cluster name for Distributed tables ("" for a single node).
  std::string cluster() const { return nodes_.size() > 1 ? kClusterName : ""; }

 private:
  struct Node {
    std::string dir;
    int http_port = 0;
    int tcp_port = 0;
    pid_t pid = -1;
  };
  std::string WriteConfig(const Node& node) const;
  std::vector<Node> nodes_;
  std::string root_;
};

// Runs a statement over HTTP at `url`; returns the body, or "" and sets *error.
std::string ClickHouseQuery(const std::string& url, const std::string& sql,
                            std::string* error = nullptr);

}  // namespace yardstick::testing

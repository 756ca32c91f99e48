// `yardstick replay` on the command line: usage errors (exit 2), --generate --output, the API
// key from the environment, and exit 1 when a batch fails.

#include "cli/replay_command.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ingest/events.h"

namespace yardstick::cli {
namespace {

// Runs `yardstick replay <args>` in-process the way main() does: parse errors exit 2.
int RunCli(std::vector<std::string> args) {
  CLI::App app{"test", "yardstick"};
  app.require_subcommand(1);
  int exit_code = 0;
  AddReplayCommand(app, &exit_code);
  args.insert(args.begin(), "replay");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? 0 : 2;
  }
  return exit_code;
}

std::filesystem::path TempFile(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("yardstick_replay_" + std::to_string(::getpid()) + "_" + name);
}

class ReplayCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    setenv("YARDSTICK_API_KEY", "cli-key", 1);
  }
  void TearDown() override { unsetenv("YARDSTICK_API_KEY"); }
};

TEST_F(ReplayCommandTest, UsageErrors) {
  EXPECT_EQ(RunCli({}), 2);  // neither a file nor --generate
  EXPECT_EQ(RunCli({"events.ndjson", "--generate", "5"}), 2);
  EXPECT_EQ(RunCli({"events.ndjson", "--output", "x.ndjson"}), 2);
  EXPECT_EQ(RunCli({"-", "--format", "xml"}), 2);
  EXPECT_EQ(RunCli({"-", "--batch", "0"}), 2);
  EXPECT_EQ(RunCli({"-", "--concurrency", "0"}), 2);
  EXPECT_EQ(RunCli({"-", "--rate", "-1"}), 2);
  EXPECT_EQ(RunCli({"-", "--api-key", "secret"}), 2);  // never a flag
  EXPECT_EQ(RunCli({"/nonexistent/events.ndjson"}), 2);
  EXPECT_EQ(RunCli({"-", "--url", "localhost:8080"}), 2);
  unsetenv("YARDSTICK_API_KEY");
  EXPECT_EQ(RunCli({"--generate", "5"}), 2);
}

TEST_F(ReplayCommandTest, GenerateToFile) {
  const auto path = TempFile("gen.ndjson");
  EXPECT_EQ(
      RunCli({"--generate", "250", "--seed", "9", "--span-days", "2", "--output", path.string()}),
      0);
  std::ifstream in(path);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  auto parsed = ingest::ParseEvents(body, {});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->records, 250u);
  EXPECT_EQ(parsed->batch.calls.size(), 250u);
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 250);
}

TEST_F(ReplayCommandTest, SendsAFileAndExitsByOutcome) {
  std::atomic<int> status{200};
  std::string authorization;
  std::mutex mu;
  httplib::Server server;
  server.Post("/v1/events", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mu);
      authorization = req.get_header_value("Authorization");
    }
    auto parsed = ingest::ParseEvents(req.body, {});
    res.status = status;
    res.set_content(nlohmann::json{{"accepted", parsed ? parsed->batch.size() : 0},
                                   {"rejected", parsed ? parsed->rejections.size() : 0},
                                   {"errors", nlohmann::json::array()}}
                        .dump(),
                    "application/json");
  });
  server.set_tcp_nodelay(true);
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::string url = "http://127.0.0.1:" + std::to_string(port);

  const auto path = TempFile("events.ndjson");
  {
    std::ofstream out(path);
    for (int i = 0; i < 30; ++i)
      out << R"({"type":"score","name":"thumbs","value":1})"
          << "\n";
  }
  EXPECT_EQ(RunCli({path.string(), "--url", url, "--batch", "7", "--format", "json"}), 0);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(authorization, "Bearer cli-key");
  }
  EXPECT_EQ(RunCli({"--generate", "20", "--url", url, "--gzip"}), 0);
  status = 400;
  EXPECT_EQ(RunCli({path.string(), "--url", url}), 1);
  std::filesystem::remove(path);
  server.stop();
  thread.join();
}

}  // namespace
}  // namespace yardstick::cli

// `yardstick check`: output and exit codes for a valid file, an invalid one and a missing one,
// in text and JSON.
#include "cli/check_command.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>  // CLI11 is header-only: one translation unit needs its definitions
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "kpi/kpi.h"

namespace yardstick::cli {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("yardstick_check_" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

struct CheckRun {
  int code;
  std::string out;
  std::string err;
};

CheckRun Check(const std::string& path, const std::string& format,
               const std::vector<std::string>& builtin = kpi::BuiltinNames()) {
  std::ostringstream out, err;
  const int code = RunCheck(CheckArgs{path, format}, builtin, out, err);
  return CheckRun{code, out.str(), err.str()};
}

TEST(CheckCommand, ExampleIsOk) {
  const std::string path = std::string(YARDSTICK_EXAMPLES_DIR) + "/yardstick.yaml";
  const CheckRun text = Check(path, "text");
  EXPECT_EQ(text.code, 0);
  EXPECT_EQ(text.err, "");
  EXPECT_EQ(text.out, "ok: " + path +
                          "\n2 projects (support-bot, search), 6 KPIs (answer_accept_rate, "
                          "checkout_latency_p95, judge_faithfulness, finetune_cost, refunds, "
                          "tool_errors_per_second), 4 goals (support_csat, support_latency, "
                          "answers_accepted, helpful_answers), 2 schedules (weekly_support, "
                          "business_hours), storage sqlite, listen 127.0.0.1:8080\n");

  const CheckRun json = Check(path, "json");
  EXPECT_EQ(json.code, 0);
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["file"], path);
  EXPECT_TRUE(doc["errors"].empty());
  EXPECT_EQ(doc["summary"]["projects"], 2);
  EXPECT_EQ(doc["summary"]["kpis"], 6);
  EXPECT_EQ(doc["summary"]["goals"], 4);
  EXPECT_EQ(doc["summary"]["schedules"], 2);
  EXPECT_EQ(doc["summary"]["notifiers"], 3);
  EXPECT_EQ(doc["summary"]["escalations"], 6);
}

TEST(CheckCommand, InvalidFileExitsTwoWithEveryError) {
  const std::string path = WriteTemp("invalid.yaml",
                                     "server:\n  threads: 0\nkpis:\n"
                                     "  - {name: error_rate, type: count, source: calls}\n");
  const CheckRun text = Check(path, "text");
  EXPECT_EQ(text.code, 2);
  EXPECT_EQ(text.out, "");
  EXPECT_EQ(text.err, path + ":2:12: server.threads: expected an integer from 1 to 256, got 0\n" +
                          path +
                          ":4:12: kpis[0].name: \"error_rate\" is the name of a built-in KPI; "
                          "choose another name\n"
                          "yardstick check: 2 problems in " +
                          path + "\n");

  const CheckRun json = Check(path, "json");
  EXPECT_EQ(json.code, 2);
  EXPECT_EQ(json.err, "");
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["file"], path);
  ASSERT_EQ(doc["errors"].size(), 2u);
  EXPECT_EQ(doc["errors"][0]["line"], 2);
  EXPECT_EQ(doc["errors"][0]["column"], 12);
  EXPECT_EQ(doc["errors"][0]["message"],
            "server.threads: expected an integer from 1 to 256, got 0");
  EXPECT_EQ(doc["errors"][1]["line"], 4);
  EXPECT_EQ(doc["errors"][1]["column"], 12);
  EXPECT_FALSE(doc.contains("summary"));
  std::filesystem::remove(path);
}

TEST(CheckCommand, MissingFileExitsTwo) {
  const std::string path = "/nonexistent/yardstick.yaml";
  const CheckRun text = Check(path, "text");
  EXPECT_EQ(text.code, 2);
  EXPECT_EQ(text.err,
            path + ": cannot open: No such file or directory\nyardstick check: 1 problem in " +
                path + "\n");
  const CheckRun json = Check(path, "json");
  EXPECT_EQ(json.code, 2);
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["errors"][0]["line"], 0);
  EXPECT_EQ(doc["errors"][0]["message"], "cannot open: No such file or directory");
}

TEST(CheckCommand, RegistersASubcommand) {
  CLI::App app{"test"};
  int exit_code = -1;
  AddCheckCommand(app, &exit_code);
  const std::string path = WriteTemp("empty.yaml", "");
  std::vector<std::string> argv = {"yardstick", "check", path, "--format", "json"};
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  testing::internal::CaptureStdout();
  app.parse(static_cast<int>(raw.size()), raw.data());
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(out)["ok"], true);

  CLI::App bad{"test"};
  AddCheckCommand(bad, &exit_code);
  std::vector<std::string> argv2 = {"yardstick", "check", path, "--format", "xml"};
  std::vector<char*> raw2;
  for (auto& a : argv2) raw2.push_back(a.data());
  EXPECT_THROW(bad.parse(static_cast<int>(raw2.size()), raw2.data()), CLI::ValidationError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace yardstick::cli

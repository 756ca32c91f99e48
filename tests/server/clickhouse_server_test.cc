// `yardstick serve` with `storage.backend: clickhouse` against real ClickHouse servers (one node,
// and two shards behind Distributed tables): the same events sent to a SQLite-backed server give
// the same answer for every KPI of the catalog; and ClickHouse stopped during sustained ingest
// loses or duplicates nothing that was acknowledged.

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "support/clickhouse_process.h"
#include "support/server_process.h"

namespace yardstick::testing {
namespace {

using nlohmann::json;

constexpr const char* kAdminKey = "test-admin-key-0123456789abcdef";

std::string Iso(int64_t unix_seconds, int millis) {
  const std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, millis);
  return out;
}

// Shared by the tests of this binary: started once, stopped by pid at the end.
ClickHouseCluster* Cluster(int nodes) {
  static std::unique_ptr<ClickHouseCluster> clusters[2];
  static std::string errors[2];
  auto& c = clusters[nodes - 1];
  if (!c && errors[nodes - 1].empty()) {
    auto started = std::make_unique<ClickHouseCluster>();
    errors[nodes - 1] = started->Start(nodes);
    if (errors[nodes - 1].empty()) c = std::move(started);
  }
  if (!c) ADD_FAILURE() << "cannot start ClickHouse: " << errors[nodes - 1];
  return c.get();
}

struct Yardstick {
  std::string root;
  std::unique_ptr<ServerProcess> server;
  std::string key;

  // Starts a server; `clickhouse` null: SQLite.
  std::string Start(ClickHouseCluster* clickhouse, const std::string& database) {
    root = MakeTempDir("yardstick-ch-server-test");
    ServerProcess::Options o;
    o.binary = YARDSTICK_BINARY;
    o.data_dir = root + "/data";
    o.env = {{"YARDSTICK_ADMIN_KEY", kAdminKey}};
    if (clickhouse != nullptr) {
      std::ofstream yaml(root + "/yardstick.yaml");
      yaml << "server:\n  data_dir: " << o.data_dir
           << "\nstorage:\n  backend: clickhouse\n  clickhouse:\n    database: " << database
           << "\n    endpoints:\n";
      for (const auto& url : clickhouse->http_urls()) yaml << "      - " << url << "\n";
      if (!clickhouse->cluster().empty()) yaml << "    cluster: " << clickhouse->cluster() << "\n";
      o.config_path = root + "/yardstick.yaml";
    }
    server = std::make_unique<ServerProcess>(o);
    return server->Start();
  }
  ~Yardstick() {
    if (server) server->Stop();
    std::error_code ec;
    if (!root.empty()) std::filesystem::remove_all(root, ec);
  }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(60, 0);
    return c;
  }
  void CreateProject(const std::string& name) {
    auto res =
        Client().Post("/v1/projects", {{"Authorization", std::string("Bearer ") + kAdminKey}},
                      json{{"name", name}}.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 201) << res->body;
    key = json::parse(res->body)["key"];
  }
  httplib::Result Send(const std::string& body) const {
    return Client().Post("/v1/events", {{"Authorization", "Bearer " + key}}, body,
                         "application/json");
  }
  std::pair<int, json> Get(const std::string& path) const {
    auto res = Client().Get(path.c_str(), {{"Authorization", "Bearer " + key}});
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
};

// Every number equal to a relative 1e-9 (sums may add in another order), everything else equal.
void ExpectSameJson(const json& a, const json& b, const std::string& path) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    EXPECT_NEAR(x, y, 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)})) << path;
    return;
  }
  ASSERT_EQ(a.type(), b.type()) << path << ": " << a.dump() << " vs " << b.dump();
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << path << "." << it.key();
      ExpectSameJson(*it, b[it.key()], path + "." + it.key());
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (size_t i = 0; i < a.size(); ++i) {
      ExpectSameJson(a[i], b[i], path + "[" + std::to_string(i) + "]");
    }
  } else {
    EXPECT_EQ(a, b) << path;
  }
}

// Records with equal times are listed in insertion order by SQLite and in id order by
// ClickHouse: compare listings as sets, ordered by id.
json SortedById(json j) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) v = SortedById(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = SortedById(v);
    if (!j.empty() && j[0].is_object() && j[0].contains("id")) {
      std::sort(j.begin(), j.end(), [](const json& a, const json& b) { return a["id"] < b["id"]; });
    }
  }
  return j;
}

// Calls, scores and outcomes of 40 conversations in the hour two hours ago.
std::vector<json> MakeEvents(int64_t hour) {
  std::mt19937_64 rng(17);
  std::vector<json> batches;
  static const char* kModels[] = {"gpt-4o", "gpt-4o-mini", "claude-sonnet"};
  for (int b = 0; b < 4; ++b) {
    json batch = json::array();
    for (int i = b * 150; i < (b + 1) * 150; ++i) {
      const std::string conv = "conv-" + std::to_string(i / 15);
      json call = {{"type", "call"},
                   {"id", "call-" + std::to_string(i)},
                   {"conversation_id", conv},
                   {"session_id", "sess-" + std::to_string(i / 30)},
                   {"user_id", "user-" + std::to_string(i % 13)},
                   {"start_time",
                    Iso(hour + static_cast<int64_t>(rng() % 3500), static_cast<int>(rng() % 1000))},
                   {"duration_ms", 20 + static_cast<int>(rng() % 5000)},
                   {"model", kModels[rng() % 3]},
                   {"route", i % 3 ? "chat" : "search"},
                   {"input_tokens", static_cast<int>(rng() % 900)},
                   {"output_tokens", static_cast<int>(rng() % 300)},
                   {"status", rng() % 12 == 0 ? "error" : "ok"}};
      if (i % 4 == 0) call["ttft_ms"] = call["duration_ms"].get<int>() / 3;
      batch.push_back(call);
      if (i % 5 == 0) {
        batch.push_back({{"type", "score"},
                         {"id", "thumbs-" + std::to_string(i)},
                         {"name", "thumbs"},
                         {"value", rng() % 3 != 0},
                         {"call_id", "call-" + std::to_string(i)},
                         {"source", "user"},
                         {"time", Iso(hour + 3550, 0)}});
      }
      if (i % 15 == 14) {
        const int k = i / 15;
        batch.push_back({{"type", "score"},
                         {"id", "csat-" + std::to_string(k)},
                         {"name", "csat"},
                         {"value", 1 + k % 5},
                         {"conversation_id", conv},
                         {"source", "survey"},
                         {"time", Iso(hour + 3560, 0)}});
        const char* outcome = k % 3 == 0 ? "escalated" : "resolved";
        batch.push_back({{"type", "outcome"},
                         {"id", "out-" + std::to_string(k)},
                         {"name", outcome},
                         {"conversation_id", conv},
                         {"time", Iso(hour + 3570, 0)}});
      }
    }
    batches.push_back(batch);
  }
  return batches;
}

class ClickHouseServerTest : public ::testing::TestWithParam<int> {};

TEST_P(ClickHouseServerTest, EveryKpiMatchesTheSqliteBackend) {
  ClickHouseCluster* ch = Cluster(GetParam());
  ASSERT_NE(ch, nullptr);
  Yardstick sqlite, clickhouse;
  ASSERT_EQ(sqlite.Start(nullptr, ""), "");
  ASSERT_EQ(clickhouse.Start(ch, "ys_server_kpis_" + std::to_string(GetParam())), "")
      << clickhouse.server->stderr_text();
  ASSERT_NO_FATAL_FAILURE(sqlite.CreateProject("shop"));
  ASSERT_NO_FATAL_FAILURE(clickhouse.CreateProject("shop"));
  const int64_t hour = (std::time(nullptr) / 3600 - 2) * 3600;
  for (const auto& batch : MakeEvents(hour)) {
    for (Yardstick* y : {&sqlite, &clickhouse}) {
      auto res = y->Send(batch.dump());
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      EXPECT_EQ(json::parse(res->body)["rejected"], 0) << res->body;
    }
  }
  const std::string range = "from=" + std::to_string(hour) + "&to=" + std::to_string(hour + 3600);
  auto [status, catalog] = sqlite.Get("/v1/kpis");
  ASSERT_EQ(status, 200);
  int compared = 0;
  for (const auto& info : catalog["kpis"]) {
    const std::string name = info["name"];
    for (const std::string& params : {range, range + "&group_by=model", range + "&step=10m"}) {
      const std::string path = "/v1/kpis/" + name + "?" + params;
      auto [s1, a] = sqlite.Get(path);
      auto [s2, b] = clickhouse.Get(path);
      ASSERT_EQ(s1, s2) << path << ": " << a.dump() << " vs " << b.dump();
      if (s1 != 200) continue;
      ++compared;
      ExpectSameJson(a["series"], b["series"], path);
    }
  }
  EXPECT_GE(compared, 60);
  // Raw listings and the conversation drill-down agree too.
  for (const std::string& path :
       {std::string("/v1/conversations/conv-3"), std::string("/v1/calls?limit=1000&") + range,
        std::string("/v1/scores?name=csat&") + range}) {
    auto [s1, a] = sqlite.Get(path);
    auto [s2, b] = clickhouse.Get(path);
    ASSERT_EQ(s1, 200) << path;
    ASSERT_EQ(s2, 200) << path << ": " << b.dump();
    ExpectSameJson(SortedById(a), SortedById(b), path);
  }
}

INSTANTIATE_TEST_SUITE_P(Nodes, ClickHouseServerTest, ::testing::Values(1, 2),
                         [](const auto& param_info) {
                           return param_info.param == 1 ? std::string("SingleNode")
                                                        : std::string("TwoShards");
                         });

// ClickHouse stops during sustained ingest and comes back: every acknowledged call is stored
// exactly once (senders retry a batch until it is acknowledged, as clients do).
TEST(ClickHouseServerFault, AcknowledgedCallsAreStoredExactlyOnceAcrossAnOutage) {
  ClickHouseCluster* ch = Cluster(1);
  ASSERT_NE(ch, nullptr);
  Yardstick y;
  const std::string database = "ys_server_fault";
  ASSERT_EQ(y.Start(ch, database), "");
  ASSERT_NO_FATAL_FAILURE(y.CreateProject("shop"));
  const int64_t hour = (std::time(nullptr) / 3600 - 2) * 3600;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked{0};
  std::atomic<int> next{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      while (!stop) {
        const int first = next.fetch_add(100);
        json batch = json::array();
        for (int i = first; i < first + 100; ++i) {
          batch.push_back({{"type", "call"},
                           {"id", "f-" + std::to_string(i)},
                           {"start_time", Iso(hour + i % 3600, i % 1000)},
                           {"duration_ms", 100 + i % 900},
                           {"model", "gpt-4o"}});
        }
        const std::string body = batch.dump();
        for (int attempt = 0; attempt < 1000; ++attempt) {
          auto res = y.Send(body);
          if (res && res->status == 200) {
            acked += 100;
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  auto wait_for = [&](int64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (acked < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return acked >= n;
  };
  ASSERT_TRUE(wait_for(3000));
  ch->StopNode(0);
  EXPECT_TRUE(wait_for(acked + 3000));  // acknowledged while ClickHouse is down
  ASSERT_EQ(ch->StartNode(0), "");
  EXPECT_TRUE(wait_for(acked + 3000));
  stop = true;
  for (auto& s : senders) s.join();
  const int64_t want = acked;
  // Wait until the spool is replayed (raw rows first, then their rollups); then the table and
  // the KPI hold each acknowledged call once.
  const std::string url = ch->http_urls()[0];
  const std::string range = "from=" + std::to_string(hour) + "&to=" + std::to_string(hour + 3600);
  const std::string expected = std::to_string(want) + "\t" + std::to_string(want) + "\n";
  std::string counts;
  int64_t kpi = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    counts = ClickHouseQuery(url, "SELECT count(), uniqExact(id) FROM " + database + ".calls");
    auto [status, calls] = y.Get("/v1/kpis/calls?" + range);
    if (status == 200 && !calls["series"].empty()) {
      kpi = calls["series"][0]["points"][0]["value"].get<int64_t>();
    }
    if (counts == expected && kpi == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(counts, expected);
  EXPECT_EQ(kpi, want);
  EXPECT_EQ(y.server->Stop(), 0);
}

}  // namespace
}  // namespace yardstick::testing

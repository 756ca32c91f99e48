// Runs the store conformance suite against real ClickHouse servers (one node, and two shards
// behind Distributed tables), plus the ClickHouse backend's own checks: the spool under an
// outage, versioned migrations. The servers are started once for the whole binary and stopped
// by pid at the end.

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "store/conformance.h"
#include "support/clickhouse_process.h"

namespace yardstick::store::testing {
namespace {

using yardstick::testing::ClickHouseCluster;

std::filesystem::path SpoolRoot();

// The servers, started on first use and stopped when the test binary ends.
class Servers : public ::testing::Environment {
 public:
  static Servers& Get() {
    static Servers* s = [] {
      auto* env = new Servers;
      ::testing::AddGlobalTestEnvironment(env);  // gtest owns it and calls TearDown
      return env;
    }();
    return *s;
  }
  // Returns the cluster of `nodes` nodes, or nullptr after reporting why it could not start.
  ClickHouseCluster* Cluster(int nodes) {
    auto& slot = nodes == 1 ? single_ : sharded_;
    auto& error = nodes == 1 ? single_error_ : sharded_error_;
    if (!slot && error.empty()) {
      auto c = std::make_unique<ClickHouseCluster>();
      error = c->Start(nodes);
      if (error.empty()) slot = std::move(c);
    }
    if (!slot) ADD_FAILURE() << "cannot start ClickHouse: " << error;
    return slot.get();
  }
  void TearDown() override {
    single_.reset();
    sharded_.reset();
    std::error_code ec;
    std::filesystem::remove_all(SpoolRoot(), ec);
  }

 private:
  std::unique_ptr<ClickHouseCluster> single_, sharded_;
  std::string single_error_, sharded_error_;
};

// Spool directories of this test binary, removed with the servers.
std::filesystem::path SpoolRoot() {
  static const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("yardstick-ch-test-" + std::to_string(::getpid()));
  return root;
}

// Registered before main() runs, so that TearDown stops the servers.
[[maybe_unused]] const bool kRegistered = (Servers::Get(), true);

ClickHouseOptions Options(ClickHouseCluster* c, const std::string& database,
                          const std::string& spool) {
  ClickHouseOptions o;
  o.endpoints = c->http_urls();
  o.cluster = c->cluster();
  o.database = database;
  o.spool_dir = spool;
  return o;
}

StoreFactory MakeClickHouseFactory(int nodes) {
  struct State {
    std::string database, spool;
  };
  // One counter for every factory and copy: each reset names a database never used before.
  static std::atomic<int> counter{0};
  auto state = std::make_shared<State>();
  StoreFactory f;
  f.name = nodes == 1 ? "clickhouse" : "clickhouse_2_shards";
  f.reset = [state, nodes] {
    state->database = "ys_test_" + std::to_string(nodes) + "_" + std::to_string(counter++);
    state->spool =
        SpoolRoot() / ("yardstick-ch-spool-" + std::to_string(::getpid()) + "-" + state->database);
    std::filesystem::remove_all(state->spool);
  };
  f.open = [state, nodes]() -> std::unique_ptr<Store> {
    ClickHouseCluster* c = Servers::Get().Cluster(nodes);
    if (c == nullptr) return nullptr;
    auto s = OpenClickHouseStore(Options(c, state->database, state->spool));
    if (!s) {
      ADD_FAILURE() << s.error().message();
      return nullptr;
    }
    return std::move(*s);
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(ClickHouse, StoreConformance,
                         ::testing::Values(MakeClickHouseFactory(1), MakeClickHouseFactory(2)),
                         [](const auto& param_info) { return param_info.param.name; });

model::Call SimpleCall(int i, int64_t t0) {
  model::Call c;
  c.project = "p1";
  c.id = "c" + std::to_string(i);
  c.conversation_id = "conv" + std::to_string(i / 3);
  c.start_ns = t0 + static_cast<int64_t>(i) * 1'000'000;
  c.end_ns = c.start_ns + 200'000'000 + static_cast<int64_t>(i % 97) * 3'000'000;
  c.request_model = i % 2 ? "a" : "b";
  c.status = model::CallStatus::kOk;
  return c;
}

// Appends run on while the server is stopped and restarted: every acknowledged call is stored
// exactly once, in the raw table and in the rollups.
TEST(ClickHouseStore, SpoolsDuringAnOutageAndReplaysExactlyOnce) {
  ClickHouseCluster* c = Servers::Get().Cluster(1);
  ASSERT_NE(c, nullptr);
  const std::string spool = SpoolRoot() / ("yardstick-ch-outage-" + std::to_string(::getpid()));
  std::filesystem::remove_all(spool);
  auto opened = OpenClickHouseStore(Options(c, "ys_outage", spool));
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  std::unique_ptr<Store> store = std::move(*opened);
  constexpr int64_t kT0 = 1'764'115'200'000'000'000;
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> acked{0}, failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      while (!stop) {
        const int first = next.fetch_add(50);
        model::Batch b;
        for (int i = first; i < first + 50; ++i) b.calls.push_back(SimpleCall(i, kT0));
        // Every other batch is sent twice, as a client retrying after a lost answer would.
        auto r = store->Append(b);
        if (r) {
          acked += r->stored;
        } else {
          ++failed;
        }
        if (first % 100 == 0) (void)store->Append(b);
      }
    });
  }
  auto wait_for_acks = [&](uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (acked < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  wait_for_acks(2000);
  c->StopNode(0);
  const uint64_t before_outage = acked;
  wait_for_acks(before_outage + 2000);  // acknowledged from the spool
  EXPECT_GE(acked.load(), before_outage + 2000);
  ASSERT_EQ(c->StartNode(0), "");
  wait_for_acks(acked + 2000);
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_EQ(failed.load(), 0u);
  const uint64_t sent = static_cast<uint64_t>(next.load());
  // Wait (generously) until the spool has been replayed: raw rows, then their rollups.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  RecordCounts counts;
  RollupQuery q{"p1", kT0, kT0 + kNanosPerDay, 0, {}, {}, "", ""};
  uint64_t rolled = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = store->CountRecords("p1");
    if (r) counts = *r;
    auto cells = store->QueryCallRollups(q);
    if (cells && cells->size() == 1) rolled = (*cells)[0].aggregate.calls;
    if (counts.calls >= sent && rolled >= sent) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(counts.calls, sent);
  EXPECT_EQ(rolled, sent);
  // Ids are unique and the rollups count each call once.
  RecordQuery all;
  all.project = "p1";
  all.limit = 10'000;
  std::set<std::string> ids;
  for (;;) {
    auto page = store->ListCalls(all);
    ASSERT_TRUE(page.has_value()) << page.error().message();
    for (const auto& call : page->records) ids.insert(call.id);
    if (page->next.empty()) break;
    all.after = page->next;
  }
  EXPECT_EQ(ids.size(), sent);
  auto cells = store->QueryCallRollups(q);
  ASSERT_TRUE(cells.has_value()) << cells.error().message();
  ASSERT_EQ(cells->size(), 1u);
  EXPECT_EQ((*cells)[0].aggregate.calls, sent);
  store->Close();
  EXPECT_TRUE(std::filesystem::is_empty(spool));
}

TEST(ClickHouseStore, RefusesASchemaNewerThanItsOwn) {
  ClickHouseCluster* c = Servers::Get().Cluster(1);
  ASSERT_NE(c, nullptr);
  const std::string url = c->http_urls()[0];
  std::string error;
  yardstick::testing::ClickHouseQuery(url, "CREATE DATABASE IF NOT EXISTS ys_future", &error);
  ASSERT_EQ(error, "");
  yardstick::testing::ClickHouseQuery(url,
                                      "CREATE TABLE ys_future.schema_version (version UInt32, "
                                      "applied_ns Int64) ENGINE = MergeTree ORDER BY version",
                                      &error);
  ASSERT_EQ(error, "");
  yardstick::testing::ClickHouseQuery(url, "INSERT INTO ys_future.schema_version VALUES (99, 0)",
                                      &error);
  ASSERT_EQ(error, "");
  auto s = OpenClickHouseStore(Options(c, "ys_future", SpoolRoot() / "future"));
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("schema version 99"), std::string::npos);
}

// A statement ClickHouse refuses (here: the table was dropped behind the store's back) is an
// error for the client, not something to spool and retry forever.
TEST(ClickHouseStore, RefusedInsertsAreErrorsNotSpooled) {
  ClickHouseCluster* c = Servers::Get().Cluster(1);
  ASSERT_NE(c, nullptr);
  const std::string spool = SpoolRoot() / ("yardstick-ch-refused-" + std::to_string(::getpid()));
  std::filesystem::remove_all(spool);
  auto opened = OpenClickHouseStore(Options(c, "ys_refused", spool));
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  std::string error;
  yardstick::testing::ClickHouseQuery(c->http_urls()[0], "DROP TABLE ys_refused.calls", &error);
  ASSERT_EQ(error, "");
  model::Batch b;
  b.calls.push_back(SimpleCall(1, 1'764'115'200'000'000'000));
  auto r = (*opened)->Append(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("calls"), std::string::npos) << r.error().message();
  (*opened)->Close();
  EXPECT_TRUE(std::filesystem::is_empty(spool));
}

// ClickHouse writes an insert's raw part before its views' rollup parts; when the rollups of an
// insert are missing (here: the hour and day rollups deleted behind the store's back), the retry
// of the batch rebuilds them from the raw rows instead of leaving the KPIs short.
TEST(ClickHouseStore, ARetryRebuildsRollupsAnInterruptedInsertLeftOut) {
  ClickHouseCluster* c = Servers::Get().Cluster(1);
  ASSERT_NE(c, nullptr);
  const std::string spool = SpoolRoot() / ("yardstick-ch-repair-" + std::to_string(::getpid()));
  std::filesystem::remove_all(spool);
  auto opened = OpenClickHouseStore(Options(c, "ys_repair", spool));
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  Store& store = **opened;
  constexpr int64_t kT0 = 1'764'115'200'000'000'000;
  model::Batch b;
  for (int i = 0; i < 300; ++i) b.calls.push_back(SimpleCall(i, kT0));
  ASSERT_TRUE(store.Append(b).has_value());
  const std::string url = c->http_urls()[0];
  std::string error;
  yardstick::testing::ClickHouseQuery(
      url, "ALTER TABLE ys_repair.call_rollups DELETE WHERE resolution >= 1", &error);
  ASSERT_EQ(error, "");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         yardstick::testing::ClickHouseQuery(
             url,
             "SELECT count() FROM system.mutations WHERE database = 'ys_repair' AND is_done = 0") !=
             "0\n") {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // A day-aligned query reads day rollups: now empty.
  RollupQuery day{"p1", kT0, kT0 + kNanosPerDay, kNanosPerDay, {}, {}, "", ""};
  auto before = store.QueryCallRollups(day);
  ASSERT_TRUE(before.has_value());
  EXPECT_TRUE(before->empty());
  auto again = store.Append(b);
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->duplicates, 300u);
  auto after = store.QueryCallRollups(day);
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].aggregate.calls, 300u);
  // The minute rollups were complete and are not doubled.
  RollupQuery minutes{"p1", kT0, kT0 + 7 * kNanosPerMinute, 0, {}, {}, "", ""};
  auto m = store.QueryCallRollups(minutes);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].aggregate.calls, 300u);
  store.Close();
}

TEST(ClickHouseStore, ReportsAnUnreachableServer) {
  ClickHouseOptions o;
  o.endpoints = {"http://127.0.0.1:1"};
  o.spool_dir = SpoolRoot() / "unreachable";
  auto s = OpenClickHouseStore(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("http://127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace yardstick::store::testing

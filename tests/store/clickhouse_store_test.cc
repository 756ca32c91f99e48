// Runs the store conformance suite against real ClickHouse servers (one node, and two shards
// behind Distributed tables), plus the ClickHouse backend's own checks: the spool under an
// outage, versioned migrations. The servers are started once for the whole binary and stopped
// by pid at the end.

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <set>
#include <thread>

#include "store/clickhouse_codec.h"
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

// The writer inserts a group's raw rows before its rollup rows; when the rollups of an
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

// --- Client-computed rollups equal the server-derived ones ---------------------------------

// A group with every case the rollup columns distinguish: two projects, calls over several
// minutes, hours and two days, errors, TTFT present, absent and invalid, token counts missing,
// zero and set, costs missing, NaN and set, negative and zero latencies; scores with values,
// labels and neither, linked to calls of the group or to conversations only; outcomes with
// finite and NaN values.
model::Batch RollupBatch(int64_t t0) {
  model::Batch b;
  const char* models[] = {"m-a", "m-b", "m-c"};
  for (int i = 0; i < 600; ++i) {
    model::Call c;
    c.project = i % 5 == 0 ? "p2" : "p1";
    c.id = "call" + std::to_string(i);
    c.conversation_id = "conv" + std::to_string(i / 4);
    c.start_ns = t0 + static_cast<int64_t>(i) * 317'000'000'000 / 3;  // ~105 s apart: 2 days
    c.end_ns = c.start_ns + 50'000'000 + static_cast<int64_t>((i * 7919) % 4000) * 1'000'000;
    if (i % 97 == 0) c.end_ns = c.start_ns;              // zero latency
    if (i % 89 == 0) c.end_ns = c.start_ns - 1'000'000;  // negative latency
    c.request_model = models[i % 3];
    if (i % 7 == 0) c.response_model = "m-resp";
    c.route = i % 4 ? "/chat" : "/search";
    c.prompt_version = i % 6 < 3 ? "v1" : "v2";
    c.variant = i % 2 ? "A" : "B";
    c.environment = i % 11 == 0 ? "staging" : "prod";
    c.status = i % 13 == 0   ? model::CallStatus::kError
               : i % 17 == 0 ? model::CallStatus::kUnset
                             : model::CallStatus::kOk;
    if (i % 3 == 0) c.ttft_s = 0.01 * (i % 50);
    if (i % 31 == 0) c.ttft_s = -1.0;
    if (i % 37 == 0) c.ttft_s = std::numeric_limits<double>::quiet_NaN();
    c.input_tokens = i % 9 == 0 ? -1 : i % 10 == 0 ? 0 : 100 + i;
    c.output_tokens = i % 9 == 0 || i % 8 == 0 ? -1 : 20 + i % 300;
    c.cache_read_tokens = i % 5 == 1 ? 64 : -1;
    c.reasoning_tokens = i % 6 == 1 ? 12 : -1;
    if (i % 4 != 0) c.cost_usd = 1e-4 * (i % 23) + 1e-7 * i;
    if (i % 43 == 0) c.cost_usd = std::numeric_limits<double>::quiet_NaN();
    b.calls.push_back(std::move(c));
  }
  const char* names[] = {"thumbs", "csat", "nps"};
  for (int i = 0; i < 300; ++i) {
    model::Score s;
    s.project = i % 5 == 0 ? "p2" : "p1";
    s.id = "score" + std::to_string(i);
    s.name = names[i % 3];
    s.source = i % 2 ? "user" : "judge";
    if (i % 3 == 0) {
      s.call_id = "call" + std::to_string(i * 2 % 600);  // a call of the group
    } else {
      s.conversation_id = "conv" + std::to_string(i % 150);
    }
    s.time_ns = t0 + static_cast<int64_t>(i) * 577'000'000'000;
    if (i % 7 == 0) {
      s.label = "pass";
    } else if (i % 19 == 0) {
      s.value = std::numeric_limits<double>::infinity();
    } else if (i % 23 != 0) {
      s.value = static_cast<double>(i % 13) - 1 + (i / 13 % 2) * 0.5;  // -1 .. 11.5
    }
    b.scores.push_back(std::move(s));
  }
  for (int i = 0; i < 120; ++i) {
    model::Outcome o;
    o.project = i % 5 == 0 ? "p2" : "p1";
    o.id = "outcome" + std::to_string(i);
    o.name = i % 2 ? "resolved" : "revenue";
    o.conversation_id = i % 9 == 0 ? "" : "conv" + std::to_string(i);
    o.value = i % 11 == 0 ? std::numeric_limits<double>::quiet_NaN() : (i % 10) * 1.25 - 2;
    o.time_ns = t0 + static_cast<int64_t>(i) * 1'300'000'000'000;
    b.outcomes.push_back(std::move(o));
  }
  return b;
}

// Every rollup row of a database as a sortable key and its values.
struct RollupRow {
  std::string key;               // the grouping columns and insert_id, encoded
  std::vector<uint64_t> counts;  // integer columns, then every sketch key and bucket count
  std::vector<double> exact;     // min and max columns
  std::vector<double> sums;      // floating sums (summation order differs: compared to rounding)
};

std::vector<RollupRow> ReadRollups(const std::string& url, const std::string& db) {
  std::vector<RollupRow> rows;
  auto read_map = [](clickhouse::RowReader& r, RollupRow& row) {
    const uint64_t keys = r.Varint();
    row.counts.push_back(keys);
    for (uint64_t i = 0; i < keys && r.ok(); ++i)
      row.counts.push_back(static_cast<uint32_t>(r.I32()));
    const uint64_t counts = r.Varint();
    row.counts.push_back(counts);
    for (uint64_t i = 0; i < counts && r.ok(); ++i) row.counts.push_back(r.U64());
  };
  std::string error;
  const std::string calls = yardstick::testing::ClickHouseQuery(
      url,
      "SELECT project, resolution, ts, model, route, prompt_version, variant, environment, "
      "insert_id, n_calls, n_errors, tt_count, in_tokens, out_tokens, cr_tokens, rs_tokens, "
      "token_calls, priced_calls, lat_map, tt_map, lat_min, lat_max, tt_min, tt_max, lat_sum, "
      "lat_sumsq, tt_sum, cost_sum, cost_sumsq FROM " +
          db + ".call_rollups FORMAT RowBinary",
      &error);
  EXPECT_EQ(error, "");
  clickhouse::RowReader r(calls);
  while (!r.done() && r.ok()) {
    RollupRow row;
    clickhouse::RowWriter k(row.key);
    k.U8(0);
    k.String(r.String());
    k.U8(r.U8());
    k.I64(r.I64());
    for (int i = 0; i < 5; ++i) k.String(r.String());
    k.Fixed(r.U64());
    for (int i = 0; i < 9; ++i) row.counts.push_back(r.U64());
    read_map(r, row);
    read_map(r, row);
    for (int i = 0; i < 4; ++i) row.exact.push_back(r.F64());
    for (int i = 0; i < 5; ++i) row.sums.push_back(r.F64());
    rows.push_back(std::move(row));
  }
  EXPECT_TRUE(r.ok()) << "malformed call_rollups rows";
  const std::string records = yardstick::testing::ClickHouseQuery(
      url,
      "SELECT kind, project, resolution, ts, name, source, model, route, prompt_version, "
      "variant, environment, insert_id, n_count, n_positive, n_at_least_4, n_promoters, "
      "n_detractors, n_labeled, v_sum, v_sumsq FROM " +
          db + ".record_rollups FORMAT RowBinary",
      &error);
  EXPECT_EQ(error, "");
  clickhouse::RowReader rr(records);
  while (!rr.done() && rr.ok()) {
    RollupRow row;
    clickhouse::RowWriter k(row.key);
    k.U8(rr.U8());
    k.String(rr.String());
    k.U8(rr.U8());
    k.I64(rr.I64());
    for (int i = 0; i < 7; ++i) k.String(rr.String());
    k.Fixed(rr.U64());
    for (int i = 0; i < 6; ++i) row.counts.push_back(rr.U64());
    for (int i = 0; i < 2; ++i) row.sums.push_back(rr.F64());
    rows.push_back(std::move(row));
  }
  EXPECT_TRUE(rr.ok()) << "malformed record_rollups rows";
  std::sort(rows.begin(), rows.end(),
            [](const RollupRow& a, const RollupRow& b) { return a.key < b.key; });
  return rows;
}

// Deletes every rollup row of `db` on every node and waits for the mutations.
void DeleteRollups(ClickHouseCluster* c, const std::string& db) {
  const std::string suffix = c->size() > 1 ? "_local" : "";
  for (const std::string& url : c->http_urls()) {
    for (const char* table : {"call_rollups", "record_rollups"}) {
      std::string error;
      yardstick::testing::ClickHouseQuery(
          url, "ALTER TABLE " + db + "." + table + suffix + " DELETE WHERE 1 = 1", &error);
      ASSERT_EQ(error, "");
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline &&
           yardstick::testing::ClickHouseQuery(
               url, "SELECT count() FROM system.mutations WHERE database = '" + db +
                        "' AND is_done = 0") != "0\n") {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// The writer computes a group's rollup rows itself; the repair of a group whose rollups are
// missing derives them on the server (INSERT ... SELECT). Both give the same rows: same keys
// and insert_id, equal counts, sketch keys and bucket counts, minima and maxima, and floating
// sums equal to rounding (they are added in different orders).
void ExpectClientRollupsEqualRepairedOnes(int nodes) {
  ClickHouseCluster* c = Servers::Get().Cluster(nodes);
  ASSERT_NE(c, nullptr);
  const std::string db = "ys_rollup_paths_" + std::to_string(nodes);
  const std::string spool = SpoolRoot() / ("yardstick-ch-" + db);
  std::filesystem::remove_all(spool);
  auto opened = OpenClickHouseStore(Options(c, db, spool));
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  Store& store = **opened;
  constexpr int64_t kT0 = 1'764'115'200'000'000'000 - 3 * kNanosPerHour;  // crosses a day
  const model::Batch batch = RollupBatch(kT0);
  auto first = store.Append(batch);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_EQ(first->stored, batch.calls.size() + batch.scores.size() + batch.outcomes.size());
  const std::string url = c->http_urls()[0];
  const std::vector<RollupRow> client = ReadRollups(url, db);

  DeleteRollups(c, db);
  ASSERT_TRUE(ReadRollups(url, db).empty());
  auto again = store.Append(batch);
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->stored, 0u);
  const std::vector<RollupRow> repaired = ReadRollups(url, db);
  store.Close();

  // The rows cover every kind and resolution, and count every record with a value.
  uint64_t minute_calls = 0;
  std::set<std::pair<int, int>> kinds;
  for (const RollupRow& row : client) {
    kinds.emplace(row.key[0], row.key[2 + static_cast<unsigned char>(row.key[1])]);
    if (row.key[0] == 0 && row.key[2 + static_cast<unsigned char>(row.key[1])] == 0) {
      minute_calls += row.counts[0];
    }
  }
  EXPECT_EQ(minute_calls, batch.calls.size());
  EXPECT_EQ(kinds.size(), 9u);
  ASSERT_EQ(client.size(), repaired.size());
  for (size_t i = 0; i < client.size(); ++i) {
    const RollupRow& a = client[i];
    const RollupRow& b = repaired[i];
    ASSERT_EQ(a.key, b.key) << "row " << i;
    EXPECT_EQ(a.counts, b.counts) << "row " << i;
    ASSERT_EQ(a.exact.size(), b.exact.size());
    for (size_t j = 0; j < a.exact.size(); ++j) {
      EXPECT_EQ(std::bit_cast<uint64_t>(a.exact[j]), std::bit_cast<uint64_t>(b.exact[j]))
          << "row " << i << " min/max column " << j << ": " << a.exact[j] << " vs " << b.exact[j];
    }
    ASSERT_EQ(a.sums.size(), b.sums.size());
    for (size_t j = 0; j < a.sums.size(); ++j) {
      EXPECT_NEAR(a.sums[j], b.sums[j], 1e-12 * std::max(1.0, std::abs(b.sums[j])))
          << "row " << i << " sum column " << j;
    }
  }
}

TEST(ClickHouseStore, ClientRollupsEqualServerDerivedOnesOnOneNode) {
  ExpectClientRollupsEqualRepairedOnes(1);
}

TEST(ClickHouseStore, ClientRollupsEqualServerDerivedOnesOnTwoShards) {
  ExpectClientRollupsEqualRepairedOnes(2);
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

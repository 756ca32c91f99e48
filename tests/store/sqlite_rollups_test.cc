// SQLite-specific: hour and day rollups of calls are built once their period is over (with a
// test clock), late calls update built periods, queries read unbuilt periods from finer rollups,
// and every answer equals the one of a store that wrote every coarse row with its calls.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace yardstick::store {
namespace {

constexpr int64_t kT0 = 1'764'115'200'000'000'000;  // 2025-11-26T00:00:00Z
constexpr int64_t kMinute = kNanosPerMinute;
constexpr int64_t kHour = kNanosPerHour;
constexpr int64_t kDay = kNanosPerDay;

class SqliteRollups : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("yardstick-rollups-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name = "db.sqlite") const { return (dir_ / name).string(); }

  // A store whose clock reads now_ (set by the test).
  std::unique_ptr<Store> Open(const std::string& name = "db.sqlite") {
    SqliteOptions o;
    o.path = Path(name);
    o.coarse_rollup_delay_ns = 10 * kMinute;
    o.clock = [now = now_] { return now->load(); };
    return OpenWith(std::move(o));
  }

  // The reference: a store whose clock is far ahead of every call, so that every hour and day
  // row is written with its calls.
  std::unique_ptr<Store> OpenReference() {
    SqliteOptions o;
    o.path = Path("reference.sqlite");
    o.clock = [] { return kT0 + 400 * kDay; };
    return OpenWith(std::move(o));
  }

  static std::unique_ptr<Store> OpenWith(SqliteOptions o) {
    o.cache_bytes = 4 << 20;
    auto s = OpenSqliteStore(o);
    if (!s) {
      ADD_FAILURE() << s.error().message();
      return nullptr;
    }
    return std::move(*s);
  }

  void SetNow(int64_t t) { now_->store(t); }

  // Rows of call_rollups at `resolution` with ts >= from, read from the file.
  int64_t CoarseRows(int resolution, int64_t from) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(Path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT COUNT(*) FROM call_rollups WHERE resolution = ? AND "
                                 "ts >= ?",
                                 -1, &st, nullptr),
              SQLITE_OK);
    sqlite3_bind_int(st, 1, resolution);
    sqlite3_bind_int64(st, 2, from);
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    const int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }

  std::filesystem::path dir_;
  std::shared_ptr<std::atomic<int64_t>> now_ = std::make_shared<std::atomic<int64_t>>(0);
};

// `n` calls of project p1 at random times in [from, from + span), over 2 models and 2 routes.
std::vector<model::Call> Calls(int n, int64_t from, int64_t span, uint64_t seed,
                               const std::string& prefix) {
  std::mt19937_64 rng(seed);
  std::vector<model::Call> out;
  for (int i = 0; i < n; ++i) {
    model::Call c;
    c.project = "p1";
    c.id = prefix + std::to_string(i);
    c.start_ns = from + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    c.end_ns = c.start_ns + 1'000'000 + static_cast<int64_t>(rng() % 3'000'000'000ULL);
    c.request_model = (rng() % 2) != 0u ? "model-a" : "model-b";
    c.route = (rng() % 2) != 0u ? "/chat" : "/search";
    c.input_tokens = static_cast<int64_t>(rng() % 1000);
    if (rng() % 10 == 0) c.error_type = "timeout";
    out.push_back(std::move(c));
  }
  return out;
}

void Append(Store& s, const std::vector<model::Call>& calls) {
  // In batches of 50, so that groups mix periods.
  for (size_t i = 0; i < calls.size(); i += 50) {
    model::Batch b;
    for (size_t j = i; j < std::min(calls.size(), i + 50); ++j) b.calls.push_back(calls[j]);
    auto r = s.Append(b);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    ASSERT_EQ(r->stored, b.calls.size());
  }
}

// Every cell of the two stores' answers to q is the same (sums up to rounding).
void ExpectSameAnswer(Store& got, Store& want, const RollupQuery& q) {
  auto a = got.QueryCallRollups(q);
  auto b = want.QueryCallRollups(q);
  ASSERT_TRUE(a.has_value()) << a.error().message();
  ASSERT_TRUE(b.has_value()) << b.error().message();
  ASSERT_EQ(a->size(), b->size()) << "step " << q.step_ns;
  for (size_t i = 0; i < a->size(); ++i) {
    const auto& x = (*a)[i];
    const auto& y = (*b)[i];
    SCOPED_TRACE("bucket " + std::to_string((x.bucket_ns - kT0) / kMinute) + " min, step " +
                 std::to_string(q.step_ns / kMinute) + " min");
    EXPECT_EQ(x.bucket_ns, y.bucket_ns);
    EXPECT_EQ(x.group, y.group);
    EXPECT_EQ(x.aggregate.calls, y.aggregate.calls);
    EXPECT_EQ(x.aggregate.errors, y.aggregate.errors);
    EXPECT_EQ(x.aggregate.input_tokens, y.aggregate.input_tokens);
    EXPECT_NEAR(x.aggregate.latency_sum, y.aggregate.latency_sum, 1e-6);
    EXPECT_EQ(x.aggregate.latency.count(), y.aggregate.latency.count());
    for (double quantile : {0.5, 0.95, 0.99}) {
      EXPECT_EQ(x.aggregate.latency.Quantile(quantile), y.aggregate.latency.Quantile(quantile));
    }
  }
}

// The range [from, to) at one value, hourly, daily and 6-hourly steps, by model and overall.
void ExpectSameAnswers(Store& got, Store& want, int64_t from, int64_t to) {
  for (int64_t step : {int64_t{0}, 15 * kMinute, kHour, 6 * kHour, kDay}) {
    for (const std::vector<std::string>& group_by :
         {std::vector<std::string>{}, std::vector<std::string>{"model", "route"}}) {
      ExpectSameAnswer(got, want, RollupQuery{"p1", from, to, step, group_by, {}, "", ""});
    }
  }
}

TEST_F(SqliteRollups, HoursAndDaysAreBuiltWhenTheyAreOver) {
  // 10:30 on day 1: hours before 10:00 count as built from the start.
  const int64_t day1 = kT0 + kDay;
  SetNow(day1 + 10 * kHour + 30 * kMinute);
  auto s = Open();
  auto ref = OpenReference();
  ASSERT_NE(s, nullptr);
  ASSERT_NE(ref, nullptr);
  // Live calls in the open hour, late calls for built hours of day 1 (whose day is not built)
  // and of day 0 (built).
  std::vector<model::Call> calls = Calls(400, day1 + 10 * kHour, 30 * kMinute, 1, "live-");
  for (const auto& c : Calls(150, day1 + 2 * kHour, 5 * kHour, 2, "late-")) calls.push_back(c);
  for (const auto& c : Calls(150, kT0 + 20 * kHour, 4 * kHour, 3, "old-")) calls.push_back(c);
  std::shuffle(calls.begin(), calls.end(), std::mt19937_64(4));
  Append(*s, calls);
  Append(*ref, calls);
  // No hour row from 10:00 on, no day row for day 1.
  EXPECT_EQ(CoarseRows(1, day1 + 10 * kHour), 0);
  EXPECT_EQ(CoarseRows(2, day1), 0);
  EXPECT_GT(CoarseRows(1, day1 + 2 * kHour), 0);
  ExpectSameAnswers(*s, *ref, kT0, kT0 + 2 * kDay);
  ExpectSameAnswers(*s, *ref, day1 + 9 * kHour + 7 * kMinute, day1 + 11 * kHour);

  // At 11:10 the 10:00 hour is built when the next group arrives.
  SetNow(day1 + 11 * kHour + 10 * kMinute);
  const auto next = Calls(60, day1 + 11 * kHour, 10 * kMinute, 5, "next-");
  Append(*s, next);
  Append(*ref, next);
  EXPECT_GT(CoarseRows(1, day1 + 10 * kHour), 0);
  EXPECT_EQ(CoarseRows(1, day1 + 11 * kHour), 0);
  ExpectSameAnswers(*s, *ref, kT0, kT0 + 2 * kDay);

  // Calls in the last hour of day 1, while it is open.
  SetNow(day1 + 23 * kHour + 50 * kMinute);
  const auto evening = Calls(80, day1 + 23 * kHour, 50 * kMinute, 7, "evening-");
  Append(*s, evening);
  Append(*ref, evening);
  ExpectSameAnswers(*s, *ref, kT0, kT0 + 2 * kDay);

  // Past the next midnight (+10 min) every hour of day 1 and the day itself are built by the
  // retention pass, which keeps every rollup here (its limits are 0).
  SetNow(kT0 + 2 * kDay + 10 * kMinute);
  ASSERT_TRUE(s->ApplyRetention(0, 0, 0, 0).has_value());
  EXPECT_GT(CoarseRows(2, day1), 0);
  ExpectSameAnswers(*s, *ref, kT0, kT0 + 2 * kDay);

  // A late call for a built hour and day updates their rows.
  const auto later = Calls(30, day1 + 10 * kHour, 20 * kMinute, 6, "later-");
  Append(*s, later);
  Append(*ref, later);
  ExpectSameAnswers(*s, *ref, kT0, kT0 + 2 * kDay);

  // The watermark is kept across a reopen: nothing is built twice.
  s->Close();
  s = Open();
  ASSERT_NE(s, nullptr);
  ExpectSameAnswers(*s, *ref, kT0, kT0 + 2 * kDay);
}

TEST_F(SqliteRollups, EveryHourMissedWhileStoppedIsBuilt) {
  SetNow(kT0 + 30 * kMinute);
  auto s = Open();
  auto ref = OpenReference();
  ASSERT_NE(s, nullptr);
  ASSERT_NE(ref, nullptr);
  // Calls for the coming hours of days 0 and 2, as if the clocks of their senders ran ahead.
  std::vector<model::Call> calls = Calls(200, kT0, 7 * kHour, 1, "a-");
  for (const auto& c : Calls(100, kT0 + 2 * kDay + 3 * kHour, kHour, 2, "b-")) calls.push_back(c);
  Append(*s, calls);
  Append(*ref, calls);
  EXPECT_EQ(CoarseRows(1, kT0), 0);
  ExpectSameAnswers(*s, *ref, kT0 - kDay, kT0 + 4 * kDay);
  s->Close();

  // Reopened five days later: the writer builds every hour and day on its own.
  SetNow(kT0 + 5 * kDay);
  s = Open();
  ASSERT_NE(s, nullptr);
  for (int i = 0; i < 500 && CoarseRows(2, kT0 + 2 * kDay) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(CoarseRows(2, kT0 + 2 * kDay), 0);
  EXPECT_GT(CoarseRows(2, kT0), 0);
  ExpectSameAnswers(*s, *ref, kT0 - kDay, kT0 + 4 * kDay);
}

TEST_F(SqliteRollups, RetentionKeepsTheFinerRowsOfUnbuiltPeriods) {
  SetNow(kT0 + 5 * kHour + 30 * kMinute);
  auto s = Open();
  ASSERT_NE(s, nullptr);
  Append(*s, Calls(100, kT0 + 5 * kHour, 20 * kMinute, 1, "a-"));
  // Limits that would delete every minute and hour row.
  const int64_t end = kT0 + 400 * kDay;
  ASSERT_TRUE(s->ApplyRetention(0, end, end, 0).has_value());
  auto cells = s->QueryCallRollups(RollupQuery{"p1", kT0, kT0 + kDay, 0, {}, {}, "", ""});
  ASSERT_TRUE(cells.has_value()) << cells.error().message();
  ASSERT_EQ(cells->size(), 1u);
  EXPECT_EQ((*cells)[0].aggregate.calls, 100u);
}

// A database of schema version 3 wrote every hour and day row with its calls; after the
// migration the rows of the hours that are not built yet are replaced when they are built, not
// added to.
TEST_F(SqliteRollups, MigratesADatabaseThatWroteEveryRowWithItsCalls) {
  const auto calls = Calls(300, kT0 + 3 * kHour, 2 * kHour, 1, "a-");
  {
    // As version 3 did: the clock is far ahead, so every row is written with its calls.
    SetNow(kT0 + 400 * kDay);
    auto s = Open();
    ASSERT_NE(s, nullptr);
    Append(*s, calls);
    s->Close();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(Path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP TABLE rollup_state; PRAGMA user_version = 3", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto ref = OpenReference();
  ASSERT_NE(ref, nullptr);
  Append(*ref, calls);
  // Opened at 4:30: hours from 4:00 are not built, but have rows from before.
  SetNow(kT0 + 4 * kHour + 30 * kMinute);
  auto s = Open();
  ASSERT_NE(s, nullptr);
  ExpectSameAnswers(*s, *ref, kT0, kT0 + kDay);
  const auto more = Calls(100, kT0 + 4 * kHour, 30 * kMinute, 2, "b-");
  Append(*s, more);
  Append(*ref, more);
  SetNow(kT0 + kDay + 10 * kMinute);
  ASSERT_TRUE(s->ApplyRetention(0, 0, 0, 0).has_value());
  ExpectSameAnswers(*s, *ref, kT0, kT0 + kDay);
}

}  // namespace
}  // namespace yardstick::store

// Scheduled reports with a real SQLite store and state.db: degradation against a baseline,
// exactly one report per (schedule, period) across restarts, one catch-up after downtime, and
// notifications handed to the sink once.

#include "reports/reports.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace yardstick::reports {
namespace {

using nlohmann::json;

int64_t Day(int d, int h = 0, int m = 0) {  // 2024-03-<d> h:m UTC
  std::tm tm{};
  tm.tm_year = 124;
  tm.tm_mon = 2;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = m;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
}

class RecordingSink : public NotificationSink {
 public:
  Result<void> Send(const Notification& n) override {
    if (fail) return MakeError(ErrorCode::kIo, "receiver down");
    sent.push_back(n);
    return {};
  }
  std::vector<Notification> sent;
  bool fail = false;
};

class ReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("yardstick-reports-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions so;
    so.path = (dir_ / "yardstick.db").string();
    auto st = store::OpenSqliteStore(so);
    ASSERT_TRUE(st) << st.error().message();
    store_ = std::move(*st);
    auto k = kpi::Engine::Create(store_.get(), {});
    ASSERT_TRUE(k);
    kpis_ = std::make_unique<kpi::Engine>(std::move(*k));
    auto g = goals::Engine::Create(kpis_.get(), {});
    ASSERT_TRUE(g);
    goals_ = std::make_unique<goals::Engine>(std::move(*g));
    OpenState();
    // Day 10: latencies around 0.5 s; day 11 onward: around 0.8 s.
    model::Batch batch;
    for (int day = 10; day <= 16; ++day) {
      for (int i = 0; i < 200; ++i) {
        model::Call c;
        c.project = "shop";
        c.id = "c" + std::to_string(day) + "-" + std::to_string(i);
        c.request_model = "m";
        c.start_ns = Day(day, 1) + int64_t{i} * 60'000'000'000;
        const double seconds = (day == 10 ? 0.5 : 0.8) + 0.01 * (i % 20);
        c.end_ns = c.start_ns + static_cast<int64_t>(seconds * 1e9);
        batch.calls.push_back(c);
      }
    }
    ASSERT_TRUE(store_->Append(batch));
    baselines::Baseline b;
    b.project = "shop";
    b.name = "day10";
    b.spec.project = "shop";
    b.spec.kpi = "latency_mean";
    auto d = baselines::Measure(*kpis_, *store_, b.spec, Day(10), Day(11));
    ASSERT_TRUE(d);
    ASSERT_EQ(d->n, 200u);
    b.distribution = *d;
    ASSERT_TRUE(baselines_->Put(b));
  }
  void TearDown() override {
    scheduler_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenState() {
    scheduler_.reset();
    reports_.reset();
    baselines_.reset();
    auto bs = baselines::BaselineStore::Open((dir_ / "state.db").string());
    ASSERT_TRUE(bs);
    baselines_ = std::move(*bs);
    auto rs = ReportStore::Open((dir_ / "state.db").string());
    ASSERT_TRUE(rs);
    reports_ = std::move(*rs);
  }

  void MakeScheduler(RecordingSink* sink) {
    config::ScheduleConfig s;
    s.name = "daily_latency";
    s.schedule = "daily";
    s.project = "shop";
    config::ScheduleKpiConfig k;
    k.kpi = "latency_mean";
    k.baseline = "day10";
    s.kpis.push_back(k);
    config::ScheduleKpiConfig calls;
    calls.kpi = "calls";
    s.kpis.push_back(calls);
    s.notify = {"ops"};
    auto sch = Scheduler::Create({{s}, [this] { return now_; }}, kpis_.get(), store_.get(),
                                 baselines_.get(), goals_.get(), reports_.get(), sink);
    ASSERT_TRUE(sch) << sch.error().message();
    scheduler_ = std::move(*sch);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kpi::Engine> kpis_;
  std::unique_ptr<goals::Engine> goals_;
  std::unique_ptr<baselines::BaselineStore> baselines_;
  std::unique_ptr<ReportStore> reports_;
  std::unique_ptr<Scheduler> scheduler_;
  int64_t now_ = 0;
};

TEST_F(ReportsTest, OneReportPerPeriodAcrossRestartsAndOneCatchUp) {
  RecordingSink sink;
  MakeScheduler(&sink);
  now_ = Day(12, 0, 30);
  auto n = scheduler_->Tick();
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(*scheduler_->Tick(), 0);  // the same period again: nothing new
  auto list = reports_->List("shop", "daily_latency", 10);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].period_start_ns, Day(11));
  EXPECT_EQ((*list)[0].period_end_ns, Day(12));
  EXPECT_TRUE((*list)[0].degraded);
  const json doc = json::parse((*list)[0].document);
  EXPECT_EQ(doc["kpis"][0]["kpi"], "latency_mean");
  EXPECT_TRUE(doc["kpis"][0]["degraded"].get<bool>());
  EXPECT_LT(doc["kpis"][0]["adjusted_pvalue"].get<double>(), 0.05);
  EXPECT_NEAR(doc["kpis"][0]["comparison"]["difference"].get<double>(), 0.3, 1e-6);
  EXPECT_EQ(doc["kpis"][1]["value"].get<double>(), 200);
  ASSERT_EQ(sink.sent.size(), 1u);
  EXPECT_EQ(sink.sent[0].notifier, "ops");
  EXPECT_EQ(sink.sent[0].idempotency_key, "report:daily_latency:" + std::to_string(Day(11)));

  // Restart: new connections to state.db, a new scheduler and sink.
  OpenState();
  RecordingSink sink2;
  MakeScheduler(&sink2);
  EXPECT_EQ(*scheduler_->Tick(), 0);
  EXPECT_TRUE(sink2.sent.empty());

  // Three days of downtime: one catch-up report (the most recent closed day), not three.
  now_ = Day(15, 6);
  EXPECT_EQ(*scheduler_->Tick(), 1);
  EXPECT_EQ(*scheduler_->Tick(), 0);
  list = reports_->List("shop", "", 10);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].period_start_ns, Day(14));
  EXPECT_EQ(sink2.sent.size(), 1u);
}

TEST_F(ReportsTest, NotificationsAreRetriedUntilTheSinkAcceptsThem) {
  RecordingSink sink;
  sink.fail = true;
  MakeScheduler(&sink);
  now_ = Day(12, 0, 30);
  EXPECT_FALSE(scheduler_->Tick());  // stored, but the notification failed
  EXPECT_EQ(reports_->List("shop", "", 10)->size(), 1u);
  sink.fail = false;
  EXPECT_EQ(*scheduler_->Tick(), 0);
  EXPECT_EQ(sink.sent.size(), 1u);
  EXPECT_EQ(*scheduler_->Tick(), 0);
  EXPECT_EQ(sink.sent.size(), 1u);
}

TEST_F(ReportsTest, UnshiftedPeriodIsNotDegraded) {
  // A baseline from day 12 compared with day 13 (same distribution).
  baselines::Baseline b;
  b.project = "shop";
  b.name = "day12";
  b.spec.project = "shop";
  b.spec.kpi = "latency_mean";
  auto d = baselines::Measure(*kpis_, *store_, b.spec, Day(12), Day(13));
  ASSERT_TRUE(d);
  b.distribution = *d;
  ASSERT_TRUE(baselines_->Put(b));
  config::ScheduleConfig s;
  s.name = "steady";
  s.schedule = "daily";
  s.project = "shop";
  config::ScheduleKpiConfig k;
  k.kpi = "latency_mean";
  k.baseline = "day12";
  s.kpis.push_back(k);
  bool degraded = true;
  auto doc = ComputeReport(s, *kpis_, *store_, *baselines_, *goals_, Day(13), Day(14), degraded);
  ASSERT_TRUE(doc);
  EXPECT_FALSE(degraded);
  EXPECT_FALSE(json::parse(*doc)["kpis"][0]["degraded"].get<bool>());
}

}  // namespace
}  // namespace yardstick::reports

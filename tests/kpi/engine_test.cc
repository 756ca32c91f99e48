// KPI engine tests on a real SQLite store with records whose KPIs are computed here by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "kpi/kpi.h"
#include "stats/intervals.h"

namespace yardstick::kpi {
namespace {

constexpr int64_t kT0 = 1'764'115'200'000'000'000;  // a UTC midnight
constexpr int64_t kMin = store::kNanosPerMinute;

class KpiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("yardstick-kpi-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::OpenSqliteStore({(dir_ / "db").string(), false, 8 << 20});
    ASSERT_TRUE(s.has_value()) << s.error().message();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_->Close();
    std::filesystem::remove_all(dir_);
  }
  Engine MakeEngine(std::vector<Definition> defs = {}) {
    auto e = Engine::Create(store_.get(), std::move(defs));
    EXPECT_TRUE(e.has_value());
    return std::move(*e);
  }
  Request Req(const std::string& name, int64_t step = 0) {
    Request r;
    r.project = "p";
    r.name = name;
    r.from_ns = kT0;
    r.to_ns = kT0 + 60 * kMin;
    r.step_ns = step;
    return r;
  }
  static double Value(const Result& r) { return *r.series.at(0).points.at(0).value; }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

model::Call Call(int i, const std::string& model, double latency_s, bool error) {
  model::Call c;
  c.project = "p";
  c.id = "c" + std::to_string(i);
  c.conversation_id = "conv" + std::to_string(i / 2);
  c.session_id = "s" + std::to_string(i / 4);
  c.start_ns = kT0 + (i % 60) * kMin;
  c.end_ns = c.start_ns + static_cast<int64_t>(latency_s * 1e9);
  c.request_model = model;
  c.status = error ? model::CallStatus::kError : model::CallStatus::kOk;
  c.output_tokens = 10;
  c.cost_usd = 0.01 * (i % 3);
  return c;
}

TEST_F(KpiTest, CallKpisWithIntervals) {
  model::Batch b;
  for (int i = 0; i < 120; ++i)
    b.calls.push_back(Call(i, i % 2 ? "a" : "b", 0.1 * (i + 1), i % 8 == 0));
  ASSERT_TRUE(store_->Append(b).has_value());
  auto e = MakeEngine();
  auto calls = e.Query(Req("calls"));
  ASSERT_TRUE(calls.has_value()) << calls.error().message();
  EXPECT_EQ(Value(*calls), 120);
  auto tput = e.Query(Req("throughput"));
  EXPECT_DOUBLE_EQ(Value(*tput), 120.0 / 3600.0);

  auto err = e.Query(Req("error_rate"));
  ASSERT_TRUE(err.has_value());
  const auto& p = err->series[0].points[0];
  EXPECT_DOUBLE_EQ(*p.value, 15.0 / 120.0);
  // Wilson by hand.
  const double z = 1.959963984540054, n = 120, ph = 15.0 / 120.0;
  const double center = (ph + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z / (1 + z * z / n) * std::sqrt(ph * (1 - ph) / n + z * z / (4 * n * n));
  EXPECT_NEAR(p.ci->low, center - half, 1e-12);
  EXPECT_NEAR(p.ci->high, center + half, 1e-12);
  EXPECT_EQ(p.ci->method, "wilson");

  auto mean = e.Query(Req("latency_mean"));
  EXPECT_NEAR(Value(*mean), 0.1 * 121 / 2, 1e-9);
  auto p50 = e.Query(Req("latency_p50"));
  // Exact lower-rank median of 0.1..12.0 is value at rank floor(0.5*119) = 59 -> 6.0.
  EXPECT_NEAR(Value(*p50), 6.0, 0.06);
  EXPECT_LT(p50->series[0].points[0].ci->low, 6.0);
  EXPECT_GT(p50->series[0].points[0].ci->high, 6.0);

  auto grouped = e.Query([&] {
    auto r = Req("calls", 30 * kMin);
    r.group_by = {"model"};
    return r;
  }());
  ASSERT_TRUE(grouped.has_value());
  ASSERT_EQ(grouped->series.size(), 2u);
  for (const auto& s : grouped->series) {
    ASSERT_EQ(s.points.size(), 2u);
    EXPECT_EQ(*s.points[0].value + *s.points[1].value, 60);
  }
  auto cost = e.Query(Req("cost_total"));
  EXPECT_NEAR(Value(*cost), 0.01 * 120, 1e-9);  // (0 + 0.01 + 0.02) * 40
}

TEST_F(KpiTest, EmptyBucketsHaveNoValue) {
  auto e = MakeEngine();
  auto r = e.Query(Req("error_rate", 10 * kMin));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), 6u);
  for (const auto& p : r->series[0].points) {
    EXPECT_FALSE(p.value.has_value());
    EXPECT_FALSE(p.ci.has_value());
  }
  auto c = e.Query(Req("calls", 10 * kMin));
  EXPECT_EQ(*c->series[0].points[0].value, 0);
}

TEST_F(KpiTest, SurveyKpis) {
  model::Batch b;
  const std::vector<double> nps = {10, 9, 9, 8, 7, 6, 3, 10, 0, 9};
  for (size_t i = 0; i < nps.size(); ++i) {
    model::Score s;
    s.project = "p";
    s.id = "n" + std::to_string(i);
    s.name = "nps";
    s.value = nps[i];
    s.source = "survey";
    s.time_ns = kT0 + static_cast<int64_t>(i) * kMin;
    b.scores.push_back(s);
  }
  const std::vector<double> csat = {5, 4, 3, 5, 1};
  for (size_t i = 0; i < csat.size(); ++i) {
    model::Score s;
    s.project = "p";
    s.id = "c" + std::to_string(i);
    s.name = "csat";
    s.value = csat[i];
    s.time_ns = kT0 + static_cast<int64_t>(i) * kMin;
    b.scores.push_back(s);
  }
  ASSERT_TRUE(store_->Append(b).has_value());
  auto e = MakeEngine();
  auto n = e.Query(Req("nps"));
  ASSERT_TRUE(n.has_value());
  EXPECT_DOUBLE_EQ(Value(*n), 100.0 * (5 - 3) / 10.0);
  EXPECT_EQ(n->series[0].points[0].ci->method, "nps-normal");
  auto c = e.Query(Req("csat"));
  EXPECT_DOUBLE_EQ(Value(*c), 18.0 / 5);
  auto ci = stats::MeanInterval(5, 18, 25 + 16 + 9 + 25 + 1, 0.95);
  EXPECT_NEAR(c->series[0].points[0].ci->low, ci->low, 1e-12);
  auto sat = e.Query(Req("csat_satisfied_rate"));
  EXPECT_DOUBLE_EQ(Value(*sat), 3.0 / 5);
  auto mean = e.Query([&] {
    auto r = Req("score_mean");
    r.params["name"] = "csat";
    return r;
  }());
  EXPECT_DOUBLE_EQ(Value(*mean), 18.0 / 5);
  EXPECT_FALSE(e.Query(Req("score_mean")).has_value());  // needs a name
}

TEST_F(KpiTest, OutcomeAndFraudKpis) {
  model::Batch b;
  auto outcome = [&](const std::string& id, const std::string& name, const std::string& subject,
                     double value) {
    model::Outcome o;
    o.project = "p";
    o.id = id;
    o.name = name;
    o.session_id = subject;
    o.value = value;
    o.time_ns = kT0 + kMin;
    b.outcomes.push_back(o);
  };
  for (int i = 0; i < 20; ++i) outcome("i" + std::to_string(i), "impression", "u", 1);
  for (int i = 0; i < 3; ++i) outcome("k" + std::to_string(i), "click", "u", 1);
  // Screening of 6 transactions: t1, t2 flagged and fraud (TP); t3 flagged, legit (FP);
  // t4 fraud not flagged (FN); t5, t6 screened, clean (TN).
  outcome("f1", "fraud_flagged", "t1", 1);
  outcome("f2", "fraud_flagged", "t2", 1);
  outcome("f3", "fraud_flagged", "t3", 1);
  outcome("f4", "fraud_flagged", "t4", 0);
  outcome("f5", "fraud_flagged", "t5", 0);
  outcome("f6", "fraud_flagged", "t6", 0);
  outcome("c1", "fraud_confirmed", "t1", 1);
  outcome("c2", "fraud_confirmed", "t2", 1);
  outcome("c4", "fraud_confirmed", "t4", 1);
  ASSERT_TRUE(store_->Append(b).has_value());
  auto e = MakeEngine();
  EXPECT_DOUBLE_EQ(Value(*e.Query(Req("ctr"))), 3.0 / 20);
  EXPECT_DOUBLE_EQ(Value(*e.Query(Req("fraud_detection_rate"))), 2.0 / 3);
  EXPECT_DOUBLE_EQ(Value(*e.Query(Req("fraud_false_positive_rate"))), 1.0 / 3);
  EXPECT_DOUBLE_EQ(Value(*e.Query(Req("fraud_precision"))), 2.0 / 3);
  auto grouped = Req("fraud_precision");
  grouped.group_by = {"model"};
  EXPECT_FALSE(e.Query(grouped).has_value());
}

TEST_F(KpiTest, UserDefinedKpis) {
  model::Batch b;
  for (int i = 0; i < 50; ++i) {
    auto c = Call(i, "a", 0.01 * (i + 1), false);
    c.finish_reason = i % 5 == 0 ? "length" : "stop";
    c.attributes = {{"tier", i % 2 ? "gold" : "free"}};
    b.calls.push_back(c);
  }
  ASSERT_TRUE(store_->Append(b).has_value());
  Definition ratio;
  ratio.name = "truncation_rate";
  ratio.type = "ratio";
  ratio.direction = Direction::kLower;
  ratio.numerator_source = "calls";
  ratio.numerator_filter = {{"finish_reason", "length"}};
  ratio.denominator_source = "calls";
  Definition gold_p90;
  gold_p90.name = "gold_latency_p90";
  gold_p90.type = "quantile";
  gold_p90.source = "calls";
  gold_p90.field = "latency";
  gold_p90.quantile = 0.9;
  gold_p90.filter = {{"attributes.tier", "gold"}};
  auto e = MakeEngine({ratio, gold_p90});
  EXPECT_DOUBLE_EQ(Value(*e.Query(Req("truncation_rate"))), 10.0 / 50);
  // Gold calls are the odd i: latencies 0.02, 0.04, ..., 0.50; lower-rank p90 = rank 21 -> 0.44.
  EXPECT_NEAR(Value(*e.Query(Req("gold_latency_p90"))), 0.44, 0.0045);
  EXPECT_TRUE(e.Find("truncation_rate")->user_defined);

  Definition clash;
  clash.name = "calls";
  clash.type = "count";
  EXPECT_FALSE(Engine::Create(store_.get(), {clash}).has_value());
  Definition bad;
  bad.name = "x";
  bad.type = "median";
  EXPECT_FALSE(Engine::Create(store_.get(), {bad}).has_value());
}

// Records whose attribute `tier` always equals their variant: every KPI grouped by the
// attribute (answered from raw records) must equal the KPI grouped by the variant (answered from
// rollups), value, interval and n.
TEST_F(KpiTest, AttributeGroupsAnswerLikeDimensionGroups) {
  model::Batch b;
  for (int i = 0; i < 240; ++i) {
    auto c = Call(i, i % 3 ? "a" : "b", 0.05 * (1 + (i * 37) % 101), i % 9 == 0);
    c.variant = i / 2 % 2 ? "A" : "B";  // constant within a conversation (2 calls)
    c.session_id = "s" + std::to_string(i / 2);
    if (i % 4 == 0) c.ttft_s = 0.01 * (i % 17);
    c.input_tokens = i % 5 == 0 ? -1 : 100 + i;
    c.attributes = {{"tier", c.variant}};
    b.calls.push_back(c);
  }
  for (int i = 0; i < 240; i += 2) {
    const std::string variant = i / 2 % 2 ? "A" : "B";
    auto score = [&](const std::string& name, double value) {
      model::Score s;
      s.project = "p";
      s.id = name + std::to_string(i);
      s.call_id = "c" + std::to_string(i);
      s.name = name;
      s.value = value;
      s.source = i % 3 ? "survey" : "user";
      s.time_ns = kT0 + (i % 60) * kMin + 1;
      s.attributes = {{"tier", variant}};
      b.scores.push_back(s);
    };
    score("csat", 1 + i % 5);
    score("nps", i % 11);
    score("thumbs", i % 3 ? 1 : 0);
    score("helpfulness", 0.1 * (i % 7));
    auto outcome = [&](const std::string& name, double value) {
      model::Outcome o;
      o.project = "p";
      o.id = name + std::to_string(i);
      o.conversation_id = "conv" + std::to_string(i / 2);
      o.session_id = "s" + std::to_string(i / 2);
      o.name = name;
      o.value = value;
      o.time_ns = kT0 + (i % 60) * kMin + 2;
      o.attributes = {{"tier", variant}};
      b.outcomes.push_back(o);
    };
    outcome("impression", 1);
    if (i % 3 == 0) outcome("click", 1);
    if (i % 5 == 0) outcome("conversion", 1);
    if (i % 4 == 0) outcome("escalated", 1);
    if (i % 6 == 0) outcome("resolved", 1);
    outcome("handling_time", 30 + i % 13);
  }
  ASSERT_TRUE(store_->Append(b).has_value());
  Definition user;
  user.name = "mean_cost";
  user.type = "mean";
  user.source = "calls";
  user.field = "cost";
  auto e = MakeEngine({user});
  size_t compared = 0;
  for (const auto& info : e.Catalog()) {
    if (info.name.starts_with("fraud_")) continue;  // per subject, never grouped
    auto by_variant = Req(info.name, 20 * kMin);
    if (!info.params.empty()) by_variant.params["name"] = "helpfulness";
    auto by_tier = by_variant;
    by_variant.group_by = {"model", "variant"};
    by_tier.group_by = {"model", "attributes.tier"};
    auto want = e.Query(by_variant);
    ASSERT_TRUE(want.has_value()) << info.name << ": " << want.error().message();
    auto got = e.Query(by_tier);
    ASSERT_TRUE(got.has_value()) << info.name << ": " << got.error().message();
    ASSERT_EQ(got->series.size(), want->series.size()) << info.name;
    for (size_t k = 0; k < want->series.size(); ++k) {
      const auto& ws = want->series[k];
      const auto& gs = got->series[k];
      EXPECT_EQ(gs.group, ws.group) << info.name;
      ASSERT_EQ(gs.points.size(), ws.points.size());
      for (size_t j = 0; j < ws.points.size(); ++j) {
        const auto& w = ws.points[j];
        const auto& g = gs.points[j];
        EXPECT_EQ(g.n, w.n) << info.name;
        ASSERT_EQ(g.value.has_value(), w.value.has_value()) << info.name;
        if (w.value) {
          EXPECT_NEAR(*g.value, *w.value, 1e-9 * (1 + std::abs(*w.value))) << info.name;
        }
        ASSERT_EQ(g.ci.has_value(), w.ci.has_value()) << info.name;
        if (w.ci) {
          EXPECT_NEAR(g.ci->low, w.ci->low, 1e-9 * (1 + std::abs(w.ci->low))) << info.name;
          EXPECT_NEAR(g.ci->high, w.ci->high, 1e-9 * (1 + std::abs(w.ci->high))) << info.name;
          EXPECT_EQ(g.ci->method, w.ci->method);
        }
        if (w.n > 0) ++compared;
      }
    }
  }
  EXPECT_GT(compared, 200u);
}

// Values grouped by an attribute against values computed here from the records; calls without
// the attribute form the group "".
TEST_F(KpiTest, AttributeGroupsMatchHandComputedValues) {
  model::Batch b;
  std::map<std::vector<std::string>, std::pair<uint64_t, uint64_t>> errors;  // group -> (err, n)
  std::map<std::vector<std::string>, std::pair<double, double>> latency;     // sum, sumsq
  for (int i = 0; i < 150; ++i) {
    auto c = Call(i, i % 2 ? "a" : "b", 0.02 * (i + 1), i % 7 == 0);
    const std::string region = i % 3 == 0 ? "" : i % 3 == 1 ? "eu" : "us";
    if (!region.empty()) c.attributes = {{"region", region}};
    const std::vector<std::string> g = {c.model(), region};
    errors[g].first += c.status == model::CallStatus::kError;
    ++errors[g].second;
    latency[g].first += c.latency_s();
    latency[g].second += c.latency_s() * c.latency_s();
    b.calls.push_back(c);
  }
  ASSERT_TRUE(store_->Append(b).has_value());
  auto e = MakeEngine();
  auto r = Req("error_rate");
  r.group_by = {"model", "attributes.region"};
  auto got = e.Query(r);
  ASSERT_TRUE(got.has_value()) << got.error().message();
  ASSERT_EQ(got->series.size(), 6u);
  for (const auto& s : got->series) {
    const auto [err, n] = errors.at(s.group);
    const auto& p = s.points.at(0);
    EXPECT_EQ(p.n, n);
    EXPECT_DOUBLE_EQ(*p.value, static_cast<double>(err) / static_cast<double>(n));
    auto w = stats::WilsonInterval(err, n, 0.95);
    EXPECT_DOUBLE_EQ(p.ci->low, w->low);
    EXPECT_DOUBLE_EQ(p.ci->high, w->high);
  }
  r.name = "latency_mean";
  got = e.Query(r);
  ASSERT_TRUE(got.has_value());
  for (const auto& s : got->series) {
    const auto [sum, sumsq] = latency.at(s.group);
    const auto n = errors.at(s.group).second;
    EXPECT_NEAR(*s.points[0].value, sum / static_cast<double>(n), 1e-9);
    auto m = stats::MeanInterval(n, sum, sumsq, 0.95);
    EXPECT_NEAR(s.points[0].ci->low, m->low, 1e-9);
  }

  // Filtered by an attribute (answered from raw records too).
  r.name = "error_rate";
  r.group_by = {"model"};
  r.filter = {{"attributes.region", "eu"}};
  got = e.Query(r);
  ASSERT_TRUE(got.has_value()) << got.error().message();
  ASSERT_EQ(got->series.size(), 2u);
  for (const auto& s : got->series) {
    const auto [err, n] = errors.at({s.group[0], "eu"});
    EXPECT_EQ(s.points[0].n, n);
    EXPECT_DOUBLE_EQ(*s.points[0].value, static_cast<double>(err) / static_cast<double>(n));
  }
  r.filter.clear();
  r.name = "latency_mean";

  // Bad attribute names name the parameter; fraud KPIs are not grouped.
  r.group_by = {"attributes."};
  auto bad = e.Query(r);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("group_by"), std::string::npos);
  r.group_by = {"region"};
  bad = e.Query(r);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("attributes.<key>"), std::string::npos);
  r.name = "fraud_precision";
  r.group_by = {"attributes.region"};
  EXPECT_FALSE(e.Query(r).has_value());
}

TEST_F(KpiTest, AttributeGroupsAreLimited) {
  model::Batch b;
  for (int i = 0; i < 1002; ++i) {
    auto c = Call(i, "a", 0.1, false);
    c.attributes = {{"request", std::to_string(i)}};
    b.calls.push_back(c);
  }
  ASSERT_TRUE(store_->Append(b).has_value());
  auto e = MakeEngine();
  auto r = Req("calls");
  r.group_by = {"attributes.request"};
  auto got = e.Query(r);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(got.error().message().find("1000 groups"), std::string::npos);
  r.filter = {{"attributes.request", "7"}};
  got = e.Query(r);
  ASSERT_TRUE(got.has_value()) << got.error().message();
  ASSERT_EQ(got->series.size(), 1u);
  EXPECT_EQ(got->series[0].group, std::vector<std::string>{"7"});
  EXPECT_EQ(Value(*got), 1);
}

TEST_F(KpiTest, RejectsBadRequests) {
  auto e = MakeEngine();
  EXPECT_EQ(e.Query(Req("nope")).error().code(), ErrorCode::kNotFound);
  auto r = Req("calls");
  r.to_ns = r.from_ns;
  EXPECT_FALSE(e.Query(r).has_value());
  r = Req("calls", 30'000'000'000);
  EXPECT_FALSE(e.Query(r).has_value());
  r = Req("calls");
  r.confidence = 1.5;
  EXPECT_FALSE(e.Query(r).has_value());
  r = Req("calls", kMin);
  r.to_ns = r.from_ns + 200'000 * kMin;
  EXPECT_FALSE(e.Query(r).has_value());
}

TEST(Intervals, MatchReferenceFormulas) {
  // scipy.stats.t.interval(0.95, 4, loc=3.6, scale=sqrt(2.8/5)) = (1.6708..., 5.5291...)
  auto m = stats::MeanInterval(5, 18, 76, 0.95);
  ASSERT_TRUE(m.has_value());
  EXPECT_NEAR(m->low, 3.6 - 2.7764451051977987 * std::sqrt(2.8 / 5), 1e-12);
  EXPECT_FALSE(stats::MeanInterval(1, 1, 1, 0.95).has_value());
  EXPECT_FALSE(stats::WilsonInterval(0, 0, 0.95).has_value());
  auto w = stats::WilsonInterval(0, 10, 0.95);
  EXPECT_DOUBLE_EQ(w->low, 0);
  EXPECT_GT(w->high, 0.2);
}

}  // namespace
}  // namespace yardstick::kpi

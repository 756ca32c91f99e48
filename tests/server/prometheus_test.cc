#include "server/prometheus.h"

#include <gtest/gtest.h>

namespace yardstick::server {
namespace {

TEST(Prometheus, ExposesCountersAndCumulativeHistograms) {
  Registry r;
  r.AddCounter("app_requests_total", "Requests\nby code");
  r.AddHistogram("app_latency_seconds", "Latency", {0.1, 1});
  r.Increment("app_requests_total", {{"code", "200"}});
  r.Increment("app_requests_total", {{"code", "200"}}, 2);
  r.Increment("app_requests_total", {{"path", "a\"b\\c\nd"}});
  r.Observe("app_latency_seconds", {{"m", "x"}}, {0.05, 0.1, 0.5, 5});
  const std::string text = r.Expose();
  EXPECT_NE(text.find("# HELP app_requests_total Requests\\nby code\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE app_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("app_requests_total{code=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("app_requests_total{path=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
  // le is inclusive and cumulative; +Inf equals the count.
  EXPECT_NE(text.find("app_latency_seconds_bucket{m=\"x\",le=\"0.10000000000000001\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("app_latency_seconds_bucket{m=\"x\",le=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("app_latency_seconds_bucket{m=\"x\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("app_latency_seconds_count{m=\"x\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("app_latency_seconds_sum{m=\"x\"} 5.6500000000000004\n"), std::string::npos)
      << text;
}

TEST(Prometheus, DeclaringAFamilyAgainKeepsItsSeries) {
  Registry r;
  r.AddCounter("app_reloads_total", "Reloads");
  r.Increment("app_reloads_total", {{"result", "success"}});
  r.AddCounter("app_reloads_total", "Reloads");  // e.g. a module set up again on a reload
  r.Increment("app_reloads_total", {{"result", "success"}});
  r.AddHistogram("app_seconds", "Time", {1});
  r.Observe("app_seconds", {}, {0.5});
  r.AddHistogram("app_seconds", "Time", {1});
  double level = 1;
  r.AddGauge("app_level", "Level", [&level] { return level; });
  r.AddGauge("app_level", "Level", [] { return 7.0; });
  const std::string text = r.Expose();
  EXPECT_NE(text.find("app_reloads_total{result=\"success\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_seconds_count 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_level 7\n"), std::string::npos) << text;
}

TEST(Prometheus, CapsLabelSets) {
  Registry r;
  r.SetMaxSeries(3);
  r.AddCounter("c_total", "c");
  for (int i = 0; i < 10; ++i) r.Increment("c_total", {{"model", std::to_string(i)}});
  const std::string text = r.Expose();
  EXPECT_NE(text.find("c_total{model=\"other\"} 7\n"), std::string::npos) << text;
}

TEST(Prometheus, GenAiBucketsFollowTheSemanticConventions) {
  const auto d = GenAiDurationBuckets();
  ASSERT_EQ(d.size(), 14u);
  EXPECT_DOUBLE_EQ(d.front(), 0.01);
  EXPECT_DOUBLE_EQ(d.back(), 81.92);
  const auto t = GenAiTokenBuckets();
  ASSERT_EQ(t.size(), 14u);
  EXPECT_DOUBLE_EQ(t.back(), 67108864);
}

}  // namespace
}  // namespace yardstick::server

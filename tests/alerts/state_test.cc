// The state machine of one alert instance, driven by an explicit clock.
#include <gtest/gtest.h>

#include "alerts/alerts.h"

namespace yardstick::alerts {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(AlertStateMachine, PendingThenFiringOnceForHasElapsed) {
  InstanceTimes t;
  EXPECT_EQ(Step(t, true, 100 * kSec, 60 * kSec, 0), State::kPending);
  EXPECT_EQ(t.active_since_ns, 100 * kSec);
  EXPECT_EQ(Step(t, true, 130 * kSec, 60 * kSec, 0), State::kPending);
  EXPECT_EQ(Step(t, true, 159 * kSec, 60 * kSec, 0), State::kPending);
  EXPECT_EQ(Step(t, true, 160 * kSec, 60 * kSec, 0), State::kFiring);
  EXPECT_EQ(t.fired_at_ns, 160 * kSec);
  EXPECT_EQ(t.active_since_ns, 100 * kSec);  // the alert started when it became pending
}

TEST(AlertStateMachine, WithoutForItFiresAtOnce) {
  InstanceTimes t;
  EXPECT_EQ(Step(t, false, 10 * kSec, 0, 0), State::kInactive);
  EXPECT_EQ(Step(t, true, 20 * kSec, 0, 0), State::kFiring);
  EXPECT_EQ(t.active_since_ns, 20 * kSec);
  EXPECT_EQ(t.fired_at_ns, 20 * kSec);
}

TEST(AlertStateMachine, FlappingConditionNeverFiresAndRestartsTheClock) {
  InstanceTimes t;
  const int64_t for_ns = 60 * kSec;
  int64_t now = 0;
  for (int i = 0; i < 10; ++i) {
    now += 40 * kSec;
    EXPECT_EQ(Step(t, true, now, for_ns, 0), State::kPending);
    EXPECT_EQ(t.active_since_ns, now);
    now += 40 * kSec;
    EXPECT_EQ(Step(t, false, now, for_ns, 0), State::kInactive);
  }
}

TEST(AlertStateMachine, ResolvesWhenTheConditionClears) {
  InstanceTimes t;
  Step(t, true, 0, 0, 0);
  EXPECT_EQ(Step(t, true, 30 * kSec, 0, 0), State::kFiring);
  EXPECT_EQ(Step(t, false, 60 * kSec, 0, 0), State::kResolved);
  EXPECT_EQ(t.resolved_at_ns, 60 * kSec);
  // Resolved stays resolved; a new episode starts from scratch.
  EXPECT_EQ(Step(t, false, 90 * kSec, 0, 0), State::kResolved);
  EXPECT_EQ(Step(t, true, 120 * kSec, 30 * kSec, 0), State::kPending);
  EXPECT_EQ(t.active_since_ns, 120 * kSec);
  EXPECT_EQ(t.resolved_at_ns, 0);
}

TEST(AlertStateMachine, KeepFiringForHoldsThroughShortGaps) {
  InstanceTimes t;
  const int64_t keep = 120 * kSec;
  EXPECT_EQ(Step(t, true, 0, 0, keep), State::kFiring);
  EXPECT_EQ(Step(t, false, 60 * kSec, 0, keep), State::kFiring);
  EXPECT_EQ(Step(t, false, 119 * kSec, 0, keep), State::kFiring);
  EXPECT_EQ(Step(t, true, 150 * kSec, 0, keep), State::kFiring);  // back: the hold restarts
  EXPECT_EQ(Step(t, false, 260 * kSec, 0, keep), State::kFiring);
  EXPECT_EQ(Step(t, false, 270 * kSec, 0, keep), State::kResolved);
  EXPECT_EQ(t.resolved_at_ns, 270 * kSec);
}

TEST(AlertFingerprint, StableAndOrderIndependentOverLabels) {
  const Labels a = {{"alertname", "HighLatency"}, {"model", "m1"}, {"project", "demo"}};
  Labels b;
  b["project"] = "demo";
  b["model"] = "m1";
  b["alertname"] = "HighLatency";
  EXPECT_EQ(Fingerprint(a), Fingerprint(b));
  EXPECT_EQ(Fingerprint(a).size(), 16u);
  Labels c = a;
  c["model"] = "m2";
  EXPECT_NE(Fingerprint(a), Fingerprint(c));
  // Label boundaries matter: {ab: c} differs from {a: bc}.
  EXPECT_NE(Fingerprint({{"ab", "c"}}), Fingerprint({{"a", "bc"}}));
}

TEST(Silences, MatchersEqualityRegexAndNegation) {
  Silence s;
  s.starts_ns = 0;
  s.ends_ns = 100;
  s.matchers = {{"alertname", "HighLatency", false, true}, {"model", "gpt-4o.*", true, true}};
  const Labels hit = {{"alertname", "HighLatency"}, {"model", "gpt-4o-mini"}};
  const Labels other_model = {{"alertname", "HighLatency"}, {"model", "claude"}};
  EXPECT_TRUE(Silences(s, hit, 50));
  EXPECT_FALSE(Silences(s, other_model, 50));
  // Regexes are anchored: "4o" alone does not match "gpt-4o-mini".
  s.matchers = {{"model", "4o", true, true}};
  EXPECT_FALSE(Silences(s, hit, 50));
  s.matchers = {{"model", "claude", false, false}};  // model != claude
  EXPECT_TRUE(Silences(s, hit, 50));
  EXPECT_FALSE(Silences(s, other_model, 50));
  // A missing label reads as "".
  s.matchers = {{"route", "", false, true}};
  EXPECT_TRUE(Silences(s, hit, 50));
}

TEST(Silences, OnlyWhileActiveAndWithinTheirProject) {
  Silence s;
  s.starts_ns = 100;
  s.ends_ns = 200;
  s.matchers = {{"alertname", "A", false, true}};
  const Labels labels = {{"alertname", "A"}, {"project", "shop"}};
  EXPECT_STREQ(SilenceStatus(s, 99), "pending");
  EXPECT_FALSE(Silences(s, labels, 99));
  EXPECT_STREQ(SilenceStatus(s, 100), "active");
  EXPECT_TRUE(Silences(s, labels, 100));
  EXPECT_TRUE(Silences(s, labels, 199));
  EXPECT_STREQ(SilenceStatus(s, 200), "expired");
  EXPECT_FALSE(Silences(s, labels, 200));
  s.project = "bank";
  EXPECT_FALSE(Silences(s, labels, 150));
  s.project = "shop";
  EXPECT_TRUE(Silences(s, labels, 150));
}

TEST(Silences, ValidationNamesTheProblem) {
  Silence s;
  s.starts_ns = 0;
  s.ends_ns = 10;
  EXPECT_EQ(ValidateSilence(s).error().message(), "matchers: at least one matcher is required");
  s.matchers = {{"model", "(", true, true}};
  EXPECT_TRUE(ValidateSilence(s).error().message().starts_with(
      "matchers[0].value: invalid regular expression"));
  s.matchers = {{"", "x", false, true}};
  EXPECT_EQ(ValidateSilence(s).error().message(), "matchers[0].name: expected a label name");
  s.matchers = {{"model", "x", false, true}};
  s.ends_ns = 0;
  EXPECT_EQ(ValidateSilence(s).error().message(), "ends: must be after starts");
}

}  // namespace
}  // namespace yardstick::alerts

// The store conformance suite (see conformance.h). Values computed here from the raw records
// are the reference for what the store answers from rollups.

#include "store/conformance.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace yardstick::store::testing {
namespace {

constexpr int64_t kT0 = 1'764'115'200'000'000'000;  // 2025-11-26T00:00:00Z (a UTC midnight)

model::Call MakeCall(std::mt19937_64& rng, int i, int64_t span_ns) {
  static const std::vector<std::string> kModels = {"gpt-4o", "gpt-4o-mini", "claude-sonnet"};
  static const std::vector<std::string> kRoutes = {"chat", "search", "summarize"};
  model::Call c;
  c.project = "p1";
  c.id = "call-" + std::to_string(i);
  c.conversation_id = "conv-" + std::to_string(i / 4);
  c.session_id = "sess-" + std::to_string(i / 8);
  c.user_id = "user-" + std::to_string(i % 50);
  c.start_ns = kT0 + static_cast<int64_t>(rng() % static_cast<uint64_t>(span_ns));
  std::lognormal_distribution<double> lat(0.0, 0.8);
  c.end_ns = c.start_ns + static_cast<int64_t>(lat(rng) * 1e9);
  if (i % 3 == 0) c.ttft_s = lat(rng) * 0.2;
  c.operation = "chat";
  c.provider = "openai";
  c.request_model = kModels[rng() % kModels.size()];
  c.route = kRoutes[rng() % kRoutes.size()];
  c.environment = i % 5 == 0 ? "staging" : "prod";
  c.variant = i % 2 ? "A" : "B";
  c.input_tokens = static_cast<int64_t>(rng() % 2000);
  c.output_tokens = static_cast<int64_t>(rng() % 500);
  if (i % 7 != 0) c.cost_usd = static_cast<double>(c.input_tokens) * 1e-6;
  c.status = rng() % 50 == 0 ? model::CallStatus::kError : model::CallStatus::kOk;
  c.input_text = "question " + std::to_string(i);
  c.attributes = {{"tenant", i % 2 ? "acme" : "globex"},
                  {"tier", "gold"},
                  {"note", "a \"quoted\" \\ value\n\twith control \x01 and ünïcödé"}};
  return c;
}

std::vector<model::Call> MakeCalls(int n, int64_t span_ns, uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::vector<model::Call> calls;
  for (int i = 0; i < n; ++i) calls.push_back(MakeCall(rng, i, span_ns));
  return calls;
}

void Append(Store& s, const model::Batch& b) {
  auto r = s.Append(b);
  ASSERT_TRUE(r.has_value()) << r.error().message();
}

TEST_P(StoreConformance, AppendStoresAndIgnoresDuplicates) {
  model::Batch b;
  b.calls = MakeCalls(100, kNanosPerHour);
  auto r = store_->Append(b);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->stored, 100u);
  EXPECT_EQ(r->duplicates, 0u);
  auto again = store_->Append(b);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->stored, 0u);
  EXPECT_EQ(again->duplicates, 100u);
  auto counts = store_->CountRecords("p1");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->calls, 100u);
  // Duplicates did not inflate the rollups either.
  RollupQuery q{"p1", kT0, kT0 + kNanosPerHour, 0, {}, {}, "", ""};
  auto cells = store_->QueryCallRollups(q);
  ASSERT_TRUE(cells.has_value());
  ASSERT_EQ(cells->size(), 1u);
  EXPECT_EQ((*cells)[0].aggregate.calls, 100u);
}

TEST_P(StoreConformance, RejectsRecordsWithoutProjectOrId) {
  model::Batch b;
  b.calls = MakeCalls(1, kNanosPerHour);
  b.calls[0].project = "";
  EXPECT_FALSE(store_->Append(b).has_value());
  b.calls[0].project = "p1";
  b.calls[0].id = "";
  EXPECT_FALSE(store_->Append(b).has_value());
}

// Rollups over any range and step equal aggregating the raw calls of each bucket.
TEST_P(StoreConformance, RollupsEqualRawAggregationAtEveryResolution) {
  const int64_t span = 3 * kNanosPerDay + 5 * kNanosPerHour;
  const auto calls = MakeCalls(3000, span, 11);
  for (size_t i = 0; i < calls.size(); i += 500) {
    model::Batch b;
    b.calls.assign(calls.begin() + static_cast<long>(i),
                   calls.begin() + static_cast<long>(std::min(calls.size(), i + 500)));
    Append(*store_, b);
  }
  struct Case {
    int64_t from, to, step;
    std::vector<std::string> group_by;
  };
  const std::vector<Case> cases = {
      {kT0, kT0 + span, 0, {}},
      {kT0 - kNanosPerDay, kT0 + 5 * kNanosPerDay, kNanosPerDay, {"model"}},
      {kT0 + 7 * kNanosPerMinute, kT0 + 2 * kNanosPerDay + 13 * kNanosPerMinute, kNanosPerHour, {}},
      {kT0 + 3 * kNanosPerMinute, kT0 + 3 * kNanosPerDay, 5 * kNanosPerHour, {"route", "model"}},
      {kT0 + 30 * kNanosPerMinute, kT0 + 20 * kNanosPerHour, 7 * kNanosPerMinute, {}},
      {kT0 + 90 * kNanosPerMinute,
       kT0 + 2 * kNanosPerDay + 95 * kNanosPerMinute,
       0,
       {"environment"}},
  };
  for (const auto& c : cases) {
    RollupQuery q{"p1", c.from, c.to, c.step, c.group_by, {}, "", ""};
    auto cells = store_->QueryCallRollups(q);
    ASSERT_TRUE(cells.has_value()) << cells.error().message();
    std::map<std::pair<int64_t, std::vector<std::string>>, CallAggregate> expected;
    for (const auto& call : calls) {
      if (call.start_ns < c.from || call.start_ns >= c.to) continue;
      const int64_t bucket =
          c.step > 0 ? c.from + (call.start_ns - c.from) / c.step * c.step : c.from;
      std::vector<std::string> group;
      const Dimensions dims = DimensionsOf(call);
      for (const auto& g : c.group_by) group.push_back(*DimensionValue(dims, g));
      expected[{bucket, group}].Add(call);
    }
    ASSERT_EQ(cells->size(), expected.size()) << "step " << c.step;
    for (const auto& cell : *cells) {
      const auto it = expected.find({cell.bucket_ns, cell.group});
      ASSERT_NE(it, expected.end()) << "unexpected bucket " << cell.bucket_ns;
      const CallAggregate& want = it->second;
      const CallAggregate& got = cell.aggregate;
      EXPECT_EQ(got.calls, want.calls);
      EXPECT_EQ(got.errors, want.errors);
      EXPECT_EQ(got.input_tokens, want.input_tokens);
      EXPECT_EQ(got.output_tokens, want.output_tokens);
      EXPECT_EQ(got.priced_calls, want.priced_calls);
      EXPECT_NEAR(got.cost_sum, want.cost_sum, 1e-9 * std::max(1.0, want.cost_sum));
      EXPECT_NEAR(got.latency_sum, want.latency_sum, 1e-9 * std::max(1.0, want.latency_sum));
      // Sketch merges are exact: the same buckets as adding the values directly.
      EXPECT_TRUE(got.latency == want.latency);
      EXPECT_TRUE(got.ttft == want.ttft);
      EXPECT_EQ(got.latency.Quantile(0.95), want.latency.Quantile(0.95));
    }
  }
}

TEST_P(StoreConformance, RollupFiltersAndBadArguments) {
  model::Batch b;
  b.calls = MakeCalls(400, kNanosPerDay, 3);
  Append(*store_, b);
  RollupQuery q{"p1", kT0, kT0 + kNanosPerDay, 0, {}, {{"model", "gpt-4o"}, {"route", "chat"}},
                "",   ""};
  auto cells = store_->QueryCallRollups(q);
  ASSERT_TRUE(cells.has_value());
  uint64_t want = 0;
  for (const auto& c : b.calls) want += c.model() == "gpt-4o" && c.route == "chat";
  ASSERT_EQ(cells->size(), 1u);
  EXPECT_EQ((*cells)[0].aggregate.calls, want);

  q.filter = {{"colour", "red"}};
  EXPECT_FALSE(store_->QueryCallRollups(q).has_value());
  q.filter = {};
  q.group_by = {"colour"};
  EXPECT_FALSE(store_->QueryCallRollups(q).has_value());
  q.group_by = {};
  q.step_ns = 90'000'000'000 / 2;  // 45 s: not whole minutes
  EXPECT_FALSE(store_->QueryCallRollups(q).has_value());
  // Another project sees nothing.
  RollupQuery other{"p2", kT0, kT0 + kNanosPerDay, 0, {}, {}, "", ""};
  auto none = store_->QueryCallRollups(other);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformance, ScoresAndOutcomesInheritTheDimensionsOfTheirCall) {
  model::Batch b;
  b.calls = MakeCalls(8, kNanosPerMinute, 5);
  for (auto& c : b.calls) c.request_model = "m-" + c.id;
  Append(*store_, b);
  model::Batch s;
  for (int i = 0; i < 8; ++i) {
    model::Score sc;
    sc.project = "p1";
    sc.id = "s" + std::to_string(i);
    sc.call_id = "call-" + std::to_string(i);
    sc.name = "helpfulness";
    sc.value = i;
    sc.source = "judge";
    sc.time_ns = kT0 + kNanosPerMinute + i;
    s.scores.push_back(sc);
  }
  model::Outcome o;
  o.project = "p1";
  o.id = "o1";
  o.conversation_id = "conv-0";
  o.name = "resolved";
  o.time_ns = kT0 + 2 * kNanosPerMinute;
  s.outcomes.push_back(o);
  Append(*store_, s);

  RollupQuery q{"p1", kT0, kT0 + kNanosPerHour, 0, {"model"}, {}, "helpfulness", ""};
  auto cells = store_->QueryScoreRollups(q);
  ASSERT_TRUE(cells.has_value()) << cells.error().message();
  ASSERT_EQ(cells->size(), 8u);
  for (const auto& c : *cells) {
    ASSERT_EQ(c.group.size(), 1u);
    const int i = std::stoi(c.group[0].substr(std::string("m-call-").size()));
    EXPECT_EQ(c.aggregate.count, 1u);
    EXPECT_EQ(c.aggregate.sum, i);
  }
  // A score's conversation comes from its call.
  auto conv = store_->GetConversation("p1", "conv-1");
  ASSERT_TRUE(conv.has_value());
  EXPECT_EQ(conv->calls.size(), 4u);
  EXPECT_EQ(conv->scores.size(), 4u);
  for (size_t i = 1; i < conv->calls.size(); ++i) {
    EXPECT_LE(conv->calls[i - 1].start_ns, conv->calls[i].start_ns);
  }
  RollupQuery oq{"p1", kT0, kT0 + kNanosPerHour, 0, {}, {}, "resolved", ""};
  auto outcomes = store_->QueryOutcomeRollups(oq);
  ASSERT_TRUE(outcomes.has_value());
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ((*outcomes)[0].aggregate.count, 1u);
  auto conv0 = store_->GetConversation("p1", "conv-0");
  ASSERT_TRUE(conv0.has_value());
  ASSERT_EQ(conv0->outcomes.size(), 1u);
  EXPECT_EQ(conv0->outcomes[0].name, "resolved");
  EXPECT_FALSE(store_->GetConversation("p1", "nope").has_value());
  EXPECT_FALSE(store_->GetConversation("p2", "conv-0").has_value());
}

TEST_P(StoreConformance, ListingPagesThroughEverythingInOrder) {
  model::Batch b;
  b.calls = MakeCalls(257, kNanosPerDay, 9);
  Append(*store_, b);
  RecordQuery q;
  q.project = "p1";
  q.limit = 50;
  std::vector<model::Call> seen;
  for (int pages = 0; pages < 20; ++pages) {
    auto page = store_->ListCalls(q);
    ASSERT_TRUE(page.has_value()) << page.error().message();
    seen.insert(seen.end(), page->records.begin(), page->records.end());
    if (page->next.empty()) break;
    q.after = page->next;
  }
  ASSERT_EQ(seen.size(), 257u);
  std::set<std::string> ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    ids.insert(seen[i].id);
    if (i > 0) {
      EXPECT_GE(seen[i - 1].start_ns, seen[i].start_ns);
    }
  }
  EXPECT_EQ(ids.size(), 257u);
  // Round trip of every field.
  const auto& first = *std::find_if(b.calls.begin(), b.calls.end(),
                                    [&](const model::Call& c) { return c.id == seen[0].id; });
  EXPECT_EQ(seen[0].attributes, first.attributes);
  EXPECT_EQ(seen[0].input_text, first.input_text);
  EXPECT_EQ(seen[0].cost_usd, first.cost_usd);
  EXPECT_EQ(seen[0].ttft_s, first.ttft_s);
  EXPECT_EQ(seen[0].end_ns, first.end_ns);

  RecordQuery f;
  f.project = "p1";
  f.limit = 1000;
  f.filter = {{"status", "error"}};
  auto errors = store_->ListCalls(f);
  ASSERT_TRUE(errors.has_value());
  size_t want = 0;
  for (const auto& c : b.calls) want += c.status == model::CallStatus::kError;
  EXPECT_EQ(errors->records.size(), want);
  f.filter = {{"status", "broken"}};
  EXPECT_FALSE(store_->ListCalls(f).has_value());
  f.filter = {{"nonsense", "x"}};
  EXPECT_FALSE(store_->ListCalls(f).has_value());
  RecordQuery bad;
  bad.project = "p1";
  bad.after = "garbage";
  EXPECT_FALSE(store_->ListCalls(bad).has_value());
}

TEST_P(StoreConformance, ConversationStatsCountOutcomes) {
  model::Batch b;
  b.calls = MakeCalls(40, kNanosPerHour, 21);  // conversations conv-0 .. conv-9
  for (int i = 0; i < 10; ++i) {
    model::Outcome o;
    o.project = "p1";
    o.conversation_id = "conv-" + std::to_string(i);
    o.time_ns = kT0 + kNanosPerHour;
    if (i < 3) {
      o.id = "esc" + std::to_string(i);
      o.name = "escalated";
      b.outcomes.push_back(o);
    }
    if (i >= 3 && i < 8) {
      o.id = "res" + std::to_string(i);
      o.name = "resolved";
      b.outcomes.push_back(o);
    }
    if (i == 7) {
      o.id = "rep" + std::to_string(i);
      o.name = "repeat_contact";
      b.outcomes.push_back(o);
    }
  }
  Append(*store_, b);
  RollupQuery q{"p1", kT0, kT0 + kNanosPerHour, 0, {}, {}, "", ""};
  auto cells = store_->QueryConversations(q);
  ASSERT_TRUE(cells.has_value()) << cells.error().message();
  ASSERT_EQ(cells->size(), 1u);
  const auto& a = (*cells)[0].aggregate;
  EXPECT_EQ(a.conversations, 10u);
  EXPECT_EQ(a.escalated, 3u);
  EXPECT_EQ(a.resolved, 5u);
  EXPECT_EQ(a.resolved_first_contact, 4u);
  EXPECT_EQ(a.sessions, 5u);
  double cost = 0;
  for (const auto& c : b.calls) cost += c.cost_usd.value_or(0);
  EXPECT_NEAR(a.cost_sum, cost, 1e-12);
}

TEST_P(StoreConformance, RawQueriesFilterOnAnyFieldAndAttribute) {
  model::Batch b;
  b.calls = MakeCalls(300, kNanosPerDay, 4);
  Append(*store_, b);
  RawQuery q;
  q.project = "p1";
  q.source = "calls";
  q.from_ns = kT0;
  q.to_ns = kT0 + kNanosPerDay;
  q.filter = {{"attributes.tenant", "acme"}, {"status", "ok"}};
  q.field = "latency";
  auto cells = store_->QueryRaw(q);
  ASSERT_TRUE(cells.has_value()) << cells.error().message();
  uint64_t n = 0;
  double sum = 0;
  for (const auto& c : b.calls) {
    if (c.attributes[0].second == "acme" && c.status == model::CallStatus::kOk) {
      ++n;
      sum += c.latency_s();
    }
  }
  ASSERT_EQ(cells->size(), 1u);
  EXPECT_EQ((*cells)[0].aggregate.count, n);
  EXPECT_NEAR((*cells)[0].aggregate.sum, sum, 1e-9);
  q.field = "bogus";
  EXPECT_FALSE(store_->QueryRaw(q).has_value());
  q.field = "";
  q.source = "nothing";
  EXPECT_FALSE(store_->QueryRaw(q).has_value());
}

// Grouped by an attribute, raw queries answer per group the aggregates rollups would keep had
// the attribute been a dimension; records without the attribute form the group "".
TEST_P(StoreConformance, RawQueriesGroupByAttributesWithRollupAggregates) {
  model::Batch b;
  b.calls = MakeCalls(400, 3 * kNanosPerHour, 11);
  for (size_t i = 0; i < b.calls.size(); ++i) {
    if (i % 3 != 0) b.calls[i].attributes.emplace_back("region", i % 3 == 1 ? "eu" : "us");
    // Constant within a conversation (4 calls each), for the conversation grouping.
    b.calls[i].attributes.emplace_back("cohort", std::to_string(i / 4 % 3));
  }
  for (int i = 0; i < 90; ++i) {
    model::Score sc;
    sc.project = "p1";
    sc.id = "s" + std::to_string(i);
    sc.name = "csat";
    sc.source = i % 2 ? "survey" : "user";
    if (i % 10 == 0) {
      sc.label = "n/a";
    } else {
      sc.value = 1 + i % 5;
    }
    sc.time_ns = kT0 + i * kNanosPerMinute;
    if (i % 4 != 0) sc.attributes = {{"channel", i % 4 == 1 ? "web" : "app"}};
    b.scores.push_back(sc);
    model::Outcome o;
    o.project = "p1";
    o.id = "o" + std::to_string(i);
    o.name = "handling_time";
    o.value = 10.0 + i;
    o.time_ns = kT0 + i * kNanosPerMinute;
    o.attributes = {{"channel", i % 2 ? "web" : "app"}};
    b.outcomes.push_back(o);
  }
  Append(*store_, b);

  auto attr = [](const auto& record, const std::string& key) {
    for (const auto& [k, v] : record.attributes) {
      if (k == key) return v;
    }
    return std::string();
  };
  RawQuery q;
  q.project = "p1";
  q.source = "calls";
  q.from_ns = kT0;
  q.to_ns = kT0 + 3 * kNanosPerHour;
  q.step_ns = kNanosPerHour;
  q.group_by = {"route", "attributes.region"};
  auto cells = store_->QueryRaw(q);
  ASSERT_TRUE(cells.has_value()) << cells.error().message();
  std::map<std::pair<int64_t, std::vector<std::string>>, CallAggregate> want;
  for (const auto& c : b.calls) {
    const int64_t bucket = kT0 + (c.start_ns - kT0) / kNanosPerHour * kNanosPerHour;
    want[{bucket, {c.route, attr(c, "region")}}].Add(c);
  }
  ASSERT_EQ(cells->size(), want.size());
  std::set<std::string> regions;
  for (const auto& cell : *cells) {
    ASSERT_EQ(cell.group.size(), 2u);
    regions.insert(cell.group[1]);
    const auto it = want.find({cell.bucket_ns, cell.group});
    ASSERT_NE(it, want.end()) << cell.group[0] << "/" << cell.group[1];
    const CallAggregate& a = cell.aggregate.calls;
    const CallAggregate& w = it->second;
    EXPECT_EQ(cell.aggregate.count, w.calls);
    EXPECT_EQ(a.calls, w.calls);
    EXPECT_EQ(a.errors, w.errors);
    EXPECT_NEAR(a.latency_sum, w.latency_sum, 1e-9);
    EXPECT_NEAR(a.latency_sumsq, w.latency_sumsq, 1e-9);
    EXPECT_EQ(a.latency.count(), w.latency.count());
    EXPECT_EQ(a.latency.Quantile(0.9), w.latency.Quantile(0.9));
    EXPECT_EQ(a.ttft.count(), w.ttft.count());
    EXPECT_EQ(a.input_tokens, w.input_tokens);
    EXPECT_EQ(a.output_tokens, w.output_tokens);
    EXPECT_EQ(a.token_calls, w.token_calls);
    EXPECT_EQ(a.priced_calls, w.priced_calls);
    EXPECT_NEAR(a.cost_sum, w.cost_sum, 1e-12);
  }
  EXPECT_EQ(regions, (std::set<std::string>{"", "eu", "us"}));

  // Scores: the score's own attributes; labels without values count as labeled.
  RawQuery sq;
  sq.project = "p1";
  sq.source = "scores";
  sq.from_ns = kT0;
  sq.to_ns = kT0 + 3 * kNanosPerHour;
  sq.group_by = {"attributes.channel"};
  sq.filter = {{"name", "csat"}, {"source", "survey"}};
  auto scells = store_->QueryRaw(sq);
  ASSERT_TRUE(scells.has_value()) << scells.error().message();
  std::map<std::string, ScoreAggregate> swant;
  for (const auto& sc : b.scores) {
    if (sc.source == "survey") swant[attr(sc, "channel")].Add(sc);
  }
  ASSERT_EQ(scells->size(), swant.size());
  for (const auto& cell : *scells) {
    const ScoreAggregate& w = swant.at(cell.group.at(0));
    EXPECT_EQ(cell.aggregate.scores.count, w.count);
    EXPECT_EQ(cell.aggregate.scores.sum, w.sum);
    EXPECT_EQ(cell.aggregate.scores.at_least_4, w.at_least_4);
    EXPECT_EQ(cell.aggregate.scores.labeled, w.labeled);
  }
  // Outcomes, filtered and grouped by attribute.
  RawQuery oq = sq;
  oq.source = "outcomes";
  oq.filter = {{"name", "handling_time"}, {"attributes.channel", "web"}};
  auto ocells = store_->QueryRaw(oq);
  ASSERT_TRUE(ocells.has_value()) << ocells.error().message();
  ASSERT_EQ(ocells->size(), 1u);
  EXPECT_EQ((*ocells)[0].group, std::vector<std::string>{"web"});
  double osum = 0;
  for (const auto& o : b.outcomes) osum += attr(o, "channel") == "web" ? o.value : 0;
  EXPECT_EQ((*ocells)[0].aggregate.scores.count, 45u);
  EXPECT_DOUBLE_EQ((*ocells)[0].aggregate.scores.sum, osum);

  // Conversations by their calls' attribute (constant within a conversation), and by one that
  // varies within it: the conversation goes to the group of its first call.
  RollupQuery cq{"p1", kT0, kT0 + 3 * kNanosPerHour, 0, {"attributes.cohort"}, {}, "", ""};
  auto conv = store_->QueryConversations(cq);
  ASSERT_TRUE(conv.has_value()) << conv.error().message();
  std::map<std::string, std::set<std::string>> conv_want;
  for (const auto& c : b.calls) conv_want[attr(c, "cohort")].insert(c.conversation_id);
  ASSERT_EQ(conv->size(), conv_want.size());
  for (const auto& cell : *conv) {
    EXPECT_EQ(cell.aggregate.conversations, conv_want.at(cell.group.at(0)).size());
  }
  cq.filter = {{"attributes.cohort", "1"}};
  conv = store_->QueryConversations(cq);
  ASSERT_TRUE(conv.has_value()) << conv.error().message();
  ASSERT_EQ(conv->size(), 1u);
  EXPECT_EQ((*conv)[0].aggregate.conversations, conv_want.at("1").size());
  cq.filter.clear();
  cq.group_by = {"attributes.region"};
  conv = store_->QueryConversations(cq);
  ASSERT_TRUE(conv.has_value()) << conv.error().message();
  std::map<std::string, const model::Call*> first;
  for (const auto& c : b.calls) {
    auto& f = first[c.conversation_id];
    if (!f || c.start_ns < f->start_ns) f = &c;
  }
  std::map<std::string, uint64_t> by_first_region;
  for (const auto& [id, c] : first) ++by_first_region[attr(*c, "region")];
  ASSERT_EQ(conv->size(), by_first_region.size());
  for (const auto& cell : *conv) {
    EXPECT_EQ(cell.aggregate.conversations, by_first_region.at(cell.group.at(0)))
        << cell.group.at(0);
  }

  // The group limit, and names that are not attributes.
  q.group_by = {"attributes.region"};
  q.max_groups = 2;
  auto limited = store_->QueryRaw(q);
  ASSERT_FALSE(limited.has_value());
  EXPECT_EQ(limited.error().code(), ErrorCode::kInvalidArgument);
  q.max_groups = 3;
  EXPECT_TRUE(store_->QueryRaw(q).has_value());
  for (const char* bad : {"attributes.", "attributes.a'b", "attributes.a\"b", "region"}) {
    q.group_by = {bad};
    EXPECT_FALSE(store_->QueryRaw(q).has_value()) << bad;
  }
}

TEST_P(StoreConformance, ConcurrentAppendsAreAllStored) {
  const auto calls = MakeCalls(4000, kNanosPerDay, 99);
  std::vector<std::thread> threads;
  std::atomic<size_t> stored{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t) * 50; i < calls.size(); i += 400) {
        model::Batch b;
        b.calls.assign(calls.begin() + static_cast<long>(i),
                       calls.begin() + static_cast<long>(i + 50));
        auto r = store_->Append(b);
        if (r) {
          stored += r->stored;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), calls.size());
  RollupQuery q{"p1", kT0, kT0 + kNanosPerDay, 0, {}, {}, "", ""};
  auto cells = store_->QueryCallRollups(q);
  ASSERT_TRUE(cells.has_value());
  ASSERT_EQ(cells->size(), 1u);
  EXPECT_EQ((*cells)[0].aggregate.calls, calls.size());
}

TEST_P(StoreConformance, EverythingSurvivesReopening) {
  model::Batch b;
  b.calls = MakeCalls(200, kNanosPerDay, 8);
  Append(*store_, b);
  ASSERT_TRUE(store_->PutApiKey({"abc123", "p1", "project", "k", 1}).has_value());
  Reopen();
  auto counts = store_->CountRecords("p1");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->calls, 200u);
  auto key = store_->FindApiKey("abc123");
  ASSERT_TRUE(key.has_value());
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ((*key)->project, "p1");
  auto projects = store_->ListProjects();
  ASSERT_TRUE(projects.has_value());
  EXPECT_EQ(*projects, std::vector<std::string>{"p1"});
  // Appending after reopening continues the rollups.
  model::Batch more;
  more.calls = MakeCalls(250, kNanosPerDay, 8);  // the first 200 ids are duplicates
  auto r = store_->Append(more);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->stored, 50u);
  RollupQuery q{"p1", kT0, kT0 + kNanosPerDay, 0, {}, {}, "", ""};
  auto cells = store_->QueryCallRollups(q);
  ASSERT_TRUE(cells.has_value());
  EXPECT_EQ((*cells)[0].aggregate.calls, 250u);
}

TEST_P(StoreConformance, RetentionDropsOldRecordsAndRollups) {
  model::Batch b;
  b.calls = MakeCalls(100, 2 * kNanosPerDay, 12);
  Append(*store_, b);
  const int64_t cut = kT0 + kNanosPerDay;
  ASSERT_TRUE(store_->ApplyRetention(cut, cut, 0, 0).has_value());
  auto counts = store_->CountRecords("p1");
  ASSERT_TRUE(counts.has_value());
  size_t want = 0;
  for (const auto& c : b.calls) want += c.start_ns >= cut;
  EXPECT_EQ(counts->calls, want);
  // Day rollups were kept (their limit is 0), so a day-aligned query still sees everything.
  RollupQuery q{"p1", kT0, kT0 + 2 * kNanosPerDay, kNanosPerDay, {}, {}, "", ""};
  auto cells = store_->QueryCallRollups(q);
  ASSERT_TRUE(cells.has_value());
  uint64_t total = 0;
  for (const auto& c : *cells) total += c.aggregate.calls;
  EXPECT_EQ(total, 100u);
}

}  // namespace
}  // namespace yardstick::store::testing

#include "pricing/price_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace yardstick::pricing {
namespace {

const PriceTable& Builtin() {
  static const PriceTable* table = [] {
    auto t = PriceTable::Builtin();
    EXPECT_TRUE(t.has_value());
    return new PriceTable(*std::move(t));
  }();
  return *table;
}

model::Call Call(std::string model, int64_t input, int64_t output, int64_t cache_read = -1,
                 int64_t cache_creation = -1, int64_t reasoning = -1) {
  model::Call c;
  c.project = "p";
  c.response_model = std::move(model);
  c.input_tokens = input;
  c.output_tokens = output;
  c.cache_read_tokens = cache_read;
  c.cache_creation_tokens = cache_creation;
  c.reasoning_tokens = reasoning;
  return c;
}

// Costs are sums of a few products; allow for rounding only.
void ExpectCost(const std::optional<double>& cost, double expected) {
  ASSERT_TRUE(cost.has_value());
  EXPECT_NEAR(*cost, expected, 1e-12 * std::max(1.0, std::abs(expected)));
}

// Expected values below are computed by hand from data/model-prices.json:
//   gpt-4o              input 2.5e-6, input_cached_tokens 1.25e-6, output 10e-6
//   gpt-4o-2024-05-13   input 5e-6, output 15e-6
//   claude-sonnet-4-5-20250929  input 3e-6, cache_read_input_tokens 3e-7,
//                               input_cache_creation 3.75e-6, output 1.5e-5
//   o3                  input 2e-6, input_cached_tokens 5e-7, output 8e-6,
//                       output_reasoning_tokens 8e-6
//   gemini-2.5-pro      Standard: input 1.25e-6, input_cached_tokens 1.25e-7, output 1e-5;
//                       Large Context ((input|prompt|cached) > 200000): input 2.5e-6,
//                       input_cached_tokens 2.5e-7, output 1.5e-5
//   gpt-5.4             Standard: input 2.5e-6, output 1.5e-5; Flex (service_tier in [flex],
//                       priority 3): input 1.25e-6, output 7.5e-6; Flex · Large context
//                       (flex and (input) > 272000, priority 1): input 2.5e-6, output 1.125e-5;
//                       Large Context ((input) > 272000, priority 4): input 5e-6,
//                       output 2.25e-5; Fast mode (fast|priority, priority 2): input 5e-6,
//                       output 3e-5
//   text-davinci-003    total 2e-5;  text-embedding-3-small  total 2e-8

TEST(PriceTable, PricesKnownModelsExactly) {
  // 800 uncached + 200 cached input, 500 output.
  ExpectCost(Builtin().Cost(Call("gpt-4o", 1000, 500, 200)),
             800 * 2.5e-6 + 200 * 1.25e-6 + 500 * 10e-6);
  ExpectCost(Builtin().Cost(Call("gpt-4o-2024-05-13", 1000, 500)), 1000 * 5e-6 + 500 * 15e-6);
  // 7000 uncached, 2000 cache read, 1000 cache creation, 300 output.
  ExpectCost(Builtin().Cost(Call("claude-sonnet-4-5-20250929", 10000, 300, 2000, 1000)),
             7000 * 3e-6 + 2000 * 3e-7 + 1000 * 3.75e-6 + 300 * 1.5e-5);
  // Reasoning tokens are part of output_tokens.
  ExpectCost(Builtin().Cost(Call("o3", 100, 1000, -1, -1, 800)),
             100 * 2e-6 + 200 * 8e-6 + 800 * 8e-6);
  // Total-only entries charge every token at the total price.
  ExpectCost(Builtin().Cost(Call("text-davinci-003", 100, 50)), 150 * 2e-5);
  ExpectCost(Builtin().Cost(Call("text-embedding-3-small", 1000, -1)), 1000 * 2e-8);
  // Zero tokens cost zero; that is different from unknown.
  ExpectCost(Builtin().Cost(Call("gpt-4o", 0, 0)), 0.0);
}

TEST(PriceTable, MatchesPrefixedAndDatedNames) {
  const double gpt4o = 1000 * 2.5e-6 + 100 * 10e-6;
  ExpectCost(Builtin().Cost(Call("openai/gpt-4o", 1000, 100)), gpt4o);  // in the pattern
  ExpectCost(Builtin().Cost(Call("GPT-4o", 1000, 100)), gpt4o);         // (?i)
  ExpectCost(Builtin().Cost(Call("azure/gpt-4o", 1000, 100)), gpt4o);   // prefix removed
  ExpectCost(Builtin().Cost(Call("openrouter/openai/gpt-4o", 1000, 100)), gpt4o);
  ExpectCost(Builtin().Cost(Call("gpt-4o-20990101", 1000, 100)), gpt4o);  // date removed
  ExpectCost(Builtin().Cost(Call("gpt-4o-2099-01-01", 1000, 100)), gpt4o);
  ExpectCost(Builtin().Cost(Call("azure/gpt-4o-2099-01-01", 1000, 100)), gpt4o);
  // A dated name with its own entry keeps it.
  ExpectCost(Builtin().Cost(Call("azure/gpt-4o-2024-05-13", 1000, 100)), 1000 * 5e-6 + 100 * 15e-6);

  auto q = Builtin().Lookup("p", "azure/gpt-4o-2024-05-13");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->entry->model_name, "gpt-4o-2024-05-13");
  EXPECT_EQ(q->matched_name, "gpt-4o-2024-05-13");
  EXPECT_FALSE(q->entry->from_override);
  auto dated = Builtin().Lookup("p", "gpt-4o-2099-01-01");
  ASSERT_TRUE(dated.has_value());
  EXPECT_EQ(dated->entry->model_name, "gpt-4o");
  EXPECT_EQ(dated->matched_name, "gpt-4o");
  // Bedrock-style names are in the patterns.
  auto bedrock = Builtin().Lookup("p", "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
  ASSERT_TRUE(bedrock.has_value());
  EXPECT_EQ(bedrock->entry->model_name, "claude-sonnet-4-5-20250929");
  // Not dates: the suffix stays.
  EXPECT_FALSE(Builtin().Lookup("p", "gpt-4o-20991301").has_value());  // month 13
  EXPECT_FALSE(Builtin().Lookup("p", "gpt-4o-1234").has_value());
}

TEST(PriceTable, UnknownModelsAndMissingCountsHaveNoCost) {
  EXPECT_FALSE(Builtin().Cost(Call("no-such-model", 100, 100)).has_value());
  EXPECT_FALSE(Builtin().Cost(Call("", 100, 100)).has_value());
  EXPECT_FALSE(Builtin().Cost(Call("gpt-4o", -1, -1)).has_value());
  EXPECT_FALSE(Builtin().Lookup("p", "no-such-model").has_value());
  EXPECT_FALSE(Builtin().Lookup("p", "").has_value());
  // Only one count known: the other is 0.
  ExpectCost(Builtin().Cost(Call("gpt-4o", -1, 100)), 100 * 10e-6);
}

TEST(PriceTable, FallsBackToTheRequestModel) {
  model::Call c = Call("my-azure-deployment", 1000, 100);
  c.request_model = "gpt-4o";
  ExpectCost(Builtin().Cost(c), 1000 * 2.5e-6 + 100 * 10e-6);
  // The response model wins when both are known.
  c.response_model = "gpt-4o-2024-05-13";
  ExpectCost(Builtin().Cost(c), 1000 * 5e-6 + 100 * 15e-6);
}

TEST(PriceTable, InconsistentCacheCountsDoNotGoNegative) {
  // More cached tokens than input tokens: nothing is uncached, the cached tokens are priced.
  ExpectCost(Builtin().Cost(Call("gpt-4o", 100, 0, 300)), 300 * 1.25e-6);
  // Input unknown, cache known.
  ExpectCost(Builtin().Cost(Call("gpt-4o", -1, 10, 300)), 300 * 1.25e-6 + 10 * 10e-6);
}

TEST(PriceTable, UsageTiers) {
  // (input|prompt|cached) > 200000 sums uncached and cached input.
  ExpectCost(Builtin().Cost(Call("gemini-2.5-pro", 200000, 1000)), 200000 * 1.25e-6 + 1000 * 1e-5);
  ExpectCost(Builtin().Cost(Call("gemini-2.5-pro", 200001, 1000)), 200001 * 2.5e-6 + 1000 * 1.5e-5);
  ExpectCost(Builtin().Cost(Call("gemini-2.5-pro", 250000, 1000, 60000)),
             190000 * 2.5e-6 + 60000 * 2.5e-7 + 1000 * 1.5e-5);
  // Output tokens do not count towards the input condition.
  ExpectCost(Builtin().Cost(Call("gemini-2.5-pro", 150000, 100000)),
             150000 * 1.25e-6 + 100000 * 1e-5);
  auto q = Builtin().Lookup("p", "gemini-2.5-pro");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(PriceTable::SelectTier(*q->entry, Call("gemini-2.5-pro", 200001, 0)).name,
            "Large Context");
  EXPECT_EQ(PriceTable::SelectTier(*q->entry, Call("gemini-2.5-pro", 10, 0)).name, "Standard");
}

TEST(PriceTable, ParameterTiersFollowPriority) {
  model::Call c = Call("gpt-5.4", 1000, 100);
  ExpectCost(Builtin().Cost(c), 1000 * 2.5e-6 + 100 * 1.5e-5);
  c.attributes = {{"openai.request.service_tier", "flex"}};
  ExpectCost(Builtin().Cost(c), 1000 * 1.25e-6 + 100 * 7.5e-6);
  c.attributes = {{"service_tier", "Priority"}};
  ExpectCost(Builtin().Cost(c), 1000 * 5e-6 + 100 * 3e-5);
  // A key that merely ends with the name is not the parameter.
  c.attributes = {{"my_service_tier", "flex"}};
  ExpectCost(Builtin().Cost(c), 1000 * 2.5e-6 + 100 * 1.5e-5);
  // Flex and large: "Flex · Large context" (priority 1) beats "Flex" (3) and "Large" (4).
  model::Call big = Call("gpt-5.4", 300000, 100);
  big.attributes = {{"gen_ai.request.service_tier", "flex"}};
  ExpectCost(Builtin().Cost(big), 300000 * 2.5e-6 + 100 * 1.125e-5);
  big.attributes.clear();
  ExpectCost(Builtin().Cost(big), 300000 * 5e-6 + 100 * 2.25e-5);
}

TEST(PriceTable, OverridesBeatTheTableAndProjectsBeatGlobal) {
  auto table = PriceTable::Builtin();
  ASSERT_TRUE(table.has_value());
  Override global{"", "^gpt-4o$", {}};
  global.prices.input = 1e-6;
  global.prices.output = 2e-6;
  ASSERT_TRUE(table->AddOverride(global).has_value());
  Override acme{"acme", "(?i)^gpt-4o", {}};
  acme.prices.input = 3e-6;
  acme.prices.output = 4e-6;
  ASSERT_TRUE(table->AddOverride(acme).has_value());

  model::Call c = Call("gpt-4o", 1000, 100);
  c.project = "other";
  ExpectCost(table->Cost(c), 1000 * 1e-6 + 100 * 2e-6);
  c.project = "acme";
  ExpectCost(table->Cost(c), 1000 * 3e-6 + 100 * 4e-6);
  // A dated name without a table entry reaches the global override through its undated form
  // ...
  c.project = "other";
  c.response_model = "gpt-4o-2099-01-01";
  ExpectCost(table->Cost(c), 1000 * 1e-6 + 100 * 2e-6);
  // ... but a dated name with its own table entry keeps the table price.
  c.response_model = "gpt-4o-2024-05-13";
  ExpectCost(table->Cost(c), 1000 * 5e-6 + 100 * 15e-6);
  c.project = "acme";  // the acme override is unanchored at the end
  ExpectCost(table->Cost(c), 1000 * 3e-6 + 100 * 4e-6);

  auto q = table->Lookup("acme", "gpt-4o");
  ASSERT_TRUE(q.has_value());
  EXPECT_TRUE(q->entry->from_override);
  EXPECT_EQ(q->entry->model_name, "override:(?i)^gpt-4o");
  // The builtin table itself is unchanged.
  ExpectCost(Builtin().Cost(Call("gpt-4o", 1000, 100)), 1000 * 2.5e-6 + 100 * 10e-6);
}

TEST(PriceTable, OverridePriceFallbacks) {
  auto table = PriceTable::FromJson("[]", "empty");
  ASSERT_TRUE(table.has_value());
  Override o{"", "^acme-llm$", {}};
  o.prices.input = 1e-6;
  o.prices.output = 2e-6;
  o.prices.reasoning = 4e-6;
  ASSERT_TRUE(table->AddOverride(o).has_value());
  // 50 of the 100 input tokens cached, no cache price: all input at the input price. 40 of the
  // 100 output tokens are reasoning, at the reasoning price.
  ExpectCost(table->Cost(Call("acme-llm", 100, 100, 50, -1, 40)),
             100 * 1e-6 + 60 * 2e-6 + 40 * 4e-6);
  ExpectCost(table->Cost(Call("acme-llm-20250101", 10, 0)), 10 * 1e-6);
  EXPECT_FALSE(table->Cost(Call("gpt-4o", 10, 0)).has_value());  // empty table
}

TEST(PriceTable, BadOverridesAreErrors) {
  auto table = PriceTable::FromJson("[]", "empty");
  ASSERT_TRUE(table.has_value());
  Override bad{"acme", "gpt-(4o", {}};
  bad.prices.input = 1e-6;
  auto r = table->AddOverride(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("price override #1 (project 'acme', match 'gpt-(4o')"),
            std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("regex error at offset 7"), std::string::npos)
      << r.error().message();

  Override none{"", "x", {}};
  EXPECT_NE(table->AddOverride(none).error().message().find("expected at least one price"),
            std::string::npos);
  Override negative{"", "x", {}};
  negative.prices.output = -1;
  EXPECT_NE(table->AddOverride(negative).error().message().find("output must be a non-negative"),
            std::string::npos);
  Override nan{"", "x", {}};
  nan.prices.input = std::nan("");
  EXPECT_FALSE(table->AddOverride(nan).has_value());
}

TEST(PriceTable, PriceBatchLeavesGivenCostsAlone) {
  model::Batch batch;
  batch.calls.push_back(Call("gpt-4o", 1000, 100));
  batch.calls.push_back(Call("gpt-4o", 1000, 100));
  batch.calls[1].cost_usd = 0.5;  // from the client
  batch.calls.push_back(Call("no-such-model", 1000, 100));
  batch.calls.push_back(Call("gpt-4o", -1, -1));
  Builtin().PriceBatch(batch);
  ExpectCost(batch.calls[0].cost_usd, 1000 * 2.5e-6 + 100 * 10e-6);
  EXPECT_TRUE(batch.calls[0].cost_computed);
  EXPECT_EQ(batch.calls[1].cost_usd, 0.5);
  EXPECT_FALSE(batch.calls[1].cost_computed);
  EXPECT_FALSE(batch.calls[2].cost_usd.has_value());
  EXPECT_FALSE(batch.calls[2].cost_computed);
  EXPECT_FALSE(batch.calls[3].cost_usd.has_value());
  EXPECT_FALSE(batch.calls[3].cost_computed);
}

TEST(PriceTable, ManyNamesAndThreadsGiveTheSameAnswers) {
  auto table = PriceTable::Builtin();
  ASSERT_TRUE(table.has_value());
  Override o{"acme", "^gpt-4o$", {}};
  o.prices.input = 1e-6;
  ASSERT_TRUE(table->AddOverride(o).has_value());
  // More distinct names than the cache holds, looked up from four threads.
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 6000; ++i) {
        model::Call c = Call(i % 2 ? "gpt-4o" : "unknown-" + std::to_string(i), 1000, 0);
        c.project = (i + t) % 3 ? "acme" : "other";
        const auto cost = table->Cost(c);
        const bool ok = i % 2 == 0
                            ? !cost.has_value()
                            : cost.has_value() &&
                                  std::abs(*cost - (c.project == "acme" ? 1e-3 : 2.5e-3)) < 1e-15;
        if (!ok) ++wrong[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

}  // namespace
}  // namespace yardstick::pricing

#include "pricing/price_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "pricing/builtin_prices.h"
#include "pricing/price_table.h"

namespace yardstick::pricing {
namespace {

// One entry with the given tiers JSON.
std::string Entry(const std::string& tiers, const std::string& pattern = "(?i)^m$") {
  return R"js([{"modelName": "m", "matchPattern": ")js" + pattern + R"js(", "pricingTiers": )js" +
         tiers + "}]";
}

std::string ErrorOf(const std::string& json) {
  auto t = PriceTable::FromJson(json, "prices.json");
  if (t.has_value()) return "(no error)";
  EXPECT_EQ(t.error().code(), ErrorCode::kParse);
  return t.error().message();
}

TEST(PriceJson, EmbeddedBytesAreTheDataFile) {
  std::ifstream in(YARDSTICK_PRICES_JSON, std::ios::binary);
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string file = ss.str();
  ASSERT_EQ(internal::kBuiltinPricesJsonSize, file.size());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(internal::kBuiltinPricesJson),
                        internal::kBuiltinPricesJsonSize),
            file);
  EXPECT_EQ(internal::kBuiltinPricesJson[file.size()], 0);  // NUL after the bytes
}

TEST(PriceJson, ReadsEveryEntryOfTheShippedTable) {
  auto table = PriceTable::Builtin();
  ASSERT_TRUE(table.has_value()) << table.error().message();
  EXPECT_EQ(table->size(), 167u);
}

TEST(PriceJson, MapsUsageKeyAliasesToBuckets) {
  auto parsed = internal::ParsePriceJson(Entry(R"js([{"isDefault": true, "prices": {
      "input_tokens": 1e-6, "cache_read_input_tokens": 1e-7, "cache_write_tokens": 2e-6,
      "output_tokens": 3e-6, "reasoning_tokens": 5e-6, "input_audio": 9, "total": 7}}])js"),
                                         "t");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  const TokenPrices& p = (*parsed)[0].entry.tiers[0].prices;
  EXPECT_EQ(p.input, 1e-6);
  EXPECT_EQ(p.cache_read, 1e-7);
  EXPECT_EQ(p.cache_creation, 2e-6);
  EXPECT_EQ(p.output, 3e-6);
  EXPECT_EQ(p.reasoning, 5e-6);
  EXPECT_EQ(p.total, 7.0);

  // The first alias of a bucket wins, whatever the order in the file.
  auto both = internal::ParsePriceJson(
      Entry(R"js([{"isDefault": true, "prices": {"input_tokens": 2, "input": 1,
                 "thoughtsTokenCount": 4, "output_reasoning_tokens": 3}}])js"),
      "t");
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ((*both)[0].entry.tiers[0].prices.input, 1.0);
  EXPECT_EQ((*both)[0].entry.tiers[0].prices.reasoning, 3.0);
  EXPECT_FALSE((*both)[0].entry.tiers[0].prices.output.has_value());
}

TEST(PriceJson, ResolvesUsagePatternsToBucketsAndOrdersTiers) {
  auto parsed = internal::ParsePriceJson(Entry(R"js([
      {"isDefault": true, "priority": 0, "conditions": [], "prices": {"input": 1}},
      {"isDefault": false, "priority": 5, "prices": {"input": 3}, "conditions": [
         {"usageDetailPattern": "^output$", "operator": "lte", "value": 10}]},
      {"isDefault": false, "priority": 1, "prices": {"input": 2}, "conditions": [
         {"usageDetailPattern": "(input|prompt|cached)", "operator": "gt", "value": 200000,
          "caseSensitive": false},
         {"usageDetailPattern": "REASONING", "operator": "eq", "value": 0,
          "caseSensitive": true},
         {"usageDetailPattern": "Reasoning", "operator": "neq", "value": 0},
         {"source": "model_parameters", "key": "service_tier", "operator": "in",
          "values": ["flex"]}]}])js"),
                                         "t");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  const auto& tiers = (*parsed)[0].entry.tiers;
  ASSERT_EQ(tiers.size(), 3u);
  EXPECT_EQ(tiers[0].priority, 1);
  EXPECT_EQ(tiers[1].priority, 5);
  EXPECT_TRUE(tiers[2].is_default);
  ASSERT_EQ(tiers[0].usage.size(), 3u);
  EXPECT_EQ(tiers[0].usage[0].buckets, kUncachedInput | kCacheRead | kCacheCreation);
  EXPECT_EQ(tiers[0].usage[0].comparison, Comparison::kGt);
  EXPECT_EQ(tiers[0].usage[0].value, 200000);
  EXPECT_EQ(tiers[0].usage[1].buckets, 0);  // case-sensitive: no key is upper case
  EXPECT_EQ(tiers[0].usage[2].buckets, kReasoning);
  ASSERT_EQ(tiers[0].parameters.size(), 1u);
  EXPECT_EQ(tiers[0].parameters[0].key, "service_tier");
  EXPECT_EQ(tiers[0].parameters[0].values, std::vector<std::string>{"flex"});
  EXPECT_EQ(tiers[1].usage[0].buckets, kOutput);
}

TEST(PriceJson, ReadsTheFormatWithoutTiers) {
  auto table = PriceTable::FromJson(
      R"js([{"modelName": "old", "matchPattern": "^old$", "prices": {"input": 1e-6}}])js", "t");
  ASSERT_TRUE(table.has_value()) << table.error().message();
  auto q = table->Lookup("", "old");
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->entry->tiers.size(), 1u);
  EXPECT_TRUE(q->entry->tiers[0].is_default);
}

TEST(PriceJson, ErrorsNameThePathAndWhatWasExpected) {
  EXPECT_NE(ErrorOf("[1, 2").find("prices.json: invalid JSON at byte"), std::string::npos);
  EXPECT_EQ(ErrorOf("{}"), "prices.json: $: expected an array of model entries");
  EXPECT_EQ(ErrorOf("[3]"), "prices.json: $[0]: expected an object");
  EXPECT_EQ(ErrorOf(R"js([{"matchPattern": "x", "pricingTiers": []}])js"),
            "prices.json: $[0].modelName: expected a non-empty string");
  EXPECT_NE(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}])js", "(?i)^(gpt$"))
                .find("prices.json: $[0].matchPattern: regex error at offset 10"),
            std::string::npos)
      << ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}])js", "(?i)^(gpt$"));
  EXPECT_EQ(ErrorOf(Entry("[]")),
            "prices.json: $[0].pricingTiers: expected a non-empty array of tiers");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {"input": -1}}])js")),
            "prices.json: $[0].pricingTiers[0].prices.input: expected a non-negative number");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {"output": "1"}}])js")),
            "prices.json: $[0].pricingTiers[0].prices.output: expected a non-negative number");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": false, "prices": {}, "conditions": []}])js")),
            "prices.json: $[0].pricingTiers[0].conditions: expected at least one condition on a "
            "non-default tier");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}, {"isDefault": true,
                               "prices": {}}])js")),
            "prices.json: $[0].pricingTiers: expected exactly one tier with \"isDefault\": true");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}, {"prices": {}, "conditions": [
                 {"usageDetailPattern": "input", "operator": "between", "value": 1}]}])js")),
            "prices.json: $[0].pricingTiers[1].conditions[0].operator: expected one of gt, gte, "
            "lt, lte, eq, neq");
  EXPECT_NE(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}, {"prices": {}, "conditions": [
                 {"usageDetailPattern": "in(put", "operator": "gt", "value": 1}]}])js"))
                .find("$[0].pricingTiers[1].conditions[0].usageDetailPattern: regex error"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}, {"prices": {}, "conditions": [
                 {"usageDetailPattern": "input", "operator": "gt"}]}])js")),
            "prices.json: $[0].pricingTiers[1].conditions[0].value: expected a number");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}, {"prices": {}, "conditions": [
                 {"source": "model_parameters", "key": "k", "operator": "eq", "values": []}]}])js")),
            "prices.json: $[0].pricingTiers[1].conditions[0].operator: expected \"in\" for "
            "model_parameters");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": true, "prices": {}}, {"prices": {}, "conditions": [
                 {"source": "metadata", "operator": "in"}]}])js")),
            "prices.json: $[0].pricingTiers[1].conditions[0]: expected a \"usageDetailPattern\" "
            "or a \"model_parameters\" condition");
  EXPECT_EQ(ErrorOf(Entry(R"js([{"isDefault": "yes", "prices": {}}])js")),
            "prices.json: $[0].pricingTiers[0].isDefault: expected true or false");
  EXPECT_EQ(ErrorOf(R"js([{"modelName": "m", "matchPattern": "m"}])js"),
            "prices.json: $[0]: expected \"pricingTiers\" or \"prices\"");
}

}  // namespace
}  // namespace yardstick::pricing

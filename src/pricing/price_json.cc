#include "pricing/price_json.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace yardstick::pricing::internal {
namespace {

using Json = nlohmann::json;

// The Langfuse key names of each bucket, in the order they take precedence.
struct BucketKeys {
  std::optional<double> TokenPrices::*field;
  std::array<std::string_view, 7> keys;
};

const BucketKeys kBuckets[] = {
    {&TokenPrices::input,
     {"input", "input_tokens", "input_text_tokens", "input_text", "prompt_token_count",
      "promptTokenCount", "input_modality_1"}},
    {&TokenPrices::cache_read,
     {"input_cached_tokens", "input_cache_read", "cache_read_input_tokens",
      "cached_content_token_count", "input_cached_text_tokens", "cached_tokens"}},
    {&TokenPrices::cache_creation,
     {"input_cache_creation", "cache_creation_input_tokens", "cache_write_tokens",
      "input_cache_write", "input_cache_creation_5m"}},
    {&TokenPrices::output,
     {"output", "output_tokens", "output_text_tokens", "output_text", "candidates_token_count",
      "candidatesTokenCount", "output_modality_1"}},
    {&TokenPrices::reasoning,
     {"output_reasoning_tokens", "output_reasoning", "reasoning_tokens", "thoughts_token_count",
      "thoughtsTokenCount"}},
    {&TokenPrices::total, {"total"}},
};

// The key each bucket is known by in usage conditions.
const std::pair<std::string_view, uint8_t> kConditionKeys[] = {
    {"input", kUncachedInput},
    {"input_cached_tokens", kCacheRead},
    {"input_cache_creation", kCacheCreation},
    {"output", kOutput},
    {"output_reasoning_tokens", kReasoning},
};

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  std::unexpected<Error> Fail(const std::string& path, const std::string& expected) const {
    return MakeError(ErrorCode::kParse, std::string(source_) + ": " + path + ": " + expected);
  }

  Result<std::vector<ParsedEntry>> Parse(std::string_view text) {
    Json root;
    try {
      root = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
      return MakeError(ErrorCode::kParse, std::string(source_) + ": invalid JSON at byte " +
                                              std::to_string(e.byte) + ": " + e.what());
    }
    if (!root.is_array()) return Fail("$", "expected an array of model entries");
    std::vector<ParsedEntry> out;
    out.reserve(root.size());
    for (size_t i = 0; i < root.size(); ++i) {
      auto entry = ParseEntry(root[i], "$[" + std::to_string(i) + "]");
      if (!entry) return std::unexpected(entry.error());
      out.push_back(*std::move(entry));
    }
    return out;
  }

 private:
  Result<std::string> String(const Json& obj, const char* key, const std::string& path) const {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return Fail(path + "." + key, "expected a non-empty string");
    }
    return it->get<std::string>();
  }

  Result<ParsedEntry> ParseEntry(const Json& e, const std::string& path) const {
    if (!e.is_object()) return Fail(path, "expected an object");
    PriceEntry entry;
    auto name = String(e, "modelName", path);
    if (!name) return std::unexpected(name.error());
    auto pattern = String(e, "matchPattern", path);
    if (!pattern) return std::unexpected(pattern.error());
    auto regex = Regex::Compile(*pattern);
    if (!regex) return Fail(path + ".matchPattern", regex.error().message());
    entry.model_name = *std::move(name);
    entry.match_pattern = *std::move(pattern);

    auto tiers = e.find("pricingTiers");
    if (tiers == e.end()) {
      // The format before tiers: one "prices" object for the entry.
      auto prices = e.find("prices");
      if (prices == e.end()) return Fail(path, "expected \"pricingTiers\" or \"prices\"");
      PriceTier tier;
      tier.name = "Standard";
      tier.is_default = true;
      if (auto r = ParsePrices(*prices, path + ".prices", tier.prices); !r) {
        return std::unexpected(r.error());
      }
      entry.tiers.push_back(std::move(tier));
    } else {
      if (!tiers->is_array() || tiers->empty()) {
        return Fail(path + ".pricingTiers", "expected a non-empty array of tiers");
      }
      int defaults = 0;
      for (size_t t = 0; t < tiers->size(); ++t) {
        const std::string tier_path = path + ".pricingTiers[" + std::to_string(t) + "]";
        auto tier = ParseTier((*tiers)[t], tier_path);
        if (!tier) return std::unexpected(tier.error());
        defaults += tier->is_default ? 1 : 0;
        entry.tiers.push_back(*std::move(tier));
      }
      if (defaults != 1) {
        return Fail(path + ".pricingTiers", "expected exactly one tier with \"isDefault\": true");
      }
    }
    OrderTiers(entry.tiers);
    return ParsedEntry{std::move(entry), *std::move(regex)};
  }

  Result<PriceTier> ParseTier(const Json& t, const std::string& path) const {
    if (!t.is_object()) return Fail(path, "expected an object");
    PriceTier tier;
    if (auto it = t.find("name"); it != t.end() && it->is_string())
      tier.name = it->get<std::string>();
    if (auto it = t.find("isDefault"); it != t.end()) {
      if (!it->is_boolean()) return Fail(path + ".isDefault", "expected true or false");
      tier.is_default = it->get<bool>();
    }
    if (auto it = t.find("priority"); it != t.end()) {
      if (!it->is_number_integer()) return Fail(path + ".priority", "expected an integer");
      tier.priority = it->get<int>();
    }
    auto prices = t.find("prices");
    if (prices == t.end()) return Fail(path, "expected \"prices\"");
    if (auto r = ParsePrices(*prices, path + ".prices", tier.prices); !r) {
      return std::unexpected(r.error());
    }
    if (auto it = t.find("conditions"); it != t.end()) {
      if (!it->is_array()) return Fail(path + ".conditions", "expected an array");
      for (size_t c = 0; c < it->size(); ++c) {
        const std::string cpath = path + ".conditions[" + std::to_string(c) + "]";
        if (auto r = ParseCondition((*it)[c], cpath, tier); !r) return std::unexpected(r.error());
      }
    }
    if (!tier.is_default && tier.usage.empty() && tier.parameters.empty()) {
      return Fail(path + ".conditions", "expected at least one condition on a non-default tier");
    }
    return tier;
  }

  Result<void> ParsePrices(const Json& p, const std::string& path, TokenPrices& out) const {
    if (!p.is_object()) return Fail(path, "expected an object of usage key: USD per unit");
    for (const auto& [key, value] : p.items()) {
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0) {
        return Fail(path + "." + key, "expected a non-negative number");
      }
    }
    // Each bucket takes the price of its first key present (keys outside the data model, such
    // as audio tokens, are ignored).
    for (const BucketKeys& b : kBuckets) {
      for (std::string_view key : b.keys) {
        if (key.empty()) break;
        if (auto it = p.find(std::string(key)); it != p.end()) {
          out.*b.field = it->get<double>();
          break;
        }
      }
    }
    return {};
  }

  Result<void> ParseCondition(const Json& c, const std::string& path, PriceTier& tier) const {
    if (!c.is_object()) return Fail(path, "expected an object");
    auto op = c.find("operator");
    if (op == c.end() || !op->is_string()) return Fail(path + ".operator", "expected a string");
    const std::string& name = op->get_ref<const std::string&>();
    if (auto pattern = c.find("usageDetailPattern"); pattern != c.end()) {
      if (!pattern->is_string()) return Fail(path + ".usageDetailPattern", "expected a string");
      UsageCondition u;
      u.pattern = pattern->get<std::string>();
      if (auto cs = c.find("caseSensitive"); cs != c.end()) {
        if (!cs->is_boolean()) return Fail(path + ".caseSensitive", "expected true or false");
        u.case_sensitive = cs->get<bool>();
      }
      static const std::pair<std::string_view, Comparison> kOps[] = {
          {"gt", Comparison::kGt},   {"gte", Comparison::kGte}, {"lt", Comparison::kLt},
          {"lte", Comparison::kLte}, {"eq", Comparison::kEq},   {"neq", Comparison::kNeq}};
      auto found = std::find_if(std::begin(kOps), std::end(kOps),
                                [&](const auto& o) { return o.first == name; });
      if (found == std::end(kOps)) {
        return Fail(path + ".operator", "expected one of gt, gte, lt, lte, eq, neq");
      }
      u.comparison = found->second;
      auto value = c.find("value");
      if (value == c.end() || !value->is_number())
        return Fail(path + ".value", "expected a number");
      u.value = value->get<double>();
      auto regex = Regex::Compile(u.pattern, !u.case_sensitive);
      if (!regex) return Fail(path + ".usageDetailPattern", regex.error().message());
      for (const auto& [key, bucket] : kConditionKeys) {
        if (regex->Search(key)) u.buckets |= bucket;
      }
      tier.usage.push_back(std::move(u));
      return {};
    }
    auto source = c.find("source");
    if (source != c.end() && source->is_string() &&
        source->get<std::string>() == "model_parameters") {
      if (name != "in") return Fail(path + ".operator", "expected \"in\" for model_parameters");
      ParameterCondition p;
      auto key = c.find("key");
      if (key == c.end() || !key->is_string()) return Fail(path + ".key", "expected a string");
      p.key = key->get<std::string>();
      auto values = c.find("values");
      if (values == c.end() || !values->is_array()) {
        return Fail(path + ".values", "expected an array of strings");
      }
      for (size_t v = 0; v < values->size(); ++v) {
        if (!(*values)[v].is_string()) {
          return Fail(path + ".values[" + std::to_string(v) + "]", "expected a string");
        }
        p.values.push_back((*values)[v].get<std::string>());
      }
      tier.parameters.push_back(std::move(p));
      return {};
    }
    return Fail(path, "expected a \"usageDetailPattern\" or a \"model_parameters\" condition");
  }

  std::string_view source_;
};

}  // namespace

void OrderTiers(std::vector<PriceTier>& tiers) {
  std::stable_sort(tiers.begin(), tiers.end(), [](const PriceTier& a, const PriceTier& b) {
    if (a.is_default != b.is_default) return !a.is_default;
    return a.priority < b.priority;
  });
}

Result<std::vector<ParsedEntry>> ParsePriceJson(std::string_view json, std::string_view source) {
  return Parser(source).Parse(json);
}

}  // namespace yardstick::pricing::internal

#pragma once
// Reading Langfuse's model price list (data/model-prices.json) into price entries. Internal to
// the pricing module; price_table.h documents the mapping of usage keys and conditions.

#include <string_view>
#include <vector>

#include "base/error.h"
#include "pricing/price_table.h"
#include "pricing/regex.h"

namespace yardstick::pricing::internal {

struct ParsedEntry {
  PriceEntry entry;
  Regex match;  // entry.match_pattern, compiled
};

// Entries in file order. Errors (kParse): "<source>: <JSON path>: <what was expected>".
Result<std::vector<ParsedEntry>> ParsePriceJson(std::string_view json, std::string_view source);

// Sorts conditional tiers by ascending priority (stable) and puts the default tier last.
void OrderTiers(std::vector<PriceTier>& tiers);

}  // namespace yardstick::pricing::internal

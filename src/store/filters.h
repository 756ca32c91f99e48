#pragma once
// Internal to src/store: what both backends accept in record filters and group_by, with the same
// errors. The record fields a query may filter on map to columns of the same name in both
// backends' tables.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace yardstick::store {

using FilterColumns = std::map<std::string, std::string, std::less<>>;

const FilterColumns& CallFilterColumns();
const FilterColumns& ScoreFilterColumns();
const FilterColumns& OutcomeFilterColumns();

// The column of `field`, or kInvalidArgument naming the fields allowed.
Result<std::string> FilterColumn(const FilterColumns& columns, std::string_view field);

// The stored code of a status filter value: ok "1", error "2", unset "0".
Result<std::string> StatusValue(std::string_view value);

// Every entry a dimension (kDimensionNames) or, with `attributes`, a valid attributes.<key>.
Result<void> CheckGroupBy(const std::vector<std::string>& group_by, bool attributes = false);

}  // namespace yardstick::store

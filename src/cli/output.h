#pragma once
// Rendering metric results for the terminal (text) and for scripts (JSON Lines).
// The JSON shape is documented in docs/cli.md; scripts depend on it, so change it only additively.

#include <nlohmann/json.hpp>
#include <string>

#include "metrics/metric.h"

namespace yardstick::cli {

enum class OutputFormat { kText, kJson };

// {"name", "score", "signature", "details": {...}, "ci": {...}?, "verbose"}.
nlohmann::json ScoreToJson(const metrics::Score& score, const std::string& signature);

// Details as a JSON object, in their order of presentation.
nlohmann::json DetailsToJson(const metrics::Details& details);

// "NAME|signature = value verbose-tail", with `width` decimals, plus the CI when present:
// "... (μ = 28.31 ± 0.62)" as sacrebleu prints it.
std::string ScoreToText(const metrics::Score& score, const std::string& signature, int width);

// Formats a double with `width` decimals ("%.*f").
std::string FormatFixed(double value, int width);

}  // namespace yardstick::cli

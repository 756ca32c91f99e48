#include "cli/output.h"

#include <cmath>
#include <cstdio>

namespace yardstick::cli {

std::string FormatFixed(double value, int width) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", width, value);
  return buf;
}

namespace {

// JSON has no NaN or infinity: write them as the strings the golden files use.
nlohmann::json Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

}  // namespace

nlohmann::json DetailsToJson(const metrics::Details& details) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : details) {
    if (const auto* d = std::get_if<double>(&value)) {
      out[key] = Number(*d);
    } else if (const auto* v = std::get_if<std::vector<double>>(&value)) {
      nlohmann::json arr = nlohmann::json::array();
      for (double x : *v) arr.push_back(Number(x));
      out[key] = std::move(arr);
    } else {
      out[key] = std::get<std::string>(value);
    }
  }
  return out;
}

nlohmann::json ScoreToJson(const metrics::Score& score, const std::string& signature) {
  nlohmann::json out = nlohmann::json::object();
  out["name"] = score.name;
  out["score"] = Number(score.value);
  out["signature"] = signature;
  if (score.ci) {
    out["ci"] = {{"estimate", Number(score.ci->estimate)},
                 {"low", Number(score.ci->low)},
                 {"high", Number(score.ci->high)},
                 {"level", score.ci->level},
                 {"method", score.ci->method},
                 {"resamples", score.ci->resamples}};
  }
  out["details"] = DetailsToJson(score.details);
  if (!score.verbose.empty()) out["verbose"] = score.verbose;
  return out;
}

std::string ScoreToText(const metrics::Score& score, const std::string& signature, int width) {
  std::string line = score.name + "|" + signature + " = " + FormatFixed(score.value, width);
  // The verbose form usually starts with "NAME = value"; keep what follows the value.
  const std::string prefix = score.name + " = ";
  if (score.verbose.rfind(prefix, 0) == 0) {
    const auto space = score.verbose.find(' ', prefix.size());
    if (space != std::string::npos) line += score.verbose.substr(space);
  } else if (!score.verbose.empty()) {
    line += " " + score.verbose;
  }
  if (score.ci && score.ci->method == "bs") {
    line += " (\xCE\xBC = " + FormatFixed(score.ci->estimate, width) + " \xC2\xB1 " +
            FormatFixed((score.ci->high - score.ci->low) / 2, width) + ")";
  } else if (score.ci) {
    line += " (" + FormatFixed(score.ci->level * 100, 0) + "% CI " + score.ci->method + " " +
            FormatFixed(score.ci->low, width) + " .. " + FormatFixed(score.ci->high, width) + ")";
  }
  return line;
}

}  // namespace yardstick::cli

#include "cli/resampling.h"

#include <charconv>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/output.h"
#include "stats/bootstrap.h"

namespace yardstick::cli {
namespace {

Result<std::uint64_t> ParseSeed(const std::string& text) {
  if (text == "none") {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) | device();
  }
  std::uint64_t seed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--seed '" + text + "': expected a non-negative integer or 'none'");
  }
  return seed;
}

Result<stats::BootstrapOptions> MakeBootstrapOptions(const ResamplingOptions& options) {
  auto seed = ParseSeed(options.seed);
  if (!seed) return std::unexpected(seed.error());
  auto method = stats::ParseCiMethod(options.ci_method);
  if (!method) return std::unexpected(method.error());
  stats::BootstrapOptions out;
  out.resamples = options.confidence_n;
  out.seed = *seed;
  out.method = *method;
  return out;
}

metrics::ConfidenceInterval ToInterval(const stats::BootstrapCi& ci) {
  metrics::ConfidenceInterval out;
  out.estimate = ci.estimate;
  out.low = ci.low;
  out.high = ci.high;
  out.level = ci.confidence_level;
  out.method = stats::CiMethodName(ci.method);
  out.resamples = ci.resamples;
  return out;
}

}  // namespace

void AddResamplingSignature(metrics::Signature& signature, const std::string& test,
                            const ResamplingOptions& options) {
  const int n = test == "ar" ? options.paired_ar_n
                : test == "bs" && signature.Get("bs").empty() && options.confidence_n > 0
                    ? options.confidence_n
                    : options.paired_bs_n;
  signature.InsertAfter("nrefs", test, std::to_string(n));
  signature.InsertAfter(test, "seed", options.seed, "rs");
  if (options.ci_method != "bs" && test == "bs") {
    signature.InsertAfter("seed", "ci", options.ci_method);
  }
}

Result<metrics::ConfidenceInterval> ConfidenceFor(const ValueFn& value,
                                                  const stats::SegmentStats& segments,
                                                  const ResamplingOptions& options) {
  auto bootstrap = MakeBootstrapOptions(options);
  if (!bootstrap) return std::unexpected(bootstrap.error());
  auto ci = stats::BootstrapCorpus(segments, value, *bootstrap);
  if (!ci) return std::unexpected(ci.error());
  return ToInterval(*ci);
}

Result<metrics::ConfidenceInterval> ConfidenceForIndices(
    std::size_t n, const std::function<Result<double>(std::span<const std::size_t>)>& statistic,
    const ResamplingOptions& options) {
  auto bootstrap = MakeBootstrapOptions(options);
  if (!bootstrap) return std::unexpected(bootstrap.error());
  auto ci = stats::BootstrapIndices(n, statistic, *bootstrap);
  if (!ci) return std::unexpected(ci.error());
  return ToInterval(*ci);
}

Result<stats::PairedTestResult> RunPairedTests(const metrics::CorpusMetric& metric,
                                               std::span<const stats::SegmentStats> systems,
                                               const std::string& test,
                                               const ResamplingOptions& options) {
  auto seed = ParseSeed(options.seed);
  if (!seed) return std::unexpected(seed.error());
  const stats::ScoreFn score = [&metric](std::span<const double> s) {
    return metric.ValueFromStats(s);
  };
  if (test == "ar") {
    stats::ApproximateRandomizationOptions ar;
    ar.trials = options.paired_ar_n;
    ar.seed = *seed;
    return stats::ApproximateRandomization(systems[0], systems.subspan(1), score, ar);
  }
  stats::PairedBootstrapOptions bs;
  bs.resamples = options.paired_bs_n;
  bs.seed = *seed;
  return stats::PairedBootstrap(systems[0], systems.subspan(1), score, bs);
}

void PrintPairedResults(const metrics::CorpusMetric& metric, const stats::PairedTestResult& result,
                        const std::vector<std::string>& system_names, const std::string& signature,
                        bool json, int width) {
  auto row_json = [&](const stats::SystemResult& r, const std::string& system, bool baseline) {
    nlohmann::json out = {{"name", metric.name()},        {"system", system},
                          {"baseline", baseline},         {"score", r.score},
                          {"signature", signature},       {"test", result.test},
                          {"resamples", result.resamples}};
    if (!std::isnan(r.mean)) {
      out["ci"] = {
          {"estimate", r.mean},
          {"low", r.mean - r.half_width},
          {"high", r.mean + r.half_width},
          {"level", 0.95},
          {"method", "bs"},
          {"resamples", result.test == "bs" ? result.resamples : result.confidence_resamples}};
    }
    if (!baseline) out["p_value"] = r.p_value;
    return out;
  };
  if (json) {
    std::cout << row_json(result.baseline, system_names[0], true).dump() << "\n";
    for (std::size_t i = 0; i < result.systems.size(); ++i) {
      std::cout << row_json(result.systems[i], system_names[i + 1], false).dump() << "\n";
    }
    return;
  }
  std::cout << metric.name() << "|" << signature << "\n";
  std::size_t name_width = 8;
  for (const auto& n : system_names) name_width = std::max(name_width, n.size());
  auto print = [&](const stats::SystemResult& r, const std::string& name, bool baseline) {
    std::string line = (baseline ? "Baseline: " : "          ") + name +
                       std::string(name_width - name.size() + 2, ' ') + FormatFixed(r.score, width);
    if (!std::isnan(r.mean)) {
      line += "  (\xCE\xBC = " + FormatFixed(r.mean, width) + " \xC2\xB1 " +
              FormatFixed(r.half_width, width) + ")";
    }
    if (!baseline) {
      line += "  p = " + FormatFixed(r.p_value, 4);
      if (r.p_value < 0.05) line += " *";
    }
    std::cout << line << "\n";
  };
  print(result.baseline, system_names[0], true);
  for (std::size_t i = 0; i < result.systems.size(); ++i) {
    print(result.systems[i], system_names[i + 1], false);
  }
  std::cout << "* significantly different from the baseline at p < 0.05\n";
}

}  // namespace yardstick::cli

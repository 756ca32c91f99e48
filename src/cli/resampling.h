#pragma once
// Confidence intervals and paired tests for `yardstick score`: parses the resampling options,
// calls the stats module, and prints sacrebleu-style paired-test tables.

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "metrics/metric.h"
#include "stats/paired.h"
#include "stats/segment_stats.h"

namespace yardstick::cli {

struct ResamplingOptions {
  int confidence_n = 1000;
  int paired_bs_n = 1000;
  int paired_ar_n = 10000;
  std::string seed = "12345";  // an integer, or "none" for a random seed
  std::string ci_method = "bs";
};

// Adds sacrebleu's resampling keys right after nrefs: "bs:N|seed:S" or "ar:N|seed:S".
void AddResamplingSignature(metrics::Signature& signature, const std::string& test,
                            const ResamplingOptions& options);

using ValueFn = std::function<double(std::span<const double>)>;

// Bootstrap interval of a corpus metric from its segment statistics.
Result<metrics::ConfidenceInterval> ConfidenceFor(const ValueFn& value,
                                                  const stats::SegmentStats& segments,
                                                  const ResamplingOptions& options);

// Bootstrap interval of any statistic of n examples, given the statistic of a resample (as row
// indices). For metrics that are not sums of per-example statistics (ROC AUC, MCC, ...).
Result<metrics::ConfidenceInterval> ConfidenceForIndices(
    std::size_t n, const std::function<Result<double>(std::span<const std::size_t>)>& statistic,
    const ResamplingOptions& options);

// Paired test ("bs" or "ar") of systems[1..] against systems[0].
Result<stats::PairedTestResult> RunPairedTests(const metrics::CorpusMetric& metric,
                                               std::span<const stats::SegmentStats> systems,
                                               const std::string& test,
                                               const ResamplingOptions& options);

// Prints the paired-test result: JSON Lines (one object per system, the baseline first) or a
// text table like sacrebleu's.
void PrintPairedResults(const metrics::CorpusMetric& metric, const stats::PairedTestResult& result,
                        const std::vector<std::string>& system_names, const std::string& signature,
                        bool json, int width);

}  // namespace yardstick::cli

#pragma once
// The catalog of text metrics by the names users type (`yardstick score bleu`), and a factory
// that builds one from the options of every family. New corpus metrics are added here.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/metric.h"
#include "metrics/rouge.h"
#include "metrics/string_match.h"
#include "metrics/ter.h"

namespace yardstick::metrics {

// Options of every text metric family; a metric reads only its own.
struct TextMetricOptions {
  BleuOptions bleu;
  ChrfOptions chrf;
  TerOptions ter;
  RougeOptions rouge;  // rouge_type is set from the metric name
  StringMatchOptions string_match;
};

struct MetricInfo {
  std::string_view name;     // what users type: "bleu", "chrf", "rougeL", ...
  std::string_view summary;  // one line for --help and `yardstick score --list`
};

// Every text metric name, in presentation order.
std::span<const MetricInfo> TextMetricCatalog();

// True when `name` is in TextMetricCatalog().
bool IsTextMetric(std::string_view name);

// Builds the metric `name` with `options`. Errors: unknown name (the message lists the known
// ones) or invalid options for that family.
Result<std::unique_ptr<CorpusMetric>> CreateTextMetric(std::string_view name,
                                                       const TextMetricOptions& options);

}  // namespace yardstick::metrics

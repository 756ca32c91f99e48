#pragma once
// A small Prometheus registry and the text exposition format (version 0.0.4): counters,
// gauges (including gauges read at scrape time) and histograms with explicit buckets, each
// with labels. Thread-safe; updates take one lock, so callers batch their observations.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace yardstick::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  // Declares a family; must be called before it is updated. Declaring a family again with the
  // same type (and buckets) keeps its series (a gauge takes the new `read` when one is given).
  void AddCounter(const std::string& name, const std::string& help);
  void AddGauge(const std::string& name, const std::string& help,
                std::function<double()> read = nullptr);
  void AddHistogram(const std::string& name, const std::string& help, std::vector<double> bounds);

  void Increment(const std::string& name, const Labels& labels, double by = 1);
  void Set(const std::string& name, const Labels& labels, double value);
  // Adds many observations of one label set in one locked step.
  void Observe(const std::string& name, const Labels& labels, const std::vector<double>& values);

  // Caps the number of label sets per family (excess observations go to a set whose label
  // values are "other"), so label values from clients cannot exhaust memory.
  void SetMaxSeries(size_t n) { max_series_ = n; }

  std::string Expose() const;

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket (not cumulative), plus +Inf last
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    std::string type;
    std::string help;
    std::vector<double> bounds;
    std::function<double()> read;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
  };
  Labels Capped(const Family& f, const Labels& labels, size_t size) const;

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
  size_t max_series_ = 2000;
};

// The GenAI bucket boundaries of the OpenTelemetry semantic conventions.
std::vector<double> GenAiDurationBuckets();  // 0.01, 0.02, ..., 81.92 seconds
std::vector<double> GenAiTokenBuckets();     // 1, 4, 16, ..., 67108864

}  // namespace yardstick::server

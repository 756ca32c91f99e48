#include "server/prometheus.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace yardstick::server {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string LabelText(const Labels& labels, const std::string& extra_key = "",
                      const std::string& extra_value = "") {
  if (labels.empty() && extra_key.empty()) return "";
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) s += ",";
    first = false;
    s += k + "=\"" + EscapeLabel(v) + "\"";
  }
  if (!extra_key.empty()) {
    if (!first) s += ",";
    s += extra_key + "=\"" + extra_value + "\"";
  }
  return s + "}";
}

}  // namespace

void Registry::AddCounter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end() && it->second.type == "counter") return;
  families_[name] = Family{"counter", help, {}, nullptr, {}, {}};
}

void Registry::AddGauge(const std::string& name, const std::string& help,
                        std::function<double()> read) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end() && it->second.type == "gauge") {
    if (read) it->second.read = std::move(read);
    return;
  }
  families_[name] = Family{"gauge", help, {}, std::move(read), {}, {}};
}

void Registry::AddHistogram(const std::string& name, const std::string& help,
                            std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name);
      it != families_.end() && it->second.type == "histogram" && it->second.bounds == bounds) {
    return;
  }
  families_[name] = Family{"histogram", help, std::move(bounds), nullptr, {}, {}};
}

Labels Registry::Capped(const Family& f, const Labels& labels, size_t size) const {
  if (size < max_series_) return labels;
  if (f.values.contains(labels) || f.histograms.contains(labels)) return labels;
  Labels other = labels;
  for (auto& [k, v] : other) v = "other";
  return other;
}

void Registry::Increment(const std::string& name, const Labels& labels, double by) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second.values[Capped(it->second, labels, it->second.values.size())] += by;
}

void Registry::Set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second.values[Capped(it->second, labels, it->second.values.size())] = value;
}

void Registry::Observe(const std::string& name, const Labels& labels,
                       const std::vector<double>& values) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  Family& f = it->second;
  Histogram& h = f.histograms[Capped(f, labels, f.histograms.size())];
  if (h.counts.empty()) h.counts.assign(f.bounds.size() + 1, 0);
  for (double v : values) {
    // Prometheus buckets are upper-inclusive: le="b" counts v <= b.
    const auto pos = std::lower_bound(f.bounds.begin(), f.bounds.end(), v) - f.bounds.begin();
    ++h.counts[static_cast<size_t>(pos)];
    h.sum += v;
    ++h.count;
  }
}

std::string Registry::Expose() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + EscapeHelp(f.help) + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    if (f.read) out += name + " " + FormatValue(f.read()) + "\n";
    for (const auto& [labels, v] : f.values) {
      out += name + LabelText(labels) + " " + FormatValue(v) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < f.bounds.size(); ++i) {
        cumulative += h.counts[i];
        out += name + "_bucket" + LabelText(labels, "le", FormatValue(f.bounds[i])) + " " +
               std::to_string(cumulative) + "\n";
      }
      out +=
          name + "_bucket" + LabelText(labels, "le", "+Inf") + " " + std::to_string(h.count) + "\n";
      out += name + "_sum" + LabelText(labels) + " " + FormatValue(h.sum) + "\n";
      out += name + "_count" + LabelText(labels) + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

std::vector<double> GenAiDurationBuckets() {
  std::vector<double> b;
  for (double v = 0.01; v <= 81.92 + 1e-9; v *= 2) b.push_back(std::round(v * 100) / 100);
  return b;
}

std::vector<double> GenAiTokenBuckets() {
  std::vector<double> b;
  for (double v = 1; v <= 67108864; v *= 4) b.push_back(v);
  return b;
}

}  // namespace yardstick::server

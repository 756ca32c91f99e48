// Renderings of a run: the terminal summary, JUnit XML and the self-contained HTML report
// (inline CSS and SVG; no script, no external resource).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "eval/eval.h"

namespace yardstick::eval {
namespace {

std::string Fmt(double v, int decimals = 4) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += "?";
        } else {
          out += c;
        }
    }
  }
  return out;
}

int Decimals(const MetricColumn& m) {
  const double v = std::fabs(m.aggregate.value);
  return std::isnan(v) || v < 10 ? 4 : 2;
}

std::string CiText(const Aggregate& a, int decimals) {
  if (std::isnan(a.ci_low)) return "";
  return "[" + Fmt(a.ci_low, decimals) + ", " + Fmt(a.ci_high, decimals) + "]";
}

// A histogram of per-example values as an inline SVG.
std::string Histogram(const MetricColumn& m) {
  std::vector<double> v;
  for (double x : m.values) {
    if (std::isfinite(x)) v.push_back(x);
  }
  if (v.empty()) return "<p class=muted>no scored example</p>";
  const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  double lo = *lo_it, hi = *hi_it;
  if (hi == lo) hi = lo + 1;
  constexpr int kBins = 20;
  std::vector<int> counts(kBins, 0);
  for (double x : v) {
    int b = static_cast<int>((x - lo) / (hi - lo) * kBins);
    counts[static_cast<std::size_t>(std::clamp(b, 0, kBins - 1))]++;
  }
  const int peak = *std::max_element(counts.begin(), counts.end());
  std::ostringstream s;
  s << "<svg class=hist width=320 height=110 viewBox='0 0 320 110' role=img aria-label='"
    << Escape(m.spec.id) << " distribution'>";
  for (int b = 0; b < kBins; ++b) {
    const double h = peak > 0 ? 90.0 * counts[static_cast<std::size_t>(b)] / peak : 0;
    s << "<rect x=" << 10 + b * 15 << " y=" << Fmt(95 - h, 1) << " width=13 height=" << Fmt(h, 1)
      << " fill='#4a78c2'><title>" << counts[static_cast<std::size_t>(b)] << "</title></rect>";
  }
  s << "<text x=10 y=108 font-size=9>" << Fmt(lo, 3) << "</text><text x=310 y=108 font-size=9 "
    << "text-anchor=end>" << Fmt(*hi_it, 3) << "</text></svg>";
  return s.str();
}

// Horizontal bars with CI whiskers for the slices of one field and one metric.
std::string SliceBars(const Run& run, const std::string& field, std::size_t metric) {
  std::vector<const SliceResult*> rows;
  double hi = 0;
  for (const auto& s : run.slices) {
    if (s.field != field || metric >= s.metrics.size()) continue;
    rows.push_back(&s);
    const auto& a = s.metrics[metric].second;
    for (double x : {a.value, a.ci_high}) {
      if (std::isfinite(x)) hi = std::max(hi, x);
    }
  }
  if (rows.empty() || hi <= 0) return "";
  std::ostringstream s;
  const int height = static_cast<int>(rows.size()) * 22 + 10;
  s << "<svg width=540 height=" << height << " viewBox='0 0 540 " << height << "' role=img>";
  const double scale = 280.0 / hi;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& a = rows[r]->metrics[metric].second;
    const int y = static_cast<int>(r) * 22 + 5;
    s << "<text x=0 y=" << y + 13 << " font-size=11>" << Escape(rows[r]->value.substr(0, 18))
      << "</text>";
    if (std::isfinite(a.value)) {
      s << "<rect x=120 y=" << y << " width=" << Fmt(std::max(0.0, a.value) * scale, 1)
        << " height=16 fill='#8fb3e8'/>";
    }
    if (std::isfinite(a.ci_low)) {
      const double x1 = 120 + std::max(0.0, a.ci_low) * scale;
      const double x2 = 120 + std::max(0.0, a.ci_high) * scale;
      s << "<line x1=" << Fmt(x1, 1) << " x2=" << Fmt(x2, 1) << " y1=" << y + 8 << " y2=" << y + 8
        << " stroke='#222' stroke-width='1.5'/>";
    }
    s << "<text x=410 y=" << y + 13 << " font-size=11>" << Fmt(a.value, 3) << " (n=" << a.n
      << ")</text>";
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

std::string RenderText(const Run& run) {
  std::ostringstream s;
  s << "suite " << run.suite_name << ": " << run.examples.size() << " examples, " << run.failed
    << " failed, target " << run.target << "\n";
  if (run.requests_sent > 0 || run.cache_hits > 0) {
    s << "requests sent " << run.requests_sent << ", cache hits " << run.cache_hits << "\n";
  }
  s << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-22s %12s  %-28s %6s %8s\n", "metric", "value", "95% CI", "n",
                "missing");
  s << line;
  for (const auto& m : run.metrics) {
    const int d = Decimals(m);
    std::snprintf(line, sizeof line, "%-22s %12s  %-28s %6zu %8zu\n", m.spec.id.c_str(),
                  Fmt(m.aggregate.value, d).c_str(), CiText(m.aggregate, d).c_str(), m.aggregate.n,
                  m.aggregate.missing);
    s << line;
    if (m.spec.name == "judge") {
      s << "  judge: " << m.judge_failures << " of " << m.judge_calls << " judgments failed\n";
    }
  }
  std::string field;
  for (const auto& sl : run.slices) {
    if (sl.field != field) {
      field = sl.field;
      s << "\nslices by " << field << ":\n";
    }
    s << "  " << sl.value << " (n=" << sl.n << "):";
    for (const auto& [id, agg] : sl.metrics) {
      s << " " << id << "=" << Fmt(agg.value, 4);
      if (std::isfinite(agg.ci_low)) s << " " << CiText(agg, 4);
    }
    s << "\n";
  }
  for (const auto& g : run.gaps) {
    if (std::isfinite(g.gap) && g.gap > 0) {
      s << "gap " << g.metric << " by " << g.field << ": " << Fmt(g.gap) << " (best " << g.best
        << ", worst " << g.worst << ")\n";
    }
  }
  if (run.fairness) {
    const auto& f = *run.fairness;
    s << "\nfairness by " << f.group_field << " (positive '" << f.positive << "'): "
      << "demographic parity difference " << Fmt(f.demographic_parity_difference)
      << ", equalized odds difference " << Fmt(f.equalized_odds_difference) << "\n";
  }
  if (run.discovery) {
    s << "\nslice discovery on " << run.discovery->metric << " (" << run.discovery->candidates
      << " candidate slices, Benjamini-Hochberg): ";
    if (run.discovery->slices.empty())
      s << "no slice significantly worse\n";
    else
      s << "\n";
    for (const auto& d : run.discovery->slices) {
      std::string name;
      for (const auto& [f, v] : d.predicates) name += (name.empty() ? "" : " & ") + f + "=" + v;
      s << "  " << name << ": n=" << d.n << " mean " << Fmt(d.mean) << " vs " << Fmt(d.rest_mean)
        << ", effect " << Fmt(d.effect, 2) << ", adjusted p " << Fmt(d.p_adjusted) << "\n";
    }
  }
  if (run.comparison) {
    s << "\ncomparison with " << run.comparison->baseline << " (" << run.comparison->correction
      << ", alpha " << run.comparison->alpha << "):\n";
    for (const auto& c : run.comparison->metrics) {
      s << "  " << c.metric << ": " << Fmt(c.baseline) << " -> " << Fmt(c.value) << " (delta "
        << Fmt(c.delta) << ", " << c.test << " p " << Fmt(c.p_value) << ", adjusted "
        << Fmt(c.p_adjusted) << ")"
        << (c.regression    ? " REGRESSION"
            : c.improvement ? " improvement"
                            : "")
        << (c.note.empty() ? "" : " [" + c.note + "]") << "\n";
    }
  }
  if (!run.gate.empty()) {
    s << "\ngate: " << (run.gate_passed ? "PASS" : "FAIL") << "\n";
    for (const auto& g : run.gate) {
      s << "  [" << (g.passed ? "pass" : "FAIL") << "] " << g.condition << ": " << g.detail << "\n";
    }
  }
  return s.str();
}

std::string RenderJunit(const Run& run) {
  std::ostringstream s;
  std::size_t failures = 0;
  for (const auto& g : run.gate) failures += g.passed ? 0 : 1;
  const std::size_t tests = run.gate.size() + run.metrics.size();
  s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s << "<testsuites name=\"yardstick eval\" tests=\"" << tests << "\" failures=\"" << failures
    << "\">\n";
  s << "  <testsuite name=\"" << Escape(run.suite_name) << "\" tests=\"" << tests
    << "\" failures=\"" << failures << "\" timestamp=\"" << Escape(run.created) << "\">\n";
  for (const auto& m : run.metrics) {
    s << "    <testcase classname=\"" << Escape(run.suite_name) << ".metrics\" name=\""
      << Escape(m.spec.id) << "\">\n      <system-out>" << Escape(m.spec.id) << " = "
      << Fmt(m.aggregate.value, Decimals(m)) << " " << CiText(m.aggregate, Decimals(m))
      << " n=" << m.aggregate.n << " missing=" << m.aggregate.missing << " " << Escape(m.signature)
      << "</system-out>\n    </testcase>\n";
  }
  for (const auto& g : run.gate) {
    s << "    <testcase classname=\"" << Escape(run.suite_name) << ".gate\" name=\""
      << Escape(g.condition) << "\">\n";
    if (!g.passed) {
      s << "      <failure message=\"" << Escape(g.detail) << "\">" << Escape(g.detail)
        << "</failure>\n";
    } else {
      s << "      <system-out>" << Escape(g.detail) << "</system-out>\n";
    }
    s << "    </testcase>\n";
  }
  s << "  </testsuite>\n</testsuites>\n";
  return s.str();
}

std::string RenderHtml(const Run& run) {
  std::ostringstream s;
  s << "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
    << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "style-src 'unsafe-inline'; img-src data:\">"
    << "<title>" << Escape(run.suite_name) << " - yardstick eval</title><style>"
    << "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    << "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
       "padding:3px 8px;text-align:left;vertical-align:top}th{background:#f2f2f2}"
    << ".pass{color:#176b1f;font-weight:bold}.fail{color:#b00020;font-weight:bold}"
    << ".muted{color:#777}.grid{display:flex;flex-wrap:wrap;gap:1.5em}"
    << "pre{white-space:pre-wrap;max-width:40em;margin:0}</style></head><body>\n";
  s << "<h1>" << Escape(run.suite_name) << "</h1>\n<p id=summary>" << run.examples.size()
    << " examples, " << run.failed << " without output; target " << Escape(run.target)
    << "; created " << Escape(run.created) << "</p>\n";
  if (!run.gate.empty()) {
    s << "<h2>Gate: <span class=" << (run.gate_passed ? "pass>PASS" : "fail>FAIL")
      << "</span></h2><table><tr><th>condition</th><th>result</th><th>detail</th></tr>";
    for (const auto& g : run.gate) {
      s << "<tr><td>" << Escape(g.condition)
        << "</td><td class=" << (g.passed ? "pass>pass" : "fail>fail") << "</td><td>"
        << Escape(g.detail) << "</td></tr>";
    }
    s << "</table>\n";
  }
  s << "<h2>Metrics</h2><table id=metrics><tr><th>metric</th><th>value</th><th>"
    << Fmt(run.bootstrap.confidence * 100, 0)
    << "% CI (bootstrap)</th><th>n</th><th>not scored</th><th>signature</th></tr>";
  for (const auto& m : run.metrics) {
    s << "<tr><td>" << Escape(m.spec.id) << "</td><td>" << Fmt(m.aggregate.value, Decimals(m))
      << "</td><td>" << CiText(m.aggregate, Decimals(m)) << "</td><td>" << m.aggregate.n
      << "</td><td>" << m.aggregate.missing
      << (m.spec.name == "judge" ? " (" + std::to_string(m.judge_failures) + " of " +
                                       std::to_string(m.judge_calls) + " judgments failed)"
                                 : "")
      << "</td><td><code>" << Escape(m.signature) << "</code></td></tr>";
  }
  s << "</table>\n<h2>Score distributions</h2><div class=grid>";
  for (const auto& m : run.metrics) {
    s << "<figure><figcaption>" << Escape(m.spec.id)
      << (IsAdditive(m.kind) ? "" : " (the scores ranked)") << "</figcaption>" << Histogram(m)
      << "</figure>";
  }
  s << "</div>\n";
  if (!run.slices.empty()) {
    s << "<h2>Slices</h2>";
    std::vector<std::string> fields;
    for (const auto& sl : run.slices) {
      if (std::find(fields.begin(), fields.end(), sl.field) == fields.end()) {
        fields.push_back(sl.field);
      }
    }
    for (const auto& field : fields) {
      s << "<h3>by " << Escape(field) << "</h3><div class=grid>";
      for (std::size_t m = 0; m < run.metrics.size(); ++m) {
        s << "<figure><figcaption>" << Escape(run.metrics[m].spec.id) << "</figcaption>"
          << SliceBars(run, field, m) << "</figure>";
      }
      s << "</div>";
    }
  }
  if (run.fairness) {
    const auto& f = *run.fairness;
    s << "<h2>Fairness by " << Escape(f.group_field) << "</h2><p>demographic parity difference "
      << Fmt(f.demographic_parity_difference) << ", equalized odds difference "
      << Fmt(f.equalized_odds_difference) << " (positive class '" << Escape(f.positive)
      << "')</p><table><tr><th>group</th><th>n</th><th>selection rate</th><th>TPR</th>"
      << "<th>FPR</th></tr>";
    for (const auto& g : f.groups) {
      s << "<tr><td>" << Escape(g.value) << "</td><td>" << g.n << "</td><td>"
        << Fmt(g.selection_rate) << "</td><td>" << Fmt(g.true_positive_rate) << "</td><td>"
        << Fmt(g.false_positive_rate) << "</td></tr>";
    }
    s << "</table>";
  }
  if (run.discovery) {
    s << "<h2>Slice discovery</h2><p>" << run.discovery->candidates << " candidate slices of "
      << Escape(run.discovery->metric) << ", Benjamini-Hochberg controlled.</p>";
    if (!run.discovery->slices.empty()) {
      s << "<table><tr><th>slice</th><th>n</th><th>mean</th><th>rest</th><th>effect</th>"
        << "<th>adjusted p</th></tr>";
      for (const auto& d : run.discovery->slices) {
        std::string name;
        for (const auto& [f, v] : d.predicates) name += (name.empty() ? "" : " & ") + f + "=" + v;
        s << "<tr><td>" << Escape(name) << "</td><td>" << d.n << "</td><td>" << Fmt(d.mean)
          << "</td><td>" << Fmt(d.rest_mean) << "</td><td>" << Fmt(d.effect, 2) << "</td><td>"
          << Fmt(d.p_adjusted) << "</td></tr>";
      }
      s << "</table>";
    }
  }
  if (run.comparison) {
    const auto& c = *run.comparison;
    s << "<h2>Comparison with " << Escape(c.baseline) << "</h2><table id=comparison><tr>"
      << "<th>metric</th><th>baseline</th><th>this run</th><th>delta</th><th>test</th>"
      << "<th>p</th><th>adjusted p (" << Escape(c.correction) << ")</th><th></th></tr>";
    for (const auto& m : c.metrics) {
      const double mag = std::isfinite(m.delta) ? std::min(1.0, std::fabs(m.delta)) : 0;
      s << "<tr><td>" << Escape(m.metric) << "</td><td>" << Fmt(m.baseline) << "</td><td>"
        << Fmt(m.value) << "</td><td><svg width=60 height=12><rect x="
        << (m.delta < 0 ? Fmt(30 - 30 * mag, 1) : "30") << " y=2 width=" << Fmt(30 * mag, 1)
        << " height=8 fill='" << (m.delta < 0 ? "#d66" : "#6b6") << "'/></svg> " << Fmt(m.delta)
        << "</td><td>" << Escape(m.test) << "</td><td>" << Fmt(m.p_value) << "</td><td>"
        << Fmt(m.p_adjusted) << "</td><td>"
        << (m.regression    ? "<span class=fail>regression</span>"
            : m.improvement ? "<span class=pass>improvement</span>"
                            : Escape(m.note))
        << "</td></tr>";
    }
    s << "</table>";
  }
  s << "<h2>Examples</h2><table id=examples><tr><th>id</th><th>output</th><th>reference</th>";
  for (const auto& m : run.metrics) s << "<th>" << Escape(m.spec.id) << "</th>";
  s << "</tr>";
  const std::size_t shown = std::min<std::size_t>(run.examples.size(), 500);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& ex = run.examples[i];
    s << "<tr><td>" << Escape(ex.id) << "</td><td><pre>"
      << (ex.output ? Escape(ex.output->substr(0, 400))
                    : "<span class=fail>" + Escape(ex.error) + "</span>")
      << "</pre></td><td><pre>"
      << Escape(ex.references.empty() ? "" : ex.references[0].substr(0, 400)) << "</pre></td>";
    for (const auto& m : run.metrics) {
      s << "<td>"
        << (std::isnan(m.values[i]) ? "<span class=muted>" + Escape(m.failures[i]) + "</span>"
                                    : Fmt(m.values[i]))
        << "</td>";
    }
    s << "</tr>";
  }
  s << "</table>";
  if (shown < run.examples.size()) {
    s << "<p class=muted>" << run.examples.size() - shown
      << " more examples are in results.json.</p>";
  }
  s << "</body></html>\n";
  return s.str();
}

}  // namespace yardstick::eval

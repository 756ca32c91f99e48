#include "server/goals_routes.h"

#include <nlohmann/json.hpp>

#include "baselines/baselines.h"
#include "goals/goals.h"
#include "reports/reports.h"
#include "server/http_util.h"

namespace yardstick::server {
namespace {

using nlohmann::json;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int StatusOf(const Error& e) {
  switch (e.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnsupported:
      return 400;
    default:
      return 500;
  }
}

void FailWith(httplib::Response& res, const Error& e) {
  const int status = StatusOf(e);
  SendError(res, status,
            status == 404   ? "not_found"
            : status == 400 ? "invalid_argument"
                            : "internal",
            e.message());
}

json Opt(std::optional<double> v) { return v ? json(*v) : json(nullptr); }

// "7d", "12h", "30m", "45s": the largest unit that divides the duration.
std::string FormatDuration(int64_t ns) {
  const int64_t s = ns / kNanosPerSecond;
  if (s > 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s > 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

json FilterObject(const store::DimensionFilter& f) {
  json out = json::object();
  for (const auto& [k, v] : f) out[k] = v;
  return out;
}

json DistributionJson(const baselines::Distribution& d) {
  const kpi::Distribution& s = d.stats;
  json out = {{"kind", d.kind},
              {"value", Opt(d.value)},
              {"n", d.n},
              {"unit", d.unit},
              {"better", kpi::DirectionName(d.direction)}};
  if (d.kind == "mean") out["stats"] = {{"n", s.n}, {"sum", s.sum}, {"sumsq", s.sumsq}};
  if (d.kind == "proportion") {
    out["stats"] = {{"successes", s.successes}, {"trials", s.trials}};
  }
  if (d.kind == "nps") {
    out["stats"] = {{"promoters", s.promoters}, {"detractors", s.detractors}, {"n", s.n}};
  }
  if (d.kind == "quantile") out["stats"] = {{"quantile", s.quantile}};
  if (s.sketch && !s.sketch->empty()) {
    out["sketch"] = {{"count", s.sketch->count()},
                     {"min", s.sketch->min()},
                     {"max", s.sketch->max()},
                     {"relative_accuracy", s.sketch->relative_accuracy()}};
    json deciles = json::array();
    for (int i = 1; i <= 9; ++i) deciles.push_back(Opt(s.sketch->Quantile(i / 10.0)));
    out["sketch"]["deciles"] = std::move(deciles);
  }
  if (d.kind == "categorical") out["categories"] = d.categories;
  return out;
}

json BaselineJson(const baselines::Baseline& b) {
  json selector = {{"from", FormatRfc3339(b.selector.from_ns)},
                   {"to", FormatRfc3339(b.selector.to_ns)}};
  if (!b.selector.version_dimension.empty()) {
    selector["version"] = {{b.selector.version_dimension, b.selector.version}};
  }
  json out = {{"name", b.name},
              {"project", b.project},
              {"kpi", b.spec.kpi.empty() ? json(nullptr) : json(b.spec.kpi)},
              {"field", b.spec.field.empty() ? json(nullptr) : json(b.spec.field)},
              {"params", b.spec.params},
              {"filter", FilterObject(b.spec.filter)},
              {"selector", std::move(selector)},
              {"created", FormatRfc3339(b.created_ns)},
              {"distribution", DistributionJson(b.distribution)}};
  return out;
}

json ComparisonJson(const baselines::Comparison& c) {
  return {{"method", c.method},
          {"baseline_value", Opt(c.baseline_value)},
          {"current_value", Opt(c.current_value)},
          {"difference", Opt(c.difference)},
          {"relative_change", Opt(c.relative_change)},
          {"ci_low", Opt(c.ci_low)},
          {"ci_high", Opt(c.ci_high)},
          {"confidence", c.confidence},
          {"statistic", Opt(c.statistic)},
          {"pvalue", Opt(c.pvalue)},
          {"df", Opt(c.df)},
          {"n_baseline", c.n_baseline},
          {"n_current", c.n_current},
          {"significant", c.significant},
          {"degraded", c.degraded}};
}

bool ParseTime(const httplib::Request& req, httplib::Response& res, const char* name,
               int64_t fallback, int64_t& out) {
  if (!req.has_param(name)) {
    out = fallback;
    return true;
  }
  auto t = ParseTimeParam(req.get_param_value(name), NowNanos());
  if (!t) {
    SendError(res, 400, "invalid_argument", std::string(name) + ": " + t.error().message());
    return false;
  }
  out = *t;
  return true;
}

bool IsBaselineName(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

class Routes {
 public:
  explicit Routes(GoalRoutesContext c) : c_(std::move(c)) {}

  void Goals(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!c_.authorize(req, res, false, &project)) return;
    int sparkline = 0;
    if (req.has_param("sparkline")) {
      try {
        sparkline = std::stoi(req.get_param_value("sparkline"));
      } catch (const std::exception&) {
        sparkline = -1;
      }
      if (sparkline < 0 || sparkline > 500) {
        return SendError(res, 400, "invalid_argument", "sparkline: expected an integer 0..500");
      }
    }
    const int64_t now = NowNanos();
    json list = json::array();
    const auto engine = c_.goals();
    for (const auto& g : engine->goals()) {
      if (!project.empty() && g.project != project) continue;
      json scope = FilterObject(g.scope);
      scope["project"] = g.project;
      json item = {{"name", g.name},
                   {"kpi", g.kpi},
                   {"scope", std::move(scope)},
                   {"target", {{"op", goals::OpName(g.target.op)}, {"value", g.target.value}}},
                   {"window", FormatDuration(g.window_ns)},
                   {"confidence", g.confidence},
                   {"min_samples", g.min_samples}};
      if (!g.params.empty()) item["params"] = g.params;
      auto e = engine->Evaluate(g, now, sparkline);
      if (!e) {
        item.update({{"status", goals::StatusName(goals::Status::kInsufficientData)},
                     {"value", nullptr},
                     {"ci_low", nullptr},
                     {"ci_high", nullptr},
                     {"unit", ""},
                     {"n", 0},
                     {"error", e.error().message()}});
      } else {
        item.update({{"status", goals::StatusName(e->status)},
                     {"value", Opt(e->value)},
                     {"ci_low", e->ci ? json(e->ci->low) : json(nullptr)},
                     {"ci_high", e->ci ? json(e->ci->high) : json(nullptr)},
                     {"unit", e->unit},
                     {"better", kpi::DirectionName(e->direction)},
                     {"n", e->n},
                     {"from", FormatRfc3339(e->from_ns)},
                     {"to", FormatRfc3339(e->to_ns)}});
        if (sparkline > 0) {
          json series = json::array();
          for (const auto& p : e->series) {
            series.push_back({{"t", FormatRfc3339(p.t_ns)}, {"value", Opt(p.value)}});
          }
          item["series"] = std::move(series);
        }
      }
      list.push_back(std::move(item));
    }
    res.set_content(JsonText({{"goals", std::move(list)}}), kJson);
  }

  void CreateBaseline(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!c_.authorize(req, res, true, &project)) return;
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return SendError(res, 400, "invalid_argument", "expected a JSON object");
    auto str = [&](const char* key) -> std::optional<std::string> {
      if (!body.contains(key)) return std::string();
      if (!body[key].is_string()) return std::nullopt;
      return body[key].get<std::string>();
    };
    const auto name = str("name"), kpi_name = str("kpi"), field = str("field");
    if (!name || !IsBaselineName(*name)) {
      return SendError(res, 400, "invalid_argument",
                       "name: expected a string of letters, digits, '_', '-' or '.' (1-128)");
    }
    if (!kpi_name || !field) {
      return SendError(res, 400, "invalid_argument", "kpi and field must be strings");
    }
    if (body.contains("eval_run")) {
      return SendError(
          res, 400, "invalid_argument",
          "eval_run: baselines from eval runs are not available in this server version "
          "(eval runs are not stored yet); select a time range or a model/prompt version");
    }
    if (kpi_name->empty() == field->empty()) {
      return SendError(res, 400, "invalid_argument", "give exactly one of kpi and field");
    }
    baselines::Baseline b;
    b.project = project;
    b.name = *name;
    b.spec.project = project;
    b.spec.kpi = *kpi_name;
    b.spec.field = *field;
    if (!b.spec.kpi.empty() && !c_.kpis()->Find(b.spec.kpi)) {
      return SendError(res, 400, "invalid_argument", "kpi: unknown KPI '" + b.spec.kpi + "'");
    }
    for (const char* key : {"params", "filter"}) {
      if (!body.contains(key)) continue;
      if (!body[key].is_object()) {
        return SendError(res, 400, "invalid_argument", std::string(key) + ": expected an object");
      }
      for (const auto& [k, v] : body[key].items()) {
        if (!v.is_string()) {
          return SendError(res, 400, "invalid_argument",
                           std::string(key) + "." + k + ": expected a string");
        }
        if (std::string_view(key) == "params") {
          b.spec.params[k] = v.get<std::string>();
        } else {
          b.spec.filter.emplace_back(k, v.get<std::string>());
        }
      }
    }
    const int64_t now = NowNanos();
    int64_t from = 0, to = now;
    if (body.contains("version")) {
      const json& v = body["version"];
      if (!v.is_object() || v.size() != 1 || !v.begin().value().is_string() ||
          (v.begin().key() != "model" && v.begin().key() != "prompt_version")) {
        return SendError(res, 400, "invalid_argument",
                         "version: expected {\"model\": \"...\"} or {\"prompt_version\": \"...\"}");
      }
      b.selector.version_dimension = v.begin().key();
      b.selector.version = v.begin().value().get<std::string>();
      b.spec.filter.emplace_back(b.selector.version_dimension, b.selector.version);
      from = now - 90 * 86400 * kNanosPerSecond;
    } else if (!body.contains("from")) {
      return SendError(res, 400, "invalid_argument",
                       "give a time range (from, to) or a version selector ({\"model\": ...} or "
                       "{\"prompt_version\": ...})");
    }
    for (const char* key : {"from", "to"}) {
      if (!body.contains(key)) continue;
      if (!body[key].is_string()) {
        return SendError(res, 400, "invalid_argument",
                         std::string(key) + ": expected a time string");
      }
      auto t = ParseTimeParam(body[key].get<std::string>(), now);
      if (!t) {
        return SendError(res, 400, "invalid_argument",
                         std::string(key) + ": " + t.error().message());
      }
      (std::string_view(key) == "from" ? from : to) = *t;
    }
    if (to <= from) return SendError(res, 400, "invalid_argument", "`to` must be after `from`");
    b.selector.from_ns = from;
    b.selector.to_ns = to;
    auto existing = c_.baselines->Get(project, b.name);
    if (!existing) return FailWith(res, existing.error());
    if (*existing) {
      return SendError(
          res, 409, "conflict",
          "baseline '" + b.name + "' exists; baselines are immutable (delete it first)");
    }
    auto d = baselines::Measure(*c_.kpis(), *c_.store, b.spec, from, to);
    if (!d) return FailWith(res, d.error());
    if (d->n == 0) {
      return SendError(res, 400, "invalid_argument", "no data in the selected range and scope");
    }
    b.distribution = std::move(*d);
    b.created_ns = now;
    auto put = c_.baselines->Put(b);
    if (!put) return FailWith(res, put.error());
    if (!*put) return SendError(res, 409, "conflict", "baseline '" + b.name + "' exists");
    res.status = 201;
    res.set_content(JsonText(BaselineJson(b)), kJson);
  }

  void ListBaselines(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!c_.authorize(req, res, false, &project)) return;
    auto list = c_.baselines->List(project);
    if (!list) return FailWith(res, list.error());
    json out = json::array();
    for (const auto& b : *list) out.push_back(BaselineJson(b));
    res.set_content(JsonText({{"baselines", std::move(out)}}), kJson);
  }

  void GetBaseline(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!c_.authorize(req, res, true, &project)) return;
    auto b = Find(project, req.matches[1], res);
    if (b) res.set_content(JsonText(BaselineJson(*b)), kJson);
  }

  void DeleteBaseline(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    auto p = c_.authorize(req, res, true, &project);
    if (!p) return;
    if (!p->admin)
      return SendError(res, 403, "forbidden", "deleting baselines needs the admin key");
    auto deleted = c_.baselines->Delete(project, req.matches[1]);
    if (!deleted) return FailWith(res, deleted.error());
    if (!*deleted) {
      return SendError(res, 404, "not_found",
                       "no baseline named '" + std::string(req.matches[1]) + "'");
    }
    res.status = 204;
  }

  void Compare(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!c_.authorize(req, res, true, &project)) return;
    auto b = Find(project, req.matches[1], res);
    if (!b) return;
    const int64_t now = NowNanos();
    int64_t from = 0, to = 0;
    if (!ParseTime(req, res, "from", now - 86400 * kNanosPerSecond, from)) return;
    if (!ParseTime(req, res, "to", now, to)) return;
    if (to <= from) return SendError(res, 400, "invalid_argument", "`to` must be after `from`");
    double confidence = 0.95;
    if (req.has_param("confidence")) {
      try {
        confidence = std::stod(req.get_param_value("confidence"));
      } catch (const std::exception&) {
        confidence = -1;
      }
      if (!(confidence > 0 && confidence < 1)) {
        return SendError(res, 400, "invalid_argument", "confidence: expected a number in (0, 1)");
      }
    }
    auto current = baselines::Measure(*c_.kpis(), *c_.store, b->spec, from, to);
    if (!current) return FailWith(res, current.error());
    auto c = baselines::Compare(b->distribution, *current, confidence);
    if (!c) return FailWith(res, c.error());
    json out = {{"baseline", b->name},
                {"project", project},
                {"kpi", b->spec.kpi.empty() ? json(nullptr) : json(b->spec.kpi)},
                {"field", b->spec.field.empty() ? json(nullptr) : json(b->spec.field)},
                {"from", FormatRfc3339(from)},
                {"to", FormatRfc3339(to)},
                {"current", DistributionJson(*current)},
                {"comparison", ComparisonJson(*c)}};
    res.set_content(JsonText(out), kJson);
  }

  void ListReports(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!c_.authorize(req, res, false, &project)) return;
    size_t limit = 100;
    if (req.has_param("limit")) {
      try {
        limit = std::clamp<size_t>(std::stoul(req.get_param_value("limit")), 1, 1000);
      } catch (const std::exception&) {
        return SendError(res, 400, "invalid_argument", "limit: expected a positive integer");
      }
    }
    auto list = c_.reports->List(project, req.get_param_value("schedule"), limit);
    if (!list) return FailWith(res, list.error());
    json out = json::array();
    for (const auto& r : *list) out.push_back(Summary(r));
    res.set_content(JsonText({{"reports", std::move(out)}}), kJson);
  }

  void GetReport(const httplib::Request& req, httplib::Response& res) {
    std::string project;
    if (!c_.authorize(req, res, false, &project)) return;
    int64_t id = 0;
    try {
      id = std::stoll(req.matches[1]);
    } catch (const std::exception&) {
      return SendError(res, 404, "not_found", "no such report");
    }
    auto r = c_.reports->Get(id);
    if (!r) return FailWith(res, r.error());
    if (!*r || (!project.empty() && (*r)->project != project)) {
      return SendError(res, 404, "not_found", "no report " + std::to_string(id));
    }
    json out = Summary(**r);
    out["report"] = json::parse((*r)->document, nullptr, false);
    res.set_content(JsonText(out), kJson);
  }

 private:
  static json Summary(const reports::StoredReport& r) {
    return {{"id", r.id},
            {"schedule", r.schedule},
            {"project", r.project},
            {"from", FormatRfc3339(r.period_start_ns)},
            {"to", FormatRfc3339(r.period_end_ns)},
            {"created", FormatRfc3339(r.created_ns)},
            {"degraded", r.degraded}};
  }

  std::optional<baselines::Baseline> Find(const std::string& project, const std::string& name,
                                          httplib::Response& res) {
    auto b = c_.baselines->Get(project, name);
    if (!b) {
      FailWith(res, b.error());
      return std::nullopt;
    }
    if (!*b) {
      SendError(res, 404, "not_found", "no baseline named '" + name + "' in project " + project);
      return std::nullopt;
    }
    return std::move(**b);
  }

  GoalRoutesContext c_;
};

}  // namespace

void RegisterGoalRoutes(httplib::Server& http, GoalRoutesContext context) {
  auto r = std::make_shared<Routes>(std::move(context));
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  http.Get("/v1/goals", [r](Req req, Res res) { r->Goals(req, res); });
  http.Post("/v1/baselines", [r](Req req, Res res) { r->CreateBaseline(req, res); });
  http.Get("/v1/baselines", [r](Req req, Res res) { r->ListBaselines(req, res); });
  http.Get(R"(/v1/baselines/([A-Za-z0-9_.\-]+)/compare)",
           [r](Req req, Res res) { r->Compare(req, res); });
  http.Get(R"(/v1/baselines/([A-Za-z0-9_.\-]+))",
           [r](Req req, Res res) { r->GetBaseline(req, res); });
  http.Delete(R"(/v1/baselines/([A-Za-z0-9_.\-]+))",
              [r](Req req, Res res) { r->DeleteBaseline(req, res); });
  http.Get("/v1/reports", [r](Req req, Res res) { r->ListReports(req, res); });
  http.Get(R"(/v1/reports/([0-9]+))", [r](Req req, Res res) { r->GetReport(req, res); });
}

}  // namespace yardstick::server

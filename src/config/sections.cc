// Readers for the server, storage, auth, redaction and pricing sections, and the checks they
// share with the KPI reader (paths, environment variable names, regexes).
#include "config/sections.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <map>

namespace yardstick::config::internal {
namespace {

constexpr int kMaxInt = std::numeric_limits<int>::max();

bool IsIdentifier(std::string_view s) {
  auto word = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), word);
}

bool IsEnvName(std::string_view s) {
  if (s.empty() || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (const char c : s) {
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// "host:port" or "[ipv6]:port" into host and port.
void ReadListen(const Field& f, Diagnostics& diag, ServerConfig& out) {
  auto value = ReadString(f, diag);
  if (!value || !CheckNotExpanded(f, *value, diag)) return;
  const std::string expected = ": expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got ";
  std::string host;
  std::string port;
  const std::string& s = *value;
  if (s.starts_with('[')) {
    const size_t close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      diag.Add(f.mark, f.path + expected + Quote(s));
      return;
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const size_t colon = s.find(':');
    if (colon == std::string::npos || s.find(':', colon + 1) != std::string::npos) {
      diag.Add(f.mark, f.path + expected + Quote(s) +
                           (colon != std::string::npos ? " (IPv6 addresses need brackets)" : ""));
      return;
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (host.empty() || host.find_first_of(" \t") != std::string::npos) {
    diag.Add(f.mark, f.path + expected + Quote(s));
    return;
  }
  int number = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (const char c : port) {
    digits = digits && c >= '0' && c <= '9';
    if (digits) number = number * 10 + (c - '0');
  }
  if (!digits || number < 1 || number > 65535) {
    diag.Add(f.mark, f.path + ": the port in " + Quote(s) + " must be an integer from 1 to 65535");
    return;
  }
  out.listen_host = host;
  out.listen_port = number;
}

void ReadLimits(const Field& f, Diagnostics& diag, Limits& out) {
  static constexpr std::array<std::string_view, 3> kKeys = {"max_body_bytes", "max_record_bytes",
                                                            "max_attributes"};
  MapReader map(f, diag, kKeys);
  map.Size("max_body_bytes", out.max_body_bytes);
  map.Size("max_record_bytes", out.max_record_bytes);
  map.Size("max_attributes", out.max_attributes);
}

// Returns whether `endpoints` lists at least one item (valid or not).
bool ReadClickHouse(const Field& f, Context& ctx, ClickHouseConfig& out) {
  static constexpr std::array<std::string_view, 5> kKeys = {"endpoints", "database", "user_env",
                                                            "password_env", "cluster"};
  MapReader map(f, ctx.diag, kKeys);
  bool listed = false;
  if (auto endpoints = map.Get("endpoints")) {
    listed = endpoints->value.IsSequence() && endpoints->value.size() > 0;
    ForEachItem(*endpoints, ctx.diag, [&](const Field& item) {
      auto url = ReadString(item, ctx.diag);
      if (!url || !CheckNotExpanded(item, *url, ctx.diag)) return;
      const bool http = url->starts_with("http://") && url->size() > 7;
      const bool https = url->starts_with("https://") && url->size() > 8;
      if (!http && !https) {
        ctx.diag.Add(item.mark,
                     item.path + ": expected an http:// or https:// URL, got " + Quote(*url));
        return;
      }
      out.endpoints.push_back(std::move(*url));
    });
  }
  if (auto db = map.Get("database")) {
    auto name = ReadString(*db, ctx.diag);
    if (name && IsIdentifier(*name)) {
      out.database = std::move(*name);
    } else if (name) {
      ctx.diag.Add(
          db->mark,
          db->path + ": expected a database name ([A-Za-z_][A-Za-z0-9_]*), got " + Quote(*name));
    }
  }
  ReadEnvName(map, "user_env", ctx.diag, out.user_env);
  ReadEnvName(map, "password_env", ctx.diag, out.password_env);
  if (auto cluster = map.Get("cluster")) {
    auto name = ReadString(*cluster, ctx.diag);
    if (name && CheckNotExpanded(*cluster, *name, ctx.diag)) {
      if (name->empty() || IsIdentifier(*name)) {
        out.cluster = std::move(*name);
      } else {
        ctx.diag.Add(cluster->mark, cluster->path +
                                        ": expected a cluster name of the servers' remote_servers "
                                        "([A-Za-z_][A-Za-z0-9_]*), got " +
                                        Quote(*name));
      }
    }
  }
  return listed;
}

void ReadRetention(const Field& f, Diagnostics& diag, RetentionConfig& out) {
  static constexpr std::array<std::string_view, 4> kKeys = {"raw_days", "minute_rollup_days",
                                                            "hour_rollup_days", "day_rollup_days"};
  MapReader map(f, diag, kKeys);
  map.Integer("raw_days", 1, kMaxInt, out.raw_days);
  map.Integer("minute_rollup_days", 1, kMaxInt, out.minute_rollup_days);
  map.Integer("hour_rollup_days", 1, kMaxInt, out.hour_rollup_days);
  map.Integer("day_rollup_days", 1, kMaxInt, out.day_rollup_days);
}

// A redaction pattern or price override regex; reports at the regex and returns false if bad.
bool CheckRegex(const Field& f, const std::string& regex, bool forbid_empty_match,
                Diagnostics& diag) {
  if (regex.empty()) {
    diag.Add(f.mark, f.path + ": expected a regular expression, got an empty string");
    return false;
  }
  if (auto problem = RegexProblem(regex, forbid_empty_match)) {
    diag.Add(f.mark, f.path + ": " + *problem);
    return false;
  }
  return true;
}

}  // namespace

std::string PlaceOf(const Field& f) {
  return std::to_string(f.mark.line + 1) + ":" + std::to_string(f.mark.column + 1);
}

bool IsSnakeName(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (const char c : s) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsProjectName(std::string_view s) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (s.empty() || !alnum(s[0])) return false;
  for (const char c : s) {
    if (!(alnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

bool ReadPath(const MapReader& map, std::string_view key, const Context& ctx, std::string& out) {
  const auto f = map.Get(key);
  if (!f) return false;
  auto value = ReadString(*f, ctx.diag);
  if (!value || !CheckNotExpanded(*f, *value, ctx.diag)) return false;
  if (value->empty()) {
    ctx.diag.Add(f->mark, f->path +
                              ": expected a path, got an empty string (leave the key out "
                              "for the default)");
    return false;
  }
  if (value->starts_with('~')) {
    ctx.diag.Add(f->mark, f->path + ": " + Quote(*value) +
                              " is not expanded: write the path without ~ (relative paths are "
                              "relative to the configuration file)");
    return false;
  }
  // ":memory:" is SQLite's in-memory database, not a file.
  const std::filesystem::path p(*value);
  if (ctx.base_dir.empty() || p.is_absolute() || *value == ":memory:") {
    out = std::move(*value);
  } else {
    out = (std::filesystem::path(ctx.base_dir) / p).lexically_normal().string();
  }
  return true;
}

bool ReadEnvName(const MapReader& map, std::string_view key, Diagnostics& diag, std::string& out) {
  const auto f = map.Get(key);
  if (!f) return false;
  auto value = ReadString(*f, diag);
  if (!value || !CheckNotExpanded(*f, *value, diag)) return false;
  if (!IsEnvName(*value)) {
    diag.Add(f->mark, f->path +
                          ": expected the name of an environment variable ([A-Z_][A-Z0-9_]*), "
                          "got " +
                          Quote(*value) +
                          " (the value itself is read from the environment, never from this file)");
    return false;
  }
  out = std::move(*value);
  return true;
}

std::optional<std::string> RegexProblem(std::string_view regex, bool forbid_empty_match) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                                 PCRE2_UTF, &code, &offset, nullptr);
  if (re == nullptr) {
    std::array<PCRE2_UCHAR, 256> buffer{};
    pcre2_get_error_message(code, buffer.data(), buffer.size());
    return "the regex does not compile (PCRE2) at offset " + std::to_string(offset) + ": " +
           reinterpret_cast<const char*>(buffer.data());
  }
  std::optional<std::string> problem;
  if (forbid_empty_match) {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(re, nullptr);
    const int rc = pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(""), 0, 0, 0, md, nullptr);
    if (rc >= 0) problem = "the regex matches the empty string; it must match some text";
    pcre2_match_data_free(md);
  }
  pcre2_code_free(re);
  return problem;
}

void ReadServer(const Field& f, Context& ctx, ServerConfig& out) {
  static constexpr std::array<std::string_view, 9> kKeys = {
      "listen", "listen_host", "listen_port", "data_dir", "threads",
      "limits", "log_format",  "log_level",   "dashboard"};
  static constexpr std::array<std::string_view, 2> kDashboardKeys = {"enabled", "dir"};
  static constexpr std::array<std::string_view, 2> kFormats = {"json", "text"};
  static constexpr std::array<std::string_view, 4> kLevels = {"debug", "info", "warn", "error"};
  MapReader map(f, ctx.diag, kKeys);
  if (auto listen = map.Get("listen")) {
    if (map.Has("listen_host") || map.Has("listen_port")) {
      ctx.diag.Add(listen->mark, listen->path +
                                     ": give either listen (host:port) or listen_host and "
                                     "listen_port, not both");
    } else {
      ReadListen(*listen, ctx.diag, out);
    }
  }
  if (auto host = map.Get("listen_host")) {
    // Names, IPv4 and bare IPv6 addresses ("::1"); brackets belong only to the listen form.
    auto value = ReadString(*host, ctx.diag);
    if (value && CheckNotExpanded(*host, *value, ctx.diag)) {
      if (value->empty() || value->find_first_of(" \t[]/") != std::string::npos) {
        ctx.diag.Add(host->mark,
                     host->path + ": expected a host name or address, got " + Quote(*value));
      } else {
        out.listen_host = std::move(*value);
      }
    }
  }
  map.Integer("listen_port", 1, 65535, out.listen_port);
  ReadPath(map, "data_dir", ctx, out.data_dir);
  map.Integer("threads", 1, 256, out.threads);
  if (auto limits = map.Get("limits")) ReadLimits(*limits, ctx.diag, out.limits);
  map.Enum("log_format", kFormats, out.log_format);
  map.Enum("log_level", kLevels, out.log_level);
  if (auto dashboard = map.Get("dashboard")) {
    MapReader d(*dashboard, ctx.diag, kDashboardKeys);
    d.Bool("enabled", out.dashboard.enabled);
    ReadPath(d, "dir", ctx, out.dashboard.dir);
  }
}

void ReadStorage(const Field& f, Context& ctx, StorageConfig& out) {
  static constexpr std::array<std::string_view, 4> kKeys = {"backend", "sqlite", "clickhouse",
                                                            "retention"};
  static constexpr std::array<std::string_view, 2> kBackends = {"sqlite", "clickhouse"};
  static constexpr std::array<std::string_view, 2> kSqliteKeys = {"path", "synchronous"};
  static constexpr std::array<std::string_view, 2> kSynchronous = {"full", "normal"};
  MapReader map(f, ctx.diag, kKeys);
  const bool backend_ok = map.Enum("backend", kBackends, out.backend);
  if (auto sqlite = map.Get("sqlite")) {
    MapReader s(*sqlite, ctx.diag, kSqliteKeys);
    ReadPath(s, "path", ctx, out.sqlite.path);
    s.Enum("synchronous", kSynchronous, out.sqlite.synchronous);
  }
  const auto clickhouse = map.Get("clickhouse");
  const bool listed = clickhouse && ReadClickHouse(*clickhouse, ctx, out.clickhouse);
  if (auto retention = map.Get("retention")) ReadRetention(*retention, ctx.diag, out.retention);
  if (backend_ok && out.backend == "clickhouse" && !listed) {
    const Field& at = clickhouse ? *clickhouse : *map.Get("backend");
    ctx.diag.Add(at.mark,
                 "storage.clickhouse.endpoints: backend clickhouse needs at least one "
                 "endpoint (e.g. http://localhost:8123)");
  }
}

void ReadAuth(const Field& f, Context& ctx, AuthConfig& out) {
  static constexpr std::array<std::string_view, 2> kKeys = {"admin_key_env", "projects"};
  static constexpr std::array<std::string_view, 2> kProjectKeys = {"name", "key_env"};
  MapReader map(f, ctx.diag, kKeys);
  ReadEnvName(map, "admin_key_env", ctx.diag, out.admin_key_env);
  const auto projects = map.Get("projects");
  if (!projects) return;
  std::map<std::string, Field> names;     // project name -> where it was defined
  std::map<std::string, Field> key_envs;  // key_env -> where it was used
  ForEachItem(*projects, ctx.diag, [&](const Field& item) {
    MapReader p(item, ctx.diag, kProjectKeys);
    if (!p.is_mapping()) return;
    ProjectConfig project;
    bool ok = true;
    if (auto name = p.Get("name")) {
      if (p.String("name", project.name)) {
        if (!IsProjectName(project.name)) {
          ctx.diag.Add(name->mark, name->path +
                                       ": expected a project name "
                                       "([A-Za-z0-9][A-Za-z0-9_.-]*), got " +
                                       Quote(project.name));
          ok = false;
        } else if (auto [it, inserted] = names.emplace(project.name, *name); !inserted) {
          ctx.diag.Add(name->mark, name->path + ": project " + Quote(project.name) +
                                       " is already defined at " + PlaceOf(it->second));
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      ok = p.Missing("name");
    }
    if (auto key_env = p.Get("key_env")) {
      if (ReadEnvName(p, "key_env", ctx.diag, project.key_env)) {
        if (project.key_env == out.admin_key_env) {
          ctx.diag.Add(key_env->mark, key_env->path + ": " + Quote(project.key_env) +
                                          " is the admin key's variable (auth.admin_key_env)");
          ok = false;
        } else if (auto [it, inserted] = key_envs.emplace(project.key_env, *key_env); !inserted) {
          ctx.diag.Add(key_env->mark, key_env->path + ": " + Quote(project.key_env) +
                                          " is already the key of another project (at " +
                                          PlaceOf(it->second) + "); each project needs its own");
          ok = false;
        }
      } else {
        ok = false;
      }
    } else {
      ok = p.Missing("key_env");
    }
    if (ok) out.projects.push_back(std::move(project));
  });
}

void ReadRedaction(const Field& f, Context& ctx, RedactionConfig& out) {
  static constexpr std::array<std::string_view, 8> kKeys = {
      "enabled", "email", "phone", "card", "ip", "secret", "national_id", "patterns"};
  static constexpr std::array<std::string_view, 3> kPatternKeys = {"name", "regex", "replacement"};
  static constexpr std::array<std::string_view, 6> kBuiltin = {"email", "phone",  "card",
                                                               "ip",    "secret", "national_id"};
  MapReader map(f, ctx.diag, kKeys);
  map.Bool("enabled", out.enabled);
  map.Bool("email", out.email);
  map.Bool("phone", out.phone);
  map.Bool("card", out.card);
  map.Bool("ip", out.ip);
  map.Bool("secret", out.secret);
  map.Bool("national_id", out.national_id);
  const auto patterns = map.Get("patterns");
  if (!patterns) return;
  std::map<std::string, Field> names;
  ForEachItem(*patterns, ctx.diag, [&](const Field& item) {
    MapReader p(item, ctx.diag, kPatternKeys);
    if (!p.is_mapping()) return;
    CustomPatternConfig pattern;
    bool ok = true;
    if (auto name = p.Get("name")) {
      if (!p.String("name", pattern.name)) {
        ok = false;
      } else if (!IsSnakeName(pattern.name)) {
        ctx.diag.Add(name->mark, name->path +
                                     ": expected a name like credit_note_id "
                                     "([a-z][a-z0-9_]*), got " +
                                     Quote(pattern.name));
        ok = false;
      } else if (std::find(kBuiltin.begin(), kBuiltin.end(), pattern.name) != kBuiltin.end()) {
        ctx.diag.Add(name->mark, name->path + ": " + Quote(pattern.name) +
                                     " is a built-in detector; give the pattern another name");
        ok = false;
      } else if (auto [it, inserted] = names.emplace(pattern.name, *name); !inserted) {
        ctx.diag.Add(name->mark, name->path + ": pattern " + Quote(pattern.name) +
                                     " is already defined at " + PlaceOf(it->second));
        ok = false;
      }
    } else {
      ok = p.Missing("name");
    }
    if (auto regex = p.Get("regex")) {
      ok = p.String("regex", pattern.regex) && CheckRegex(*regex, pattern.regex, true, ctx.diag) &&
           ok;
    } else {
      ok = p.Missing("regex");
    }
    if (p.Has("replacement")) ok = p.String("replacement", pattern.replacement) && ok;
    if (ok) out.patterns.push_back(std::move(pattern));
  });
}

void ReadPricing(const Field& f, Context& ctx, PricingConfig& out) {
  static constexpr std::array<std::string_view, 2> kKeys = {"table_file", "overrides"};
  static constexpr std::array<std::string_view, 7> kOverrideKeys = {
      "project", "match", "input", "output", "cache_read", "cache_creation", "reasoning"};
  MapReader map(f, ctx.diag, kKeys);
  ReadPath(map, "table_file", ctx, out.table_file);
  const auto overrides = map.Get("overrides");
  if (!overrides) return;
  ForEachItem(*overrides, ctx.diag, [&](const Field& item) {
    MapReader o(item, ctx.diag, kOverrideKeys);
    if (!o.is_mapping()) return;
    PriceOverrideConfig override_config;
    bool ok = true;
    if (auto project = o.Get("project")) {
      if (o.String("project", override_config.project) && !override_config.project.empty() &&
          !IsProjectName(override_config.project)) {
        ctx.diag.Add(project->mark, project->path + ": expected a project name, got " +
                                        Quote(override_config.project));
        ok = false;
      }
    }
    if (auto match = o.Get("match")) {
      ok = o.String("match", override_config.match) &&
           CheckRegex(*match, override_config.match, false, ctx.diag) && ok;
    } else {
      ok = o.Missing("match");
    }
    const std::array<std::pair<std::string_view, std::optional<double>*>, 5> prices = {{
        {"input", &override_config.input},
        {"output", &override_config.output},
        {"cache_read", &override_config.cache_read},
        {"cache_creation", &override_config.cache_creation},
        {"reasoning", &override_config.reasoning},
    }};
    bool any_price = false;
    for (const auto& [key, slot] : prices) {
      const auto price = o.Get(key);
      if (!price) continue;
      any_price = true;
      const auto value = ReadNumber(*price, ctx.diag);
      if (value && *value < 0) {
        ctx.diag.Add(price->mark, price->path + ": expected a price >= 0 (USD per token), got " +
                                      price->value.Scalar());
      }
      if (value && *value >= 0) {
        *slot = *value;
      } else {
        ok = false;
      }
    }
    if (!any_price) {
      ctx.diag.Add(item.mark, item.path +
                                  ": an override needs at least one price (input, "
                                  "output, cache_read, cache_creation, reasoning)");
      ok = false;
    }
    if (ok) out.overrides.push_back(std::move(override_config));
  });
}

}  // namespace yardstick::config::internal

// The `notifiers` section: where notifications go. Each notifier has a unique name, a type
// (alertmanager, slack, webhook), an http(s) URL, headers whose values come from environment
// variables, and its retry policy. Templates of webhook notifiers are checked by the notify
// module (notify::CheckTemplates), which owns the template language.
#include <array>
#include <map>
#include <string>

#include "config/sections.h"

namespace yardstick::config::internal {
namespace {

bool IsNotifierName(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (const char c : s) {
    if (!(c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsHeaderName(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// An http:// or https:// URL with a host; anything else is named in the message.
bool ReadUrl(const MapReader& map, Diagnostics& diag, std::string& out) {
  const auto f = map.Get("url");
  if (!f) return map.Missing("url");
  auto url = ReadString(*f, diag);
  if (!url || !CheckNotExpanded(*f, *url, diag)) return false;
  const size_t colon = url->find("://");
  if (colon == std::string::npos) {
    diag.Add(f->mark, f->path + ": expected an http:// or https:// URL, got " + Quote(*url));
    return false;
  }
  const std::string scheme = url->substr(0, colon);
  if (scheme != "http" && scheme != "https") {
    diag.Add(f->mark, f->path + ": URL scheme " + Quote(scheme) +
                          " is not supported; expected http:// or https://, got " + Quote(*url));
    return false;
  }
  const std::string rest = url->substr(colon + 3);
  if (rest.empty() || rest[0] == '/' || rest[0] == ':' ||
      rest.find_first_of(" \t") != std::string::npos) {
    diag.Add(f->mark, f->path + ": the URL " + Quote(*url) + " has no host");
    return false;
  }
  out = std::move(*url);
  return true;
}

}  // namespace

void ReadNotifiers(const Field& f, Context& ctx, std::vector<NotifierConfig>& out) {
  static constexpr std::array<std::string_view, 10> kKeys = {
      "name",     "type",         "url",    "headers",      "timeout",
      "template", "max_attempts", "expiry", "backoff_base", "backoff_max"};
  static constexpr std::array<std::string_view, 3> kTypes = {"alertmanager", "slack", "webhook"};
  static constexpr std::array<std::string_view, 2> kHeaderKeys = {"name", "value_env"};
  std::map<std::string, Field> names;
  ForEachItem(f, ctx.diag, [&](const Field& item) {
    MapReader map(item, ctx.diag, kKeys);
    if (!map.is_mapping()) return;
    NotifierConfig n;
    n.line = item.mark.line + 1;
    n.column = item.mark.column + 1;
    bool ok = true;
    if (auto name = map.Get("name")) {
      if (!map.String("name", n.name)) {
        ok = false;
      } else if (!IsNotifierName(n.name)) {
        ctx.diag.Add(
            name->mark,
            name->path + ": expected a notifier name ([a-z][a-z0-9_-]*), got " + Quote(n.name));
        ok = false;
      } else if (auto [it, inserted] = names.emplace(n.name, *name); !inserted) {
        ctx.diag.Add(name->mark, name->path + ": notifier " + Quote(n.name) +
                                     " is already defined at " + PlaceOf(it->second));
        ok = false;
      }
    } else {
      ok = map.Missing("name");
    }
    if (map.Has("type")) {
      ok = map.Enum("type", kTypes, n.type) && ok;
    } else {
      ok = map.Missing("type");
    }
    ok = ReadUrl(map, ctx.diag, n.url) && ok;
    if (auto headers = map.Get("headers")) {
      ForEachItem(*headers, ctx.diag, [&](const Field& h) {
        MapReader hm(h, ctx.diag, kHeaderKeys);
        if (!hm.is_mapping()) return;
        NotifierHeaderConfig header;
        if (auto hn = hm.Get("name")) {
          if (hm.String("name", header.name) && !IsHeaderName(header.name)) {
            ctx.diag.Add(hn->mark,
                         hn->path + ": expected an HTTP header name, got " + Quote(header.name));
            ok = false;
          }
        } else {
          ok = hm.Missing("name");
        }
        if (hm.Has("value_env")) {
          ok = ReadEnvName(hm, "value_env", ctx.diag, header.value_env) && ok;
        } else {
          ok = hm.Missing("value_env");
        }
        n.headers.push_back(std::move(header));
      });
    }
    if (map.Has("timeout")) ok = ReadDuration(map, "timeout", false, ctx.diag, n.timeout_ns) && ok;
    if (map.Has("expiry")) ok = ReadDuration(map, "expiry", false, ctx.diag, n.expiry_ns) && ok;
    if (map.Has("backoff_base")) {
      ok = ReadDuration(map, "backoff_base", false, ctx.diag, n.backoff_base_ns) && ok;
    }
    if (map.Has("backoff_max")) {
      ok = ReadDuration(map, "backoff_max", false, ctx.diag, n.backoff_max_ns) && ok;
    }
    if (map.Has("max_attempts")) {
      ok = map.Integer("max_attempts", 1, 1'000'000, n.max_attempts) && ok;
    }
    if (n.backoff_max_ns < n.backoff_base_ns) {
      const auto at = map.Get("backoff_max") ? map.Get("backoff_max") : map.Get("backoff_base");
      if (at) {
        ctx.diag.Add(at->mark, item.path + ": backoff_max must not be less than backoff_base");
        ok = false;
      }
    }
    if (auto t = map.Get("template")) {
      if (ok && n.type != "webhook") {
        ctx.diag.Add(t->mark, t->path + ": only notifiers of type webhook take a template (" +
                                  Quote(n.name) + " is " + n.type + ")");
        ok = false;
      } else if (map.String("template", n.template_text)) {
        n.template_line = t->mark.line + 1;
        n.template_column = t->mark.column + 1;
        if (n.template_text.empty()) {
          ctx.diag.Add(t->mark, t->path +
                                    ": the template is empty (leave the key out to send "
                                    "the message's document)");
          ok = false;
        }
      } else {
        ok = false;
      }
    }
    if (ok) out.push_back(std::move(n));
  });
}

}  // namespace yardstick::config::internal

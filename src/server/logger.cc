#include "server/logger.h"

#include <chrono>
#include <cstdio>

#include "server/http_util.h"

namespace yardstick::server {

LogLevel Logger::ParseLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

void Logger::Log(LogLevel level, std::string_view msg, const nlohmann::json& fields) {
  if (level < min_level_) return;
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
  const int64_t now = NowNanos();
  std::string line;
  if (json_) {
    nlohmann::json j = {
        {"ts", FormatRfc3339(now)}, {"level", kNames[static_cast<int>(level)]}, {"msg", msg}};
    if (fields.is_object()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = FormatRfc3339(now) + " " + kNames[static_cast<int>(level)] + " " + std::string(msg);
    if (fields.is_object()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) {
        line +=
            " " + it.key() + "=" +
            (it->is_string() ? it->get<std::string>()
                             : it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
  }
  line += '\n';
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace yardstick::server

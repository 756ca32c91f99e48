#pragma once
// Structured logs: one JSON object per line on stderr ({"ts", "level", "msg", ...fields}), or
// human-readable text lines. Thread-safe.

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace yardstick::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

class Logger {
 public:
  Logger(bool json, LogLevel min_level) : json_(json), min_level_(min_level) {}
  static LogLevel ParseLevel(std::string_view name);  // debug|info|warn|error; default info

  void Log(LogLevel level, std::string_view msg, const nlohmann::json& fields = {});
  void Debug(std::string_view msg, const nlohmann::json& f = {}) { Log(LogLevel::kDebug, msg, f); }
  void Info(std::string_view msg, const nlohmann::json& f = {}) { Log(LogLevel::kInfo, msg, f); }
  void Warn(std::string_view msg, const nlohmann::json& f = {}) { Log(LogLevel::kWarn, msg, f); }
  void Error(std::string_view msg, const nlohmann::json& f = {}) { Log(LogLevel::kError, msg, f); }
  bool Enabled(LogLevel level) const { return level >= min_level_; }

 private:
  bool json_;
  LogLevel min_level_;
  std::mutex mutex_;
};

}  // namespace yardstick::server

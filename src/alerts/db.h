#pragma once
// Internal to src/alerts: the alert_ tables of the control-plane database (state.db), on a
// connection of their own (WAL, synchronous=FULL, busy_timeout 5000). Every method takes the
// connection's mutex, so it may be called from any thread.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alerts.h"
#include "sqlite/sqlite.h"

namespace yardstick::alerts {

// An instance as stored: the alert plus whether its firing notification was issued.
struct StoredInstance {
  Alert alert;
  std::string project;
  bool firing_notified = false;
};

// A detector's persisted state for one series of a rule.
struct DetectorRow {
  std::string state;  // JSON, the detector's own
  int64_t last_bucket_ns = 0;
  int64_t last_alarm_ns = 0;
};

// What one evaluation of one rule changes, committed in one transaction.
struct Changes {
  std::vector<StoredInstance> upserts;      // pending/firing instances
  std::vector<std::string> deletes;         // fingerprints no longer active
  std::vector<Transition> transitions;      // history rows
  std::vector<Notification> notifications;  // to hand to the sink
};

class Engine::Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path);

  Result<std::vector<StoredInstance>> Instances(const std::string& rule);
  Result<std::vector<StoredInstance>> AllInstances();
  Result<void> Apply(const Changes& changes);

  Result<std::vector<Notification>> Unsent();
  // The notification stored under `key` (sent or not), nullopt when there is none.
  Result<std::optional<Notification>> FindNotification(const std::string& key);
  Result<void> MarkSent(const std::string& idempotency_key, int64_t now_ns);

  Result<std::optional<DetectorRow>> Detector(const std::string& rule, const std::string& series);
  Result<void> PutDetector(const std::string& rule, const std::string& series,
                           const DetectorRow& row);

  Result<std::vector<Transition>> History(const AlertQuery& query);

  Result<void> PutSilence(const Silence& silence);
  Result<std::vector<Silence>> Silences();
  // Ends an active or pending silence now; false when there is none (of that project).
  Result<bool> ExpireSilence(const std::string& id, const std::string& project, int64_t now_ns);

 private:
  explicit Db(sqlite::Database db) : db_(std::move(db)) {}
  Result<sqlite::Statement> Prepare(std::string_view sql) { return db_.Prepare(sql); }
  Result<void> Done(sqlite::Statement& statement, const char* what);

  std::mutex mutex_;
  sqlite::Database db_;
};

}  // namespace yardstick::alerts

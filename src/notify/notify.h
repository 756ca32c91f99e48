#pragma once
// Notifications: a durable outbox and the notifiers it delivers to (docs/notifications.md).
//
// A Message (an alert transition, a report, an escalation) is rendered for its notifier's format
// (Alertmanager webhook, Slack incoming webhook, or a generic webhook with a JSON template) and
// committed to <data_dir>/state.db before Enqueue returns. A delivery thread POSTs due messages
// with their Idempotency-Key header, retries with exponential backoff and jitter (honouring
// Retry-After) on connection errors, 408, 429 and 5xx, records other 4xx as permanent failures,
// and gives up when a message expires or runs out of attempts. Pending deliveries survive a
// restart and resume. Enqueuing the same (notifier, idempotency key) twice is a no-op, so
// producers may enqueue again after a crash without sending twice.
//
// Thread safety: Outbox is safe to use from many threads; one connection to state.db guarded by
// a mutex, one delivery thread. Nothing is sent while the lock is held. The notifiers are an
// immutable map replaced as a whole by Reconfigure.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "config/config.h"

namespace yardstick::notify {

struct AlertItem {                                 // one alert in Alertmanager webhook terms
  std::string status;                              // "firing" | "resolved"
  std::map<std::string, std::string> labels;       // includes "alertname"
  std::map<std::string, std::string> annotations;  // templated already
  int64_t starts_at_ns = 0, ends_at_ns = 0;        // ends 0 while firing
  std::string generator_url, fingerprint;          // fingerprint stable per rule+labels
};

struct Message {
  std::string kind;               // "alert" | "report" | "escalation"
  std::string notifier;           // configured notifier name (config `notifiers[].name`)
  std::string idempotency_key;    // one logical notification; enqueuing a key twice is a no-op;
                                  // sent as the Idempotency-Key header
  std::string group_key;          // kind alert: Alertmanager groupKey
  std::vector<AlertItem> alerts;  // kind alert
  std::string document;           // kind report/escalation: the JSON body for webhook receivers
  std::string summary;            // one line of text for chat formats (slack)
  std::string project;            // the project it concerns ("" = none; only admins list it)
};

// A delivery as stored: one message for one notifier.
struct Delivery {
  int64_t id = 0;
  std::string notifier, idempotency_key, kind, project, summary;
  std::string status;  // pending | delivered | failed | expired
  int attempts = 0;
  int64_t created_ns = 0, updated_ns = 0, next_attempt_ns = 0, expires_ns = 0;
  int64_t delivered_ns = 0;  // 0 until delivered
  int last_status = 0;       // HTTP status of the last attempt, 0 when none was received
  std::string last_error;
  std::string content_type, body;  // the request as sent
};

struct DeliveryQuery {
  std::string kind, status, notifier;
  std::optional<std::string> project;  // nullopt: every project
  size_t limit = 100;
  int64_t before_id = 0;  // paging: deliveries with a smaller id (0 = from the newest)
};

struct DeliveryCounts {
  uint64_t pending = 0, delivered = 0, failed = 0, expired = 0;
};

// What happened to one attempt, for metrics and logs.
struct AttemptResult {
  std::string notifier, kind, idempotency_key;
  std::string outcome;  // delivered | retry | failed | expired
  int http_status = 0;
  std::string error;
};

struct OutboxOptions {
  std::string path;  // state.db
  std::vector<config::NotifierConfig> notifiers;
  std::string external_url;        // Alertmanager externalURL (this server's base URL)
  std::function<int64_t()> clock;  // Unix ns; default: the system clock
  std::function<double()> random;  // uniform in [0, 1) for jitter; default: seeded engine
  std::function<const char*(const char*)> getenv;        // header values; default: std::getenv
  std::function<void(const AttemptResult&)> on_attempt;  // called after every attempt
};

// The retry delay after `attempt` failed attempts (1-based): d = min(max, base * 2^(attempt-1)),
// then "equal jitter": d/2 + u*d/2 with u uniform in [0, 1).
int64_t BackoffDelay(int attempt, int64_t base_ns, int64_t max_ns, double u);

// Retry-After: delay-seconds or an HTTP-date; the delay in ns from `now_ns`, nullopt if absent
// or malformed.
std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_ns);

// The request body of `message` for a notifier (a Result because a document that is not JSON is
// refused). Alertmanager: the webhook payload (version "4"); slack: {"text": ...}; webhook: the
// template rendered, or the document (for alerts the Alertmanager payload) without a template.
Result<std::string> RenderBody(const Message& message, const config::NotifierConfig& notifier,
                               const std::string& external_url, int64_t now_ns);

// RFC 3339 in UTC with millisecond precision ("2026-11-26T10:00:00.000Z").
std::string FormatTime(int64_t ns);

// Problems with the templates of webhook notifiers, placed at the template in the file; the
// message names the line and column inside the template.
std::vector<config::Issue> CheckTemplates(const config::Config& config);

class Outbox {
 public:
  // Opens (creating) the outbox tables in options.path. Fails when a template does not parse
  // or a header's environment variable is not set. Call Start() to begin delivering.
  static Result<std::unique_ptr<Outbox>> Open(OutboxOptions options);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Renders and commits the message; returns once it is durable. A (notifier, idempotency key)
  // already stored is left as it is. kInvalidArgument for an unknown notifier, an empty key or
  // a document that is not JSON.
  Result<void> Enqueue(const Message& message);
  // Whether (notifier, idempotency key) is stored (in any status).
  Result<bool> Contains(const std::string& notifier, const std::string& idempotency_key);

  // Starts / stops the delivery thread (Stop waits for an attempt in flight).
  void Start();
  void Stop();

  // One delivery pass at the current clock: attempts every due pending delivery, in order.
  // Returns the number of attempts made. The delivery thread calls this; tests may too.
  size_t DeliverDue();

  Result<std::vector<Delivery>> List(const DeliveryQuery& query);
  Result<DeliveryCounts> Counts();
  bool HasNotifier(const std::string& name) const;

  // Replaces the notifiers (a configuration reload). Checked as Open checks them; on an error
  // the notifiers in use stay. Deliveries already stored keep their rendered body; one for a
  // notifier no longer configured fails ("no longer configured") at its next attempt.
  Result<void> Reconfigure(const std::vector<config::NotifierConfig>& notifiers);
  // The notifiers in use, by name.
  std::vector<config::NotifierConfig> Notifiers() const;

  class Impl;

 private:
  explicit Outbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace yardstick::notify

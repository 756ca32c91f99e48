// The durable outbox: deliveries in state.db (table outbox_deliveries) and the delivery thread.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "notify/notify.h"
#include "notify/template.h"
#include "sqlite/sqlite.h"

namespace yardstick::notify {
namespace {

using sqlite::Database;
using sqlite::Statement;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS outbox_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  notifier TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  project TEXT NOT NULL,
  summary TEXT NOT NULL,
  content_type TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL,
  next_attempt_ns INTEGER NOT NULL,
  expires_ns INTEGER NOT NULL,
  delivered_ns INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (notifier, idempotency_key)
);
CREATE INDEX IF NOT EXISTS outbox_deliveries_due ON outbox_deliveries (status, next_attempt_ns);
)sql";

constexpr const char* kColumns =
    "id, notifier, idempotency_key, kind, project, summary, status, attempts, created_ns, "
    "updated_ns, next_attempt_ns, expires_ns, delivered_ns, last_status, last_error, "
    "content_type, body";

Delivery ReadDelivery(const Statement& s) {
  Delivery d;
  int i = 0;
  d.id = s.Int(i++);
  d.notifier = s.Text(i++);
  d.idempotency_key = s.Text(i++);
  d.kind = s.Text(i++);
  d.project = s.Text(i++);
  d.summary = s.Text(i++);
  d.status = s.Text(i++);
  d.attempts = static_cast<int>(s.Int(i++));
  d.created_ns = s.Int(i++);
  d.updated_ns = s.Int(i++);
  d.next_attempt_ns = s.Int(i++);
  d.expires_ns = s.Int(i++);
  d.delivered_ns = s.Int(i++);
  d.last_status = static_cast<int>(s.Int(i++));
  d.last_error = s.Text(i++);
  d.content_type = s.Text(i++);
  d.body = s.Text(i++);
  return d;
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What one HTTP attempt returned.
struct Sent {
  int status = 0;  // 0: no response
  std::string error;
  std::optional<int64_t> retry_after_ns;
};

}  // namespace

using NotifierMap = std::map<std::string, config::NotifierConfig>;

class Outbox::Impl {
 public:
  explicit Impl(OutboxOptions o) : options_(std::move(o)) {
    if (!options_.clock) options_.clock = SystemNow;
    if (!options_.random) {
      options_.random = [rng = std::mt19937_64(std::random_device{}())]() mutable {
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      };
    }
    if (!options_.getenv) options_.getenv = [](const char* name) { return std::getenv(name); };
  }

  ~Impl() { Stop(); }

  // Checks notifiers (templates parse, header variables are set) and returns them by name.
  Result<std::shared_ptr<const NotifierMap>> Prepare(
      const std::vector<config::NotifierConfig>& notifiers) const {
    auto map = std::make_shared<NotifierMap>();
    for (const auto& n : notifiers) {
      if (!n.template_text.empty()) {
        auto t = Template::Parse(n.template_text);
        if (!t) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "notifier '" + n.name + "': " + t.error().message());
        }
      }
      for (const auto& h : n.headers) {
        const char* v = options_.getenv(h.value_env.c_str());
        if (v == nullptr || *v == '\0') {
          return MakeError(ErrorCode::kInvalidArgument,
                           "notifier '" + n.name + "': environment variable " + h.value_env +
                               " (header " + h.name + ") is not set");
        }
      }
      (*map)[n.name] = n;
    }
    return std::shared_ptr<const NotifierMap>(std::move(map));
  }

  Result<void> Init() {
    auto map = Prepare(options_.notifiers);
    if (!map) return std::unexpected(map.error());
    notifiers_ = std::move(*map);
    auto db = Database::Open(options_.path, false);
    if (!db) return std::unexpected(db.error());
    db_ = std::move(*db);
    sqlite3_busy_timeout(db_.get(), 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
      if (auto r = db_.Exec(pragma); !r) return r;
    }
    return db_.Exec(kSchema);
  }

  bool HasNotifier(const std::string& name) const { return Notifiers()->contains(name); }

  std::shared_ptr<const NotifierMap> Notifiers() const {
    std::lock_guard lock(notifiers_mutex_);
    return notifiers_;
  }

  std::vector<config::NotifierConfig> NotifierConfigs() const {
    std::vector<config::NotifierConfig> out;
    for (const auto& [name, n] : *Notifiers()) out.push_back(n);
    return out;
  }

  Result<void> Reconfigure(const std::vector<config::NotifierConfig>& notifiers) {
    auto map = Prepare(notifiers);
    if (!map) return std::unexpected(map.error());
    std::lock_guard lock(notifiers_mutex_);
    notifiers_ = std::move(*map);
    return {};
  }

  Result<void> Enqueue(const Message& m) {
    const auto notifiers = Notifiers();
    auto it = notifiers->find(m.notifier);
    if (it == notifiers->end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unknown notifier '" + m.notifier + "' (not in the notifiers section)");
    }
    if (m.idempotency_key.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "a message needs an idempotency key");
    }
    const int64_t now = options_.clock();
    auto body = RenderBody(m, it->second, options_.external_url, now);
    if (!body) return std::unexpected(body.error());
    std::lock_guard lock(mutex_);
    auto st = db_.Prepare(
        "INSERT OR IGNORE INTO outbox_deliveries (notifier, idempotency_key, kind, project, "
        "summary, content_type, body, status, created_ns, updated_ns, next_attempt_ns, "
        "expires_ns) VALUES (?, ?, ?, ?, ?, 'application/json', ?, 'pending', ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    int i = 1;
    st->Bind(i++, m.notifier);
    st->Bind(i++, m.idempotency_key);
    st->Bind(i++, m.kind);
    st->Bind(i++, m.project);
    st->Bind(i++, m.summary);
    st->Bind(i++, *body);
    st->Bind(i++, now);
    st->Bind(i++, now);
    st->Bind(i++, now);
    st->Bind(i++, now + it->second.expiry_ns);
    if (st->Step() != SQLITE_DONE) {
      return MakeError(ErrorCode::kIo, "outbox: cannot store the message: " + st->ErrorMessage());
    }
    if (db_.Changes() > 0) {
      wake_ = true;
      cv_.notify_all();
    }
    return {};
  }

  Result<bool> Contains(const std::string& notifier, const std::string& key) {
    std::lock_guard lock(mutex_);
    auto st =
        db_.Prepare("SELECT 1 FROM outbox_deliveries WHERE notifier = ? AND idempotency_key = ?");
    if (!st) return std::unexpected(st.error());
    st->Bind(1, notifier);
    st->Bind(2, key);
    const int rc = st->Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, st->ErrorMessage());
    return rc == SQLITE_ROW;
  }

  void Start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { Loop(); });
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  size_t DeliverDue() {
    size_t attempts = 0;
    for (;;) {
      std::vector<Delivery> due;
      {
        std::lock_guard lock(mutex_);
        auto st = db_.Prepare(std::string("SELECT ") + kColumns +
                              " FROM outbox_deliveries WHERE status = 'pending' AND "
                              "next_attempt_ns <= ? ORDER BY next_attempt_ns, id LIMIT 32");
        if (!st) return attempts;
        st->Bind(1, options_.clock());
        while (st->Step() == SQLITE_ROW) due.push_back(ReadDelivery(*st));
      }
      if (due.empty()) return attempts;
      for (auto& d : due) {
        {
          std::lock_guard lock(mutex_);
          if (stopping_) return attempts;
        }
        Attempt(d);
        ++attempts;
      }
    }
  }

  Result<std::vector<Delivery>> List(const DeliveryQuery& q) {
    std::string sql = std::string("SELECT ") + kColumns + " FROM outbox_deliveries WHERE 1";
    std::vector<std::string> binds;
    auto add = [&](const char* column, const std::string& value) {
      if (value.empty()) return;
      sql += std::string(" AND ") + column + " = ?";
      binds.push_back(value);
    };
    add("kind", q.kind);
    add("status", q.status);
    add("notifier", q.notifier);
    if (q.project) {
      sql += " AND project = ?";
      binds.push_back(*q.project);
    }
    if (q.before_id > 0) sql += " AND id < " + std::to_string(q.before_id);
    sql += " ORDER BY id DESC LIMIT " + std::to_string(std::min<size_t>(q.limit, 1000));
    std::lock_guard lock(mutex_);
    auto st = db_.Prepare(sql);
    if (!st) return std::unexpected(st.error());
    for (size_t i = 0; i < binds.size(); ++i) st->Bind(static_cast<int>(i + 1), binds[i]);
    std::vector<Delivery> out;
    int rc;
    while ((rc = st->Step()) == SQLITE_ROW) out.push_back(ReadDelivery(*st));
    if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, st->ErrorMessage());
    return out;
  }

  Result<DeliveryCounts> Counts() {
    std::lock_guard lock(mutex_);
    auto st = db_.Prepare("SELECT status, count(*) FROM outbox_deliveries GROUP BY status");
    if (!st) return std::unexpected(st.error());
    DeliveryCounts c;
    while (st->Step() == SQLITE_ROW) {
      const std::string_view status = st->Text(0);
      const auto n = static_cast<uint64_t>(st->Int(1));
      if (status == "pending") c.pending = n;
      if (status == "delivered") c.delivered = n;
      if (status == "failed") c.failed = n;
      if (status == "expired") c.expired = n;
    }
    return c;
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      DeliverDue();
      lock.lock();
      if (stopping_) break;
      // Sleep until the next delivery is due (at most a second: the clock may be injected),
      // or until a message is enqueued.
      // (The statement ends before the wait: an open read would pin an old snapshot.)
      int64_t wait_ns = 1'000'000'000;
      {
        auto st = db_.Prepare(
            "SELECT min(next_attempt_ns) FROM outbox_deliveries WHERE status = 'pending'");
        if (st && st->Step() == SQLITE_ROW && !st->IsNull(0)) {
          wait_ns = std::clamp<int64_t>(st->Int(0) - options_.clock(), 0, wait_ns);
        }
      }
      if (wait_ns > 0 && !wake_) {
        cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns),
                     [this] { return stopping_ || wake_; });
      }
      wake_ = false;
    }
  }

  Sent Send(const Delivery& d, const config::NotifierConfig& n) {
    Sent sent;
    const size_t scheme_end = n.url.find("://");
    const size_t path_start = n.url.find('/', scheme_end + 3);
    const std::string origin = n.url.substr(0, path_start);
    const std::string path = path_start == std::string::npos ? "/" : n.url.substr(path_start);
    httplib::Client cli(origin);
    const auto seconds = static_cast<time_t>(n.timeout_ns / 1'000'000'000);
    const auto micros = static_cast<time_t>((n.timeout_ns % 1'000'000'000) / 1000);
    cli.set_connection_timeout(seconds, micros);
    cli.set_read_timeout(seconds, micros);
    cli.set_write_timeout(seconds, micros);
    cli.set_follow_location(false);
    httplib::Headers headers = {{"Idempotency-Key", d.idempotency_key},
                                {"User-Agent", "yardstick/" YARDSTICK_VERSION},
                                {"X-Yardstick-Kind", d.kind}};
    for (const auto& h : n.headers) {
      const char* v = options_.getenv(h.value_env.c_str());
      headers.emplace(h.name, v ? v : "");
    }
    auto res = cli.Post(path, headers, d.body, d.content_type.c_str());
    if (!res) {
      sent.error = "cannot reach " + origin + ": " + httplib::to_string(res.error());
      return sent;
    }
    sent.status = res->status;
    if (res->status < 200 || res->status >= 300) {
      sent.error = "HTTP " + std::to_string(res->status);
      if (!res->body.empty()) sent.error += ": " + res->body.substr(0, 200);
      if (res->has_header("Retry-After")) {
        sent.retry_after_ns =
            ParseRetryAfter(res->get_header_value("Retry-After"), options_.clock());
      }
    }
    return sent;
  }

  void Attempt(const Delivery& d) {
    AttemptResult result{d.notifier, d.kind, d.idempotency_key, "", 0, ""};
    const auto notifiers = Notifiers();
    auto it = notifiers->find(d.notifier);
    int64_t now = options_.clock();
    std::string status = "pending";
    int attempts = d.attempts;
    int64_t next = d.next_attempt_ns;
    int64_t delivered = 0;
    if (it == notifiers->end()) {
      status = "failed";
      result.error = "notifier '" + d.notifier + "' is no longer configured";
    } else if (now >= d.expires_ns) {
      status = "expired";
      result.error = d.last_error.empty() ? "expired before it could be sent" : d.last_error;
    } else {
      const Sent sent = Send(d, it->second);
      now = options_.clock();
      ++attempts;
      result.http_status = sent.status;
      result.error = sent.error;
      const auto& n = it->second;
      const bool ok = sent.status >= 200 && sent.status < 300;
      const bool retryable =
          sent.status == 0 || sent.status == 408 || sent.status == 429 || sent.status >= 500;
      if (ok) {
        status = "delivered";
        delivered = now;
      } else if (!retryable) {
        status = "failed";
      } else if (n.max_attempts > 0 && attempts >= n.max_attempts) {
        status = "failed";
        result.error = "gave up after " + std::to_string(attempts) + " attempts: " + sent.error;
      } else {
        int64_t delay =
            BackoffDelay(attempts, n.backoff_base_ns, n.backoff_max_ns, options_.random());
        if (sent.retry_after_ns) delay = std::max(delay, *sent.retry_after_ns);
        next = now + delay;
        if (next >= d.expires_ns) {
          status = "expired";
          result.error = "expired after " + std::to_string(attempts) + " attempts: " + sent.error;
        }
      }
    }
    result.outcome = status == "pending" ? "retry" : status;
    {
      std::lock_guard lock(mutex_);
      auto st = db_.Prepare(
          "UPDATE outbox_deliveries SET status = ?, attempts = ?, updated_ns = ?, "
          "next_attempt_ns = ?, delivered_ns = ?, last_status = ?, last_error = ? WHERE id = ?");
      if (st) {
        int i = 1;
        st->Bind(i++, status);
        st->Bind(i++, static_cast<int64_t>(attempts));
        st->Bind(i++, now);
        st->Bind(i++, next);
        st->Bind(i++, delivered);
        st->Bind(i++, static_cast<int64_t>(result.http_status));
        st->Bind(i++, result.error);
        st->Bind(i++, d.id);
        st->Step();
      }
    }
    if (options_.on_attempt) options_.on_attempt(result);
  }

  OutboxOptions options_;
  // Replaced as a whole by Reconfigure; readers keep the map they took.
  mutable std::mutex notifiers_mutex_;
  std::shared_ptr<const NotifierMap> notifiers_;
  std::mutex mutex_;
  std::condition_variable cv_;
  Database db_;
  std::thread thread_;
  bool stopping_ = false;
  bool wake_ = false;
};

Outbox::Outbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Outbox::~Outbox() = default;

Result<std::unique_ptr<Outbox>> Outbox::Open(OutboxOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (auto r = impl->Init(); !r) return std::unexpected(r.error());
  return std::unique_ptr<Outbox>(new Outbox(std::move(impl)));
}

Result<void> Outbox::Enqueue(const Message& message) { return impl_->Enqueue(message); }
Result<bool> Outbox::Contains(const std::string& notifier, const std::string& key) {
  return impl_->Contains(notifier, key);
}
void Outbox::Start() { impl_->Start(); }
void Outbox::Stop() { impl_->Stop(); }
size_t Outbox::DeliverDue() { return impl_->DeliverDue(); }
Result<std::vector<Delivery>> Outbox::List(const DeliveryQuery& q) { return impl_->List(q); }
Result<DeliveryCounts> Outbox::Counts() { return impl_->Counts(); }
bool Outbox::HasNotifier(const std::string& name) const { return impl_->HasNotifier(name); }
Result<void> Outbox::Reconfigure(const std::vector<config::NotifierConfig>& notifiers) {
  return impl_->Reconfigure(notifiers);
}
std::vector<config::NotifierConfig> Outbox::Notifiers() const { return impl_->NotifierConfigs(); }

}  // namespace yardstick::notify

#pragma once
// A thin RAII layer over the SQLite C API: connections (Database) and prepared statements
// (Statement) whose errors are Result values. Used by the SQLite store (src/store) and by the
// modules that keep their state in <data_dir>/state.db (alerts, baselines, escalation, notify,
// reports, the server's eval runs), each on a connection of its own.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "base/error.h"

namespace yardstick::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  // Binds without copying: `v` must stay alive and unchanged until the statement is reset.
  void BindStatic(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void Bind(int i, std::optional<double> v) {
    if (v) {
      sqlite3_bind_double(stmt_, i, *v);
    } else {
      sqlite3_bind_null(stmt_, i);
    }
  }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  int ParameterIndex(const char* name) const { return sqlite3_bind_parameter_index(stmt_, name); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // Back to the first row, keeping the bound values (to step again with a few rebound).
  void Rewind() { sqlite3_reset(stmt_); }

  bool IsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int64_t Int(int c) const { return sqlite3_column_int64(stmt_, c); }
  double Double(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string_view Text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
             : std::string_view();
  }
  std::string_view Blob(int c) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
             : std::string_view();
  }
  std::string ErrorMessage() const { return sqlite3_errmsg(db_); }
  bool valid() const { return stmt_ != nullptr; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// A statement from Database::Cached: the connection's cached statement (reset, bindings
// cleared, when the handle goes out of scope, so it can be handed out again) or, when the cache
// is full, a statement of its own.
class CachedStatement {
 public:
  explicit CachedStatement(Statement* cached) : cached_(cached) {}
  explicit CachedStatement(Statement owned) : owned_(std::move(owned)) {}
  CachedStatement(CachedStatement&& o) noexcept
      : cached_(std::exchange(o.cached_, nullptr)), owned_(std::move(o.owned_)) {}
  CachedStatement& operator=(CachedStatement&&) = delete;
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement() {
    if (cached_) cached_->Reset();
  }
  Statement* operator->() { return cached_ ? cached_ : &owned_; }
  Statement& operator*() { return cached_ ? *cached_ : owned_; }

 private:
  Statement* cached_ = nullptr;
  Statement owned_;
};

class Database {
 public:
  // Statements Cached keeps per connection; beyond, it prepares a new one each time.
  static constexpr size_t kMaxCachedStatements = 64;

  Database() = default;
  Database(Database&& o) noexcept : db_(o.db_), cache_(std::move(o.cache_)) { o.db_ = nullptr; }
  Database& operator=(Database&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(cache_, o.cache_);
    return *this;
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() { sqlite3_close_v2(db_); }

  static Result<Database> Open(const std::string& path, bool read_only) {
    // Once per process, before SQLite initializes: no global memory statistics (they take a
    // global mutex on every allocation) and multi-thread mode (each connection is used by one
    // thread at a time, which the store guarantees).
    static const bool configured = [] {
      sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
      sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
      return sqlite3_initialize() == SQLITE_OK;
    }();
    (void)configured;
    Database d;
    const int flags =
        read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const int rc = sqlite3_open_v2(path.c_str(), &d.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      return MakeError(ErrorCode::kIo, "cannot open database " + path + ": " +
                                           (d.db_ ? sqlite3_errmsg(d.db_) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(d.db_, 10000);
    return d;
  }

  Result<void> Exec(std::string_view sql) {
    char* err = nullptr;
    const std::string s(sql);
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return MakeError(ErrorCode::kIo, "sqlite: " + msg + " in: " + s.substr(0, 80));
    }
    return {};
  }

  Result<Statement> Prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return MakeError(ErrorCode::kInternal, std::string("sqlite prepare: ") + sqlite3_errmsg(db_) +
                                                 " in: " + std::string(sql.substr(0, 120)));
    }
    return Statement(db_, stmt);
  }

  // Prepare, keeping the statement for the next call with the same text: compiling a query
  // costs tens of microseconds, often more than running it. A handle must go out of scope
  // before the same text is asked for again on this connection (connections are used by one
  // thread at a time).
  Result<CachedStatement> Cached(std::string_view sql) {
    if (auto it = cache_.find(std::string(sql)); it != cache_.end()) {
      return CachedStatement(&it->second);
    }
    auto s = Prepare(sql);
    if (!s) return std::unexpected(s.error());
    if (cache_.size() >= kMaxCachedStatements) return CachedStatement(std::move(*s));
    auto [it, inserted] = cache_.emplace(std::string(sql), std::move(*s));
    return CachedStatement(&it->second);
  }

  int Changes() const { return sqlite3_changes(db_); }
  std::string ErrorMessage() const { return sqlite3_errmsg(db_); }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Statement> cache_;  // finalized after sqlite3_close_v2
};

}  // namespace yardstick::sqlite

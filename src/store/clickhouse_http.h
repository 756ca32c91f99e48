#pragma once
// A small client of ClickHouse's HTTP interface (internal to the store): one request per call,
// the statement in the body (SELECT, DDL) or in the `query` parameter with the data in the body
// (INSERT), settings as URL parameters. Thread-safe: every request uses its own connection.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace yardstick::store::clickhouse {

struct Endpoint {
  std::string url;  // http://host:port
};

// Why a request failed: the server could not be reached (or answered with a transport-level
// failure) or it refused the statement.
enum class Failure { kNone, kUnreachable, kRejected };

struct Response {
  Failure failure = Failure::kNone;
  std::string body;  // the result on success, ClickHouse's exception text otherwise
};

class HttpClient {
 public:
  HttpClient(std::string database, std::string user, std::string password)
      : database_(std::move(database)), user_(std::move(user)), password_(std::move(password)) {}

  // Runs `sql` (in the body) at `endpoint`. `use_database` adds the database parameter (off for
  // CREATE DATABASE). `settings` are extra URL parameters (name, value).
  Response Run(const Endpoint& endpoint, std::string_view sql, bool use_database = true,
               const std::vector<std::pair<std::string, std::string>>& settings = {}) const;

  // INSERT INTO `table` (`columns`) FORMAT RowBinary with `rows` as the body.
  Response Insert(const Endpoint& endpoint, std::string_view table, std::string_view columns,
                  std::string rows, bool distributed_sync) const;

  const std::string& database() const { return database_; }

 private:
  Response Post(const Endpoint& endpoint, const std::string& params, std::string body) const;

  std::string database_, user_, password_;
};

// A string literal for SQL: single-quoted, with backslash escapes.
std::string Quote(std::string_view s);

// Turns a failed response into an error naming the endpoint: ErrorCode::kIo when the server
// could not take the statement now (unreachable, shard down, overloaded), kInternal when it
// refused it.
Error ToError(const Endpoint& endpoint, const Response& r);

}  // namespace yardstick::store::clickhouse

#include "store/clickhouse_http.h"

#include <httplib.h>

namespace yardstick::store::clickhouse {
namespace {

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// ClickHouse error codes of a server or shard that cannot take a statement now.
bool IsTransient(int code) {
  switch (code) {
    case 159:  // TIMEOUT_EXCEEDED
    case 173:  // CANNOT_ALLOCATE_MEMORY
    case 202:  // TOO_MANY_SIMULTANEOUS_QUERIES
    case 203:  // NO_FREE_CONNECTION
    case 209:  // SOCKET_TIMEOUT
    case 210:  // NETWORK_ERROR
    case 236:  // ABORTED
    case 241:  // MEMORY_LIMIT_EXCEEDED
    case 242:  // TABLE_IS_READ_ONLY
    case 252:  // TOO_MANY_PARTS
    case 279:  // ALL_CONNECTION_TRIES_FAILED
    case 394:  // QUERY_WAS_CANCELLED
    case 425:  // SYSTEM_ERROR
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    switch (ch) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(ch);
    }
  }
  out.push_back('\'');
  return out;
}

Error ToError(const Endpoint& endpoint, const Response& r) {
  std::string body = r.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  if (body.size() > 2000) body = body.substr(0, 2000) + "...";
  // kIo: try again later (the backend spools); kInternal: ClickHouse refused the statement.
  const bool down = r.failure == Failure::kUnreachable;
  return Error(down ? ErrorCode::kIo : ErrorCode::kInternal,
               "ClickHouse at " + endpoint.url + ": " + (down ? "unavailable: " : "") + body);
}

Response HttpClient::Post(const Endpoint& endpoint, const std::string& params,
                          std::string body) const {
  httplib::Client cli(endpoint.url);
  cli.set_connection_timeout(3, 0);
  cli.set_read_timeout(300, 0);
  cli.set_write_timeout(60, 0);
  if (!user_.empty()) cli.set_basic_auth(user_.c_str(), password_.c_str());
  auto res = cli.Post(("/?" + params).c_str(), body, "application/octet-stream");
  if (!res) {
    return {Failure::kUnreachable, httplib::to_string(res.error())};
  }
  if (res->status != 200) {
    // ClickHouse answers 500 with "Code: N, ..." for exceptions. A proxy error, or an exception
    // that says a server or shard cannot take the statement now, means "try again later";
    // anything else is a refusal of the statement itself.
    bool down = res->status == 502 || res->status == 503 || res->status == 504;
    const auto at = res->body.find("Code: ");
    if (at != std::string::npos) down = down || IsTransient(std::atoi(res->body.c_str() + at + 6));
    return {down ? Failure::kUnreachable : Failure::kRejected,
            "HTTP " + std::to_string(res->status) + ": " + res->body};
  }
  return {Failure::kNone, std::move(res->body)};
}

Response HttpClient::Run(const Endpoint& endpoint, std::string_view sql, bool use_database,
                         const std::vector<std::pair<std::string, std::string>>& settings) const {
  // Inserts check up to a group's worth of ids with IN (...): allow queries and syntax trees
  // that large.
  std::string params =
      "max_query_size=268435456&max_ast_elements=50000000&max_expanded_ast_elements=50000000";
  if (use_database) params += "&database=" + UrlEncode(database_);
  for (const auto& [k, v] : settings) params += "&" + k + "=" + UrlEncode(v);
  return Post(endpoint, params, std::string(sql));
}

Response HttpClient::Insert(const Endpoint& endpoint, std::string_view table,
                            std::string_view columns, std::string rows,
                            bool distributed_sync) const {
  std::string params = "database=" + UrlEncode(database_) + "&query=" +
                       UrlEncode("INSERT INTO " + std::string(table) + " (" + std::string(columns) +
                                 ") FORMAT RowBinary");
  if (distributed_sync) params += "&insert_distributed_sync=1";
  return Post(endpoint, params, std::move(rows));
}

}  // namespace yardstick::store::clickhouse

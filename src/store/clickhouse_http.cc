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
  return Error(ErrorCode::kIo, "ClickHouse at " + endpoint.url + ": " +
                                   (r.failure == Failure::kUnreachable ? "unreachable: " : "") +
                                   body);
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
    // ClickHouse answers 5xx for exceptions; a 503 or a proxy error also means "try again".
    const bool down = res->status == 502 || res->status == 503 || res->status == 504;
    return {down ? Failure::kUnreachable : Failure::kRejected,
            "HTTP " + std::to_string(res->status) + ": " + res->body};
  }
  return {Failure::kNone, std::move(res->body)};
}

Response HttpClient::Run(const Endpoint& endpoint, std::string_view sql, bool use_database,
                         const std::vector<std::pair<std::string, std::string>>& settings) const {
  std::string params = "max_query_size=67108864";
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

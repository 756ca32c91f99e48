// Baselines persisted in state.db (tables baseline_*), and the serialization of distributions.
#include <nlohmann/json.hpp>

#include "baselines/baselines.h"
#include "sqlite/sqlite.h"

namespace yardstick::baselines {
namespace {

using nlohmann::json;

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

json FilterJson(const store::DimensionFilter& f) {
  json out = json::array();
  for (const auto& [k, v] : f) out.push_back({k, v});
  return out;
}

store::DimensionFilter FilterFrom(const json& j) {
  store::DimensionFilter f;
  if (!j.is_array()) return f;
  for (const auto& item : j) {
    if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string()) {
      f.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
    }
  }
  return f;
}

kpi::Direction DirectionFrom(const std::string& s) {
  if (s == "higher") return kpi::Direction::kHigher;
  if (s == "lower") return kpi::Direction::kLower;
  return kpi::Direction::kNone;
}

}  // namespace

std::string EncodeDistribution(const Distribution& d) {
  const kpi::Distribution& s = d.stats;
  json j = {{"kind", d.kind},
            {"n", d.n},
            {"unit", d.unit},
            {"direction", kpi::DirectionName(d.direction)},
            {"stats",
             {{"n", s.n},
              {"sum", s.sum},
              {"sumsq", s.sumsq},
              {"successes", s.successes},
              {"trials", s.trials},
              {"promoters", s.promoters},
              {"detractors", s.detractors},
              {"quantile", s.quantile}}}};
  j["value"] = d.value ? json(*d.value) : json(nullptr);
  if (s.sketch) j["sketch"] = Hex(s.sketch->Serialize());
  if (!d.categories.empty()) j["categories"] = d.categories;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Distribution> DecodeDistribution(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("kind") || !j.contains("stats")) {
    return MakeError(ErrorCode::kParse, "corrupt baseline distribution");
  }
  try {
    Distribution d;
    d.kind = j.at("kind").get<std::string>();
    d.n = j.at("n").get<uint64_t>();
    d.unit = j.value("unit", "");
    d.direction = DirectionFrom(j.value("direction", "none"));
    if (j.contains("value") && j["value"].is_number()) d.value = j["value"].get<double>();
    const json& s = j.at("stats");
    static const std::map<std::string, kpi::Distribution::Kind> kKinds = {
        {"exact", kpi::Distribution::Kind::kExact},
        {"mean", kpi::Distribution::Kind::kMean},
        {"proportion", kpi::Distribution::Kind::kProportion},
        {"quantile", kpi::Distribution::Kind::kQuantile},
        {"nps", kpi::Distribution::Kind::kNps}};
    if (auto it = kKinds.find(d.kind); it != kKinds.end()) d.stats.kind = it->second;
    d.stats.n = s.at("n").get<uint64_t>();
    d.stats.sum = s.at("sum").get<double>();
    d.stats.sumsq = s.at("sumsq").get<double>();
    d.stats.successes = s.at("successes").get<uint64_t>();
    d.stats.trials = s.at("trials").get<uint64_t>();
    d.stats.promoters = s.at("promoters").get<uint64_t>();
    d.stats.detractors = s.at("detractors").get<uint64_t>();
    d.stats.quantile = s.at("quantile").get<double>();
    if (j.contains("sketch")) {
      auto bytes = Unhex(j["sketch"].get<std::string>());
      if (!bytes) return MakeError(ErrorCode::kParse, "corrupt baseline sketch");
      auto sketch = stats::DDSketch::Deserialize(*bytes);
      if (!sketch) return std::unexpected(sketch.error());
      d.stats.sketch = std::make_shared<const stats::DDSketch>(std::move(*sketch));
    }
    if (j.contains("categories")) {
      d.categories = j["categories"].get<std::map<std::string, uint64_t>>();
    }
    return d;
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kParse, std::string("corrupt baseline distribution: ") + e.what());
  }
}

struct BaselineStore::Impl {
  std::mutex mu;
  sqlite::Database db;
};

BaselineStore::BaselineStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BaselineStore::~BaselineStore() = default;

Result<std::unique_ptr<BaselineStore>> BaselineStore::Open(const std::string& path) {
  auto db = sqlite::Database::Open(path, false);
  if (!db) return std::unexpected(db.error());
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000",
        "CREATE TABLE IF NOT EXISTS baseline_baselines ("
        " project TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL,"
        " from_ns INTEGER NOT NULL, to_ns INTEGER NOT NULL,"
        " version_dimension TEXT NOT NULL, version TEXT NOT NULL,"
        " created_ns INTEGER NOT NULL, distribution TEXT NOT NULL,"
        " PRIMARY KEY (project, name))"}) {
    if (auto r = db->Exec(sql); !r) return std::unexpected(r.error());
  }
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  return std::unique_ptr<BaselineStore>(new BaselineStore(std::move(impl)));
}

Result<bool> BaselineStore::Put(const Baseline& b) {
  json spec = {{"kpi", b.spec.kpi},
               {"params", b.spec.params},
               {"field", b.spec.field},
               {"filter", FilterJson(b.spec.filter)}};
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(
      "INSERT OR IGNORE INTO baseline_baselines (project, name, spec, from_ns, to_ns,"
      " version_dimension, version, created_ns, distribution) VALUES (?,?,?,?,?,?,?,?,?)");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, b.project);
  stmt->Bind(2, b.name);
  stmt->Bind(3, spec.dump());
  stmt->Bind(4, b.selector.from_ns);
  stmt->Bind(5, b.selector.to_ns);
  stmt->Bind(6, b.selector.version_dimension);
  stmt->Bind(7, b.selector.version);
  stmt->Bind(8, b.created_ns);
  stmt->Bind(9, EncodeDistribution(b.distribution));
  if (stmt->Step() != SQLITE_DONE) {
    return MakeError(ErrorCode::kIo, "cannot store baseline: " + stmt->ErrorMessage());
  }
  return impl_->db.Changes() == 1;
}

namespace {

Result<Baseline> RowToBaseline(const sqlite::Statement& s) {
  Baseline b;
  b.project = std::string(s.Text(0));
  b.name = std::string(s.Text(1));
  const json spec = json::parse(s.Text(2), nullptr, false);
  if (spec.is_object()) {
    b.spec.project = b.project;
    b.spec.kpi = spec.value("kpi", "");
    b.spec.field = spec.value("field", "");
    if (spec.contains("params") && spec["params"].is_object()) {
      for (const auto& [k, v] : spec["params"].items()) {
        if (v.is_string()) b.spec.params[k] = v.get<std::string>();
      }
    }
    if (spec.contains("filter")) b.spec.filter = FilterFrom(spec["filter"]);
  }
  b.selector.from_ns = s.Int(3);
  b.selector.to_ns = s.Int(4);
  b.selector.version_dimension = std::string(s.Text(5));
  b.selector.version = std::string(s.Text(6));
  b.created_ns = s.Int(7);
  auto d = DecodeDistribution(s.Text(8));
  if (!d) return std::unexpected(d.error());
  b.distribution = std::move(*d);
  return b;
}

constexpr const char* kColumns =
    "SELECT project, name, spec, from_ns, to_ns, version_dimension, version, created_ns,"
    " distribution FROM baseline_baselines";

}  // namespace

Result<std::optional<Baseline>> BaselineStore::Get(const std::string& project,
                                                   const std::string& name) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(std::string(kColumns) + " WHERE project = ? AND name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, project);
  stmt->Bind(2, name);
  const int rc = stmt->Step();
  if (rc == SQLITE_DONE) return std::optional<Baseline>();
  if (rc != SQLITE_ROW) return MakeError(ErrorCode::kIo, "baseline read: " + stmt->ErrorMessage());
  auto b = RowToBaseline(*stmt);
  if (!b) return std::unexpected(b.error());
  return std::optional<Baseline>(std::move(*b));
}

Result<std::vector<Baseline>> BaselineStore::List(const std::string& project) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare(std::string(kColumns) +
                                " WHERE (? = '' OR project = ?) ORDER BY project, name");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, project);
  stmt->Bind(2, project);
  std::vector<Baseline> out;
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    auto b = RowToBaseline(*stmt);
    if (!b) return std::unexpected(b.error());
    out.push_back(std::move(*b));
  }
  if (rc != SQLITE_DONE) return MakeError(ErrorCode::kIo, "baseline list: " + stmt->ErrorMessage());
  return out;
}

Result<bool> BaselineStore::Delete(const std::string& project, const std::string& name) {
  std::lock_guard lock(impl_->mu);
  auto stmt = impl_->db.Prepare("DELETE FROM baseline_baselines WHERE project = ? AND name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, project);
  stmt->Bind(2, name);
  if (stmt->Step() != SQLITE_DONE) {
    return MakeError(ErrorCode::kIo, "baseline delete: " + stmt->ErrorMessage());
  }
  return impl_->db.Changes() == 1;
}

}  // namespace yardstick::baselines

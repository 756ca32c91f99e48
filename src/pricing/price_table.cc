#include "pricing/price_table.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "pricing/builtin_prices.h"
#include "pricing/price_json.h"
#include "pricing/regex.h"

namespace yardstick::pricing {

using internal::Regex;

namespace {

// Memoized lookups: key -> (entry or nullptr, the name form that matched). Sharded by key hash
// with a reader-writer lock per shard; a full shard stops caching new names.
class ResolveCache {
 public:
  struct Value {
    const PriceEntry* entry = nullptr;
    uint8_t form = 0;
  };

  std::optional<Value> Get(std::string_view key) const {
    const size_t h = std::hash<std::string_view>{}(key);
    const Shard& s = shards_[h % kShards];
    std::shared_lock lock(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end()) return std::nullopt;
    return it->second;
  }

  void Put(std::string_view key, Value value) {
    const size_t h = std::hash<std::string_view>{}(key);
    Shard& s = shards_[h % kShards];
    std::unique_lock lock(s.mu);
    if (s.map.size() >= kShardCapacity) return;
    s.map.emplace(std::string(key), value);
  }

  void Clear() {
    for (Shard& s : shards_) {
      std::unique_lock lock(s.mu);
      s.map.clear();
    }
  }

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kShardCapacity = 256;  // 4096 names in all

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::string, Value, Hash, std::equal_to<>> map;
  };
  std::array<Shard, kShards> shards_;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

int Number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

bool PlausibleDate(std::string_view year, std::string_view month, std::string_view day) {
  if (!AllDigits(year) || !AllDigits(month) || !AllDigits(day)) return false;
  const int y = Number(year), m = Number(month), d = Number(day);
  return y >= 2000 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// The name without a trailing -YYYYMMDD or -YYYY-MM-DD, or the name itself.
std::string_view WithoutDate(std::string_view name) {
  const size_t n = name.size();
  if (n > 9 && name[n - 9] == '-' &&
      PlausibleDate(name.substr(n - 8, 4), name.substr(n - 4, 2), name.substr(n - 2, 2))) {
    return name.substr(0, n - 9);
  }
  if (n > 11 && name[n - 11] == '-' && name[n - 6] == '-' && name[n - 3] == '-' &&
      PlausibleDate(name.substr(n - 10, 4), name.substr(n - 5, 2), name.substr(n - 2, 2))) {
    return name.substr(0, n - 11);
  }
  return name;
}

// The name after its last '/', or the name itself.
std::string_view WithoutProvider(std::string_view name) {
  const size_t slash = name.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == name.size()) return name;
  return name.substr(slash + 1);
}

// The forms a model name is looked up under, in order, without repeats.
std::vector<std::string_view> NameForms(std::string_view model) {
  std::vector<std::string_view> forms{model};
  auto add = [&forms](std::string_view f) {
    if (std::find(forms.begin(), forms.end(), f) == forms.end()) forms.push_back(f);
  };
  add(WithoutDate(model));
  add(WithoutProvider(model));
  add(WithoutDate(WithoutProvider(model)));
  return forms;
}

// The disjoint token buckets of a call.
struct Usage {
  double uncached_input = 0, cache_read = 0, cache_creation = 0, output = 0, reasoning = 0;

  double Sum(uint8_t buckets) const {
    double s = 0;
    if (buckets & kUncachedInput) s += uncached_input;
    if (buckets & kCacheRead) s += cache_read;
    if (buckets & kCacheCreation) s += cache_creation;
    if (buckets & kOutput) s += output;
    if (buckets & kReasoning) s += reasoning;
    return s;
  }
};

double Known(int64_t count) { return count > 0 ? static_cast<double>(count) : 0.0; }

Usage SplitUsage(const model::Call& call) {
  Usage u;
  u.cache_read = Known(call.cache_read_tokens);
  u.cache_creation = Known(call.cache_creation_tokens);
  u.uncached_input = std::max(0.0, Known(call.input_tokens) - u.cache_read - u.cache_creation);
  u.reasoning = Known(call.reasoning_tokens);
  u.output = std::max(0.0, Known(call.output_tokens) - u.reasoning);
  return u;
}

bool Holds(const UsageCondition& c, const Usage& usage) {
  const double sum = usage.Sum(c.buckets);
  switch (c.comparison) {
    case Comparison::kGt:
      return sum > c.value;
    case Comparison::kGte:
      return sum >= c.value;
    case Comparison::kLt:
      return sum < c.value;
    case Comparison::kLte:
      return sum <= c.value;
    case Comparison::kEq:
      return sum == c.value;
    case Comparison::kNeq:
      return sum != c.value;
  }
  return false;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool Holds(const ParameterCondition& c, const model::Attributes& attributes) {
  for (const auto& [key, value] : attributes) {
    const bool named = key == c.key || (key.size() > c.key.size() && key.ends_with(c.key) &&
                                        key[key.size() - c.key.size() - 1] == '.');
    if (!named) continue;
    for (const std::string& v : c.values) {
      if (EqualsIgnoringAsciiCase(value, v)) return true;
    }
  }
  return false;
}

const PriceTier& SelectTierFor(const PriceEntry& entry, const model::Call& call,
                               const Usage& usage) {
  for (const PriceTier& tier : entry.tiers) {
    if (tier.is_default) return tier;  // the default is last
    bool all = !tier.usage.empty() || !tier.parameters.empty();
    for (const UsageCondition& c : tier.usage) all = all && Holds(c, usage);
    for (const ParameterCondition& c : tier.parameters) all = all && Holds(c, call.attributes);
    if (all) return tier;
  }
  return entry.tiers.back();
}

std::optional<double> PriceUsage(const TokenPrices& p, const Usage& u) {
  if (!p.input && !p.output && p.total) {
    return (u.uncached_input + u.cache_read + u.cache_creation + u.output + u.reasoning) * *p.total;
  }
  if (!p.input && !p.output && !p.cache_read && !p.cache_creation && !p.reasoning) {
    return std::nullopt;
  }
  const double input = p.input.value_or(0.0);
  const double output = p.output.value_or(0.0);
  return u.uncached_input * input + u.cache_read * p.cache_read.value_or(input) +
         u.cache_creation * p.cache_creation.value_or(input) + u.output * output +
         u.reasoning * p.reasoning.value_or(output);
}

Result<void> CheckPrice(const std::optional<double>& price, const char* name,
                        const std::string& where) {
  if (price && (!std::isfinite(*price) || *price < 0)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     where + ": " + name + " must be a non-negative number of USD per token");
  }
  return {};
}

}  // namespace

struct PriceTable::Impl {
  struct OverrideRecord {
    std::string project;
    PriceEntry entry;
    Regex regex;
  };

  std::vector<internal::ParsedEntry> table;
  std::deque<OverrideRecord> overrides;  // a deque keeps entry addresses stable
  bool project_overrides = false;
  mutable ResolveCache cache;

  // The entry for one name form, or nullptr.
  const PriceEntry* Match(std::string_view project, std::string_view name,
                          bool overrides_only) const {
    if (overrides_only) {
      for (int pass = 0; pass < 2; ++pass) {  // the project's own overrides first
        for (const OverrideRecord& o : overrides) {
          const bool ours =
              pass == 0 ? !o.project.empty() && o.project == project : o.project.empty();
          if (ours && o.regex.Search(name)) return &o.entry;
        }
      }
      return nullptr;
    }
    for (const internal::ParsedEntry& e : table) {
      if (e.match.Search(name)) return &e.entry;
    }
    return nullptr;
  }

  ResolveCache::Value ResolveUncached(std::string_view project, std::string_view model) const {
    const std::vector<std::string_view> forms = NameForms(model);
    for (size_t f = 0; f < forms.size(); ++f) {
      for (bool overrides_only : {true, false}) {
        if (overrides_only && overrides.empty()) continue;
        if (const PriceEntry* e = Match(project, forms[f], overrides_only)) {
          return {e, static_cast<uint8_t>(f)};
        }
      }
    }
    return {};
  }

  ResolveCache::Value Resolve(std::string_view project, std::string_view model) const {
    // Without project overrides the answer does not depend on the project.
    std::string_view key = model;
    thread_local std::string buffer;
    if (project_overrides) {
      buffer.assign(project);
      buffer.push_back('\x1f');
      buffer.append(model);
      key = buffer;
    }
    if (auto hit = cache.Get(key)) return *hit;
    const ResolveCache::Value v = ResolveUncached(project, model);
    cache.Put(key, v);
    return v;
  }
};

PriceTable::PriceTable(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PriceTable::PriceTable(PriceTable&&) noexcept = default;
PriceTable& PriceTable::operator=(PriceTable&&) noexcept = default;
PriceTable::~PriceTable() = default;

Result<PriceTable> PriceTable::Builtin() {
  const std::string_view json(reinterpret_cast<const char*>(internal::kBuiltinPricesJson),
                              internal::kBuiltinPricesJsonSize);
  return FromJson(json, "built-in data/model-prices.json");
}

Result<PriceTable> PriceTable::FromJson(std::string_view json, std::string_view source_name) {
  auto entries = internal::ParsePriceJson(json, source_name);
  if (!entries) return std::unexpected(entries.error());
  auto impl = std::make_unique<Impl>();
  impl->table = *std::move(entries);
  return PriceTable(std::move(impl));
}

Result<void> PriceTable::AddOverride(Override o) {
  const std::string where = "price override #" + std::to_string(impl_->overrides.size() + 1) +
                            " (project '" + o.project + "', match '" + o.match + "')";
  auto regex = Regex::Compile(o.match);
  if (!regex) {
    return MakeError(ErrorCode::kInvalidArgument, where + ": " + regex.error().message());
  }
  const TokenPrices& p = o.prices;
  if (!p.input && !p.output && !p.cache_read && !p.cache_creation && !p.reasoning && !p.total) {
    return MakeError(ErrorCode::kInvalidArgument, where + ": expected at least one price");
  }
  for (auto [price, name] : {std::pair{&p.input, "input"},
                             {&p.output, "output"},
                             {&p.cache_read, "cache_read"},
                             {&p.cache_creation, "cache_creation"},
                             {&p.reasoning, "reasoning"},
                             {&p.total, "total"}}) {
    if (auto r = CheckPrice(*price, name, where); !r) return r;
  }
  PriceTier tier;
  tier.name = "override";
  tier.is_default = true;
  tier.prices = o.prices;
  PriceEntry entry;
  entry.model_name = "override:" + o.match;
  entry.match_pattern = o.match;
  entry.tiers.push_back(std::move(tier));
  entry.from_override = true;
  impl_->project_overrides = impl_->project_overrides || !o.project.empty();
  impl_->overrides.push_back({std::move(o.project), std::move(entry), *std::move(regex)});
  impl_->cache.Clear();
  return {};
}

std::optional<Quote> PriceTable::Lookup(std::string_view project, std::string_view model) const {
  if (model.empty()) return std::nullopt;
  const ResolveCache::Value v = impl_->Resolve(project, model);
  if (v.entry == nullptr) return std::nullopt;
  return Quote{v.entry, std::string(NameForms(model)[v.form])};
}

const PriceTier& PriceTable::SelectTier(const PriceEntry& entry, const model::Call& call) {
  return SelectTierFor(entry, call, SplitUsage(call));
}

std::optional<double> PriceTable::CostAt(const PriceEntry& entry, const model::Call& call) {
  if (call.input_tokens < 0 && call.output_tokens < 0) return std::nullopt;
  const Usage usage = SplitUsage(call);
  return PriceUsage(SelectTierFor(entry, call, usage).prices, usage);
}

std::optional<double> PriceTable::Cost(const model::Call& call) const {
  if (call.input_tokens < 0 && call.output_tokens < 0) return std::nullopt;
  const std::string& model = call.model();
  const PriceEntry* entry = model.empty() ? nullptr : impl_->Resolve(call.project, model).entry;
  if (entry == nullptr && !call.request_model.empty() && call.request_model != model) {
    entry = impl_->Resolve(call.project, call.request_model).entry;
  }
  if (entry == nullptr) return std::nullopt;
  return CostAt(*entry, call);
}

void PriceTable::PriceBatch(model::Batch& batch) const {
  for (model::Call& call : batch.calls) {
    if (call.cost_usd) continue;
    if (auto cost = Cost(call)) {
      call.cost_usd = *cost;
      call.cost_computed = true;
    }
  }
}

size_t PriceTable::size() const { return impl_->table.size(); }

}  // namespace yardstick::pricing

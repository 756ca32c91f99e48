// Synthetic call records for load tests and demos (see CallGenerator in replay.h).
//
// Everything random comes from one xoshiro256** stream seeded with splitmix64(seed), and normal
// variates from Box-Muller, so the output is the same on every platform and standard library.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <string>
#include <string_view>

#include "ingest/events.h"
#include "ingest/replay.h"

namespace yardstick::ingest {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;  // splitmix64
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  uint64_t Next() {  // xoshiro256**
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  size_t Below(size_t n) { return static_cast<size_t>(Uniform() * static_cast<double>(n)); }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  std::string Hex(size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(digits, '0');
    uint64_t bits = 0;
    for (size_t i = 0; i < digits; ++i) {
      if (i % 16 == 0) bits = Next();
      out[i] = kHex[bits & 0xF];
      bits >>= 4;
    }
    return out;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> state_{};
};

struct ModelProfile {
  const char* name;
  const char* provider;
  double weight;
  double median_latency_ms;  // for a median-length answer
  double usd_per_input_token;
  double usd_per_output_token;
  bool reasoning;
};

constexpr std::array<ModelProfile, 6> kModels = {{
    {"gpt-4o", "openai", 0.30, 1800, 2.5e-6, 10e-6, false},
    {"gpt-4o-mini", "openai", 0.30, 900, 0.15e-6, 0.6e-6, false},
    {"claude-sonnet-4", "anthropic", 0.20, 2200, 3e-6, 15e-6, false},
    {"claude-3-5-haiku", "anthropic", 0.08, 1000, 0.8e-6, 4e-6, false},
    {"o3-mini", "openai", 0.05, 4500, 1.1e-6, 4.4e-6, true},
    {"gemini-2.0-flash", "gcp.gemini", 0.07, 800, 0.1e-6, 0.4e-6, false},
}};

struct RouteProfile {
  const char* route;
  const char* service;
  const char* prompt_name;
  double weight;
};

constexpr std::array<RouteProfile, 5> kRoutes = {{
    {"/chat", "assistant-api", "chat-system", 0.45},
    {"/search", "assistant-api", "search-answer", 0.20},
    {"/summarize", "docs-service", "summarize", 0.15},
    {"/support/triage", "support-bot", "triage", 0.12},
    {"/code/review", "dev-tools", "code-review", 0.08},
}};

struct Weighted {
  const char* name;
  double weight;
};

constexpr std::array<Weighted, 3> kEnvironments = {
    {{"production", 0.85}, {"staging", 0.12}, {"development", 0.03}}};
constexpr std::array<Weighted, 4> kErrorTypes = {{{"rate_limit_exceeded", 0.4},
                                                  {"timeout", 0.3},
                                                  {"server_error", 0.2},
                                                  {"content_filter", 0.1}}};
constexpr std::array<Weighted, 3> kFinishReasons = {
    {{"stop", 0.92}, {"length", 0.05}, {"tool_calls", 0.03}}};
constexpr std::array<const char*, 3> kReleases = {"2026.11.0", "2026.11.1", "2026.11.2"};
constexpr std::array<const char*, 6> kTenants = {"acme",     "globex", "initech",
                                                 "umbrella", "hooli",  "stark"};
constexpr std::array<Weighted, 3> kPlans = {{{"free", 0.6}, {"pro", 0.3}, {"enterprise", 0.1}}};

constexpr double kErrorRate = 0.02;
constexpr double kConversationEndChance = 0.3;  // after each call: ~3.3 calls per conversation
constexpr size_t kActiveConversations = 64;
constexpr size_t kUsers = 5000;

template <typename T, size_t N>
const T& Pick(Rng& rng, const std::array<T, N>& items) {
  double u = rng.Uniform();
  for (const T& item : items) {
    if (u < item.weight) return item;
    u -= item.weight;
  }
  return items.back();
}

struct Conversation {
  std::string id;
  std::string session_id;
  std::string user_id;
  const ModelProfile* model = nullptr;
  const RouteProfile* route = nullptr;
  const char* environment = nullptr;
  const char* tenant = nullptr;
  const char* plan = nullptr;
};

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

void AppendField(std::string& out, const char* key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  AppendJsonString(out, value);
}

// value with `decimals` digits after the point.
void AppendNumber(std::string& out, const char* key, int decimals, double value) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  out += ",\"";
  out += key;
  out += "\":";
  out += buf;
}

}  // namespace

class CallGenerator::Impl {
 public:
  Impl(const GenerateOptions& options, size_t count)
      : options_(options), count_(count), rng_(options.seed) {
    const double span_ns = std::max(options.span_days, 0.0) * 86400e9;
    begin_ns_ = options.end_ns - static_cast<int64_t>(span_ns);
    step_ns_ = count == 0 ? 0.0 : span_ns / static_cast<double>(count);
  }

  bool Next(std::string& line) {
    if (index_ >= count_) return false;
    Conversation& conv = conversations_[rng_.Below(kActiveConversations)];
    if (conv.id.empty()) StartConversation(conv);
    const ModelProfile& model = *conv.model;

    // Times in order: record i starts in [begin + i*step, begin + (i+1)*step).
    const int64_t start_ns =
        begin_ns_ + static_cast<int64_t>((static_cast<double>(index_) + rng_.Uniform()) * step_ns_);
    const bool error = rng_.Chance(kErrorRate);
    const Weighted* error_type = error ? &Pick(rng_, kErrorTypes) : nullptr;
    const bool timed_out = error_type && std::string_view(error_type->name) == "timeout";

    const auto input_tokens =
        static_cast<int64_t>(std::max(5.0, std::round(rng_.LogNormal(900, 0.8))));
    auto output_tokens = static_cast<int64_t>(std::max(1.0, std::round(rng_.LogNormal(220, 0.7))));
    if (error && !timed_out) output_tokens = 0;
    const int64_t cache_read =
        rng_.Chance(0.4)
            ? static_cast<int64_t>(static_cast<double>(input_tokens) * (0.3 + 0.6 * rng_.Uniform()))
            : 0;
    const int64_t reasoning = model.reasoning
                                  ? static_cast<int64_t>(static_cast<double>(output_tokens) *
                                                         (0.3 + 0.4 * rng_.Uniform()))
                                  : -1;
    double duration_ms = model.median_latency_ms *
                         std::sqrt(std::max(static_cast<double>(output_tokens), 1.0) / 220.0) *
                         rng_.LogNormal(1.0, 0.4);
    if (timed_out) duration_ms = 30000 + 100 * rng_.Uniform();
    if (error && !timed_out) duration_ms = rng_.LogNormal(150, 0.5);
    const double ttft_ms = duration_ms * (0.1 + 0.3 * rng_.Uniform());
    const double cost = static_cast<double>(input_tokens) * model.usd_per_input_token +
                        static_cast<double>(output_tokens) * model.usd_per_output_token;

    line.clear();
    line += "{\"type\":\"call\"";
    AppendField(line, "id", rng_.Hex(32));
    if (!options_.project.empty()) AppendField(line, "project", options_.project);
    AppendField(line, "trace_id", rng_.Hex(32));
    AppendField(line, "span_id", rng_.Hex(16));
    AppendField(line, "conversation_id", conv.id);
    AppendField(line, "session_id", conv.session_id);
    AppendField(line, "user_id", conv.user_id);
    AppendField(line, "start_time", FormatTimestamp(start_ns));
    AppendNumber(line, "duration_ms", 1, duration_ms);
    if (!error) AppendNumber(line, "ttft_ms", 1, ttft_ms);
    AppendField(line, "operation", "chat");
    AppendField(line, "provider", model.provider);
    AppendField(line, "model", model.name);
    AppendField(line, "service", conv.route->service);
    AppendField(line, "environment", conv.environment);
    AppendField(line, "route", conv.route->route);
    AppendField(line, "prompt_name", conv.route->prompt_name);
    AppendField(line, "prompt_version", "v" + std::to_string(1 + index_ * 3 / (count_ + 1)));
    AppendField(line, "release", kReleases[index_ * kReleases.size() / (count_ + 1)]);
    if (conv.route == &kRoutes[0]) {
      AppendField(line, "variant", conv.user_id.back() % 2 == 0 ? "control" : "treatment");
    }
    AppendNumber(line, "input_tokens", 0, static_cast<double>(input_tokens));
    AppendNumber(line, "output_tokens", 0, static_cast<double>(output_tokens));
    if (cache_read > 0) {
      AppendNumber(line, "cache_read_tokens", 0, static_cast<double>(cache_read));
    }
    if (reasoning >= 0) {
      AppendNumber(line, "reasoning_tokens", 0, static_cast<double>(reasoning));
    }
    AppendNumber(line, "cost_usd", 8, cost);
    if (error) {
      AppendField(line, "status", "error");
      AppendField(line, "error_type", error_type->name);
    } else {
      AppendField(line, "finish_reason", Pick(rng_, kFinishReasons).name);
    }
    line += ",\"attributes\":{";
    line += "\"tenant\":";
    AppendJsonString(line, conv.tenant);
    line += ",\"plan\":";
    AppendJsonString(line, conv.plan);
    line += "}}";

    if (rng_.Chance(kConversationEndChance)) conv.id.clear();
    ++index_;
    return true;
  }

 private:
  void StartConversation(Conversation& conv) {
    conv.id = "conv-" + rng_.Hex(16);
    conv.session_id = "sess-" + rng_.Hex(12);
    // Skewed toward low user numbers: a few heavy users, a long tail.
    const double u = rng_.Uniform();
    conv.user_id = "user-" + std::to_string(static_cast<size_t>(u * u * kUsers));
    conv.model = &Pick(rng_, kModels);
    conv.route = &Pick(rng_, kRoutes);
    conv.environment = Pick(rng_, kEnvironments).name;
    conv.tenant = kTenants[rng_.Below(kTenants.size())];
    conv.plan = Pick(rng_, kPlans).name;
  }

  GenerateOptions options_;
  size_t count_;
  Rng rng_;
  int64_t begin_ns_ = 0;
  double step_ns_ = 0;
  size_t index_ = 0;
  std::array<Conversation, kActiveConversations> conversations_;
};

CallGenerator::CallGenerator(const GenerateOptions& options, size_t count)
    : impl_(std::make_unique<Impl>(options, count)) {}
CallGenerator::~CallGenerator() = default;

bool CallGenerator::Next(std::string& line) { return impl_->Next(line); }

LineSource CallGenerator::AsSource() {
  return [this](std::string& line) { return Next(line); };
}

}  // namespace yardstick::ingest

#include "ingest/field_names.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <vector>

namespace yardstick::ingest::internal {
namespace {

constexpr size_t kFieldCount = static_cast<size_t>(Field::kUnknown);

constexpr std::array<std::string_view, kFieldCount> kNames = {
    "type",
    "id",
    "project",
    "attributes",
    "trace_id",
    "span_id",
    "parent_span_id",
    "conversation_id",
    "session_id",
    "user_id",
    "start_time",
    "end_time",
    "duration_ms",
    "ttft_ms",
    "operation",
    "provider",
    "model",
    "request_model",
    "response_model",
    "service",
    "environment",
    "route",
    "prompt_name",
    "prompt_version",
    "release",
    "variant",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "reasoning_tokens",
    "cost_usd",
    "status",
    "error_type",
    "finish_reason",
    "input",
    "output",
    "name",
    "value",
    "label",
    "call_id",
    "source",
    "author",
    "comment",
    "time",
};

constexpr FieldSet Bits(std::initializer_list<Field> fields) {
  FieldSet set = 0;
  for (Field f : fields) set |= Bit(f);
  return set;
}

constexpr FieldSet kCommon = Bits({Field::kType, Field::kId, Field::kProject, Field::kAttributes});

// Every field from kTraceId to kOutput.
constexpr FieldSet CallOnlyRange() {
  FieldSet set = 0;
  for (auto f = static_cast<unsigned>(Field::kTraceId); f <= static_cast<unsigned>(Field::kOutput);
       ++f) {
    set |= FieldSet{1} << f;
  }
  return set;
}

constexpr FieldSet kCallFields = kCommon | CallOnlyRange();
constexpr FieldSet kScoreFields =
    kCommon | Bits({Field::kName, Field::kValue, Field::kLabel, Field::kCallId, Field::kTraceId,
                    Field::kConversationId, Field::kUserId, Field::kSource, Field::kAuthor,
                    Field::kComment, Field::kTime});
constexpr FieldSet kOutcomeFields =
    kCommon | Bits({Field::kName, Field::kValue, Field::kConversationId, Field::kSessionId,
                    Field::kUserId, Field::kTime});

// An open-addressing hash table of the names: one hash and usually one comparison per lookup.
class FieldIndex {
 public:
  FieldIndex() {
    slots_.fill(Field::kUnknown);
    for (size_t i = 0; i < kFieldCount; ++i) {
      size_t slot = Hash(kNames[i]);
      while (slots_[slot] != Field::kUnknown) slot = (slot + 1) % kSlots;
      slots_[slot] = static_cast<Field>(i);
    }
  }
  Field Find(std::string_view key) const {
    for (size_t slot = Hash(key);; slot = (slot + 1) % kSlots) {
      const Field f = slots_[slot];
      if (f == Field::kUnknown || kNames[static_cast<size_t>(f)] == key) return f;
    }
  }

 private:
  static constexpr size_t kSlots = 256;  // > 5 times the names: short probe sequences
  // Length and three bytes tell the names apart well enough; constant time for any key.
  static size_t Hash(std::string_view key) {
    if (key.empty()) return 0;
    auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(key[i])); };
    const uint32_t h = static_cast<uint32_t>(key.size()) * 0x9E3779B1u ^ byte(0) * 0x85EBCA6Bu ^
                       byte(key.size() / 2) * 0xC2B2AE35u ^ byte(key.size() - 1) * 0x27D4EB2Fu;
    return (h ^ (h >> 15) ^ (h >> 23)) % kSlots;
  }
  std::array<Field, kSlots> slots_;
};

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string_view FieldName(Field f) {
  return f == Field::kUnknown ? std::string_view("?") : kNames[static_cast<size_t>(f)];
}

Field FindField(std::string_view key) {
  static const FieldIndex index;
  return index.Find(key);
}

FieldSet FieldsOf(RecordType type) {
  switch (type) {
    case RecordType::kCall:
      return kCallFields;
    case RecordType::kScore:
      return kScoreFields;
    case RecordType::kOutcome:
      return kOutcomeFields;
  }
  return 0;
}

std::string UnknownFieldReason(std::string_view key, RecordType type) {
  std::string reason = "unknown field '" + Excerpt(key) + "'";
  const Field known = FindField(key);
  if (known != Field::kUnknown) {
    std::vector<std::string> owners;
    for (RecordType t : {RecordType::kCall, RecordType::kScore, RecordType::kOutcome}) {
      if (FieldsOf(t) & Bit(known)) owners.push_back(RecordTypeName(t));
    }
    reason += " (it is a field of ";
    for (size_t i = 0; i < owners.size(); ++i) {
      if (i > 0) reason += " and ";
      reason += owners[i];
    }
    reason += " records)";
    return reason;
  }
  // The closest field of this record type within edit distance 2 (and closer than the name is
  // long, so "x" does not suggest "id").
  const FieldSet allowed = FieldsOf(type);
  size_t best_distance = 3;
  std::string_view best;
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!(allowed & (FieldSet{1} << i))) continue;
    const std::string_view name = kNames[i];
    const size_t gap =
        key.size() > name.size() ? key.size() - name.size() : name.size() - key.size();
    if (gap >= best_distance) continue;
    const size_t d = EditDistance(key, name);
    if (d < best_distance && d < name.size()) {
      best_distance = d;
      best = name;
    }
  }
  if (!best.empty()) reason += " (did you mean '" + std::string(best) + "'?)";
  return reason;
}

std::string Excerpt(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  // Back up over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace yardstick::ingest::internal

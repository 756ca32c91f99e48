#include "otlp/content.h"

#include <algorithm>
#include <charconv>

#include "otlp/text_util.h"

namespace yardstick::otlp::internal {
namespace {

// Reads a decimal index followed by '.' from the front of `s`.
bool TakeIndex(std::string_view& s, uint64_t& index) {
  const auto result = std::from_chars(s.data(), s.data() + s.size(), index);
  if (result.ec != std::errc() || result.ptr == s.data()) return false;
  const size_t used = static_cast<size_t>(result.ptr - s.data());
  if (used >= s.size() || s[used] != '.') return false;
  s.remove_prefix(used + 1);
  return true;
}

bool TakePrefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  return s;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool LooksLikeJsonArray(std::string_view s) {
  s = TrimRight(TrimLeft(s));
  return s.size() >= 2 && s.front() == '[' && s.back() == ']';
}

}  // namespace

void AppendValueJson(std::string& out, const Value& value) {
  switch (value.type) {
    case ValueType::kEmpty:
      out += "null";
      break;
    case ValueType::kString:
    case ValueType::kBytes:
      AppendJsonString(out, value.text);
      break;
    case ValueType::kBool:
      out += value.boolean ? "true" : "false";
      break;
    case ValueType::kInt:
      AppendInt(out, value.integer);
      break;
    case ValueType::kDouble:
      AppendDouble(out, value.number, /*quote_special=*/true);
      break;
    case ValueType::kArray:
    case ValueType::kKvList:
      out += value.text;
      break;
  }
}

void FlatMessages::Add(Dialect dialect, std::string_view rest, const Value* value) {
  Entry e{0, 0, Field::kRole, value};
  if (!TakeIndex(rest, e.index)) return;
  if (dialect == Dialect::kOpenInference && !TakePrefix(rest, "message.")) return;
  if (rest == "role") {
    e.field = Field::kRole;
  } else if (rest == "content") {
    e.field = Field::kContent;
  } else if (rest == "tool_call_id") {
    e.field = Field::kToolCallId;
  } else if (rest == "finish_reason") {
    e.field = Field::kFinishReason;
  } else if (TakePrefix(rest, "tool_calls.") && TakeIndex(rest, e.sub)) {
    if (dialect == Dialect::kOpenInference) {
      if (!TakePrefix(rest, "tool_call.")) return;
      if (rest == "id") {
        e.field = Field::kCallId;
      } else if (rest == "function.name") {
        e.field = Field::kCallName;
      } else if (rest == "function.arguments") {
        e.field = Field::kCallArguments;
      } else {
        return;
      }
    } else if (rest == "id") {
      e.field = Field::kCallId;
    } else if (rest == "name") {
      e.field = Field::kCallName;
    } else if (rest == "arguments") {
      e.field = Field::kCallArguments;
    } else {
      return;
    }
  } else if (dialect == Dialect::kOpenInference && TakePrefix(rest, "contents.") &&
             TakeIndex(rest, e.sub) && rest == "message_content.text") {
    e.field = Field::kContentPart;
  } else {
    return;
  }
  entries_.push_back(e);
}

std::string FlatMessages::ToJson(bool output) const {
  std::vector<Entry> sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.index != b.index ? a.index < b.index : a.sub < b.sub;
  });

  std::string out = "[";
  size_t begin = 0;
  while (begin < sorted.size()) {
    size_t end = begin;
    while (end < sorted.size() && sorted[end].index == sorted[begin].index) ++end;

    const Value* role = nullptr;
    const Value* content = nullptr;
    const Value* tool_call_id = nullptr;
    const Value* finish_reason = nullptr;
    for (size_t k = begin; k < end; ++k) {
      switch (sorted[k].field) {
        case Field::kRole:
          role = sorted[k].value;
          break;
        case Field::kContent:
          content = sorted[k].value;
          break;
        case Field::kToolCallId:
          tool_call_id = sorted[k].value;
          break;
        case Field::kFinishReason:
          finish_reason = sorted[k].value;
          break;
        default:
          break;
      }
    }

    if (out.size() > 1) out.push_back(',');
    out += "{\"role\":";
    if (role != nullptr) {
      AppendValueJson(out, *role);
    } else {
      out += output ? "\"assistant\"" : "\"user\"";
    }
    out += ",\"parts\":[";
    bool first_part = true;
    const auto part = [&]() {
      if (!first_part) out.push_back(',');
      first_part = false;
    };
    if (content != nullptr) {
      part();
      if (tool_call_id != nullptr) {
        out += "{\"type\":\"tool_call_response\",\"id\":";
        AppendValueJson(out, *tool_call_id);
        out += ",\"response\":";
      } else {
        out += "{\"type\":\"text\",\"content\":";
      }
      AppendValueJson(out, *content);
      out += "}";
    }
    for (size_t k = begin; k < end; ++k) {
      if (sorted[k].field != Field::kContentPart) continue;
      part();
      out += "{\"type\":\"text\",\"content\":";
      AppendValueJson(out, *sorted[k].value);
      out += "}";
    }
    // Tool calls: entries with the same sub index form one call (sorted by sub).
    size_t k = begin;
    while (k < end) {
      const Field f = sorted[k].field;
      if (f != Field::kCallId && f != Field::kCallName && f != Field::kCallArguments) {
        ++k;
        continue;
      }
      const uint64_t sub = sorted[k].sub;
      const Value* id = nullptr;
      const Value* name = nullptr;
      const Value* arguments = nullptr;
      for (; k < end && sorted[k].sub == sub; ++k) {
        if (sorted[k].field == Field::kCallId) id = sorted[k].value;
        if (sorted[k].field == Field::kCallName) name = sorted[k].value;
        if (sorted[k].field == Field::kCallArguments) arguments = sorted[k].value;
      }
      if (id == nullptr && name == nullptr && arguments == nullptr) continue;
      part();
      out += "{\"type\":\"tool_call\"";
      if (id != nullptr) {
        out += ",\"id\":";
        AppendValueJson(out, *id);
      }
      if (name != nullptr) {
        out += ",\"name\":";
        AppendValueJson(out, *name);
      }
      if (arguments != nullptr) {
        out += ",\"arguments\":";
        AppendValueJson(out, *arguments);
      }
      out += "}";
    }
    out += "]";
    if (finish_reason != nullptr) {
      out += ",\"finish_reason\":";
      AppendValueJson(out, *finish_reason);
    }
    out += "}";
    begin = end;
  }
  out += "]";
  return out;
}

std::string_view FlatMessages::FirstFinishReason() const {
  const Entry* best = nullptr;
  for (const Entry& e : entries_) {
    if (e.field == Field::kFinishReason && e.value->type == ValueType::kString &&
        (best == nullptr || e.index < best->index)) {
      best = &e;
    }
  }
  return best == nullptr ? std::string_view() : best->value->text;
}

std::string PrependSystemInstructions(const Value& instructions, std::string input) {
  if (!input.empty() && !LooksLikeJsonArray(input)) return input;
  std::string out = "[{\"role\":\"system\",\"parts\":";
  if (instructions.type == ValueType::kArray) {
    out += instructions.text;
  } else if (instructions.type == ValueType::kString && LooksLikeJsonArray(instructions.text)) {
    out += TrimRight(TrimLeft(instructions.text));
  } else {
    out += "[{\"type\":\"text\",\"content\":";
    AppendValueJson(out, instructions);
    out += "}]";
  }
  out += "}";
  if (input.empty()) {
    out += "]";
    return out;
  }
  // Splice into the existing array: "[" + system message + ("," + old elements) + "]".
  std::string_view rest = TrimRight(TrimLeft(input));
  rest.remove_prefix(1);
  if (TrimLeft(rest).front() != ']') out += ",";
  out += rest;
  return out;
}

}  // namespace yardstick::otlp::internal

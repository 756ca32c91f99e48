#include "metrics/signature.h"

#include <algorithm>

namespace yardstick::metrics {

std::string SignatureVersion() { return std::string("yardstick-") + YARDSTICK_VERSION; }

Signature::Signature(std::size_t num_refs) {
  Set("nrefs", num_refs == kVariableNumRefs ? std::string("var") : std::to_string(num_refs), "#");
}

Signature& Signature::Set(std::string_view key, std::string value, std::string_view short_key) {
  for (auto& e : entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      if (!short_key.empty()) e.short_key = std::string(short_key);
      return *this;
    }
  }
  entries_.push_back(
      {std::string(key), std::string(short_key.empty() ? key : short_key), std::move(value)});
  return *this;
}

Signature& Signature::Set(std::string_view key, bool value, std::string_view short_key) {
  return Set(key, std::string(value ? "yes" : "no"), short_key);
}

Signature& Signature::InsertAfter(std::string_view anchor, std::string_view key, std::string value,
                                  std::string_view short_key) {
  std::erase_if(entries_, [&](const Entry& e) { return e.key == key; });
  Entry entry{std::string(key), std::string(short_key.empty() ? key : short_key), std::move(value)};
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.key == anchor; });
  entries_.insert(it == entries_.end() ? it : it + 1, std::move(entry));
  return *this;
}

std::string Signature::Get(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return e.value;
  }
  return {};
}

std::string Signature::Format(bool short_form) const {
  std::string out;
  for (const auto& e : entries_) {
    if (!out.empty()) out += '|';
    out += short_form ? e.short_key : e.key;
    out += ':';
    out += e.value;
  }
  if (!out.empty()) out += '|';
  out += short_form ? "v:" : "version:";
  out += SignatureVersion();
  return out;
}

}  // namespace yardstick::metrics

#pragma once
// Internal to the config module: reading a yaml-cpp tree strictly, with every problem recorded
// as an Issue at its line and column instead of an exception.
//
// yaml-cpp keeps every pair of a mapping when a key repeats (operator[] then finds the first), so
// MapReader walks the pairs itself to report duplicates. Scalars keep their source spelling and
// their tag: "?" for plain scalars and "!" for quoted ones, which is how a quoted "8080" is told
// apart from the integer 8080.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace yardstick::config::internal {

// Collects issues; yaml-cpp's 0-based marks become 1-based lines and columns.
class Diagnostics {
 public:
  void Add(const YAML::Mark& mark, std::string message);
  size_t count() const { return issues_.size(); }
  // The issues in file order (stable for issues at the same place).
  std::vector<Issue> TakeSorted();

 private:
  std::vector<Issue> issues_;
};

// A value to read: the node, the place to report problems with it (the key's place when the
// value is empty, since yaml-cpp marks an empty value at the next token), and its path for
// messages ("server.listen_port", "kpis[2].numerator").
struct Field {
  YAML::Node value;
  YAML::Mark mark;
  std::string path;
};

// `what` quoted for a message, control characters escaped, long values shortened.
std::string Quote(std::string_view what);
// How a node appears in "got ..." phrases: "\"abc\"", "the string \"8\"", "a list", ...
std::string Describe(const YAML::Node& node);
// "a, b, c".
std::string JoinNames(std::span<const std::string_view> names);
// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
std::optional<std::string_view> Suggest(std::string_view word,
                                        std::span<const std::string_view> candidates);

// Parses the first document of `text` into `root`. Later documents are an error unless empty.
// Returns false after reporting a YAML syntax error (at the parser's place). yaml-cpp 0.7's
// LoadAll never returns on some malformed streams (a lone ","): the parser reports an empty
// document at the same place again and again; this scan stops there with a syntax error.
bool LoadSingleDocument(const std::string& text, YAML::Node& root, Diagnostics& diag);

// Scalar readers: each checks the node's type and range and reports an issue naming field.path
// when it is wrong. nullopt means "reported" (or, for ReadString, not a scalar).
std::optional<std::string> ReadString(const Field& f, Diagnostics& diag);
std::optional<int64_t> ReadInteger(const Field& f, int64_t lo, int64_t hi, Diagnostics& diag);
std::optional<bool> ReadBool(const Field& f, Diagnostics& diag);
// A finite number (decimal or exponent notation); callers check its range.
std::optional<double> ReadNumber(const Field& f, Diagnostics& diag);
std::optional<std::string> ReadEnum(const Field& f, std::span<const std::string_view> allowed,
                                    Diagnostics& diag);
// Reports "${...}" in a value that is never expanded; returns false when it did.
bool CheckNotExpanded(const Field& f, std::string_view value, Diagnostics& diag);

// Calls `item` for each element of a sequence (paths "<path>[i]"); an empty value is an empty
// sequence. Returns false (after reporting) when the value is not a sequence.
bool ForEachItem(const Field& f, Diagnostics& diag, const std::function<void(const Field&)>& item);

// One mapping. The constructor reports keys that are not strings, duplicate keys (at the second
// occurrence) and, when `allowed` is given, unknown keys with a did-you-mean. An empty value
// reads as an empty mapping; any other non-mapping is reported and reads as empty.
class MapReader {
 public:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    Field field;
  };

  MapReader(const Field& f, Diagnostics& diag, std::span<const std::string_view> allowed);
  // Any keys allowed (checked by the caller, e.g. record filters).
  MapReader(const Field& f, Diagnostics& diag);

  bool is_mapping() const { return is_mapping_; }
  const Field& self() const { return self_; }
  // The entries in file order, duplicates and unknown keys left out.
  const std::vector<Entry>& entries() const { return entries_; }
  std::optional<Field> Get(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key).has_value(); }

  // Setters: when `key` is present and valid, store it in `out` and return true.
  bool String(std::string_view key, std::string& out) const;
  bool Integer(std::string_view key, int lo, int hi, int& out) const;
  bool Size(std::string_view key, size_t& out) const;  // 1 .. 2^53
  bool Bool(std::string_view key, bool& out) const;
  bool Enum(std::string_view key, std::span<const std::string_view> allowed,
            std::string& out) const;
  // Reports `key` missing from this mapping; returns false.
  bool Missing(std::string_view key) const;

 private:
  void Read(std::span<const std::string_view> allowed, bool check_keys);

  Field self_;
  Diagnostics& diag_;
  bool is_mapping_ = false;
  std::vector<Entry> entries_;
};

}  // namespace yardstick::config::internal

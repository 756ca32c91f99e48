#pragma once
// The built-in detectors: their PCRE2 patterns, the cheap checks that decide whether a text can
// contain a match at all, and the checks a match must pass (Luhn, SSN ranges, phone shapes,
// randomness of labelled secrets). Internal to the redact module; redactor.h documents what
// each detector matches.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "redact/pattern.h"
#include "redact/scan.h"

namespace yardstick::redact::internal {

// A digit cluster: digits joined by at most two consecutive characters of " .-()+", with a
// leading "+" or "(". Every phone, card, SSN and IPv4 match lies inside one cluster, so those
// detectors only search clusters with enough digits.
struct Cluster {
  size_t begin = 0;
  size_t end = 0;  // after the last digit
  uint32_t digits = 0;
  uint32_t dots = 0;
  uint32_t dashes = 0;
};

// Calls `fn(cluster)` for each cluster of `text` with at least `min_digits` digits, in order.
template <typename Fn>
void ForEachCluster(std::string_view text, uint32_t min_digits, Fn&& fn);

// Calls `fn(begin, end)` for the window around each '@' that an e-mail address containing it
// must lie in: the local-part characters before it (at most 64) and the host characters after
// it (at most 255).
template <typename Fn>
void ForEachAtWindow(std::string_view text, Fn&& fn);

// Where a detector searches.
enum class Scope {
  kText,      // the whole text
  kClusters,  // digit clusters that `cluster_applies` allows
  kAtSigns,   // the windows around '@'
  kFinder,    // no pattern: `find` locates the matches
};

// A match [begin, end) found without a pattern.
struct Found {
  size_t begin;
  size_t end;
};

// A detector: it searches its scope when `applies` allows (given the text for detectors that
// look further); `accept` checks a match the pattern found.
struct Detector {
  const char* kind;   // the count key, e.g. "email"
  const char* regex;  // null for kFinder
  Scope scope;
  bool (*applies)(const TextProfile& profile, std::string_view text);
  bool (*cluster_applies)(const Cluster& cluster);
  bool (*accept)(std::string_view text, const Match& match, const Pattern& pattern);
  void (*find)(std::string_view text, std::vector<Found>& out);
};

// The detectors of one kind, in the order they take precedence.
std::vector<Detector> EmailDetectors();
std::vector<Detector> SecretDetectors();
std::vector<Detector> NationalIdDetectors();
std::vector<Detector> CardDetectors();
std::vector<Detector> IpDetectors();
std::vector<Detector> PhoneDetectors();

// Cluster detectors need at least this many digits in a cluster.
constexpr uint32_t kMinClusterDigits = 4;

// Exposed for tests.
bool LuhnValid(std::string_view digits);
bool LooksRandom(std::string_view value);
bool HasSecretLabel(std::string_view text);
void FindPrivateKeyBlocks(std::string_view text, std::vector<Found>& out);

}  // namespace yardstick::redact::internal

// ---------------------------------------------------------------------------------------------

namespace yardstick::redact::internal {

inline bool IsEmailLocalChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) != std::string_view::npos;
}

inline bool IsEmailHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

template <typename Fn>
void ForEachAtWindow(std::string_view text, Fn&& fn) {
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    size_t begin = at;
    while (begin > 0 && at - begin < 64 && IsEmailLocalChar(text[begin - 1])) --begin;
    size_t end = at + 1;
    while (end < text.size() && end - at <= 255 && IsEmailHostChar(text[end])) ++end;
    fn(begin, end);
  }
}

inline bool IsClusterJoiner(char c) {
  return c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '+';
}

template <typename Fn>
void ForEachCluster(std::string_view text, uint32_t min_digits, Fn&& fn) {
  const size_t n = text.size();
  size_t i = 0;
  size_t previous_end = 0;
  while (i < n) {
    i = FindDigit(text, i);
    if (i == n) break;
    Cluster c;
    c.begin = i;
    for (int k = 0; k < 2 && c.begin > previous_end; ++k) {
      const char p = text[c.begin - 1];
      if (p != '+' && p != '(') break;
      --c.begin;
    }
    int gap = 0;
    uint32_t gap_dots = 0, gap_dashes = 0;  // counted once a digit follows
    for (size_t j = i; j < n; ++j) {
      const char ch = text[j];
      if (ch >= '0' && ch <= '9') {
        ++c.digits;
        c.dots += gap_dots;
        c.dashes += gap_dashes;
        gap = 0;
        gap_dots = gap_dashes = 0;
        c.end = j + 1;
      } else if (gap < 2 && IsClusterJoiner(ch)) {
        ++gap;
        gap_dots += ch == '.';
        gap_dashes += ch == '-';
      } else {
        break;
      }
    }
    previous_end = c.end;
    i = c.end;
    if (c.digits >= min_digits) fn(c);
  }
}

}  // namespace yardstick::redact::internal

#include "redact/detectors.h"

#include <array>
#include <cmath>
#include <cstring>

namespace yardstick::redact::internal {
namespace {

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// ---------------------------------------------------------------------------------------------
// Checks on matches.

std::string_view MatchText(std::string_view text, const Match& m) {
  return text.substr(m.begin, m.end - m.begin);
}

// Digit groups of a match: lengths and values (values of groups longer than 9 digits are not
// needed and saturate).
struct Groups {
  static constexpr size_t kMax = 16;
  size_t count = 0;
  int digits = 0;
  std::array<int, kMax> length{};
  std::array<int, kMax> value{};
  char first_separator = 0;
  bool one_separator_kind = true;
};

Groups SplitGroups(std::string_view s) {
  Groups g;
  bool in_group = false;
  for (char c : s) {
    if (IsAsciiDigit(c)) {
      if (!in_group) {
        if (g.count == Groups::kMax) break;
        ++g.count;
        in_group = true;
      }
      const size_t i = g.count - 1;
      ++g.length[i];
      if (g.length[i] <= 9) g.value[i] = g.value[i] * 10 + (c - '0');
      ++g.digits;
    } else {
      in_group = false;
      if (g.first_separator == 0) {
        g.first_separator = c;
      } else if (c != g.first_separator) {
        g.one_separator_kind = false;
      }
    }
  }
  return g;
}

bool IsYear(int length, int value) { return length == 4 && value >= 1900 && value <= 2099; }

bool AcceptCard(std::string_view text, const Match& m, const Pattern&) {
  const std::string_view s = MatchText(text, m);
  const Groups g = SplitGroups(s);
  if (!g.one_separator_kind) return false;
  std::string digits;
  digits.reserve(s.size());
  for (char c : s) {
    if (IsAsciiDigit(c)) digits.push_back(c);
  }
  return digits.size() >= 13 && digits.size() <= 19 && LuhnValid(digits);
}

bool AcceptPhone(std::string_view text, const Match& m, const Pattern&) {
  const std::string_view s = MatchText(text, m);
  const Groups g = SplitGroups(s);
  if (g.digits < 7 || g.digits > 15) return false;
  if (s.front() == '+' || s.front() == '(') return true;
  const char sep = g.first_separator;
  // Spaces and dots also group ordinary numbers; ask for more digits there.
  if ((sep == ' ' || sep == '.') && g.digits < 9) return false;
  const auto& len = g.length;
  const auto& val = g.value;
  if (g.count == 3) {
    // Dates: 2024-01-15, 15.01.2024, 1-15-2024.
    if (IsYear(len[0], val[0]) && len[1] <= 2 && len[2] <= 2) return false;
    if (IsYear(len[2], val[2]) && len[0] <= 2 && len[1] <= 2) return false;
    // The SSN shape belongs to national_id, valid or not.
    if (sep == '-' && len[0] == 3 && len[1] == 2 && len[2] == 4) return false;
  }
  bool all_years = true;
  bool thousands = len[0] <= 3;
  for (size_t i = 0; i < g.count; ++i) {
    all_years = all_years && IsYear(len[i], val[i]);
    if (i > 0) thousands = thousands && len[i] == 3;
  }
  if (all_years) return false;
  if (thousands && g.count >= 3 && (sep == '.' || sep == ' ')) return false;
  // More groups before or after than a phone number has: a list of numbers.
  if (m.end + 1 < text.size() && text[m.end] == sep && IsAsciiDigit(text[m.end + 1])) return false;
  if (m.begin >= 2 && text[m.begin - 1] == sep && IsAsciiDigit(text[m.begin - 2])) return false;
  return true;
}

bool AcceptIpv6(std::string_view text, const Match& m, const Pattern&) {
  for (char c : MatchText(text, m)) {
    if (IsAsciiDigit(c)) return true;
  }
  return false;
}

bool AcceptLabelledSecret(std::string_view text, const Match& m, const Pattern& pattern) {
  if (m.end == m.begin) return false;
  // Passwords are secret whatever they look like; keys and tokens only when they look random.
  const int password_group = pattern.GroupNumber("password");
  if (m.HasGroup(password_group)) return true;
  return LooksRandom(MatchText(text, m));
}

// ---------------------------------------------------------------------------------------------
// Whether a text can contain a match.

bool AppliesEmail(const TextProfile& p, std::string_view) { return p.at; }
bool AppliesPrivateKey(const TextProfile& p, std::string_view) { return p.long_token; }
bool AppliesTokenSecret(const TextProfile& p, std::string_view) { return p.long_token; }
bool AppliesLabelledSecret(const TextProfile& p, std::string_view text) {
  return p.label_separator && HasSecretLabel(text);
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool AppliesIpv6(const TextProfile& p, std::string_view text) {
  if (p.digits == 0 || p.colons < 2) return false;
  if (text.find("::") != std::string_view::npos) return true;
  // Without "::" an address is eight groups: seven colons in a row, 1-4 hex digits apart.
  if (p.colons < 7) return false;
  size_t previous = std::string_view::npos;
  int chain = 0;
  for (size_t at = text.find(':'); at != std::string_view::npos; at = text.find(':', at + 1)) {
    bool joined = previous != std::string_view::npos && at - previous >= 2 && at - previous <= 5;
    for (size_t k = previous + 1; joined && k < at; ++k) joined = IsHex(text[k]);
    chain = joined ? chain + 1 : 1;
    if (chain >= 7) return true;
    previous = at;
  }
  return false;
}

bool AppliesDigits(const TextProfile& p, std::string_view) { return p.digits >= kMinClusterDigits; }

bool ClusterSsn(const Cluster& c) { return c.digits >= 9 && c.dashes >= 2; }
bool ClusterCard(const Cluster& c) { return c.digits >= 13; }
bool ClusterIpv4(const Cluster& c) { return c.digits >= 4 && c.dots >= 3; }
bool ClusterPhone(const Cluster& c) { return c.digits >= 7; }

// ---------------------------------------------------------------------------------------------
// The patterns (PCRE2, byte mode, extended syntax). They start and end every match at an ASCII
// character, which is what keeps redacted text valid UTF-8.

constexpr const char* kEmailRegex = R"re((?x)
  (?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~.-])
  [A-Za-z0-9!#$%&'*+/=?^_`{|}~-] [A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{0,63}
  @
  (?: [A-Za-z0-9] (?: [A-Za-z0-9-]{0,61} [A-Za-z0-9] )? \. )+
  [A-Za-z]{2,63}
  (?! [A-Za-z0-9-] | \.[A-Za-z0-9] )
)re";

constexpr const char* kTokenSecretRegex = R"re((?x)
  (?<![A-Za-z0-9_-])
  (?: sk-[A-Za-z0-9_-]{20,}                        # OpenAI, Anthropic (sk-ant-...), sk-proj-...
    | (?:AKIA|ASIA)[0-9A-Z]{16}                    # AWS access key ids
    | gh[pousr]_[A-Za-z0-9]{36,}                   # GitHub tokens
    | github_pat_[A-Za-z0-9_]{22,}                 # GitHub fine-grained tokens
    | xox[abpr]-[A-Za-z0-9-]{10,}                  # Slack tokens
    | AIza[0-9A-Za-z_-]{35}                        # Google API keys
    | eyJ[A-Za-z0-9_-]{8,} \. eyJ[A-Za-z0-9_-]{8,} \. [A-Za-z0-9_-]{8,}   # JSON web tokens
  )
  (?![A-Za-z0-9_-])
| (?<![A-Za-z0-9]) (?:[Bb]earer|BEARER) [ \t]+ \K [A-Za-z0-9._~+/-]{16,} =*
  (?![A-Za-z0-9._~+/=-])
)re";

// Keys, tokens and passwords after a label: `api_key = "..."`, `"password": "..."`,
// `Authorization: Basic ...`. Only the value is replaced (\K).
constexpr const char* kLabelledSecretRegex = R"re((?x)
  (?<![A-Za-z0-9])
  (?: (?<password> (?i: password | passwd | pwd ) )
    | (?i: (?: [a-z0-9]+ [_-]? )? (?: key | token | secret ) | authorization )
  )
  ["']? [ \t]* [:=] [ \t]* ["']?
  (?: (?i: bearer | basic | token ) [ \t]+ )?
  \K
  [^\x00-\x20"'`,;&<>\x7f]+
  (?<! [.)\]}] )
)re";

constexpr const char* kSsnRegex = R"re((?x)
  (?<![A-Za-z0-9_.-])
  (?!000|666|9\d\d) \d{3} - (?!00) \d{2} - (?!0000) \d{4}
  (?! [A-Za-z0-9_] | [.-]\d )
)re";

constexpr const char* kCardRegex = R"re((?x)
  (?<![A-Za-z0-9_.-])
  [2-6] \d{3} (?: [ -]? \d ){9,15}
  (?! [A-Za-z0-9_] | [.-]\d )
)re";

constexpr const char* kIpv6Regex = R"re((?x)
  (?<![A-Za-z0-9_:.])
  (?: (?: [0-9A-Fa-f]{1,4} : ){6} (?&v4)
    | :: (?: [Ff]{4} (?: :0{1,4} )? : )? (?&v4)
    | (?: [0-9A-Fa-f]{1,4} : ){1,4} : (?&v4)
    | (?: [0-9A-Fa-f]{1,4} : ){7} [0-9A-Fa-f]{1,4}
    | (?: [0-9A-Fa-f]{1,4} : ){1,7} :
    | (?: [0-9A-Fa-f]{1,4} : ){1,6} : [0-9A-Fa-f]{1,4}
    | (?: [0-9A-Fa-f]{1,4} : ){1,5} (?: : [0-9A-Fa-f]{1,4} ){1,2}
    | (?: [0-9A-Fa-f]{1,4} : ){1,4} (?: : [0-9A-Fa-f]{1,4} ){1,3}
    | (?: [0-9A-Fa-f]{1,4} : ){1,3} (?: : [0-9A-Fa-f]{1,4} ){1,4}
    | (?: [0-9A-Fa-f]{1,4} : ){1,2} (?: : [0-9A-Fa-f]{1,4} ){1,5}
    | [0-9A-Fa-f]{1,4} : (?: : [0-9A-Fa-f]{1,4} ){1,6}
    | : (?: : [0-9A-Fa-f]{1,4} ){1,7}
  )
  (?! [A-Za-z0-9_:] | \.\d )
  (?(DEFINE) (?<v4> (?: (?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d) \. ){3} (?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d) ) )
)re";

constexpr const char* kIpv4Regex = R"re((?x)
  (?<![A-Za-z0-9_.])
  (?: (?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d) \. ){3} (?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)
  (?! [A-Za-z0-9_] | \.\d )
)re";

constexpr const char* kPhoneRegex = R"re((?x)
  (?<![A-Za-z0-9_+#$%&*/=.,:@-])
  (?: \+ (?: \d{7,15}
           | \d{1,3} (?: [ .-]? \( \d{1,4} \) )? [ .-]? \d{1,10} (?: [ .-] \d{1,10} ){0,5} )
    | \( \d{2,5} \) [ .-]? \d{2,10} (?: [ .-] \d{2,10} ){0,3}
    | \d{1,5} (?<sep>[ .-]) \d{1,10} (?: \k<sep> \d{1,10} ){1,4}
    | 0 \d{1,4} [ .-] \d{5,10}
  )
  (?! [A-Za-z0-9_@] | [.-]\d )
)re";

}  // namespace

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (d < 0 || d > 9) return false;
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool LooksRandom(std::string_view value) {
  if (value.size() < 12) return false;
  bool lower = false, upper = false, digit = false;
  std::array<int, 256> freq{};
  for (char c : value) {
    lower = lower || (c >= 'a' && c <= 'z');
    upper = upper || (c >= 'A' && c <= 'Z');
    digit = digit || IsAsciiDigit(c);
    ++freq[static_cast<unsigned char>(c)];
  }
  const bool mixed = (digit && (lower || upper)) || (lower && upper);
  if (!mixed) return false;
  double entropy = 0;
  const double n = static_cast<double>(value.size());
  for (int f : freq) {
    if (f == 0) continue;
    const double p = f / n;
    entropy -= p * std::log2(p);
  }
  return entropy >= 3.0;
}

bool HasSecretLabel(std::string_view text) {
  static constexpr std::string_view kLabels[] = {"key",    "token", "secret",       "password",
                                                 "passwd", "pwd",   "authorization"};
  for (char separator : {':', '='}) {
    const char* data = text.data();
    size_t from = 0;
    while (from < text.size()) {
      const void* hit = std::memchr(data + from, separator, text.size() - from);
      if (hit == nullptr) break;
      const size_t at = static_cast<size_t>(static_cast<const char*>(hit) - data);
      from = at + 1;
      size_t end = at;
      while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
      if (end > 0 && (text[end - 1] == '"' || text[end - 1] == '\'')) --end;
      for (std::string_view label : kLabels) {
        if (end < label.size()) continue;
        bool same = true;
        for (size_t i = 0; i < label.size() && same; ++i) {
          same = AsciiLower(text[end - label.size() + i]) == label[i];
        }
        if (same) return true;
      }
    }
  }
  return false;
}

void FindPrivateKeyBlocks(std::string_view text, std::vector<Found>& out) {
  // "-----BEGIN <label>-----" ... "-----END <label>-----" with labels of at most 40 upper-case
  // letters and spaces ending in "PRIVATE KEY". Each search continues where the previous one
  // stopped, so the scan is linear however the markers are arranged.
  auto label_end = [&](size_t from) -> size_t {  // after "<label>-----" at `from`, or npos
    size_t k = from;
    while (k < text.size() && k - from < 40 &&
           ((text[k] >= 'A' && text[k] <= 'Z') || text[k] == ' ')) {
      ++k;
    }
    const std::string_view label = text.substr(from, k - from);
    if (!label.ends_with("PRIVATE KEY") || text.substr(k, 5) != "-----") {
      return std::string_view::npos;
    }
    return k + 5;
  };
  size_t pos = 0;
  while (true) {
    const size_t begin = text.find("-----BEGIN ", pos);
    if (begin == std::string_view::npos) return;
    const size_t body = label_end(begin + 11);
    if (body == std::string_view::npos) {
      pos = begin + 1;
      continue;
    }
    size_t end = std::string_view::npos;
    for (size_t e = text.find("-----END ", body); e != std::string_view::npos;
         e = text.find("-----END ", e + 1)) {
      end = label_end(e + 9);
      if (end != std::string_view::npos) break;
    }
    if (end == std::string_view::npos) return;  // no block can close after this point
    out.push_back({begin, end});
    pos = end;
  }
}

std::vector<Detector> EmailDetectors() {
  return {{"email", kEmailRegex, Scope::kAtSigns, AppliesEmail, nullptr, nullptr, nullptr}};
}

std::vector<Detector> SecretDetectors() {
  return {
      {"secret", kTokenSecretRegex, Scope::kText, AppliesTokenSecret, nullptr, nullptr, nullptr},
      {"secret", nullptr, Scope::kFinder, AppliesPrivateKey, nullptr, nullptr,
       FindPrivateKeyBlocks},
      {"secret", kLabelledSecretRegex, Scope::kText, AppliesLabelledSecret, nullptr,
       AcceptLabelledSecret, nullptr}};
}

std::vector<Detector> NationalIdDetectors() {
  return {
      {"national_id", kSsnRegex, Scope::kClusters, AppliesDigits, ClusterSsn, nullptr, nullptr}};
}

std::vector<Detector> CardDetectors() {
  return {{"card", kCardRegex, Scope::kClusters, AppliesDigits, ClusterCard, AcceptCard, nullptr}};
}

std::vector<Detector> IpDetectors() {
  return {{"ip", kIpv6Regex, Scope::kText, AppliesIpv6, nullptr, AcceptIpv6, nullptr},
          {"ip", kIpv4Regex, Scope::kClusters, AppliesDigits, ClusterIpv4, nullptr, nullptr}};
}

std::vector<Detector> PhoneDetectors() {
  return {
      {"phone", kPhoneRegex, Scope::kClusters, AppliesDigits, ClusterPhone, AcceptPhone, nullptr}};
}

}  // namespace yardstick::redact::internal

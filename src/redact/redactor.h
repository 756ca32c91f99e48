#pragma once
// PII redaction of free text at ingest: e-mail addresses, phone numbers, payment card numbers,
// IP addresses, API keys and other secrets, US social security numbers, plus custom PCRE2
// patterns from the configuration. Each match is replaced by "[REDACTED:<kind>]" (or a custom
// pattern's replacement) and counted by kind.
//
// What the built-in detectors match (the exact grammar is in detectors.cc, and every rule below
// has tests in tests/redact/):
//
//   email        local@domain.tld: an RFC 5322 dot-atom local part (letters, digits and
//                !#$%&'*+/=?^_`{|}~.-, at most 64), then dot-separated host labels and a
//                top-level domain of 2-63 letters.
//   phone        7 to 15 digits in one of these shapes, not inside a word or a longer number:
//                  +CC... international: "+" country code, then digits with optional single
//                    separators (space, "." or "-") and an optional "(area)";
//                  (area) local: "(555) 123-4567", "(020) 7946 0958";
//                  three to six digit groups joined by one kind of separator: "555-123-4567",
//                    "555.123.4567", "06 12 34 56 78", "1-800-555-0199";
//                  trunk-prefix national numbers in two groups: "030 1234567", "0171-1234567".
//                Not phones: digit runs without separators ("2024", order numbers, Unix times),
//                seven-digit local numbers without an area code ("555-1234"), dates (a year
//                19xx/20xx with two 1-2 digit groups: "2024-01-15", "15.01.2024"), thousands
//                groupings ("1.000.000", "1 000 000", "12 345 678"), lists of years, times
//                ("10:30:45"), prices ("$1,299.99"), the SSN shape ddd-dd-dddd, numbers
//                grouped by spaces or dots with fewer than 9 digits ("10 20 30 40",
//                "01.02.03.04"), and runs of more than six groups (lists of numbers).
//   card         13-19 digits, optionally grouped by spaces or dashes (one kind per number),
//                whose first digit is 2-6 (the issuer ranges of the card networks) and that
//                pass the Luhn check. Luhn-invalid numbers are left alone.
//   ip           IPv4 dotted quads with octets 0-255 and no leading zeros, and IPv6 in full,
//                compressed ("::") and IPv4-embedded forms containing at least one decimal digit.
//                A dotted quad is redacted even when it is a version number ("version 1.2.3.4")
//                because the two cannot be told apart; one glued to a letter ("v1.2.3.4") or
//                part of a longer dotted run ("1.2.3.4.5") is not an address.
//   secret       provider keys by their prefixes (sk-..., sk-proj-..., AKIA/ASIA + 16,
//                ghp_/gho_/ghu_/ghs_/ghr_, github_pat_, xoxa-/xoxb-/xoxp-/xoxr-, AIza + 35), JSON
//                web tokens, PEM private key blocks, the token after "Bearer", and values
//                after a key-like label and ":" or "=": always after password/passwd/pwd, and
//                after *key, *token, *secret and authorization when the value looks random
//                (12+ characters mixing letters and digits or cases, >= 3 bits of entropy per
//                character). For labelled values only the value is replaced.
//   national_id  US social security numbers ddd-dd-dddd, excluding area 000, 666 and 900-999,
//                group 00 and serial 0000.
//
// Overlaps: every enabled detector runs on the original text; when matches overlap, the one
// that starts first wins, then the longer one, then by detector: secret, email, national_id,
// card, ip, phone, then the custom patterns in their order.
//
// Text stays valid UTF-8: the built-in patterns start and end every match at an ASCII
// character, so a replacement never splits a multi-byte character; custom patterns run in
// UTF-8 mode (invalid sequences in the input never match and are left as they are).
//
// Speed: one vectorized pass over the text decides which detectors can match at all (no "@"
// means no e-mail, no run of 15 token characters means no provider key, no key-like label
// before ":" or "=" means no labelled secret, no "::" or seven chained colons means no IPv6).
// Phone, card, SSN and IPv4 patterns then search only "digit clusters" (digits joined by short
// runs of " .-()+") with enough digits, and the e-mail pattern only the characters around each
// "@". Patterns are PCRE2 with JIT. Text without PII usually costs that one pass and a scan for
// digits.
//
// Thread safety: a Redactor is immutable after Create(); Redact() and RedactBatch() may be
// called from many threads at once (each thread keeps its own PCRE2 match data). Copies share
// the compiled patterns.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "model/records.h"

namespace yardstick::redact {

// A configured pattern: PCRE2 syntax, UTF-8 mode. Matches are replaced by `replacement`, or by
// "[REDACTED:<name>]" when it is empty, and counted under `name`.
struct CustomPattern {
  std::string name;
  std::string regex;
  std::string replacement;
};

struct Options {
  bool enabled = true;  // false: Redact() and RedactBatch() change nothing
  bool email = true, phone = true, card = true, ip = true, secret = true, national_id = true;
  std::vector<CustomPattern> custom;
};

// Replacements by kind ("email", "phone", "card", "ip", "secret", "national_id", or a custom
// pattern's name) and in total.
struct Counts {
  std::map<std::string, uint64_t> by_kind;
  uint64_t total = 0;

  void Add(const Counts& other);
};

class Redactor {
 public:
  // Compiles the enabled detectors and the custom patterns. Errors (kInvalidArgument): a custom
  // pattern without a name, or whose regex does not compile ("redaction pattern 'x': regex
  // error at offset 3: ...").
  static Result<Redactor> Create(const Options& options);

  // Redacts `text` in place; returns the number of replacements and adds them to `counts`.
  size_t Redact(std::string& text, Counts& counts) const;

  // Redacts every free-text field of a batch: call input and output text, score comments, and
  // the attribute values of calls, scores and outcomes. Identifiers, names, models and score
  // labels are left as they are. Adds to `counts`.
  void RedactBatch(model::Batch& batch, Counts& counts) const;

 private:
  struct Impl;
  explicit Redactor(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace yardstick::redact

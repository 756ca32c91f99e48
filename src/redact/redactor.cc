#include "redact/redactor.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "redact/detectors.h"
#include "redact/pattern.h"

namespace yardstick::redact {

using internal::Detector;
using internal::Match;
using internal::Pattern;

void Counts::Add(const Counts& other) {
  for (const auto& [kind, n] : other.by_kind) by_kind[kind] += n;
  total += other.total;
}

// A rule is a compiled detector or custom pattern with its replacement. Rules are kept in
// precedence order; the index breaks ties between overlapping matches.
struct Rule {
  std::string kind;
  std::string replacement;
  std::optional<Pattern> pattern;  // unset for Scope::kFinder
  internal::Scope scope = internal::Scope::kText;
  bool (*applies)(const internal::TextProfile&, std::string_view) = nullptr;  // null: always
  bool (*cluster_applies)(const internal::Cluster&) = nullptr;
  bool (*accept)(std::string_view, const Match&, const Pattern&) = nullptr;  // null: any match
  void (*find)(std::string_view, std::vector<internal::Found>&) = nullptr;
};

struct Redactor::Impl {
  bool enabled = true;
  std::vector<Rule> rules;
  std::vector<std::string> kinds;  // distinct kinds, for counting
  std::vector<size_t> kind_of;     // rules[i] counts under kinds[kind_of[i]]
};

namespace {

// A match to replace: [begin, end) of the original text and the rule that found it.
struct Span {
  size_t begin;
  size_t end;
  size_t rule;
};

// Advances past one UTF-8 character (or one stray byte) from `at`.
size_t NextCharacter(std::string_view text, size_t at) {
  ++at;
  while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  return at;
}

// Lookaheads of the cluster and e-mail patterns read at most this many bytes past a match.
constexpr size_t kWindowLookahead = 2;

// Adds the accepted matches of `rule` that start in [begin, end) to `spans`. Patterns see the
// text before `begin` (lookbehinds) but nothing after `end`.
void FindAll(const Rule& rule, size_t index, std::string_view text, size_t begin, size_t end,
             std::vector<Span>& spans) {
  const std::string_view subject = text.substr(0, end);
  Match m;
  size_t offset = begin;
  while (offset <= subject.size() && rule.pattern->Find(subject, offset, m)) {
    if (m.end == m.begin) {  // empty matches replace nothing
      if (m.begin >= subject.size()) break;
      offset = NextCharacter(text, m.begin);
      continue;
    }
    if (rule.accept == nullptr || rule.accept(text, m, *rule.pattern)) {
      spans.push_back({m.begin, m.end, index});
    }
    // After a rejected candidate too: the digits of a date or a Luhn failure are not another
    // match.
    offset = m.end;
  }
}

}  // namespace

Redactor::Redactor(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<Redactor> Redactor::Create(const Options& options) {
  auto impl = std::make_shared<Impl>();
  impl->enabled = options.enabled;

  std::vector<Detector> detectors;
  auto add = [&detectors](bool on, std::vector<Detector> more) {
    if (on) detectors.insert(detectors.end(), more.begin(), more.end());
  };
  add(options.secret, internal::SecretDetectors());
  add(options.email, internal::EmailDetectors());
  add(options.national_id, internal::NationalIdDetectors());
  add(options.card, internal::CardDetectors());
  add(options.ip, internal::IpDetectors());
  add(options.phone, internal::PhoneDetectors());

  for (const Detector& d : detectors) {
    std::optional<Pattern> pattern;
    if (d.regex != nullptr) {
      auto compiled = Pattern::Compile(d.regex, Pattern::Mode::kBytes);
      if (!compiled) {
        return MakeError(ErrorCode::kInternal, std::string("built-in detector '") + d.kind +
                                                   "': " + compiled.error().message());
      }
      pattern = *std::move(compiled);
    }
    impl->rules.push_back({d.kind, std::string("[REDACTED:") + d.kind + "]", std::move(pattern),
                           d.scope, d.applies, d.cluster_applies, d.accept, d.find});
  }
  for (size_t i = 0; i < options.custom.size(); ++i) {
    const CustomPattern& c = options.custom[i];
    if (c.name.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "redaction pattern #" + std::to_string(i + 1) + ": expected a name");
    }
    auto pattern = Pattern::Compile(c.regex, Pattern::Mode::kUtf8);
    if (!pattern) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "redaction pattern '" + c.name + "': " + pattern.error().message());
    }
    std::string replacement = c.replacement.empty() ? "[REDACTED:" + c.name + "]" : c.replacement;
    impl->rules.push_back({c.name, std::move(replacement), *std::move(pattern),
                           internal::Scope::kText, nullptr, nullptr, nullptr, nullptr});
  }
  for (const Rule& r : impl->rules) {
    auto it = std::find(impl->kinds.begin(), impl->kinds.end(), r.kind);
    impl->kind_of.push_back(static_cast<size_t>(it - impl->kinds.begin()));
    if (it == impl->kinds.end()) impl->kinds.push_back(r.kind);
  }
  return Redactor(std::move(impl));
}

size_t Redactor::Redact(std::string& text, Counts& counts) const {
  const Impl& impl = *impl_;
  if (!impl.enabled || text.empty() || impl.rules.empty()) return 0;

  const internal::TextProfile profile = internal::ProfileText(text);
  std::vector<Span> spans;
  bool search_clusters = false;
  for (size_t i = 0; i < impl.rules.size(); ++i) {
    const Rule& rule = impl.rules[i];
    if (rule.applies != nullptr && !rule.applies(profile, text)) continue;
    switch (rule.scope) {
      case internal::Scope::kText:
        FindAll(rule, i, text, 0, text.size(), spans);
        break;
      case internal::Scope::kAtSigns:
        internal::ForEachAtWindow(text, [&](size_t begin, size_t end) {
          FindAll(rule, i, text, begin, std::min(text.size(), end + kWindowLookahead), spans);
        });
        break;
      case internal::Scope::kClusters:
        search_clusters = true;  // all cluster detectors share one scan, below
        break;
      case internal::Scope::kFinder: {
        std::vector<internal::Found> found;
        rule.find(text, found);
        for (const internal::Found& f : found) spans.push_back({f.begin, f.end, i});
        break;
      }
    }
  }
  if (search_clusters) {
    internal::ForEachCluster(text, internal::kMinClusterDigits, [&](const internal::Cluster& c) {
      const size_t end = std::min(text.size(), c.end + kWindowLookahead);
      for (size_t i = 0; i < impl.rules.size(); ++i) {
        const Rule& rule = impl.rules[i];
        if (rule.scope == internal::Scope::kClusters && rule.applies(profile, text) &&
            rule.cluster_applies(c)) {
          FindAll(rule, i, text, c.begin, end, spans);
        }
      }
    });
  }
  if (spans.empty()) return 0;

  // Earliest start first, then the longest, then the rule listed first.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.rule < b.rule;
  });
  std::string out;
  out.reserve(text.size());
  std::vector<uint64_t> per_kind(impl.kinds.size(), 0);
  size_t copied = 0;  // text before this offset is already in `out` or replaced
  size_t replaced = 0;
  for (const Span& s : spans) {
    if (s.begin < copied) continue;  // overlaps a match already taken
    out.append(text, copied, s.begin - copied);
    out.append(impl.rules[s.rule].replacement);
    copied = s.end;
    ++per_kind[impl.kind_of[s.rule]];
    ++replaced;
  }
  out.append(text, copied, std::string::npos);
  text.swap(out);

  for (size_t k = 0; k < per_kind.size(); ++k) {
    if (per_kind[k] != 0) counts.by_kind[impl.kinds[k]] += per_kind[k];
  }
  counts.total += replaced;
  return replaced;
}

void Redactor::RedactBatch(model::Batch& batch, Counts& counts) const {
  if (!impl_->enabled) return;
  auto attributes = [&](model::Attributes& attrs) {
    for (auto& kv : attrs) Redact(kv.second, counts);
  };
  for (model::Call& c : batch.calls) {
    Redact(c.input_text, counts);
    Redact(c.output_text, counts);
    attributes(c.attributes);
  }
  for (model::Score& s : batch.scores) {
    Redact(s.comment, counts);
    attributes(s.attributes);
  }
  for (model::Outcome& o : batch.outcomes) attributes(o.attributes);
}

}  // namespace yardstick::redact

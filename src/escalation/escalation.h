#pragma once
// Conversation escalation: per-conversation rules evaluated as records arrive (docs/
// notifications.md). When a rule matches a conversation, exactly one notification per
// (project, conversation, rule) goes through the outbox to the rule's notifier (typically a
// CRM/helpdesk webhook), carrying the conversation id, user, matched rule, recent messages (as
// stored, so already redacted) and scores, and an idempotency key; and an `escalated` outcome is
// appended to the store so the deflection KPI counts the conversation as escalated.
//
// Conditions: a score (thumbs down, a judge score below a threshold, ...), the user asking for a
// human (phrases or a regex in a call's input), N failed calls in a row, more than N turns, a
// conversation longer than a duration. Score and human-request rules look at the records of the
// batch; the others read the conversation from the store.
//
// Durability: escalations are recorded in <data_dir>/state.db (table escalation_fired, keyed by
// project, conversation and rule) before the notification is enqueued and the outcome stored;
// a row left unfinished (a crash, a failed write) is completed on the next Open or OnBatch (both
// steps are idempotent).
// The conversation facts themselves come from the store, so a restart forgets nothing.
//
// Thread safety: OnBatch may be called from many threads; conversations are read from the store
// in parallel, firing is serialized.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/config.h"
#include "model/records.h"

namespace yardstick::store {
class Store;
struct Conversation;
struct AppendResult;
}  // namespace yardstick::store

namespace yardstick::notify {
class Outbox;
}

namespace yardstick::escalation {

// "esc-" and 32 hex digits of SHA-256(project \0 conversation \0 rule).
std::string IdempotencyKey(const std::string& project, const std::string& conversation_id,
                           const std::string& rule);

// The rules, compiled (regexes) for matching. Matching functions return the reason a rule
// matched (a sentence for the payload), or nullopt.
class RuleSet {
 public:
  static Result<RuleSet> Compile(const std::vector<config::EscalationRuleConfig>& rules);
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;
  ~RuleSet();

  const std::vector<config::EscalationRuleConfig>& rules() const { return rules_; }
  // Whether rule i applies to records of `project`.
  bool AppliesTo(size_t i, const std::string& project) const;
  // Condition score: the score matches.
  std::optional<std::string> MatchScore(size_t i, const model::Score& score) const;
  // Condition human_request: the call's input contains a phrase or matches the regex.
  std::optional<std::string> MatchCall(size_t i, const model::Call& call) const;
  // Conditions failed_calls, max_turns, max_duration, over the calls in start order.
  std::optional<std::string> MatchConversation(size_t i,
                                               const std::vector<model::Call>& calls) const;
  // Whether rule i is decided on the whole conversation (failed_calls, max_turns, max_duration).
  bool NeedsConversation(size_t i) const;

 private:
  RuleSet() = default;
  std::vector<config::EscalationRuleConfig> rules_;
  std::vector<void*> regexes_;  // pcre2_code* per rule (nullptr without a regex)
};

// The JSON document sent to the notifier (docs/notifications.md shows one).
std::string BuildDocument(const config::EscalationRuleConfig& rule, const std::string& project,
                          const store::Conversation& conversation, const std::string& reason,
                          const std::string& idempotency_key, int64_t now_ns);

struct Fired {
  std::string project, conversation_id, rule, idempotency_key, reason;
};

struct EngineOptions {
  std::string path;  // state.db
  std::vector<config::EscalationRuleConfig> rules;
  store::Store* store = nullptr;
  notify::Outbox* outbox = nullptr;
  std::function<int64_t()> clock;  // Unix ns; default: the system clock
};

class Engine {
 public:
  // Opens the state tables and completes escalations a crash left unfinished.
  static Result<std::unique_ptr<Engine>> Open(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Evaluates the rules for the conversations in a batch the store has accepted (records
  // already redacted). Returns the escalations this call fired (already fired ones are not
  // fired again). `append`, the store's answer for the batch, may say which conversations the
  // batch started (AppendResult::new_conversations): those are not read back from the store,
  // as the batch holds all of them.
  Result<std::vector<Fired>> OnBatch(const model::Batch& batch,
                                     const store::AppendResult* append = nullptr);

  class Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace yardstick::escalation

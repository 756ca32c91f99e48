// The escalation engine: evaluates rules per conversation of an accepted batch and fires each
// (project, conversation, rule) once: state row, outbox message, `escalated` outcome.
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "escalation/escalation.h"
#include "notify/notify.h"
#include "sqlite/sqlite.h"
#include "store/store.h"

namespace yardstick::escalation {
namespace {

using sqlite::Database;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS escalation_fired (
  project TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  notifier TEXT NOT NULL,
  user_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  summary TEXT NOT NULL,
  document TEXT NOT NULL,
  state TEXT NOT NULL,
  fired_ns INTEGER NOT NULL,
  completed_ns INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project, conversation_id, rule)
);
)sql";

// An escalation recorded in state.db, to be enqueued and recorded as an outcome.
struct Row {
  std::string project, conversation_id, rule, key, notifier, user_id, summary, document;
};

}  // namespace

class Engine::Impl {
 public:
  Impl(EngineOptions o, RuleSet rules) : options_(std::move(o)), rules_(std::move(rules)) {
    if (!options_.clock) {
      options_.clock = [] {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
  }

  Result<void> Init() {
    for (const auto& r : rules_.rules()) {
      if (!options_.outbox->HasNotifier(r.notifier)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "escalation rule '" + r.name + "': unknown notifier '" + r.notifier + "'");
      }
    }
    auto db = Database::Open(options_.path, false);
    if (!db) return std::unexpected(db.error());
    db_ = std::move(*db);
    sqlite3_busy_timeout(db_.get(), 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
      if (auto r = db_.Exec(pragma); !r) return r;
    }
    if (auto r = db_.Exec(kSchema); !r) return r;
    // Remember what fired, and finish what a crash interrupted.
    std::vector<Row> unfinished;
    {
      auto st = db_.Prepare(
          "SELECT project, conversation_id, rule, idempotency_key, notifier, user_id, summary, "
          "document, state FROM escalation_fired");
      if (!st) return std::unexpected(st.error());
      while (st->Step() == SQLITE_ROW) {
        Row row{std::string(st->Text(0)), std::string(st->Text(1)), std::string(st->Text(2)),
                std::string(st->Text(3)), std::string(st->Text(4)), std::string(st->Text(5)),
                std::string(st->Text(6)), std::string(st->Text(7))};
        fired_.insert(row.key);
        if (st->Text(8) != "done") unfinished.push_back(std::move(row));
      }
    }
    unfinished_ = std::move(unfinished);
    RetryUnfinished();
    return {};
  }

  // Reads from the store run without the lock (the store is thread-safe), so batches of
  // different requests are evaluated in parallel; the fired set, state.db and firing are
  // guarded by mutex_.
  Result<std::vector<Fired>> OnBatch(const model::Batch& batch, const store::AppendResult* append) {
    {
      std::lock_guard lock(mutex_);
      RetryUnfinished();
    }
    // The conversations the batch touches, with their new calls and scores.
    struct Touched {
      std::vector<const model::Call*> calls;
      std::vector<const model::Score*> scores;
    };
    std::map<std::pair<std::string, std::string>, Touched> touched;
    std::map<std::pair<std::string, std::string>, std::string> call_conversation;
    for (const auto& c : batch.calls) {
      if (c.conversation_id.empty()) continue;
      touched[{c.project, c.conversation_id}].calls.push_back(&c);
      call_conversation[{c.project, c.id}] = c.conversation_id;
    }
    for (const auto& s : batch.scores) {
      std::string conv = s.conversation_id;
      if (conv.empty() && !s.call_id.empty()) {
        auto it = call_conversation.find({s.project, s.call_id});
        if (it != call_conversation.end()) conv = it->second;
      }
      if (!conv.empty()) touched[{s.project, conv}].scores.push_back(&s);
    }
    // Conversations the batch started: everything stored of them is in the batch.
    std::set<std::pair<std::string, std::string>> started;
    if (append != nullptr && append->new_conversations_known) {
      started.insert(append->new_conversations.begin(), append->new_conversations.end());
    }
    std::vector<Fired> fired;
    for (const auto& [id, t] : touched) {
      const auto& [project, conversation] = id;
      std::optional<store::Conversation> stored;
      auto load = [&]() -> Result<const store::Conversation*> {
        if (!stored && started.contains(id)) {
          stored = FromBatch(batch, project, conversation, t.scores);
        } else if (!stored) {
          auto c = options_.store->GetConversation(project, conversation);
          if (!c) return std::unexpected(c.error());
          stored = std::move(*c);
        }
        return &*stored;
      };
      std::optional<std::vector<model::Call>> facts;  // the conversation's calls, without text
      for (size_t i = 0; i < rules_.rules().size(); ++i) {
        const auto& rule = rules_.rules()[i];
        if (!rules_.AppliesTo(i, project)) continue;
        const std::string key = IdempotencyKey(project, conversation, rule.name);
        if (HasFired(key)) continue;
        std::optional<std::string> reason;
        if (rule.condition == "score") {
          for (const auto* s : t.scores) {
            if ((reason = rules_.MatchScore(i, *s))) break;
          }
        } else if (rule.condition == "human_request") {
          for (const auto* c : t.calls) {
            if ((reason = rules_.MatchCall(i, *c))) break;
          }
        } else if (!t.calls.empty()) {
          if (!facts) {
            auto f = CallFacts(project, conversation, t.calls, load);
            if (!f) return std::unexpected(f.error());
            facts = std::move(*f);
          }
          reason = rules_.MatchConversation(i, *facts);
        }
        if (!reason) continue;
        auto conv = load();
        if (!conv) return std::unexpected(conv.error());
        std::lock_guard lock(mutex_);
        auto f = Fire(rule, project, **conv, *reason, key);
        if (!f) return std::unexpected(f.error());
        if (*f) fired.push_back(Fired{project, conversation, rule.name, key, *reason});
      }
    }
    return fired;
  }

 private:
  // A conversation the batch started, as the store would return it: its calls, scores and
  // outcomes in the batch, in time order.
  static store::Conversation FromBatch(const model::Batch& batch, const std::string& project,
                                       const std::string& conversation,
                                       const std::vector<const model::Score*>& scores) {
    store::Conversation c;
    c.id = conversation;
    for (const auto& call : batch.calls) {
      if (call.project == project && call.conversation_id == conversation) c.calls.push_back(call);
    }
    for (const auto* s : scores) c.scores.push_back(*s);
    for (const auto& o : batch.outcomes) {
      if (o.project == project && o.conversation_id == conversation) c.outcomes.push_back(o);
    }
    std::stable_sort(
        c.calls.begin(), c.calls.end(),
        [](const model::Call& a, const model::Call& b) { return a.start_ns < b.start_ns; });
    std::stable_sort(
        c.scores.begin(), c.scores.end(),
        [](const model::Score& a, const model::Score& b) { return a.time_ns < b.time_ns; });
    std::stable_sort(
        c.outcomes.begin(), c.outcomes.end(),
        [](const model::Outcome& a, const model::Outcome& b) { return a.time_ns < b.time_ns; });
    return c;
  }

  // The calls of a conversation (ids, times, status; no text) in start order, for the
  // conversation rules. The first batch of a conversation reads it from the store; later
  // batches add their calls to the cached copy. Entries only grow (union by call id), so
  // concurrent batches of one conversation cannot lose each other's calls; a client's retried
  // batch adds nothing.
  template <typename Load>
  Result<std::vector<model::Call>> CallFacts(const std::string& project,
                                             const std::string& conversation,
                                             const std::vector<const model::Call*>& calls,
                                             Load& load) {
    const std::pair<std::string, std::string> id{project, conversation};
    auto add = [](std::map<std::string, model::Call>& entry, const model::Call& c) {
      model::Call fact;
      fact.id = c.id;
      fact.start_ns = c.start_ns;
      fact.end_ns = c.end_ns;
      fact.status = c.status;
      fact.error_type = c.error_type;
      entry.insert_or_assign(c.id, std::move(fact));
    };
    auto sorted = [](const std::map<std::string, model::Call>& entry) {
      std::vector<model::Call> out;
      out.reserve(entry.size());
      for (const auto& [k, c] : entry) out.push_back(c);
      std::stable_sort(out.begin(), out.end(), [](const model::Call& a, const model::Call& b) {
        return a.start_ns < b.start_ns;
      });
      return out;
    };
    {
      std::lock_guard lock(cache_mutex_);
      if (auto it = cache_.find(id); it != cache_.end()) {
        for (const auto* c : calls) add(it->second, *c);
        return sorted(it->second);
      }
    }
    auto conv = load();
    if (!conv) return std::unexpected(conv.error());
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kMaxCachedConversations) cache_.clear();
    auto& entry = cache_[id];
    for (const auto& c : (*conv)->calls) add(entry, c);
    for (const auto* c : calls) add(entry, *c);
    return sorted(entry);
  }

  bool HasFired(const std::string& key) {
    std::lock_guard lock(mutex_);
    return fired_.contains(key);
  }

  // Records the escalation (once) and completes it; false when it had fired before. Called
  // with mutex_ held.
  Result<bool> Fire(const config::EscalationRuleConfig& rule, const std::string& project,
                    const store::Conversation& conv, const std::string& reason,
                    const std::string& key) {
    const int64_t now = options_.clock();
    Row row;
    row.project = project;
    row.conversation_id = conv.id;
    row.rule = rule.name;
    row.key = key;
    row.notifier = rule.notifier;
    row.document = BuildDocument(rule, project, conv, reason, key, now);
    row.user_id = nlohmann::json::parse(row.document).value("user_id", "");
    row.summary = "Escalation " + rule.name + " for conversation " + conv.id + ": " + reason;
    {
      auto st = db_.Prepare(
          "INSERT OR IGNORE INTO escalation_fired (project, conversation_id, rule, "
          "idempotency_key, notifier, user_id, reason, summary, document, state, fired_ns) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)");
      if (!st) return std::unexpected(st.error());
      int i = 1;
      for (const std::string* v : std::initializer_list<const std::string*>{
               &row.project, &row.conversation_id, &row.rule, &row.key, &row.notifier, &row.user_id,
               &reason, &row.summary, &row.document}) {
        st->Bind(i++, *v);
      }
      st->Bind(i++, now);
      if (st->Step() != SQLITE_DONE) {
        return MakeError(ErrorCode::kIo, "escalation: cannot record: " + st->ErrorMessage());
      }
    }
    fired_.insert(key);
    if (db_.Changes() == 0) return false;
    if (auto r = Complete(row); !r) {
      unfinished_.push_back(std::move(row));  // recorded: completed by a later call
      return std::unexpected(r.error());
    }
    return true;
  }

  // Completes escalations that were recorded but not enqueued or stored (a crash, a full disk).
  void RetryUnfinished() {
    std::erase_if(unfinished_, [this](const Row& row) { return Complete(row).has_value(); });
  }

  // Enqueues the notification and appends the `escalated` outcome (both idempotent), then
  // marks the row done.
  Result<void> Complete(const Row& row) {
    notify::Message m;
    m.kind = "escalation";
    m.notifier = row.notifier;
    m.idempotency_key = row.key;
    m.document = row.document;
    m.summary = row.summary;
    m.project = row.project;
    if (auto r = options_.outbox->Enqueue(m); !r) return r;
    model::Batch batch;
    model::Outcome o;
    o.project = row.project;
    o.id = row.key;
    o.conversation_id = row.conversation_id;
    o.user_id = row.user_id;
    o.name = "escalated";
    o.value = 1;
    o.time_ns = options_.clock();
    o.attributes = {{"rule", row.rule}, {"notifier", row.notifier}, {"source", "escalation"}};
    batch.outcomes.push_back(std::move(o));
    if (auto r = options_.store->Append(batch); !r) return std::unexpected(r.error());
    auto st = db_.Prepare(
        "UPDATE escalation_fired SET state = 'done', completed_ns = ? WHERE project = ? AND "
        "conversation_id = ? AND rule = ?");
    if (!st) return std::unexpected(st.error());
    st->Bind(1, options_.clock());
    st->Bind(2, row.project);
    st->Bind(3, row.conversation_id);
    st->Bind(4, row.rule);
    if (st->Step() != SQLITE_DONE) return MakeError(ErrorCode::kIo, st->ErrorMessage());
    return {};
  }

  EngineOptions options_;
  RuleSet rules_;
  std::mutex mutex_;
  Database db_;
  std::set<std::string> fired_;
  // Conversation facts for the conversation rules; cleared when it reaches the limit.
  static constexpr size_t kMaxCachedConversations = 100'000;
  std::mutex cache_mutex_;
  std::map<std::pair<std::string, std::string>, std::map<std::string, model::Call>> cache_;
  std::vector<Row> unfinished_;
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (options.store == nullptr || options.outbox == nullptr) {
    return MakeError(ErrorCode::kInternal, "escalation: the engine needs a store and an outbox");
  }
  auto rules = RuleSet::Compile(options.rules);
  if (!rules) return std::unexpected(rules.error());
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*rules));
  if (auto r = impl->Init(); !r) return std::unexpected(r.error());
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Result<std::vector<Fired>> Engine::OnBatch(const model::Batch& batch,
                                           const store::AppendResult* append) {
  return impl_->OnBatch(batch, append);
}

}  // namespace yardstick::escalation

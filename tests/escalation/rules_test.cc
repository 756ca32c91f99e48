// Escalation rules: matching scores, calls and conversations; the idempotency key; the payload
// document; and the engine over a real SQLite store and outbox (once per conversation and
// rule, across a reopen).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "escalation/escalation.h"
#include "notify/notify.h"
#include "store/store.h"
#include "support/server_process.h"

namespace yardstick::escalation {
namespace {

using nlohmann::json;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'764'151'200LL * kSecond;

config::EscalationRuleConfig Rule(const std::string& name, const std::string& condition) {
  config::EscalationRuleConfig r;
  r.name = name;
  r.notifier = "crm";
  r.condition = condition;
  return r;
}

model::Score Score(const std::string& name, std::optional<double> value,
                   const std::string& source = "user", const std::string& label = "") {
  model::Score s;
  s.project = "shop";
  s.id = "s-" + name;
  s.conversation_id = "c-1";
  s.name = name;
  s.value = value;
  s.source = source;
  s.label = label;
  s.call_id = "call-1";
  return s;
}

model::Call Call(const std::string& id, int64_t start_s, bool error = false,
                 const std::string& input = "hello") {
  model::Call c;
  c.project = "shop";
  c.id = id;
  c.conversation_id = "c-1";
  c.user_id = "u-1";
  c.start_ns = kT0 + start_s * kSecond;
  c.end_ns = c.start_ns + kSecond;
  c.status = error ? model::CallStatus::kError : model::CallStatus::kOk;
  c.error_type = error ? "timeout" : "";
  c.input_text = input;
  c.request_model = "gpt-4o-mini";
  return c;
}

TEST(EscalationRules, Scores) {
  auto thumbs = Rule("thumbs_down", "score");
  thumbs.score_name = "thumbs";
  thumbs.equals = 0;
  auto judge = Rule("low_judge", "score");
  judge.score_name = "helpfulness";
  judge.score_source = "judge";
  judge.below = 0.4;
  auto label = Rule("fail_label", "score");
  label.score_name = "verdict";
  label.score_label = "fail";
  auto set = RuleSet::Compile({thumbs, judge, label});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->MatchScore(0, Score("thumbs", 0)),
            "score thumbs (source user) on call call-1 = 0");
  EXPECT_FALSE(set->MatchScore(0, Score("thumbs", 1)));
  EXPECT_FALSE(set->MatchScore(0, Score("thumbs", std::nullopt)));
  EXPECT_FALSE(set->MatchScore(0, Score("csat", 0)));
  EXPECT_EQ(set->MatchScore(1, Score("helpfulness", 0.25, "judge")),
            "score helpfulness (source judge) on call call-1 = 0.25, below 0.4");
  EXPECT_FALSE(set->MatchScore(1, Score("helpfulness", 0.4, "judge")));  // strictly below
  EXPECT_FALSE(set->MatchScore(1, Score("helpfulness", 0.1, "user")));   // other source
  EXPECT_EQ(set->MatchScore(2, Score("verdict", std::nullopt, "judge", "fail")),
            "score verdict (source judge) on call call-1 has label fail");
  EXPECT_FALSE(set->MatchScore(2, Score("verdict", std::nullopt, "judge", "pass")));
}

TEST(EscalationRules, HumanRequestPhrasesAndRegex) {
  auto human = Rule("wants_human", "human_request");
  human.phrases = {"Talk to a human", "real person"};
  human.regex = "(?i)\\b(agent|operator)\\b";
  auto only_projects = Rule("bank_only", "max_turns");
  only_projects.max_turns = 1;
  only_projects.projects = {"bank"};
  auto set = RuleSet::Compile({human, only_projects});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->MatchCall(0, Call("c1", 0, false, "Please let me TALK TO A HUMAN now")),
            "the user asked for a human (\"Talk to a human\" in call c1)");
  EXPECT_EQ(set->MatchCall(0, Call("c2", 0, false, "Get me an Operator!")),
            "the user asked for a human (\"Operator\" in call c2)");
  EXPECT_FALSE(set->MatchCall(0, Call("c3", 0, false, "the agency called")));  // \b boundary
  EXPECT_FALSE(set->MatchCall(0, Call("c4", 0, false, "")));
  EXPECT_TRUE(set->AppliesTo(0, "shop"));
  EXPECT_FALSE(set->AppliesTo(1, "shop"));
  EXPECT_TRUE(set->AppliesTo(1, "bank"));
  EXPECT_FALSE(set->NeedsConversation(0));
  EXPECT_TRUE(set->NeedsConversation(1));
}

TEST(EscalationRules, Conversations) {
  auto failing = Rule("failing", "failed_calls");
  failing.failed_calls = 3;
  auto turns = Rule("long", "max_turns");
  turns.max_turns = 4;
  auto duration = Rule("slow", "max_duration");
  duration.max_duration_ns = 60 * kSecond;
  auto set = RuleSet::Compile({failing, turns, duration});
  ASSERT_TRUE(set);
  // Errors that do not follow each other do not count as a run.
  std::vector<model::Call> calls = {Call("a", 0, true), Call("b", 10, true), Call("c", 20),
                                    Call("d", 30, true)};
  EXPECT_FALSE(set->MatchConversation(0, calls));
  EXPECT_FALSE(set->MatchConversation(1, calls));  // 4 turns is not more than 4
  EXPECT_FALSE(set->MatchConversation(2, calls));  // 31 s
  calls.push_back(Call("e", 40, true));
  calls.push_back(Call("f", 70, true));
  EXPECT_EQ(set->MatchConversation(0, calls),
            "3 failed calls in a row (the last: call f, timeout)");
  EXPECT_EQ(set->MatchConversation(1, calls), "6 turns, more than 4");
  EXPECT_EQ(set->MatchConversation(2, calls), "the conversation has lasted 71s, more than 60s");
  EXPECT_FALSE(set->MatchConversation(0, {}));
}

TEST(EscalationRules, IdempotencyKeyIsStablePerProjectConversationAndRule) {
  const std::string k = IdempotencyKey("shop", "c-1", "thumbs_down");
  EXPECT_EQ(k.size(), 36u);
  EXPECT_EQ(k.rfind("esc-", 0), 0u);
  EXPECT_EQ(k, IdempotencyKey("shop", "c-1", "thumbs_down"));
  EXPECT_NE(k, IdempotencyKey("bank", "c-1", "thumbs_down"));
  EXPECT_NE(k, IdempotencyKey("shop", "c-2", "thumbs_down"));
  EXPECT_NE(k, IdempotencyKey("shop", "c-1", "wants_human"));
  // The separator keeps ("a", "bc") and ("ab", "c") apart.
  EXPECT_NE(IdempotencyKey("a", "bc", "r"), IdempotencyKey("ab", "c", "r"));
}

TEST(EscalationRules, DocumentCarriesTheConversation) {
  auto rule = Rule("thumbs_down", "score");
  rule.recent_messages = 2;
  store::Conversation conv;
  conv.id = "c 1/x";
  conv.calls = {Call("a", 0, false, "first"), Call("b", 10, false, "second [REDACTED:email]"),
                Call("c", 20, true, "third")};
  conv.calls[2].output_text = "sorry";
  conv.scores = {Score("csat", 2), Score("thumbs", 0),
                 Score("verdict", std::nullopt, "judge", "fail")};
  const json doc = json::parse(BuildDocument(rule, "shop", conv, "score thumbs = 0", "esc-1", kT0));
  EXPECT_EQ(doc["kind"], "escalation");
  EXPECT_EQ(doc["idempotency_key"], "esc-1");
  EXPECT_EQ(doc["project"], "shop");
  EXPECT_EQ(doc["conversation_id"], "c 1/x");
  EXPECT_EQ(doc["user_id"], "u-1");
  EXPECT_EQ(doc["rule"], json({{"name", "thumbs_down"}, {"condition", "score"}}));
  EXPECT_EQ(doc["reason"], "score thumbs = 0");
  EXPECT_EQ(doc["triggered_at"], "2025-11-26T10:00:00.000Z");
  EXPECT_EQ(doc["link"], "/v1/conversations/c%201%2Fx?project=shop");
  ASSERT_EQ(doc["messages"].size(), 2u);  // the last two calls
  EXPECT_EQ(doc["messages"][0]["call_id"], "b");
  EXPECT_EQ(doc["messages"][0]["input"], "second [REDACTED:email]");
  EXPECT_EQ(doc["messages"][1]["output"], "sorry");
  EXPECT_EQ(doc["messages"][1]["status"], "error");
  EXPECT_EQ(doc["messages"][1]["model"], "gpt-4o-mini");
  ASSERT_EQ(doc["scores"].size(), 2u);
  EXPECT_EQ(doc["scores"][0]["name"], "thumbs");
  EXPECT_EQ(doc["scores"][0]["value"], 0.0);
  EXPECT_TRUE(doc["scores"][1]["value"].is_null());
  EXPECT_EQ(doc["scores"][1]["label"], "fail");
}

// A store and an outbox (to an unreachable CRM) in a fresh directory, for the engine tests;
// removed at the end.
struct World {
  explicit World(const std::string& prefix) : dir(testing::MakeTempDir(prefix)) {
    if (dir.empty()) {
      error = "no temporary directory";
      return;
    }
    store::SqliteOptions so;
    so.path = dir + "/yardstick.db";
    auto st = store::OpenSqliteStore(so);
    if (!st) {
      error = st.error().message();
      return;
    }
    config::NotifierConfig crm;
    crm.name = "crm";
    crm.type = "webhook";
    crm.url = "http://127.0.0.1:1/tickets";
    notify::OutboxOptions oo;
    oo.path = dir + "/state.db";
    oo.notifiers = {crm};
    auto box = notify::Outbox::Open(oo);
    if (!box) {
      error = box.error().message();
      return;
    }
    store = Result<std::unique_ptr<store::Store>>(std::move(*st));
    outbox = Result<std::unique_ptr<notify::Outbox>>(std::move(*box));
  }
  ~World() {
    if (outbox && *outbox) outbox->reset();
    if (store && *store) (*store)->Close();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  bool ok() const { return error.empty(); }

  std::string dir, error;
  Result<std::unique_ptr<store::Store>> store = std::unique_ptr<store::Store>();
  Result<std::unique_ptr<notify::Outbox>> outbox = std::unique_ptr<notify::Outbox>();
};

// The engine over a real SQLite store and outbox: each (conversation, rule) fires once, even
// when matching records keep arriving and after a reopen; the outcome is stored.
TEST(EscalationEngine, FiresOncePerConversationAndRule) {
  World w("yardstick-escalation-engine");
  ASSERT_TRUE(w.ok()) << w.error;
  const std::string& dir = w.dir;
  auto& st = w.store;
  auto& outbox = w.outbox;
  auto thumbs = Rule("thumbs_down", "score");
  thumbs.score_name = "thumbs";
  thumbs.equals = 0;
  auto failing = Rule("failing", "failed_calls");
  failing.failed_calls = 2;
  auto open = [&] {
    EngineOptions eo;
    eo.path = dir + "/state.db";
    eo.rules = {thumbs, failing};
    eo.store = st->get();
    eo.outbox = outbox->get();
    eo.clock = [] { return kT0; };
    return Engine::Open(eo);
  };
  auto engine = open();
  ASSERT_TRUE(engine) << engine.error().message();

  int n = 0;
  store::AppendResult appended;  // the store's answer for the last batch, handed to OnBatch
  auto batch_of = [&](bool error) {
    model::Batch b;
    b.calls.push_back(Call("call-" + std::to_string(n), n, error));
    auto s = Score("thumbs", 0);
    s.id = "score-" + std::to_string(n);
    s.call_id = b.calls.back().id;
    s.conversation_id.clear();  // found through the call in the same batch
    b.scores.push_back(s);
    ++n;
    auto r = (*st)->Append(b);
    EXPECT_TRUE(r);
    if (r) appended = *r;
    return b;
  };
  auto fired = (*engine)->OnBatch(batch_of(true), &appended);
  ASSERT_TRUE(fired) << fired.error().message();
  ASSERT_EQ(fired->size(), 1u);
  EXPECT_EQ((*fired)[0].rule, "thumbs_down");
  EXPECT_EQ((*fired)[0].idempotency_key, IdempotencyKey("shop", "c-1", "thumbs_down"));
  fired = (*engine)->OnBatch(batch_of(true), &appended);  // second error in a row: fires
  ASSERT_EQ(fired->size(), 1u);
  EXPECT_EQ((*fired)[0].rule, "failing");
  EXPECT_EQ((*fired)[0].reason, "2 failed calls in a row (the last: call call-1, timeout)");
  EXPECT_EQ((*engine)->OnBatch(batch_of(true), &appended)->size(), 0u);
  engine->reset();
  engine = open();  // a restart remembers what fired
  ASSERT_TRUE(engine);
  EXPECT_EQ((*engine)->OnBatch(batch_of(true), &appended)->size(), 0u);

  auto list = (*outbox)->List({});
  ASSERT_EQ(list->size(), 2u);
  for (const auto& d : *list) {
    EXPECT_EQ(d.kind, "escalation");
    EXPECT_EQ(d.project, "shop");
    const json body = json::parse(d.body);
    EXPECT_EQ(body["idempotency_key"], d.idempotency_key);
    EXPECT_EQ(body["conversation_id"], "c-1");
  }
  store::RecordQuery q;
  q.project = "shop";
  q.filter = {{"name", "escalated"}};
  auto outcomes = (*st)->ListOutcomes(q);
  ASSERT_TRUE(outcomes);
  ASSERT_EQ(outcomes->records.size(), 2u);
  EXPECT_EQ(outcomes->records[0].conversation_id, "c-1");
  EXPECT_EQ(outcomes->records[0].user_id, "u-1");
  engine->reset();
}

// An escalation recorded but not completed (the process died between recording it and
// enqueuing it) is completed when the engine opens again: one message, one outcome.
TEST(EscalationEngine, CompletesAnEscalationACrashInterrupted) {
  World w("yardstick-escalation-recover");
  ASSERT_TRUE(w.ok()) << w.error;
  const std::string& dir = w.dir;
  auto& st = w.store;
  auto& outbox = w.outbox;
  auto rule = Rule("long", "max_turns");
  rule.max_turns = 1;
  EngineOptions eo;
  eo.path = dir + "/state.db";
  eo.rules = {rule};
  eo.store = st->get();
  eo.outbox = outbox->get();
  ASSERT_TRUE(Engine::Open(eo));  // creates the tables
  const std::string key = IdempotencyKey("shop", "c-9", "long");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/state.db").c_str(), &db), SQLITE_OK);
  const std::string insert =
      "INSERT INTO escalation_fired (project, conversation_id, rule, idempotency_key, notifier, "
      "user_id, reason, summary, document, state, fired_ns) VALUES ('shop', 'c-9', 'long', '" +
      key +
      "', 'crm', 'u-9', 'r', 'Escalation long', '{\"conversation_id\": \"c-9\"}', "
      "'pending', 1)";
  ASSERT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  for (int reopen = 0; reopen < 2; ++reopen) {
    auto engine = Engine::Open(eo);
    ASSERT_TRUE(engine) << engine.error().message();
    // Already fired: new turns of c-9 do not fire it again.
    model::Batch b;
    b.calls = {Call("x" + std::to_string(reopen), 0), Call("y" + std::to_string(reopen), 5)};
    for (auto& c : b.calls) c.conversation_id = "c-9";
    ASSERT_TRUE((*st)->Append(b));
    EXPECT_EQ((*engine)->OnBatch(b)->size(), 0u);
  }
  auto list = (*outbox)->List({});
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().idempotency_key, key);
  EXPECT_EQ(list->front().body, R"({"conversation_id":"c-9"})");
  store::RecordQuery q;
  q.project = "shop";
  q.filter = {{"name", "escalated"}};
  auto outcomes = (*st)->ListOutcomes(q);
  ASSERT_EQ(outcomes->records.size(), 1u);
  EXPECT_EQ(outcomes->records[0].id, key);
  EXPECT_EQ(outcomes->records[0].user_id, "u-9");
}

// A conversation the store says the batch started is taken from the batch, not read back: here
// the store is told a lie (the conversation has two earlier failed calls) to show that the read
// is skipped; with the true answer the earlier calls count and the rule fires.
TEST(EscalationEngine, AConversationTheBatchStartedIsNotReadBack) {
  World w("yardstick-escalation-started");
  ASSERT_TRUE(w.ok()) << w.error;
  const std::string& dir = w.dir;
  auto& st = w.store;
  auto& outbox = w.outbox;
  auto failing = Rule("failing", "failed_calls");
  failing.failed_calls = 3;
  EngineOptions eo;
  eo.path = dir + "/state.db";
  eo.rules = {failing};
  eo.store = st->get();
  eo.outbox = outbox->get();
  model::Batch earlier;
  earlier.calls = {Call("e1", 0, true), Call("e2", 1, true)};
  ASSERT_TRUE((*st)->Append(earlier));
  model::Batch batch;
  batch.calls = {Call("e3", 2, true)};
  auto appended = (*st)->Append(batch);
  ASSERT_TRUE(appended);
  EXPECT_TRUE(appended->new_conversations.empty());  // c-1 was stored before

  store::AppendResult lie;
  lie.new_conversations_known = true;
  lie.new_conversations = {{"shop", "c-1"}};
  {
    auto engine = Engine::Open(eo);
    ASSERT_TRUE(engine);
    EXPECT_EQ((*engine)->OnBatch(batch, &lie)->size(), 0u);  // sees one failed call, not three
  }
  eo.path = dir + "/state2.db";  // nothing fired, nothing cached
  {
    auto engine = Engine::Open(eo);
    ASSERT_TRUE(engine);
    auto fired = (*engine)->OnBatch(batch, &*appended);
    ASSERT_TRUE(fired);
    ASSERT_EQ(fired->size(), 1u);
    EXPECT_EQ((*fired)[0].rule, "failing");
  }
}

}  // namespace
}  // namespace yardstick::escalation

// SQLite-specific: record keys that collide, the migration of a schema version 1 database, WAL
// checkpoints on the checkpointer's thread, and the filter of stored ids.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "store/checkpointer.h"
#include "store/record_key.h"
#include "store/store.h"

namespace yardstick::store {
namespace {

constexpr int64_t kT0 = 1'764'115'200'000'000'000;  // 2025-11-26T00:00:00Z

class SqliteKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("yardstick-keys-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    SetRecordKeyBitsForTesting(64);
    SetCheckpointPagesForTesting(0);
    std::filesystem::remove_all(dir_);
  }
  std::string Path() const { return (dir_ / "db.sqlite").string(); }
  std::unique_ptr<Store> Open(int64_t calls_per_generation = 1 << 14) {
    auto s = OpenSqliteStore({Path(), true, 4 << 20, calls_per_generation});
    if (!s) {
      ADD_FAILURE() << s.error().message();
      return nullptr;
    }
    return std::move(*s);
  }
  std::filesystem::path dir_;
};

model::Call Call(const std::string& project, int i) {
  model::Call c;
  c.project = project;
  c.id = "call-" + std::to_string(i);
  c.conversation_id = "conv-" + std::to_string(i / 3);
  c.start_ns = kT0 + i * 1'000'000'000LL;
  c.end_ns = c.start_ns + 500'000'000;
  c.request_model = "model-" + std::to_string(i);
  return c;
}

model::Score Score(const std::string& project, int i) {
  model::Score s;
  s.project = project;
  s.id = "score-" + std::to_string(i);
  s.call_id = "call-" + std::to_string(i);
  s.name = "thumbs";
  s.value = 1;
  s.source = "user";
  s.time_ns = kT0 + i * 1'000'000'000LL + 1;
  return s;
}

// Scores per model over the test's hour.
std::map<std::string, uint64_t> ScoresByModel(Store& s, const std::string& project) {
  RollupQuery q{project, kT0, kT0 + kNanosPerHour, 0, {"model"}, {}, "thumbs", ""};
  auto cells = s.QueryScoreRollups(q);
  EXPECT_TRUE(cells.has_value()) << cells.error().message();
  std::map<std::string, uint64_t> out;
  if (cells) {
    for (const auto& c : *cells) out[c.group[0]] += c.aggregate.count;
  }
  return out;
}

TEST_F(SqliteKeys, CollidingKeysNeverMergeRecords) {
  // Two-bit keys: the 60 calls (two projects, same ids) share four keys.
  SetRecordKeyBitsForTesting(2);
  auto s = Open();
  ASSERT_NE(s, nullptr);
  model::Batch b;
  for (const std::string project : {"p1", "p2"}) {
    for (int i = 0; i < 30; ++i) b.calls.push_back(Call(project, i));
  }
  // A duplicate inside the batch, too.
  b.calls.push_back(Call("p1", 7));
  auto r = s->Append(b);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->stored, 60u);
  EXPECT_EQ(r->duplicates, 1u);
  auto again = s->Append(b);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->stored, 0u);
  EXPECT_EQ(again->duplicates, 61u);
  model::Batch more;
  more.calls.push_back(Call("p1", 30));
  auto r3 = s->Append(more);
  ASSERT_TRUE(r3.has_value());
  EXPECT_EQ(r3->stored, 1u);

  // Each score finds its own call's dimensions.
  model::Batch scores;
  for (int i = 0; i < 30; ++i) scores.scores.push_back(Score("p2", i));
  ASSERT_TRUE(s->Append(scores).has_value());
  const auto by_model = ScoresByModel(*s, "p2");
  ASSERT_EQ(by_model.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(by_model.at("model-" + std::to_string(i)), 1u) << i;

  // A conversation holds its own calls only.
  auto conv = s->GetConversation("p1", "conv-4");
  ASSERT_TRUE(conv.has_value()) << conv.error().message();
  ASSERT_EQ(conv->calls.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(conv->calls[k].id, "call-" + std::to_string(12 + k));
  EXPECT_FALSE(s->GetConversation("p1", "conv-99").has_value());

  auto counts = s->CountRecords("");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->calls, 61u);
}

// Schema version 1, as written by earlier builds (the tables that changed, and the version).
constexpr const char* kVersion1 = R"sql(
CREATE TABLE calls(
  project TEXT NOT NULL, id TEXT NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
  parent_span_id TEXT NOT NULL, conversation_id TEXT NOT NULL, session_id TEXT NOT NULL,
  user_id TEXT NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, ttft_s REAL,
  operation TEXT NOT NULL, provider TEXT NOT NULL, request_model TEXT NOT NULL,
  response_model TEXT NOT NULL, model TEXT NOT NULL, service TEXT NOT NULL,
  environment TEXT NOT NULL, route TEXT NOT NULL, prompt_name TEXT NOT NULL,
  prompt_version TEXT NOT NULL, release TEXT NOT NULL, variant TEXT NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL, cost_usd REAL, cost_computed INTEGER NOT NULL,
  status INTEGER NOT NULL, error_type TEXT NOT NULL, finish_reason TEXT NOT NULL,
  input_text TEXT NOT NULL, output_text TEXT NOT NULL, attributes TEXT NOT NULL);
CREATE UNIQUE INDEX calls_by_id ON calls(project, id);
CREATE INDEX calls_by_time ON calls(project, start_ns);
CREATE INDEX calls_by_conversation ON calls(project, conversation_id, start_ns)
  WHERE conversation_id <> '';
PRAGMA user_version = 1;
)sql";

void ExecOrFail(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql.substr(0, 80);
  sqlite3_free(err);
}

// Version 2 added the key columns and their indexes.
constexpr const char* kVersion1To2 = R"sql(
ALTER TABLE calls ADD COLUMN id_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN conversation_key INTEGER;
DROP INDEX calls_by_id;
DROP INDEX calls_by_conversation;
CREATE INDEX calls_by_key ON calls(id_key);
CREATE INDEX calls_by_conversation_key ON calls(conversation_key)
  WHERE conversation_key IS NOT NULL;
PRAGMA user_version = 2;
)sql";

// Ten calls of project p1 as a build of schema `version` (1 or 2) stored them; calls 0-2 are
// conversation conv-0, 3-5 conv-1.
void WriteOldDatabase(const std::string& path, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ExecOrFail(db, kVersion1);
  if (version == 2) ExecOrFail(db, kVersion1To2);
  for (int i = 0; i < 10; ++i) {
    const std::string n = std::to_string(i);
    const std::string conversation = i < 6 ? "conv-" + std::to_string(i / 3) : std::string();
    std::string keys;
    if (version == 2) {
      keys = ", " + std::to_string(RecordKey("p1", "call-" + n)) + ", " +
             (conversation.empty() ? "NULL" : std::to_string(RecordKey("p1", conversation)));
    }
    ExecOrFail(db, "INSERT INTO calls VALUES('p1', 'call-" + n + "', '', '', '', '" + conversation +
                       "', '', 'u', " + std::to_string(kT0 + i * 1'000'000'000LL) + ", " +
                       std::to_string(kT0 + i * 1'000'000'000LL + 500'000'000) +
                       ", NULL, 'chat', 'openai', 'model-" + n + "', '', 'model-" + n +
                       "', '', 'prod', '', '', '', '', '', 1, 2, 0, 0, 0, NULL, 0, 1, '', '', "
                       "'question " +
                       n + "', '', '{\"k\":\"v\"}'" + keys + ")");
  }
  sqlite3_close(db);
}

class SqliteMigration : public SqliteKeys, public ::testing::WithParamInterface<int> {};

TEST_P(SqliteMigration, MigratesAnOlderDatabase) {
  WriteOldDatabase(Path(), GetParam());
  auto s = Open();
  ASSERT_NE(s, nullptr);
  RecordQuery q;
  q.project = "p1";
  q.newest_first = false;
  auto page = s->ListCalls(q);
  ASSERT_TRUE(page.has_value()) << page.error().message();
  ASSERT_EQ(page->records.size(), 10u);
  EXPECT_EQ(page->records[3].id, "call-3");
  EXPECT_EQ(page->records[3].input_text, "question 3");
  ASSERT_EQ(page->records[3].attributes.size(), 1u);

  // The migrated ids still deduplicate; new ids are stored.
  model::Batch b;
  for (int i = 5; i < 15; ++i) b.calls.push_back(Call("p1", i));
  auto r = s->Append(b);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->duplicates, 5u);
  EXPECT_EQ(r->stored, 5u);

  // Migrated calls and conversations are found by their keys.
  auto conv = s->GetConversation("p1", "conv-1");
  ASSERT_TRUE(conv.has_value()) << conv.error().message();
  ASSERT_EQ(conv->calls.size(), 3u);
  EXPECT_EQ(conv->calls[0].id, "call-3");
  model::Batch scores;
  for (int i = 0; i < 3; ++i) scores.scores.push_back(Score("p1", i));
  ASSERT_TRUE(s->Append(scores).has_value());
  const auto by_model = ScoresByModel(*s, "p1");
  EXPECT_EQ(by_model,
            (std::map<std::string, uint64_t>{{"model-0", 1}, {"model-1", 1}, {"model-2", 1}}));

  // The version is now 4, and the old indexes are gone.
  s->Close();
  s.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 4);
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('calls_by_id', "
                               "'calls_by_conversation', 'calls_by_key', "
                               "'calls_by_conversation_key')",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

INSTANTIATE_TEST_SUITE_P(Versions, SqliteMigration, ::testing::Values(1, 2),
                         [](const auto& version) {
                           return "FromVersion" + std::to_string(version.param);
                         });

// Batch b: calls b*50 .. b*50+49 of project p1, each with 400 bytes of input text (a few WAL
// pages per batch).
model::Batch PaddedBatch(int b) {
  model::Batch batch;
  for (int i = 0; i < 50; ++i) {
    model::Call c = Call("p1", b * 50 + i);
    c.input_text = std::string(400, 'x');
    batch.calls.push_back(std::move(c));
  }
  return batch;
}

TEST_F(SqliteKeys, CheckpointsWhileTheStoreIsOpen) {
  // The writer's commits do not checkpoint (SQLite's automatic checkpoints are replaced), so the
  // database file grows only when the checkpointer copies the WAL into it.
  SetCheckpointPagesForTesting(16);
  auto s = Open();
  ASSERT_NE(s, nullptr);
  for (int b = 0; b < 40; ++b) {
    auto r = s->Append(PaddedBatch(b));
    ASSERT_TRUE(r.has_value()) << r.error().message();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::filesystem::file_size(Path()) < 1'000'000 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(std::filesystem::file_size(Path()), 1'000'000u);
  s->Close();
  s = Open();
  ASSERT_NE(s, nullptr);
  auto counts = s->CountRecords("p1");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->calls, 2000u);
}

// The writer never stops committing, yet its WAL starts over after most checkpoints instead of
// only at the hard limit (8 times the checkpoint size), where the checkpointer holds the writer
// off for a long copy. (Whether a given checkpoint's catch-up succeeds depends on timing, so
// the test asks for half of them: it measured about one restart per checkpoint with the
// catch-up, and one per four checkpoints without.)
TEST_F(SqliteKeys, TheWalStartsOverWhileTheWriterKeepsCommitting) {
  constexpr int kPages = 256;
  SetCheckpointPagesForTesting(kPages);
  const CheckpointCounts before = CheckpointCountsForTesting();
  auto s = Open();
  ASSERT_NE(s, nullptr);
  for (int b = 0; b < 600; ++b) {
    auto r = s->Append(PaddedBatch(b));
    ASSERT_TRUE(r.has_value()) << r.error().message();
  }
  s->Close();
  const CheckpointCounts after = CheckpointCountsForTesting();
  const int64_t checkpoints = after.checkpoints - before.checkpoints;
  const int64_t restarts = after.restarts - before.restarts;
  EXPECT_GE(checkpoints, 16) << "the batches wrote fewer pages than planned";
  EXPECT_GE(restarts * 2, checkpoints)
      << restarts << " restarts, " << checkpoints << " checkpoints";
}

TEST_F(SqliteKeys, RefusesANewerSchema) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(Path().c_str(), &db), SQLITE_OK);
    ExecOrFail(db, "PRAGMA user_version = 99");
    sqlite3_close(db);
  }
  auto s = OpenSqliteStore({Path(), true, 4 << 20});
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("schema version 99"), std::string::npos)
      << s.error().message();
}

int PageSize(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  const int size = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return size;
}

TEST_F(SqliteKeys, ANewDatabaseGetsThePageSizeAnOldOneKeepsItsOwn) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  s->Close();
  EXPECT_EQ(PageSize(Path()), SqliteOptions().page_size);

  // A file created with 4 KiB pages keeps them, and its records, when opened again.
  const std::string old = (dir_ / "old.sqlite").string();
  SqliteOptions o;
  o.path = old;
  o.page_size = 4096;
  {
    auto small = OpenSqliteStore(o);
    ASSERT_TRUE(small.has_value()) << small.error().message();
    model::Batch b;
    b.calls.push_back(Call("p1", 1));
    ASSERT_TRUE((*small)->Append(b).has_value());
  }
  o.page_size = 65536;
  auto reopened = OpenSqliteStore(o);
  ASSERT_TRUE(reopened.has_value()) << reopened.error().message();
  auto counts = (*reopened)->CountRecords("p1");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->calls, 1u);
  (*reopened)->Close();
  EXPECT_EQ(PageSize(old), 4096);

  o.page_size = 3000;
  auto bad = OpenSqliteStore(o);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("3000"), std::string::npos) << bad.error().message();
}

// The id filter is loaded in the background after an open; duplicates must be found before,
// during and after that (with full and with colliding keys), and new ids stored once.
TEST_F(SqliteKeys, DuplicatesAreFoundWhileAndAfterTheIdFilterLoads) {
  for (int bits : {64, 6}) {
    SCOPED_TRACE(bits);
    SetRecordKeyBitsForTesting(bits);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    constexpr int kStored = 6000;
    {
      auto store = Open();
      ASSERT_TRUE(store);
      model::Batch b;
      for (int i = 0; i < kStored; ++i) b.calls.push_back(Call("p", i));
      auto r = store->Append(b);
      ASSERT_TRUE(r) << r.error().message();
      EXPECT_EQ(r->stored, static_cast<uint64_t>(kStored));
      store->Close();
    }
    auto store = Open();
    ASSERT_TRUE(store);
    // Right after the open (the filter is loading), then again several times: every stored id
    // is a duplicate, every new one is stored once, in another project too.
    int next_new = kStored;
    for (int round = 0; round < 4; ++round) {
      for (int from = 0; from < kStored; from += 1000) {
        model::Batch b;
        for (int i = from; i < from + 1000; ++i) b.calls.push_back(Call("p", i));
        b.calls.push_back(Call("p", next_new));
        b.calls.push_back(Call("q", from));
        auto r = store->Append(b);
        ASSERT_TRUE(r) << r.error().message();
        // The call of project q is new in the first round only.
        EXPECT_EQ(r->duplicates, round == 0 ? 1000u : 1001u) << round << " " << from;
        EXPECT_EQ(r->stored, round == 0 ? 2u : 1u) << round << " " << from;
        ++next_new;
      }
    }
    store->Close();
  }
}

// An append lists the conversations it started (AppendResult::new_conversations) once the
// store has read the stored ones after an open; never one that was stored before.
TEST_F(SqliteKeys, AppendsListTheConversationsTheyStart) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  auto sorted = [](Pairs p) {
    std::sort(p.begin(), p.end());
    return p;
  };
  int next = 0;
  auto call = [&](const std::string& conversation) {
    model::Call c = Call("p", next++);
    c.conversation_id = conversation;
    return c;
  };
  // Appends calls without a conversation until the store knows its conversations (it reads
  // them on a thread of its own after the open).
  auto wait_known = [&](Store& store) {
    for (int i = 0; i < 500; ++i) {
      model::Batch b;
      b.calls = {call("")};
      auto r = store.Append(b);
      if (!r) return false;
      if (r->new_conversations_known) return r->new_conversations.empty();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  {
    auto store = Open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(wait_known(*store));
    model::Batch b;
    b.calls = {call("n1"), call("n1"), call("n2")};
    model::Score score = Score("p", 900);
    score.call_id.clear();
    score.conversation_id = "s1";  // a conversation with a score only
    b.scores = {score};
    model::Outcome outcome;
    outcome.project = "p";
    outcome.id = "o-1";
    outcome.conversation_id = "o1";
    outcome.name = "resolved";
    outcome.value = 1;
    outcome.time_ns = kT0;
    b.outcomes = {outcome};
    auto r = store->Append(b);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r->new_conversations_known);
    EXPECT_EQ(sorted(r->new_conversations),
              (Pairs{{"p", "n1"}, {"p", "n2"}, {"p", "o1"}, {"p", "s1"}}));
    // The same records again (duplicates), a later call of n1, and a new conversation.
    auto again = store->Append(b);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->new_conversations.empty());
    model::Batch later;
    later.calls = {call("n1"), call("n3")};
    auto r2 = store->Append(later);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->new_conversations, (Pairs{{"p", "n3"}}));
    // The same conversation id in another project is another conversation.
    model::Batch other;
    other.calls = {call("n1")};
    other.calls[0].project = "q";
    auto r3 = store->Append(other);
    ASSERT_TRUE(r3);
    EXPECT_EQ(r3->new_conversations, (Pairs{{"q", "n1"}}));
    store->Close();
  }
  // After a reopen the stored conversations are read back: none of them is new again.
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(wait_known(*store));
  model::Batch b;
  b.calls = {call("n1"), call("n2"), call("n3"), call("o1"), call("s1"), call("n4")};
  auto r = store->Append(b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->new_conversations, (Pairs{{"p", "n4"}}));
  store->Close();
}

}  // namespace

// Calls are indexed in generations (a few calls each here, and a new one at every open):
// deduplication, the call of a score, the latest call of a conversation and a conversation's
// calls are found whichever generation holds them, with and without colliding keys.
TEST_F(SqliteKeys, LookupsSearchEveryGeneration) {
  for (int bits : {64, 6}) {
    SCOPED_TRACE(bits);
    SetRecordKeyBitsForTesting(bits);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    constexpr int kPerGeneration = 5;
    // Calls 0-89; conversation "long" has calls 1, 40 and 70, stored in three generations and
    // two opens. Call i has model "model-i".
    auto calls = [](int from, int to) {
      model::Batch b;
      for (int i = from; i < to; ++i) {
        b.calls.push_back(Call("p", i));
        if (i == 1 || i == 40 || i == 70) b.calls.back().conversation_id = "long";
      }
      return b;
    };
    {
      auto store = Open(kPerGeneration);
      ASSERT_TRUE(store);
      for (int from = 0; from < 60; from += 7) {
        auto r = store->Append(calls(from, std::min(from + 7, 60)));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(r->duplicates, 0u);
      }
      store->Close();
    }
    auto store = Open(kPerGeneration);
    ASSERT_TRUE(store);
    auto r = store->Append(calls(60, 90));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->stored, 30u);
    // Every call again, a few at a time, both while the id filter loads and after.
    for (int round = 0; round < 2; ++round) {
      for (int from = 0; from < 90; from += 9) {
        auto again = store->Append(calls(from, from + 9));
        ASSERT_TRUE(again) << again.error().message();
        EXPECT_EQ(again->duplicates, 9u) << round << " " << from;
        EXPECT_EQ(again->stored, 0u);
      }
    }
    // A conversation's calls are found in every generation, both before the store has read the
    // conversation keys of each generation after the open (every generation is searched) and
    // after (only those whose filter may hold the conversation are).
    auto check_conversations = [&] {
      auto conversation = store->GetConversation("p", "long");
      ASSERT_TRUE(conversation) << conversation.error().message();
      ASSERT_EQ(conversation->calls.size(), 3u);
      EXPECT_EQ(conversation->calls[0].id, "call-1");
      EXPECT_EQ(conversation->calls[1].id, "call-40");
      EXPECT_EQ(conversation->calls[2].id, "call-70");
      auto first = store->GetConversation("p", "conv-0");  // calls 0 and 2 (1 is in "long")
      ASSERT_TRUE(first);
      EXPECT_EQ(first->calls.size(), 2u);
      EXPECT_FALSE(store->GetConversation("p", "conv-none"));
    };
    check_conversations();
    for (int i = 0; i < 500; ++i) {  // until the conversation filters are loaded
      model::Batch none;
      none.calls = {Call("p", 1000 + i)};
      none.calls[0].conversation_id.clear();
      auto appended = store->Append(none);
      ASSERT_TRUE(appended) << appended.error().message();
      if (appended->new_conversations_known) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    check_conversations();

    // Scores of calls in the first, a middle and the last generation take their call's model;
    // an outcome of "long" takes the model of its latest call.
    model::Batch feedback;
    for (int i : {0, 33, 88}) feedback.scores.push_back(Score("p", i));
    model::Outcome outcome;
    outcome.project = "p";
    outcome.id = "o-long";
    outcome.conversation_id = "long";
    outcome.name = "resolved";
    outcome.value = 1;
    outcome.time_ns = kT0 + 100 * 1'000'000'000LL;
    feedback.outcomes.push_back(outcome);
    auto stored = store->Append(feedback);
    ASSERT_TRUE(stored) << stored.error().message();
    EXPECT_EQ(stored->stored, 4u);
    EXPECT_EQ(ScoresByModel(*store, "p"),
              (std::map<std::string, uint64_t>{{"model-0", 1}, {"model-33", 1}, {"model-88", 1}}));
    RollupQuery oq{"p", kT0, kT0 + kNanosPerHour, 0, {"model"}, {}, "resolved", ""};
    auto outcomes = store->QueryOutcomeRollups(oq);
    ASSERT_TRUE(outcomes) << outcomes.error().message();
    ASSERT_EQ(outcomes->size(), 1u);
    ASSERT_EQ((*outcomes)[0].group.size(), 1u);
    EXPECT_EQ((*outcomes)[0].group[0], "model-70");
    store->Close();
  }
}

}  // namespace yardstick::store

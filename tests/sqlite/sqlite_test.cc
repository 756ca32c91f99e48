// Database::Cached: a statement is compiled once per connection and text, handed out reset with
// its bindings cleared, and a full cache still answers (with statements of their own).
#include "sqlite/sqlite.h"

#include <gtest/gtest.h>

#include <string>

namespace yardstick::sqlite {
namespace {

TEST(SqliteCached, ReusesTheStatementResetAndWithoutBindings) {
  auto db = Database::Open(":memory:", false);
  ASSERT_TRUE(db) << db.error().message();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3);"));
  const std::string sql = "SELECT count(*), coalesce(sum(x), -1) FROM t WHERE x >= ?";
  const void* first = nullptr;
  {
    auto s = db->Cached(sql);
    ASSERT_TRUE(s);
    first = &**s;
    (*s)->Bind(1, int64_t{2});
    ASSERT_EQ((*s)->Step(), SQLITE_ROW);
    EXPECT_EQ((*s)->Int(0), 2);
    EXPECT_EQ((*s)->Int(1), 5);
    // Left mid-result: the handle's end resets it.
  }
  {
    auto s = db->Cached(sql);
    ASSERT_TRUE(s);
    EXPECT_EQ(&**s, first);  // the same compiled statement
    // The binding was cleared: NULL compares false, so nothing matches.
    ASSERT_EQ((*s)->Step(), SQLITE_ROW);
    EXPECT_EQ((*s)->Int(0), 0);
    EXPECT_EQ((*s)->Int(1), -1);
  }
  // The statement was reset, so the table is not held by a read: a write goes through.
  EXPECT_TRUE(db->Exec("INSERT INTO t VALUES (4)"));
  auto bad = db->Cached("SELECT nope FROM t");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("no such column"), std::string::npos);
}

TEST(SqliteCached, BeyondTheCacheStatementsAreTheirOwn) {
  auto db = Database::Open(":memory:", false);
  ASSERT_TRUE(db);
  for (size_t i = 0; i < Database::kMaxCachedStatements + 10; ++i) {
    auto s = db->Cached("SELECT " + std::to_string(i));
    ASSERT_TRUE(s) << i;
    ASSERT_EQ((*s)->Step(), SQLITE_ROW);
    EXPECT_EQ((*s)->Int(0), static_cast<int64_t>(i));
  }
  // Cached texts are still served from the cache; new ones still work.
  auto a = db->Cached("SELECT 3");
  auto b = db->Cached("SELECT 1000");
  ASSERT_TRUE(a && b);
  ASSERT_EQ((*a)->Step(), SQLITE_ROW);
  ASSERT_EQ((*b)->Step(), SQLITE_ROW);
  EXPECT_EQ((*a)->Int(0), 3);
  EXPECT_EQ((*b)->Int(0), 1000);
}

}  // namespace
}  // namespace yardstick::sqlite

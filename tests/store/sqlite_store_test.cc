// Runs the store conformance suite against the SQLite backend, plus SQLite-specific checks.

#include <filesystem>

#include "store/conformance.h"

namespace yardstick::store::testing {
namespace {

StoreFactory MakeSqliteFactory() {
  auto dir = std::make_shared<std::filesystem::path>();
  auto counter = std::make_shared<int>(0);
  StoreFactory f;
  f.name = "sqlite";
  f.reset = [dir, counter] {
    *dir =
        std::filesystem::temp_directory_path() /
        ("yardstick-store-test-" + std::to_string(::getpid()) + "-" + std::to_string((*counter)++));
    std::filesystem::remove_all(*dir);
    std::filesystem::create_directories(*dir);
  };
  f.open = [dir]() -> std::unique_ptr<Store> {
    auto s = OpenSqliteStore({(*dir / "db.sqlite").string(), true, 16 << 20});
    if (!s) {
      ADD_FAILURE() << s.error().message();
      return nullptr;
    }
    return std::move(*s);
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance, ::testing::Values(MakeSqliteFactory()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(SqliteStore, ReportsAnUnopenableFile) {
  auto s = OpenSqliteStore({"/nonexistent-dir/x/db.sqlite", true, 1 << 20});
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("/nonexistent-dir/x/db.sqlite"), std::string::npos);
}

}  // namespace
}  // namespace yardstick::store::testing

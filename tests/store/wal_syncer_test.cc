// The WAL syncer answers every submission exactly once, after a sync that started after it,
// reports a file it cannot sync, and follows the path to a new file.
#include "store/wal_syncer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace yardstick::store {
namespace {

class WalSyncerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("yardstick-wal-syncer-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(WalSyncerTest, AnswersEverySubmissionOnceFromManyThreads) {
  const std::string path = Write("db-wal", "frames");
  std::vector<std::atomic<int>> answers(4000);
  std::atomic<int> failures{0};
  {
    WalSyncer syncer(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t * 1000; i < (t + 1) * 1000; ++i) {
          syncer.Submit([&, i](const Result<void>& synced) {
            if (!synced) ++failures;
            ++answers[static_cast<size_t>(i)];
          });
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_TRUE(syncer.SyncNow().has_value());
  }  // the destructor answers whatever is still pending
  for (size_t i = 0; i < answers.size(); ++i) ASSERT_EQ(answers[i].load(), 1) << i;
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(WalSyncerTest, AMissingFileIsAnErrorNamingIt) {
  const std::string path = (dir_ / "missing-wal").string();
  WalSyncer syncer(path);
  auto r = syncer.SyncNow();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find(path), std::string::npos) << r.error().message();
  std::atomic<bool> answered{false}, failed{false};
  syncer.Submit([&](const Result<void>& synced) {
    failed = !synced.has_value();
    answered = true;
  });
  for (int i = 0; i < 500 && !answered; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(answered.load());
  EXPECT_TRUE(failed.load());
  // Once the file exists, syncs succeed.
  Write("missing-wal", "frames");
  EXPECT_TRUE(syncer.SyncNow().has_value());
}

TEST_F(WalSyncerTest, FollowsThePathToANewFile) {
  const std::string path = Write("db-wal", "old");
  WalSyncer syncer(path);
  ASSERT_TRUE(syncer.SyncNow().has_value());
  // Another file takes the name (another inode): it is opened and synced.
  const std::string replacement = Write("db-wal.new", "new");
  std::filesystem::rename(replacement, path);
  EXPECT_TRUE(syncer.SyncNow().has_value());
  std::filesystem::remove(path);
  EXPECT_FALSE(syncer.SyncNow().has_value());
}

}  // namespace
}  // namespace yardstick::store

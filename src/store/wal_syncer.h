#pragma once
// Durable acknowledgements without holding the writer (internal to src/store).
//
// With synchronous=FULL, SQLite syncs the WAL inside every COMMIT, so the writer thread waits for
// the disk before it can start on the next group. Instead the writer connection runs with
// synchronous=NORMAL (a commit only writes the WAL; SQLite itself still syncs the WAL header when
// the WAL starts over, and the files around each checkpoint), and this thread syncs the WAL file
// after the commits and only then answers the batches they held. The writer writes the next
// group while the disk syncs the last one; one sync covers every commit written before it
// started.
//
// The file is synced through a descriptor of its own. SQLite keeps the WAL file while any
// connection is open; should the path ever name another file (another inode) than the open
// descriptor, the syncer opens the new one and syncs it too, so a sync never misses the file
// SQLite writes.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/error.h"

namespace yardstick::store {

class WalSyncer {
 public:
  explicit WalSyncer(std::string wal_path);
  // Syncs and answers everything submitted, then stops.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Calls `done` (on the syncer's thread) with the result of a sync of the WAL file that started
  // after this call.
  void Submit(std::function<void(const Result<void>&)> done);
  // Syncs on the calling thread (for the few writes that are not batches).
  Result<void> SyncNow();

 private:
  void Run();
  Result<void> Sync();

  const std::string path_;
  std::mutex file_mutex_;  // guards fd_ and inode_
  int fd_ = -1;
  unsigned long inode_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void(const Result<void>&)>> pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace yardstick::store

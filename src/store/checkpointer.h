#pragma once
// WAL checkpoints off the append path (internal to src/store). SQLite's default runs a checkpoint
// inside the COMMIT that crosses the WAL size limit, so the batch committed at that moment (and
// every batch queued behind it) waits for the database file to be written and synced. Instead,
// the writer connection reports the WAL size after each commit (sqlite3_wal_hook) and a thread
// with its own connection copies the WAL into the database file while the writer goes on
// (PASSIVE checkpoints).
//
// A WAL starts over from its beginning (instead of growing) only when a write transaction begins
// with every page of it copied. The writer keeps committing while the checkpointer copies, so
// that never happens by itself: after each copy, the writer copies the few pages it committed
// meanwhile itself, between two transactions (CatchUp), and its next transaction starts the WAL
// over. If the WAL still grows past a hard limit (readers holding old snapshots keep it from
// starting over), the checkpointer waits for the writer between transactions (RESTART), which
// holds the writer off for the whole copy.

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "base/error.h"
#include "sqlite/sqlite.h"

namespace yardstick::store {

// The WAL size from which checkpoints start: ~20 MB (5,000 pages of 4 KiB, 1,250 of 16 KiB;
// SQLite's default is 1,000 pages), in pages of `page_size` bytes, unless a test set a number of
// pages (0: back to the default).
inline constexpr int64_t kCheckpointBytes = 5000 * 4096;
int CheckpointPages(int page_size);
void SetCheckpointPagesForTesting(int pages);

// Since the start of the process, over every store: checkpoints run by checkpointer threads,
// and the times a writer's WAL started over from its beginning.
struct CheckpointCounts {
  int64_t checkpoints = 0;
  int64_t restarts = 0;
};
CheckpointCounts CheckpointCountsForTesting();

class Checkpointer {
 public:
  // `writer` is the connection that commits; `path` and `synchronous_full` open the
  // checkpointer's own connection. Checkpoints start once the WAL holds `frames` pages.
  static Result<std::unique_ptr<Checkpointer>> Start(sqlite::Database& writer,
                                                     const std::string& path, bool synchronous_full,
                                                     int frames);
  // Stops the thread (a checkpoint under way completes first) and gives the writer back
  // SQLite's automatic checkpoints, so that closing it checkpoints what is left.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Called by the writer thread between transactions: after a checkpoint, copies what was
  // committed during it (see above). Cheap when there is nothing to do.
  void CatchUp();

 private:
  Checkpointer(sqlite::Database& writer, sqlite::Database own, int frames);
  static int OnCommit(void* self, sqlite3* db, const char* name, int frames);
  void Run();

  sqlite::Database& writer_;
  sqlite::Database db_;
  const int frames_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int wal_frames_ = 0;    // WAL size to checkpoint (0: nothing to do)
  int checkpointed_ = 0;  // WAL size at the last checkpoint
  int last_frames_ = 0;   // WAL size after the last commit
  bool stop_ = false;
  // After a checkpoint: how many more commits the writer may try to copy the rest after (0:
  // nothing to do).
  static constexpr int kCatchUpTries = 16;
  std::atomic<int> catch_up_{0};
  std::thread thread_;
};

}  // namespace yardstick::store

#include "store/checkpointer.h"

#include <algorithm>
#include <atomic>

namespace yardstick::store {
namespace {
std::atomic<int> checkpoint_pages{0};  // 0: kCheckpointBytes
std::atomic<int64_t> checkpoints_run{0}, wal_restarts{0};
}  // namespace

CheckpointCounts CheckpointCountsForTesting() {
  return {checkpoints_run.load(std::memory_order_relaxed),
          wal_restarts.load(std::memory_order_relaxed)};
}

int CheckpointPages(int page_size) {
  const int pages = checkpoint_pages.load(std::memory_order_relaxed);
  if (pages > 0) return pages;
  return static_cast<int>(std::max<int64_t>(1, kCheckpointBytes / std::max(1, page_size)));
}
void SetCheckpointPagesForTesting(int pages) {
  checkpoint_pages.store(pages, std::memory_order_relaxed);
}

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(sqlite::Database& writer,
                                                          const std::string& path,
                                                          bool synchronous_full, int frames) {
  auto db = sqlite::Database::Open(path, false);
  if (!db) return std::unexpected(db.error());
  if (auto r = db->Exec(std::string("PRAGMA synchronous=") +
                        (synchronous_full ? "FULL" : "NORMAL") + "; PRAGMA cache_size=-1024;");
      !r) {
    return std::unexpected(r.error());
  }
  // A RESTART holds off the writer while it waits for readers of the old WAL: give up after a
  // second (well within the writer's own 10 s busy timeout); the next commit tries again.
  sqlite3_busy_timeout(db->get(), 1000);
  auto c = std::unique_ptr<Checkpointer>(new Checkpointer(writer, std::move(*db), frames));
  // Replaces the writer's automatic checkpoints (which SQLite implements with the same hook).
  sqlite3_wal_hook(writer.get(), &Checkpointer::OnCommit, c.get());
  return c;
}

Checkpointer::Checkpointer(sqlite::Database& writer, sqlite::Database own, int frames)
    : writer_(writer), db_(std::move(own)), frames_(frames) {
  thread_ = std::thread([this] { Run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
  sqlite3_wal_autocheckpoint(writer_.get(), frames_);
}

int Checkpointer::OnCommit(void* self, sqlite3*, const char*, int frames) {
  auto* c = static_cast<Checkpointer*>(self);
  {
    std::lock_guard lock(c->mutex_);
    // The WAL started over (everything was copied): count from its start again.
    if (frames < c->last_frames_) wal_restarts.fetch_add(1, std::memory_order_relaxed);
    c->last_frames_ = frames;
    if (frames < c->checkpointed_) c->checkpointed_ = 0;
    // Copy once another `frames_` pages have been written since the last checkpoint, so that a
    // page written by many commits is copied once.
    if (frames - c->checkpointed_ < c->frames_) return SQLITE_OK;
    c->wal_frames_ = frames;
  }
  c->cv_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::CatchUp() {
  int tries = catch_up_.load(std::memory_order_acquire);
  if (tries == 0) return;
  // PASSIVE on the writer's own connection: nobody else writes, so this copies everything up to
  // the last commit without waiting. When it cannot (SQLITE_BUSY: the checkpointer started
  // another copy; or a reader's snapshot holds frames back), it tries again after the next
  // commits, a few times, and otherwise waits for the next checkpoint.
  int log = 0, copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(writer_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  const bool done = rc == SQLITE_OK && copied == log;
  // Only this thread lowers the count; the checkpointer may have raised it meanwhile.
  catch_up_.compare_exchange_strong(tries, done ? 0 : tries - 1, std::memory_order_acq_rel);
}

void Checkpointer::Run() {
  for (;;) {
    int frames;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || wal_frames_ > 0; });
      if (stop_) return;
      frames = wal_frames_;
      wal_frames_ = 0;
      checkpointed_ = frames;
    }
    // Past 8 times the threshold, the writer has kept the WAL from ever being fully copied:
    // RESTART waits for it between transactions (through the busy handler), copies everything
    // and lets the next transaction write the WAL from its start again.
    const int mode = frames >= 8 * frames_ ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
    int log = 0, copied = 0;
    checkpoints_run.fetch_add(1, std::memory_order_relaxed);
    // A failed checkpoint loses nothing (the frames stay in the WAL); the next commit retries.
    if (sqlite3_wal_checkpoint_v2(db_.get(), nullptr, mode, &log, &copied) == SQLITE_OK &&
        mode == SQLITE_CHECKPOINT_PASSIVE) {
      catch_up_.store(kCatchUpTries, std::memory_order_release);
    }
  }
}

}  // namespace yardstick::store

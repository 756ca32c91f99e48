#include "store/checkpointer.h"

#include <atomic>

namespace yardstick::store {
namespace {
std::atomic<int> checkpoint_pages{10000};
}  // namespace

int CheckpointPages() { return checkpoint_pages.load(std::memory_order_relaxed); }
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
  if (!catch_up_.exchange(false, std::memory_order_acq_rel)) return;
  // PASSIVE on the writer's own connection: nobody else writes, so this copies everything up to
  // the last commit without waiting; SQLITE_BUSY (the checkpointer started another copy) loses
  // nothing.
  int log = 0, copied = 0;
  (void)sqlite3_wal_checkpoint_v2(writer_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
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
    // A failed checkpoint loses nothing (the frames stay in the WAL); the next commit retries.
    if (sqlite3_wal_checkpoint_v2(db_.get(), nullptr, mode, &log, &copied) == SQLITE_OK &&
        mode == SQLITE_CHECKPOINT_PASSIVE) {
      catch_up_.store(true, std::memory_order_release);
    }
  }
}

}  // namespace yardstick::store

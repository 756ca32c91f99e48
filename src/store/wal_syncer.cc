#include "store/wal_syncer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace yardstick::store {

WalSyncer::WalSyncer(std::string wal_path) : path_(std::move(wal_path)) {
  thread_ = std::thread([this] { Run(); });
}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void WalSyncer::Submit(std::function<void(const Result<void>&)> done) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(done));
  }
  cv_.notify_one();
}

Result<void> WalSyncer::SyncNow() { return Sync(); }

void WalSyncer::Run() {
  for (;;) {
    std::vector<std::function<void(const Result<void>&)>> batch;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything was answered
      batch.assign(std::make_move_iterator(pending_.begin()),
                   std::make_move_iterator(pending_.end()));
      pending_.clear();
    }
    const Result<void> synced = Sync();
    for (auto& done : batch) done(synced);
  }
}

Result<void> WalSyncer::Sync() {
  std::lock_guard lock(file_mutex_);
  auto fail = [&](const std::string& what) -> Result<void> {
    return MakeError(ErrorCode::kIo, what + " " + path_ + ": " + std::strerror(errno));
  };
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return fail("cannot find the WAL file");
  if (fd_ < 0 || static_cast<unsigned long>(st.st_ino) != inode_) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("cannot open the WAL file");
    if (fd_ >= 0) {
      // The descriptor named an older file: sync it too before letting it go.
      (void)::fdatasync(fd_);
      ::close(fd_);
    }
    fd_ = fd;
    inode_ = static_cast<unsigned long>(st.st_ino);
  }
  if (::fdatasync(fd_) != 0) return fail("cannot sync the WAL file");
  return {};
}

}  // namespace yardstick::store

#include "supervisor/process_state.h"

#include <vector>

namespace warden::supervisor {

const FdEntry* FdTable::Find(int fd) const {
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : &it->second;
}

void FdTable::CloseRange(unsigned first, unsigned last) {
  std::vector<int> gone;
  for (const auto& [fd, e] : fds_)
    if (static_cast<unsigned>(fd) >= first && static_cast<unsigned>(fd) <= last) gone.push_back(fd);
  for (int fd : gone) fds_.erase(fd);
}

void FdTable::Dup(int from, int to, bool cloexec) {
  auto it = fds_.find(from);
  if (it == fds_.end()) {
    fds_.erase(to);
    return;
  }
  FdEntry e = it->second;
  e.cloexec = cloexec;
  fds_[to] = std::move(e);
}

void FdTable::SetCloexec(int fd, bool on) {
  auto it = fds_.find(fd);
  if (it != fds_.end()) it->second.cloexec = on;
}

void FdTable::ApplyExec() {
  absl::erase_if(fds_, [](const auto& kv) { return kv.second.cloexec; });
}

}  // namespace warden::supervisor

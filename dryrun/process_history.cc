#include "dryrun/process_history.h"

namespace warden::dryrun {

ProcessHistory::State& ProcessHistory::Of(int pid) {
  auto t = tgid_.find(pid);
  const int group = t == tgid_.end() ? pid : t->second;
  std::shared_ptr<State>& s = groups_[group];
  if (!s) s = std::make_shared<State>();
  return *s;
}

void ProcessHistory::Start(const ProcessRow& p) {
  const int group = p.tgid > 0 ? p.tgid : p.pid;
  tgid_[p.pid] = group;
  if (group != p.pid) return;  // a thread: its group's state
  // A pid reused within the run is a new process.
  State child;
  auto parent = tgid_.find(p.ppid);
  auto it = groups_.find(parent == tgid_.end() ? p.ppid : parent->second);
  if (it != groups_.end() && it->second) child = *it->second;
  groups_[group] = std::make_shared<State>(std::move(child));
}

std::optional<int> ProcessHistory::LocalPort(int pid, int fd) {
  const State& s = Of(pid);
  auto it = s.ports.find(fd);
  if (it == s.ports.end()) return std::nullopt;
  return it->second;
}

}  // namespace warden::dryrun

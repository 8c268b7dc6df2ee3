#include "learn/listen_ports.h"

namespace warden::learn {

void ListenPorts::Start(int pid, int ppid, int tgid, bool is_thread) {
  if (tgid <= 0) tgid = pid;
  tgid_[pid] = tgid;
  if (is_thread) return;
  // A new process (or a reused pid): its descriptors are its parent's.
  ports_.erase(tgid);
  if (auto it = ports_.find(Tgid(ppid)); it != ports_.end()) {
    Fds copy = it->second;
    ports_[tgid] = std::move(copy);
  }
}

int ListenPorts::Tgid(int pid) const {
  auto it = tgid_.find(pid);
  return it == tgid_.end() ? pid : it->second;
}

void ListenPorts::Set(int tgid, int fd, int port) {
  Fds& fds = ports_[tgid];
  for (auto& [f, p] : fds)
    if (f == fd) {
      p = port;
      return;
    }
  fds.emplace_back(fd, port);
}

void ListenPorts::Bind(int tgid, int fd, int port) { Set(tgid, fd, port > 0 ? port : -1); }

void ListenPorts::Listen(int tgid, int fd, int port) {
  if (port > 0) Set(tgid, fd, port);
}

int ListenPorts::LocalPort(int tgid, int fd) const {
  auto it = ports_.find(tgid);
  if (it == ports_.end()) return -1;
  for (const auto& [f, p] : it->second)
    if (f == fd) return p;
  return -1;
}

}  // namespace warden::learn

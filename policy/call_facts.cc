#include "policy/call_facts.h"

#include <fcntl.h>
#include <sys/socket.h>

#include "fmt/format.h"

namespace warden::policy {

FileAccess OpenAccess(uint64_t flags) {
  if (flags & O_PATH) return FileAccess::kNone;
  int a = 0;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: a = 1; break;
    case O_WRONLY: a = 2; break;
    default: a = 3; break;  // O_RDWR, and the invalid 3 (read and write checks)
  }
  if (flags & (O_CREAT | O_TRUNC)) a |= 2;
  return static_cast<FileAccess>(a);
}

Protocol ProtocolOf(int sock_type) {
  if (sock_type == SOCK_STREAM) return Protocol::kTcp;
  if (sock_type == SOCK_DGRAM) return Protocol::kUdp;
  return Protocol::kAny;
}

bool UnreadablePath(std::string_view path) { return !path.empty() && path[0] == '<'; }

void DescribeOpenedFile(std::string_view path, uint64_t flags, Call& call) {
  call.path = path;
  call.access = OpenAccess(flags);
  call.unreadable = path.empty() || path[0] != '/';
}

std::string_view CategoryName(const Call& c) {
  if (c.exec) return "exec";
  if (c.net == NetKind::kOutbound) return "network-outbound";
  if (c.net == NetKind::kAccept || c.net == NetKind::kBind) return "network-inbound";
  if (c.access == FileAccess::kRead) return "file-read";
  if (c.access != FileAccess::kNone) return "file-write";
  return "syscall";
}

std::string Target(const Call& c) {
  if (c.net != NetKind::kNone) {
    if (c.family == AF_INET6) return fmt::format("[{}]:{}", c.address, c.port);
    return fmt::format("{}:{}", c.address, c.port);
  }
  if (!c.path2.empty()) return fmt::format("{} -> {}", c.path, c.path2);
  return std::string(c.path);
}

}  // namespace warden::policy

// struct sockaddr in its common families, strace-like. The bytes are first
// copied into a zeroed sockaddr_storage so that no decoder can read past
// what the tracee passed, whatever length it claimed.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "fmt/format.h"
#include "syscalls/decode.h"

namespace warden::syscalls {
namespace {

// The family decoders get the whole (zero-padded) storage and the number of
// bytes that are real; they return false when `len` is too short for their
// struct, and the generic form is printed instead.
using FamilyDecoder = bool (*)(const sockaddr_storage& ss, size_t len, SockAddr& out);

// A copy as the family's struct: no aliasing or alignment questions.
template <class T>
T As(const sockaddr_storage& ss) {
  static_assert(sizeof(T) <= sizeof(sockaddr_storage));
  T t;
  std::memcpy(&t, &ss, sizeof t);
  return t;
}

std::string FamilyPrefix(int family) {
  return fmt::format("{{sa_family={}", DecodeSocketDomain(static_cast<uint64_t>(family)));
}

bool DecodeInet(const sockaddr_storage& ss, size_t len, SockAddr& out) {
  if (len < offsetof(sockaddr_in, sin_addr) + sizeof(in_addr)) return false;
  const auto sin = As<sockaddr_in>(ss);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf);
  out.address = buf;
  out.port = ntohs(sin.sin_port);  // ports travel in network byte order
  out.text = fmt::format("{}, sin_port=htons({}), sin_addr=inet_addr(\"{}\")}}",
                         FamilyPrefix(AF_INET), out.port, out.address);
  return true;
}

bool DecodeInet6(const sockaddr_storage& ss, size_t len, SockAddr& out) {
  // RFC 2133's sockaddr_in6 had no sin6_scope_id; the kernel accepts both.
  if (len < offsetof(sockaddr_in6, sin6_scope_id)) return false;
  const auto sin6 = As<sockaddr_in6>(ss);
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &sin6.sin6_addr, buf, sizeof buf);
  out.address = buf;
  out.port = ntohs(sin6.sin6_port);
  out.text = fmt::format(
      "{}, sin6_port=htons({}), sin6_flowinfo=htonl({}), inet_pton(AF_INET6, \"{}\", &sin6_addr)",
      FamilyPrefix(AF_INET6), out.port, ntohl(sin6.sin6_flowinfo), out.address);
  if (len >= sizeof(sockaddr_in6)) out.text += fmt::format(", sin6_scope_id={}", sin6.sin6_scope_id);
  out.text += "}";
  return true;
}

bool DecodeUnix(const sockaddr_storage& ss, size_t len, SockAddr& out) {
  const auto sun = As<sockaddr_un>(ss);
  size_t path_len = std::min(len - offsetof(sockaddr_un, sun_path), sizeof(sun.sun_path));
  std::string_view path(sun.sun_path, path_len);
  if (path.empty()) {  // unnamed (socketpair, unbound): only the family
    out.address = "";
    out.text = FamilyPrefix(AF_UNIX) + "}";
  } else if (path[0] == '\0') {
    // Abstract: the name is every byte after the NUL up to addrlen, NULs
    // included; nothing terminates it.
    std::string_view name = path.substr(1);
    out.address = "@" + std::string(name);
    out.text = fmt::format("{}, sun_path=@\"{}\"}}", FamilyPrefix(AF_UNIX), EscapeBytes(name));
  } else {
    out.address = std::string(path.substr(0, path.find('\0')));
    out.text = fmt::format("{}, sun_path=\"{}\"}}", FamilyPrefix(AF_UNIX), EscapeBytes(out.address));
  }
  return true;
}

bool DecodeNetlink(const sockaddr_storage& ss, size_t len, SockAddr& out) {
  if (len < sizeof(sockaddr_nl)) return false;
  const auto nl = As<sockaddr_nl>(ss);
  out.address = fmt::format("pid={},groups={:#x}", nl.nl_pid, nl.nl_groups);
  out.text = fmt::format("{}, nl_pid={}, nl_groups={:08x}}}", FamilyPrefix(AF_NETLINK),
                         nl.nl_pid, nl.nl_groups);
  return true;
}

struct FamilyEntry {
  int family;
  FamilyDecoder decode;
};
constexpr FamilyEntry kFamilies[] = {
    {AF_INET, DecodeInet},
    {AF_INET6, DecodeInet6},
    {AF_UNIX, DecodeUnix},
    {AF_NETLINK, DecodeNetlink},
};

// Any other family, or a known one cut short: the family and the raw bytes.
void DecodeGeneric(const sockaddr_storage& ss, size_t len, SockAddr& out) {
  std::string_view data(reinterpret_cast<const char*>(&ss) + sizeof(sa_family_t),
                        len - sizeof(sa_family_t));
  out.address = "";
  out.text = fmt::format("{}, sa_data=\"{}\"}}", FamilyPrefix(out.family), EscapeBytes(data));
}

}  // namespace

SockAddr DecodeSockAddr(const void* data, size_t len) {
  SockAddr out;
  if (data == nullptr || len < sizeof(sa_family_t)) {
    out.unreadable = true;
    out.text = fmt::format("<short sockaddr: {} bytes>", data ? len : 0);
    return out;
  }
  sockaddr_storage ss{};
  len = std::min(len, sizeof ss);
  std::memcpy(&ss, data, len);
  out.family = ss.ss_family;
  for (const FamilyEntry& f : kFamilies)
    if (f.family == out.family && f.decode(ss, len, out)) return out;
  DecodeGeneric(ss, len, out);
  return out;
}

SockAddr ReadSockAddr(MemoryReader& mem, uint64_t addr, uint64_t len) {
  SockAddr out;
  if (addr == 0) {
    out.unreadable = true;
    out.text = "NULL";
    return out;
  }
  // Lengths come from the tracee and may be garbage: read at most a
  // sockaddr_storage, which every family fits in.
  sockaddr_storage ss{};
  size_t want = std::min<uint64_t>(len, sizeof ss);
  size_t got = want ? mem.Read(addr, &ss, want) : 0;
  if (want > 0 && got == 0) {
    out.unreadable = true;
    out.text = fmt::format("<unreadable {:#x}>", addr);
    return out;
  }
  return DecodeSockAddr(&ss, got);
}

}  // namespace warden::syscalls

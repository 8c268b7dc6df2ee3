#include "learn/event_observer.h"

#include <sys/socket.h>

#include "learn/file_access.h"

namespace warden::learn {
namespace {

using policy::Protocol;

struct Name {
  std::string_view text;
  int value;
};
// The families observations keep, by the names the recorder stores.
constexpr Name kFamilies[] = {{"AF_INET", AF_INET}, {"AF_INET6", AF_INET6}};
constexpr Name kProtocols[] = {{"SOCK_STREAM", static_cast<int>(Protocol::kTcp)},
                               {"SOCK_DGRAM", static_cast<int>(Protocol::kUdp)}};

// What a network op is: the calls with a peer address, and the others.
enum class NetOp : uint8_t { kNone, kConnect, kBind, kListen, kAccept };
struct NetOpName {
  std::string_view op;
  NetOp what;
};
constexpr NetOpName kNetOps[] = {
    {"connect", NetOp::kConnect}, {"sendto", NetOp::kConnect}, {"sendmsg", NetOp::kConnect},
    {"sendmmsg", NetOp::kConnect}, {"bind", NetOp::kBind},     {"listen", NetOp::kListen},
    {"accept", NetOp::kAccept},   {"accept4", NetOp::kAccept},
};

template <typename T, size_t N, typename V>
std::optional<V> Find(const T (&table)[N], std::string_view key, V T::*field) {
  for (const auto& row : table)
    if (row.text == key) return row.*field;
  return std::nullopt;
}

NetOp NetOpOf(std::string_view op) {
  for (const auto& n : kNetOps)
    if (n.op == op) return n.what;
  return NetOp::kNone;
}

Protocol ProtocolOf(std::string_view sock_type) {
  // "SOCK_STREAM", possibly with flags after a '|'.
  auto v = Find(kProtocols, sock_type.substr(0, sock_type.find('|')), &Name::value);
  return v ? static_cast<Protocol>(*v) : Protocol::kAny;
}

}  // namespace

absl::Status EventObserver::Add(const RecordedEvent& e) {
  switch (e.kind) {
    case EventKind::kProcess:
      ports().Start(e.pid, e.ppid, e.tgid, e.is_thread);
      return absl::OkStatus();
    case EventKind::kExec:
      if (!InWindow(e.ts_ns)) return absl::OkStatus();
      return Emit(e, Kind::kExec, e.path);
    case EventKind::kFile:
      return AddFile(e);
    case EventKind::kNet:
      return AddNet(e);
  }
  return absl::OkStatus();
}

absl::Status EventObserver::AddFile(const RecordedEvent& e) {
  if (!InWindow(e.ts_ns)) return absl::OkStatus();
  const FileAccessOf a = FileAccessOfEvent(e.syscall, e.op, e.flags);
  if (a.Reads())
    if (auto s = Emit(e, Kind::kFileRead, e.path); !s.ok()) return s;
  if (a.Writes())
    if (auto s = Emit(e, Kind::kFileWrite, e.path); !s.ok()) return s;
  if (a.writes_path2 && !e.path2.empty()) return Emit(e, Kind::kFileWrite, e.path2);
  return absl::OkStatus();
}

absl::Status EventObserver::AddNet(const RecordedEvent& e) {
  const NetOp op = NetOpOf(e.op);
  const auto family = Find(kFamilies, e.family, &Name::value);
  if (op == NetOp::kNone || !family) return absl::OkStatus();
  const int tgid = ports().Tgid(e.pid);
  int port = e.port;
  switch (op) {
    case NetOp::kBind:
      if (e.err == 0) ports().Bind(tgid, e.fd, e.port);
      break;
    case NetOp::kListen:
      if (e.err == 0) ports().Listen(tgid, e.fd, e.port);
      return absl::OkStatus();
    case NetOp::kAccept:
      port = ports().LocalPort(tgid, e.fd);
      break;
    default:
      break;
  }
  // No address: a send on a connected socket, a failed accept.
  if (e.address.empty() || !InWindow(e.ts_ns)) return absl::OkStatus();
  Observation o;
  o.kind = op == NetOp::kConnect ? Kind::kConnect
           : op == NetOp::kBind  ? Kind::kListen
                                 : Kind::kAccept;
  o.program = e.exe;
  o.family = *family;
  o.address = e.address;
  o.port = port;
  o.protocol = ProtocolOf(e.sock_type);
  o.ts_ns = e.ts_ns;
  o.err = e.err;
  o.action = policy::ParseAction(e.action).value_or(policy::Action::kAllow);
  o.run = run_;
  return sink_.Add(o);
}

absl::Status EventObserver::Emit(const RecordedEvent& e, Kind kind, std::string_view path) {
  Observation o;
  o.kind = kind;
  o.program = e.exe;
  o.path = path;
  o.ts_ns = e.ts_ns;
  o.err = e.err;
  o.action = policy::ParseAction(e.action).value_or(policy::Action::kAllow);
  o.run = run_;
  return sink_.Add(o);
}

}  // namespace warden::learn

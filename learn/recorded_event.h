// One recorded event as both readers of recordings (a database, an NDJSON
// export) hand it on: the columns of the processes, exec_events,
// file_events and net_events rows (the export's fields of the same names),
// only those that observations need. Text is borrowed from the reader and
// valid until its next row.
#ifndef WARDEN_LEARN_RECORDED_EVENT_H_
#define WARDEN_LEARN_RECORDED_EVENT_H_

#include <cstdint>
#include <string_view>

namespace warden::learn {

enum class EventKind : uint8_t { kProcess, kExec, kFile, kNet };

struct RecordedEvent {
  EventKind kind = EventKind::kFile;
  int64_t ts_ns = 0;
  int pid = 0;
  std::string_view exe;
  // kProcess (a start).
  int ppid = 0, tgid = 0;
  bool is_thread = false;
  // kExec: path; kFile: syscall, op, flags, path, path2.
  std::string_view syscall, op, flags, path, path2;
  // kNet: op (connect, bind, ...), family, sock_type, address, port, fd.
  std::string_view family, sock_type, address;
  int port = -1, fd = -1;
  // kExec, kFile, kNet.
  int err = 0;
  std::string_view action;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_RECORDED_EVENT_H_

// One recorded event as both readers of recordings (a database, an NDJSON
// export, PostgreSQL) hand it on: the columns of the processes,
// exec_events, file_events and net_events rows (the export's fields of the
// same names), only those that observations (learn, expect, verify) and the
// profile need. Text is borrowed from the reader and valid until its next
// row.
#ifndef WARDEN_LEARN_RECORDED_EVENT_H_
#define WARDEN_LEARN_RECORDED_EVENT_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"

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
  // kNet: op (connect, bind, ...), family, sock_type, direction
  // ("outbound", "inbound", "local"), address, port (-1: none, as for
  // AF_UNIX), fd (-1: none).
  std::string_view family, sock_type, direction, address;
  int port = -1, fd = -1;
  // kExec, kFile, kNet: the call's errno (0: none), its return value (unset
  // when not recorded: `warden run --no-results`, a process that died in
  // the call), and the policy's verdict ("allow", "deny", ...).
  int err = 0;
  std::optional<int64_t> result;
  std::string_view action;
};

// Where a source (event_source.h) hands the events of its runs, a run at a
// time: EventObserver (observations for learn, expect, verify), the
// profile's builder.
class RecordedEventSink {
 public:
  virtual ~RecordedEventSink() = default;
  // The events that follow are of runs[run] (an index into the runs the
  // source's SelectRuns returned).
  virtual void SetRun(uint32_t run) = 0;
  virtual absl::Status Add(const RecordedEvent& e) = 0;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_RECORDED_EVENT_H_

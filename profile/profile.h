// The runtime profile of recorded runs (`warden profile`): what they read,
// wrote and executed, the programs they ran, their ports and peers, and
// whether recording has finished. Built from any source of runs
// (learn/event_source.h) by ProfileBuilder (profile_builder.h); of several
// runs, the union: counts summed, first seen the earliest, last seen the
// latest, programs merged.
//
// Only successful calls count: errno 0 and a result >= 0 or none recorded
// (`warden run --no-results`); a non-blocking connect that returned
// EINPROGRESS counts as an access.
#ifndef WARDEN_PROFILE_PROFILE_H_
#define WARDEN_PROFILE_PROFILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "learn/observation.h"

namespace warden::profile {

struct FileUse {
  std::string path;
  int64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
  std::vector<std::string> programs;  // distinct exe values, sorted
};
struct ProgramRun {
  std::string path;  // what was exec'd (exec_events.path)
  int64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
};
struct NetUse {
  std::string family, sock_type, address;
  std::optional<int64_t> port;  // unset for AF_UNIX and the like
  int64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
  std::vector<std::string> programs;
};
struct HostUse {
  std::string address;  // an IPv4 or IPv6 peer
  int64_t outbound = 0, inbound = 0;
  int64_t first_ns = 0, last_ns = 0;
  std::vector<std::string> programs;
};

// The file ops of each class: read; written (kWrittenOps); executed (exec).
// stat, access, readlink and the like are in no class.
enum class FileClass : uint8_t { kRead, kWritten, kExecuted, kNone };
inline constexpr std::string_view kWrittenOps[] = {
    "write", "create", "truncate", "unlink", "rmdir", "mkdir", "rename",
    "link",  "symlink", "chmod",   "chown",  "utime", "mknod"};
FileClass FileClassOf(std::string_view op);

// "finished", "interrupted (warden died)" (no end, and no warden records
// it), "not started" (no process recorded yet), "in progress".
std::string RunStatus(const learn::RunRef& run);

struct Profile {
  // The runs profiled, in the order of the selection (at least one).
  std::vector<learn::RunRef> runs;
  // One run: its id, command, times, exit and status. Several: run 0,
  // argv_json "", the earliest start, the latest end (unset while one has
  // none), no exit, status the runs' statuses counted ("finished" when all
  // have finished, else e.g. "2 finished, 1 in progress").
  int64_t run = 0;
  std::string argv_json;
  int64_t start_ns = 0;
  std::optional<int64_t> end_ns;
  std::optional<int64_t> exit_code, exit_signal;
  std::string status;
  int64_t processes = 0;  // rows in processes (threads included), summed
  // Successful io_uring_setup calls: work done through those rings is not
  // in the profile (warden(1), BUGS AND LIMITS).
  int64_t io_uring_rings = 0;
  // Sorted by path.
  std::vector<FileUse> read, written, executed;
  std::vector<ProgramRun> programs;  // successful execs, by path
  // listen, and bind to a port other than 0 (AF_UNIX binds too); sorted by
  // port (none first), address, family, type.
  std::vector<NetUse> listening;
  // outbound peers: connect, sendto, sendmsg with an address; same order.
  std::vector<NetUse> accessed;
  // IPv4/IPv6 peers in either direction, by address.
  std::vector<HostUse> hosts;
};

}  // namespace warden::profile

#endif  // WARDEN_PROFILE_PROFILE_H_

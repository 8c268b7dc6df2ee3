// What recorded runs did, in the terms a policy (warden-policy(5)) and an
// expected profile (warden-expect(5)) speak: which program read, wrote or
// executed which file, connected to which peer, listened on which port,
// accepted which peer. `learn`, `expect` and `verify` all start here, so
// one definition of "what counts" serves all three, whether the events come
// from a database (observe_db.h) or from an NDJSON export (observe_ndjson.h).
//
// What becomes an observation (the same calls the live policy gate judges):
//  - file_events whose call reads or writes a file as file-read / file-write
//    rules see it: opens by their flags (O_RDWR and O_CREAT|O_RDONLY give a
//    read and a write), creat, and the modifying ops (unlink, rmdir, mkdir,
//    mknod, rename and link (both paths), symlink (the link), chmod, chown,
//    truncate, utime, the xattr writes). stat, access, readlink, chdir and
//    the like are not judged by file rules and are not observations.
//  - exec_events: `program` is the image that called execve, `path` the file
//    it named (every attempt of a PATH search is one).
//  - net_events of AF_INET / AF_INET6 sockets: connect, and sendto /
//    sendmsg / sendmmsg with an address (kConnect); bind (kListen, the local
//    address and port, 0 when the kernel chose); accept / accept4 (kAccept:
//    the peer, and the local port it was accepted on).
// Failed calls count: a program that tried to open a missing file will try
// again, and a policy that denied it would change the errno it sees.
#ifndef WARDEN_LEARN_OBSERVATION_H_
#define WARDEN_LEARN_OBSERVATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "policy/policy.h"

namespace warden::learn {

enum class Kind : uint8_t { kFileRead, kFileWrite, kExec, kConnect, kListen, kAccept };
inline constexpr Kind kAllKinds[] = {Kind::kFileRead, Kind::kFileWrite, Kind::kExec,
                                     Kind::kConnect,  Kind::kListen,    Kind::kAccept};

// "file-read", "file-write", "exec", "connect", "listen", "accept".
std::string_view KindName(Kind k);
std::optional<Kind> ParseKind(std::string_view name);

// One run that observations came from: a run of one database file (or of an
// NDJSON export, where `db` is the export's file name; of PostgreSQL, where
// it names the store). The fields after policy_mode are the run's metadata a
// profile shows (a source fills them; an NDJSON export has none of them).
struct RunRef {
  std::string db;
  int64_t run = 0;
  int64_t start_ns = 0;
  std::optional<int64_t> end_ns;
  uint64_t lost_events = 0;  // events the run could not record
  std::string policy_mode;   // "active", "permissive", "inactive", "" without a policy
  std::string argv_json;     // the command, a JSON array of strings ("" when unknown)
  std::optional<int64_t> exit_code, exit_signal;  // of the run's first process
  // No end, and no warden records it any more (store/run_lock.h: warden
  // was killed, its machine or container went away).
  bool interrupted = false;
  int64_t processes = 0;       // rows in processes (threads included, started or not)
  int64_t io_uring_rings = 0;  // successful io_uring_setup calls (syscall events)
};

// One observed call.
struct Observation {
  Kind kind = Kind::kFileRead;
  std::string_view program;  // the caller's executable (exe)
  std::string_view path;     // file-read, file-write: the file; exec: the file executed
  int family = 0;            // network kinds: AF_INET or AF_INET6
  std::string_view address;  // kConnect, kAccept: the peer; kListen: the local address
  int port = -1;             // kConnect: peer port; kListen: local port (0: any);
                             // kAccept: the local port (-1 when unknown)
  policy::Protocol protocol = policy::Protocol::kAny;  // from the socket type
  int64_t ts_ns = 0;         // nanoseconds since the epoch
  int err = 0;               // the call's errno (0: it succeeded)
  policy::Action action = policy::Action::kAllow;  // the verdict recorded with it
  uint32_t run = 0;          // index into the runs given to the sink
};

// Receives what a reader finds: every run first (in the order of the
// selection), then the observations of those runs, in time order per run.
// The string_views of an Observation are valid only during the call.
class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  virtual absl::Status Runs(const std::vector<RunRef>& runs) = 0;
  virtual absl::Status Add(const Observation& o) = 0;
};

// Which runs to read. Databases and runs: every `runs` id in each of `dbs`
// (NotFound when one of them lacks it); no `runs`: the last run of each
// database, or with a window, every run that has events in it. `from_ns` /
// `to_ns` (inclusive, ns since the epoch) keep only the events inside.
struct Selection {
  std::vector<std::string> dbs;
  // Instead of dbs: the runs shipped to PostgreSQL at pg_url (`warden ship`)
  // whose labels include all of `labels` (fleet/pg_source.h; cli/source.h
  // opens the one or the other).
  std::string pg_url;
  std::map<std::string, std::string> labels;
  std::vector<int64_t> runs;
  std::optional<int64_t> from_ns, to_ns;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_OBSERVATION_H_

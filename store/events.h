// What the supervisor records: one struct per kind of event. The store
// (store.h) writes them to SQLite on a writer thread; export.h reads them
// back. Timestamps are nanoseconds since the Unix epoch (CLOCK_REALTIME).
#ifndef WARDEN_STORE_EVENTS_H_
#define WARDEN_STORE_EVENTS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "syscalls/decode.h"
#include "syscalls/syscall_table.h"

namespace warden::store {

struct RunInfo {
  std::vector<std::string> argv;  // the command warden ran
  std::string cwd;
  std::string host;
  std::string warden_version;
  int64_t start_ns = 0;
  std::string policy;        // policy name, "" without --policy
  std::string policy_mode;   // active / permissive / inactive, "" without
  std::string uuid;          // "": BeginRun makes one (run_identity.h)
  std::map<std::string, std::string> labels;  // run_identity.h; host added when missing
};

struct RunEnd {
  int64_t end_ns = 0;
  int exit_code = -1;    // exit status of the main child, or 128+N
  int exit_signal = 0;   // N when the main child died of signal N
  // Events the caller lost before Submit (e.g. the tracer could not read
  // them); FinishRun adds the store's own losses and records the total.
  uint64_t lost_events = 0;
  // Times a tracee stopped in warden (seccomp, syscall-exit and ptrace
  // event stops): a call decided in BPF causes none.
  uint64_t stops = 0;
};

struct ProcessStart {
  int64_t ts_ns = 0;
  int pid = 0;
  int ppid = 0;
  bool is_thread = false;  // a CLONE_THREAD child (pid is the tid; tgid below)
  int tgid = 0;
  std::string exe;
  std::vector<std::string> argv;
  std::string cwd;
};

// A successful exec: the process row now names the new image. Every image
// stays visible in exec_events.
struct ProcessExec {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;
  std::vector<std::string> argv;
};

struct ProcessEnd {
  int64_t ts_ns = 0;
  int pid = 0;
  std::optional<int> exit_code;    // set when the process exited
  std::optional<int> term_signal;  // set when a signal killed it
};

// Raw event for one watched syscall, with decoded arguments.
struct SyscallEvent {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;
  std::string abi;         // "x86_64" or "i386"
  int nr = 0;
  std::string name;        // syscall name
  std::string args;        // decoded argument list, strace style, no parens
  std::optional<int64_t> result;  // return value when known (>= 0)
  int err = 0;             // errno when the call failed (result is -1)
  std::string action;      // "allow", "deny", "kill", "monitor"
  std::string rule;        // rule that decided, "" for the default
};

struct FileEvent {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;         // the program the process was running
  std::string syscall;
  std::string path;        // absolute, resolved against dirfd or cwd
  std::string op;          // read, write, create, truncate, exec, stat, ...
  std::string flags;       // decoded flags, "" when none
  std::optional<int64_t> result;
  int err = 0;
  std::string path2;       // second path: rename / link / symlink target
  std::string action = "allow";  // the policy's verdict (see SyscallEvent)
  std::string rule;
  // The path as the program named it, when it differs from `path` (the
  // file found: a symlink on the way, /proc/self); "" otherwise.
  std::string named;
};

struct ExecEvent {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;         // the program the process was running
  std::string path;        // absolute path as given to execve
  std::vector<std::string> argv;
  std::vector<std::string> envp;  // only with --record-env
  bool argv_truncated = false;
  std::optional<int64_t> result;
  int err = 0;
  std::string action = "allow";
  std::string rule;
};

struct NetEvent {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;         // the program the process was running
  std::string syscall;     // connect, bind, listen, accept, accept4, sendto, sendmsg, recvfrom, socket
  std::string op;          // same as syscall except "socket"
  std::string family;      // "AF_INET", ...
  std::string sock_type;   // "SOCK_STREAM", ...
  std::string direction;   // "outbound" (connect/sendto), "inbound" (accept/recvfrom), "local" (bind/listen)
  std::string address;     // peer or local address
  int port = -1;
  int fd = -1;
  std::optional<int64_t> result;
  int err = 0;
  std::string action = "allow";
  std::string rule;
};

// A policy hit: a call a rule decided, or a category default that is not
// allow (warden-policy(5)). Written when the log mode records hits of its
// action, whatever the behaviour events say.
struct PolicyEvent {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;
  std::string abi;
  int nr = 0;
  std::string syscall;
  std::string args;        // decoded, strace style
  std::string action;      // allow, deny, monitor, kill
  std::string rule;        // rule name, "default:file", "warden:no-ptrace", ...
  std::string mode;        // active or permissive
  bool enforced = true;    // false in permissive mode (what would have happened)
  // What kind of call it was, as rule types name them: network-outbound,
  // network-inbound, file-read, file-write, exec, or syscall for calls of
  // none of those (a syscall rule on openat still records file-read).
  std::string category;
  std::string target;      // path, "address:port", program executed; "" for other calls
  std::optional<int64_t> result;  // as the program saw it
  int err = 0;
};

// A policy loaded or reloaded for the run (warden run --policy/--reload).
struct PolicyChange {
  int64_t ts_ns = 0;
  std::string source;      // file path
  std::string name;        // policy name ("" when refused)
  bool accepted = true;
  std::string message;     // why refused; "" when accepted
};

// One traced call, whole, as the supervisor hands it over: the writer makes
// one calls row of it (with a nets row for a network part) and, when it has
// them, an exec_events and a policy_events row. The arguments travel as
// data (registers and what they pointed to, copied at the stop) and become
// text on the writer's thread, not the tracer's.
struct CallRecord {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;
  int nr = 0;
  const syscalls::SyscallDef* def = nullptr;  // null: a number no table names
  syscalls::CapturedArgs args;                // args.abi is the call's ABI
  std::optional<int64_t> result;              // as SyscallEvent; none: never returned
  int err = 0;
  std::string_view action = "allow";          // a policy::ActionName (static text)
  std::string rule;
  bool behavior = true;  // write the syscall, file, exec and network parts
  struct File {
    std::string_view syscall;  // the call's name (socketcall: its own)
    std::string path, path2;
    std::string named;         // FileEvent::named
    std::string_view op;       // static text: "read", "stat", ...
    std::string (*flags_text)(uint64_t) = nullptr;  // a syscalls::Decode*Flags; null: no flags
    uint64_t flags = 0;
  };
  // The rarer parts live apart: a record waits in the store's queue, whose
  // slots are as big as the biggest event.
  std::optional<File> file;
  std::shared_ptr<const ExecEvent> exec;  // ts, pid, exe, result, action and rule: filled in by the writer
  std::shared_ptr<const NetEvent> net;    // likewise
  // A policy hit: filled in likewise, with the formatted arguments.
  struct Hit {
    std::string_view mode;  // "active" / "permissive"
    bool enforced = true;
    std::string category;
    std::string target;
  };
  std::shared_ptr<const Hit> hit;
};

// The events of the parts of `c`, as the writer stores them.
SyscallEvent SyscallPart(const CallRecord& c);
FileEvent FilePart(const CallRecord& c);
ExecEvent ExecPart(const CallRecord& c);
NetEvent NetPart(const CallRecord& c);
PolicyEvent HitPart(const CallRecord& c, const std::string& args);

using Event = std::variant<ProcessStart, ProcessExec, ProcessEnd, SyscallEvent, FileEvent,
                           ExecEvent, NetEvent, PolicyEvent, PolicyChange, CallRecord>;

}  // namespace warden::store

#endif  // WARDEN_STORE_EVENTS_H_

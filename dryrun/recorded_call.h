// A recorded call as the dry run reads it back: the parts the views
// file_events, net_events and syscall_events hold of one call (warden-db(5)),
// put together again, and the process rows that say who forked whom.
#ifndef WARDEN_DRYRUN_RECORDED_CALL_H_
#define WARDEN_DRYRUN_RECORDED_CALL_H_

#include <cstdint>
#include <optional>
#include <string>

namespace warden::dryrun {

struct SysPart {
  std::string abi;  // "x86_64" or "i386"
  int nr = 0;
  std::string name;
  std::string args;  // decoded, strace style
  std::optional<int64_t> result;
  int err = 0;
};

struct FilePart {
  std::string syscall;
  std::string path;  // absolute; "<...>" marker when unreadable
  std::string op;
  std::string flags;  // decoded: "O_RDWR|O_CREAT"
  std::string path2;
  std::optional<int64_t> result;
  std::string named;  // the path as the program named it, when not `path` (version 6)
};

struct NetPart {
  std::string syscall;  // connect, bind, listen, accept, ... (socketcall's inner call)
  std::string family;   // "AF_INET"
  std::string sock_type;  // "SOCK_STREAM"
  std::string address;  // peer (connect, sendto, accept), local (bind, listen)
  int port = -1;
  int fd = -1;  // the socket (accept: the listening one)
  std::optional<int64_t> result;
};

// One call: any part may be missing, not all.
struct RecordedCall {
  int64_t ts_ns = 0;
  int pid = 0;  // the thread's id
  std::string exe;
  std::string rule;  // the verdict recorded with it; "" when none
  std::optional<SysPart> sys;
  std::optional<FilePart> file;
  std::optional<NetPart> net;
};

// A processes row: a thread (is_thread) joins its group `tgid`.
struct ProcessRow {
  int64_t start_ns = 0;
  int pid = 0;
  int ppid = 0;
  int tgid = 0;
};

}  // namespace warden::dryrun

#endif  // WARDEN_DRYRUN_RECORDED_CALL_H_

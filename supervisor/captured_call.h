// One watched syscall as the capture step read it at its seccomp stop:
// registers and what they point to, copied out of the tracee once. Made
// once per stop and not changed afterwards; the steps after it (resolve,
// gate, recorder) only read it.
#ifndef WARDEN_SUPERVISOR_CAPTURED_CALL_H_
#define WARDEN_SUPERVISOR_CAPTURED_CALL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/effects.h"
#include "syscalls/decode.h"
#include "syscalls/syscall_table.h"

namespace warden::supervisor {

// A path argument as the program wrote it, not yet resolved.
struct RawPath {
  bool present = false;  // the effect row names this argument
  bool ok = false;       // read whole; false: `text` is a marker ("<unreadable 0x..>")
  bool null = false;     // a NULL pointer (the effect row says what that means)
  std::string text;
};

struct CapturedCall {
  syscalls::Abi abi = syscalls::Abi::kX86_64;
  bool x32 = false;  // an x32 number (never allowed to run)
  int nr = -1;
  const syscalls::SyscallDef* def = nullptr;  // null: a number no table names
  const EffectRow* effect = nullptr;          // null: a raw event only
  // i386 socketcall: the socket call it carried; `args` and `effect` are
  // that call's, `def` and `raw` stay socketcall's.
  const syscalls::SyscallDef* demuxed = nullptr;
  std::array<uint64_t, 6> args{};  // normalised for the ABI
  syscalls::CapturedArgs raw;       // the call's own arguments, as data, for its record
  int64_t ts_ns = 0;
  std::string exe;  // the caller's image (an exec changes it mid-call)

  RawPath path, path2;  // the effect row's path arguments
  uint64_t open_flags = 0;  // open/openat/openat2 flags (openat2: from open_how)
  uint64_t resolve = 0;     // openat2: open_how.resolve (RESOLVE_IN_ROOT, ...)
  bool cloexec = false;     // the new fd gets FD_CLOEXEC
  std::string_view op;      // the file op: the row's, or from the open flags
  std::string (*flags_text)(uint64_t) = nullptr;  // how the file event shows `flags`
  uint64_t flags = 0;

  syscalls::SockAddr addr;  // connect / bind / sendto / sendmsg (sendmmsg: the first)
  bool has_addr = false;
  std::vector<syscalls::SockAddr> msg_addrs;  // sendmmsg: each message's address

  std::vector<std::string> argv, envp;  // execve / execveat
  bool argv_truncated = false;
  std::optional<uint64_t> clone3_flags;  // clone3: clone_args.flags, when readable
  // open_by_handle_at: the struct file_handle, copied whole (header and
  // f_handle); empty when unreadable.
  std::string file_handle;

  Effect effect_kind() const { return effect ? effect->effect : Effect::kNone; }
  // The name the file and network parts use (socketcall: the call it carried).
  std::string_view callee_name() const;
  bool never_returns() const;  // exit, exit_group
};

// The resolve step's answer for a captured call (supervisor/resolve.h).
struct ResolvedPaths {
  // Absolute and normalised; a marker ("<unreadable 0x..>") when the
  // program's text could not be read whole; "" when the call names no file.
  std::string path;
  std::string path2;  // rename / link target; symlink(2)'s text as written
  // `path` as the program named it (made absolute, not followed), when
  // that differs from the file found (a symlink on the way, /proc/self):
  // /etc/localtime for /usr/share/zoneinfo/Etc/UTC. "" otherwise.
  std::string named;
  // A relative AF_UNIX address made absolute against the cwd; "" otherwise.
  std::string unix_address;
  // An exec of the dynamic loader as a program runner
  // (ld-linux-x86-64.so.2 [OPTIONS] PROG ...): PROG, absolute; "" otherwise.
  std::string loaded_program;
  // open_by_handle_at: the file the handle names (Resolver::HandlePath).
  std::string handle_path;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_CAPTURED_CALL_H_

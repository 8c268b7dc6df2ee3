// Turns one watched syscall into records: at the seccomp stop it reads what
// only the entry can see (paths, addresses, argv); at the exit stop it
// applies the call to the fd table and cwd and writes the file, exec,
// network and raw events.
#ifndef WARDEN_SUPERVISOR_SYSCALL_RECORDER_H_
#define WARDEN_SUPERVISOR_SYSCALL_RECORDER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.h"
#include "supervisor/tracee.h"

namespace warden::supervisor {

int64_t NowNs();

struct RecorderOptions {
  bool record_env = false;
};

class SyscallRecorder {
 public:
  SyscallRecorder(store::Store* store, RecorderOptions options)
      : store_(store), options_(options) {}

  // At the seccomp stop. Fills t.call from the registers and tracee memory.
  void OnEntry(Tracee& t, syscalls::Abi abi, int nr, const uint64_t args[6]);
  // At the exec event: the new image is in place.
  void OnExecSuccess(Tracee& t);
  // At the exit stop (or right after entry for calls that never return).
  void OnExit(Tracee& t, int64_t ret);
  // The task vanished (SIGKILL, exec of another thread) inside the call:
  // record it without a result.
  void FinishWithoutResult(Tracee& t);
  // A call that warden refused before it ran.
  void RecordDenied(Tracee& t, int err);
  // The policy event of a hit (t.call.record_hit), with the call's result.
  void RecordHit(const Tracee& t, int64_t ret);

  // The absolute path of `fd` in `t`, from the fd table or /proc.
  std::string FdPath(const Tracee& t, int fd) const;

  // The path argument `index` of the pending call, absolute: resolved
  // against the dirfd argument just before it (the *at convention) or the
  // cwd. nullopt when it cannot be read whole.
  std::optional<std::string> ResolvePathArg(Tracee& t, int index);

 private:
  std::string ResolveAt(Tracee& t, int dirfd_index, const std::string& raw);
  std::string ResolveAgainstBase(Tracee& t, int dirfd_index, const std::string& raw);
  std::string ReadPath(syscalls::MemoryReader& mem, uint64_t addr, bool* ok);
  std::string CapturePath(Tracee& t, syscalls::MemoryReader& mem, const EffectRow& e);
  void CapturePaths(Tracee& t, syscalls::MemoryReader& mem);
  void CaptureNet(Tracee& t, syscalls::MemoryReader& mem);
  static void DemuxSocketcall(PendingCall& c, syscalls::MemoryReader& mem);
  void FinishFile(Tracee& t, int64_t ret);
  void FinishState(Tracee& t, int64_t ret);
  void FinishNet(Tracee& t, int64_t ret);
  void RecordRaw(Tracee& t, int64_t ret);
  static bool NeedsResult(const PendingCall& c);

  store::Store* store_;
  RecorderOptions options_;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_SYSCALL_RECORDER_H_

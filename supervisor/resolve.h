// The resolve step of a stop: the files a captured call names, found as the
// kernel will find them (object_path.h), from its dirfd or cwd, and, at the call's exit, what the call
// did to the per-process state those answers come from (fd table, cwd).
//
// Where the answers come from, and why:
//  - a dirfd's path is read from /proc/PID/fd at use: close(2) and
//    fcntl(F_DUPFD) are not traced (they are the most frequent calls of
//    directory walkers: in `find /usr` 90% of the dirfds used are numbers
//    an untraced F_DUPFD_CLOEXEC reassigned), so a table entry can be stale;
//    the table answers when /proc cannot (the task is gone);
//  - the cwd comes from the state tracked at chdir/fchdir, read from the
//    kernel there, unless a rename may have moved one of its directories
//    since (then from /proc/PID/cwd again) or the caller needs the kernel's
//    own view (a verdict on a path, `kernel_view`).
#ifndef WARDEN_SUPERVISOR_RESOLVE_H_
#define WARDEN_SUPERVISOR_RESOLVE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "supervisor/capture.h"
#include "supervisor/captured_call.h"
#include "supervisor/tracee.h"  // ResolvedPaths: captured_call.h

namespace warden::supervisor {

class Resolver {
 public:
  // `kernel_view`: the cwd from /proc even when the tracked one is current.
  ResolvedPaths Resolve(Tracee& t, const CapturedCall& c, bool kernel_view);

  // The absolute path of `fd` in `t`: /proc first, then the fd table.
  std::string FdPath(const Tracee& t, int fd) const;

  // open_by_handle_at: the file the handle names, found the way the kernel
  // will (warden opens the handle itself, O_PATH, on the caller's mount
  // descriptor), so that the verdict comes before the call runs. nullopt
  // when it cannot be found.
  std::optional<std::string> HandlePath(const Tracee& t, const CapturedCall& c) const;

  // String argument `index` (a path: absolute) for syscall rules' globs;
  // nullopt when it cannot be read whole.
  std::optional<std::string> ReadArg(Tracee& t, const CapturedCall& c, int index);

  // At the call's exit (or at the exec event): its effect on the fd table
  // and the cwd. `ret` < 0: nothing changes.
  void Apply(Tracee& t, const CapturedCall& c, const ResolvedPaths& p, const ExitFacts& f,
             int64_t ret);
  // A successful exec: close-on-exec descriptors go, a shared table is unshared.
  static void ApplyExec(Tracee& t);

  // listen(2) on an IP socket warden saw bound to port 0, or not bound:
  // the exit must ask the kernel which port it listens on.
  static bool ListenPortUnknown(const Tracee& t, const CapturedCall& c);

  // A cwd read from the kernel now (a new task's), current until a rename.
  void SetCwd(Tracee& t, const std::string& cwd);

 private:
  std::string Cwd(Tracee& t, bool kernel_view);
  std::string Base(Tracee& t, const CapturedCall& c, int dirfd_index, bool kernel_view);
  std::string ResolveAt(Tracee& t, const CapturedCall& c, int dirfd_index, const std::string& raw,
                        bool kernel_view);
  // The file `raw` names for the task (FindObject: symlinks, "..", its
  // root), the last symlink followed when `follow`; the name as written,
  // made absolute, into *named when it differs. Where the file cannot be
  // found (a missing directory), the text made absolute (ResolveAt).
  std::string Locate(Tracee& t, const CapturedCall& c, int dirfd_index, const std::string& raw,
                     bool follow, bool kernel_view, std::string* named);

  uint64_t renames_ = 0;  // successful renames seen in the whole tree
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_RESOLVE_H_

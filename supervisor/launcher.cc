#include "supervisor/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fmt/format.h"

namespace warden::supervisor {
namespace {

// Only async-signal-safe calls below: the parent may already run the
// store's writer thread when it forks.
void WriteErr(const char* a, const char* b, const char* c) {
  for (const char* s : {a, b, c}) {
    size_t n = strlen(s);
    while (n > 0) {
      ssize_t w = write(STDERR_FILENO, s, n);
      if (w <= 0) break;
      s += w;
      n -= static_cast<size_t>(w);
    }
  }
}

[[noreturn]] void ChildMain(int go_fd, char* const* argv, const seccomp::Filter& filter) {
  char go = 0;
  // Wait until the parent has seized us: nothing may run untraced.
  ssize_t n;
  do n = read(go_fd, &go, 1); while (n < 0 && errno == EINTR);
  close(go_fd);
  if (n != 1) _exit(126);
  int rc = filter.Load();
  if (rc != 0) {
    WriteErr("warden: cannot install the seccomp filter: ", strerror(-rc), "\n");
    _exit(126);
  }
  execvp(argv[0], argv);
  int err = errno;
  if (err == ENOENT || err == ENOTDIR) {
    WriteErr("warden: ", argv[0], ": command not found (check the name and PATH)\n");
    _exit(127);
  }
  WriteErr("warden: cannot execute ", argv[0], ": ");
  // The exec is judged like any other: a policy's exec rule or default may
  // be what refused it.
  WriteErr(strerror(err), " (check the file's execute permission, or the policy's exec rules)",
           "\n");
  _exit(126);
}

}  // namespace

long TraceOptions() {
  return PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
         PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
         PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
}

absl::StatusOr<pid_t> Launch(const std::vector<std::string>& argv,
                             const seccomp::Filter& filter) {
  if (argv.empty()) return absl::InvalidArgumentError("no command to run");
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0)
    return absl::InternalError(fmt::format("pipe: {}", strerror(errno)));
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(fmt::format("fork: {}", strerror(errno)));
  if (pid == 0) {
    close(go[1]);
    ChildMain(go[0], cargv.data(), filter);
  }
  close(go[0]);
  if (ptrace(PTRACE_SEIZE, pid, nullptr, TraceOptions()) != 0) {
    int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(go[1]);
    return absl::PermissionDeniedError(fmt::format(
        "cannot trace the child (PTRACE_SEIZE: {}); in a container add the SYS_PTRACE "
        "capability, or check /proc/sys/kernel/yama/ptrace_scope",
        strerror(err)));
  }
  char byte = 1;
  if (write(go[1], &byte, 1) != 1) {
    close(go[1]);
    return absl::InternalError(fmt::format("cannot start the child: {}", strerror(errno)));
  }
  close(go[1]);
  return pid;
}

}  // namespace warden::supervisor

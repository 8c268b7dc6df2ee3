#include "supervisor/entrypoint.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>

namespace warden::supervisor {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

std::atomic<pid_t> g_target{0};
std::atomic<unsigned> g_held{0};  // bit per signal that arrived before the child existed

// kill() is async-signal-safe, so the signal goes on from the handler
// itself: no window where it waits for the tracer's next event.
void Forward(int sig) {
  pid_t target = g_target.load();
  if (target > 0) {
    kill(target, sig);
  } else {
    g_held.fetch_or(1u << sig);
  }
}

}  // namespace

void InstallSignalForwarding() {
  struct sigaction sa {};
  sa.sa_handler = Forward;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : kForwarded) sigaction(sig, &sa, nullptr);
}

void SetForwardTarget(pid_t child) {
  g_target.store(child);
  unsigned held = g_held.exchange(0);
  for (int sig : kForwarded)
    if (held & (1u << sig)) kill(child, sig);
}

void BecomeSubreaper() {
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

}  // namespace warden::supervisor

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
void Forward(int sig, siginfo_t* info, void*) {
  pid_t target = g_target.load();
  if (target <= 0) {
    g_held.fetch_or(1u << sig);
    return;
  }
  // A terminal (Ctrl-C, Ctrl-\, a resize) signals its whole foreground
  // process group: when the child shares warden's group it has its own
  // copy already, and forwarding would deliver the signal twice.
  if (info != nullptr && info->si_code == SI_KERNEL && getpgid(target) == getpgrp()) return;
  kill(target, sig);
}

}  // namespace

void InstallSignalForwarding() {
  struct sigaction sa {};
  sa.sa_sigaction = Forward;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_SIGINFO;
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

// Container-entrypoint behaviour (after tini): forward the usual signals to
// the main child, and reap orphans as PID 1 or as a child subreaper.
#ifndef WARDEN_SUPERVISOR_ENTRYPOINT_H_
#define WARDEN_SUPERVISOR_ENTRYPOINT_H_

#include <sys/types.h>

namespace warden::supervisor {

// Installs handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
// and SIGWINCH. Until SetForwardTarget() names the child, signals are held
// and forwarded then. Call before Launch().
void InstallSignalForwarding();
void SetForwardTarget(pid_t child);

// Orphaned descendants are re-parented to warden (PID 1 already is their
// reaper; elsewhere PR_SET_CHILD_SUBREAPER makes warden one).
void BecomeSubreaper();

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_ENTRYPOINT_H_

// A recorded call as the policy judges it: the policy::Call the live gate
// would have built at the stop, rebuilt from what was recorded, with the
// same shared pieces (supervisor/effect_facts.h, policy/call_facts.h). What
// a recording does not hold is said, so that the caller can tell a verdict
// from a guess.
#ifndef WARDEN_DRYRUN_DESCRIBE_H_
#define WARDEN_DRYRUN_DESCRIBE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "dryrun/process_history.h"
#include "dryrun/recorded_call.h"
#include "policy/evaluate.h"
#include "supervisor/effects.h"

namespace warden::dryrun {

struct Described {
  policy::Call call;  // its views point into the RecordedCall and here
  const supervisor::EffectRow* effect = nullptr;
  std::string exec_path;  // the caller's, for call.exe_alias
  // Network facts the live gate asks the kernel for and a recording may
  // lack: accept's peer (recorded only when the program asked for it), its
  // local port (from a bind or listen of the socket in the run), the
  // socket's type.
  bool peer_unknown = false;
  bool port_unknown = false;
  bool protocol_unknown = false;
};

// Fills `out` for `r`; `history` gives the caller's exec path and
// listening ports as they were at the call.
void Describe(const RecordedCall& r, ProcessHistory& history, Described& out);


// The syscall name and argument text for a replay line: the syscall part's,
// or for a call recorded without one, its file or network part's.
std::string CallName(const RecordedCall& r);
std::string CallArgs(const RecordedCall& r);

}  // namespace warden::dryrun

#endif  // WARDEN_DRYRUN_DESCRIBE_H_

// What the gate (supervisor/policy_gate.h) decided about one call: what
// the tracer enforces and what the recorder records. Enums inside the
// program; the names are made only for the record.
#ifndef WARDEN_SUPERVISOR_DECISION_H_
#define WARDEN_SUPERVISOR_DECISION_H_

#include <string>

#include "policy/policy.h"

namespace warden::supervisor {

struct Decision {
  // What the tracer does now: kAllow (let it run; monitor and permissive
  // verdicts too), kDeny with `err`, or kKill.
  policy::Action enforce = policy::Action::kAllow;
  int err = 0;
  // What is recorded: the verdict's action and rule, even when not enforced.
  policy::Action action = policy::Action::kAllow;
  std::string rule;
  bool enforced = true;                       // false in permissive mode
  policy::Mode mode = policy::Mode::kActive;  // the mode it was judged in
  bool record_behavior = true;                // file / exec / network / syscall parts
  bool record_hit = false;                    // a policy event
  std::string category;                       // "file-read", ... (hits only)
  std::string target;                         // path, address:port (hits only)
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_DECISION_H_

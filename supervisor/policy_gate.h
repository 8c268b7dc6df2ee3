// The verdict step of a stop: a captured call and its resolved paths in, a
// Decision out (what the tracer enforces, what the recorder records). Asks
// the built-in protections and the current policy; reads no tracee memory
// except what a verdict on a socket needs from the kernel (its protocol,
// an accepted peer). Calls nothing back up the chain: a syscall rule's
// string argument comes through the `read_string` it is handed.
//
// The policy can be replaced while the program runs (warden run --reload):
// Replace() is called from the reload thread, every other method from the
// tracer's thread.
#ifndef WARDEN_SUPERVISOR_POLICY_GATE_H_
#define WARDEN_SUPERVISOR_POLICY_GATE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "policy/evaluate.h"
#include "policy/policy.h"
#include "supervisor/captured_call.h"
#include "supervisor/decision.h"
#include "supervisor/process_state.h"
#include "supervisor/resolve.h"

namespace warden::supervisor {

using StringArgReader = std::function<std::optional<std::string>(int index)>;

class PolicyGate {
 public:
  // `policy` may be null: only the built-in protections apply, and every
  // behaviour event is recorded.
  explicit PolicyGate(std::shared_ptr<const policy::Policy> policy);

  void Replace(std::shared_ptr<const policy::Policy> policy);

  // True when a verdict may depend on the path a call names (file or exec
  // categories judged): the resolver must then take the kernel's view.
  bool JudgesPaths();

  // At the seccomp stop.
  Decision AtEntry(const ProcessInfo& proc, const CapturedCall& c, const ResolvedPaths& p,
                   const StringArgReader& read_string);

  // At the exit stop of a call judged on its result (JudgedAtExit): accept
  // and accept4 (the peer is only known then), open_by_handle_at (so is the
  // file, `opened_path`). `entry` is what AtEntry decided.
  Decision AtExit(const ProcessInfo& proc, const CapturedCall& c, const Decision& entry,
                  const std::string& opened_path, int64_t ret);

  static bool JudgedAtExit(const CapturedCall& c);

 private:
  std::shared_ptr<policy::Evaluator> Current();
  bool Judging();
  Decision JudgeEachMessage(const CapturedCall& c, policy::Call& call);
  Decision Decide(const CapturedCall& c, const policy::Call& call);

  std::mutex mu_;
  std::shared_ptr<policy::Evaluator> next_;  // guarded by mu_
  std::atomic<uint64_t> generation_{0};
  uint64_t seen_generation_ = 0;
  std::shared_ptr<policy::Evaluator> current_;  // tracer thread only
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_POLICY_GATE_H_

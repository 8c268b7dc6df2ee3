// The policy-verdict step of the flow (launcher -> filter -> ptrace loop ->
// decode -> verdict -> store): turns what the recorder captured at a stop
// into a policy::Call, asks the built-in protections and the current policy,
// and says what to do and what to record. The tracer enforces the answer.
//
// The policy can be replaced while the program runs (warden run --reload):
// Replace() is called from the reload thread, every other method from the
// tracer's thread.
#ifndef WARDEN_SUPERVISOR_POLICY_GATE_H_
#define WARDEN_SUPERVISOR_POLICY_GATE_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "policy/evaluate.h"
#include "policy/policy.h"
#include "supervisor/syscall_recorder.h"
#include "supervisor/tracee.h"

namespace warden::supervisor {

class PolicyGate {
 public:
  // `policy` may be null: only the built-in protections apply, and every
  // behaviour event is recorded.
  explicit PolicyGate(std::shared_ptr<const policy::Policy> policy);

  void Replace(std::shared_ptr<const policy::Policy> policy);

  // At the seccomp stop, after the recorder captured the call: fills
  // t.call's verdict fields (action, rule, hit, enforced, what to record).
  // Returns the verdict to enforce: kAllow when nothing is to be done
  // (monitor, permissive mode, or a call judged at its exit).
  policy::Verdict AtEntry(Tracee& t, SyscallRecorder& recorder);

  // At the exit stop of a call judged on its result: accept / accept4 (the
  // peer is only known then) and open_by_handle_at (so is the file).
  // Returns the verdict to enforce, as AtEntry.
  policy::Verdict AtExit(Tracee& t, SyscallRecorder& recorder, int64_t ret);

  // True when `t.call` is judged at its exit (AtExit).
  static bool JudgedAtExit(const PendingCall& c);

 private:
  std::shared_ptr<policy::Evaluator> Current();
  // A policy is loaded and not inactive.
  bool Judging();
  policy::Verdict JudgeEachMessage(Tracee& t, policy::Call& call);
  policy::Verdict Decide(Tracee& t, const policy::Call& call, std::optional<uint64_t> clone3);
  void Apply(PendingCall& c, const policy::Verdict& v, policy::Mode mode, policy::LogMode log,
             bool ignored, bool protection);

  std::mutex mu_;
  std::shared_ptr<policy::Evaluator> next_;  // guarded by mu_
  std::atomic<uint64_t> generation_{0};
  uint64_t seen_generation_ = 0;
  std::shared_ptr<policy::Evaluator> current_;  // tracer thread only
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_POLICY_GATE_H_

// Judges one call against a policy: the supervisor describes the call as a
// Call (what it read at the stop), the Evaluator answers with a Verdict.
// Pure logic over the Policy model: no process, no ptrace, so every rule
// type, the precedence and the defaults are unit-tested directly.
#ifndef WARDEN_POLICY_EVALUATE_H_
#define WARDEN_POLICY_EVALUATE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <set>
#include <unordered_map>

#include "policy/glob.h"
#include "policy/policy.h"
#include "syscalls/syscall_table.h"

namespace warden::policy {

enum class FileAccess : uint8_t { kNone = 0, kRead = 1, kWrite = 2, kReadWrite = 3 };
enum class NetKind : uint8_t { kNone, kOutbound, kAccept, kBind };

// What the supervisor knows about one call when it judges it.
struct Call {
  syscalls::Abi abi = syscalls::Abi::kX86_64;
  bool x32 = false;  // an x32 number (x86_64 ABI with the x32 bit): def is null
  const syscalls::SyscallDef* def = nullptr;  // the table row (name, arg types)
  uint64_t args[6] = {};                      // register arguments
  std::string_view exe;                       // the caller's executable
  // The path it was executed by, when it differs (/bin/sh for dash): a
  // rule's program glob may match either.
  std::string_view exe_alias;
  // File rules: the access and the absolute path(s); path2 is the second
  // path of rename / link, judged like the first.
  FileAccess access = FileAccess::kNone;
  std::string_view path, path2;
  // Exec rules: `path` is the file executed.
  bool exec = false;
  // Network rules: only AF_INET / AF_INET6 take part.
  NetKind net = NetKind::kNone;
  int family = 0;
  std::string_view address;  // peer (outbound, accept) or local (bind)
  int port = -1;             // peer port (outbound); local port (bind, accept)
  Protocol protocol = Protocol::kAny;  // from the socket's type; kAny unknown
  // A pointer argument the verdict may need (path, address) could not be
  // read: fail closed.
  bool unreadable = false;
  // Reads the string (a path: absolute) argument `index` points to;
  // nullopt when unreadable. Only glob matchers of syscall rules call it.
  std::function<std::optional<std::string>(int index)> read_string;
};

struct Verdict {
  Action action = Action::kAllow;
  int err = 0;       // errno of a deny
  std::string rule;  // the deciding rule, "default:file" etc., "" when none
  bool hit = false;  // a rule decided, or a default whose action is not allow
};

class Evaluator {
 public:
  explicit Evaluator(std::shared_ptr<const Policy> policy);

  // The first enabled rule that applies and matches, else the category
  // default, else allow (no hit).
  Verdict Judge(const Call& call);

  // ignored_syscalls: the call creates no events.
  bool Ignored(std::string_view syscall) const { return ignored_.contains(syscall); }
  const Policy& policy() const { return *policy_; }
  std::shared_ptr<const Policy> shared() const { return policy_; }

 private:
  bool Applies(const Rule& r, const Call& c) const;
  bool Matches(size_t rule_index, const Call& c) const;
  bool ArgsMatch(const Rule& r, const Call& c) const;
  const std::vector<bool>& ProgramMatches(std::string_view exe, std::string_view alias);
  const std::vector<bool>& ProgramMatchesUncached(std::string_view exe, std::string_view alias);
  std::optional<Verdict> Default(const Call& c) const;
  bool CanDeny(const Call& c, const std::vector<bool>& programs) const;

  void Candidates(const Call& c);

  std::shared_ptr<const Policy> policy_;
  std::vector<std::vector<Glob>> paths_;  // per rule: its path globs, prepared
  // Enabled rules by type, and syscall rules by syscall name, in file order:
  // a call only looks at the rules that can apply to it.
  std::vector<uint32_t> by_type_[6];
  std::vector<uint32_t> candidates_;  // scratch for Judge
  std::set<std::string, std::less<>> ignored_;
  // exe -> for each rule, whether its program glob matches: one glob per
  // rule per program, not per call.
  // (Debian's absl::string_view is not std::string_view, so absl's
  // heterogeneous lookup is out: a transparent std hash instead.)
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<bool>, Hash, std::equal_to<>> program_cache_;
  std::string key_;  // reused: exe, or exe '\0' alias
  // The last program asked about: consecutive calls mostly come from one.
  std::string last_exe_, last_alias_;
  const std::vector<bool>* last_programs_ = nullptr;
  std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> by_syscall_;
};

// The category default that covers a call, as the evaluator applies it:
// nullopt for calls outside network/file/exec.
std::optional<Action> DefaultFor(const Defaults& d, const Call& c);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_EVALUATE_H_

// The policy model: what a YAML policy file (warden-policy(5)) says, after
// parsing and validation. Immutable once built; the evaluator (evaluate.h)
// judges calls against it and the compiler (compile.h) turns what it can
// into the seccomp filter.
#ifndef WARDEN_POLICY_POLICY_H_
#define WARDEN_POLICY_POLICY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::policy {

enum class Action : uint8_t { kAllow, kDeny, kMonitor, kKill };
enum class Mode : uint8_t { kActive, kPermissive, kInactive };
// Which events get recorded (warden-policy(5), LOG MODES).
enum class LogMode : uint8_t {
  kNone,
  kPolicyMonitor,
  kPolicyDeny,
  kPolicyMonitorDeny,
  kPolicyAllow,
  kPolicyAll,
  kBehavior,
  kAll,
};
enum class RuleType : uint8_t {
  kNetworkOutbound,  // connect; sendto / sendmsg with an address
  kNetworkInbound,   // accept / accept4 by peer; bind by local port
  kFileRead,         // opens with read access
  kFileWrite,        // opens with write access, creat, truncate, unlink, ...
  kExec,             // execve / execveat by the path executed
  kSyscall,          // any syscall by name, with argument matchers
};
enum class Protocol : uint8_t { kAny, kTcp, kUdp };

// Names as written in policy files ("deny", "permissive", "PolicyDeny",
// "file-write", "tcp"); Parse* return nullopt for an unknown name.
std::string_view ActionName(Action a);
std::string_view ModeName(Mode m);
std::string_view LogModeName(LogMode m);
std::string_view RuleTypeName(RuleType t);
std::string_view ProtocolName(Protocol p);
std::optional<Action> ParseAction(std::string_view s);
std::optional<Mode> ParseMode(std::string_view s);
std::optional<LogMode> ParseLogMode(std::string_view s);
std::optional<RuleType> ParseRuleType(std::string_view s);
std::optional<Protocol> ParseProtocol(std::string_view s);
// Every valid name, for error messages ("one of: allow, deny, ...").
std::vector<std::string_view> ActionNames();
std::vector<std::string_view> ModeNames();
std::vector<std::string_view> LogModeNames();
std::vector<std::string_view> RuleTypeNames();

// Log-mode predicates: does `m` record behaviour events (file, exec,
// network, syscall), and policy hits with action `a`?
bool RecordsBehavior(LogMode m);
bool RecordsHit(LogMode m, Action a);

// Where something was written in the policy file; 1-based, 0 = unknown.
struct Location {
  int line = 0;
  int column = 0;
};

// An IPv4 or IPv6 network. A bare address is a /32 or /128.
struct Cidr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};
  int prefix = 0;
};

// Inclusive port range; a single port has lo == hi.
struct PortRange {
  int lo = 0;
  int hi = 65535;
};

enum class MatchOp : uint8_t {
  kEq,     // arg == value
  kNe,     // arg != value
  kMask,   // (arg & mask) == value; `mask: M` alone means (arg & M) != 0
  kIn,     // arg is one of values
  kRange,  // lo <= arg <= hi
  kGlob,   // the string or path the argument points to matches glob
};

// One matcher on one argument of a syscall rule. Integers compare as the
// register's 64 bits, except that arguments the table types as int-sized
// (fds, dirfds, ints) compare as signed 32-bit values, so AT_FDCWD and -1
// mean what they say.
struct ArgMatcher {
  int index = 0;  // 0-5
  MatchOp op = MatchOp::kEq;
  uint64_t value = 0;  // kEq, kNe, kMask (the masked value)
  uint64_t mask = 0;   // kMask
  bool mask_any = false;  // kMask without a value: any bit of mask set
  std::vector<uint64_t> values;  // kIn
  uint64_t lo = 0, hi = 0;       // kRange
  std::string glob;              // kGlob
  Location where;
};

struct Rule {
  std::string name;
  bool enabled = true;
  std::string program = "*";  // glob on the caller's executable
  RuleType type = RuleType::kSyscall;
  Action action = Action::kDeny;
  int err = 1;  // errno returned by deny (EPERM unless the rule says)
  // network-outbound / network-inbound: empty lists match anything.
  std::vector<Cidr> addresses;
  std::vector<PortRange> ports;
  Protocol protocol = Protocol::kAny;
  // file-read / file-write / exec: path globs (at least one).
  std::vector<std::string> paths;
  // The same files under the names the filesystem gives them, filled when
  // the policy is loaded for judging (rule_paths.h); matched like `paths`.
  std::vector<std::string> resolved;
  // syscall: the names it applies to (at least one), and matchers that must
  // all hold.
  std::vector<std::string> syscalls;
  std::vector<ArgMatcher> args;
  Location where;
};

// Actions for calls of a category that no rule matched.
struct Defaults {
  Action network = Action::kAllow;
  Action file = Action::kAllow;
  Action exec = Action::kAllow;
  int err = 1;  // errno of a default deny
};

struct Policy {
  int version = 1;
  std::string name;
  std::string description;
  std::string source;  // the file it was read from, for messages
  Mode mode = Mode::kActive;
  LogMode log_mode = LogMode::kAll;
  Defaults defaults;
  std::vector<std::string> ignored_syscalls;
  std::vector<Rule> rules;  // file order: the first enabled match wins
};

}  // namespace warden::policy

#endif  // WARDEN_POLICY_POLICY_H_

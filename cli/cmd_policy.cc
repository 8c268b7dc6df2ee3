// `warden policy check FILE` and `warden policy show FILE`: validate a
// policy file (warden-policy(5)) without running anything, and print what
// warden understood of it.
#include <string>
#include <vector>

#include "cli/commands.h"
#include "fmt/format.h"
#include "policy/cidr.h"
#include "policy/parser.h"
#include "syscalls/decode.h"

namespace warden::cli {
namespace {

using policy::ArgMatcher;
using policy::MatchOp;
using policy::Policy;
using policy::Rule;

constexpr std::string_view kPolicyUsage =
    "usage: warden policy check FILE   validate a policy file\n"
    "       warden policy show FILE    print the policy as warden reads it\n"
    "See warden-policy(5).\n";

size_t EnabledRules(const Policy& p) {
  size_t n = 0;
  for (const Rule& r : p.rules) n += r.enabled ? 1 : 0;
  return n;
}

std::string Matcher(const ArgMatcher& m) {
  switch (m.op) {
    case MatchOp::kEq: return fmt::format("arg{}=={:#x}", m.index, m.value);
    case MatchOp::kNe: return fmt::format("arg{}!={:#x}", m.index, m.value);
    case MatchOp::kMask:
      if (m.mask_any) return fmt::format("arg{}&{:#x}!=0", m.index, m.mask);
      return fmt::format("arg{}&{:#x}=={:#x}", m.index, m.mask, m.value);
    case MatchOp::kIn: return fmt::format("arg{} in {{{:#x}}}", m.index, fmt::join(m.values, ","));
    case MatchOp::kRange: return fmt::format("arg{} in [{:#x},{:#x}]", m.index, m.lo, m.hi);
    case MatchOp::kGlob: return fmt::format("arg{}~{}", m.index, m.glob);
  }
  return "?";
}

// What a rule matches on, as "key=value" words.
std::string Matchers(const Rule& r) {
  std::vector<std::string> parts;
  if (!r.paths.empty()) parts.push_back(fmt::format("paths={}", fmt::join(r.paths, ",")));
  if (!r.syscalls.empty()) parts.push_back(fmt::format("syscalls={}", fmt::join(r.syscalls, ",")));
  for (const ArgMatcher& m : r.args) parts.push_back(Matcher(m));
  bool network = r.type == policy::RuleType::kNetworkOutbound ||
                 r.type == policy::RuleType::kNetworkInbound;
  if (!network) return fmt::format("{}", fmt::join(parts, " "));
  std::vector<std::string> nets, ports;
  for (const auto& c : r.addresses) nets.push_back(policy::FormatCidr(c));
  for (const auto& p : r.ports)
    ports.push_back(p.lo == p.hi ? std::to_string(p.lo) : fmt::format("{}-{}", p.lo, p.hi));
  parts.push_back(fmt::format("addresses={}", nets.empty() ? "any" : fmt::format("{}", fmt::join(nets, ","))));
  parts.push_back(fmt::format("ports={}", ports.empty() ? "any" : fmt::format("{}", fmt::join(ports, ","))));
  parts.push_back(fmt::format("protocol={}", policy::ProtocolName(r.protocol)));
  return fmt::format("{}", fmt::join(parts, " "));
}

std::string ActionText(policy::Action a, int err) {
  if (a != policy::Action::kDeny) return std::string(policy::ActionName(a));
  return fmt::format("deny({})", syscalls::ErrnoName(err));
}

void Show(const Policy& p) {
  fmt::print("policy '{}' ({})\n", p.name, p.source);
  if (!p.description.empty()) fmt::print("  description: {}\n", p.description);
  fmt::print("  mode {}, log_mode {}\n", policy::ModeName(p.mode), policy::LogModeName(p.log_mode));
  fmt::print("  defaults: network {}, file {}, exec {}\n",
             ActionText(p.defaults.network, p.defaults.err), ActionText(p.defaults.file, p.defaults.err),
             ActionText(p.defaults.exec, p.defaults.err));
  if (!p.ignored_syscalls.empty())
    fmt::print("  ignored syscalls: {}\n", fmt::join(p.ignored_syscalls, ", "));
  fmt::print("  rules ({} of {} enabled; the first enabled match decides):\n", EnabledRules(p),
             p.rules.size());
  int i = 0;
  for (const Rule& r : p.rules)
    fmt::print("  {:>3}. {}{} {} program={} {} {}\n", ++i, r.enabled ? "" : "[disabled] ", r.name,
               policy::RuleTypeName(r.type), r.program, ActionText(r.action, r.err), Matchers(r));
}

// Prints why the file cannot be used and returns the exit status.
int Report(const absl::Status& s) {
  // A policy error is already "FILE:LINE:COLUMN: what", one per line.
  if (s.code() == absl::StatusCode::kInvalidArgument)
    fmt::print(stderr, "{}\n", std::string(s.message()));
  else
    fmt::print(stderr, "warden policy check: {}\n", std::string(s.message()));
  return 2;
}

}  // namespace

int PolicyCommand(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    fmt::print("{}", kPolicyUsage);
    return 0;
  }
  if (args.size() != 2 || (args[0] != "check" && args[0] != "show")) {
    fmt::print(stderr, "{}", kPolicyUsage);
    return 2;
  }
  absl::StatusOr<Policy> p = policy::ParsePolicyFile(args[1]);
  if (!p.ok()) return Report(p.status());
  if (args[0] == "show") {
    Show(*p);
    return 0;
  }
  fmt::print("{}: OK: policy '{}', {} rule{} ({} enabled), mode {}, log_mode {}\n", args[1],
             p->name, p->rules.size(), p->rules.size() == 1 ? "" : "s", EnabledRules(*p),
             policy::ModeName(p->mode), policy::LogModeName(p->log_mode));
  return 0;
}

}  // namespace warden::cli

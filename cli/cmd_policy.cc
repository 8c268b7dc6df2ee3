// `warden policy check FILE` and `warden policy show FILE`: validate a
// policy file (warden-policy(5)) without running anything, and print what
// warden understood of it. `warden policy test FILE`: judge a recorded run
// with it, offline (dryrun/).
#include <iostream>
#include <algorithm>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "dryrun/dry_run.h"
#include "dryrun/report.h"
#include "fmt/format.h"
#include "policy/cidr.h"
#include "policy/parser.h"
#include "policy/rule_paths.h"
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
    "       warden policy test FILE [--db PATH] [--run ID] [--format text|ndjson]\n"
    "                                  judge a recorded run with the policy, offline:\n"
    "                                  exit 0 if nothing would be denied or killed, 1 if\n"
    "                                  something would, 2 on bad input\n"
    "See warden-policy(5), and warden(1) for what a dry run cannot see.\n";

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
int Report(const absl::Status& s, std::string_view command = "check") {
  // A policy error is already "FILE:LINE:COLUMN: what", one per line.
  if (s.code() == absl::StatusCode::kInvalidArgument)
    fmt::print(stderr, "{}\n", std::string(s.message()));
  else
    fmt::print(stderr, "warden policy {}: {}\n", command, std::string(s.message()));
  return 2;
}

struct TestArgs {
  std::string policy_file;
  dryrun::DryRunOptions dry;
  bool ndjson = false;
};

// `test FILE [--db PATH] [--run ID] [--format text|ndjson]`; nullopt after
// printing what is wrong.
std::optional<TestArgs> ParseTestArgs(const std::vector<std::string>& args) {
  TestArgs t;
  t.dry.db_path = DefaultDb();
  std::vector<Option> table = {
      SetOption("--db", t.dry.db_path), RunIdOption(t.dry.run),
      {"--format", true,
       [&t](const std::string& v) -> std::optional<std::string> {
         if (v != "text" && v != "ndjson") return fmt::format("--format is text or ndjson, not '{}'", v);
         t.ndjson = v == "ndjson";
         return std::nullopt;
       }},
  };
  std::vector<std::string> positional;
  const std::vector<std::string> rest(args.begin() + 1, args.end());  // after "test"
  if (auto error = ParseOptions(rest, table, &positional)) {
    fmt::print(stderr, "warden policy test: {} (warden policy --help)\n", *error);
    return std::nullopt;
  }
  if (positional.size() != 1) {
    fmt::print(stderr, "warden policy test: {} (warden policy --help)\n",
               positional.empty() ? "which policy file?" : "one policy file, got " + positional[1] + " too");
    return std::nullopt;
  }
  t.policy_file = positional[0];
  return t;
}

// Exit 0: nothing would be denied or killed; 1: something would; 2: bad input.
int Test(const std::vector<std::string>& args) {
  auto t = ParseTestArgs(args);
  if (!t) return 2;
  absl::StatusOr<Policy> p = policy::ParsePolicyFile(t->policy_file);
  if (!p.ok()) return Report(p.status(), "test");
  policy::AddResolvedPaths(*p, policy::SystemRealPath);
  std::string buf;
  auto on_hit = [&](const dryrun::Hit& h) {
    buf += t->ndjson ? dryrun::HitJson(h) : dryrun::HitLine(h);
    if (buf.size() >= (1 << 16)) {
      std::cout << buf;
      buf.clear();
    }
  };
  auto outcome = dryrun::DryRun(t->dry, *p, on_hit);
  if (!outcome.ok()) return Report(outcome.status(), "test");
  buf += t->ndjson ? dryrun::SummaryJson(*outcome, *p) : dryrun::SummaryText(*outcome, *p);
  std::cout << buf << std::flush;
  return outcome->denied + outcome->killed > 0 ? 1 : 0;
}

}  // namespace

int PolicyCommand(const std::vector<std::string>& args) {
  // -h/--help after the command or after its subcommand (policy check -h).
  if (std::any_of(args.begin(), args.begin() + std::min<size_t>(args.size(), 2),
                  [](const std::string& a) { return a == "-h" || a == "--help"; })) {
    fmt::print("{}", kPolicyUsage);
    return 0;
  }
  if (!args.empty() && args[0] == "test") return Test(args);
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

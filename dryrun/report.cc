#include "dryrun/report.h"

#include <algorithm>

#include "fmt/format.h"
#include "store/json.h"
#include "forensics/replay.h"

namespace warden::dryrun {
namespace {

using store::JsonQuote;

std::string_view ActionText(policy::Action a) { return policy::ActionName(a); }

std::string Header(const Outcome& o, const policy::Policy& p) {
  std::string mode = std::string(policy::ModeName(p.mode));
  if (p.mode == policy::Mode::kPermissive) mode += ", judged as if active";
  return fmt::format("policy '{}' ({}) on run {}", p.name, mode, o.run_id);
}

}  // namespace

std::string HitLine(const Hit& h) {
  forensics::ReplayCall c;
  c.ts_ns = h.ts_ns;
  c.pid = h.pid;
  c.name = h.syscall;
  c.args = h.args;
  c.result = h.result;
  c.err = h.err;
  c.action = std::string(ActionText(h.action));
  c.rule = h.rule;
  c.enforced = false;  // a prediction: "<would deny: RULE>"
  return forensics::RenderCall(c, /*time=*/false, /*permissive_run=*/false);
}

std::string SummaryText(const Outcome& o, const policy::Policy& p) {
  if (!o.judged)
    return fmt::format("{}: the policy is inactive, so nothing is judged\n", Header(o, p));
  std::string out = fmt::format("\n{}: {} calls\n", Header(o, p), o.calls);
  size_t width = 4;
  for (const RuleCount& r : o.rules) width = std::max(width, r.rule.size());
  if (!o.rules.empty()) {
    out += fmt::format("  {:<{}}  {:<7}  {:>8}  {:>10}\n", "RULE", width, "ACTION", "CALLS",
                       "NOT JUDGED");
    for (const RuleCount& r : o.rules)
      out += fmt::format("  {:<{}}  {:<7}  {:>8}  {:>10}\n", r.rule, width, ActionText(r.action),
                         r.calls, r.not_judged);
  }
  out += fmt::format("would deny {}, kill {}, monitor {}\n", o.denied, o.killed, o.monitored);
  if (o.not_judged > 0)
    out += fmt::format(
        "not judged: {} (argument matchers, or network facts the recording lacks; see "
        "warden(1), policy test)\n",
        o.not_judged);
  if (o.unreachable > 0)
    out += fmt::format("would not happen: {} (after a predicted kill, or in an image whose exec "
                       "would be denied)\n",
                       o.unreachable);
  if (o.protected_calls > 0)
    out += fmt::format("decided by warden's built-in protections: {}\n", o.protected_calls);
  return out;
}

std::string HitJson(const Hit& h) {
  std::string line = HitLine(h);
  line.pop_back();  // its newline
  return fmt::format(
      "{{\"kind\":\"call\",\"ts_ns\":{},\"pid\":{},\"exe\":{},\"syscall\":{},\"category\":{},"
      "\"target\":{},\"action\":\"{}\",\"rule\":{},\"line\":{}}}\n",
      h.ts_ns, h.pid, JsonQuote(h.exe), JsonQuote(h.syscall), JsonQuote(h.category),
      JsonQuote(h.target), ActionText(h.action), JsonQuote(h.rule),
      JsonQuote(line));
}

std::string SummaryJson(const Outcome& o, const policy::Policy& p) {
  std::string out;
  for (const RuleCount& r : o.rules)
    out += fmt::format("{{\"kind\":\"rule\",\"rule\":{},\"action\":\"{}\",\"calls\":{},"
                       "\"not_judged\":{}}}\n",
                       JsonQuote(r.rule), ActionText(r.action), r.calls, r.not_judged);
  out += fmt::format(
      "{{\"kind\":\"summary\",\"policy\":{},\"mode\":\"{}\",\"run\":{},\"judged\":{},"
      "\"calls\":{},\"denied\":{},\"killed\":{},\"monitored\":{},\"not_judged\":{},"
      "\"would_not_happen\":{},\"protections\":{}}}\n",
      JsonQuote(p.name), policy::ModeName(p.mode), o.run_id, o.judged ? "true" : "false", o.calls,
      o.denied, o.killed, o.monitored, o.not_judged, o.unreachable, o.protected_calls);
  return out;
}

}  // namespace warden::dryrun

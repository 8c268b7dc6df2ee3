#include "dryrun/dry_run.h"

#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "dryrun/describe.h"
#include "dryrun/offline_policy.h"
#include "dryrun/process_history.h"
#include "dryrun/run_reader.h"
#include "fmt/format.h"
#include "policy/call_facts.h"
#include "policy/evaluate.h"
#include "policy/glob.h"
#include "policy/protections.h"
#include "forensics/read_db.h"
#include "store/sqlite_util.h"

namespace warden::dryrun {
namespace {

using policy::Action;
using policy::NetKind;
using supervisor::Effect;

bool Refuses(Action a) { return a == Action::kDeny || a == Action::kKill; }
bool Succeeded(const std::optional<int64_t>& result) { return result && *result >= 0; }

// The built-in protections come before the policy, live. clone3's flags are
// not recorded as a number: its recorded verdict says whether they asked
// for an untraced child.
bool DecidedByProtection(const RecordedCall& r, const policy::Call& c) {
  std::optional<uint64_t> clone3_flags;
  if (c.def != nullptr && c.def->name == "clone3" && r.rule != "warden:no-untraced-clone")
    clone3_flags = 0;
  return policy::JudgeProtections(c, clone3_flags).has_value();
}

class Judge : public RunVisitor {
 public:
  Judge(const policy::Policy& policy, const std::function<void(const Hit&)>& on_hit)
      : original_(policy), offline_(OfflinePolicy(policy)), eval_(offline_), on_hit_(on_hit) {}

  void OnProcess(const ProcessRow& p) override { history_.Start(p); }
  void OnCall(const RecordedCall& r) override;
  Outcome Finish();

 private:
  std::optional<size_t> UncertainRule(const Described& d, std::string_view deciding) const;
  RuleCount& Count(const std::string& rule, Action action);
  void Report(const RecordedCall& r, const Described& d, const policy::Verdict& v);
  void Remember(const RecordedCall& r, const Described& d, const policy::Verdict& v);

  const policy::Policy& original_;
  std::shared_ptr<const policy::Policy> offline_;
  policy::Evaluator eval_;
  const std::function<void(const Hit&)>& on_hit_;
  ProcessHistory history_;
  Outcome out_;
  std::map<std::string, RuleCount> counts_;
};

void Judge::OnCall(const RecordedCall& r) {
  ++out_.calls;
  if (history_.Doomed(r.pid)) {
    ++out_.unreachable;
    return;
  }
  Described d;
  Describe(r, history_, d);
  if (DecidedByProtection(r, d.call)) {
    ++out_.protected_calls;
    Remember(r, d, policy::Verdict{});
    return;
  }
  policy::Verdict v = eval_.Judge(d.call);
  std::optional<size_t> unjudged = UnjudgedRule(v.rule);
  if (!unjudged) unjudged = UncertainRule(d, v.rule);
  if (unjudged) {
    const policy::Rule& rule = offline_->rules[*unjudged];
    const std::string& name = *unjudged < original_.rules.size() ? original_.rules[*unjudged].name
                                                                 : rule.name;
    ++Count(name, rule.action).not_judged;
    ++out_.not_judged;
    Remember(r, d, policy::Verdict{});
    return;
  }
  if (v.hit) ++Count(v.rule, v.action).calls;
  Report(r, d, v);
  Remember(r, d, v);
}

// A network rule that may decide the call but tests a fact the recording
// lacks (accept's peer or local port, the socket's type), at or before the
// rule that decided: the verdict is a guess.
std::optional<size_t> Judge::UncertainRule(const Described& d, std::string_view deciding) const {
  const policy::Call& c = d.call;
  if (!(d.peer_unknown || d.port_unknown || d.protocol_unknown) || c.net == NetKind::kNone ||
      (c.family != AF_INET && c.family != AF_INET6))
    return std::nullopt;
  const auto type = c.net == NetKind::kOutbound ? policy::RuleType::kNetworkOutbound
                                                : policy::RuleType::kNetworkInbound;
  const auto& rules = offline_->rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    const policy::Rule& r = rules[i];
    const bool program = policy::ProgramMatch(r.program, c.exe) ||
                         (!c.exe_alias.empty() && policy::ProgramMatch(r.program, c.exe_alias));
    const bool untestable = (d.peer_unknown && !r.addresses.empty()) ||
                            (d.port_unknown && !r.ports.empty()) ||
                            (d.protocol_unknown && r.protocol != policy::Protocol::kAny);
    if (r.enabled && r.type == type && program && untestable) return i;
    if (r.name == deciding) break;
  }
  return std::nullopt;
}

RuleCount& Judge::Count(const std::string& rule, Action action) {
  auto [it, fresh] = counts_.try_emplace(rule);
  if (fresh) it->second = RuleCount{rule, action};
  return it->second;
}

void Judge::Report(const RecordedCall& r, const Described& d, const policy::Verdict& v) {
  if (v.action == Action::kAllow) return;
  if (v.action == Action::kDeny) ++out_.denied;
  if (v.action == Action::kKill) ++out_.killed;
  if (v.action == Action::kMonitor) ++out_.monitored;
  Hit h;
  h.ts_ns = r.ts_ns;
  h.pid = r.pid;
  h.exe = r.exe;
  h.syscall = CallName(r);
  h.args = CallArgs(r);
  if (r.sys) {
    h.result = r.sys->result;
    h.err = r.sys->err;
  } else {
    h.result = r.file ? r.file->result : r.net->result;
  }
  h.category = std::string(policy::CategoryName(d.call));
  h.target = policy::Target(d.call);
  if (d.peer_unknown) h.target = fmt::format("?:{}", d.call.port);  // accept(fd, NULL, NULL)
  h.action = v.action;
  h.rule = v.rule;
  on_hit_(h);
}

// What the call changed that later verdicts depend on.
void Judge::Remember(const RecordedCall& r, const Described& d, const policy::Verdict& v) {
  if (v.action == Action::kKill) history_.Doom(r.pid);  // the thread group dies
  if (d.effect == nullptr) return;
  const Effect e = d.effect->effect;
  if (e == Effect::kExec && r.file && r.file->result == 0) {
    // A denied exec never ran the new image: nothing it did would happen.
    if (Refuses(v.action)) history_.Doom(r.pid);
    // The name it was executed by (/bin/sh), which `program` globs match
    // too, as they do in the live run.
    else history_.Exec(r.pid, r.file->named.empty() ? r.file->path : r.file->named);
  }
  if ((e == Effect::kBind || e == Effect::kListen) && r.net && Succeeded(r.net->result) &&
      !Refuses(v.action))
    history_.Bound(r.pid, r.net->fd, r.net->port);
}

Outcome Judge::Finish() {
  // Rules in file order, then defaults and warden's own by name (the map's order).
  for (const policy::Rule& rule : original_.rules) {
    auto it = counts_.find(rule.name);
    if (it == counts_.end()) continue;
    out_.rules.push_back(it->second);
    counts_.erase(it);
  }
  for (auto& [name, count] : counts_) out_.rules.push_back(count);
  return out_;
}

absl::StatusOr<Outcome> JudgeRun(sqlite3* db, int version, const forensics::RunSummary& run,
                                 const policy::Policy& policy,
                                 const std::function<void(const Hit&)>& on_hit) {
  if (policy.mode == policy::Mode::kInactive) {
    Outcome o;
    o.run_id = run.id;
    o.judged = false;
    return o;
  }
  Judge judge(policy, on_hit);
  if (auto s = ReadRun(db, version, run.id, judge); !s.ok()) return s;
  Outcome o = judge.Finish();
  o.run_id = run.id;
  return o;
}

}  // namespace

absl::StatusOr<Outcome> DryRun(const DryRunOptions& options, const policy::Policy& policy,
                               const std::function<void(const Hit&)>& on_hit) {
  auto opened = forensics::OpenReadOnly(options.db_path);
  if (!opened.ok()) return opened.status();
  sqlite3* db = opened->db.get();
  // One snapshot, even while the run is still being recorded.
  if (auto s = store::ExecSql(db, "BEGIN"); !s.ok()) return s;
  auto run = forensics::ResolveRun(db, opened->version, options.db_path, options.run);
  absl::StatusOr<Outcome> out =
      run.ok() ? JudgeRun(db, opened->version, *run, policy, on_hit) : run.status();
  store::ExecSql(db, "COMMIT").IgnoreError();
  return out;
}

}  // namespace warden::dryrun

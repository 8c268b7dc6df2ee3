#include "learn/policy_writer.h"

#include <cerrno>

#include <algorithm>
#include <map>
#include <set>
#include <span>

#include "fmt/format.h"
#include "learn/generalize.h"
#include "learn/policy_yaml.h"
#include "policy/cidr.h"
#include "policy/glob.h"
#include "policy/parser.h"
#include "forensics/timeparse.h"

namespace warden::learn {
namespace {

using policy::Action;
using policy::Protocol;
using policy::Rule;
using policy::RuleType;

// The rule type that judges each kind of item, indexed by Kind.
constexpr RuleType kRuleType[] = {RuleType::kFileRead,        RuleType::kFileWrite,
                                  RuleType::kExec,            RuleType::kNetworkOutbound,
                                  RuleType::kNetworkInbound,  RuleType::kNetworkInbound};
// The name a learned rule of each type gets after the program's base name.
constexpr std::string_view kNameSuffix[] = {"connect", "inbound", "read", "write", "exec", "syscall"};

RuleType TypeOf(Kind k) { return kRuleType[static_cast<int>(k)]; }

// What justifies a rule: its items' evidence together.
struct Evidence {
  int64_t count = 0, first_ns = 0, last_ns = 0;
  std::set<uint32_t> runs;
  void Add(const Item& i) {
    if (count == 0 || i.first_ns < first_ns) first_ns = i.first_ns;
    if (count == 0 || i.last_ns > last_ns) last_ns = i.last_ns;
    count += i.count;
    runs.insert(i.runs.begin(), i.runs.end());
  }
};

std::string Time(int64_t ns) { return forensics::FormatRfc3339Ms(ns); }

// "w.db runs 3, 4; x.db run 1", in the order of the selection.
std::string RunsText(const std::vector<RunRef>& all, const std::set<uint32_t>& runs) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> by_db;
  for (uint32_t i : runs) {
    if (i >= all.size()) continue;
    auto it = std::find_if(by_db.begin(), by_db.end(), [&](auto& d) { return d.first == all[i].db; });
    if (it == by_db.end()) it = by_db.insert(by_db.end(), {all[i].db, {}});
    it->second.push_back(all[i].run);
  }
  std::vector<std::string> parts;
  for (const auto& [db, ids] : by_db)
    parts.push_back(fmt::format("{} run{} {}", CommentText(db), ids.size() > 1 ? "s" : "",
                                fmt::join(ids, ", ")));
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string Provenance(const std::vector<RunRef>& all, const Evidence& e) {
  std::string when = e.first_ns == e.last_ns ? fmt::format("at {}", Time(e.first_ns))
                                             : fmt::format("{} .. {}", Time(e.first_ns), Time(e.last_ns));
  return fmt::format("# {} event{} in {}; {}", e.count, e.count == 1 ? "" : "s", RunsText(all, e.runs), when);
}

std::string ProgramGlob(const std::string& program) {
  return program.empty() ? "*" : LiteralGlob(program);
}

// The program's base name as a rule name part: [A-Za-z0-9._+-], "any" for
// an unknown program.
std::string BaseName(const std::string& program) {
  std::string base = program.substr(program.rfind('/') + 1);
  for (char& c : base)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '+' && c != '-') c = '_';
  return base.empty() ? "any" : base;
}

std::string PortsPart(const std::vector<policy::PortRange>& ports, Protocol protocol) {
  std::string s;
  // One fixed port names the rule; the ephemeral range does not.
  if (ports.size() == 1 && ports[0].lo == ports[0].hi) s = fmt::format("-{}", ports[0].lo);
  else if (!ports.empty()) s = "-ephemeral";
  if (protocol != Protocol::kAny) s += fmt::format("-{}", policy::ProtocolName(protocol));
  return s;
}

bool PathCovered(const Rule& r, const std::string& target) {
  std::string text = HasWildcard(target) ? target : UnescapeGlob(target);
  return std::any_of(r.paths.begin(), r.paths.end(),
                     [&](const std::string& p) { return p == target || policy::GlobMatch(p, text); });
}

bool PeerCovered(const Rule& r, const Item& i) {
  if (r.protocol != Protocol::kAny && r.protocol != i.protocol) return false;
  // A bind is judged only by inbound rules without addresses.
  if (i.kind == Kind::kListen && !r.addresses.empty()) return false;
  if (!r.addresses.empty() && std::none_of(r.addresses.begin(), r.addresses.end(), [&](const auto& a) {
        return policy::CidrContains(a, i.address);
      }))
    return false;
  if (r.ports.empty()) return true;
  // Every port range the item needs lies inside one of the rule's.
  return !i.ports.empty() && std::all_of(i.ports.begin(), i.ports.end(), [&](const auto& need) {
    return std::any_of(r.ports.begin(), r.ports.end(),
                       [&](const auto& p) { return p.lo <= need.lo && need.hi <= p.hi; });
  });
}

// Learned rules, program by program, for the items no existing rule covers.
class Learner {
 public:
  Learner(const ItemSet& set, const std::vector<Rule>& existing) : set_(set), existing_(existing) {
    for (const Rule& r : existing) names_.insert(r.name);
  }

  std::vector<CommentedRule> Rules() {
    std::vector<const Item*> items;
    for (const Item& i : set_.items)
      if (!std::any_of(existing_.begin(), existing_.end(), [&](const Rule& r) { return Covers(r, i); }))
        items.push_back(&i);
    for (size_t lo = 0; lo < items.size();) {
      size_t hi = lo;
      while (hi < items.size() && items[hi]->program == items[lo]->program) ++hi;
      Program(std::span(items).subspan(lo, hi - lo));
      lo = hi;
    }
    return std::move(rules_);
  }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  void Program(std::span<const Item* const> items) {
    header_ = fmt::format("# {}", items[0]->program.empty() ? "(program not recorded: any program)"
                                                               : CommentText(items[0]->program));
    for (Kind k : {Kind::kFileRead, Kind::kFileWrite, Kind::kExec}) PathRule(items, k);
    Outbound(items);
    Inbound(items);
  }

  Rule Base(const Item& first, RuleType type, std::string_view suffix) {
    Rule r;
    r.type = type;
    r.action = Action::kAllow;
    r.program = ProgramGlob(first.program);
    r.name = UniqueName(fmt::format("{}-{}", BaseName(first.program), suffix));
    return r;
  }

  void PathRule(std::span<const Item* const> items, Kind kind) {
    Evidence ev;
    std::vector<std::string> paths;
    for (const Item* i : items) {
      if (i->kind != kind) continue;
      if (i->target.empty() || (i->target[0] != '/' && i->target[0] != '*')) {
        notes_.push_back(fmt::format("{} {} {}: not an absolute path", CommentText(i->program),
                                     KindName(kind), CommentText(i->target)));
        continue;
      }
      paths.push_back(i->target);
      ev.Add(*i);
    }
    if (paths.empty()) return;
    RuleType type = TypeOf(kind);
    Rule r = Base(*items[0], type, kNameSuffix[static_cast<int>(type)]);
    r.paths = std::move(paths);
    Add(std::move(r), ev, {});
  }

  // Peer addresses as networks; what is not an IP address is noted.
  std::vector<policy::Cidr> Addresses(const std::vector<const Item*>& items) {
    std::vector<policy::Cidr> out;
    for (const Item* i : items) {
      auto net = policy::ParseCidr(i->address);
      if (net.ok()) out.push_back(*net);
      else notes_.push_back(fmt::format("{} {} {}: not an IP address", CommentText(i->program),
                                        KindName(i->kind), CommentText(i->target)));
    }
    return out;
  }

  using PortKey = std::pair<std::vector<std::pair<int, int>>, Protocol>;
  static PortKey KeyOf(const Item& i) {
    std::vector<std::pair<int, int>> p;
    for (const auto& r : i.ports) p.emplace_back(r.lo, r.hi);
    return {p, i.protocol};
  }
  static std::vector<policy::PortRange> Ranges(const PortKey& key) {
    std::vector<policy::PortRange> out;
    for (const auto& [lo, hi] : key.first) out.push_back({lo, hi});
    return out;
  }

  void Outbound(std::span<const Item* const> items) {
    std::map<PortKey, std::vector<const Item*>> groups;
    for (const Item* i : items)
      if (i->kind == Kind::kConnect) groups[KeyOf(*i)].push_back(i);
    for (const auto& [key, group] : groups) {
      Rule r = Base(*group[0], RuleType::kNetworkOutbound, "connect" + PortsPart(Ranges(key), key.second));
      r.addresses = Addresses(group);
      if (r.addresses.empty()) continue;  // none left: the rule would allow any address
      NetMatchers(r, key);
      Evidence ev;
      for (const Item* i : group) ev.Add(*i);
      Add(std::move(r), ev, {});
    }
  }

  void Inbound(std::span<const Item* const> items) {
    std::map<PortKey, std::vector<const Item*>> groups;
    for (const Item* i : items)
      if (i->kind == Kind::kListen || i->kind == Kind::kAccept) groups[KeyOf(*i)].push_back(i);
    for (const auto& [key, group] : groups) {
      Rule r = Base(*group[0], RuleType::kNetworkInbound, "inbound" + PortsPart(Ranges(key), key.second));
      std::vector<const Item*> bound, accepted;
      for (const Item* i : group) (i->kind == Kind::kListen ? bound : accepted).push_back(i);
      std::vector<std::string> comments;
      if (bound.empty()) {
        r.addresses = Addresses(accepted);
        if (r.addresses.empty()) continue;
      } else {
        comments.push_back(fmt::format("# bound {}{}", Targets(bound),
                                       accepted.empty() ? "" : "; accepted from " + Peers(accepted)));
        comments.push_back("# (a bind is judged by its port alone, so this rule admits any peer)");
      }
      NetMatchers(r, key);
      Evidence ev;
      for (const Item* i : group) ev.Add(*i);
      Add(std::move(r), ev, std::move(comments));
    }
  }

  static void NetMatchers(Rule& r, const PortKey& key) {
    r.ports = Ranges(key);
    r.protocol = key.second;
  }
  static std::string Targets(const std::vector<const Item*>& items) {
    std::vector<std::string> t;
    for (const Item* i : items) t.push_back(CommentText(i->target));
    return fmt::format("{}", fmt::join(t, ", "));
  }
  static std::string Peers(const std::vector<const Item*>& items) {
    std::set<std::string> t;
    for (const Item* i : items) t.insert(CommentText(i->address));
    return fmt::format("{}", fmt::join(t, ", "));
  }

  std::string UniqueName(const std::string& base) {
    std::string name = base;
    for (int n = 2; names_.contains(name); ++n) name = fmt::format("{}-{}", base, n);
    names_.insert(name);
    return name;
  }

  void Add(Rule r, const Evidence& ev, std::vector<std::string> more) {
    CommentedRule c{std::move(r), {}, true};
    if (!header_.empty()) c.comments.push_back(std::exchange(header_, ""));
    c.comments.push_back(Provenance(set_.runs, ev));
    for (auto& m : more) c.comments.push_back(std::move(m));
    rules_.push_back(std::move(c));
  }

  const ItemSet& set_;
  const std::vector<Rule>& existing_;
  std::set<std::string> names_;
  std::string header_;  // the program's comment, written above its first rule
  std::vector<CommentedRule> rules_;
  std::vector<std::string> notes_;
};

std::vector<std::string> Header(const ItemSet& set, const Generalization& g,
                                const std::vector<std::string>& notes) {
  std::vector<std::string> h = {fmt::format(
      "# Learned by `warden learn` from {} run{}; it allows what they did:", set.runs.size(),
      set.runs.size() == 1 ? "" : "s")};
  for (const RunRef& r : set.runs) {
    std::string end = r.end_ns ? Time(*r.end_ns) : "(not ended)";
    h.push_back(fmt::format("#   {} run {}: {} .. {}{}", CommentText(r.db), r.run, Time(r.start_ns), end,
                            r.lost_events ? fmt::format(", {} events lost", r.lost_events) : ""));
  }
  if (set.lost_events)
    h.push_back("# The runs lost events: what those did is missing, re-record without loss.");
  h.push_back("# Each rule's comment says what justifies it: the calls, their runs, first and");
  h.push_back("# last seen. Paths are generalised (warden(1), LEARN): /proc/<pid> as /proc/*,");
  if (g.exact)
    h.push_back("# except that --exact kept every path literal.");
  else
    h.push_back(fmt::format("# temp names as ?-templates, more than {} entries of a directory as dir/*.",
                            g.collapse > 0 ? g.collapse : kDefaultCollapse));
  h.push_back("# Try it in mode permissive first (`warden query denied` shows what it would");
  h.push_back("# deny), then set mode: active.");
  for (const auto& n : notes) h.push_back("# Not learned: " + n);
  return h;
}

policy::Policy Fresh(const ItemSet& set, const std::vector<CommentedRule>& learned) {
  policy::Policy p;
  p.name = "learned";
  p.description = fmt::format("what {} recorded run{} did", set.runs.size(), set.runs.size() == 1 ? "" : "s");
  p.mode = policy::Mode::kPermissive;
  p.log_mode = policy::LogMode::kAll;
  for (const CommentedRule& c : learned) {
    RuleType t = c.rule.type;
    if (t == RuleType::kFileRead || t == RuleType::kFileWrite) p.defaults.file = Action::kDeny;
    if (t == RuleType::kExec) p.defaults.exec = Action::kDeny;
    if (t == RuleType::kNetworkInbound || t == RuleType::kNetworkOutbound) p.defaults.network = Action::kDeny;
  }
  // A default denial looks like a permission the file system refused:
  // programs handle EACCES (execvp goes on searching PATH, a compiler
  // reports "Permission denied"), where EPERM may stop them differently.
  p.defaults.err = EACCES;
  return p;
}

}  // namespace

bool Covers(const Rule& rule, const Item& item) {
  if (rule.type != TypeOf(item.kind) || !policy::ProgramMatch(rule.program, item.program)) return false;
  if (rule.type == RuleType::kNetworkOutbound || rule.type == RuleType::kNetworkInbound)
    return PeerCovered(rule, item);
  return PathCovered(rule, item.target);
}

absl::StatusOr<std::string> WritePolicy(const ItemSet& set, const WriterOptions& options) {
  PolicyDocument doc;
  if (options.merge_name) {
    auto merged = policy::ParsePolicyText(options.merge_text, *options.merge_name);
    if (!merged.ok())
      return absl::InvalidArgumentError(fmt::format(
          "--merge {}: the policy has errors; fix them (`warden policy check {}`):\n{}", *options.merge_name,
          *options.merge_name, std::string(merged.status().message())));
    doc.rules = RulesWithComments(*merged, options.merge_text);
    doc.policy = std::move(*merged);
    doc.policy.rules.clear();
  }
  std::vector<Rule> existing;
  for (const CommentedRule& c : doc.rules) existing.push_back(c.rule);
  Learner learner(set, existing);
  std::vector<CommentedRule> learned = learner.Rules();
  if (!options.merge_name) doc.policy = Fresh(set, learned);
  if (options.mode) doc.policy.mode = *options.mode;
  doc.header = Header(set, options.gen, learner.notes());
  for (auto& c : learned) doc.rules.push_back(std::move(c));
  std::string text = WritePolicyYaml(doc);
  // What learn writes must read back: a failure here is a bug in this file.
  if (auto check = policy::ParsePolicyText(text, "the learned policy"); !check.ok())
    return absl::InternalError(fmt::format("warden learn wrote a policy that does not parse:\n{}",
                                           std::string(check.status().message())));
  return text;
}

}  // namespace warden::learn

#include "verify/expect.h"

#include <algorithm>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "learn/generalize.h"
#include "policy/glob.h"
#include "forensics/timeparse.h"
#include "verify/match.h"

namespace warden::verify {
namespace {

bool RuleMatches(std::string_view glob, const learn::Item& item) {
  if (glob == item.target || policy::GlobMatch(glob, item.target)) return true;
  return policy::ProgramMatch(glob, item.program);
}

GeneratedFrom Source(const learn::ItemSet& set, const std::string& version) {
  GeneratedFrom g;
  for (const auto& r : set.runs) {
    if (std::find(g.databases.begin(), g.databases.end(), r.db) == g.databases.end()) g.databases.push_back(r.db);
    g.runs.push_back({r.db, r.run});
  }
  g.warden_version = version;
  g.generated = GeneratedTime(set);
  return g;
}

}  // namespace

absl::StatusOr<TagRule> ParseTagRule(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size())
    return absl::InvalidArgumentError(
        fmt::format("--tag wants NAME=GLOB (config=/etc/**), got '{}'", text));
  TagRule rule{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  if (auto s = policy::ValidateGlob(rule.glob); !s.ok())
    return absl::InvalidArgumentError(fmt::format("--tag {}: {}", text, std::string(s.message())));
  return rule;
}

std::string GeneratedTime(const learn::ItemSet& set) {
  int64_t t = 0;
  for (const auto& r : set.runs) t = std::max(t, r.end_ns.value_or(r.start_ns));
  for (const auto& i : set.items) t = std::max(t, i.last_ns);
  return forensics::FormatRfc3339Ms(t);
}

std::string DefaultService(const learn::ItemSet& set) {
  const learn::Item* first = nullptr;
  for (const auto& i : set.items)
    if (i.kind == learn::Kind::kExec && (!first || i.first_ns < first->first_ns)) first = &i;
  if (!first) return "service";
  std::string_view t = first->target;
  t = t.substr(t.rfind('/') + 1);
  return t.empty() || HasGlob(t) ? "service" : std::string(t);
}

ExpectedProfile MakeExpected(const learn::ItemSet& set, const ExpectOptions& options) {
  ExpectedProfile p;
  p.service = options.service.empty() ? DefaultService(set) : options.service;
  p.generated_from = Source(set, options.warden_version);
  p.coverage = options.coverage;
  p.items.reserve(set.items.size());
  for (const auto& item : set.items) {
    ExpectedItem e{item.kind, learn::LiteralGlob(item.program), item.target, false, ""};
    for (const auto& g : options.optional) e.optional = e.optional || RuleMatches(g, item);
    for (const auto& rule : options.tags)
      if (RuleMatches(rule.glob, item)) {
        e.tag = rule.name;
        break;
      }
    p.items.push_back(std::move(e));
  }
  return p;
}

}  // namespace warden::verify

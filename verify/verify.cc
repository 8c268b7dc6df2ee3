#include "verify/verify.h"

#include <algorithm>
#include <map>

#include "fmt/format.h"
#include "verify/match.h"

namespace warden::verify {
namespace {

constexpr std::string_view kStatusNames[] = {"ok", "warning", "critical"};
constexpr int kExitCodes[] = {0, 1, 3};

// The rates of the items the profile expects, by kind and by tag.
void Count(const ExpectedProfile& p, const std::vector<bool>& seen, Report& r) {
  Rate kinds[std::size(learn::kAllKinds)];
  bool has_kind[std::size(learn::kAllKinds)] = {};
  std::map<std::string, Rate> tags;
  for (size_t i = 0; i < p.items.size(); ++i) {
    const ExpectedItem& e = p.items[i];
    if (e.optional) {
      ++r.optional.expected;
      r.optional.observed += seen[i];
      continue;
    }
    has_kind[static_cast<int>(e.kind)] = true;
    for (Rate* rate : {&r.overall, &kinds[static_cast<int>(e.kind)]}) {
      ++rate->expected;
      rate->observed += seen[i];
    }
    if (!e.tag.empty()) {
      ++tags[e.tag].expected;
      tags[e.tag].observed += seen[i];
    }
    if (!seen[i]) r.missing.push_back(e);
  }
  for (learn::Kind k : learn::kAllKinds)
    if (has_kind[static_cast<int>(k)]) r.by_kind.push_back({k, kinds[static_cast<int>(k)]});
  for (auto& [tag, rate] : tags) r.by_tag.push_back({tag, rate});
}

std::string Percent(double v) { return fmt::format("{:.1f}%", v * 100); }

// The status and the findings behind it, worst first.
void Judge(Report& r) {
  double rate = r.overall.value();
  auto finding = [&](Status s, std::string text) {
    r.status = std::max(r.status, s);
    r.findings.push_back(std::move(text));
  };
  std::string observed = fmt::format("observation rate {} ({} of {} expected items)", Percent(rate),
                                     r.overall.observed, r.overall.expected);
  if (rate < r.critical_below)
    finding(Status::kCritical, fmt::format("{} is below the critical threshold {}", observed, Percent(r.critical_below)));
  else if (rate < r.warn_below)
    finding(Status::kWarning, fmt::format("{} is below the warning threshold {}", observed, Percent(r.warn_below)));
  if (!r.unexpected.empty() && r.fail_on_unexpected)
    finding(Status::kWarning, fmt::format("{} unexpected item{} observed (the profile says fail_on_unexpected)",
                                          r.unexpected.size(), r.unexpected.size() == 1 ? "" : "s"));
  for (const auto& run : r.runs)
    if (run.lost_events)
      finding(Status::kWarning, fmt::format("run {} of {} lost {} event{}: what they did is not in this report",
                                            run.run, run.db, run.lost_events, run.lost_events == 1 ? "" : "s"));
}

}  // namespace

std::string_view StatusName(Status s) { return kStatusNames[static_cast<int>(s)]; }

int ExitCode(Status s) { return kExitCodes[static_cast<int>(s)]; }

Report Verify(const ExpectedProfile& profile, const learn::ItemSet& observed, const VerifyOptions& options) {
  Report r;
  r.service = profile.service;
  r.runs = observed.runs;
  r.lost_events = observed.lost_events;
  r.warn_below = std::max(options.warn_below, profile.coverage.min_observation_rate);
  r.critical_below = options.critical_below;
  r.fail_on_unexpected = profile.coverage.fail_on_unexpected;
  Matcher matcher(profile.items);
  std::vector<bool> seen(profile.items.size());
  for (const learn::Item& o : observed.items)
    if (!matcher.Observe(o, seen)) r.unexpected.push_back({o.kind, o.program, o.target, o.count, o.first_ns});
  Count(profile, seen, r);
  Judge(r);
  return r;
}

}  // namespace warden::verify

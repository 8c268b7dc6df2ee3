// ReportJson (report.h).
#include "fmt/format.h"
#include "forensics/timeparse.h"
#include "verify/expected.h"
#include "store/json.h"
#include "verify/report.h"

namespace warden::verify {
namespace {

std::string RateJson(const Rate& r) {
  return fmt::format(R"("rate": {}, "expected": {}, "observed": {})", r.value(), r.expected, r.observed);
}

std::string TargetJson(learn::Kind k, std::string_view target) {
  return fmt::format(R"("{}": {})", IsNetworkKind(k) ? "peer" : "path", store::JsonQuote(target));
}

std::string Rates(const Report& r) {
  std::vector<std::string> kinds, tags;
  for (const auto& k : r.by_kind)
    kinds.push_back(fmt::format(R"({{"kind": {}, {}}})", store::JsonQuote(learn::KindName(k.kind)), RateJson(k.rate)));
  for (const auto& t : r.by_tag)
    tags.push_back(fmt::format(R"({{"tag": {}, {}}})", store::JsonQuote(t.tag), RateJson(t.rate)));
  return fmt::format(R"("observation": {{{}}}, "optional": {{"expected": {}, "observed": {}}}, )"
                     R"("by_kind": [{}], "by_tag": [{}])",
                     RateJson(r.overall), r.optional.expected, r.optional.observed, fmt::join(kinds, ", "),
                     fmt::join(tags, ", "));
}

std::string Items(const Report& r) {
  std::vector<std::string> missing, unexpected;
  for (const auto& m : r.missing)
    missing.push_back(fmt::format(R"({{"kind": {}, "program": {}, {}, "tag": {}}})", store::JsonQuote(learn::KindName(m.kind)),
                                  store::JsonQuote(m.program), TargetJson(m.kind, m.target),
                                  m.tag.empty() ? "null" : store::JsonQuote(m.tag)));
  for (const auto& u : r.unexpected)
    unexpected.push_back(fmt::format(R"({{"kind": {}, "program": {}, {}, "count": {}, "first_seen": {}}})",
                                     store::JsonQuote(learn::KindName(u.kind)), store::JsonQuote(u.program),
                                     TargetJson(u.kind, u.target), u.count,
                                     store::JsonQuote(forensics::FormatRfc3339Ms(u.first_ns))));
  return fmt::format(R"("missing": [{}], "unexpected": [{}])", fmt::join(missing, ", "), fmt::join(unexpected, ", "));
}

std::string Runs(const Report& r) {
  std::vector<std::string> runs;
  for (const auto& run : r.runs)
    runs.push_back(fmt::format(R"({{"db": {}, "run": {}, "start": {}, "lost_events": {}}})", store::JsonQuote(run.db),
                               run.run, store::JsonQuote(forensics::FormatRfc3339Ms(run.start_ns)), run.lost_events));
  return fmt::format(R"("runs": [{}], "lost_events": {})", fmt::join(runs, ", "), r.lost_events);
}

}  // namespace

std::string ReportJson(const Report& r, std::string_view expect_file) {
  std::vector<std::string> findings;
  for (const auto& f : r.findings) findings.push_back(store::JsonQuote(f));
  return fmt::format(
      R"({{"service": {}, "expected_profile": {}, "status": {}, "findings": [{}], )"
      R"("thresholds": {{"critical_below": {}, "warn_below": {}, "fail_on_unexpected": {}}}, {}, {}, {}}})"
      "\n",
      store::JsonQuote(r.service), store::JsonQuote(expect_file), store::JsonQuote(StatusName(r.status)), fmt::join(findings, ", "),
      r.critical_below, r.warn_below, r.fail_on_unexpected, Rates(r), Items(r), Runs(r));
}

}  // namespace warden::verify

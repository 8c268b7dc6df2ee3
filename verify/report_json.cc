// ReportJson (report.h).
#include "fmt/format.h"
#include "store/timeparse.h"
#include "verify/expected.h"
#include "verify/json_bytes.h"
#include "verify/report.h"

namespace warden::verify {
namespace {

std::string RateJson(const Rate& r) {
  return fmt::format(R"("rate": {}, "expected": {}, "observed": {})", r.value(), r.expected, r.observed);
}

std::string TargetJson(learn::Kind k, std::string_view target) {
  return fmt::format(R"("{}": {})", IsNetworkKind(k) ? "peer" : "path", JsonBytes(target));
}

std::string Rates(const Report& r) {
  std::vector<std::string> kinds, tags;
  for (const auto& k : r.by_kind)
    kinds.push_back(fmt::format(R"({{"kind": {}, {}}})", JsonBytes(learn::KindName(k.kind)), RateJson(k.rate)));
  for (const auto& t : r.by_tag)
    tags.push_back(fmt::format(R"({{"tag": {}, {}}})", JsonBytes(t.tag), RateJson(t.rate)));
  return fmt::format(R"("observation": {{{}}}, "optional": {{"expected": {}, "observed": {}}}, )"
                     R"("by_kind": [{}], "by_tag": [{}])",
                     RateJson(r.overall), r.optional.expected, r.optional.observed, fmt::join(kinds, ", "),
                     fmt::join(tags, ", "));
}

std::string Items(const Report& r) {
  std::vector<std::string> missing, unexpected;
  for (const auto& m : r.missing)
    missing.push_back(fmt::format(R"({{"kind": {}, "program": {}, {}, "tag": {}}})", JsonBytes(learn::KindName(m.kind)),
                                  JsonBytes(m.program), TargetJson(m.kind, m.target),
                                  m.tag.empty() ? "null" : JsonBytes(m.tag)));
  for (const auto& u : r.unexpected)
    unexpected.push_back(fmt::format(R"({{"kind": {}, "program": {}, {}, "count": {}, "first_seen": {}}})",
                                     JsonBytes(learn::KindName(u.kind)), JsonBytes(u.program),
                                     TargetJson(u.kind, u.target), u.count,
                                     JsonBytes(store::FormatRfc3339Ms(u.first_ns))));
  return fmt::format(R"("missing": [{}], "unexpected": [{}])", fmt::join(missing, ", "), fmt::join(unexpected, ", "));
}

std::string Runs(const Report& r) {
  std::vector<std::string> runs;
  for (const auto& run : r.runs)
    runs.push_back(fmt::format(R"({{"db": {}, "run": {}, "start": {}, "lost_events": {}}})", JsonBytes(run.db),
                               run.run, JsonBytes(store::FormatRfc3339Ms(run.start_ns)), run.lost_events));
  return fmt::format(R"("runs": [{}], "lost_events": {})", fmt::join(runs, ", "), r.lost_events);
}

}  // namespace

std::string ReportJson(const Report& r, std::string_view expect_file) {
  std::vector<std::string> findings;
  for (const auto& f : r.findings) findings.push_back(JsonBytes(f));
  return fmt::format(
      R"({{"service": {}, "expected_profile": {}, "status": {}, "findings": [{}], )"
      R"("thresholds": {{"critical_below": {}, "warn_below": {}, "fail_on_unexpected": {}}}, {}, {}, {}}})"
      "\n",
      JsonBytes(r.service), JsonBytes(expect_file), JsonBytes(StatusName(r.status)), fmt::join(findings, ", "),
      r.critical_below, r.warn_below, r.fail_on_unexpected, Rates(r), Items(r), Runs(r));
}

}  // namespace warden::verify

// `warden verify`: check recorded runs (a database, or an NDJSON export
// offline) against an expected profile (warden-expect(5)); the report and
// the status come from verify/verify.h, the rendering from verify/report.h.
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "cli/source.h"
#include "cli/output.h"
#include "fmt/format.h"
#include "learn/event_source.h"
#include "learn/items.h"
#include "learn/observe.h"
#include "forensics/timeparse.h"
#include "verify/expected.h"
#include "verify/report.h"
#include "verify/verify.h"

namespace warden::cli {
namespace {

constexpr std::string_view kVerifyUsage =
    R"(usage: warden verify --expect FILE [--db PATH]... [--run ID]... [--from T] [--to T]
                     [--warn-below R] [--critical-below R] [--format text|json] [-o FILE]
       warden verify --expect FILE --observations EXPORT [--run ID]... [--from T] [--to T] ...
Check recorded runs against an expected profile (warden-expect(5)) written by
`warden expect`: the observation rate (expected items observed / expected
items, optional ones not counted) overall, per kind and per tag; the
expected items not observed; the unexpected items observed (matching no
expected item); the events the runs lost.
  --expect FILE        the expected profile
  --db PATH            database written by `warden run` (default: see warden(1), FILES;
                       repeatable); read, never changed
  --observations FILE  an NDJSON export (`warden export --format ndjson`,
                       gzip or not) instead of a database: the offline flow
  --pg URL           instead of --db: the runs shipped to PostgreSQL (warden ship)
  --select K=V,...   with --pg: the runs whose labels include these
  --run ID             the runs to check (repeatable; default: the last run
                       of each database, every run of an export, or with
                       --from/--to every run with events inside)
  --from T, --to T     only events inside the window
  --warn-below R       warning below this rate (default 0.8; the profile's
                       min_observation_rate applies when it is higher)
  --critical-below R   critical below this rate (default 0.5)
  --format F           text (default) or json
  -o FILE              write the report to FILE (default stdout)
Status: critical when the rate is below --critical-below; warning when it is
below the warning threshold, when a run lost events, or when an unexpected
item was observed and the profile says fail_on_unexpected; ok otherwise.
Exit status: 0 ok, 1 warning, 3 critical, 2 when no report could be made
(a usage error, a profile that is not valid, a database, run or export that
does not exist, a report that cannot be written).
)";

int Fail(std::string_view message) {
  fmt::print(stderr, "warden verify: {}\n", message);
  return 2;
}

int Fail(const absl::Status& s) { return Fail(std::string(s.message())); }

struct VerifyArgs {
  std::string expect, observations, out;
  learn::Selection selection;
  verify::VerifyOptions options;
  bool json = false;
};

std::function<std::optional<std::string>(const std::string&)> Rate(std::string_view name, double& field) {
  return [name, &field](const std::string& v) -> std::optional<std::string> {
    auto r = ParseRate(v);
    if (!r) return fmt::format("{} wants a rate from 0 to 1 (0.8) or a percentage, got '{}'", name, v);
    field = *r;
    return std::nullopt;
  };
}

std::vector<Option> VerifyOptionTable(VerifyArgs& a) {
  std::vector<Option> t;
  AddSelectionOptions(t, a.selection, forensics::NowNs());
  auto text = [](std::string& field) {
    return [&field](const std::string& v) -> std::optional<std::string> {
      field = v;
      return std::nullopt;
    };
  };
  t.push_back({"--expect", true, text(a.expect)});
  t.push_back({"--observations", true, text(a.observations)});
  t.push_back({"-o", true, text(a.out)});
  t.push_back({"--output", true, text(a.out)});
  t.push_back({"--warn-below", true, Rate("--warn-below", a.options.warn_below)});
  t.push_back({"--critical-below", true, Rate("--critical-below", a.options.critical_below)});
  t.push_back({"--format", true, [&a](const std::string& v) -> std::optional<std::string> {
                 if (v != "text" && v != "json") return fmt::format("unknown format '{}'; formats: text, json", v);
                 a.json = v == "json";
                 return std::nullopt;
               }});
  return t;
}

// The runs' items, generalised as `expect` does but never collapsed: a
// directory the profile lists file by file must not turn into dir/*.
absl::StatusOr<learn::ItemSet> Observe(VerifyArgs& a) {
  learn::Generalization gen;
  gen.collapse = std::numeric_limits<int>::max();
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) gen.temp_dirs.push_back(tmp);
  learn::ItemCollector collector(gen);
  if (!a.observations.empty()) {
    if (auto s = learn::ReadNdjson(a.observations, a.selection, collector); !s.ok()) return s;
    return collector.Finish();
  }
  auto source = OpenSource(a.selection);
  if (!source.ok()) return source.status();
  if (auto s = learn::ReadObservations(**source, a.selection, collector); !s.ok()) return s;
  return collector.Finish();
}

}  // namespace

int VerifyCommand(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") {
      fmt::print("{}", kVerifyUsage);
      return 0;
    }
  VerifyArgs a;
  if (auto error = ParseOptions(args, VerifyOptionTable(a)))
    return Fail(fmt::format("{}\n(see `warden verify --help`)", *error));
  if (a.expect.empty()) return Fail("--expect FILE is required (an expected profile written by `warden expect`)");
  if (!a.observations.empty() && !a.selection.dbs.empty())
    return Fail("--observations and --db are two sources: give one");
  auto profile = verify::ReadExpected(a.expect);
  if (!profile.ok()) return Fail(profile.status());
  auto observed = Observe(a);
  if (!observed.ok()) return Fail(observed.status());
  verify::Report report = verify::Verify(*profile, *observed, a.options);
  auto out = Output::Open(a.out, false);
  if (!out.ok()) return Fail(out.status());
  (*out)->stream() << (a.json ? verify::ReportJson(report, a.expect) : verify::ReportText(report, a.expect));
  if (auto s = (*out)->Commit(); !s.ok()) return Fail(s);
  return verify::ExitCode(report.status);
}

}  // namespace warden::cli

// `warden expect`: write an expected profile (warden-expect(5)) from
// recorded runs: learn/observe.h reads them, learn/items.h groups and
// generalises, verify/expect.h turns the items into expected items.
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "cli/source.h"
#include "cli/output.h"
#include "cli/version.h"
#include "fmt/format.h"
#include "learn/event_source.h"
#include "learn/items.h"
#include "forensics/timeparse.h"
#include "verify/expect.h"

namespace warden::cli {
namespace {

constexpr std::string_view kExpectUsage =
    R"(usage: warden expect [--db PATH]... [--run ID]... [--from T] [--to T] [--service NAME]
                     [--min-rate R] [--fail-on-unexpected|--no-fail-on-unexpected]
                     [--tag NAME=GLOB]... [--optional GLOB]... [--collapse N] [--exact] [-o FILE]
Write an expected profile (warden-expect(5)) of what recorded runs did: one
item per program and file read, written or executed, peer connected to, port
listened on, peer accepted, paths generalised as `warden learn` does.
`warden verify --expect FILE` checks later runs against it.
  --db PATH          database written by `warden run` (default: see warden(1), FILES);
                     repeat for replicas of one service; read, never changed
  --pg URL           instead of --db: the runs shipped to PostgreSQL (warden ship)
  --select K=V,...   with --pg: the runs whose labels include these
  --run ID           a run of each database (repeatable; default: the last
                     run, or with --from/--to every run with events inside)
  --from T, --to T   only events inside the window (RFC 3339, "2h ago", ...)
  --service NAME     the service's name (default: the base name of the first
                     program the runs executed)
  --min-rate R       coverage.min_observation_rate: verify warns below it
                     (0..1 or a percentage; default 0.8)
  --no-fail-on-unexpected
                     coverage.fail_on_unexpected false: verify lists
                     unexpected items without failing (default: it fails)
  --tag NAME=GLOB    tag items whose path or peer matches GLOB, or whose
                     program does (as a policy rule's program); the first
                     matching --tag wins; verify reports a rate per tag
  --optional GLOB    mark the items GLOB matches (the same way) optional:
                     verify does not count them in the observation rate
  --collapse N       a directory with more than N entries read by one program
                     becomes dir/* or dir/** (default 10)
  --exact            keep every path literal
  -o FILE            write FILE (replaced only when complete; default stdout)
The same runs give the same bytes: items are sorted, and "generated" is the
end of the newest run, not the time of the command.
Exit status: 0; 2 for a usage error, a database or run that does not exist,
or a file that cannot be written.
)";

int Fail(std::string_view message) {
  fmt::print(stderr, "warden expect: {}\n", message);
  return 2;
}

int Fail(const absl::Status& s) { return Fail(std::string(s.message())); }

std::optional<std::string> SetFlag(bool& flag, bool value) {
  flag = value;
  return std::nullopt;
}

std::vector<Option> ExpectOptions(learn::Selection& sel, learn::Generalization& gen,
                                  verify::ExpectOptions& opts, std::string& out) {
  std::vector<Option> t;
  AddSelectionOptions(t, sel, forensics::NowNs());
  auto text = [](std::string& field) {
    return [&field](const std::string& v) -> std::optional<std::string> {
      field = v;
      return std::nullopt;
    };
  };
  t.push_back({"--service", true, text(opts.service)});
  t.push_back({"-o", true, text(out)});
  t.push_back({"--output", true, text(out)});
  t.push_back({"--min-rate", true, [&opts](const std::string& v) -> std::optional<std::string> {
                 auto r = ParseRate(v);
                 if (!r) return fmt::format("--min-rate wants a rate from 0 to 1 (0.8) or a percentage, got '{}'", v);
                 opts.coverage.min_observation_rate = *r;
                 return std::nullopt;
               }});
  t.push_back({"--fail-on-unexpected", false, [&opts](auto&) { return SetFlag(opts.coverage.fail_on_unexpected, true); }});
  t.push_back({"--no-fail-on-unexpected", false, [&opts](auto&) { return SetFlag(opts.coverage.fail_on_unexpected, false); }});
  t.push_back({"--exact", false, [&gen](auto&) { return SetFlag(gen.exact, true); }});
  t.push_back({"--tag", true, [&opts](const std::string& v) -> std::optional<std::string> {
                 auto rule = verify::ParseTagRule(v);
                 if (!rule.ok()) return std::string(rule.status().message());
                 opts.tags.push_back(*rule);
                 return std::nullopt;
               }});
  t.push_back({"--optional", true, [&opts](const std::string& v) -> std::optional<std::string> {
                 opts.optional.push_back(v);
                 return std::nullopt;
               }});
  t.push_back({"--collapse", true, [&gen](const std::string& v) -> std::optional<std::string> {
                 auto n = ParsePositive(v);
                 if (!n || *n > 1'000'000) return fmt::format("--collapse wants a number of entries (10), got '{}'", v);
                 gen.collapse = static_cast<int>(*n);
                 return std::nullopt;
               }});
  return t;
}

}  // namespace

int ExpectCommand(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") {
      fmt::print("{}", kExpectUsage);
      return 0;
    }
  learn::Selection sel;
  learn::Generalization gen;
  verify::ExpectOptions opts;
  std::string out_path;
  if (auto error = ParseOptions(args, ExpectOptions(sel, gen, opts, out_path)))
    return Fail(fmt::format("{}\n(see `warden expect --help`)", *error));
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) gen.temp_dirs.push_back(tmp);
  opts.warden_version = WARDEN_VERSION;
  auto source = OpenSource(sel);
  if (!source.ok()) return Fail(source.status());
  learn::ItemCollector collector(gen);
  if (auto s = learn::ReadObservations(**source, sel, collector); !s.ok()) return Fail(s);
  learn::ItemSet set = collector.Finish();
  if (set.items.empty()) fmt::print(stderr, "warden expect: warning: the runs did nothing warden records; the profile expects nothing\n");
  std::string text = verify::WriteExpected(verify::MakeExpected(set, opts));
  auto out = Output::Open(out_path, false);
  if (!out.ok()) return Fail(out.status());
  (*out)->stream() << text;
  if (auto s = (*out)->Commit(); !s.ok()) return Fail(s);
  return 0;
}

}  // namespace warden::cli

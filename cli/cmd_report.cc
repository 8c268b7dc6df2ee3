// `warden report [--db PATH] [--run ID] [--expect FILE] -o FILE.html`: one
// self-contained HTML page of a run (report/): summary, process timeline,
// events over time, counts, policy hits, runtime profile, and the verify
// result against an expected profile.
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/default_db.h"
#include "cli/option_table.h"
#include "cli/output.h"
#include "fmt/format.h"
#include "report/html.h"
#include "report/load.h"

namespace warden::cli {
namespace {

constexpr std::string_view kReportUsage =
    R"(usage: warden report [--db PATH] [--run ID] [--expect FILE] -o FILE.html
Write one HTML page of a recorded run that opens from disk in any browser,
with no network (styles, script and data are inside the file): the run
(command, status, duration, processes, events, lost events, policy and
mode); a process timeline (one bar per process, nested by parent; grouped
by program past 300 processes); events over time by kind with policy
denials marked; counts by kind, verdict and syscall; policy hits by rule
and action; the runtime profile (files by directory, programs, ports,
peers); with --expect, the verify result. The summary and the tables read
without JavaScript; the charts are drawn by the page's own script.
  --db PATH      database written by `warden run` (default: see warden(1), FILES);
                 opened read-only, never changed
  --run ID       the run (default: the latest run)
  --expect FILE  also check the run against this expected profile
                 (warden-expect(5)), as `warden verify` does
  -o FILE        where to write the page (required; "-" for standard output);
                 written to a temporary file next to it, then renamed
The same database gives the same bytes. The size is bounded: time in at most
200 bins, lists capped ("and N more").
Exit status: 0; 2 for a usage error, a database that is missing, not a
warden database or without the run, an expected profile that is not valid,
or an output path that cannot be written to (its directory missing, a
directory); 1 when writing the page failed (a full disk, a closed pipe).
)";

int Fail(std::string_view message) {
  fmt::print(stderr, "warden report: {}\n", message);
  return 2;
}

int Fail(const absl::Status& s) { return Fail(std::string(s.message())); }

// An output path in a directory that does not exist: said before the
// database is read, naming the directory.
std::optional<std::string> OutputProblem(const std::string& out) {
  if (out == "-") return std::nullopt;
  const size_t slash = out.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : out.substr(0, slash);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0)
    return fmt::format("cannot write {}: the directory {} {}; create it or give -o another path", out, dir,
                       errno == ENOENT ? "does not exist" : strerror(errno));
  if (!S_ISDIR(st.st_mode)) return fmt::format("cannot write {}: {} is not a directory", out, dir);
  if (stat(out.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return fmt::format("cannot write {}: it is a directory; give -o a file name (run.html)", out);
  return std::nullopt;
}

}  // namespace

int ReportCommand(const std::vector<std::string>& args) {
  std::string db = DefaultDb(), out;
  report::LoadOptions options;
  std::vector<Option> table = {SetOption("--db", db), RunIdOption(options.run),
                               SetOption("--expect", options.expect_file), SetOption("-o", out),
                               SetOption("--output", out)};
  if (auto rc = ParseCommandLine("report", args, std::move(table), kReportUsage)) return *rc;
  if (out.empty()) return Fail("-o FILE is required: where to write the page (warden report -o run.html)");
  if (auto problem = OutputProblem(out)) return Fail(*problem);
  auto data = report::LoadReport(db, options);
  if (!data.ok()) return Fail(data.status());
  auto output = Output::Open(out, false);
  if (!output.ok()) return Fail(output.status());
  (*output)->stream() << report::RenderHtml(*data);
  if (auto s = (*output)->Commit(); !s.ok()) {
    fmt::print(stderr, "warden report: {}\n", std::string(s.message()));
    return 1;  // as every reading command whose output cannot be written
  }
  return 0;
}

}  // namespace warden::cli

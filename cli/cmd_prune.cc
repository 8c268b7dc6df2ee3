// `warden prune --db PATH --older-than DURATION [--vacuum] [--dry-run]`
#include <cctype>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "forensics/prune.h"
#include "forensics/timeparse.h"

namespace warden::cli {
namespace {

constexpr std::string_view kPruneUsage =
    "usage: warden prune [--db PATH] --older-than DURATION [--vacuum] [--dry-run]\n"
    "  --db PATH              database written by `warden run` (default: see warden(1), FILES)\n"
    "  --older-than DURATION  remove the runs that started longer ago than this:\n"
    "                         72h, 30m, 7d, 2w, 1h30m (a run with no end that\n"
    "                         recorded something since is kept: still recording)\n"
    "  --vacuum               then rebuild the file so that it shrinks on disk\n"
    "  --dry-run              print what would be removed; change nothing\n";

std::string Rfc3339(int64_t ns) { return forensics::FormatRfc3339Ms(ns); }

std::string Bytes(int64_t n) {
  if (n >= 10 * 1024 * 1024) return fmt::format("{:.1f} MiB", n / (1024.0 * 1024.0));
  if (n >= 10 * 1024) return fmt::format("{:.1f} KiB", n / 1024.0);
  return fmt::format("{} bytes", n);
}

std::string Describe(const forensics::PrunedRun& r) {
  return fmt::format("run {} (started {}, {}; {} rows) {}", r.run.id, Rfc3339(r.run.start_ns),
                     r.run.end_ns ? "finished" : "never finished", r.rows, r.run.argv_json);
}

}  // namespace

int PruneCommand(const std::vector<std::string>& args) {
  std::string db = DefaultDb(), older;
  forensics::PruneOptions options;
  std::vector<Option> table = {SetOption("--db", db), SetOption("--older-than", older),
                               FlagOption("--vacuum", options.vacuum), FlagOption("--dry-run", options.dry_run)};
  if (auto rc = ParseCommandLine("prune", args, std::move(table), kPruneUsage)) return *rc;
  if (older.empty()) {
    fmt::print(stderr, "warden prune: --older-than DURATION is required (warden prune --help)\n");
    return 2;
  }
  const int64_t now = forensics::NowNs();
  auto cutoff = forensics::ParseDurationAgo(older, now);
  if (!cutoff.ok()) {
    fmt::print(stderr, "warden prune: --older-than {}\n", std::string(cutoff.status().message()));
    return 2;
  }
  options.cutoff_ns = *cutoff;
  auto report = forensics::Prune(db, options);
  if (!report.ok()) {
    fmt::print(stderr, "warden prune: {}\n", std::string(report.status().message()));
    return 2;
  }
  const char* verb = options.dry_run ? "would remove" : "removed";
  for (const auto& r : report->removed) fmt::print("{} {}\n", verb, Describe(r));
  for (const auto& r : report->kept_recording)
    fmt::print("kept {}: no end yet and recorded at {}, after the cutoff (still recording)\n",
               Describe(r), Rfc3339(r.last_activity_ns));
  fmt::print("{} {} run{} ({} rows) that started before {}; {} run{} kept\n", verb,
             report->removed.size(), report->removed.size() == 1 ? "" : "s", report->rows,
             Rfc3339(options.cutoff_ns), report->runs_kept, report->runs_kept == 1 ? "" : "s");
  if (options.vacuum && options.dry_run) fmt::print("--dry-run: no VACUUM\n");
  if (report->bytes_before && report->bytes_after)
    fmt::print("vacuumed: {} -> {}\n", Bytes(*report->bytes_before), Bytes(*report->bytes_after));
  return 0;
}

}  // namespace warden::cli

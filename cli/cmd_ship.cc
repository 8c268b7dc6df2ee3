// `warden ship`: copy recorded runs into PostgreSQL for fleet reads
// (fleet/ship.h), and drop old day partitions there.
#include <csignal>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/default_db.h"
#include "cli/option_table.h"
#include "fleet/pg.h"
#include "fleet/pg_schema.h"
#include "fleet/ship.h"
#include "fmt/format.h"
#include "forensics/timeparse.h"

namespace warden::cli {
namespace {

constexpr std::string_view kShipUsage =
    R"(usage: warden ship [--db PATH] --to URL [--run ID]... [--follow | --once] [--batch N]
       warden ship --to URL --prune-older-than DURATION
Copy the runs of a warden database into PostgreSQL (warden-db(5),
POSTGRESQL): runs with their labels, processes and every event, with COPY
in batches. Each batch commits with its stream's cursor, so shipping again,
or after the server went away, sends only what is missing: every event
lands exactly once. The database file is only read.
  --db PATH        database written by `warden run` (default: see warden(1), FILES)
  --to URL         postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (libpq also reads
                   PGPASSWORD and ~/.pgpass); the schema is created when missing
  --run ID         ship this run (repeatable; default: every run of the file)
  --once           ship what is there and exit (the default)
  --follow         keep shipping what the runs record, from this second
                   process; with --run, exit once they have ended and all is
                   shipped; without, follow new runs too, until SIGINT/SIGTERM
  --batch N        rows per batch and transaction (default 20000)
  --prune-older-than DURATION
                   detach and drop the day partitions of events wholly older
                   than DURATION (72h, 7d, ...); runs and processes stay
Exit status: 0 when everything is shipped; 1 when the server went away or
failed part way (what was not shipped is counted: run it again to resume);
2 for a usage error, a database that is missing, not a warden database or
without the run, a URL that is not one, a login refused, or a PostgreSQL
schema newer than this warden's.
)";

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

int Fail(std::string_view message, int code) {
  fmt::print(stderr, "warden ship: {}\n", message);
  return code;
}
int Fail(const absl::Status& s, int code) { return Fail(std::string(s.message()), code); }

int Prune(const std::string& url, const std::string& older) {
  auto cutoff = forensics::ParseDurationAgo(older, forensics::NowNs());
  if (!cutoff.ok()) return Fail(fmt::format("--prune-older-than {}", std::string(cutoff.status().message())), 2);
  auto conn = fleet::PgConn::Connect(url);
  if (!conn.ok()) return Fail(conn.status(), 2);
  if (auto s = fleet::EnsureSchema(**conn); !s.ok()) return Fail(s, 2);
  auto dropped = fleet::DropPartitionsBefore(**conn, *cutoff);
  if (!dropped.ok()) return Fail(dropped.status(), 1);
  for (const auto& name : *dropped) fmt::print("dropped {}\n", name);
  fmt::print("{} partition{} dropped (events before {})\n", dropped->size(),
             dropped->size() == 1 ? "" : "s", forensics::FormatRfc3339Ms(*cutoff));
  return 0;
}

}  // namespace

int ShipCommand(const std::vector<std::string>& args) {
  fleet::ShipOptions o;
  o.db = DefaultDb();
  bool once = false;
  std::string prune, batch;
  std::vector<std::string> runs;
  std::vector<Option> table = {
      SetOption("--db", o.db), SetOption("--to", o.url), AppendOption("--run", runs),
      FlagOption("--follow", o.follow), FlagOption("--once", once), SetOption("--batch", batch),
      SetOption("--prune-older-than", prune)};
  if (auto rc = ParseCommandLine("ship", args, std::move(table), kShipUsage)) return *rc;
  if (o.url.empty()) return Fail("--to URL is required (warden ship --help)", 2);
  if (o.follow && once) return Fail("--follow and --once exclude each other", 2);
  if (!prune.empty()) return Prune(o.url, prune);
  for (const std::string& r : runs) {
    auto id = ParsePositive(r);
    if (!id) return Fail(BadRunId(r), 2);
    o.runs.push_back(*id);
  }
  if (!batch.empty()) {
    auto n = ParsePositive(batch);
    if (!n || *n > 1000000) return Fail(fmt::format("--batch wants rows, 1 to 1000000, got '{}'", batch), 2);
    o.batch_rows = static_cast<int>(*n);
  }
  if (o.follow) {
    signal(SIGINT, OnSignal);
    signal(SIGTERM, OnSignal);
    o.stop = &g_stop;
  }
  fleet::ShipReport report;
  absl::Status s = fleet::Ship(o, report);
  const std::string counts = fmt::format(
      "{} run{}, {} events and {} process rows sent, {} rows shipped before", report.runs,
      report.runs == 1 ? "" : "s", report.events, report.processes, report.already);
  if (!s.ok()) {
    // The file, the URL, the login or the schema was wrong: nothing was
    // sent, bad input.
    if (!report.connected) return Fail(s, 2);
    return Fail(fmt::format("{}\n{}; up to {} rows not shipped: run warden ship again to resume "
                            "(nothing is sent twice)",
                            std::string(s.message()), counts, report.unshipped),
                1);
  }
  fmt::print(stderr, "warden ship: {} to {}\n", counts, fleet::RedactUrl(o.url));
  return 0;
}

}  // namespace warden::cli

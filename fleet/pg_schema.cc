#include "fleet/pg_schema.h"

#include <ctime>

#include "fmt/format.h"

namespace warden::fleet {
namespace {

constexpr int64_t kDayNs = 86400LL * 1000000000LL;
// pg_advisory_xact_lock keys: the schema, partitions.
constexpr int64_t kSchemaLock = 0x77617264656e01;  // "warden" 1
constexpr int64_t kPartitionLock = 0x77617264656e02;

constexpr std::string_view kSchemaSql = R"sql(
CREATE TABLE warden_schema (version integer NOT NULL);

-- One row per run, by the UUID it got when it was recorded.
CREATE TABLE runs (
  key            serial PRIMARY KEY,      -- what processes and events refer to
  uuid           uuid NOT NULL UNIQUE,
  labels         jsonb NOT NULL,          -- {"host": ..., "app": ...}
  host           text NOT NULL,
  argv           text NOT NULL,           -- JSON array, as in SQLite
  cwd            text NOT NULL,
  warden_version text NOT NULL,
  start_ns       bigint NOT NULL,
  end_ns         bigint,                  -- NULL while running, or warden died
  exit_code      integer,
  exit_signal    integer,
  lost_events    bigint NOT NULL DEFAULT 0,
  policy         text,
  policy_mode    text,
  stops          bigint,
  interrupted    boolean NOT NULL DEFAULT false,
  source         text NOT NULL,           -- the file it was shipped from, as named to ship
  source_run     bigint NOT NULL,         -- its id in that file
  shipped_ns     bigint NOT NULL          -- last shipped, ns since the epoch
);
CREATE INDEX runs_labels ON runs USING gin (labels jsonb_path_ops);
CREATE INDEX runs_start ON runs (start_ns);

CREATE TABLE processes (
  run         integer NOT NULL REFERENCES runs(key),
  seq         bigint NOT NULL,            -- the row's id in the SQLite file
  pid         integer NOT NULL,
  ppid        integer,
  tgid        integer,
  is_thread   boolean NOT NULL,
  exe         text,
  argv        text,                       -- JSON array
  cwd         text,
  start_ns    bigint,
  end_ns      bigint,
  exit_code   integer,
  term_signal integer,
  PRIMARY KEY (run, seq)
);

-- Every event but process starts and ends, one row each; kind is a bit set
-- (1 exec, 2 file, 4 net, 8 syscall, 16 policy, 32 policy change).
CREATE TABLE events (
  run       integer NOT NULL,
  seq       bigint NOT NULL,              -- order within the run's stream
  kind      smallint NOT NULL,
  ts_ns     bigint NOT NULL,
  pid       integer,
  exe       text,
  syscall   text,
  abi       text,
  nr        integer,
  args      text,                         -- syscall: decoded; exec: argv (JSON)
  envp      text,                         -- exec with --record-env (JSON)
  path      text,                         -- file, exec: the file; policy: the target
  op        text,                         -- file op; policy: the category
  net_op    text,                         -- net: connect, bind, accept, ...
  flags     text,
  path2     text,
  named     text,
  family    text,
  sock_type text,
  direction text,
  address   text,
  port      integer,
  fd        integer,
  result    bigint,
  errno     integer,
  action    text,
  rule      text,
  mode      text,                         -- policy: active / permissive
  enforced  boolean                       -- policy: enforced; policy change: accepted
) PARTITION BY RANGE (ts_ns);
CREATE INDEX events_run_ts ON events (run, ts_ns);

CREATE TABLE ship_cursors (
  run      integer NOT NULL REFERENCES runs(key),
  stream   smallint NOT NULL,             -- 1 processes 2 exec 3 calls 4 policy 5 policy changes
  last_seq bigint NOT NULL,
  PRIMARY KEY (run, stream)
);
)sql";

std::string DayName(int64_t day) {
  const time_t t = static_cast<time_t>(day * 86400);
  struct tm tm;
  gmtime_r(&t, &tm);
  return fmt::format("{:04}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace

int64_t DayOf(int64_t ts_ns) {
  return ts_ns >= 0 ? ts_ns / kDayNs : -((-ts_ns + kDayNs - 1) / kDayNs);
}

std::string PartitionName(int64_t day) { return "events_" + DayName(day); }

absl::Status EnsureSchema(PgConn& conn) {
  if (auto s = conn.Exec("BEGIN"); !s.ok()) return s;
  auto fail = [&conn](absl::Status s) {
    conn.Exec("ROLLBACK").IgnoreError();
    return s;
  };
  if (auto s = conn.Exec(fmt::format("SELECT pg_advisory_xact_lock({})", kSchemaLock)); !s.ok())
    return fail(s);
  auto has = conn.Query("SELECT to_regclass('warden_schema') IS NOT NULL");
  if (!has.ok()) return fail(has.status());
  if (has->Text(0, 0) != "t") {
    if (auto s = conn.Exec(kSchemaSql); !s.ok()) return fail(s);
    if (auto s = conn.Exec(fmt::format("INSERT INTO warden_schema VALUES ({})", kPgSchemaVersion));
        !s.ok())
      return fail(s);
    return conn.Exec("COMMIT");
  }
  auto version = conn.Query("SELECT max(version) FROM warden_schema");
  if (!version.ok()) return fail(version.status());
  const int64_t v = version->Int(0, 0);
  if (v > kPgSchemaVersion)
    return fail(absl::FailedPreconditionError(fmt::format(
        "the PostgreSQL database has warden schema version {}, newer than this warden's ({}); "
        "use a newer warden, or another database",
        v, kPgSchemaVersion)));
  // Upgrades from older versions go here, each in this transaction.
  return conn.Exec("COMMIT");
}

absl::Status EnsurePartitions(PgConn& conn, int64_t min_ts_ns, int64_t max_ts_ns) {
  const int64_t first = DayOf(min_ts_ns), last = DayOf(max_ts_ns);
  std::string missing;
  for (int64_t d = first; d <= last; ++d) {
    auto r = conn.Query("SELECT to_regclass($1) IS NULL", {PartitionName(d)});
    if (!r.ok()) return r.status();
    if (r->Text(0, 0) == "t") missing += fmt::format("{}{}", missing.empty() ? "" : ",", d);
  }
  if (missing.empty()) return absl::OkStatus();
  if (auto s = conn.Exec(fmt::format("SELECT pg_advisory_xact_lock({})", kPartitionLock)); !s.ok())
    return s;
  for (int64_t d = first; d <= last; ++d)
    if (auto s = conn.Exec(fmt::format(
            "CREATE TABLE IF NOT EXISTS {} PARTITION OF events FOR VALUES FROM ({}) TO ({})",
            PartitionName(d), d * kDayNs, (d + 1) * kDayNs));
        !s.ok())
      return s;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> DropPartitionsBefore(PgConn& conn, int64_t cutoff_ns) {
  // The partitions of events with their upper bounds, from the catalog.
  auto parts = conn.Query(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = 'events'::regclass AND c.relname ~ '^events_[0-9]{8}$' ORDER BY 1");
  if (!parts.ok()) return parts.status();
  std::vector<std::string> dropped;
  // Day d ends at (d + 1) days: wholly before the cutoff when d is before
  // the cutoff's day. Names are zero-padded dates: they compare as days do.
  const std::string first_kept = PartitionName(DayOf(cutoff_ns));
  for (int i = 0; i < parts->rows(); ++i) {
    const std::string name(parts->Text(i, 0));
    if (name >= first_kept) continue;
    if (auto s = conn.Exec(fmt::format("ALTER TABLE events DETACH PARTITION {}; DROP TABLE {}", name, name));
        !s.ok())
      return s;
    dropped.push_back(name);
  }
  return dropped;
}

}  // namespace warden::fleet

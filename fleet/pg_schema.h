// The PostgreSQL schema runs are shipped into (warden-db(5), POSTGRESQL):
// a documented interface for fleet queries, created and upgraded by warden
// with a version number (table warden_schema), as the SQLite schema is.
//
//  runs       one row per shipped run, by its UUID; labels as jsonb
//  processes  (run, seq): the SQLite processes rows, exits updated in place
//  events     every exec, call (file, network, syscall), policy hit and
//             policy change, partitioned by day of ts_ns (UTC)
//  ship_cursors (run, stream): how far each stream of a run is shipped,
//             committed with the rows themselves: exactly once
//
// Several shippers may run at once: creating the schema and a day's
// partition take an advisory lock.
#ifndef WARDEN_FLEET_PG_SCHEMA_H_
#define WARDEN_FLEET_PG_SCHEMA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "fleet/pg.h"

namespace warden::fleet {

// 1: the first version.
inline constexpr int kPgSchemaVersion = 1;

// The kind column of events: a bit per kind. A call row has the bits of
// what it is (file | syscall, net | syscall, ...).
enum EventKindBit : int {
  kKindExec = 1,
  kKindFile = 2,
  kKindNet = 4,
  kKindSyscall = 8,
  kKindPolicy = 16,
  kKindPolicyChange = 32,
};

// The streams of a run that are shipped in id order, each with its cursor.
enum class Stream : int { kProcesses = 1, kExec = 2, kCalls = 3, kPolicy = 4, kPolicyChanges = 5 };

// Creates the schema when missing; upgrades an older one; FailedPrecondition
// for a newer one (what to do in the message).
absl::Status EnsureSchema(PgConn& conn);

// The UTC day of `ts_ns` as days since the epoch.
int64_t DayOf(int64_t ts_ns);
// "events_20261203".
std::string PartitionName(int64_t day);

// Makes sure the day partitions for [min_ts, max_ts] exist. Inside the
// caller's transaction (takes a transaction-scoped advisory lock).
absl::Status EnsurePartitions(PgConn& conn, int64_t min_ts_ns, int64_t max_ts_ns);

// Detaches and drops every day partition that ends at or before
// `cutoff_ns`; the names dropped, oldest first. Runs and processes stay
// (they are small), so that shipping an old file again brings nothing
// back: its cursors say it was shipped.
absl::StatusOr<std::vector<std::string>> DropPartitionsBefore(PgConn& conn, int64_t cutoff_ns);

// The columns of events in the order COPY lines give them (run_rows.h).
inline constexpr std::string_view kEventColumns =
    "run, seq, kind, ts_ns, pid, exe, syscall, abi, nr, args, envp, path, op, net_op, flags, path2, "
    "named, family, sock_type, direction, address, port, fd, result, errno, action, rule, mode, "
    "enforced";
inline constexpr std::string_view kProcessColumns =
    "run, seq, pid, ppid, tgid, is_thread, exe, argv, cwd, start_ns, end_ns, exit_code, term_signal";

}  // namespace warden::fleet

#endif  // WARDEN_FLEET_PG_SCHEMA_H_

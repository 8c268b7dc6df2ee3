// Forensic queries over a recorded database (`warden query`): the process
// tree, a merged timeline, who touched a path, network events, policy
// hits, counts, and read-only ad-hoc SQL. (The runtime profile is
// profile/profile.h, over any source of runs.)
//
// Everything here reads through the documented tables and views
// (warden-db(5)) with SQL only, on a connection opened read-only: the file
// is never changed, and a run that is still being recorded can be queried.
// Aggregation happens in SQL (GROUP BY); only per-process and per-group
// rows reach C++.
#ifndef WARDEN_FORENSICS_QUERY_H_
#define WARDEN_FORENSICS_QUERY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "forensics/output.h"
#include "forensics/read_db.h"

struct sqlite3;

namespace warden::forensics {

// ---------------------------------------------------------------------------
// The database.

struct TreeOptions {
  bool threads = false;  // also list threads (is_thread = 1)
};
struct TimelineOptions {
  std::optional<int> pid;
  std::optional<int64_t> from_ns, to_ns;  // inclusive
  std::vector<std::string> kinds;  // process, exec, file, net, syscall, policy; empty: all
};
struct NetOptions {
  std::optional<int> port;
};

class QueryDb {
 public:
  // Opens `path` read-only. Errors, each naming the file and saying what to
  // do: NotFound (no such file), FailedPrecondition (not an SQLite
  // database, not a warden database, a newer schema), Unavailable (cannot
  // be read: permissions, locked).
  static absl::StatusOr<std::unique_ptr<QueryDb>> Open(const std::string& path);
  ~QueryDb();
  QueryDb(const QueryDb&) = delete;
  QueryDb& operator=(const QueryDb&) = delete;

  const std::string& path() const { return path_; }
  int schema_version() const { return version_; }

  // `run` when the file has it, else the latest run. NotFound naming the
  // file and listing the run ids there are (or saying there are none).
  absl::StatusOr<int64_t> ResolveRun(std::optional<int64_t> run);

  // Columns: depth, pid, ppid, tgid, is_thread, exe, argv (JSON), start,
  // end, duration_ms, exit_code, signal, status. Rows in tree order (each
  // process after its parent, children by start time); depth 0 for the
  // roots. A child of a thread hangs under the thread's process.
  absl::Status Tree(int64_t run, const TreeOptions& options, RowSink& sink);

  // Every event merged in time order (ties: the order of the export).
  // Columns: time, ts_ns, kind (process_start, process_end, exec, file,
  // net, syscall, policy), pid, exe, action, event (a short description).
  absl::Status Timeline(int64_t run, const TimelineOptions& options, RowSink& sink);

  // file_events whose path matches `glob` (SQLite GLOB: case-sensitive; *
  // any run of characters, '/' included; ? one character; [abc], [a-z],
  // [^abc] a set), grouped by process and operation. Columns: pid, exe,
  // op, path, count, first_seen, last_seen, result ("ok" or the errno
  // name), action.
  absl::Status Who(int64_t run, std::string_view glob, RowSink& sink);

  // net_events, optionally of one port. Columns: time, ts_ns, pid, exe,
  // syscall, direction, family, sock_type, address, port, fd, result,
  // errno, action.
  absl::Status Net(int64_t run, const NetOptions& options, RowSink& sink);

  // policy_events: deny and kill, or every action with `all`. Columns:
  // time, ts_ns, pid, exe, action, enforced, mode, rule, category,
  // syscall, target, args, result, errno.
  absl::Status Denied(int64_t run, bool all, RowSink& sink);

  // Columns: group, name, count. Groups: kind (rows per event table, and
  // processes), action (syscall_events by verdict), policy (policy hits by
  // action), syscall (syscall_events by name, most frequent first).
  absl::Status Stats(int64_t run, RowSink& sink);

  // One SELECT (or WITH ... SELECT) statement, read-only: anything else is
  // InvalidArgument and never runs. The connection is read-only and
  // query_only on top.
  absl::Status Sql(std::string_view sql, RowSink& sink);

  // How Who() scans for `glob` in `run`: "path:" (the path index) or
  // "run:" (the run's rows through (run_id, ts_ns)), then SQLite's EXPLAIN
  // QUERY PLAN lines. For tests and benchmarks.
  absl::StatusOr<std::string> ExplainWho(int64_t run, std::string_view glob);

 private:
  explicit QueryDb(ReadDb read)
      : read_(std::move(read)), path_(read_.path), db_(read_.db.get()), version_(read_.version) {}
  ReadDb read_;
  const std::string& path_;
  sqlite3* db_;
  int version_;
};

// The literal text a GLOB pattern starts with, before its first wildcard
// (*, ?, [).
std::string GlobLiteralPrefix(std::string_view glob);

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_QUERY_H_

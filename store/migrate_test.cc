// Tests of the conversion of version 1-3 files to version 4 (ApplySchema,
// MigrateCallTables in store/schema.cc): the old file_events and
// syscall_events rows become calls rows, and the views of those names must
// show exactly what the old tables held; a failed conversion leaves the
// file as it was.
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/calls.h"
#include "forensics/export.h"
#include "store/run_identity.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::store {
namespace {

using ::testing::HasSubstr;
using testing::CreateV1Database;
using testing::Exec;
using testing::Query;
using testing::QueryOne;
using testing::Row;
using testing::TempDir;

// The schema of version 3 (commit e7b1d9a, store/schema.cc), verbatim: the
// last one with file_events and syscall_events tables. Never edit: history.
constexpr std::string_view kSchemaV3Sql = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused
  argv           TEXT NOT NULL,     -- JSON array
  cwd            TEXT NOT NULL,
  host           TEXT NOT NULL,
  warden_version TEXT NOT NULL,
  start_ns       INTEGER NOT NULL,
  end_ns         INTEGER,           -- NULL while running or if warden died
  exit_code      INTEGER,
  exit_signal    INTEGER,
  lost_events    INTEGER NOT NULL DEFAULT 0,
  policy         TEXT,              -- policy name; NULL without --policy
  policy_mode    TEXT,              -- active, permissive, inactive; NULL without
  stops          INTEGER            -- tracee stops in warden; NULL until the run ends
);

CREATE TABLE IF NOT EXISTS processes (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id),
  pid         INTEGER NOT NULL,
  ppid        INTEGER,
  tgid        INTEGER,
  is_thread   INTEGER NOT NULL DEFAULT 0,
  exe         TEXT,
  argv        TEXT,                 -- JSON array
  cwd         TEXT,
  start_ns    INTEGER,              -- NULL: exit seen without a start
  end_ns      INTEGER,
  exit_code   INTEGER,
  term_signal INTEGER
);
CREATE INDEX IF NOT EXISTS processes_run_pid ON processes(run_id, pid);

CREATE TABLE IF NOT EXISTS file_events (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id),
  ts_ns   INTEGER NOT NULL,
  pid     INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  syscall TEXT NOT NULL,
  path    TEXT NOT NULL,
  op      TEXT NOT NULL,
  flags   TEXT,                     -- NULL when none
  result  INTEGER,                  -- NULL when unknown
  errno   INTEGER NOT NULL DEFAULT 0,
  path2   TEXT,                     -- NULL when the call has one path
  action  TEXT NOT NULL DEFAULT 'allow',  -- the policy's verdict
  rule    TEXT                      -- NULL for the default action
);
CREATE INDEX IF NOT EXISTS file_events_run_ts ON file_events(run_id, ts_ns);
CREATE INDEX IF NOT EXISTS file_events_path ON file_events(path);

CREATE TABLE IF NOT EXISTS exec_events (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs(id),
  ts_ns          INTEGER NOT NULL,
  pid            INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  path           TEXT NOT NULL,
  argv           TEXT NOT NULL,     -- JSON array
  envp           TEXT,              -- JSON array; NULL unless --record-env
  argv_truncated INTEGER NOT NULL DEFAULT 0,
  result         INTEGER,
  errno          INTEGER NOT NULL DEFAULT 0,
  action         TEXT NOT NULL DEFAULT 'allow',  -- the policy's verdict
  rule           TEXT               -- NULL for the default action
);
CREATE INDEX IF NOT EXISTS exec_events_run_ts ON exec_events(run_id, ts_ns);

CREATE TABLE IF NOT EXISTS net_events (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  ts_ns     INTEGER NOT NULL,
  pid       INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  syscall   TEXT NOT NULL,
  op        TEXT NOT NULL,
  family    TEXT,
  sock_type TEXT,
  direction TEXT,
  address   TEXT,
  port      INTEGER,                -- NULL when not applicable
  fd        INTEGER,                -- NULL when not applicable
  result    INTEGER,
  errno     INTEGER NOT NULL DEFAULT 0,
  action    TEXT NOT NULL DEFAULT 'allow',  -- the policy's verdict
  rule      TEXT                    -- NULL for the default action
);
CREATE INDEX IF NOT EXISTS net_events_run_ts ON net_events(run_id, ts_ns);

CREATE TABLE IF NOT EXISTS syscall_events (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id),
  ts_ns   INTEGER NOT NULL,
  pid     INTEGER NOT NULL,
  exe     TEXT,
  abi     TEXT NOT NULL,
  nr      INTEGER NOT NULL,
  name    TEXT NOT NULL,
  args    TEXT NOT NULL,
  result  INTEGER,
  errno   INTEGER NOT NULL DEFAULT 0,
  action  TEXT NOT NULL,
  rule    TEXT                      -- NULL for the default action
);
CREATE INDEX IF NOT EXISTS syscall_events_run_ts ON syscall_events(run_id, ts_ns);

-- A policy hit: a call a rule decided, or a category default that is not
-- allow. In permissive mode enforced is 0: what would have happened.
CREATE TABLE IF NOT EXISTS policy_events (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs(id),
  ts_ns    INTEGER NOT NULL,
  pid      INTEGER NOT NULL,
  exe      TEXT,                    -- the program the process was running
  abi      TEXT NOT NULL,
  nr       INTEGER NOT NULL,
  syscall  TEXT NOT NULL,
  args     TEXT NOT NULL,           -- decoded, strace style
  action   TEXT NOT NULL,           -- allow, deny, monitor, kill
  rule     TEXT,                    -- rule name, default:CATEGORY, warden:...
  mode     TEXT NOT NULL,           -- active or permissive
  enforced INTEGER NOT NULL DEFAULT 1,
  category TEXT NOT NULL,           -- network-outbound, file-read, ..., syscall
  target   TEXT,                    -- path, address:port, program; NULL for syscall rules
  result   INTEGER,                 -- as the program saw it; NULL when unknown
  errno    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS policy_events_run_ts ON policy_events(run_id, ts_ns);
CREATE INDEX IF NOT EXISTS policy_events_run_action ON policy_events(run_id, action);

-- A policy loaded (or refused) for the run: --policy, then every reload.
CREATE TABLE IF NOT EXISTS policy_changes (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs(id),
  ts_ns    INTEGER NOT NULL,
  source   TEXT NOT NULL,           -- the policy file
  name     TEXT,                    -- policy name; NULL when refused
  accepted INTEGER NOT NULL,
  message  TEXT                     -- why it was refused; NULL when accepted
);

-- Version 3: every event of every kind, one row each, in a common shape
-- (warden-db(5), VIEWS): for timelines and ad-hoc SQL without a UNION.
-- kind: process_start, process_end, exec, file, net, syscall, policy.
-- what: the operation (file op, net direction, syscall args, policy rule).
-- target: the path, address:port or program concerned, when there is one.
CREATE VIEW IF NOT EXISTS events AS
  SELECT run_id, start_ns AS ts_ns, pid, exe, 'process_start' AS kind, NULL AS syscall,
         cwd AS target, argv AS what, NULL AS result, 0 AS errno, NULL AS action, NULL AS rule
    FROM processes WHERE start_ns IS NOT NULL
  UNION ALL
  SELECT run_id, end_ns, pid, exe, 'process_end', NULL, NULL,
         CASE WHEN term_signal IS NOT NULL THEN 'signal ' || term_signal
              ELSE 'exit ' || exit_code END, exit_code, 0, NULL, NULL
    FROM processes WHERE end_ns IS NOT NULL
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'exec', 'execve', path, argv, result, errno, action, rule
    FROM exec_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'file', syscall, path, op, result, errno, action, rule
    FROM file_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'net', syscall,
         CASE WHEN port IS NOT NULL THEN address || ':' || port ELSE address END,
         direction, result, errno, action, rule
    FROM net_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'syscall', name, NULL, args, result, errno, action, rule
    FROM syscall_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'policy', syscall, target, category, result, errno, action, rule
    FROM policy_events;
)sql";

// Every column of the old tables but id (ids are renumbered in version 4:
// run_id << 40 | n), in a fixed order: (run_id, ts_ns, pid) and the old id
// break ties, which the conversion keeps in their order.
std::string FileRows(const std::string& where = "") {
  return "SELECT run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2, "
         "action, rule FROM file_events" + where + " ORDER BY run_id, ts_ns, pid, id";
}
std::string SyscallRows(const std::string& where = "") {
  return "SELECT run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action, rule "
         "FROM syscall_events" + where + " ORDER BY run_id, ts_ns, pid, id";
}
// The events view, fully sorted (its rows have no id).
constexpr char kEventRows[] =
    "SELECT * FROM events ORDER BY run_id, ts_ns, kind, pid, exe, syscall, target, what, result, "
    "errno, action, rule";
// What the conversion must not touch.
constexpr const char* kOtherTables[] = {"runs", "processes", "exec_events", "policy_events",
                                        "policy_changes"};
// The rows of an other table as a version-3 file has them (version 7 gave
// runs columns of their own, tested in Version6FileGainsRunIdentity).
std::string SelectOther(const char* table) {
  if (std::string_view(table) == "runs")
    return "SELECT id, argv, cwd, host, warden_version, start_ns, end_ns, exit_code, exit_signal, "
           "lost_events, policy, policy_mode, stops FROM runs";
  return std::string("SELECT * FROM ") + table;
}
// The old network rows, all columns but the renumbered id (a view since
// version 5).
constexpr const char* kNetRows =
    "SELECT run_id, ts_ns, pid, exe, syscall, op, family, sock_type, direction, address, port, "
    "fd, result, errno, action, rule FROM net_events ORDER BY run_id, ts_ns";

// Old rows, as version 3 wrote them. Run 1 has file rows with their
// syscall rows (same run, ts_ns, pid and outcome), rows alone, an outcome
// that differs between the two parts, NULL exe/flags/rule/result, a deny,
// i386, a rename, two pids at one instant, an empty path, two file rows of
// one pid at one instant, a non-UTF-8 path. Run 2 repeats some texts. Run 3
// has syscall rows only, run 4 no such rows.
constexpr char kV3Rows[] = R"sql(
INSERT INTO runs(id, argv, cwd, host, warden_version, start_ns, end_ns, exit_code, lost_events,
                 policy, policy_mode, stops)
VALUES (1, '["sh"]', '/src', 'box', '0.3', 1000, 4000, 0, 0, 'strict', 'active', 12),
       (2, '["make"]', '/src', 'box', '0.3', 5000, 6000, 1, 2, NULL, NULL, NULL),
       (3, '["true"]', '/', 'box', '0.3', 9000, NULL, NULL, 0, NULL, NULL, NULL),
       (4, '["idle"]', '/', 'box', '0.3', 10000, 10001, 0, 0, NULL, NULL, 0);
INSERT INTO processes(run_id, pid, ppid, tgid, exe, argv, cwd, start_ns, end_ns, exit_code)
VALUES (1, 10, 1, 10, '/bin/cat', '["cat"]', '/src', 1001, 3999, 0),
       (4, 60, 1, 60, '/bin/idle', '["idle"]', '/', 10000, NULL, NULL);
INSERT INTO exec_events(run_id, ts_ns, pid, exe, path, argv, result, errno, action, rule)
VALUES (1, 1050, 10, '/bin/sh', '/bin/cat', '["cat"]', 0, 0, 'allow', NULL);
INSERT INTO net_events(run_id, ts_ns, pid, exe, syscall, op, family, sock_type, direction,
                       address, port, fd, result, errno, action, rule)
VALUES (1, 1450, 11, '/bin/sh', 'connect', 'connect', 'AF_INET', 'SOCK_STREAM', 'outbound',
        '10.0.0.1', 80, 3, NULL, 111, 'deny', 'offline');
INSERT INTO policy_events(run_id, ts_ns, pid, exe, abi, nr, syscall, args, action, rule, mode,
                          enforced, category, target, result, errno)
VALUES (1, 1600, 12, '/bin/x', 'x86_64', 257, 'openat', 'AT_FDCWD, "shadow", O_RDONLY', 'deny',
        'no-shadow', 'active', 1, 'file-read', '/etc/shadow', NULL, 13);
INSERT INTO policy_changes(run_id, ts_ns, source, name, accepted, message)
VALUES (1, 1001, '/p.yaml', 'strict', 1, NULL);

-- Rows in the order version 3 wrote them: a call's file row, then its
-- syscall row.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1100, 10, '/bin/cat', 'openat', '/etc/passwd', 'read', 'O_RDONLY|O_CLOEXEC', 3, 0,
        NULL, 'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1100, 10, '/bin/cat', 'x86_64', 257, 'openat',
        'AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC', 3, 0, 'allow', NULL);
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1200, 10, '', 'newfstatat', '/etc', 'stat', NULL, 0, 0, NULL, 'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1200, 10, '', 'x86_64', 262, 'newfstatat',
        'AT_FDCWD, "/etc", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0', 0, 0, 'allow', NULL);
-- Alone: a file row, then a syscall row of another call.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1300, 11, '/bin/sh', 'openat', 'rel/file', 'create', 'O_WRONLY|O_CREAT', 4, 0, NULL,
        'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1400, 11, '/bin/sh', 'x86_64', 1, 'write', '1, "hello\n", 6', 6, 0, 'allow', NULL);
-- Same instant and pid, different result: not one call.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1500, 12, '/bin/x', 'openat', '/tmp/f', 'read', 'O_RDONLY', NULL, 0, NULL, 'allow',
        NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1500, 12, '/bin/x', 'x86_64', 257, 'openat', 'AT_FDCWD, "/tmp/f", O_RDONLY', 5, 0,
        'allow', NULL);
-- A deny with its rule; the args name the path's last component.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1600, 12, '/bin/x', 'openat', '/etc/shadow', 'read', 'O_RDONLY', NULL, 13, NULL,
        'deny', 'no-shadow');
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1600, 12, '/bin/x', 'x86_64', 257, 'openat', 'AT_FDCWD, "shadow", O_RDONLY', NULL, 13,
        'deny', 'no-shadow');
-- i386 rename: two paths, two strings in the args.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1700, 13, '/bin/mv', 'rename', '/tmp/a', 'rename', NULL, 0, 0, '/tmp/b', 'allow',
        NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1700, 13, '/bin/mv', 'i386', 38, 'rename', '"a", "b"', 0, 0, 'allow', NULL);
-- Two pids at one instant, each call's rows together.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1800, 21, '/bin/b', 'openat', '/b/one', 'read', 'O_RDONLY', 3, 0, NULL, 'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1800, 21, '/bin/b', 'x86_64', 257, 'openat', 'AT_FDCWD, "/b/one", O_RDONLY', 3, 0,
        'allow', NULL);
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1800, 20, '/bin/a', 'openat', '/a/two', 'read', 'O_RDONLY', 3, 0, NULL, 'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1800, 20, '/bin/a', 'x86_64', 257, 'openat', 'AT_FDCWD, "two", O_RDONLY', 3, 0,
        'allow', NULL);
-- An empty path (open_by_handle_at that failed).
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 1900, 22, '/bin/y', 'open_by_handle_at', '', 'read', 'O_RDONLY', NULL, 116, NULL,
        'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 1900, 22, '/bin/y', 'x86_64', 304, 'open_by_handle_at', '5, 0x7ffd0000, O_RDONLY',
        NULL, 116, 'allow', NULL);
-- Two file rows of one pid at one instant, then one syscall row.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 2000, 30, '/bin/z', 'openat', '/z/first', 'read', NULL, 3, 0, NULL, 'allow', NULL),
       (1, 2000, 30, '/bin/z', 'openat', '/z/second', 'read', NULL, 3, 0, NULL, 'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 2000, 30, '/bin/z', 'x86_64', 257, 'openat', 'AT_FDCWD, "/z/second", 0', 3, 0, 'allow',
        NULL);
-- A path that is not UTF-8, named the same way by the args.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (1, 2100, 10, '/bin/cat', 'openat', '/tmp/' || CAST(X'FFFE0A' AS TEXT), 'read', 'O_RDONLY',
        3, 0, NULL, 'monitor', 'watch-tmp');
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (1, 2100, 10, '/bin/cat', 'x86_64', 257, 'openat',
        'AT_FDCWD, "/tmp/' || CAST(X'FFFE0A' AS TEXT) || '", O_RDONLY', 3, 0, 'monitor',
        'watch-tmp');

-- Run 2: texts run 1 also has.
INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2,
                        action, rule)
VALUES (2, 5100, 40, '/bin/cat', 'openat', '/etc/passwd', 'read', 'O_RDONLY|O_CLOEXEC', 3, 0, NULL,
        'allow', NULL);
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (2, 5100, 40, '/bin/cat', 'x86_64', 257, 'openat',
        'AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC', 3, 0, 'allow', NULL),
       (2, 5200, 40, '/bin/cat', 'x86_64', 3, 'close', '3', 0, 0, 'allow', NULL);
-- Run 3: syscall rows only; ts before the run's start.
INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action,
                           rule)
VALUES (3, 9100, 50, '/bin/true', 'x86_64', 39, 'getpid', '', 50, 0, 'allow', NULL),
       (3, 8000, 50, '/bin/true', 'x86_64', 231, 'exit_group', '0', NULL, 0, 'allow', NULL);
)sql";

// kV3Rows has 13 file rows and 15 syscall rows. Converted, a run has one
// calls row per file row plus one per syscall row, less one per pair (a
// file row and the syscall row of the same call). Run 1: 12 file rows, 11
// syscall rows, 9 pairs (every file row has its syscall row but those at
// 1300 and 1500 and the one of /z/first); run 2: 1 file row, 2 syscall
// rows, 1 pair; run 3: 2 syscall rows.
constexpr int kOldFileRows = 13;
constexpr int kOldSyscallRows = 15;
constexpr int kMergedPairs = 9 + 1;
// Run 1 also has a net row without its syscall row: a calls row of its own.
constexpr int kCallsRows = (12 + 11 - 9 + 1) + (1 + 2 - 1) + (0 + 2 - 0);

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()) << "mkdtemp failed"; }

  // A version 3 file (version 2 without the events view) holding kV3Rows.
  std::string CreateV3(const std::string& path, int version = 3,
                       const std::string& extra_rows = "") {
    std::string sql = std::string(kSchemaV3Sql) + kV3Rows + extra_rows;
    if (version == 2) sql += "DROP VIEW events;";
    sql += "PRAGMA user_version = " + std::to_string(version) + ";";
    return Exec(path, sql);
  }

  // Everything a conversion may change or must keep, for before/after checks.
  std::vector<std::vector<Row>> Snapshot(const std::string& path) {
    std::vector<std::vector<Row>> s;
    s.push_back(Query(path, "PRAGMA user_version"));
    s.push_back(Query(path, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"));
    s.push_back(Query(path, FileRows()));
    s.push_back(Query(path, SyscallRows()));
    for (const char* t : kOtherTables) s.push_back(Query(path, SelectOther(t)));
    s.push_back(Query(path, kNetRows));
    return s;
  }

  TempDir dir_;
  std::string db_ = dir_.File("old.db");
};

// The conversion of a version 3 file: the current version afterwards, both views show
// every old row exactly (all columns but the renumbered id), a file row and
// its syscall row became one calls row, the other tables and the events
// view are unchanged, and opening again changes nothing.
TEST_F(MigrateTest, Version3FileIsConvertedExactly) {
  ASSERT_EQ(CreateV3(db_), "");
  ASSERT_EQ(QueryOne(db_, "PRAGMA user_version"), "3");
  const auto old_files = Query(db_, FileRows());
  const auto old_calls = Query(db_, SyscallRows());
  const auto old_events = Query(db_, kEventRows);
  ASSERT_EQ(old_files.size(), size_t{kOldFileRows});
  ASSERT_EQ(old_calls.size(), size_t{kOldSyscallRows});
  // 2 process starts, 1 process end, 1 exec, 1 net, 1 policy.
  ASSERT_EQ(old_events.size(), size_t{6 + kOldFileRows + kOldSyscallRows});
  std::vector<std::vector<Row>> others;
  for (const char* t : kOtherTables)
    others.push_back(Query(db_, SelectOther(t)));
  const auto old_nets = Query(db_, kNetRows);
  ASSERT_EQ(old_nets.size(), 1u);

  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(Query(db_, "SELECT name, type FROM sqlite_master WHERE name IN ('file_events', "
                       "'syscall_events', 'calls', 'strings') ORDER BY name"),
            (std::vector<Row>{{"calls", "table"},
                              {"file_events", "view"},
                              {"strings", "table"},
                              {"syscall_events", "view"}}));
  EXPECT_EQ(Query(db_, FileRows()), old_files);
  EXPECT_EQ(Query(db_, SyscallRows()), old_calls);
  EXPECT_EQ(Query(db_, kEventRows), old_events);
  for (size_t i = 0; i < std::size(kOtherTables); ++i)
    EXPECT_EQ(Query(db_, SelectOther(kOtherTables[i])), others[i])
        << kOtherTables[i];
  EXPECT_EQ(Query(db_, kNetRows), old_nets);
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM nets"), "1");

  // One calls row per call: pairs merged, the rest alone.
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls"), std::to_string(kCallsRows));
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls WHERE path IS NOT NULL AND nr IS NOT NULL"),
            std::to_string(kMergedPairs));
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events f JOIN syscall_events s USING(id)"),
            std::to_string(kMergedPairs));
  // The pairs that are not one call stayed apart.
  EXPECT_EQ(Query(db_, "SELECT f.ts_ns, f.path FROM file_events f WHERE f.id NOT IN "
                       "(SELECT id FROM syscall_events) ORDER BY f.ts_ns, f.id"),
            (std::vector<Row>{{"1300", "rel/file"}, {"1500", "/tmp/f"}, {"2000", "/z/first"}}));
  // Each run's rows are in its id range, numbered from 1.
  EXPECT_EQ(Query(db_, "SELECT id >> 40, min(id & 0xFFFFFFFFFF), max(id & 0xFFFFFFFFFF), count(*) "
                       "FROM calls GROUP BY 1 ORDER BY 1"),
            (std::vector<Row>{{"1", "1", "15", "15"}, {"2", "1", "2", "2"}, {"3", "1", "2", "2"}}));
  // Timestamps are offsets from the run's start (negative before it).
  EXPECT_EQ(Query(db_, "SELECT ts FROM calls WHERE id >> 40 = 3 ORDER BY ts"),
            (std::vector<Row>{{"-1000"}, {"100"}}));
  // The old indexes went with the old tables.
  EXPECT_EQ(Query(db_, "SELECT name FROM sqlite_master WHERE name IN ('file_events_run_ts', "
                       "'file_events_path', 'syscall_events_run_ts')"),
            std::vector<Row>{});

  // Opening again is a no-op.
  auto before = Snapshot(db_);
  auto calls = Query(db_, "SELECT * FROM calls ORDER BY id");
  auto strings = Query(db_, "SELECT * FROM strings ORDER BY id");
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(Snapshot(db_), before);
  EXPECT_EQ(Query(db_, "SELECT * FROM calls ORDER BY id"), calls);
  EXPECT_EQ(Query(db_, "SELECT * FROM strings ORDER BY id"), strings);
}

// A converted file has the shape of a new one: same tables with the same
// columns, same views, same indexes.
TEST_F(MigrateTest, ConvertedFileHasTheShapeOfANewOne) {
  const std::string fresh = dir_.File("fresh.db");
  { ASSERT_TRUE(Store::Open(fresh).ok()); }
  ASSERT_EQ(CreateV3(db_), "");
  { ASSERT_TRUE(Store::Open(db_).ok()); }
  const std::string objects =
      "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name";
  EXPECT_EQ(Query(db_, objects), Query(fresh, objects));
  const std::string views = "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name";
  EXPECT_EQ(Query(db_, views), Query(fresh, views));
  for (const Row& t : Query(fresh, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                   "AND name NOT LIKE 'sqlite_%'")) {
    const std::string info = "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM "
                             "pragma_table_info('" + *t[0] + "')";
    EXPECT_EQ(Query(db_, info), Query(fresh, info)) << *t[0];
  }
}

// After the conversion the file records new runs as usual: the next run id,
// its own id range, merged rows, and the old runs untouched.
TEST_F(MigrateTest, ConvertedFileRecordsNewRuns) {
  ASSERT_EQ(CreateV3(db_), "");
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  const auto old_files = Query(db_, FileRows());
  const auto old_calls = Query(db_, SyscallRows());
  auto store = Store::Open(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  FileEvent f{.ts_ns = 20005, .pid = 70, .exe = "/bin/cat", .syscall = "openat",
              .path = "/etc/passwd", .op = "read", .flags = "O_RDONLY", .result = 3};
  SyscallEvent s{.ts_ns = 20005, .pid = 70, .exe = "/bin/cat", .abi = "x86_64", .nr = 257,
                 .name = "openat", .args = "AT_FDCWD, \"/etc/passwd\", O_RDONLY", .result = 3};
  auto run = (*store)->BeginRun(RunInfo{.argv = {"cat"}, .cwd = "/", .host = "h",
                                        .warden_version = "4", .start_ns = 20000});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(*run, 5);
  (*store)->Submit(f);
  (*store)->Submit(s);
  ASSERT_TRUE((*store)->FinishRun({.end_ns = 20010}).ok());
  EXPECT_EQ((*store)->lost_events(), 0u);
  EXPECT_EQ(Query(db_, "SELECT id >> 40, ts, arg FROM calls WHERE id >= 5 << 40"),
            (std::vector<Row>{{"5", "5", "1"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, path FROM file_events WHERE run_id = 5"),
            (std::vector<Row>{{"5", "20005", "/etc/passwd"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, args FROM syscall_events WHERE run_id = 5"),
            (std::vector<Row>{{"5", "AT_FDCWD, \"/etc/passwd\", O_RDONLY"}}));
  EXPECT_EQ(Query(db_, FileRows(" WHERE run_id < 5")), old_files);
  EXPECT_EQ(Query(db_, SyscallRows(" WHERE run_id < 5")), old_calls);
}

// A version 2 file (no events view yet) is converted the same way.
TEST_F(MigrateTest, Version2FileIsConverted) {
  ASSERT_EQ(CreateV3(db_, 2), "");
  ASSERT_EQ(QueryOne(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'events'"), "0");
  const auto old_files = Query(db_, FileRows());
  const auto old_calls = Query(db_, SyscallRows());
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(Query(db_, FileRows()), old_files);
  EXPECT_EQ(Query(db_, SyscallRows()), old_calls);
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls"), std::to_string(kCallsRows));
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM events WHERE kind IN ('file', 'syscall')"),
            std::to_string(old_files.size() + old_calls.size()));
}

// A version 1 file: its file rows gain action 'allow' and a NULL rule, and
// a file row with the syscall row of the same call becomes one calls row.
TEST_F(MigrateTest, Version1FileWithSyscallRowsIsConverted) {
  ASSERT_EQ(CreateV1Database(db_), "");
  ASSERT_EQ(Exec(db_,
                 "INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, result, "
                 "errno, action, rule) VALUES "
                 "(1, 200, 50, '/usr/bin/make', 'x86_64', 257, 'openat', "
                 "'AT_FDCWD, \"Makefile\", O_RDONLY', 3, 0, 'allow', NULL), "
                 "(1, 300, 50, '/usr/bin/make', 'x86_64', 60, 'exit', '0', NULL, 0, 'allow', "
                 "NULL);"),
            "");
  const auto old_files = Query(db_, "SELECT run_id, ts_ns, pid, exe, syscall, path, op, flags, "
                                    "result, errno, path2 FROM file_events ORDER BY ts_ns");
  const auto old_calls = Query(db_, SyscallRows());
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, "
                       "path2 FROM file_events ORDER BY ts_ns"),
            old_files);
  EXPECT_EQ(Query(db_, "SELECT action, rule FROM file_events"),
            (std::vector<Row>{{"allow", std::nullopt}}));
  EXPECT_EQ(Query(db_, SyscallRows()), old_calls);
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls"), "2");
  EXPECT_EQ(Query(db_, "SELECT f.path, s.args FROM file_events f JOIN syscall_events s USING(id)"),
            (std::vector<Row>{{"/src/Makefile", "AT_FDCWD, \"Makefile\", O_RDONLY"}}));
}

// An old row with an empty (not NULL) exe -- what version 3 wrote for a
// program it could not name -- reads back as it was.
TEST_F(MigrateTest, EmptyExeOfAnOldRowIsKept) {
  ASSERT_EQ(CreateV3(db_, 3,
                     "INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, result, "
                     "errno, action) VALUES (4, 10050, 60, '', 'openat', '/x', 'read', 3, 0, "
                     "'allow');"
                     "INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, "
                     "result, errno, action) VALUES (4, 10050, 60, '', 'x86_64', 257, 'openat', "
                     "'AT_FDCWD, \"/x\", 0', 3, 0, 'allow');"),
            "");
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(Query(db_, "SELECT exe FROM file_events WHERE run_id = 4"), (std::vector<Row>{{""}}));
  EXPECT_EQ(Query(db_, "SELECT exe FROM syscall_events WHERE run_id = 4"),
            (std::vector<Row>{{""}}));
}

// Run ids are the top bits of calls and strings ids (run << 40): a run id
// that does not fit must not be converted into rows that read back under
// another run, with no time. Either the conversion refuses the file
// (unchanged), or its rows read back exactly.
TEST_F(MigrateTest, RunIdBeyondTheIdSpaceIsNotSilentlyMangled) {
  ASSERT_EQ(CreateV3(db_, 3,
                     "INSERT INTO runs(id, argv, cwd, host, warden_version, start_ns) VALUES "
                     "(8388608, '[]', '/', 'h', 'v', 50000);"
                     "INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, result, "
                     "errno, action) VALUES (8388608, 50001, 1, '/bin/a', 'openat', '/big', "
                     "'read', 3, 0, 'allow');"),
            "");
  const auto before = Snapshot(db_);
  auto store = Store::Open(db_);
  if (!store.ok()) {
    EXPECT_EQ(Snapshot(db_), before);
  } else {
    store->reset();
    EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, path FROM file_events WHERE path = '/big'"),
              (std::vector<Row>{{"8388608", "50001", "/big"}}));
    EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events WHERE run_id BETWEEN 1 AND 4"),
              std::to_string(kOldFileRows));
  }
}

// A conversion that fails part way (here: run 16777217's ids, 16777217 << 40,
// wrap onto run 1's, so its first string collides after run 1 was
// written) leaves the file exactly as it was: version 3, the old tables
// and their rows, no calls or strings table. The error names the file.
TEST_F(MigrateTest, FailedConversionLeavesTheFileUnchanged) {
  ASSERT_EQ(CreateV3(db_, 3,
                     "INSERT INTO runs(id, argv, cwd, host, warden_version, start_ns) VALUES "
                     "(16777217, '[]', '/', 'h', 'v', 50000);"
                     "INSERT INTO syscall_events(run_id, ts_ns, pid, exe, abi, nr, name, args, "
                     "result, errno, action) VALUES (16777217, 50001, 1, '/bin/a', 'x86_64', 39, "
                     "'getpid', '', 1, 0, 'allow');"),
            "");
  static_assert(RunBase(16777217) == RunBase(1), "the collision this test relies on");
  const auto before = Snapshot(db_);
  auto store = Store::Open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(db_));
  EXPECT_EQ(Snapshot(db_), before);
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), "3");
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM sqlite_master WHERE name IN ('calls', 'strings')"),
            "0");
  // And again: a failed attempt leaves nothing behind that changes the next.
  EXPECT_FALSE(Store::Open(db_).ok());
  EXPECT_EQ(Snapshot(db_), before);
}

// Version 6 gave calls a `named` column and file_events the same: a
// version 5 file (made here from a new one, the column and the view's
// column taken away) gains both, keeps its rows, and records names.
TEST_F(MigrateTest, Version5FileGainsTheNamedColumn) {
  const std::string fresh = dir_.File("fresh.db");
  { ASSERT_TRUE(Store::Open(fresh).ok()); }
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->BeginRun(RunInfo{.argv = {"cat"}, .cwd = "/", .start_ns = 100}).ok());
    (*store)->Submit(FileEvent{.ts_ns = 101, .pid = 7, .exe = "/bin/cat", .syscall = "openat",
                               .path = "/etc/hosts", .op = "read", .result = 3});
    ASSERT_TRUE((*store)->FinishRun({.end_ns = 110}).ok());
  }
  std::string view = QueryOne(db_, "SELECT sql FROM sqlite_master WHERE name = 'file_events'");
  const size_t rule = view.find(" AS rule"), named = view.find(" AS named");
  ASSERT_NE(named, std::string::npos) << view;
  view = view.substr(0, rule + 8) + view.substr(named + 9);
  ASSERT_EQ(Exec(db_, "DROP VIEW events; DROP VIEW file_events; ALTER TABLE calls DROP COLUMN named; " +
                          view + "; PRAGMA user_version = 5;"),
            "");
  ASSERT_EQ(Query(db_, "SELECT path FROM file_events"), (std::vector<Row>{{"/etc/hosts"}}));

  auto store = Store::Open(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  const std::string views = "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name";
  EXPECT_EQ(Query(db_, views), Query(fresh, views));
  ASSERT_TRUE((*store)->BeginRun(RunInfo{.argv = {"cat"}, .cwd = "/", .start_ns = 200}).ok());
  (*store)->Submit(FileEvent{.ts_ns = 201, .pid = 8, .exe = "/bin/cat", .syscall = "openat",
                             .path = "/usr/share/zoneinfo/Etc/UTC", .op = "read", .result = 3,
                             .named = "/etc/localtime"});
  ASSERT_TRUE((*store)->FinishRun({.end_ns = 210}).ok());
  EXPECT_EQ(Query(db_, "SELECT path, named FROM file_events ORDER BY id"),
            (std::vector<Row>{{"/etc/hosts", std::nullopt},
                              {"/usr/share/zoneinfo/Etc/UTC", "/etc/localtime"}}));
}

// Version 7: runs of an older file get the UUID `warden ship` gives them
// when it reads the file unupgraded (the same before and after), and the
// host label; a new run gets a random one.
TEST_F(MigrateTest, Version6FileGainsRunIdentity) {
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(
        (*store)->BeginRun(RunInfo{.argv = {"cat"}, .cwd = "/", .host = "box", .start_ns = 100}).ok());
    ASSERT_TRUE((*store)->FinishRun({.end_ns = 110}).ok());
  }
  ASSERT_EQ(Exec(db_, "DROP INDEX runs_uuid; ALTER TABLE runs DROP COLUMN labels; "
                      "ALTER TABLE runs DROP COLUMN uuid; PRAGMA user_version = 6;"),
            "");
  const std::string derived = DerivedRunUuid("box", 100, R"(["cat"])", 1);
  auto before = forensics::ListRuns(db_);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].uuid, derived);
  EXPECT_EQ((*before)[0].labels_json, R"({"host":"box"})");

  auto store = Store::Open(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(Query(db_, "SELECT uuid, labels FROM runs"),
            (std::vector<Row>{{derived, R"({"host":"box"})"}}));
  ASSERT_TRUE((*store)->BeginRun(RunInfo{.argv = {"cat"}, .cwd = "/", .host = "box", .start_ns = 200,
                                         .labels = {{"app", "shop"}}})
                  .ok());
  ASSERT_TRUE((*store)->FinishRun({.end_ns = 210}).ok());
  auto rows = Query(db_, "SELECT uuid, labels FROM runs WHERE id = 2");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(*rows[0][0], derived);
  EXPECT_EQ(rows[0][0]->size(), 36u);
  EXPECT_EQ((*rows[0][0])[14], '4');  // version 4: random
  EXPECT_EQ(rows[0][1], R"({"app":"shop","host":"box"})");
}

}  // namespace
}  // namespace warden::store

#include "report/load.h"

#include "learn/event_source.h"
#include "profile/profile_builder.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>
#include <utility>

#include "fmt/format.h"
#include "forensics/query.h"
#include "forensics/read_db.h"
#include "learn/items.h"
#include "learn/observe.h"
#include "report/timeline.h"
#include "verify/expected.h"

namespace warden::report {
namespace {

using forensics::ColumnOptInt;
using forensics::ColumnText;
using forensics::ForEachRow;
using forensics::Prepare;
using forensics::RunRows;

std::string Str(sqlite3_stmt* s, int i) { return std::string(ColumnText(s, i)); }

// The event tables the activity chart bins (process starts and ends come
// from the process list), and what the by-kind counts call them.
struct KindTable {
  Kind kind;
  const char* table;
};
constexpr KindTable kKindTables[] = {{Kind::kExec, "exec_events"},
                                     {Kind::kFile, "file_events"},
                                     {Kind::kNet, "net_events"},
                                     {Kind::kSyscall, "syscall_events"},
                                     {Kind::kPolicy, "policy_events"}};

constexpr std::string_view kDenied = "action IN ('deny', 'kill')";

// A RowSink that keeps the rows (QueryDb::Stats).
struct Collect : forensics::RowSink {
  std::vector<forensics::Cells> rows;
  absl::Status Begin(const std::vector<std::string>&) override { return absl::OkStatus(); }
  absl::Status Row(const forensics::Cells& row) override {
    rows.push_back(row);
    return absl::OkStatus();
  }
  absl::Status End() override { return absl::OkStatus(); }
};

// Runs `sql` with the run bound as ?1 (and `more` as ?2, ?3...), calling
// fn for each row.
template <typename Fn>
absl::Status Each(sqlite3* db, std::string_view sql, int64_t run, std::initializer_list<int64_t> more, Fn&& fn) {
  auto stmt = Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  int i = 2;
  for (int64_t v : more) sqlite3_bind_int64(stmt->get(), i++, v);
  return ForEachRow(db, stmt->get(), [&](sqlite3_stmt* st) {
    fn(st);
    return absl::OkStatus();
  });
}

absl::Status LoadRunText(sqlite3* db, int64_t run, ReportData& d) {
  return Each(db, "SELECT cwd, host, warden_version FROM runs WHERE id = ?1", run, {}, [&](sqlite3_stmt* st) {
    d.cwd = Str(st, 0);
    d.host = Str(st, 1);
    d.warden_version = Str(st, 2);
  });
}

absl::StatusOr<std::vector<ProcessSpan>> LoadProcesses(sqlite3* db, int64_t run, int64_t start) {
  std::vector<ProcessSpan> procs;
  auto rel = [start](std::optional<int64_t> ns) { return ns ? std::optional<int64_t>(*ns - start) : ns; };
  absl::Status s = Each(db,
                        "SELECT id, pid, ppid, tgid, is_thread, exe, argv, start_ns, end_ns, exit_code, "
                        "term_signal FROM processes WHERE run_id = ?1 ORDER BY start_ns, id",
                        run, {}, [&](sqlite3_stmt* st) {
                          procs.push_back(ProcessSpan{sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
                                                      ColumnOptInt(st, 2), ColumnOptInt(st, 3),
                                                      sqlite3_column_int(st, 4) != 0, Str(st, 5), Str(st, 6),
                                                      rel(ColumnOptInt(st, 7)), rel(ColumnOptInt(st, 8)),
                                                      ColumnOptInt(st, 9), ColumnOptInt(st, 10)});
                        });
  if (!s.ok()) return s;
  return procs;
}

// How long the run lasted: to its end, or (still recording, or warden
// died) to the last thing recorded.
absl::StatusOr<int64_t> Duration(sqlite3* db, int version, const ReportData& d,
                                 const std::vector<ProcessSpan>& procs) {
  if (d.run.end_ns) return std::max<int64_t>(*d.run.end_ns - d.run.start_ns, 0);
  int64_t last = 0;
  for (const auto& p : procs) last = std::max({last, p.start_ns.value_or(0), p.end_ns.value_or(0)});
  for (const auto& k : kKindTables) {
    absl::Status s = Each(db, fmt::format("SELECT max(ts_ns) FROM {} WHERE {}", k.table, RunRows(version, k.table)),
                          d.run.id, {}, [&](sqlite3_stmt* st) {
                            if (auto v = ColumnOptInt(st, 0)) last = std::max(last, *v - d.run.start_ns);
                          });
    if (!s.ok()) return s;
  }
  return last;
}

absl::Status LoadActivity(sqlite3* db, int version, const std::vector<ProcessSpan>& procs, ReportData& d) {
  Activity& a = d.activity;
  a.bin_ns = ChooseBinNs(d.duration_ns);
  const int64_t bins = d.duration_ns / a.bin_ns + 1;
  for (auto& v : a.by_kind) v.assign(static_cast<size_t>(bins), 0);
  a.denials.assign(static_cast<size_t>(bins), 0);
  auto slot = [&](int64_t rel) { return static_cast<size_t>(std::clamp<int64_t>(rel / a.bin_ns, 0, bins - 1)); };
  auto& process = a.by_kind[static_cast<size_t>(Kind::kProcess)];
  for (const auto& p : procs) {
    if (p.start_ns) ++process[slot(*p.start_ns)];
    if (p.end_ns) ++process[slot(*p.end_ns)];
  }
  const std::string bin_sql = "SELECT (ts_ns - ?2) / ?3, count(*) FROM {} WHERE {} GROUP BY 1";
  for (const auto& k : kKindTables) {
    auto& counts = a.by_kind[static_cast<size_t>(k.kind)];
    absl::Status s = Each(db, fmt::format(fmt::runtime(bin_sql), k.table, RunRows(version, k.table)), d.run.id,
                          {d.run.start_ns, a.bin_ns}, [&](sqlite3_stmt* st) {
                            counts[slot(sqlite3_column_int64(st, 0) * a.bin_ns)] += sqlite3_column_int64(st, 1);
                          });
    if (!s.ok()) return s;
  }
  return Each(db, fmt::format(fmt::runtime(bin_sql), "policy_events", fmt::format("run_id = ?1 AND {}", kDenied)),
              d.run.id, {d.run.start_ns, a.bin_ns}, [&](sqlite3_stmt* st) {
                a.denials[slot(sqlite3_column_int64(st, 0) * a.bin_ns)] += sqlite3_column_int64(st, 1);
              });
}

void Cap(Counts& c, size_t max) {
  while (c.items.size() > max) {
    ++c.more_names;
    c.more_count += c.items.back().second;
    c.items.pop_back();
  }
}

// The dashboard counts: QueryDb::Stats (kind, action, policy, syscall).
absl::Status LoadCounts(forensics::QueryDb& q, ReportData& d) {
  Collect rows;
  if (auto s = q.Stats(d.run.id, rows); !s.ok()) return s;
  std::map<std::string, Counts*> groups = {
      {"action", &d.by_action}, {"policy", &d.by_policy_action}, {"syscall", &d.by_syscall}};
  for (const auto& r : rows.rows) {
    const std::string group = r[0].ToText(), name = r[1].ToText();
    const int64_t n = r[2].i;
    if (group == "kind") {
      const bool event = std::any_of(std::begin(kKindTables), std::end(kKindTables),
                                     [&](const KindTable& k) { return kKindNames[static_cast<int>(k.kind)] == name; });
      if (!event) continue;
      d.events += n;
      d.by_kind.items.emplace_back(name, n);
    } else if (auto it = groups.find(group); it != groups.end()) {
      it->second->items.emplace_back(name.empty() ? "(none)" : name, n);
    }
  }
  std::stable_sort(d.by_kind.items.begin(), d.by_kind.items.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  Cap(d.by_syscall, kMaxSyscalls);
  return absl::OkStatus();
}

absl::Status LoadPolicy(sqlite3* db, ReportData& d) {
  const int64_t run = d.run.id, start = d.run.start_ns;
  absl::Status s = Each(db,
                        fmt::format("SELECT count(*), coalesce(sum({}), 0) FROM policy_events WHERE run_id = ?1",
                                    kDenied),
                        run, {}, [&](sqlite3_stmt* st) {
                          d.policy_hits = sqlite3_column_int64(st, 0);
                          d.denials = sqlite3_column_int64(st, 1);
                        });
  if (!s.ok()) return s;
  s = Each(db,
           "SELECT coalesce(rule, ''), category, action, enforced, count(*), min(ts_ns) FROM policy_events "
           "WHERE run_id = ?1 GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 1, 2, 3, 4",
           run, {}, [&](sqlite3_stmt* st) {
             if (d.hits.size() >= kMaxListRows) {
               ++d.more_hits;
               return;
             }
             d.hits.push_back(PolicyHit{Str(st, 0), Str(st, 1), Str(st, 2), sqlite3_column_int(st, 3) != 0,
                                        sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5) - start});
           });
  if (!s.ok()) return s;
  return Each(db,
              fmt::format("SELECT ts_ns, pid, exe, action, syscall, coalesce(target, ''), coalesce(rule, ''), "
                          "enforced FROM policy_events WHERE run_id = ?1 AND {} ORDER BY ts_ns, id LIMIT {}",
                          kDenied, kMaxDenials),
              run, {}, [&](sqlite3_stmt* st) {
                d.denial_log.push_back(Denial{sqlite3_column_int64(st, 0) - start, sqlite3_column_int(st, 1),
                                              Str(st, 2), Str(st, 3), Str(st, 4), Str(st, 5), Str(st, 6),
                                              sqlite3_column_int(st, 7) != 0});
              });
}

// The run's items checked against the expected profile, as `warden
// verify` checks them (generalised as `expect` does, never collapsed).
absl::StatusOr<ExpectCheck> CheckExpected(const std::string& db_path, int64_t run, const std::string& file) {
  auto profile = verify::ReadExpected(file);
  if (!profile.ok()) return profile.status();
  learn::Generalization gen;
  gen.collapse = std::numeric_limits<int>::max();
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) gen.temp_dirs.push_back(tmp);
  learn::ItemCollector collector(gen);
  if (auto s = learn::ReadDatabases(learn::Selection{{db_path}, {run}, {}, {}}, collector); !s.ok()) return s;
  return ExpectCheck{file, verify::Verify(*profile, collector.Finish(), {})};
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

FileClass GroupByDirectory(std::string name, const std::vector<profile::FileUse>& files) {
  FileClass c;
  c.name = std::move(name);
  std::map<std::string, DirGroup> dirs;
  for (const auto& f : files) {
    const size_t slash = f.path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : slash == 0 ? "/" : f.path.substr(0, slash);
    DirGroup& g = dirs[dir];
    g.dir = dir;
    ++g.files;
    g.calls += f.count;
    std::string file = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
    g.top.emplace_back(file.empty() ? "." : file, f.count);  // "/" itself
    ++c.files;
    c.calls += f.count;
  }
  auto most = [](const auto& a, const auto& b) { return a.second > b.second; };
  for (auto& [dir, g] : dirs) {
    std::stable_sort(g.top.begin(), g.top.end(), most);  // names stay in path order within a count
    if (g.top.size() > kMaxFilesPerDir) g.top.resize(kMaxFilesPerDir);
    c.dirs.push_back(std::move(g));
  }
  std::stable_sort(c.dirs.begin(), c.dirs.end(), [](const DirGroup& a, const DirGroup& b) { return a.calls > b.calls; });
  if (c.dirs.size() > kMaxDirs) {
    c.more_dirs = static_cast<int64_t>(c.dirs.size() - kMaxDirs);
    c.dirs.resize(kMaxDirs);
  }
  return c;
}

absl::StatusOr<ReportData> LoadReport(const std::string& db_path, const LoadOptions& options) {
  auto read = forensics::OpenReadOnly(db_path);
  if (!read.ok()) return read.status();
  sqlite3* db = read->db.get();
  ReportData d;
  {
    forensics::ReadTxn txn(db);
    auto run = forensics::ResolveRun(*read, options.run);
    if (!run.ok()) return run.status();
    d.run = *run;
  }
  d.schema_version = read->version;
  d.db_name = BaseName(db_path);
  // The profile and the counts through QueryDb (its own read-only
  // connection); the rest on this one, in one snapshot.
  auto q = forensics::QueryDb::Open(db_path);
  if (!q.ok()) return q.status();
  learn::Selection selection{.dbs = {db_path}, .runs = {d.run.id}};
  auto source = learn::OpenDatabases(selection);
  if (!source.ok()) return source.status();
  auto profile = profile::ReadProfile(**source, selection);
  if (!profile.ok()) return profile.status();
  d.profile = std::move(*profile);
  d.status = d.profile.status;
  if (auto s = LoadCounts(**q, d); !s.ok()) return s;
  d.files = {GroupByDirectory("read", d.profile.read), GroupByDirectory("written", d.profile.written),
             GroupByDirectory("executed", d.profile.executed)};
  d.profile.read.clear();
  d.profile.written.clear();
  d.profile.executed.clear();

  forensics::ReadTxn txn(db);
  if (auto s = LoadRunText(db, d.run.id, d); !s.ok()) return s;
  auto procs = LoadProcesses(db, d.run.id, d.run.start_ns);
  if (!procs.ok()) return procs.status();
  for (const auto& p : *procs) ++(p.thread ? d.threads : d.processes);
  auto duration = Duration(db, read->version, d, *procs);
  if (!duration.ok()) return duration.status();
  d.duration_ns = *duration;
  if (auto s = LoadActivity(db, read->version, *procs, d); !s.ok()) return s;
  d.timeline = BuildTimeline(*procs, d.duration_ns, d.run.end_ns.has_value(), d.activity.bin_ns,
                             static_cast<int>(d.activity.denials.size()));
  if (auto s = LoadPolicy(db, d); !s.ok()) return s;
  if (!options.expect_file.empty()) {
    auto check = CheckExpected(db_path, d.run.id, options.expect_file);
    if (!check.ok()) return check.status();
    d.expect = std::move(*check);
  }
  return d;
}

}  // namespace warden::report

#include "fleet/ship.h"

#include <unistd.h>

#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "fleet/pg.h"
#include "fleet/pg_schema.h"
#include "fleet/run_rows.h"
#include "fmt/format.h"
#include "forensics/read_db.h"
#include "forensics/timeparse.h"

namespace warden::fleet {
namespace {

constexpr Stream kStreams[] = {Stream::kProcesses, Stream::kExec, Stream::kCalls, Stream::kPolicy,
                               Stream::kPolicyChanges};

// The run's row (inserted, or brought up to date); its key.
absl::StatusOr<int64_t> UpsertRun(PgConn& conn, const forensics::RunSummary& r,
                                  const std::string& source) {
  auto opt = [](const std::optional<int64_t>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::to_string(*v);
  };
  auto text = [](const std::string& v) -> std::optional<std::string> {
    if (v.empty()) return std::nullopt;
    return ValidUtf8(v);
  };
  auto res = conn.Query(
      "INSERT INTO runs (uuid, labels, host, argv, cwd, warden_version, start_ns, end_ns, "
      "exit_code, exit_signal, lost_events, policy, policy_mode, stops, interrupted, source, "
      "shipped_ns, source_run) VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
      "$12, $13, $14, $15, $16, $17, $18) ON CONFLICT (uuid) DO UPDATE SET end_ns = EXCLUDED.end_ns, "
      "exit_code = EXCLUDED.exit_code, exit_signal = EXCLUDED.exit_signal, "
      "lost_events = EXCLUDED.lost_events, stops = EXCLUDED.stops, "
      "interrupted = EXCLUDED.interrupted, shipped_ns = EXCLUDED.shipped_ns RETURNING key",
      {r.uuid, ValidUtf8(r.labels_json, true), ValidUtf8(r.host), ValidUtf8(r.argv_json, true),
       ValidUtf8(r.cwd), ValidUtf8(r.warden_version), std::to_string(r.start_ns), opt(r.end_ns),
       opt(r.exit_code ? std::optional<int64_t>(*r.exit_code) : std::nullopt),
       opt(r.exit_signal ? std::optional<int64_t>(*r.exit_signal) : std::nullopt),
       std::to_string(r.lost_events), text(r.policy), text(r.policy_mode),
       opt(r.stops ? std::optional<int64_t>(static_cast<int64_t>(*r.stops)) : std::nullopt),
       r.interrupted ? "true" : "false", ValidUtf8(source), std::to_string(forensics::NowNs()),
       std::to_string(r.id)});
  if (!res.ok()) return res.status();
  return res->Int(0, 0);
}

absl::StatusOr<std::map<int, int64_t>> Cursors(PgConn& conn, int64_t key) {
  auto res = conn.Query("SELECT stream, last_seq FROM ship_cursors WHERE run = $1",
                        {std::to_string(key)});
  if (!res.ok()) return res.status();
  std::map<int, int64_t> out;
  for (int i = 0; i < res->rows(); ++i) out[static_cast<int>(res->Int(i, 0))] = res->Int(i, 1);
  return out;
}

// One batch and its cursor, in one transaction.
absl::Status SendBatch(PgConn& conn, Stream stream, int64_t key, const Batch& b, int64_t cursor) {
  absl::Status s = conn.Exec("BEGIN");
  if (s.ok() && stream == Stream::kProcesses) {
    s = conn.Exec(
        "CREATE TEMP TABLE IF NOT EXISTS ship_processes (LIKE processes) ON COMMIT DELETE ROWS");
    if (s.ok()) s = conn.Copy(fmt::format("COPY ship_processes ({}) FROM STDIN", kProcessColumns), b.copy);
    if (s.ok())
      s = conn.Exec(
          "INSERT INTO processes SELECT * FROM ship_processes ON CONFLICT (run, seq) DO UPDATE SET "
          "exe = EXCLUDED.exe, argv = EXCLUDED.argv, end_ns = EXCLUDED.end_ns, "
          "exit_code = EXCLUDED.exit_code, term_signal = EXCLUDED.term_signal");
  } else if (s.ok()) {
    s = EnsurePartitions(conn, b.min_ts, b.max_ts);
    if (s.ok()) s = conn.Copy(fmt::format("COPY events ({}) FROM STDIN", kEventColumns), b.copy);
  }
  if (s.ok()) {
    auto r = conn.Query(
        "INSERT INTO ship_cursors (run, stream, last_seq) VALUES ($1, $2, $3) ON CONFLICT (run, "
        "stream) DO UPDATE SET last_seq = EXCLUDED.last_seq",
        {std::to_string(key), std::to_string(static_cast<int>(stream)), std::to_string(cursor)});
    s = r.status();
  }
  if (s.ok()) s = conn.Exec("COMMIT");
  if (!s.ok() && conn.Ok()) conn.Exec("ROLLBACK").IgnoreError();
  return s;
}

struct RunProgress {
  int64_t sent = 0;      // rows sent this round
  bool done = false;     // ended and nothing left
};

class Shipper {
 public:
  Shipper(const ShipOptions& o, ShipReport& report, forensics::ReadDb& db)
      : o_(o), report_(report), db_(db), source_(o.db) {}
  void Use(PgConn& conn) { conn_ = &conn; }

  // One pass over one run; `first`: count what was shipped before.
  absl::StatusOr<RunProgress> ShipRun(const forensics::RunSummary& run, bool first) {
    auto key = UpsertRun(*conn_, run, source_);
    if (!key.ok()) return key.status();
    auto cursors = Cursors(*conn_, *key);
    if (!cursors.ok()) return cursors.status();
    RunRows rows(db_.db.get(), db_.version, run.id, run.start_ns, *key);
    const bool live = !run.end_ns && !run.interrupted;
    RunProgress p;
    for (Stream stream : kStreams) {
      const int64_t start = (*cursors)[static_cast<int>(stream)];
      if (first && start > 0) {
        auto all = rows.CountAfter(stream, 0), left = rows.CountAfter(stream, start);
        if (!all.ok()) return all.status();
        if (!left.ok()) return left.status();
        report_.already += *all - *left;
      }
      int64_t pos = start, first_open = -1;
      // The next batch is read from SQLite while this one goes to the
      // server: the two take turns on neither CPU.
      auto next = rows.Read(stream, pos, o_.batch_rows);
      for (;;) {
        if (!next.ok()) return next.status();
        if (next->rows == 0) break;
        Batch batch = std::move(*next);
        std::future<absl::StatusOr<Batch>> ahead =
            std::async(std::launch::async, [&rows, stream, from = batch.last_seq, n = o_.batch_rows] {
              return rows.Read(stream, from, n);
            });
        if (live && first_open < 0) first_open = batch.first_open_seq;
        // Processes still running are sent again when they end.
        const int64_t cursor = first_open >= 0 ? first_open - 1 : batch.last_seq;
        if (auto s = SendBatch(*conn_, stream, *key, batch, cursor); !s.ok()) {
          ahead.wait();
          auto left = rows.CountAfter(stream, pos);
          report_.unshipped += left.ok() ? *left : 0;
          failed_run_ = run.id;
          failed_stream_ = stream;
          return s;
        }
        if (stream == Stream::kProcesses) {
          // Rows sent again (a process that was running then) count once.
          int64_t& high = process_high_[run.id];
          report_.processes += std::max<int64_t>(0, batch.last_seq - std::max(high, pos));
          high = std::max(high, batch.last_seq);
        } else {
          report_.events += batch.rows;
        }
        p.sent += batch.rows;
        pos = batch.last_seq;
        next = ahead.get();
      }
    }
    p.done = !live;
    return p;
  }

  int64_t failed_run_ = 0;
  Stream failed_stream_ = Stream::kProcesses;

 private:
  const ShipOptions& o_;
  ShipReport& report_;
  forensics::ReadDb& db_;
  PgConn* conn_ = nullptr;
  std::string source_;
  std::map<int64_t, int64_t> process_high_;  // by run: the highest process row sent
};

absl::StatusOr<std::vector<forensics::RunSummary>> Selected(forensics::ReadDb& db,
                                                            const std::vector<int64_t>& ids) {
  auto runs = forensics::ReadRuns(db.db.get(), db.version);
  if (!runs.ok()) return runs.status();
  if (ids.empty()) return runs;
  std::vector<forensics::RunSummary> out;
  for (int64_t id : ids) {
    auto it = std::find_if(runs->begin(), runs->end(), [id](const auto& r) { return r.id == id; });
    if (it == runs->end()) return forensics::UnknownRun(db.path, id, *runs);
    out.push_back(*it);
  }
  return out;
}

// What is left of `runs` after run `failed` (exclusive) failed: every row of
// the runs after it (some may be in PostgreSQL already: "up to").
int64_t RowsOfRunsAfter(forensics::ReadDb& db, const std::vector<forensics::RunSummary>& runs,
                        int64_t failed) {
  int64_t n = 0;
  bool after = false;
  for (const auto& r : runs) {
    if (after) {
      RunRows rows(db.db.get(), db.version, r.id, r.start_ns, 0);
      for (Stream s : kStreams)
        if (auto c = rows.CountAfter(s, 0); c.ok()) n += *c;
    }
    if (r.id == failed) after = true;
  }
  return n;
}

// Follow: the server went away. Waits (1 s, doubling to 30 s) and connects
// again until it answers or `stop` is set; the cursors say where to resume.
absl::StatusOr<std::unique_ptr<PgConn>> Reconnect(const ShipOptions& o, const absl::Status& why) {
  fmt::print(stderr, "warden ship: {}; retrying\n", std::string(why.message()));
  for (int64_t wait_ms = 1000;; wait_ms = std::min<int64_t>(wait_ms * 2, 30000)) {
    for (int64_t t = 0; t < wait_ms; t += 100) {
      if (o.stop != nullptr && o.stop->load()) return why;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto conn = PgConn::Connect(o.url);
    if (conn.ok()) {
      if (auto s = EnsureSchema(**conn); !s.ok()) return s;
      fmt::print(stderr, "warden ship: connected again to {}\n", RedactUrl(o.url));
      return conn;
    }
    if (conn.status().code() != absl::StatusCode::kUnavailable) return conn.status();
  }
}

}  // namespace

absl::Status Ship(const ShipOptions& o, ShipReport& report,
                  const std::function<void(const std::string&)>& progress) {
  auto db = forensics::OpenReadOnly(o.db);
  if (!db.ok()) return db.status();
  if (db->version < kOldestShippedVersion)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' has database schema version {}; ship reads version {} and later: record one run "
        "into it with this warden (`warden run --db {} -- true`) to upgrade it",
        o.db, db->version, kOldestShippedVersion, o.db));
  auto conn = PgConn::Connect(o.url);
  if (!conn.ok()) return conn.status();
  if (auto s = EnsureSchema(**conn); !s.ok()) return s;
  report.connected = true;
  Shipper shipper(o, report, *db);
  shipper.Use(**conn);
  std::map<int64_t, int64_t> sent_per_run;
  for (bool first = true;; first = false) {
    // One snapshot per round: a live run's rows stay consistent.
    if (auto s = forensics::ExecSql(db->db.get(), "BEGIN"); !s.ok()) return s;
    auto runs = Selected(*db, o.runs);
    if (!runs.ok()) {
      forensics::ExecSql(db->db.get(), "COMMIT").IgnoreError();
      return runs.status();
    }
    bool all_done = true;
    int64_t round = 0;
    absl::Status failed;
    for (const auto& run : *runs) {
      auto p = shipper.ShipRun(run, first);
      if (!p.ok()) {
        report.unshipped += RowsOfRunsAfter(*db, *runs, shipper.failed_run_);
        failed = absl::Status(p.status().code(),
                              fmt::format("run {}: {}", run.id, std::string(p.status().message())));
        break;
      }
      round += p->sent;
      sent_per_run[run.id] += p->sent;
      all_done = all_done && p->done;
      if (first) ++report.runs;
    }
    forensics::ExecSql(db->db.get(), "COMMIT").IgnoreError();
    if (!failed.ok()) {
      if (!o.follow || failed.code() != absl::StatusCode::kUnavailable) return failed;
      auto again = Reconnect(o, failed);
      if (!again.ok()) return again.status();
      *conn = std::move(*again);
      shipper.Use(**conn);
      report.unshipped = 0;  // counted again when it fails again
      continue;
    }
    if (!o.follow) {
      for (const auto& run : *runs)
        if (progress)
          progress(fmt::format("run {} ({}): {} rows sent", run.id, run.uuid, sent_per_run[run.id]));
      return absl::OkStatus();
    }
    if (!o.runs.empty() && all_done && round == 0) return absl::OkStatus();
    if (o.stop != nullptr && o.stop->load() && round == 0) return absl::OkStatus();
    if (round == 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
  }
}

}  // namespace warden::fleet

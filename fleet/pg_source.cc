#include "fleet/pg_source.h"

#include <map>
#include <utility>
#include <vector>

#include "fleet/pg.h"
#include "fleet/pg_schema.h"
#include "fmt/format.h"

namespace warden::fleet {
namespace {

// Rows per FETCH of a run's events.
constexpr int kFetchRows = 20000;

// A run's process starts and its exec, file and network events in the order
// of `warden export` (time, then process / exec / file / net, then the row's
// order in its stream); a call that is both a file and a network event is
// both. Columns: k, ts, pid, ppid, tgid, is_thread, exe, path, syscall, op,
// flags, path2, family, sock_type, direction, address, port, fd, errno,
// action, result.
constexpr std::string_view kRunEventsSql = R"sql(
SELECT 0 AS k, start_ns AS ts, seq, pid, ppid, tgid, is_thread, NULL AS exe, NULL AS path,
       NULL AS syscall, NULL AS op, NULL AS flags, NULL AS path2, NULL AS family,
       NULL AS sock_type, NULL AS direction, NULL AS address, NULL::integer AS port,
       NULL::integer AS fd, 0 AS errno, NULL AS action, NULL::bigint AS result
  FROM processes WHERE run = $1 AND start_ns IS NOT NULL
UNION ALL
SELECT 1, ts_ns, seq, pid, NULL, NULL, NULL, exe, path, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, errno, action, result
  FROM events WHERE run = $1 AND kind & 1 <> 0
UNION ALL
SELECT 2, ts_ns, seq, pid, NULL, NULL, NULL, exe, path, syscall, op, flags, path2, NULL, NULL,
       NULL, NULL, NULL, NULL, errno, action, result
  FROM events WHERE run = $1 AND kind & 2 <> 0
UNION ALL
SELECT 3, ts_ns, seq, pid, NULL, NULL, NULL, exe, NULL, NULL, net_op, NULL, NULL, family,
       sock_type, direction, address, port, fd, errno, action, result
  FROM events WHERE run = $1 AND kind & 4 <> 0
ORDER BY 2, 1, 3
)sql";

constexpr learn::EventKind kKinds[] = {learn::EventKind::kProcess, learn::EventKind::kExec,
                                       learn::EventKind::kFile, learn::EventKind::kNet};

void Fill(const PgResult& r, int i, learn::RecordedEvent& e) {
  auto text = [&](int c) { return r.Text(i, c); };
  auto opt_int = [&](int c, int none) { return r.IsNull(i, c) ? none : static_cast<int>(r.Int(i, c)); };
  e = learn::RecordedEvent{};
  e.kind = kKinds[r.Int(i, 0)];
  e.ts_ns = r.Int(i, 1);
  e.pid = static_cast<int>(r.Int(i, 3));
  e.ppid = opt_int(4, 0);
  e.tgid = opt_int(5, e.pid);
  e.is_thread = text(6) == "t";
  e.exe = text(7);
  e.path = text(8);
  e.syscall = text(9);
  e.op = text(10);
  e.flags = text(11);
  e.path2 = text(12);
  e.family = text(13);
  e.sock_type = text(14);
  e.direction = text(15);
  e.address = text(16);
  e.port = opt_int(17, -1);
  e.fd = opt_int(18, -1);
  e.err = opt_int(19, 0);
  e.action = text(20);
  if (!r.IsNull(i, 21)) e.result = r.Int(i, 21);
}

class PgSource : public learn::EventSource {
 public:
  PgSource(std::unique_ptr<PgConn> conn, store::Labels labels)
      : conn_(std::move(conn)), labels_(std::move(labels)) {}

  absl::StatusOr<std::vector<learn::RunRef>> SelectRuns(const learn::Selection& s) override {
    if (!s.runs.empty())
      return absl::InvalidArgumentError(
          "--run names a run of one file; with --pg select runs by label (--select) and time "
          "(--from, --to)");
    std::string where = "labels @> $1::jsonb";
    std::vector<std::optional<std::string>> params = {ValidUtf8(store::LabelsJson(labels_), true)};
    if (s.from_ns || s.to_ns) {
      params.push_back(std::to_string(s.from_ns.value_or(INT64_MIN)));
      params.push_back(std::to_string(s.to_ns.value_or(INT64_MAX)));
      where += " AND EXISTS (SELECT 1 FROM events e WHERE e.run = r.key AND e.kind & 7 <> 0 "
               "AND e.ts_ns BETWEEN $2 AND $3)";
    }
    auto res = conn_->Query(
        fmt::format("SELECT key, source, source_run, host, start_ns, end_ns, lost_events, "
                    "coalesce(policy_mode, ''), argv::text, exit_code, exit_signal, interrupted, "
                    "(SELECT count(*) FROM processes p WHERE p.run = r.key), "
                    "(SELECT count(*) FROM events e WHERE e.run = r.key AND e.kind & 8 <> 0 AND "
                    "e.syscall = 'io_uring_setup' AND e.result >= 0) "
                    "FROM runs r WHERE {} ORDER BY start_ns, uuid",
                    where),
        params);
    if (!res.ok()) return res.status();
    std::vector<learn::RunRef> runs;
    std::map<std::pair<std::string, int64_t>, int> names;
    for (int i = 0; i < res->rows(); ++i) ++names[{std::string(res->Text(i, 1)), res->Int(i, 2)}];
    keys_.clear();
    for (int i = 0; i < res->rows(); ++i) {
      learn::RunRef r;
      r.db = std::string(res->Text(i, 1));
      r.run = res->Int(i, 2);
      if (names[{r.db, r.run}] > 1) r.db = fmt::format("{}:{}", res->Text(i, 3), r.db);
      r.start_ns = res->Int(i, 4);
      if (!res->IsNull(i, 5)) r.end_ns = res->Int(i, 5);
      r.lost_events = static_cast<uint64_t>(res->Int(i, 6));
      r.policy_mode = std::string(res->Text(i, 7));
      r.argv_json = std::string(res->Text(i, 8));
      if (!res->IsNull(i, 9)) r.exit_code = res->Int(i, 9);
      if (!res->IsNull(i, 10)) r.exit_signal = res->Int(i, 10);
      r.interrupted = res->Text(i, 11) == "t";
      r.processes = res->Int(i, 12);
      r.io_uring_rings = res->Int(i, 13);
      keys_[{r.db, r.run}] = res->Int(i, 0);
      runs.push_back(std::move(r));
    }
    if (runs.empty())
      return absl::NotFoundError(fmt::format(
          "no shipped run has the labels {}{}; see the runs table (warden-db(5), POSTGRESQL)",
          store::LabelsJson(labels_), s.from_ns || s.to_ns ? " with events in the window" : ""));
    return runs;
  }

  absl::Status ReadRun(const learn::RunRef& run, const learn::Selection&,
                       learn::RecordedEventSink& sink) override {
    auto it = keys_.find({run.db, run.run});
    if (it == keys_.end())
      return absl::InvalidArgumentError(fmt::format("run {} of {}: not selected here", run.run, run.db));
    // A cursor: a run's events are read a batch at a time, never all at once.
    if (auto s = conn_->Exec("BEGIN READ ONLY"); !s.ok()) return s;
    auto done = [this](absl::Status s) {
      conn_->Exec(s.ok() ? "COMMIT" : "ROLLBACK").IgnoreError();
      return s;
    };
    if (auto s = conn_->Query(fmt::format("DECLARE run_events NO SCROLL CURSOR FOR {}", kRunEventsSql),
                              {std::to_string(it->second)});
        !s.ok())
      return done(s.status());
    learn::RecordedEvent e;
    for (;;) {
      auto batch = conn_->Query(fmt::format("FETCH {} FROM run_events", kFetchRows));
      if (!batch.ok()) return done(batch.status());
      for (int i = 0; i < batch->rows(); ++i) {
        Fill(*batch, i, e);
        if (auto s = sink.Add(e); !s.ok()) return done(s);
      }
      if (batch->rows() < kFetchRows) break;
    }
    return done(absl::OkStatus());
  }

 private:
  std::unique_ptr<PgConn> conn_;
  store::Labels labels_;
  std::map<std::pair<std::string, int64_t>, int64_t> keys_;  // (db, run) -> runs.key
};

}  // namespace

absl::StatusOr<std::unique_ptr<learn::EventSource>> OpenPostgres(const std::string& url,
                                                                 const store::Labels& labels) {
  auto conn = PgConn::Connect(url);
  if (!conn.ok()) return conn.status();
  auto has = (*conn)->Query("SELECT to_regclass('warden_schema') IS NOT NULL");
  if (!has.ok()) return has.status();
  if (has->Text(0, 0) != "t")
    return absl::FailedPreconditionError(fmt::format(
        "PostgreSQL at '{}' holds no shipped runs (no warden schema); ship some with `warden ship`",
        RedactUrl(url)));
  auto version = (*conn)->Query("SELECT max(version) FROM warden_schema");
  if (!version.ok()) return version.status();
  if (version->Int(0, 0) > kPgSchemaVersion)
    return absl::FailedPreconditionError(fmt::format(
        "the PostgreSQL database has warden schema version {}, newer than this warden's ({}); "
        "use a newer warden",
        version->Int(0, 0), kPgSchemaVersion));
  return std::unique_ptr<learn::EventSource>(new PgSource(std::move(*conn), labels));
}

}  // namespace warden::fleet

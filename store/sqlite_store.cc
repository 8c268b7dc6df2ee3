// Store implementation: a bounded queue in front of one writer thread that
// owns the SQLite connection while a run is open and writes events in
// batched transactions with statements prepared once.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "fmt/format.h"
#include "store/calls.h"
#include "store/json.h"
#include "store/run_lock.h"
#include "store/run_identity.h"
#include "store/schema.h"
#include "store/sqlite_util.h"
#include "store/store.h"

namespace warden::store {
namespace {

// Rows per transaction. Each commit rewrites every b-tree page it touched,
// and file_events(path) takes inserts all over its tree, so bigger batches
// cut the write volume (measured: 4096 -> 16384 roughly doubled the rate).
// Still bounded so that a live `warden export` sees data regularly.
constexpr size_t kMaxBatch = 16384;
// The writer wakes when this many events wait, or after kLinger.
constexpr size_t kWakeBatch = 2048;
constexpr std::chrono::milliseconds kLinger{50};
// Another warden (or a reader checkpointing) may hold the write lock briefly.
constexpr int kBusyTimeoutMs = 10000;
constexpr int kBeginAttempts = 6;  // one minute of busy_timeout per batch

absl::Status OpenError(const std::string& path, std::string_view why) {
  return absl::UnavailableError(
      fmt::format("cannot open database '{}': {}; check that the directory exists and is writable",
                  path, why));
}

// What the user gave is not something warden may write to: a clear error
// (InvalidArgument: `warden run` exits 2) and the file left as it was.
absl::Status NotWardenDb(const std::string& path, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format(
      "'{}' {}; it was left unchanged: give another --db path", path, what));
}

// Classifies the error SQLite gave on first touching the file.
absl::Status TouchError(sqlite3* db, const std::string& path, const absl::Status& s) {
  switch (sqlite3_errcode(db)) {
    case SQLITE_NOTADB: return NotWardenDb(path, "is not a warden database (not an SQLite file)");
    case SQLITE_CORRUPT: return NotWardenDb(path, "is a corrupt SQLite database");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return NotWardenDb(path, fmt::format("is locked by another program (waited {} s)",
                                           kBusyTimeoutMs / 1000));
    default: return OpenError(path, std::string(s.message()));
  }
}

// An SQLite file with tables but none of warden's belongs to something
// else: adding warden's tables to it would change a file the user did not
// mean to hand over.
absl::Status CheckIsWardenDb(sqlite3* db, const std::string& path) {
  auto stmt = PrepareSql(db,
      "SELECT group_concat(name, ', '), sum(name='runs') FROM sqlite_master "
      "WHERE type='table' AND name NOT LIKE 'sqlite_%'");
  if (!stmt.ok()) return TouchError(db, path, stmt.status());
  int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW) return TouchError(db, path, absl::InternalError(sqlite3_errmsg(db)));
  const std::string tables(ColumnText(stmt->get(), 0));
  if (!tables.empty() && sqlite3_column_int(stmt->get(), 1) == 0)
    return NotWardenDb(path, fmt::format("is an SQLite database of something else (tables: {})",
                                         tables.size() > 80 ? tables.substr(0, 80) + "..." : tables));
  return absl::OkStatus();
}

// Prepared once per Store; reused for every event of every run.
struct Statements {
  StmtPtr insert_run, finish_run, update_lost;
  StmtPtr insert_process, exec_process, end_process, insert_orphan_end;
  StmtPtr insert_exec;
  StmtPtr insert_policy, insert_policy_change;
};

absl::Status PrepareAll(sqlite3* db, Statements& s) {
  struct Entry {
    StmtPtr* stmt;
    std::string_view sql;
  };
  const Entry entries[] = {
      {&s.insert_run,
       "INSERT INTO runs(argv, cwd, host, warden_version, start_ns, policy, policy_mode, uuid, "
       "labels) VALUES(?,?,?,?,?,?,?,?,?)"},
      {&s.finish_run,
       "UPDATE runs SET end_ns=?, exit_code=?, exit_signal=?, lost_events=?, stops=? WHERE id=?"},
      {&s.update_lost, "UPDATE runs SET lost_events=? WHERE id=?"},
      {&s.insert_process,
       "INSERT INTO processes(run_id, pid, ppid, tgid, is_thread, exe, argv, cwd, start_ns) "
       "VALUES(?,?,?,?,?,?,?,?,?)"},
      {&s.exec_process,
       "UPDATE processes SET exe=?, argv=? WHERE id = "
       "(SELECT id FROM processes WHERE run_id=? AND pid=? ORDER BY id DESC LIMIT 1)"},
      // The latest row for the pid: pids can be reused within a run.
      {&s.end_process,
       "UPDATE processes SET end_ns=?, exit_code=?, term_signal=? WHERE id = "
       "(SELECT id FROM processes WHERE run_id=? AND pid=? ORDER BY id DESC LIMIT 1)"},
      // An exit whose start was never recorded still deserves a row.
      {&s.insert_orphan_end,
       "INSERT INTO processes(run_id, pid, end_ns, exit_code, term_signal) VALUES(?,?,?,?,?)"},
      {&s.insert_exec,
       "INSERT INTO exec_events(run_id, ts_ns, pid, exe, path, argv, envp, argv_truncated, result, "
       "errno, action, rule) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"},
      {&s.insert_policy,
       "INSERT INTO policy_events(run_id, ts_ns, pid, exe, abi, nr, syscall, args, action, rule, "
       "mode, enforced, category, target, result, errno) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
      {&s.insert_policy_change,
       "INSERT INTO policy_changes(run_id, ts_ns, source, name, accepted, message) "
       "VALUES(?,?,?,?,?,?)"},
  };
  for (const auto& e : entries) {
    auto stmt = PrepareSql(db, e.sql);
    if (!stmt.ok()) return absl::InternalError(fmt::format("preparing '{}': {}", e.sql, std::string(stmt.status().message())));
    *e.stmt = std::move(*stmt);
  }
  return absl::OkStatus();
}

std::optional<int64_t> OptInt(std::optional<int> v) {
  return v ? std::optional<int64_t>(*v) : std::nullopt;
}

// The verdict columns are NOT NULL: an event built without one was allowed.
std::string_view ActionOrAllow(const std::string& action) {
  return action.empty() ? std::string_view("allow") : std::string_view(action);
}

class SqliteStore final : public Store {
 public:
  SqliteStore(DbPtr db, Statements stmts, std::unique_ptr<CallWriter> calls, size_t capacity)
      : db_(std::move(db)),
        stmts_(std::move(stmts)),
        calls_(std::move(calls)),
        capacity_(capacity),
        wake_batch_(std::clamp<size_t>(capacity / 2, 1, kWakeBatch)) {}
  ~SqliteStore() override;

  absl::StatusOr<int64_t> BeginRun(const RunInfo& info) override;
  void Submit(Event event) override;
  absl::Status FinishRun(const RunEnd& end) override;
  uint64_t lost_events() const override { return lost_.load(std::memory_order_relaxed); }
  int64_t run_id() const override { return run_id_.load(std::memory_order_relaxed); }

 private:
  void WriterLoop();
  void StopWriter();
  void WriteBatch(const std::vector<Event>& batch);
  bool BeginBatch();
  bool Write(const ProcessStart& e);
  bool Write(const ProcessExec& e);
  bool Write(const ProcessEnd& e);
  bool Write(const SyscallEvent& e);
  bool Write(const FileEvent& e);
  bool Write(const ExecEvent& e);
  bool Write(const NetEvent& e);
  bool Write(const PolicyEvent& e);
  bool Write(const CallRecord& c);
  bool Write(const PolicyChange& e);

  // Declared before stmts_ so that statements are finalized first.
  DbPtr db_;
  Statements stmts_;
  std::unique_ptr<CallWriter> calls_;  // file and syscall events
  const size_t capacity_;
  const size_t wake_batch_;  // queue length that wakes a lingering writer
  std::atomic<int64_t> run_id_{0};
  std::optional<RunLock> run_lock_;  // held while the run is open
  std::atomic<uint64_t> lost_{0};
  std::thread writer_;

  std::mutex mu_;
  std::condition_variable not_empty_;  // writer waits here
  std::condition_variable not_full_;   // producers wait here
  std::deque<Event> queue_;            // guarded by mu_
  bool accepting_ = false;             // a run is open; guarded by mu_
  bool stopping_ = false;              // drain and exit; guarded by mu_
  int blocked_ = 0;                    // producers waiting for room; guarded by mu_
};

SqliteStore::~SqliteStore() {
  if (!writer_.joinable()) return;
  // No RunEnd: drain everything, leave end_ns NULL (the run did not finish
  // cleanly) but keep the loss count in the row honest.
  StopWriter();
  Binder(stmts_.update_lost.get()).Int(static_cast<int64_t>(lost_.load())).Int(run_id_.load());
  StepDone(stmts_.update_lost.get());
}

absl::StatusOr<int64_t> SqliteStore::BeginRun(const RunInfo& info) {
  if (writer_.joinable())
    return absl::FailedPreconditionError(
        fmt::format("run {} is still open; call FinishRun before BeginRun", run_id_.load()));
  std::string argv = JsonStringArray(info.argv);
  Labels labels = info.labels;
  labels.try_emplace("host", info.host);
  // Bound without a copy: these must outlive the step.
  const std::string uuid = info.uuid.empty() ? NewRunUuid() : info.uuid;
  const std::string labels_json = LabelsJson(labels);
  sqlite3_stmt* s = stmts_.insert_run.get();
  Binder(s)
      .Text(argv)
      .Text(info.cwd)
      .Text(info.host)
      .Text(info.warden_version)
      .Int(info.start_ns)
      .TextOrNull(info.policy)
      .TextOrNull(info.policy_mode)
      .Text(uuid)
      .Text(labels_json);
  if (!StepDone(s))
    return absl::InternalError(fmt::format("recording the run: {}", sqlite3_errmsg(db_.get())));
  run_id_ = sqlite3_last_insert_rowid(db_.get());
  if (auto s = CheckRunId(run_id_); !s.ok()) {
    ExecSql(db_.get(), fmt::format("DELETE FROM runs WHERE id = {}", run_id_.load()).c_str())
        .IgnoreError();
    return s;
  }
  calls_->BeginRun(run_id_, info.start_ns);
  // Readers tell a live run from an interrupted one by this lock (run_lock.h).
  // Without it (a filesystem with no locks) the run is recorded all the
  // same, and shows as interrupted until it ends.
  if (const char* file = sqlite3_db_filename(db_.get(), "main"); file != nullptr && *file) {
    auto lock = RunLock::Take(file, run_id_);
    if (lock.ok()) run_lock_.emplace(std::move(*lock));
  }
  lost_ = 0;
  {
    std::lock_guard lock(mu_);
    accepting_ = true;
    stopping_ = false;
  }
  writer_ = std::thread(&SqliteStore::WriterLoop, this);
  return run_id_.load();
}

void SqliteStore::Submit(Event event) {
  std::unique_lock lock(mu_);
  if (!accepting_) {  // no open run: there is no run_id to store it under
    lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (queue_.size() >= capacity_) {
    // Lossless by design: the tracer waits for the disk rather than drop.
    ++blocked_;
    not_empty_.notify_one();  // the writer may be lingering: no more to wait for
    not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
    --blocked_;
  }
  queue_.push_back(std::move(event));
  // The writer lingers until a batch is ready; only that edge needs a wake.
  if (queue_.size() == wake_batch_) not_empty_.notify_one();
}

absl::Status SqliteStore::FinishRun(const RunEnd& end) {
  if (!writer_.joinable()) return absl::FailedPreconditionError("FinishRun without an open run");
  StopWriter();
  // end.lost_events: what the caller lost before Submit; add what we lost.
  uint64_t lost = end.lost_events + lost_.load();
  sqlite3_stmt* s = stmts_.finish_run.get();
  Binder b(s);
  b.Int(end.end_ns).Int(end.exit_code);
  if (end.exit_signal) b.Int(end.exit_signal); else b.Null();
  b.Int(static_cast<int64_t>(lost)).Int(static_cast<int64_t>(end.stops)).Int(run_id_.load());
  const bool ok = StepDone(s);
  run_lock_.reset();
  if (!ok)
    return absl::InternalError(
        fmt::format("recording the end of run {}: {}", run_id_.load(), sqlite3_errmsg(db_.get())));
  return absl::OkStatus();
}

void SqliteStore::StopWriter() {
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
    stopping_ = true;
  }
  not_empty_.notify_one();
  writer_.join();
}

void SqliteStore::WriterLoop() {
  std::vector<Event> batch;
  batch.reserve(kMaxBatch);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // Producers already blocked in Submit when the run was stopped still
      // get their events written: stop only once nobody is waiting.
      // Linger: a wake-up per event would cost the tracer a context switch
      // and the disk a transaction per row. Sleep until a batch's worth has
      // queued, the linger time passes (readers of a live run still see new
      // rows within it), or the run stops.
      not_empty_.wait_for(lock, kLinger, [&] { return queue_.size() >= wake_batch_ || blocked_ > 0 || stopping_; });
      if (queue_.empty()) {
        if (stopping_ && blocked_ == 0) return;
        continue;
      }
      size_t n = std::min(queue_.size(), kMaxBatch);
      std::move(queue_.begin(), queue_.begin() + n, std::back_inserter(batch));
      queue_.erase(queue_.begin(), queue_.begin() + n);
      if (blocked_) not_full_.notify_all();
    }
    WriteBatch(batch);
    batch.clear();
  }
}

void SqliteStore::WriteBatch(const std::vector<Event>& batch) {
  sqlite3* db = db_.get();
  if (!BeginBatch()) {
    // Another process has held the write lock for minutes, or the disk
    // fails: inserting row by row would only wait the same timeout per row.
    lost_.fetch_add(batch.size(), std::memory_order_relaxed);
    return;
  }
  bool in_txn = true;
  uint64_t pending = 0;  // rows written inside the open transaction
  // Some errors (disk full, I/O) make SQLite roll the whole transaction
  // back: the rows written so far in it are gone too, and so are the
  // strings the calls writer numbered in it.
  auto rolled_back = [&] {
    if (!in_txn || !sqlite3_get_autocommit(db)) return;
    lost_.fetch_add(pending, std::memory_order_relaxed);
    pending = 0;
    in_txn = false;
    calls_->Forget();
  };
  for (const Event& e : batch) {
    bool ok = std::visit([this](const auto& ev) { return Write(ev); }, e);
    if (ok) pending += in_txn;
    else lost_.fetch_add(1, std::memory_order_relaxed);
    rolled_back();
  }
  // A file part still waiting for its syscall part is written alone
  // rather than held past the commit that readers of a live run see.
  if (int lost = calls_->Flush(); lost > 0) lost_.fetch_add(lost, std::memory_order_relaxed);
  rolled_back();
  if (in_txn && !ExecSql(db, "COMMIT").ok()) {
    ExecSql(db, "ROLLBACK").IgnoreError();
    lost_.fetch_add(pending, std::memory_order_relaxed);
    calls_->Forget();
  }
}

bool SqliteStore::BeginBatch() {
  sqlite3* db = db_.get();
  // A transaction left open by a failed COMMIT would make BEGIN fail forever.
  if (!sqlite3_get_autocommit(db)) ExecSql(db, "ROLLBACK").IgnoreError();
  // IMMEDIATE takes the write lock now, waiting up to busy_timeout, so that
  // COMMIT cannot fail with SQLITE_BUSY in WAL mode.
  for (int attempt = 0; attempt < kBeginAttempts; ++attempt)
    if (ExecSql(db, "BEGIN IMMEDIATE").ok()) return true;
  return false;
}

bool SqliteStore::Write(const ProcessStart& e) {
  std::string argv = JsonStringArray(e.argv);
  sqlite3_stmt* s = stmts_.insert_process.get();
  Binder(s)
      .Int(run_id_.load(std::memory_order_relaxed))
      .Int(e.pid)
      .Int(e.ppid)
      .Int(e.tgid)
      .Int(e.is_thread)
      .Text(e.exe)
      .Text(argv)
      .Text(e.cwd)
      .Int(e.ts_ns);
  return StepDone(s);
}

bool SqliteStore::Write(const ProcessExec& e) {
  int64_t run = run_id_.load(std::memory_order_relaxed);
  std::string argv = JsonStringArray(e.argv);
  sqlite3_stmt* s = stmts_.exec_process.get();
  Binder(s).Text(e.exe).Text(argv).Int(run).Int(e.pid);
  if (!StepDone(s)) return false;
  if (sqlite3_changes(db_.get()) > 0) return true;
  // No start was recorded for it: the exec still deserves a row.
  return Write(ProcessStart{e.ts_ns, e.pid, 0, false, e.pid, e.exe, e.argv, ""});
}

bool SqliteStore::Write(const ProcessEnd& e) {
  int64_t run = run_id_.load(std::memory_order_relaxed);
  sqlite3_stmt* s = stmts_.end_process.get();
  Binder(s).Int(e.ts_ns).OptInt(OptInt(e.exit_code)).OptInt(OptInt(e.term_signal)).Int(run).Int(e.pid);
  if (!StepDone(s)) return false;
  if (sqlite3_changes(db_.get()) > 0) return true;
  s = stmts_.insert_orphan_end.get();
  Binder(s).Int(run).Int(e.pid).Int(e.ts_ns).OptInt(OptInt(e.exit_code)).OptInt(OptInt(e.term_signal));
  return StepDone(s);
}

// File, network and syscall events go to the compact calls table
// (store/calls.h), which may hold a file or network part until its
// syscall part comes: its losses are
// counted here, so the event itself always reports success.
bool SqliteStore::Write(const SyscallEvent& e) {
  if (int lost = calls_->Add(e); lost > 0) lost_.fetch_add(lost, std::memory_order_relaxed);
  return true;
}

bool SqliteStore::Write(const FileEvent& e) {
  if (int lost = calls_->Add(e); lost > 0) lost_.fetch_add(lost, std::memory_order_relaxed);
  return true;
}

bool SqliteStore::Write(const ExecEvent& e) {
  std::string argv = JsonStringArray(e.argv);
  // Empty envp means "not recorded" (no --record-env): NULL, not "[]".
  std::string envp = e.envp.empty() ? std::string() : JsonStringArray(e.envp);
  sqlite3_stmt* s = stmts_.insert_exec.get();
  Binder(s)
      .Int(run_id_.load(std::memory_order_relaxed))
      .Int(e.ts_ns)
      .Int(e.pid)
      .Text(e.exe)
      .Text(e.path)
      .Text(argv)
      .TextOrNull(envp)
      .Int(e.argv_truncated)
      .OptInt(e.result)
      .Int(e.err)
      .Text(ActionOrAllow(e.action))
      .TextOrNull(e.rule);
  return StepDone(s);
}

bool SqliteStore::Write(const NetEvent& e) {
  if (int lost = calls_->Add(e); lost > 0) lost_.fetch_add(lost, std::memory_order_relaxed);
  return true;
}

bool SqliteStore::Write(const PolicyEvent& e) {
  sqlite3_stmt* s = stmts_.insert_policy.get();
  Binder(s)
      .Int(run_id_.load(std::memory_order_relaxed))
      .Int(e.ts_ns)
      .Int(e.pid)
      .Text(e.exe)
      .Text(e.abi)
      .Int(e.nr)
      .Text(e.syscall)
      .Text(e.args)
      .Text(e.action)
      .TextOrNull(e.rule)
      .Text(e.mode)
      .Int(e.enforced)
      .Text(e.category)
      .TextOrNull(e.target)
      .OptInt(e.result)
      .Int(e.err);
  return StepDone(s);
}

// One call, whole: no holding and matching of parts.
bool SqliteStore::Write(const CallRecord& c) {
  bool ok = true;
  if (c.behavior) {
    SyscallEvent sys = SyscallPart(c);
    std::optional<FileEvent> file;
    std::optional<NetEvent> net;
    if (c.file) file = FilePart(c);
    if (c.net) net = NetPart(c);
    if (c.exec) ok = Write(ExecPart(c)) && ok;
    if (int lost = calls_->AddCall(&sys, file ? &*file : nullptr, net ? &*net : nullptr); lost > 0)
      lost_.fetch_add(lost, std::memory_order_relaxed);
    if (c.hit) ok = Write(HitPart(c, sys.args)) && ok;
  } else if (c.hit) {
    ok = Write(HitPart(c, c.def ? syscalls::FormatArgs(*c.def, c.args) : std::string())) && ok;
  }
  return ok;
}

bool SqliteStore::Write(const PolicyChange& e) {
  sqlite3_stmt* s = stmts_.insert_policy_change.get();
  Binder(s)
      .Int(run_id_.load(std::memory_order_relaxed))
      .Int(e.ts_ns)
      .Text(e.source)
      .TextOrNull(e.name)
      .Int(e.accepted)
      .TextOrNull(e.message);
  return StepDone(s);
}

// Switches the file to WAL. SQLite answers SQLITE_BUSY at once, without
// its busy handler, while another connection is switching the same fresh
// file (two `warden run`s starting together on a new --db): wait and retry
// as busy_timeout would.
absl::Status SetWal(sqlite3* db) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    absl::Status s = ExecSql(db, "PRAGMA journal_mode=WAL");
    if (s.ok() || sqlite3_errcode(db) != SQLITE_BUSY || Clock::now() >= deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Connection settings and schema; any failure names the file.
absl::StatusOr<DbPtr> OpenDb(const std::string& path) {
  sqlite3* raw = nullptr;
  // NOMUTEX: the connection is only ever used by one thread at a time -- the
  // caller's before the writer starts and after it is joined, the writer's
  // in between -- so SQLite's per-call locking would be pure overhead.
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return OpenError(path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  // WAL: readers (export) never block the writer. NORMAL: no fsync per
  // commit; a power cut may lose the last batches but never corrupts.
  // cache_size (32 MiB, a ceiling) keeps the index pages in memory between
  // batches; checkpointing every 16384 pages (64 MiB) instead of 1000 folds
  // repeated rewrites of the same pages into one; journal_size_limit shrinks
  // the WAL file back after a checkpoint.
  // SQLite opens the file lazily: the first statement is where a bad file
  // shows up, and it only reads. Nothing is written before the checks.
  // A new, empty file is set up without fsyncs (synchronous=OFF until its
  // schema is in: a power cut then loses an empty database, nothing
  // recorded); its creation took 7 fsyncs, tens of milliseconds of every
  // short run on a VM's disk. An existing file is never touched so.
  struct stat st;
  const bool fresh = stat(path.c_str(), &st) != 0 || st.st_size == 0;
  if (auto s = CheckIsWardenDb(db.get(), path); !s.ok()) return s;
  if (auto s = ExecSql(db.get(), fresh ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL");
      !s.ok())
    return TouchError(db.get(), path, s);
  if (auto s = SetWal(db.get()); !s.ok()) return TouchError(db.get(), path, s);
  // temp_store: sorts and temporary indexes in memory, so that a read-only
  // root filesystem with no writable /tmp (a container) is enough.
  for (const char* pragma : {"PRAGMA cache_size=-32768", "PRAGMA wal_autocheckpoint=16384",
                             "PRAGMA journal_size_limit=67108864", "PRAGMA temp_store=MEMORY"})
    if (auto s = ExecSql(db.get(), pragma); !s.ok()) return TouchError(db.get(), path, s);
  if (auto s = ApplySchema(db.get()); !s.ok()) {
    if (absl::IsFailedPrecondition(s))  // a newer schema
      return absl::FailedPreconditionError(fmt::format("'{}': {}", path, std::string(s.message())));
    return TouchError(db.get(), path, s);
  }
  if (fresh)
    if (auto s = ExecSql(db.get(), "PRAGMA synchronous=NORMAL"); !s.ok())
      return TouchError(db.get(), path, s);
  return db;
}

}  // namespace

std::optional<int> Store::OlderSchemaVersion(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbPtr db(raw);
  int version = 0;
  if (rc != SQLITE_OK || !ReadSchemaVersion(db.get(), &version).ok()) return std::nullopt;
  if (version <= 0 || version >= kSchemaVersion) return std::nullopt;
  return version;
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, size_t queue_capacity) {
  if (path.empty()) return absl::InvalidArgumentError("database path is empty");
  auto db = OpenDb(path);
  if (!db.ok()) return db.status();
  Statements stmts;
  if (auto s = PrepareAll(db->get(), stmts); !s.ok()) return OpenError(path, std::string(s.message()));
  auto calls = CallWriter::Prepare(db->get());
  if (!calls.ok()) return OpenError(path, std::string(calls.status().message()));
  return std::unique_ptr<Store>(new SqliteStore(std::move(*db), std::move(stmts), std::move(*calls),
                                                std::max<size_t>(queue_capacity, 1)));
}

}  // namespace warden::store

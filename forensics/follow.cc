#include "forensics/follow.h"

#include <thread>

#include "fmt/format.h"
#include "forensics/event_reader.h"
#include "forensics/export.h"
#include "forensics/read_db.h"
#include "store/run_lock.h"
#include "store/sqlite_util.h"

namespace warden::forensics {
namespace {

// Sleeps `d`, in short steps so that stop() is answered quickly.
bool SleepUnlessStopped(std::chrono::milliseconds d, const std::function<bool()>& stop) {
  const auto end = std::chrono::steady_clock::now() + d;
  for (;;) {
    if (stop && stop()) return false;
    auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left, std::chrono::milliseconds(20)));
  }
}

}  // namespace

absl::Status FollowEvents(const std::string& db_path, const FollowOptions& options,
                          std::ostream& out) {
  EventSelection selection{std::nullopt, std::nullopt, options.kinds.empty() ? ~0u : 0u};
  for (const auto& k : options.kinds) {
    if (!KindBit(k)) return absl::InvalidArgumentError(fmt::format("unknown kind '{}'", k));
    selection.kinds |= KindBit(k);
  }
  auto opened = OpenReadOnly(db_path);
  if (!opened.ok()) return opened.status();
  sqlite3* db = opened->db.get();
  auto run = ResolveRun(db, opened->version, db_path, options.run_id);
  if (!run.ok()) return run.status();
  auto reader = EventReader::Create(
      db, opened->version, run->id, selection,
      options.format == EventsFormat::kText ? EventStyle::kText : EventStyle::kNdjson,
      /*incremental=*/true);
  if (!reader.ok()) return reader.status();
  auto end_stmt = PrepareSql(db, "SELECT end_ns FROM runs WHERE id=?1");
  if (!end_stmt.ok()) return end_stmt.status();
  sqlite3_bind_int64(end_stmt->get(), 1, run->id);

  std::string buf;
  auto flush = [&out](std::string& b) {
    out.write(b.data(), static_cast<std::streamsize>(b.size()));
    b.clear();
    return out ? absl::OkStatus() : OutputError();
  };
  uint64_t written = 0;
  for (;;) {
    // One snapshot per read: the end seen and the rows read agree, so once
    // the end is there, every row of the run is too. A writer found gone
    // before the snapshot has written all it ever will: the run was
    // interrupted (warden killed), and the follow ends with this read.
    const bool interrupted = store::RunWriter(db_path, run->id) == store::Writer::kGone;
    if (auto s = ExecSql(db, "BEGIN"); !s.ok()) return s;
    bool ended = false, gone = false;
    sqlite3_stmt* e = end_stmt->get();
    int rc = sqlite3_step(e);
    if (rc == SQLITE_ROW) ended = !ColumnIsNull(e, 0);
    else if (rc == SQLITE_DONE) gone = true;
    sqlite3_reset(e);
    absl::Status s = rc == SQLITE_ROW || rc == SQLITE_DONE
                         ? (*reader)->Read(buf, flush, &written)
                         : absl::InternalError(sqlite3_errmsg(db));
    ExecSql(db, "COMMIT").IgnoreError();
    if (!s.ok()) return s;
    if (auto f = flush(buf); !f.ok()) return f;
    out.flush();
    if (!out) return OutputError();
    if (gone)
      return absl::NotFoundError(fmt::format("run {} was removed from {}", run->id, db_path));
    if (!options.follow || ended || interrupted) return absl::OkStatus();
    if (!SleepUnlessStopped(options.poll, options.stop)) return absl::OkStatus();
  }
}

}  // namespace warden::forensics

// The rows of one kind of event of one run, in (time, id) order, for the
// merge in DbEvents (db_events.h):
//  - SqlCursor: a query sorted by SQLite (process starts, exec events: an
//    index gives their order; file and network events of files older than
//    schema 4 / 5);
//  - CallsCursor: file or network events of schema 4 / 5 read straight from
//    the calls (and nets) rows of the run's id range, their text from the
//    run's strings (run_strings.h): no lookup per column per row and no
//    sort. Rows come in id order, which is time order but for the calls
//    that finished after a later one started (a blocking accept, calls of
//    several processes); a first pass finds those "late" rows and keeps
//    them, sorted, to merge back in (usually none: a few in any case).
#ifndef WARDEN_LEARN_DB_CURSORS_H_
#define WARDEN_LEARN_DB_CURSORS_H_

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "learn/recorded_event.h"
#include "forensics/run_strings.h"
#include "store/sqlite_util.h"

namespace warden::learn {

// Which run, from when (the run's start: calls hold offsets from it), and
// the window (inclusive, ns since the epoch; open ends as INT64 min / max).
struct RunWindow {
  int64_t run = 0;
  int64_t start_ns = 0;
  int64_t from_ns = 0, to_ns = 0;
};

class EventCursor {
 public:
  virtual ~EventCursor() = default;
  // On the run's first row (has_row false when it has none).
  virtual absl::Status Start(const RunWindow& w) = 0;
  // On the next row.
  virtual absl::Status Next() = 0;
  virtual void Fill(RecordedEvent& e) = 0;
  bool has_row() const { return has_row_; }
  int64_t ts() const { return ts_; }
  int64_t id() const { return id_; }

 protected:
  bool has_row_ = false;
  int64_t ts_ = 0, id_ = 0;
};

// `stmt` selects ts, id, then what `fill` reads, for run ?1 (and, when
// `windowed`, times between ?2 and ?3), in (ts, id) order.
class SqlCursor : public EventCursor {
 public:
  using FillFn = void (*)(sqlite3_stmt*, RecordedEvent&);
  SqlCursor(sqlite3* db, store::StmtPtr stmt, bool windowed, FillFn fill)
      : db_(db), stmt_(std::move(stmt)), windowed_(windowed), fill_(fill) {}
  absl::Status Start(const RunWindow& w) override;
  absl::Status Next() override;
  void Fill(RecordedEvent& e) override { fill_(stmt_.get(), e); }

 private:
  sqlite3* db_;
  store::StmtPtr stmt_;
  bool windowed_;
  FillFn fill_;
};

// `stmt` selects id, ts (offset from the run's start), then the columns
// `fill` reads, all integers (string numbers: 0 for NULL, which no string
// is; other columns that may be NULL coalesced in the SQL), of run ?1 in id
// order (and when `windowed`, offsets between ?2 and ?3).
class CallsCursor : public EventCursor {
 public:
  static constexpr int kMaxColumns = 14;
  using Row = std::array<int64_t, kMaxColumns>;
  using FillFn = void (*)(const Row&, const forensics::RunStrings&, std::string (&bufs)[2], RecordedEvent&);
  CallsCursor(sqlite3* db, store::StmtPtr stmt, bool windowed, const forensics::RunStrings& strings,
              FillFn fill);
  absl::Status Start(const RunWindow& w) override;
  absl::Status Next() override;
  void Fill(RecordedEvent& e) override { fill_(cur_, strings_, bufs_, e); }

 private:
  absl::Status FindLate();
  absl::Status StepMain();
  void Pick();
  void ReadRow(Row& r) const;

  sqlite3* db_;
  store::StmtPtr stmt_;
  bool windowed_;
  const forensics::RunStrings& strings_;
  FillFn fill_;
  int columns_;
  int64_t start_ns_ = 0;
  std::vector<Row> late_;            // sorted by (ts, id)
  std::vector<int64_t> late_ids_;    // ascending
  size_t late_pos_ = 0, late_id_pos_ = 0;
  bool main_has_ = false;            // stmt is on a row not yet taken
  bool cur_is_late_ = false;
  Row cur_{};
  std::string bufs_[2];              // paths put together
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_DB_CURSORS_H_

#include "learn/db_cursors.h"

#include <algorithm>
#include <limits>

#include "fmt/format.h"

namespace warden::learn {
namespace {

absl::Status StepError(sqlite3* db) {
  return absl::InternalError(fmt::format("reading events: {}", sqlite3_errmsg(db)));
}

// w's window as offsets from the run's start, saturated at the open ends.
int64_t Offset(int64_t ts, int64_t start) {
  if (ts == std::numeric_limits<int64_t>::min() || ts == std::numeric_limits<int64_t>::max())
    return ts;
  return ts - start;
}

}  // namespace

absl::Status SqlCursor::Start(const RunWindow& w) {
  sqlite3_stmt* s = stmt_.get();
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, w.run);
  if (windowed_) {
    sqlite3_bind_int64(s, 2, w.from_ns);
    sqlite3_bind_int64(s, 3, w.to_ns);
  }
  return Next();
}

absl::Status SqlCursor::Next() {
  int rc = sqlite3_step(stmt_.get());
  has_row_ = rc == SQLITE_ROW;
  if (has_row_) {
    ts_ = sqlite3_column_int64(stmt_.get(), 0);
    id_ = sqlite3_column_int64(stmt_.get(), 1);
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return StepError(db_);
  return absl::OkStatus();
}

CallsCursor::CallsCursor(sqlite3* db, store::StmtPtr stmt, bool windowed,
                         const forensics::RunStrings& strings, FillFn fill)
    : db_(db), stmt_(std::move(stmt)), windowed_(windowed), strings_(strings), fill_(fill) {
  columns_ = std::min(sqlite3_column_count(stmt_.get()), kMaxColumns);
}

// Integers only (a NULL reads as 0: no string is number 0), one API call
// per column: each takes the connection's mutex.
void CallsCursor::ReadRow(Row& r) const {
  sqlite3_stmt* s = stmt_.get();
  for (int i = 0; i < columns_; ++i) r[static_cast<size_t>(i)] = sqlite3_column_int64(s, i);
}

// First pass: the rows whose time is before that of a row with a smaller id.
absl::Status CallsCursor::FindLate() {
  late_.clear();
  late_ids_.clear();
  sqlite3_stmt* s = stmt_.get();
  int64_t max_ts = std::numeric_limits<int64_t>::min();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const int64_t ts = sqlite3_column_int64(s, 1);
    if (ts >= max_ts) {
      max_ts = ts;
      continue;
    }
    late_.emplace_back();
    ReadRow(late_.back());
    late_ids_.push_back(late_.back()[0]);
  }
  if (rc != SQLITE_DONE) return StepError(db_);
  std::sort(late_.begin(), late_.end(), [](const Row& a, const Row& b) {
    return std::tie(a[1], a[0]) < std::tie(b[1], b[0]);
  });
  sqlite3_reset(s);  // the bindings stay
  return absl::OkStatus();
}

absl::Status CallsCursor::Start(const RunWindow& w) {
  start_ns_ = w.start_ns;
  sqlite3_stmt* s = stmt_.get();
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, w.run);
  if (windowed_) {
    sqlite3_bind_int64(s, 2, Offset(w.from_ns, w.start_ns));
    sqlite3_bind_int64(s, 3, Offset(w.to_ns, w.start_ns));
  }
  if (auto st = FindLate(); !st.ok()) return st;
  late_pos_ = late_id_pos_ = 0;
  if (auto st = StepMain(); !st.ok()) return st;
  Pick();
  return absl::OkStatus();
}

// The statement onto its next row that is not a late one.
absl::Status CallsCursor::StepMain() {
  sqlite3_stmt* s = stmt_.get();
  for (;;) {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
      main_has_ = false;
      return absl::OkStatus();
    }
    if (rc != SQLITE_ROW) return StepError(db_);
    const int64_t id = sqlite3_column_int64(s, 0);
    if (late_id_pos_ < late_ids_.size() && late_ids_[late_id_pos_] == id) {
      ++late_id_pos_;
      continue;
    }
    main_has_ = true;
    return absl::OkStatus();
  }
}

// The current row: the earlier of the statement's and the next late one.
void CallsCursor::Pick() {
  sqlite3_stmt* s = stmt_.get();
  const bool late = late_pos_ < late_.size();
  has_row_ = main_has_ || late;
  if (!has_row_) return;
  cur_is_late_ = late && (!main_has_ || std::tie(late_[late_pos_][1], late_[late_pos_][0]) <
                                            std::make_tuple(sqlite3_column_int64(s, 1),
                                                            sqlite3_column_int64(s, 0)));
  if (cur_is_late_) cur_ = late_[late_pos_];
  else ReadRow(cur_);
  id_ = cur_[0];
  ts_ = start_ns_ + cur_[1];
}

absl::Status CallsCursor::Next() {
  if (cur_is_late_) {
    ++late_pos_;
  } else if (auto st = StepMain(); !st.ok()) {
    return st;
  }
  Pick();
  return absl::OkStatus();
}

}  // namespace warden::learn

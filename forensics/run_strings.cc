#include "forensics/run_strings.h"

#include "fmt/format.h"
#include "forensics/read_db.h"
#include "store/calls.h"

namespace warden::forensics {

absl::Status RunStrings::Load(sqlite3* db, sqlite3_stmt* select, int64_t run) {
  text_.clear();
  rows_.clear();
  sqlite3_reset(select);
  sqlite3_bind_int64(select, 1, run);
  int rc;
  while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
    const int64_t n = sqlite3_column_int64(select, 0);
    if (n < 0 || n > (int64_t{1} << 32)) continue;
    if (static_cast<size_t>(n) >= rows_.size()) rows_.resize(static_cast<size_t>(n) + 1);
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(select, 1));
    const int size = sqlite3_column_bytes(select, 1);
    Row& r = rows_[static_cast<size_t>(n)];
    r.offset = text_.size();
    r.size = static_cast<uint32_t>(size);
    r.dir = sqlite3_column_type(select, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(select, 2);
    if (p) text_.append(p, static_cast<size_t>(size));
  }
  if (rc != SQLITE_DONE)
    return absl::InternalError(fmt::format("reading the strings of run {}: {}", run, sqlite3_errmsg(db)));
  return absl::OkStatus();
}

absl::Status RunStrings::Load(sqlite3* db, int64_t run) {
  auto stmt = Prepare(db, fmt::format("SELECT id & {}, text, dir FROM strings WHERE {}",
                                      (int64_t{1} << store::kRunShift) - 1, RunRows(4, "strings")));
  if (!stmt.ok()) return stmt.status();
  return Load(db, stmt->get(), run);
}

std::string_view RunStrings::Text(int64_t n) const {
  if (n < 0 || static_cast<size_t>(n) >= rows_.size()) return {};
  const Row& r = rows_[static_cast<size_t>(n)];
  return std::string_view(text_).substr(r.offset, r.size);
}

std::string_view RunStrings::Path(int64_t n, std::string& buf) const {
  if (n < 0 || static_cast<size_t>(n) >= rows_.size()) return {};
  const Row& r = rows_[static_cast<size_t>(n)];
  if (r.dir < 0) return Text(n);
  buf.assign(Text(r.dir));
  buf += '/';
  buf += Text(n);
  return buf;
}

}  // namespace warden::forensics

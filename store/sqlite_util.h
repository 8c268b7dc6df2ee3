// Small RAII and column helpers over the SQLite C API, shared by the writer
// (sqlite_store.cc) and the reader (export.cc). Internal to store/.
#ifndef WARDEN_STORE_SQLITE_UTIL_H_
#define WARDEN_STORE_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace warden::store {

struct DbCloser {
  // close_v2: safe even if a statement outlives the handle by mistake.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

inline absl::Status ExecSql(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return absl::OkStatus();
  std::string msg = err ? err : sqlite3_errmsg(db);
  sqlite3_free(err);
  return absl::InternalError(msg);
}

inline absl::StatusOr<StmtPtr> PrepareSql(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  // PERSISTENT: these statements are reused for the whole run.
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &raw, nullptr) != SQLITE_OK)
    return absl::InternalError(sqlite3_errmsg(db));
  return StmtPtr(raw);
}

// Binds parameters left to right, so call sites read like the column list.
class Binder {
 public:
  explicit Binder(sqlite3_stmt* s) : s_(s) {}
  Binder& Int(int64_t v) { sqlite3_bind_int64(s_, i_++, v); return *this; }
  Binder& Null() { sqlite3_bind_null(s_, i_++); return *this; }
  // SQLITE_STATIC: the caller keeps `v` alive until Step() returns, and Step()
  // clears the bindings so no pointer outlives that.
  Binder& Text(std::string_view v) {
    sqlite3_bind_text(s_, i_++, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Binder& TextOrNull(std::string_view v) { return v.empty() ? Null() : Text(v); }
  Binder& OptInt(std::optional<int64_t> v) { return v ? Int(*v) : Null(); }

 private:
  sqlite3_stmt* s_;
  int i_ = 1;
};

// Runs a statement that returns no rows and readies it for reuse.
inline bool StepDone(sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE;
}

inline bool ColumnIsNull(sqlite3_stmt* s, int i) {
  return sqlite3_column_type(s, i) == SQLITE_NULL;
}

inline std::string_view ColumnText(sqlite3_stmt* s, int i) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  if (!p) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(s, i))};
}

inline std::optional<int64_t> ColumnOptInt(sqlite3_stmt* s, int i) {
  if (ColumnIsNull(s, i)) return std::nullopt;
  return sqlite3_column_int64(s, i);
}

}  // namespace warden::store

#endif  // WARDEN_STORE_SQLITE_UTIL_H_

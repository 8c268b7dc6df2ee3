// A PostgreSQL connection through libpq, as fleet/ uses it: connect with a
// message that says what went wrong and how to fix it (never the password),
// run SQL with text parameters, read results, and COPY rows in. One
// connection per thread; nothing here retries (the shipper decides).
#ifndef WARDEN_FLEET_PG_H_
#define WARDEN_FLEET_PG_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace warden::fleet {

// The URL with its password replaced by "***", for messages.
std::string RedactUrl(std::string_view url);

// A query's rows, as text (nullopt for NULL).
class PgResult {
 public:
  explicit PgResult(PGresult* r);
  ~PgResult();
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult(const PgResult&) = delete;
  int rows() const;
  std::optional<std::string_view> Get(int row, int col) const;
  std::string_view Text(int row, int col) const;  // "" for NULL
  int64_t Int(int row, int col) const;            // 0 for NULL
  bool IsNull(int row, int col) const;

 private:
  PGresult* r_;
};

class PgConn {
 public:
  // Unavailable: the server cannot be reached; PermissionDenied: it refused
  // the user or password; InvalidArgument: the URL is not one libpq reads.
  static absl::StatusOr<std::unique_ptr<PgConn>> Connect(const std::string& url);
  ~PgConn();

  // Statements without rows (several separated by ';' when no params).
  absl::Status Exec(std::string_view sql);
  // One statement; params as text, nullopt for NULL.
  absl::StatusOr<PgResult> Query(std::string_view sql,
                                 const std::vector<std::optional<std::string>>& params = {});
  // COPY ... FROM STDIN (text format): `data` is whole lines.
  absl::Status Copy(std::string_view copy_sql, std::string_view data);
  // The server still answers (false after it went away).
  bool Ok() const;
  PGconn* raw() { return conn_; }

 private:
  explicit PgConn(PGconn* c) : conn_(c) {}
  absl::Status Error(std::string_view what) const;
  PGconn* conn_;
};

// COPY text format: a field with \, tab, newline and carriage return
// escaped, and bytes that are not UTF-8 written as \\xNN (so that any path
// a program used fits a UTF-8 database; warden-fleet(7), TEXT).
void AppendCopyText(std::string& out, std::string_view field);
// The same mapping for a query parameter (no COPY escapes): bytes that are
// not UTF-8 become \xNN, or U+FFFD inside JSON (`json`), where a backslash
// would be an escape.
std::string ValidUtf8(std::string_view s, bool json = false);
inline constexpr std::string_view kCopyNull = "\\N";

// Escapes `s` as a SQL string literal ('...'), for DDL that cannot take
// parameters.
std::string SqlLiteral(std::string_view s);

}  // namespace warden::fleet

#endif  // WARDEN_FLEET_PG_H_

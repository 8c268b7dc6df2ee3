#include "fleet/pg.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

#include "fmt/format.h"

namespace warden::fleet {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) n = 2, min = 0x80;
  else if ((c & 0xf0) == 0xe0) n = 3, min = 0x800;
  else if ((c & 0xf8) == 0xf0) n = 4, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

std::string Trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  // postgresql://user:password@host...: the part between ':' and '@'.
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t at = url.find('@', scheme + 3);
  if (at == std::string_view::npos) return std::string(url);
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return fmt::format("{}:***{}", url.substr(0, colon), url.substr(at));
}

PgResult::PgResult(PGresult* r) : r_(r) {}
PgResult::~PgResult() {
  if (r_) PQclear(r_);
}
int PgResult::rows() const { return PQntuples(r_); }
bool PgResult::IsNull(int row, int col) const { return PQgetisnull(r_, row, col); }
std::optional<std::string_view> PgResult::Get(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string_view(PQgetvalue(r_, row, col), PQgetlength(r_, row, col));
}
std::string_view PgResult::Text(int row, int col) const { return Get(row, col).value_or(""); }
int64_t PgResult::Int(int row, int col) const {
  std::string_view t = Text(row, col);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

absl::StatusOr<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& url) {
  const std::string shown = RedactUrl(url);
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &err);
  if (parsed == nullptr) {
    std::string why = Trimmed(err);
    if (err) PQfreemem(err);
    return absl::InvalidArgumentError(fmt::format(
        "'{}' is not a PostgreSQL connection string ({}); write postgresql://USER:PASSWORD@HOST:PORT/DB",
        shown, why));
  }
  PQconninfoFree(parsed);
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) == CONNECTION_OK) {
    // NOTICEs (IF NOT EXISTS skipping, ...) are not for warden's users.
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    auto conn = std::unique_ptr<PgConn>(new PgConn(c));
    // Ship and read in UTC and UTF-8 whatever the server's defaults.
    if (auto s = conn->Exec("SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'"); !s.ok()) return s;
    return conn;
  }
  std::string why = Trimmed(PQerrorMessage(c));
  PQfinish(c);
  if (why.find("password authentication failed") != std::string::npos ||
      why.find("no password supplied") != std::string::npos ||
      why.find("authentication failed") != std::string::npos)
    return absl::PermissionDeniedError(fmt::format(
        "PostgreSQL at '{}' refused the login: {}; check the user and password in the URL", shown, why));
  if (why.find("does not exist") != std::string::npos)
    return absl::NotFoundError(fmt::format("PostgreSQL at '{}': {}; create it first (createdb)", shown, why));
  return absl::UnavailableError(fmt::format(
      "cannot reach PostgreSQL at '{}': {}; check the host and port, and that the server is running",
      shown, why));
}

PgConn::~PgConn() {
  if (conn_) PQfinish(conn_);
}

bool PgConn::Ok() const { return PQstatus(conn_) == CONNECTION_OK; }

absl::Status PgConn::Error(std::string_view what) const {
  std::string why = Trimmed(PQerrorMessage(conn_));
  if (!Ok())
    return absl::UnavailableError(fmt::format("the PostgreSQL server went away ({}): {}", what, why));
  return absl::InternalError(fmt::format("PostgreSQL ({}): {}", what, why));
}

absl::Status PgConn::Exec(std::string_view sql) {
  // PQexec runs every statement of `sql`; its result is the last one's, or
  // the error that stopped it.
  PGresult* r = PQexec(conn_, std::string(sql).c_str());
  const ExecStatusType st = PQresultStatus(r);
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error(sql.substr(0, 60));
  return absl::OkStatus();
}

absl::StatusOr<PgResult> PgConn::Query(std::string_view sql,
                                       const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* r = PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(values.size()),
                             nullptr, values.data(), nullptr, nullptr, 0);
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string head(sql.substr(0, 60));
    PQclear(r);
    return Error(head);
  }
  return PgResult(r);
}

absl::Status PgConn::Copy(std::string_view copy_sql, std::string_view data) {
  PGresult* r = PQexec(conn_, std::string(copy_sql).c_str());
  const bool in = PQresultStatus(r) == PGRES_COPY_IN;
  PQclear(r);
  if (!in) return Error("COPY");
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1 ||
      PQputCopyEnd(conn_, nullptr) != 1)
    return Error("COPY data");
  absl::Status s = absl::OkStatus();
  while ((r = PQgetResult(conn_)) != nullptr) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && s.ok()) s = Error("COPY");
    PQclear(r);
  }
  return s;
}

void AppendCopyText(std::string& out, std::string_view field) {
  // Runs of plain ASCII are copied whole; only the rest is looked at.
  size_t i = 0;
  while (i < field.size()) {
    size_t j = i;
    while (j < field.size()) {
      const auto c = static_cast<unsigned char>(field[j]);
      if (c >= 0x80 || c == '\\' || c == '\t' || c == '\n' || c == '\r') break;
      ++j;
    }
    out.append(field.data() + i, j - i);
    if (j == field.size()) return;
    i = j;
    const char c = field[i];
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    const size_t n = Utf8Length(field, i);
    if (n == 0) {  // a literal backslash, then xNN
      out += fmt::format("\\\\x{:02x}", static_cast<unsigned char>(c));
      ++i;
      continue;
    }
    out.append(field.data() + i, n);
    i += n;
  }
}

std::string ValidUtf8(std::string_view s, bool json) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += json ? "\xef\xbf\xbd" : fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    out.append(s.data() + i, n);
    i += n;
  }
  return out;
}

std::string SqlLiteral(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace warden::fleet

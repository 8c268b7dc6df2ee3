#include "harden/observed.h"

#include <algorithm>
#include <map>
#include <set>

#include "fmt/format.h"
#include "forensics/read_db.h"
#include "store/sqlite_util.h"

namespace warden::harden {

std::string ToRootPath(const std::string& path, const std::string& root) {
  if (path.empty() || path[0] != '/') return "";
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (r == "/") return path;
  if (path == r) return "/";
  if (path.starts_with(r + "/")) return path.substr(r.size());
  return path;
}

namespace {

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

absl::StatusOr<Observed> ReadObserved(const std::string& db, const std::vector<int64_t>& runs,
                                      const std::string& root, bool every_listing) {
  auto rd = forensics::OpenReadOnly(db);
  if (!rd.ok()) return rd.status();
  std::vector<int64_t> ids = runs;
  if (ids.empty()) {
    auto last = forensics::ResolveRun(*rd, std::nullopt);
    if (!last.ok()) return last.status();
    ids.push_back(last->id);
  } else {
    for (int64_t id : ids)
      if (auto r = forensics::ResolveRun(*rd, id); !r.ok()) return r.status();
  }
  std::set<std::string> seen, listed;
  const std::string named = rd->version >= 6 ? "named" : "NULL";
  for (int64_t id : ids) {
    // Per process: the directories it listed, and the directories of the
    // other paths it used (looked up or opened inside them).
    std::map<int64_t, std::set<std::string>> lists, looked_in;
    for (const std::string& sql :
         {fmt::format("SELECT path, {}, path2, flags LIKE '%O_DIRECTORY%' AND result >= 0, pid "
                      "FROM file_events WHERE {}", named,
                      forensics::RunRows(rd->version, "file_events")),
          fmt::format("SELECT path, NULL, NULL, 0, pid FROM exec_events WHERE run_id = ?1")}) {
      auto st = forensics::Prepare(rd->db.get(), sql);
      if (!st.ok()) return st.status();
      sqlite3_bind_int64(st->get(), 1, id);
      absl::Status s = forensics::ForEachRow(rd->db.get(), st->get(), [&](sqlite3_stmt* row) {
        const int64_t pid = sqlite3_column_int64(row, 4);
        for (int col = 0; col < 3; ++col)
          if (std::string p = ToRootPath(std::string(store::ColumnText(row, col)), root); !p.empty()) {
            looked_in[pid].insert(Parent(p));
            seen.insert(std::move(p));
          }
        if (sqlite3_column_int(row, 3) != 0)
          if (std::string p = ToRootPath(std::string(store::ColumnText(row, 0)), root); !p.empty())
            lists[pid].insert(std::move(p));
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    for (const auto& [pid, dirs] : lists)
      for (const std::string& dir : dirs)
        if (every_listing || !looked_in[pid].contains(dir)) listed.insert(dir);
  }
  return Observed{{seen.begin(), seen.end()}, {listed.begin(), listed.end()}};
}

}  // namespace warden::harden

#include "harden/check.h"

#include <errno.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "fmt/format.h"
#include "forensics/read_db.h"
#include "harden/lib_search.h"
#include "harden/observed.h"
#include "store/json.h"
#include "store/sqlite_util.h"
#include "syscalls/decode.h"

namespace warden::harden {
namespace {

// One row of a run's file lookups: the file found (or not), the name the
// program used, the program.
using RowFn = std::function<void(const std::string& path, const std::string& named,
                                 const std::string& exe)>;

// Every file and exec event of `run` whose errno is `err` (0: it
// succeeded).
absl::Status ForEachLookup(const forensics::ReadDb& rd, int64_t run, int err, const RowFn& fn) {
  const std::string named = rd.version >= 6 ? "named" : "NULL";
  for (const std::string& sql :
       {fmt::format("SELECT path, {}, exe FROM file_events WHERE {} AND errno = ?2", named,
                    forensics::RunRows(rd.version, "file_events")),
        std::string("SELECT path, NULL, exe FROM exec_events WHERE run_id = ?1 AND errno = ?2")}) {
    auto st = forensics::Prepare(rd.db.get(), sql);
    if (!st.ok()) return st.status();
    sqlite3_bind_int64(st->get(), 1, run);
    sqlite3_bind_int(st->get(), 2, err);
    absl::Status s = forensics::ForEachRow(rd.db.get(), st->get(), [&](sqlite3_stmt* row) {
      fn(std::string(store::ColumnText(row, 0)), std::string(store::ColumnText(row, 1)),
         std::string(store::ColumnText(row, 2)));
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

RunStatus StatusOf(const forensics::RunSummary& r) { return {r.id, r.exit_code, r.exit_signal}; }

// What the original runs found, as root paths of the source root.
absl::StatusOr<std::set<std::string>> FoundBefore(const CheckInput& in, RunStatus* status) {
  auto rd = forensics::OpenReadOnly(in.original_db);
  if (!rd.ok()) return rd.status();
  std::vector<int64_t> ids = in.runs;
  if (ids.empty()) ids.push_back(0);
  std::set<std::string> found;
  for (int64_t id : ids) {
    auto run = forensics::ResolveRun(*rd, id == 0 ? std::nullopt : std::optional<int64_t>(id));
    if (!run.ok()) return run.status();
    *status = StatusOf(*run);  // the last run given is the one compared
    absl::Status s = ForEachLookup(*rd, run->id, 0, [&](const std::string& path, const std::string& named,
                                                        const std::string&) {
      for (const std::string* p : {&path, &named})
        if (std::string r = ToRootPath(*p, in.run_root); !r.empty()) found.insert(std::move(r));
    });
    if (!s.ok()) return s;
  }
  return found;
}

// Entries of DIR (a root path) in the source root that OUT does not have.
uint64_t MissingEntries(const std::string& source, const std::string& out, const std::string& dir) {
  auto in_source = InRoot(source, dir), in_out = InRoot(out, dir);
  if (!in_source || !in_out) return 0;
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(*in_source, ec)) {
    struct stat st;
    if (lstat((*in_out + "/" + e.path().filename().string()).c_str(), &st) != 0) ++n;
  }
  return n;
}

std::string Because(const MissingFile& m) {
  if (m.found_before && m.in_source) return "found by the original run";
  return m.found_before ? "found by the original run (not in the source root)" : "in the source root";
}

}  // namespace

std::string RunStatus::Text() const {
  if (exit_signal) return fmt::format("signal {} ({})", *exit_signal, syscalls::SignalName(*exit_signal));
  if (exit_code) return fmt::format("exit {}", *exit_code);
  return "did not end";
}

absl::StatusOr<CheckReport> CompareCheck(const CheckInput& in) {
  CheckReport r;
  r.out = in.out;
  auto found = FoundBefore(in, &r.original);
  if (!found.ok()) return found.status();
  auto rd = forensics::OpenReadOnly(in.check_db);
  if (!rd.ok()) return rd.status();
  auto run = forensics::ResolveRun(*rd, std::nullopt);
  if (!run.ok()) return run.status();
  r.hardened = StatusOf(*run);
  std::map<std::string, MissingFile> missing;
  const std::string prefix = in.out == "/" ? "" : in.out;
  absl::Status s = ForEachLookup(*rd, run->id, ENOENT, [&](const std::string& path, const std::string&,
                                                           const std::string& exe) {
    // Only lookups inside the hardened tree: the check's own launcher
    // (chroot, unshare) runs from the host before it enters the tree.
    if (!path.starts_with(prefix + "/")) return;
    const std::string p = path.substr(prefix.size());
    if (missing.contains(p)) return;
    MissingFile m{p, ToRootPath(exe, in.out), found->contains(p),
                  !in.source_root.empty() && InRoot(in.source_root, p).has_value()};
    if (m.found_before || m.in_source) missing.emplace(p, std::move(m));
  });
  if (!s.ok()) return s;
  for (auto& [path, m] : missing) r.missing.push_back(std::move(m));
  if (!in.source_root.empty()) {
    auto listed = ReadObserved(in.check_db, {run->id}, in.out, /*every_listing=*/true);
    if (!listed.ok()) return listed.status();
    for (const std::string& dir : listed->listed)
      if (uint64_t n = MissingEntries(in.source_root, in.out, dir); n > 0) r.thinned.push_back({dir, n});
  }
  return r;
}

std::string CheckText(const CheckReport& r) {
  std::string s = fmt::format("warden harden --check: {}\n", r.out);
  s += fmt::format("exit status: original run {}: {}; in the hardened tree (run {}): {}{}\n", r.original.run,
                   r.original.Text(), r.hardened.run, r.hardened.Text(),
                   r.original == r.hardened ? "" : "  DIFFERENT");
  if (r.missing.empty()) {
    s += "missing: none (no file the check looked for was dropped)\n";
  } else {
    s += fmt::format("missing in the hardened tree ({}): looked for and not found, but\n", r.missing.size());
    for (const MissingFile& m : r.missing)
      s += fmt::format("  {}  {}{}\n", m.path, Because(m), m.program.empty() ? "" : "; by " + m.program);
    s += "add them to the keep file (--keep), or keep their directories (--keep-dir-of)\n";
  }
  if (!r.thinned.empty() && !r.Same()) {
    s += fmt::format("listed by the check, with entries of the source dropped ({}): a program that finds\n"
                     "files in a listing (python's imports) looks up no missing name; keep what it needs,\n"
                     "or the directory with --keep-dir-of\n", r.thinned.size());
    for (const ThinnedDir& t : r.thinned) s += fmt::format("  {}  {} dropped\n", t.path, t.dropped);
  }
  s += r.Same() ? "same: yes\n" : "same: no\n";
  return s;
}

std::string CheckJson(const CheckReport& r) {
  auto status = [](const RunStatus& st) {
    return fmt::format(R"({{"run":{},"exit_code":{},"exit_signal":{}}})", st.run,
                       st.exit_code ? std::to_string(*st.exit_code) : "null",
                       st.exit_signal ? std::to_string(*st.exit_signal) : "null");
  };
  std::string s = fmt::format(R"({{"out":{},"same":{},"original":{},"hardened":{},"missing":[)",
                              store::JsonQuote(r.out), r.Same() ? "true" : "false", status(r.original),
                              status(r.hardened));
  for (size_t i = 0; i < r.missing.size(); ++i) {
    const MissingFile& m = r.missing[i];
    s += fmt::format(R"({}{{"path":{},"program":{},"found_before":{},"in_source":{}}})", i ? "," : "",
                     store::JsonQuote(m.path), m.program.empty() ? "null" : store::JsonQuote(m.program),
                     m.found_before ? "true" : "false", m.in_source ? "true" : "false");
  }
  s += R"(],"thinned":[)";
  for (size_t i = 0; i < r.thinned.size(); ++i)
    s += fmt::format(R"({}{{"path":{},"dropped":{}}})", i ? "," : "", store::JsonQuote(r.thinned[i].path),
                     r.thinned[i].dropped);
  return s + "]}\n";
}

}  // namespace warden::harden

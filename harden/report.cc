#include "harden/report.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>

#include "fmt/format.h"
#include "harden/tree_walk.h"
#include "store/json.h"

namespace warden::harden {
namespace {

std::string Percent(uint64_t after, uint64_t before) {
  if (before == 0) return "-";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(after) / static_cast<double>(before));
}

}  // namespace

Report MakeReport(const std::string& root, const std::string& out, const Plan& plan, bool dry_run) {
  Report r;
  r.root = root;
  r.out = out;
  r.dry_run = dry_run;
  r.missing = plan.missing;
  std::set<std::pair<dev_t, ino_t>> kept_inodes;
  for (const auto& [path, k] : plan.kept) {
    struct stat st;
    if (lstat((root + path).c_str(), &st) != 0) continue;
    r.kept.push_back({path, std::string(WhyName(k.why)), k.from, S_ISDIR(st.st_mode) ? 0u : static_cast<uint64_t>(st.st_size)});
    if (S_ISDIR(st.st_mode)) ++r.after.dirs;
    else if (S_ISLNK(st.st_mode)) ++r.after.links;
    else if (S_ISREG(st.st_mode) && kept_inodes.emplace(st.st_dev, st.st_ino).second)
      ++r.after.files, r.after.bytes += st.st_size;
    else if (S_ISREG(st.st_mode)) ++r.after.hard_links;
    else ++r.after.others;
  }
  WalkTree(root, [&](const std::string& path, const struct stat& st) {
    if (!S_ISDIR(st.st_mode) && !plan.kept.contains(path))
      r.dropped.push_back({path, "", "", static_cast<uint64_t>(st.st_size)});
  });
  r.before = MeasureTree(root);
  return r;
}

std::string ReportText(const Report& r) {
  std::string s = fmt::format("warden harden: {} -> {}{}\n", r.root, r.out,
                              r.dry_run ? " (dry run: nothing written)" : "");
  s += fmt::format("files: {} of {} kept ({}); bytes: {} of {} ({}); symlinks: {}; dirs: {}\n",
                   r.after.files, r.before.files, Percent(r.after.files, r.before.files),
                   r.after.bytes, r.before.bytes, Percent(r.after.bytes, r.before.bytes),
                   r.after.links, r.after.dirs);
  s += fmt::format("kept ({}):\n", r.kept.size());
  for (const auto& e : r.kept)
    s += fmt::format("  {}  {}{}  {}\n", e.path, e.why, e.from.empty() ? "" : " of " + e.from, e.size);
  s += fmt::format("dropped ({}):\n", r.dropped.size());
  for (const auto& e : r.dropped) s += fmt::format("  {}  {}\n", e.path, e.size);
  if (!r.missing.empty()) {
    s += fmt::format("missing ({}):\n", r.missing.size());
    for (const auto& m : r.missing) s += "  " + m + "\n";
  }
  return s;
}

std::string ReportJson(const Report& r) {
  auto counts = [](const CopyStats& c) {
    return fmt::format(R"({{"files":{},"bytes":{},"symlinks":{},"dirs":{},"hard_links":{}}})",
                       c.files, c.bytes, c.links, c.dirs, c.hard_links);
  };
  std::string s = fmt::format(R"({{"root":{},"out":{},"dry_run":{},"before":{},"after":{},"kept":[)",
                              store::JsonQuote(r.root), store::JsonQuote(r.out),
                              r.dry_run ? "true" : "false", counts(r.before), counts(r.after));
  for (size_t i = 0; i < r.kept.size(); ++i) {
    const auto& e = r.kept[i];
    s += fmt::format(R"({}{{"path":{},"why":{},"from":{},"size":{}}})", i ? "," : "",
                     store::JsonQuote(e.path), store::JsonQuote(e.why),
                     e.from.empty() ? "null" : store::JsonQuote(e.from), e.size);
  }
  s += R"(],"dropped":[)";
  for (size_t i = 0; i < r.dropped.size(); ++i)
    s += fmt::format(R"({}{{"path":{},"size":{}}})", i ? "," : "",
                     store::JsonQuote(r.dropped[i].path), r.dropped[i].size);
  s += R"(],"missing":)" + store::JsonStringArray(r.missing) + "}\n";
  return s;
}

}  // namespace warden::harden

#include "report/timeline.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "fmt/format.h"
#include "forensics/output.h"
#include "syscalls/decode.h"

namespace warden::report {
namespace {

constexpr size_t kMaxCommand = 160;  // characters of a command shown

// The processes as a forest: children[i] in start order, roots apart.
struct Forest {
  std::vector<std::vector<size_t>> children;
  std::vector<size_t> roots;
  std::vector<int64_t> subtree;  // rows (processes, not threads) under and at i
};

// The parent rule of `warden query tree`: the latest process with the pid
// a child's ppid names; a thread's children hang under its process.
Forest Link(const std::vector<ProcessSpan>& procs) {
  Forest f;
  f.children.resize(procs.size());
  f.subtree.assign(procs.size(), 0);
  std::vector<std::optional<size_t>> parent(procs.size());
  std::unordered_map<int64_t, size_t> latest;
  for (size_t i = 0; i < procs.size(); ++i) {
    const ProcessSpan& p = procs[i];
    std::optional<size_t> up;
    if (p.ppid)
      if (auto it = latest.find(*p.ppid); it != latest.end()) up = it->second;
    while (up && procs[*up].thread) {
      const ProcessSpan& t = procs[*up];
      auto it = t.tgid && *t.tgid != t.pid ? latest.find(*t.tgid) : latest.end();
      up = it != latest.end() && it->second != *up ? std::optional<size_t>(it->second) : std::nullopt;
    }
    if (up && *up != i) parent[i] = up;
    latest[p.pid] = i;
  }
  for (size_t i = 0; i < procs.size(); ++i) {
    if (procs[i].thread) continue;
    if (parent[i]) f.children[*parent[i]].push_back(i);
    else f.roots.push_back(i);
  }
  // Parents come before their children in start order.
  for (size_t i = procs.size(); i-- > 0;) {
    if (!procs[i].thread) f.subtree[i] += 1;
    if (parent[i]) f.subtree[*parent[i]] += f.subtree[i];
  }
  return f;
}

std::string Command(const ProcessSpan& p) {
  std::string words = forensics::PrintableText(forensics::ArgvWords(p.argv_json));
  if (words.size() > kMaxCommand) words = words.substr(0, kMaxCommand - 3) + "...";
  return words;
}

struct Span {
  int64_t start, end;
  bool ended;
};

Span SpanOf(const ProcessSpan& p, int64_t run_end) {
  const int64_t start = p.start_ns.value_or(p.end_ns.value_or(0));
  return {start, std::max(start, p.end_ns.value_or(run_end)), p.end_ns.has_value()};
}

Outcome OutcomeOf(const ProcessSpan& p) {
  if (p.signal) return Outcome::kKilled;
  if (p.exit_code) return *p.exit_code == 0 ? Outcome::kOk : Outcome::kFailed;
  return Outcome::kUnknown;
}

std::string StatusOf(const ProcessSpan& p, bool run_finished) {
  if (p.signal) return fmt::format("killed by {}", syscalls::SignalName(static_cast<int>(*p.signal)));
  if (p.exit_code) return fmt::format("exit {}", *p.exit_code);
  if (p.end_ns) return "ended";
  return run_finished ? "unknown" : "running";
}

TimelineRow ProcessRow(const ProcessSpan& p, int depth, int64_t run_end, bool run_finished) {
  const Span s = SpanOf(p, run_end);
  TimelineRow r;
  r.depth = depth;
  r.pid = p.pid;
  r.ppid = p.ppid;
  r.exe = p.exe;
  r.command = Command(p);
  r.start_ns = s.start;
  r.end_ns = s.end;
  r.ended = s.ended;
  r.status = StatusOf(p, run_finished);
  r.outcome = OutcomeOf(p);
  r.failed = r.outcome == Outcome::kFailed || r.outcome == Outcome::kKilled ? 1 : 0;
  return r;
}

struct Context {
  const std::vector<ProcessSpan>& procs;
  const Forest& forest;
  int64_t run_end, bin_ns;
  bool run_finished;
  int bins;
};

// A row for `members` (processes that ran one program under one parent row).
TimelineRow GroupRow(const Context& c, const std::vector<size_t>& members, int depth) {
  if (members.size() == 1) return ProcessRow(c.procs[members[0]], depth, c.run_end, c.run_finished);
  TimelineRow r;
  r.depth = depth;
  r.count = static_cast<int64_t>(members.size());
  const ProcessSpan& first = c.procs[members[0]];
  r.pid = first.pid;
  r.ppid = first.ppid;
  r.exe = first.exe;
  r.command = Command(first);
  r.start_ns = SpanOf(first, c.run_end).start;
  std::vector<int32_t> diff(static_cast<size_t>(c.bins) + 1, 0);
  bool all_ok = true;
  for (size_t i : members) {
    const Span s = SpanOf(c.procs[i], c.run_end);
    r.start_ns = std::min(r.start_ns, s.start);
    r.end_ns = std::max(r.end_ns, s.end);
    r.ended = r.ended && s.ended;
    const Outcome o = OutcomeOf(c.procs[i]);
    if (o == Outcome::kFailed || o == Outcome::kKilled) ++r.failed;
    all_ok = all_ok && o == Outcome::kOk;
    const int64_t last = c.bins - 1;
    const int64_t b0 = std::clamp<int64_t>(s.start / c.bin_ns, 0, last);
    const int64_t b1 = std::clamp<int64_t>(s.end / c.bin_ns, b0, last);
    ++diff[static_cast<size_t>(b0)];
    --diff[static_cast<size_t>(b1 + 1)];
  }
  r.busy.resize(static_cast<size_t>(c.bins));
  int32_t running = 0;
  for (int b = 0; b < c.bins; ++b) r.busy[static_cast<size_t>(b)] = running += diff[static_cast<size_t>(b)];
  r.outcome = r.failed > 0 ? Outcome::kFailed : all_ok ? Outcome::kOk : Outcome::kUnknown;
  r.status = r.failed > 0 ? fmt::format("{} of {} failed", r.failed, r.count) : all_ok ? "all exit 0" : "some unknown";
  return r;
}

// The children of `members`, grouped by program, groups in the order
// their first process started.
std::vector<std::vector<size_t>> ChildGroups(const Context& c, const std::vector<size_t>& members) {
  std::vector<size_t> kids;
  for (size_t m : members) kids.insert(kids.end(), c.forest.children[m].begin(), c.forest.children[m].end());
  std::sort(kids.begin(), kids.end());  // index order is start order
  std::vector<std::vector<size_t>> groups;
  std::unordered_map<std::string, size_t> by_exe;
  for (size_t k : kids) {
    auto [it, added] = by_exe.emplace(c.procs[k].exe, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(k);
  }
  return groups;
}

}  // namespace

Timeline BuildTimeline(const std::vector<ProcessSpan>& procs, int64_t run_end_ns, bool run_finished,
                       int64_t bin_ns, int bins, size_t max_rows) {
  const Forest forest = Link(procs);
  Context c{procs, forest, run_end_ns, std::max<int64_t>(bin_ns, 1), run_finished, std::max(bins, 1)};
  int64_t total = 0;
  for (size_t r : forest.roots) total += forest.subtree[r];
  Timeline t;
  t.grouped = static_cast<size_t>(total) > max_rows;
  // Depth first with an explicit stack (a long chain of shells must not
  // overflow ours): each entry a process, or a group of them.
  std::vector<std::pair<std::vector<size_t>, int>> stack;
  auto push_children = [&](const std::vector<size_t>& members, int depth) {
    std::vector<std::vector<size_t>> groups;
    if (t.grouped) {
      groups = ChildGroups(c, members);
    } else {
      for (size_t k : forest.children[members[0]]) groups.push_back({k});
    }
    for (auto it = groups.rbegin(); it != groups.rend(); ++it) stack.emplace_back(std::move(*it), depth);
  };
  if (t.grouped) {
    // Roots have no parent: grouped by program like siblings.
    std::vector<std::vector<size_t>> root_groups;
    std::unordered_map<std::string, size_t> by_exe;
    for (size_t r : forest.roots) {
      auto [it, added] = by_exe.emplace(procs[r].exe, root_groups.size());
      if (added) root_groups.emplace_back();
      root_groups[it->second].push_back(r);
    }
    for (auto it = root_groups.rbegin(); it != root_groups.rend(); ++it) stack.emplace_back(std::move(*it), 0);
  } else {
    for (auto it = forest.roots.rbegin(); it != forest.roots.rend(); ++it) stack.push_back({{*it}, 0});
  }
  while (!stack.empty()) {
    auto [members, depth] = std::move(stack.back());
    stack.pop_back();
    if (t.rows.size() >= max_rows) {
      for (size_t m : members) t.omitted += forest.subtree[m];
      continue;
    }
    t.rows.push_back(GroupRow(c, members, depth));
    push_children(members, depth + 1);
  }
  return t;
}

int64_t ChooseBinNs(int64_t duration_ns, int max_bins) {
  const int64_t bins = std::max(max_bins, 1);
  for (int64_t scale = 1000;; scale *= 10)
    for (int64_t m : {1, 2, 5})
      if (duration_ns / (m * scale) < bins || scale > int64_t{1} << 50) return m * scale;
}

}  // namespace warden::report

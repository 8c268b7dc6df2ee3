// The report of `warden harden`: what was kept and why, what was dropped,
// with sizes, and the counts before and after; text for people, JSON for
// programs. Deterministic: sorted by path.
#ifndef WARDEN_HARDEN_REPORT_H_
#define WARDEN_HARDEN_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "harden/copy_tree.h"
#include "harden/plan.h"

namespace warden::harden {

struct Report {
  std::string root, out;
  bool dry_run = false;
  struct Entry {
    std::string path;
    std::string why;   // WhyName; "" for dropped
    std::string from;
    uint64_t size = 0;  // lstat size (a symlink: its text)
  };
  std::vector<Entry> kept, dropped;
  std::vector<std::string> missing;
  CopyStats before, after;  // after: what the tree holds (or would hold)
};

// Fills kept, dropped, before and after from the plan and the source root.
Report MakeReport(const std::string& root, const std::string& out, const Plan& plan, bool dry_run);

std::string ReportText(const Report& r);
std::string ReportJson(const Report& r);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_REPORT_H_

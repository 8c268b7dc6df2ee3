// The process timeline of a report: the run's processes nested by parent,
// one row each; past kMaxTimelineRows processes, rows of processes grouped
// by program under their parent's row (with how many ran per time bin), so
// that a build of 10,000 compilers is a handful of legible rows.
#ifndef WARDEN_REPORT_TIMELINE_H_
#define WARDEN_REPORT_TIMELINE_H_

#include <cstdint>
#include <vector>

#include "report/model.h"

namespace warden::report {

// `procs` in start order (processes.start_ns, then id), threads included
// (they are not rows; a child of a thread hangs under its process, as in
// `warden query tree`). `run_end_ns`: where a process that never ended
// stops (since the run started); `run_finished`: such a process is
// "unknown" rather than "running". `bins` of `bin_ns` for the busy strips.
Timeline BuildTimeline(const std::vector<ProcessSpan>& procs, int64_t run_end_ns, bool run_finished,
                       int64_t bin_ns, int bins, size_t max_rows = kMaxTimelineRows);

// The activity bin width for a run of `duration_ns`: the smallest of 1, 2,
// 5 times a power of ten (from 1 us) that gives at most `max_bins` bins.
int64_t ChooseBinNs(int64_t duration_ns, int max_bins = kMaxBins);

}  // namespace warden::report

#endif  // WARDEN_REPORT_TIMELINE_H_

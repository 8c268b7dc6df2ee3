// What a run's report shows (`warden report`), aggregated from the database
// by load.h and rendered as one HTML file by html.h. Everything here is
// bounded whatever the size of the run: time in a fixed number of bins,
// processes in at most kMaxTimelineRows rows, lists capped with a count of
// what was left out.
#ifndef WARDEN_REPORT_MODEL_H_
#define WARDEN_REPORT_MODEL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "forensics/export.h"
#include "forensics/query.h"
#include "profile/profile.h"
#include "verify/verify.h"

namespace warden::report {

// The kinds of event the activity chart stacks, in drawing order.
enum class Kind : uint8_t { kProcess, kExec, kFile, kNet, kSyscall, kPolicy };
inline constexpr int kKindCount = 6;
inline constexpr std::string_view kKindNames[kKindCount] = {"process", "exec",    "file",
                                                           "net",     "syscall", "policy"};

// Caps: the report of a million-event run stays a few hundred KB.
inline constexpr int kMaxBins = 200;             // activity bins: per second up to 200 s
inline constexpr size_t kMaxTimelineRows = 300;  // process rows (else aggregated)
inline constexpr size_t kMaxProcessTable = 200;  // the table under the timeline
inline constexpr size_t kMaxDirs = 100;          // directories per file class
inline constexpr size_t kMaxFilesPerDir = 12;    // files named per directory
inline constexpr size_t kMaxListRows = 200;      // programs, ports, peers, hits
inline constexpr size_t kMaxSyscalls = 40;       // syscalls by count
inline constexpr size_t kMaxDenials = 100;       // the denial log

// One process of the run (threads are folded into their process). Times
// are nanoseconds since the run started.
struct ProcessSpan {
  int64_t id = 0;  // processes.id: the order of rows with equal start
  int pid = 0;
  std::optional<int64_t> ppid, tgid;
  bool thread = false;
  std::string exe, argv_json;
  std::optional<int64_t> start_ns, end_ns;
  std::optional<int64_t> exit_code, signal;
};

enum class Outcome : uint8_t { kOk, kFailed, kKilled, kUnknown };

// One row of the process timeline: a process, or (in a large run) a group
// of processes that ran the same program under the same parent row.
struct TimelineRow {
  int depth = 0;
  int64_t count = 1;  // processes in the row
  int pid = 0;        // the process (the group's first)
  std::optional<int64_t> ppid;
  std::string exe, command;  // command: the argv as shell words, shortened
  int64_t start_ns = 0, end_ns = 0;
  bool ended = true;          // false: still running at the end of the record
  std::string status;         // "exit 0", "killed by SIGKILL", "3 of 40 failed"
  Outcome outcome = Outcome::kOk;
  int64_t failed = 0;         // a group's members that failed or were killed
  std::vector<int32_t> busy;  // a group: members running per activity bin
};

struct Timeline {
  bool grouped = false;   // rows are groups of processes by program
  std::vector<TimelineRow> rows;
  int64_t omitted = 0;    // processes in rows past kMaxTimelineRows
};

// Events per time bin, by kind; policy denials (deny, kill) marked apart.
struct Activity {
  int64_t bin_ns = 1;
  std::array<std::vector<int64_t>, kKindCount> by_kind;
  std::vector<int64_t> denials;
};

// Named counts, largest first (then by name), and how many names were
// left out of a capped list with what they add up to.
struct Counts {
  std::vector<std::pair<std::string, int64_t>> items;
  int64_t more_names = 0, more_count = 0;
};

// Files of one profile class (read, written, executed) by directory.
struct DirGroup {
  std::string dir;
  int64_t files = 0, calls = 0;
  std::vector<std::pair<std::string, int64_t>> top;  // file names, most used first
};
struct FileClass {
  std::string name;  // "read", "written", "executed"
  int64_t files = 0, calls = 0;
  std::vector<DirGroup> dirs;  // most used first
  int64_t more_dirs = 0;
};

struct PolicyHit {
  std::string rule, category, action;
  bool enforced = true;
  int64_t count = 0;
  int64_t first_ns = 0;  // since the run started
};

struct Denial {
  int64_t ts_ns = 0;  // since the run started
  int pid = 0;
  std::string exe, action, syscall, target, rule;
  bool enforced = true;
};

struct ExpectCheck {
  std::string file;  // the expected profile, as given
  verify::Report result;
};

struct ReportData {
  forensics::RunSummary run;
  std::string cwd, host, warden_version, status;  // status: finished, in progress, ...
  std::string db_name;                            // the database's file name
  int schema_version = 0;
  int64_t duration_ns = 0;  // to the end, or to the last event recorded
  int64_t processes = 0, threads = 0;
  int64_t events = 0;       // exec, file, net, syscall and policy rows
  int64_t denials = 0;      // policy_events with action deny or kill
  int64_t policy_hits = 0;  // every policy_events row
  Counts by_kind, by_action, by_policy_action, by_syscall;
  Timeline timeline;
  Activity activity;
  std::vector<FileClass> files;
  profile::Profile profile;  // programs, ports and peers (files: `files`)
  std::vector<PolicyHit> hits;
  int64_t more_hits = 0;
  std::vector<Denial> denial_log;
  std::optional<ExpectCheck> expect;
};

}  // namespace warden::report

#endif  // WARDEN_REPORT_MODEL_H_

// How `warden policy test` prints a dry run: each call the policy would
// deny, kill or monitor as a replay line (store/replay.h) with the rule,
// then a summary per rule; or the same as NDJSON objects.
#ifndef WARDEN_DRYRUN_REPORT_H_
#define WARDEN_DRYRUN_REPORT_H_

#include <string>

#include "dryrun/dry_run.h"
#include "policy/policy.h"

namespace warden::dryrun {

// "[pid 12] openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 3 <would deny: no-passwd>\n"
std::string HitLine(const Hit& h);

// The summary after the lines: a table of rules (rule, action, calls,
// not judged) and the counts of calls the policy did not judge.
std::string SummaryText(const Outcome& o, const policy::Policy& p);

// NDJSON: {"kind":"call", ...} per hit, {"kind":"rule", ...} per rule and
// one {"kind":"summary", ...}; each with its newline.
std::string HitJson(const Hit& h);
std::string SummaryJson(const Outcome& o, const policy::Policy& p);

}  // namespace warden::dryrun

#endif  // WARDEN_DRYRUN_REPORT_H_

// Reading what a report shows out of a recorded database: read-only, through
// the forensics reading layer (forensics/read_db.h, forensics/query.h), any
// schema version a reader understands. Aggregation happens here (SQL GROUP
// BY, time bins, timeline groups): the report's size does not grow with the
// run's events.
#ifndef WARDEN_REPORT_LOAD_H_
#define WARDEN_REPORT_LOAD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "report/model.h"

namespace warden::report {

struct LoadOptions {
  std::optional<int64_t> run;  // unset: the latest run
  std::string expect_file;     // "": no verify section
};

// Errors as the reading commands': NotFound (no file, no such run: the
// message names the runs there are), FailedPrecondition (not a warden
// database, too new, an expected profile that is not valid), Unavailable.
absl::StatusOr<ReportData> LoadReport(const std::string& db_path, const LoadOptions& options);

// The files of one profile class by directory (model.h's caps).
FileClass GroupByDirectory(std::string name, const std::vector<profile::FileUse>& files);

}  // namespace warden::report

#endif  // WARDEN_REPORT_LOAD_H_

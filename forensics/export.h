// Reading a warden database back: the NDJSON export and the list of runs.
// Both open the file read-only, so they are safe while a run is recording.
#ifndef WARDEN_FORENSICS_EXPORT_H_
#define WARDEN_FORENSICS_EXPORT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace warden::forensics {

struct RunSummary {
  int64_t id = 0;
  std::string argv_json;            // the command, as a JSON array of strings
  int64_t start_ns = 0;
  std::optional<int64_t> end_ns;    // unset while running or if warden died
  std::optional<int> exit_code;
  std::optional<int> exit_signal;
  uint64_t lost_events = 0;
  std::string policy;               // policy name; "" without --policy
  std::string policy_mode;          // active, permissive, inactive; "" without
  std::optional<uint64_t> stops;    // unset until the run ends (or before schema 2)
  // No end, and no warden holds the run's lock (store/run_lock.h): warden
  // was killed, or its machine or container went away.
  bool interrupted = false;
  std::string host, cwd, warden_version;
  // The run's identity (store/run_identity.h); before schema 7, the UUID
  // and labels the upgrade gives it.
  std::string uuid;
  std::string labels_json;  // {"host":...,...}
};

// All runs in the file, oldest first.
absl::StatusOr<std::vector<RunSummary>> ListRuns(const std::string& db_path);

// Writes the events of `run_id` (or of every run, one run after the other)
// to `out`, one JSON object per line, in timestamp order across all kinds.
// Every line has run, ts and kind ("process", "exec", "file", "net",
// "syscall", "policy", "policy_change"), and pid unless it is a
// policy_change (the run's, not a process's); fields that do not apply are
// left out. Errors: NotFound for a missing file or an unknown run id (the
// message lists the ids there are).
absl::Status ExportNdjson(const std::string& db_path, std::optional<int64_t> run_id,
                          std::ostream& out);

// The kinds of event, as the export's "kind" field and --kind name them.
inline constexpr std::string_view kEventKinds[] = {"process", "exec",   "file",         "net",
                                                   "syscall", "policy", "policy_change"};

// "file,net" -> {"file", "net"}; InvalidArgument naming the known kinds for
// anything else (an empty item included).
absl::StatusOr<std::vector<std::string>> ParseKinds(std::string_view list);

enum class ExportFormat {
  kNdjson,  // one JSON object per line (as ExportNdjson)
  kJson,    // one JSON array of the same objects
  kCsv,     // RFC 4180: a header row, then one row per event (CRLF line ends)
};

struct ExportOptions {
  std::optional<int64_t> run_id;          // unset: every run, oldest first
  std::optional<int64_t> from_ns, to_ns;  // inclusive bounds on the event's ts
  std::vector<std::string> kinds;         // empty: every kind
  ExportFormat format = ExportFormat::kNdjson;
};

// The export with filters and a format; ExportNdjson(path, run, out) is
// Export(path, {.run_id = run}, out). Errors as ExportNdjson's, and Aborted
// when writing `out` failed.
absl::Status Export(const std::string& db_path, const ExportOptions& options, std::ostream& out);

// The CSV columns, in order: the union of every kind's fields.
std::vector<std::string> CsvColumns();


}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_EXPORT_H_

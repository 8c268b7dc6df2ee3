// Retention: `warden prune --older-than DURATION` removes old runs and every
// row they have, in one transaction, and can VACUUM the file afterwards.
#ifndef WARDEN_FORENSICS_PRUNE_H_
#define WARDEN_FORENSICS_PRUNE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "forensics/export.h"

namespace warden::forensics {

struct PruneOptions {
  // Runs that started before this (ns since the epoch) are removed...
  int64_t cutoff_ns = 0;
  bool dry_run = false;  // report what would be removed; change nothing
  bool vacuum = false;   // VACUUM after removing (not with dry_run)
};

struct PrunedRun {
  RunSummary run;
  uint64_t rows = 0;  // its rows in every table (the run's own row not counted)
  int64_t last_activity_ns = 0;  // its latest recorded time (start, event, exit)
};

struct PruneReport {
  std::vector<PrunedRun> removed;  // removed, or that would be with dry_run
  // ...except a run with no end (end_ns NULL) that recorded something at or
  // after the cutoff: it is taken to be still recording, and kept.
  std::vector<PrunedRun> kept_recording;
  uint64_t runs_kept = 0;  // every run left in the file
  uint64_t rows = 0;       // rows removed in all
  // With vacuum: the database size in bytes (page_count * page_size) before
  // the runs were removed, and after VACUUM.
  std::optional<int64_t> bytes_before, bytes_after;
};

// Opens the existing file read-write (read-only with dry_run); never
// creates one. Errors: NotFound (no file), FailedPrecondition (not a warden
// database, corrupt, too new, locked); the file is then left unchanged.
absl::StatusOr<PruneReport> Prune(const std::string& db_path, const PruneOptions& options);

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_PRUNE_H_

// The store a reading command (profile, learn, expect, verify) reads runs
// from: the SQLite files of --db (the default database when none is
// given), or with --pg URL the runs shipped to PostgreSQL that --select
// picks. The commands are written once against learn::EventSource.
#ifndef WARDEN_CLI_SOURCE_H_
#define WARDEN_CLI_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "learn/event_source.h"

namespace warden::cli {

// InvalidArgument for --pg with --db, or --select without --pg; else the
// errors of learn::OpenDatabases and fleet::OpenPostgres.
absl::StatusOr<std::unique_ptr<learn::EventSource>> OpenSource(learn::Selection& selection);

}  // namespace warden::cli

#endif  // WARDEN_CLI_SOURCE_H_

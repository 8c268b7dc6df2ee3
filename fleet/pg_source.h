// The runs shipped to PostgreSQL (pg_schema.h) as an EventSource
// (learn/event_source.h): `profile`, `learn`, `expect` and `verify` with
// `--pg URL --select k=v,...` read through it exactly as they read SQLite
// files, so a fleet's answer is the answer on the union of its files.
//
// Selection: every shipped run whose labels include all of `labels` (none:
// every run); with a window (--from/--to), only those with exec, file or
// network events inside it. Runs come oldest first. A run is named as its
// file named it (RunRef db and run: the file ship read, the run's id in
// it), with the host in front when two selected runs would share a name.
#ifndef WARDEN_FLEET_PG_SOURCE_H_
#define WARDEN_FLEET_PG_SOURCE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "learn/event_source.h"
#include "store/run_identity.h"

namespace warden::fleet {

// Errors as PgConn::Connect's; FailedPrecondition when the database has no
// warden schema (nothing shipped yet) or a newer one.
absl::StatusOr<std::unique_ptr<learn::EventSource>> OpenPostgres(const std::string& url,
                                                                 const store::Labels& labels);

}  // namespace warden::fleet

#endif  // WARDEN_FLEET_PG_SOURCE_H_

// The SQLite schema of a warden database. One file holds many runs; every
// event row carries its run_id. The schema version lives in PRAGMA
// user_version so that a newer file is refused instead of misread.
#ifndef WARDEN_STORE_SCHEMA_H_
#define WARDEN_STORE_SCHEMA_H_

#include <string_view>

#include "absl/status/status.h"

struct sqlite3;

namespace warden::store {

// Bump when a table changes shape, and teach ApplySchema to migrate.
// 1: the first release. 2: policy verdicts (action/rule on file, exec and net
// events; runs.policy, policy_mode, stops; policy_events, policy_changes).
// 3: the events view. 4: file and syscall events in compact `calls` and
// `strings` tables, read through views of the old names (store/calls.h).
// 5: network events too (the `nets` table behind the net_events view).
// 6: calls.named. 7: runs.uuid and runs.labels (store/run_identity.h).
inline constexpr int kSchemaVersion = 7;

// Creates the tables and indexes if missing and records kSchemaVersion. A file
// of an older version is upgraded in place (columns added, tables created;
// no row is lost) in the same transaction. Fails if the file was written by a
// newer warden (higher user_version).
absl::Status ApplySchema(sqlite3* db);

// Reads PRAGMA user_version: 0 for a file warden never initialised.
absl::Status ReadSchemaVersion(sqlite3* db, int* version);

}  // namespace warden::store

#endif  // WARDEN_STORE_SCHEMA_H_

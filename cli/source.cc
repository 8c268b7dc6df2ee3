#include "cli/source.h"

#include "cli/default_db.h"
#include "fleet/pg_source.h"

namespace warden::cli {

absl::StatusOr<std::unique_ptr<learn::EventSource>> OpenSource(learn::Selection& selection) {
  if (!selection.pg_url.empty()) {
    if (!selection.dbs.empty())
      return absl::InvalidArgumentError("--pg and --db exclude each other: read one store");
    return fleet::OpenPostgres(selection.pg_url, selection.labels);
  }
  if (!selection.labels.empty())
    return absl::InvalidArgumentError("--select picks shipped runs: it needs --pg URL");
  if (selection.dbs.empty()) selection.dbs.push_back(DefaultDb());
  return learn::OpenDatabases(selection);
}

}  // namespace warden::cli

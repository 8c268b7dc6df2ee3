// `warden learn`: a policy (warden-policy(5)) that allows what recorded runs
// did. Reads the runs (observe.h), groups and generalises what they did
// (items.h, generalize.h) and writes the rules (policy_writer.h).
#ifndef WARDEN_LEARN_LEARN_H_
#define WARDEN_LEARN_LEARN_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "learn/event_source.h"
#include "learn/items.h"
#include "learn/observation.h"
#include "policy/policy.h"

namespace warden::learn {

struct LearnOptions {
  Selection selection;
  Generalization gen;
  std::optional<std::string> merge;   // --merge FILE: a policy to keep and add to
  std::optional<policy::Mode> mode;   // --mode; else the merged file's, else permissive
};

// The policy's text. Errors: the merge file cannot be read (its errno's
// code: NotFound, PermissionDenied, ...) or has errors (InvalidArgument,
// with the parser's FILE:LINE:COLUMN messages); what ReadDatabases says
// about the databases and runs (NotFound, FailedPrecondition). Reads only:
// no database and no file is written.
absl::StatusOr<std::string> Learn(const LearnOptions& options);
// The same over any source of runs (event_source.h): options.selection
// picks its runs.
absl::StatusOr<std::string> Learn(const LearnOptions& options, EventSource& source);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_LEARN_H_

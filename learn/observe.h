// Reading observations (observation.h) out of recordings: warden databases,
// through the forensics reading layer (read-only, never written), or an
// NDJSON export (`warden export --format ndjson`, gzip or not), the
// air-gapped flow. Both give the same observations for the same run.
//
// Errors: NotFound (no such file, no such run), FailedPrecondition (not a
// warden database / not an NDJSON export, a line that is not JSON: named by
// file and line), each with what to do.
#ifndef WARDEN_LEARN_OBSERVE_H_
#define WARDEN_LEARN_OBSERVE_H_

#include <string>

#include "absl/status/status.h"
#include "learn/observation.h"

namespace warden::learn {

// OpenDatabases(selection) and ReadObservations (event_source.h).
absl::Status ReadDatabases(const Selection& selection, ObservationSink& sink);

// Every run the export holds (a run of it is RunRef{path, id}); `from_ns` /
// `to_ns` of `selection` apply, and `runs` when not empty.
absl::Status ReadNdjson(const std::string& path, const Selection& selection,
                        ObservationSink& sink);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_OBSERVE_H_

// The paths recorded runs used, as root paths of the source root: every
// file event's path and the name the program used (file_events.named,
// schema 6), every exec. A path under `--from-root` (a run chrooted into
// it, recorded in warden's view) has that prefix taken off; any other is
// already the traced process's own view of its root (a run inside the
// container whose root filesystem this is).
#ifndef WARDEN_HARDEN_OBSERVED_H_
#define WARDEN_HARDEN_OBSERVED_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::harden {

struct Observed {
  std::vector<std::string> paths;
  // Directories read whole: opened with O_DIRECTORY (getdents is not
  // recorded) by a process that used no other path inside them. Its
  // output may be the listing (ls DIR), so each entry counts as used. A
  // process that lists a directory and then looks up names in it (python's
  // import path cache, a plugin loader) was searching: what it then used
  // is observed, and the rest of the directory is not kept.
  std::vector<std::string> listed;
};

// `runs` empty: the latest run of the database. `every_listing`: listed
// holds every directory a process listed, searched or not.
absl::StatusOr<Observed> ReadObserved(const std::string& db, const std::vector<int64_t>& runs,
                                      const std::string& root, bool every_listing = false);

// `path` as a root path of `root` (see above); "" when it is no path (a
// marker such as "<unreadable 0x...>", pipe:[...]).
std::string ToRootPath(const std::string& path, const std::string& root);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_OBSERVED_H_
